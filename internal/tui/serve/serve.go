// Package serve serves the dashboard over SSH to several viewers at once,
// with Wish: one Bubble Tea program per session, built by the same model
// constructor as the local dashboard and fed from the one shared Store.
// Viewers authenticate with public keys only, under the authorized_keys
// options sshd would apply (from=, expiry-time=, no-pty, restrict); only
// control keys may steer a load test. A viewer that stops reading only
// stalls its own session: the sources and the other viewers never wait on
// a viewer's output. Hostile clients are bounded: a viewer's terminal is
// drawn at most MaxWidth x MaxHeight, connections that have not logged in
// are held at most LoginGrace and at most MaxStartups at once.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/ratelimiter"
	wishrecover "charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"

	"github.com/perftop/perftop/internal/printable"
)

// Defaults of Options.
const (
	DefaultMaxSessions = 16
	DefaultIdleTimeout = 15 * time.Minute
	// DefaultLoginGrace is how long a connection may take to log in, as
	// sshd's LoginGraceTime (2 minutes there; a dashboard's viewers log in
	// with keys, in well under a second).
	DefaultLoginGrace = 30 * time.Second
	// DefaultMaxStartups is how many connections may be logging in at
	// once, as sshd's MaxStartups (10:30:100 there); more are closed as
	// they arrive.
	DefaultMaxStartups = 10
)

// Viewer is one connected session. Its strings came from the client and
// are made printable (one line, no control characters).
type Viewer struct {
	ID          int
	User        string
	Addr        string
	Fingerprint string
	Control     bool // may steer a load test
	Since       time.Time
}

// Options configure a Server.
type Options struct {
	// Listener is where to serve; Listen makes one and reports an address
	// in use as a clear error.
	Listener net.Listener
	// HostKeyPEM is the server's private host key (HostKey makes one).
	HostKeyPEM []byte
	// Authorized may view; Control may also steer (LoadKeys reads them).
	// A key may log in through the first of its lines whose options
	// allow it. AllowAnyKey lets any key view (only for loopback
	// addresses; the caller checks).
	Authorized, Control []AuthorizedKey
	AllowAnyKey         bool
	MaxSessions         int
	IdleTimeout         time.Duration
	// LoginGrace closes a connection that has not authenticated after it
	// (0 means DefaultLoginGrace); MaxStartups is how many may be logging
	// in at once (0 means DefaultMaxStartups).
	LoginGrace  time.Duration
	MaxStartups int
	// Log receives one line per login, denial, refusal and logout.
	Log io.Writer
	// NewModel builds a viewer's program model; ctx ends with the session.
	NewModel func(ctx context.Context, v Viewer) tea.Model
	// FPS is each viewer's frame rate (Bubble Tea's WithFPS); 0 means 20.
	FPS int
}

// Server is a running SSH server. Viewers may be read from any goroutine.
type Server struct {
	o    Options
	srv  *ssh.Server
	gate *gate

	mu       sync.Mutex // guards viewers, next and sessions
	viewers  map[int]Viewer
	next     int
	sessions int        // sessions admitted, viewers or about to be
	logMu    sync.Mutex // serialises log lines
}

// Listen opens addr, saying plainly when it is taken.
func Listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && errors.Is(op.Err, errAddrInUse) {
			return nil, &listenError{msg: fmt.Sprintf("ssh address %s is already in use", addr), err: err}
		}
		return nil, fmt.Errorf("ssh address %s: %w", addr, err)
	}
	return l, nil
}

// listenError says a listen failure plainly and keeps the *net.OpError
// under it, by which the CLI tells a usage mistake.
type listenError struct {
	msg string
	err error
}

func (e *listenError) Error() string { return e.msg }
func (e *listenError) Unwrap() error { return e.err }

