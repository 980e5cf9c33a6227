// Package serve serves the dashboard over SSH to several viewers at once,
// with Wish: one Bubble Tea program per session, built by the same model
// constructor as the local dashboard and fed from the one shared Store.
// Viewers authenticate with public keys only; only control keys may steer a
// load test. A viewer that stops reading only stalls its own session: the
// sources and the other viewers never wait on a viewer's output.
package serve

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	bm "charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/ratelimiter"
	wishrecover "charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/time/rate"
)

// Defaults of Options.
const (
	DefaultMaxSessions = 16
	DefaultIdleTimeout = 15 * time.Minute
)

// Viewer is one connected session.
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
	// Authorized may view; Control may also steer. AllowAnyKey lets any
	// key view (only for loopback addresses; the caller checks).
	Authorized, Control []gossh.PublicKey
	AllowAnyKey         bool
	MaxSessions         int
	IdleTimeout         time.Duration
	// Log receives one line per login, denial and logout.
	Log io.Writer
	// NewModel builds a viewer's program model; ctx ends with the session.
	NewModel func(ctx context.Context, v Viewer) tea.Model
	// FPS is each viewer's frame rate (Bubble Tea's WithFPS); 0 means 20.
	FPS int
}

// Server is a running SSH server. Viewers may be read from any goroutine.
type Server struct {
	o   Options
	srv *ssh.Server

	mu      sync.Mutex // guards viewers and next
	viewers map[int]Viewer
	next    int
	logMu   sync.Mutex // serialises log lines
}

// Listen opens addr, saying plainly when it is taken.
func Listen(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && errors.Is(op.Err, errAddrInUse) {
			return nil, fmt.Errorf("ssh address %s is already in use", addr)
		}
		return nil, fmt.Errorf("ssh address %s: %w", addr, err)
	}
	return l, nil
}

// New prepares a Server over o.Listener.
func New(o Options) (*Server, error) {
	if o.MaxSessions <= 0 {
		o.MaxSessions = DefaultMaxSessions
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultIdleTimeout
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	s := &Server{o: o, viewers: map[int]Viewer{}}
	srv, err := wish.NewServer(
		wish.WithHostKeyPEM(o.HostKeyPEM),
		wish.WithPublicKeyAuth(s.allow),
		wish.WithIdleTimeout(o.IdleTimeout),
		wish.WithMiddleware(
			wishrecover.Middleware(
				bm.MiddlewareWithProgramHandler(s.program),
				activeterm.Middleware(), // a dashboard needs a terminal: no pty, no session
				s.limit,
			),
			// A source address may connect once a second, after a burst
			// big enough for a whole team behind one NAT to join at once.
			ratelimiter.Middleware(ratelimiter.NewRateLimiter(rate.Every(time.Second), o.MaxSessions+4, 1000)),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	s.srv = srv
	return s, nil
}

// Serve serves until ctx ends, then closes every session.
func (s *Server) Serve(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- s.srv.Serve(s.o.Listener) }()
	select {
	case err := <-done:
		if errors.Is(err, ssh.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = s.srv.Shutdown(sctx)
		_ = s.srv.Close()
		<-done
		return nil
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

func (s *Server) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.o.Log, "%s perftop ssh: %s\n", time.Now().Format(time.RFC3339), fmt.Sprintf(format, args...))
}

// allow is the public-key check: listed keys, or any key when allowed.
// Passwords and keyboard-interactive are never offered.
func (s *Server) allow(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	if s.o.AllowAnyKey || contains(s.o.Authorized, key) || contains(s.o.Control, key) {
		return true
	}
	s.logf("denied %s@%s key %s: not in the authorized keys", ctx.User(), ctx.RemoteAddr(), fp)
	return false
}

func contains(keys []gossh.PublicKey, k ssh.PublicKey) bool {
	for _, a := range keys {
		if ssh.KeysEqual(a, k) {
			return true
		}
	}
	return false
}

// limit turns sessions away above MaxSessions.
func (s *Server) limit(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.mu.Lock()
		full := len(s.viewers) >= s.o.MaxSessions
		s.mu.Unlock()
		if full {
			s.logf("refused %s@%s: %d sessions already", sess.User(), sess.RemoteAddr(), s.o.MaxSessions)
			wish.Fatalln(sess, "perftop: too many viewers, try again later")
			return
		}
		next(sess)
	}
}

// program builds a viewer's program and registers the viewer for its
// lifetime.
func (s *Server) program(sess ssh.Session) *tea.Program {
	key := sess.PublicKey()
	v := Viewer{User: sess.User(), Addr: sess.RemoteAddr().String(), Since: time.Now()}
	if key != nil {
		v.Fingerprint = gossh.FingerprintSHA256(key)
		v.Control = contains(s.o.Control, key)
	}
	s.mu.Lock()
	s.next++
	v.ID = s.next
	s.viewers[v.ID] = v
	s.mu.Unlock()
	role := "viewer (read-only)"
	if v.Control {
		role = "controller"
	}
	s.logf("login %s@%s key %s as %s", v.User, v.Addr, v.Fingerprint, role)
	go func() {
		<-sess.Context().Done()
		s.mu.Lock()
		delete(s.viewers, v.ID)
		s.mu.Unlock()
		s.logf("logout %s@%s key %s", v.User, v.Addr, v.Fingerprint)
	}()
	m := s.o.NewModel(sess.Context(), v)
	fps := s.o.FPS
	if fps <= 0 {
		fps = 20
	}
	opts := append(bm.MakeOptions(sess), tea.WithFPS(fps))
	return tea.NewProgram(m, opts...)
}

// HostKey returns the PEM host key kept at path, making an ed25519 one
// (mode 0600) on first use, so that clients can pin it. A key readable by
// others is refused.
func HostKey(path string) ([]byte, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("host key: %w", err)
		}
		block, err := gossh.MarshalPrivateKey(priv, "perftop ssh host key")
		if err != nil {
			return nil, fmt.Errorf("host key: %w", err)
		}
		data := pem.EncodeToMemory(block)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("host key: %w", err)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, fmt.Errorf("host key: %w", err)
		}
		return data, nil
	case err != nil:
		return nil, fmt.Errorf("host key: %w", err)
	}
	if err := checkHostKeyMode(path, st); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	if _, err := gossh.ParsePrivateKey(data); err != nil {
		return nil, fmt.Errorf("host key %s: %w", path, err)
	}
	return data, nil
}

// CheckHostKey reports the mistakes HostKey would refuse a host key at path
// for, without making one: a key that exists but is readable by others, or
// a path that cannot be read. A key that does not exist yet is fine.
func CheckHostKey(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("host key: %w", err)
	}
	return checkHostKeyMode(path, st)
}

func checkHostKeyMode(path string, st fs.FileInfo) error {
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("host key %s has permissions %04o: must be 0600 (chmod 600 %s)", path, st.Mode().Perm(), path)
	}
	return nil
}

// LoadKeys reads an authorized_keys file. A file without any key is an
// error: it would lock everyone out.
func LoadKeys(path string) ([]gossh.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var keys []gossh.PublicKey
	for len(data) > 0 {
		k, _, _, rest, err := gossh.ParseAuthorizedKey(data)
		if err != nil {
			break // no more keys (comments and blank lines are skipped by the parser)
		}
		keys = append(keys, k)
		data = rest
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s has no public keys", path)
	}
	return keys, nil
}
