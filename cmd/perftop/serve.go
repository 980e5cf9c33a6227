package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/system"
	"github.com/perftop/perftop/internal/tui"
	"github.com/perftop/perftop/internal/tui/serve"
)

// sshFlags are the flags of serving the dashboard over SSH.
type sshFlags struct {
	addr           string
	authorizedKeys string
	controlKeys    string
	allowAnyKey    bool
	maxSessions    int
	idleTimeout    time.Duration
}

func (f *sshFlags) register(cmd *cobra.Command, addrFlag string) {
	fl := cmd.PersistentFlags()
	fl.StringVar(&f.addr, addrFlag, "", "serve the dashboard over SSH on `addr`, e.g. 127.0.0.1:2222 (ssh -p 2222 host)")
	fl.StringVar(&f.authorizedKeys, "authorized-keys", "", "public keys that may watch (default ~/.ssh/authorized_keys)")
	fl.StringVar(&f.controlKeys, "control-keys", "", "public keys that may also pause, change the rate of and stop a test")
	fl.BoolVar(&f.allowAnyKey, "ssh-allow-any-key", false, "let any public key watch (loopback addresses only)")
	fl.IntVar(&f.maxSessions, "ssh-max-sessions", serve.DefaultMaxSessions, "most viewers at once")
	fl.DurationVar(&f.idleTimeout, "ssh-idle-timeout", serve.DefaultIdleTimeout, "disconnect a viewer after this long without traffic")
}

// sshSetup is a validated SSH server, listening, not yet serving.
type sshSetup struct {
	opts serve.Options
	srv  *serve.Server
}

// setup checks the flags and opens the address, so that every mistake is
// reported before anything is drawn.
func (f *sshFlags) setup(cfg config, getenv func(string) string) (*sshSetup, error) {
	if f.addr == "" {
		return nil, nil
	}
	host, _, err := net.SplitHostPort(f.addr)
	if err != nil {
		return nil, usagef("invalid SSH address %q: want host:port, e.g. 127.0.0.1:2222", f.addr)
	}
	if f.allowAnyKey && !loopback(host) {
		return nil, usagef("--ssh-allow-any-key is refused on %s: only on a loopback address (127.0.0.1, ::1, localhost)", f.addr)
	}
	o := serve.Options{AllowAnyKey: f.allowAnyKey, MaxSessions: f.maxSessions, IdleTimeout: f.idleTimeout, FPS: cfg.fps}
	if !f.allowAnyKey {
		path := f.authorizedKeys
		if path == "" {
			home, _ := os.UserHomeDir()
			path = filepath.Join(home, ".ssh", "authorized_keys")
		}
		if o.Authorized, err = serve.LoadKeys(path); err != nil {
			return nil, usagef("--authorized-keys: %v", err)
		}
	}
	if f.controlKeys != "" {
		if o.Control, err = serve.LoadKeys(f.controlKeys); err != nil {
			return nil, usagef("--control-keys: %v", err)
		}
	}
	dir := cfg.dir
	if dir == "" {
		dir = os.TempDir()
	}
	if o.HostKeyPEM, err = serve.HostKey(filepath.Join(dir, "ssh_host_ed25519_key")); err != nil {
		return nil, usageError{err}
	}
	if o.Listener, err = serve.Listen(f.addr); err != nil {
		return nil, err
	}
	return &sshSetup{opts: o}, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// start serves viewers until ctx ends. Each viewer's model comes from
// newModel, given the viewer; log receives logins and denials.
func (s *sshSetup) start(ctx context.Context, log io.Writer, newModel func(ctx context.Context, v serve.Viewer) tea.Model) (wait func(), err error) {
	s.opts.Log = log
	s.opts.NewModel = newModel
	if s.srv, err = serve.New(s.opts); err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		_ = s.srv.Serve(ctx)
		close(done)
	}()
	return func() { <-done }, nil
}