// New prepares a Server over o.Listener and logs the keys it refuses.
func New(o Options) (*Server, error) {
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.LoginGrace <= 0 {
		o.LoginGrace = DefaultLoginGrace
	}
	if o.MaxStartups <= 0 {
		o.MaxStartups = DefaultMaxStartups
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	s := &Server{o: o, viewers: map[int]Viewer{}}
	s.gate = &gate{max: o.MaxStartups, grace: o.LoginGrace, logf: s.logf, pending: map[*startConn]struct{}{}}
	srv, err := wish.NewServer(
		wish.WithHostKeyPEM(o.HostKeyPEM),
		wish.WithPublicKeyAuth(s.allow),
		wish.WithIdleTimeout(o.IdleTimeout),
		wish.WithMiddleware(
			wishrecover.Middleware(s.session),
			// A source address may connect once a second, after a burst
			// big enough for a whole team behind one NAT to join at once.
			ratelimiter.Middleware(ratelimiter.NewRateLimiter(rate.Every(time.Second), o.MaxSessions+4, 1000)),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	srv.ConnCallback = s.gate.admit
	srv.ServerConfigCallback = s.gate.config
	s.srv = srv
	for _, k := range append(append([]AuthorizedKey(nil), o.Authorized...), o.Control...) {
		switch {
		case k.Key == nil:
			s.logf("%s: skipped: %s", k.Source, k.Refused)
		case k.Refused != "":
			s.logf("%s: key %s refused: %s", k.Source, gossh.FingerprintSHA256(k.Key), k.Refused)
		}
	}
	return s, nil
}

// Serve serves until ctx ends, then closes every session and every
// connection still logging in.
func (s *Server) Serve(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- s.srv.Serve(s.o.Listener) }()
	select {
	case err := <-done:
		s.gate.close()
		if errors.Is(err, ssh.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		s.gate.close()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(sctx)
		_ = s.srv.Close()
		<-done
		s.waitSessions(sctx)
		return nil
	}
}

// waitSessions waits, until ctx ends, for the sessions' programs to end
// after their connections were closed.
func (s *Server) waitSessions(ctx context.Context) {
	for {
		s.mu.Lock()
		n := s.sessions
		s.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// Viewers returns the connected viewers, oldest first.
func (s *Server) Viewers() []Viewer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Viewer, 0, len(s.viewers))
	for _, v := range s.viewers {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// logf writes one log line. The whole line is made printable: the names,
// terminals and addresses in it came from clients.
func (s *Server) logf(format string, args ...any) {
	line := printable.Line(fmt.Sprintf(format, args...))
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.o.Log, "%s perftop ssh: %s\n", time.Now().Format(time.RFC3339), line)
}

// maxClientText bounds a client's string (a user or terminal name) in a
// log line or the viewer list.
const maxClientText = 64

// clean makes a client's string printable on one line, cut to
// maxClientText bytes.
func clean(s string) string {
	return printable.Cut(printable.Line(s), maxClientText)
}

// Permission extensions the public key check hands to the session.
const (
	extRole          = "perftop-role" // "control" or "view"
	extControlDenied = "perftop-control-denied"
	extNoTouch       = "no-touch-required" // x/crypto/ssh's own
)

// allow is the public-key check (Passwords and keyboard-interactive are
// never offered). It runs for each key a client offers, before the client
// proves it holds the key; what it grants is kept with that key's
// permissions, so that it reaches only a session of the key that logged in.
func (s *Server) allow(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	who := clean(ctx.User()) + "@" + clean(ctx.RemoteAddr().String())
	g, err := s.authorize(key, ctx.RemoteAddr(), time.Now())
	if err != nil {
		s.logf("denied %s key %s: %v", who, fp, err)
		return false
	}
	perms := ctx.Permissions()
	if perms.Extensions == nil {
		perms.Extensions = map[string]string{}
	}
	perms.Extensions[extRole] = g.role
	if g.controlDenied != "" {
		perms.Extensions[extControlDenied] = g.controlDenied
	}
	if g.noTouch {
		perms.Extensions[extNoTouch] = ""
	}
	return true
}

// grant is what a key may do.
type grant struct {
	role          string // "control" or "view"
	controlDenied string // why the key's control lines did not apply
	noTouch       bool
}

// authorize decides what key may do from addr at now: the first of its
// control lines that allows it makes a controller, else the first of its
// authorized lines a viewer.
func (s *Server) authorize(key gossh.PublicKey, addr net.Addr, now time.Time) (grant, error) {
	if _, ok := key.(*gossh.Certificate); ok && !s.o.AllowAnyKey {
		return grant{}, errors.New("a certificate: perftop accepts plain keys only")
	}
	var denied []string
	ctrlDenied := ""
	for _, l := range []struct {
		role string
		keys []AuthorizedKey
	}{{"control", s.o.Control}, {"view", s.o.Authorized}} {
		for _, k := range l.keys {
			if k.Key == nil || !ssh.KeysEqual(k.Key, key) {
				continue
			}
			if err := k.Check(addr, now); err != nil {
				denied = append(denied, err.Error())
				continue
			}
			return grant{role: l.role, controlDenied: ctrlDenied, noTouch: k.NoTouchRequired}, nil
		}
		if l.role == "control" {
			ctrlDenied = strings.Join(denied, "; ")
		}
	}
	if s.o.AllowAnyKey {
		return grant{role: "view", controlDenied: ctrlDenied}, nil
	}
	if len(denied) > 0 {
		return grant{}, errors.New(strings.Join(denied, "; "))
	}
	return grant{}, errors.New("not in the authorized keys")
}
