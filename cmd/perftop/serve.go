package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/perftop/perftop/internal/session"
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
	loginGrace     time.Duration
	maxStartups    int
}

func (f *sshFlags) register(cmd *cobra.Command, addrFlag string) {
	fl := cmd.PersistentFlags()
	fl.StringVar(&f.addr, addrFlag, "", "serve the dashboard over SSH on `addr`, e.g. 127.0.0.1:2222 (ssh -p 2222 host)")
	fl.StringVar(&f.authorizedKeys, "authorized-keys", "", "public keys that may watch (default ~/.ssh/authorized_keys)")
	fl.StringVar(&f.controlKeys, "control-keys", "", "public keys that may also pause, change the rate of and stop a test")
	fl.BoolVar(&f.allowAnyKey, "ssh-allow-any-key", false, "let any public key watch (loopback addresses only)")
	fl.IntVar(&f.maxSessions, "ssh-max-sessions", serve.DefaultMaxSessions, "most viewers at once")
	fl.DurationVar(&f.idleTimeout, "ssh-idle-timeout", serve.DefaultIdleTimeout, "disconnect a viewer after this long without traffic")
	fl.DurationVar(&f.loginGrace, "ssh-login-grace", serve.DefaultLoginGrace, "close a connection that has not logged in after this long (sshd's LoginGraceTime)")
	fl.IntVar(&f.maxStartups, "ssh-max-startups", serve.DefaultMaxStartups, "most connections logging in at once; more are closed (sshd's MaxStartups)")
}

// setup checks the flags, reads the keys and checks the host key's
// permissions, so that every mistake is reported before anything starts.
// It opens nothing: the session listens and makes the host key when it
// starts. It returns nil without an address.
func (f *sshFlags) setup(cfg config) (*session.SSH, error) {
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
	if f.maxSessions < 1 {
		return nil, usagef("--ssh-max-sessions %d: want 1 or more", f.maxSessions)
	}
	if f.maxStartups < 1 {
		return nil, usagef("--ssh-max-startups %d: want 1 or more", f.maxStartups)
	}
	if f.loginGrace <= 0 || f.idleTimeout <= 0 {
		return nil, usagef("--ssh-login-grace and --ssh-idle-timeout want a positive duration, e.g. 30s")
	}
	o := serve.Options{AllowAnyKey: f.allowAnyKey, MaxSessions: f.maxSessions, IdleTimeout: f.idleTimeout,
		LoginGrace: f.loginGrace, MaxStartups: f.maxStartups}
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
	ssh := &session.SSH{Addr: f.addr, Server: o, HostKey: filepath.Join(dir, "ssh_host_ed25519_key"), LogFile: filepath.Join(dir, "ssh.log")}
	if err := serve.CheckHostKey(ssh.HostKey); err != nil {
		return nil, usageError{err}
	}
	return ssh, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
			return runServe(cmd.Context(), cfg, e)
		},
	}
	cmd.Flags().StringVar(&cf.ssh.addr, "ssh", "", "serve on `addr`, e.g. 127.0.0.1:2222")
	return cmd
}

// runServe runs the sources and the SSH server until SIGINT or SIGTERM.
func runServe(ctx context.Context, cfg config, e *env) error {
	sess, err := newSession(cfg, e)
	if err != nil {
		return err
	}
	return sess.Serve(ctx)
}