// viewerList is the local status bar's list of who watches.
func (s *sshSetup) viewerList() []string {
	if s == nil || s.srv == nil {
		return nil
	}
	var out []string
	for _, v := range s.srv.Viewers() {
		fp := strings.TrimPrefix(v.Fingerprint, "SHA256:")
		if len(fp) > 8 {
			fp = fp[:8]
		}
		out = append(out, v.User+"@"+fp)
	}
	return out
}

// sshLog is where logins go while the local dashboard owns the terminal: a
// file in the config directory.
func sshLog(cfg config) (io.WriteCloser, error) {
	dir := cfg.dir
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(filepath.Join(dir, "ssh.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
}

func newServeCmd(e *env, cf *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve --ssh ADDR",
		Short: "Serve the live dashboard over SSH, with no local dashboard",
		Long: `serve samples the host (and any --prom targets or --prom-server panels)
headless and serves the dashboard to every SSH client: ssh -p PORT host.
Each viewer gets their own size, colours, theme and screen over the same
live data, history included. Keys are public keys only, from
--authorized-keys (default ~/.ssh/authorized_keys); the host key is made
once in the config directory and reused, so clients can pin it. Logins and
denials are logged on stderr with the key's fingerprint.`,
		Example: `  perftop serve --ssh 127.0.0.1:2222
  perftop serve --ssh :2222 --authorized-keys team.keys --prom http://localhost:9100/metrics`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := cf.load(cmd, e.getenv)
			if err != nil {
				return err
			}
			if cfg.ssh == nil {
				return usagef("serve needs --ssh ADDR, e.g. --ssh 127.0.0.1:2222")
			}
			return runServe(cmd.Context(), cfg, cfg.ssh, e)
		},
	}
	cmd.Flags().StringVar(&cf.ssh.addr, "ssh", "", "serve on `addr`, e.g. 127.0.0.1:2222")
	return cmd
}

// runServe runs the sources and the SSH server until SIGINT or SIGTERM.
func runServe(ctx context.Context, cfg config, ss *sshSetup, e *env) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	promSrcs, promQL, err := cfg.prom.sources()
	if err != nil {
		return err
	}
	st := metrics.NewStore(metrics.DefaultRingCapacity)
	host := system.New(system.Options{Interval: cfg.Interval, ProcFS: cfg.procfs})
	wg := startSources(ctx, st, append([]source{host}, promSrcs...)...)
	defer wg.Wait()
	wait, err := ss.start(ctx, e.stderr, func(vctx context.Context, v serve.Viewer) tea.Model {
		return tui.New(tui.Options{Store: st, Themes: cfg.themes, Theme: cfg.Theme, Interval: cfg.Interval, Context: vctx,
			Remote: true, PromQL: promQL != nil, PromTargets: cfg.prom.urls()})
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "perftop: serving the dashboard on ssh://%s\n", ss.opts.Listener.Addr())
	wait()
	return nil
}

// serveAlongside serves the dashboard over SSH beside the local one, when
// --serve-ssh asks; load, when set, is the running test viewers watch (and
// control keys steer). It returns the local status bar's viewer list and a
// function that waits for the server to stop after ctx ends.
func serveAlongside(ctx context.Context, cfg config, st *metrics.Store, load tui.LoadControl, promQL bool) (viewers func() []string, wait func(), err error) {
	if cfg.ssh == nil {
		return nil, func() {}, nil
	}
	logf, err := sshLog(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("ssh log: %w", err)
	}
	w, err := cfg.ssh.start(ctx, logf, func(vctx context.Context, v serve.Viewer) tea.Model {
		return tui.New(tui.Options{Store: st, Themes: cfg.themes, Theme: cfg.Theme, Interval: cfg.Interval, Context: vctx,
			Remote: true, Load: load, ReadOnly: !v.Control, PromQL: promQL, PromTargets: cfg.prom.urls()})
	})
	if err != nil {
		logf.Close()
		return nil, nil, err
	}
	return cfg.ssh.viewerList, func() { w(); logf.Close() }, nil
}
