package serve

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"go.uber.org/goleak"
	gossh "golang.org/x/crypto/ssh"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/load"
	"github.com/perftop/perftop/internal/tui"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// plain is an authorized_keys list of keys without options.
func plain(keys ...gossh.PublicKey) []AuthorizedKey {
	out := make([]AuthorizedKey, len(keys))
	for i, k := range keys {
		out[i] = AuthorizedKey{Key: k, Source: fmt.Sprintf("test:%d", i+1)}
	}
	return out
}

func newSigner(t testing.TB) gossh.Signer {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeLoad counts the controls a viewer's keys reach.
type fakeLoad struct{ pauses, stops atomic.Int64 }

func (f *fakeLoad) TogglePause()  { f.pauses.Add(1) }
func (f *fakeLoad) Scale(float64) {}
func (f *fakeLoad) Stop()         { f.stops.Add(1) }

// server starts a Server on loopback over a store with a little data.
func server(t *testing.T, o Options, load tui.LoadControl) (addr string, st *metrics.Store, srv *Server) {
	t.Helper()
	addr, st, srv, _ = startServer(t, o, load)
	return addr, st, srv
}

// startServer is server with a stop that ends Serve and waits for it.
// Without o.NewModel, viewers get the dashboard over the store.
func startServer(t *testing.T, o Options, load tui.LoadControl) (addr string, st *metrics.Store, srv *Server, stop func()) {
	t.Helper()
	st = metrics.NewStore(0)
	st.SetHost(metrics.Host{Hostname: "box", Time: time.Unix(0, 0)})
	st.SetLoadTest(&metrics.LoadTest{Mode: "closed", State: "running", Workers: 4})
	l, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	key, err := HostKey(filepath.Join(t.TempDir(), "host_key"))
	if err != nil {
		t.Fatal(err)
	}
	o.Listener, o.HostKeyPEM = l, key
	if o.NewModel == nil {
		o.NewModel = dashboard(st, load)
	}
	srv, err = New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = srv.Serve(ctx); close(done) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return l.Addr().String(), st, srv, stop
}

// dashboard is the viewers' model: the dashboard over st.
func dashboard(st *metrics.Store, load tui.LoadControl) func(ctx context.Context, v Viewer) tea.Model {
	return func(ctx context.Context, v Viewer) tea.Model {
		return tui.New(tui.Options{Store: st, Interval: time.Second, Context: ctx, Remote: true, Load: load, ReadOnly: !v.Control})
	}
}

// viewer is an SSH client with a pty whose screen output is collected.
type viewer struct {
	t       *testing.T
	client  *gossh.Client
	sess    *gossh.Session
	stdin   io.WriteCloser
	mu      sync.Mutex // guards out
	out     strings.Builder
	changed chan struct{}
}

func connect(t *testing.T, addr string, auth gossh.AuthMethod, w, h int, read bool) (*viewer, error) {
	t.Helper()
	c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "alice", Auth: []gossh.AuthMethod{auth}, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	s, err := c.NewSession()
	if err != nil {
		c.Close()
		return nil, err
	}
	if err := s.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	v := &viewer{t: t, client: c, sess: s, changed: make(chan struct{}, 1)}
	v.stdin, _ = s.StdinPipe()
	out, _ := s.StdoutPipe()
	errOut, _ := s.StderrPipe()
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	if read {
		go v.collect(errOut)
		go func() {
			buf := make([]byte, 32<<10)
			for {
				n, err := out.Read(buf)
				if n > 0 {
					v.mu.Lock()
					v.out.Write(buf[:n])
					v.mu.Unlock()
					select {
					case v.changed <- struct{}{}:
					default:
					}
				}
				if err != nil {
					return
				}
			}
		}()
	}
	t.Cleanup(v.close)
	return v, nil
}

func (v *viewer) close() { v.sess.Close(); v.client.Close() }

// collect adds r's output (the session's stderr) to the screen text.
func (v *viewer) collect(r io.Reader) {
	b, _ := io.ReadAll(r)
	v.mu.Lock()
	v.out.Write(b)
	v.mu.Unlock()
	select {
	case v.changed <- struct{}{}:
	default:
	}
}

func (v *viewer) text() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return ansi.Strip(v.out.String())
}

