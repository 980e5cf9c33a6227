package session

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/crash"
	"github.com/perftop/perftop/internal/tui"
	"github.com/perftop/perftop/internal/tui/serve"
)

// sshServer is the session's SSH server while it serves.
type sshServer struct {
	srv  *serve.Server
	log  io.Closer // the log file, when there is one
	done chan struct{}
}

// startSSH opens the address, makes or reads the host key and serves
// viewers until ctx ends; load, when set, is the running test that viewers
// with control keys may steer. Logins go to SSH.LogFile, or, when only
// serves (perftop serve), to Config.Log, with the address the server
// listens on. It returns nil without Config.SSH.
func (s *Session) startSSH(ctx context.Context, load tui.LoadControl, only bool) (*sshServer, error) {
	c := s.cfg.SSH
	if c == nil {
		return nil, nil
	}
	o := c.Server
	var err error
	if o.HostKeyPEM, err = serve.HostKey(c.HostKey); err != nil {
		return nil, err
	}
	out := &sshServer{done: make(chan struct{})}
	o.Log = s.cfg.Log
	if !only && c.LogFile != "" {
		f, err := openLog(c.LogFile)
		if err != nil {
			return nil, fmt.Errorf("ssh log: %w", err)
		}
		o.Log, out.log = f, f
	}
	if o.Listener, err = serve.Listen(c.Addr); err != nil {
		out.close()
		return nil, err
	}
	o.FPS = s.cfg.Display.FPS
	o.NewModel = func(vctx context.Context, v serve.Viewer) tea.Model {
		return s.model(vctx, viewer{remote: true, readOnly: !v.Control}, load)
	}
	if out.srv, err = serve.New(o); err != nil {
		o.Listener.Close()
		out.close()
		return nil, err
	}
	go func() {
		defer crash.Recover()
		defer close(out.done)
		_ = out.srv.Serve(ctx)
	}()
	if only {
		fmt.Fprintf(s.cfg.Log, "perftop: serving the dashboard on ssh://%s\n", o.Listener.Addr())
	}
	return out, nil
}

// wait waits for the server to stop after its context ended.
func (x *sshServer) wait() {
	if x == nil {
		return
	}
	if x.srv != nil {
		<-x.done
	}
	x.close()
}

func (x *sshServer) close() {
	if x.log != nil {
		x.log.Close()
	}
}

// viewers is the local status bar's list of who watches.
func (x *sshServer) viewers() []string {
	if x == nil || x.srv == nil {
		return nil
	}
	var out []string
	for _, v := range x.srv.Viewers() {
		fp := strings.TrimPrefix(v.Fingerprint, "SHA256:")
		if len(fp) > 8 {
			fp = fp[:8]
		}
		out = append(out, v.User+"@"+fp)
	}
	return out
}

// openLog opens the SSH log for appending, making its directory.
func openLog(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
}