// waitFor waits for text on the viewer's screen; the deadline only bounds
// a failing test.
func (v *viewer) waitFor(text string) {
	v.t.Helper()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(v.text(), text) {
		select {
		case <-v.changed:
		case <-deadline:
			v.t.Fatalf("no %q on the screen; got:\n%s", text, v.text())
		}
	}
}

func (v *viewer) reset() {
	v.mu.Lock()
	v.out.Reset()
	v.mu.Unlock()
}

func (v *viewer) keys(s string) {
	if _, err := v.stdin.Write([]byte(s)); err != nil {
		v.t.Fatal(err)
	}
}

func TestAuthorizedViewerSeesDashboard(t *testing.T) {
	key := newSigner(t)
	addr, _, srv := server(t, Options{Authorized: plain(key.PublicKey())}, &fakeLoad{})
	v, err := connect(t, addr, gossh.PublicKeys(key), 100, 30, true)
	if err != nil {
		t.Fatal(err)
	}
	v.waitFor("1 Load")
	v.waitFor("read-only")
	if vs := srv.Viewers(); len(vs) != 1 || vs[0].Fingerprint != gossh.FingerprintSHA256(key.PublicKey()) || vs[0].Control {
		t.Fatalf("viewers %+v", vs)
	}
	// Resizing: the viewer's own size.
	v.reset()
	if _, err := v.sess.SendRequest("window-change", false, gossh.Marshal(struct{ W, H, PW, PH uint32 }{50, 12, 0, 0})); err != nil {
		t.Fatal(err)
	}
	v.waitFor("terminal too small: need 60x15, have 50x12")
}

func TestRefusals(t *testing.T) {
	known, unknown := newSigner(t), newSigner(t)
	var log strings.Builder
	var logMu sync.Mutex
	addr, _, _ := server(t, Options{Authorized: plain(known.PublicKey()), Log: lockedWriter{&logMu, &log}}, nil)
	if _, err := connect(t, addr, gossh.PublicKeys(unknown), 80, 24, true); err == nil {
		t.Fatal("an unknown key got in")
	}
	if _, err := connect(t, addr, gossh.Password("hunter2"), 80, 24, true); err == nil {
		t.Fatal("a password got in")
	}
	logMu.Lock()
	defer logMu.Unlock()
	if !strings.Contains(log.String(), "denied alice@") || !strings.Contains(log.String(), gossh.FingerprintSHA256(unknown.PublicKey())) {
		t.Errorf("denial not logged with the fingerprint:\n%s", log.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// TestControlKeys: a read-only viewer's p and s do nothing; a control
// key's do.
func TestControlKeys(t *testing.T) {
	viewerKey, controlKey := newSigner(t), newSigner(t)
	load := &fakeLoad{}
	addr, _, _ := server(t, Options{Authorized: plain(viewerKey.PublicKey()), Control: plain(controlKey.PublicKey())}, load)

	ro, err := connect(t, addr, gossh.PublicKeys(viewerKey), 100, 30, true)
	if err != nil {
		t.Fatal(err)
	}
	ro.waitFor("read-only")
	ro.keys("ps?") // the help after the controls: once it shows, they were handled
	ro.waitFor("show/hide this help")
	if load.pauses.Load() != 0 || load.stops.Load() != 0 {
		t.Fatalf("read-only keys reached the test: %d pauses, %d stops", load.pauses.Load(), load.stops.Load())
	}
	ctl, err := connect(t, addr, gossh.PublicKeys(controlKey), 100, 30, true)
	if err != nil {
		t.Fatal(err)
	}
	ctl.waitFor("s stop")
	ctl.keys("ps?")
	ctl.waitFor("show/hide this help")
	if load.pauses.Load() != 1 || load.stops.Load() != 1 {
		t.Fatalf("control keys: %d pauses, %d stops", load.pauses.Load(), load.stops.Load())
	}
}

// TestManyViewersAndASlowOne: 16 viewers render at once while a load test
// runs; one that never reads stalls nobody: the others keep getting frames
// as data arrives, and the test's requests go on.
func TestManyViewersAndASlowOne(t *testing.T) {
	key := newSigner(t)
	addr, st, srv := server(t, Options{Authorized: plain(key.PublicKey())}, nil)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer target.Close()
	u, _ := url.Parse(target.URL)
	eng, err := load.New(load.Options{Requests: []load.Request{{Method: "GET", URL: u}}, Concurrency: 4, Duration: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	engDone := make(chan *load.Result)
	go func() { res, _ := eng.Run(context.Background(), st); engDone <- res }()
	defer func() {
		eng.Stop()
		if res := <-engDone; res.Requests == 0 || res.Errors != 0 {
			t.Errorf("the load test under 16 viewers: %d requests, %d errors", res.Requests, res.Errors)
		}
	}()
	slow, err := connect(t, addr, gossh.PublicKeys(key), 200, 60, false) // never reads
	if err != nil {
		t.Fatal(err)
	}
	_ = slow
	var viewers []*viewer
	for i := 0; i < 15; i++ {
		v, err := connect(t, addr, gossh.PublicKeys(key), 160, 40, true)
		if err != nil {
			t.Fatal(err)
		}
		viewers = append(viewers, v)
	}
	for _, v := range viewers {
		v.waitFor("Overview")
	}
	if n := len(srv.Viewers()); n != 16 {
		t.Fatalf("%d viewers, want 16", n)
	}
	// New data for many seconds' worth of frames: every reading viewer
	// shows the newest while the slow one's window is long full.
	for i := 1; i <= 50; i++ {
		st.SetHost(metrics.Host{Hostname: fmt.Sprintf("box-%d", i), Time: time.Unix(int64(i), 0)})
	}
	// The renderer sends only changed cells: the last name shares no
	// letter with the earlier ones, so it arrives whole.
	st.SetHost(metrics.Host{Hostname: "QQQQQQQ", Time: time.Unix(51, 0)})
	for _, v := range viewers {
		v.waitFor("QQQQQQQ")
	}
	for _, v := range viewers[:8] {
		v.close()
	}
	deadline := time.After(10 * time.Second)
	for len(srv.Viewers()) > 8 {
		select {
		case <-deadline:
			t.Fatalf("%d viewers after 8 left", len(srv.Viewers()))
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestMaxSessions(t *testing.T) {
	key := newSigner(t)
	addr, _, _ := server(t, Options{Authorized: plain(key.PublicKey()), MaxSessions: 1}, nil)
	first, err := connect(t, addr, gossh.PublicKeys(key), 80, 24, true)
	if err != nil {
		t.Fatal(err)
	}
	first.waitFor("Overview")
	second, err := connect(t, addr, gossh.PublicKeys(key), 80, 24, true)
	if err != nil {
		t.Fatal(err)
	}
	second.waitFor("too many viewers")
}

func TestSetupErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadKeys(filepath.Join(dir, "none")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing keys file: %v", err)
	}
	empty := filepath.Join(dir, "empty")
	_ = os.WriteFile(empty, []byte("# nobody\n"), 0o600)
	if _, err := LoadKeys(empty); err == nil || !strings.Contains(err.Error(), "has no public keys") {
		t.Errorf("empty keys file: %v", err)
	}
	hk := filepath.Join(dir, "hk")
	first, err := HostKey(hk)
	if err != nil {
		t.Fatal(err)
	}
	again, err := HostKey(hk)
	if err != nil || string(first) != string(again) {
		t.Fatalf("the host key was not reused: %v", err)
	}
	if st, _ := os.Stat(hk); st.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %o", st.Mode().Perm())
	}
	_ = os.Chmod(hk, 0o644)
	if _, err := HostKey(hk); err == nil || !strings.Contains(err.Error(), "has permissions 0644: must be 0600") {
		t.Errorf("open host key: %v", err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	if _, err := Listen(l.Addr().String()); err == nil || !strings.Contains(err.Error(), "is already in use") {
		t.Errorf("address in use: %v", err)
	}
}
