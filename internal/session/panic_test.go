package session

import (
	"bytes"
	"context"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/crash"
	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui"
)

// panicky is the real dashboard with a view that panics once boom is set,
// standing in for a bug in any view.
type panicky struct {
	*tui.Model
	boom *atomic.Bool
}

func (p panicky) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.Model.Update(msg)
	return p, cmd
}

func (p panicky) View() tea.View {
	if p.boom.Load() {
		panic("a bug in a view")
	}
	return p.Model.View()
}

// watchWriter records output and closes seen once it contains want.
type watchWriter struct {
	mu   sync.Mutex // guards buf and once
	buf  bytes.Buffer
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestPanicRestoresTerminal: a panic in a view ends the program with a clear
// error, and the bytes written after the first frame leave the alternate
// screen and show the cursor again.
func TestPanicRestoresTerminal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	boom := &atomic.Bool{}
	sess := newTestSession(t)
	st := sess.Store()
	model := panicky{Model: sess.model(ctx, viewer{}, nil), boom: boom}
	out := &watchWriter{want: "\x1b[?1049h", seen: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- sess.runProgram(ctx, model, tea.WithInput(nil), tea.WithOutput(out), tea.WithWindowSize(100, 30), tea.WithoutSignalHandler())
	}()
	<-out.seen // the dashboard is on the alternate screen
	boom.Store(true)
	st.SetHost(metrics.Host{Hostname: "x"}) // new data: the next frame panics
	err := <-done
	if err == nil || !strings.Contains(err.Error(), "terminal restored") {
		t.Fatalf("err = %v", err)
	}
	all := out.String()
	altOn, altOff := strings.LastIndex(all, "\x1b[?1049h"), strings.LastIndex(all, "\x1b[?1049l")
	if altOff < altOn {
		t.Errorf("alternate screen not left after the panic (on at %d, off at %d)", altOn, altOff)
	}
	if strings.LastIndex(all, "\x1b[?25h") < altOn {
		t.Errorf("cursor not shown again after the panic")
	}
}

// newTestSession is a session sampling every second, for the tests that
// run its program or its sources.
func newTestSession(t *testing.T) *Session {
	t.Helper()
	sess, err := New(Config{Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return sess
}

// TestGoroutinePanicRestoresTerminal: a panic on a goroutine Bubble Tea did
// not start (a worker, a source) restores the terminal before the process
// ends: crash.Recover runs the program's Kill first.
func TestGoroutinePanicRestoresTerminal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sess := newTestSession(t)
	out := &watchWriter{want: "\x1b[?1049h", seen: make(chan struct{})}
	exited := make(chan int, 1)
	crash.Exit = func(code int) { exited <- code; runtime.Goexit() }
	defer func() { crash.Exit = os.Exit }()
	done := make(chan error, 1)
	go func() {
		done <- sess.runProgram(ctx, sess.model(ctx, viewer{}, nil), tea.WithInput(nil), tea.WithOutput(out), tea.WithWindowSize(100, 30), tea.WithoutSignalHandler())
	}()
	<-out.seen
	crash.Go(func() { panic("a bug in a worker") })
	if code := <-exited; code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	<-done
	all := out.String()
	if strings.LastIndex(all, "\x1b[?1049l") < strings.LastIndex(all, "\x1b[?1049h") {
		t.Error("the alternate screen was not left before the exit")
	}
}

// panicky source panics every time it runs.
type panickySource struct{ runs atomic.Int32 }

func (*panickySource) Name() string { return "panicky" }
func (p *panickySource) Run(context.Context, *metrics.Store) error {
	p.runs.Add(1)
	panic("a bug in a source")
}

// TestSourcePanicIsRetried: a source that panics is marked down with the
// panic and run again after its backoff; the others go on.
func TestSourcePanicIsRetried(t *testing.T) {
	sess := newTestSession(t)
	src := &panickySource{}
	ctx, cancel := context.WithCancel(context.Background())
	wait := sess.run(ctx, []source{src})
	deadline := time.Now().Add(10 * time.Second)
	for src.runs.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the panicking source was not run again")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var sn metrics.Snapshot
	sess.Store().Snapshot(&sn)
	if h := sn.Health["panicky"]; h.Up || !strings.Contains(h.LastError, "crashed: a bug in a source") || h.NextRetry.IsZero() {
		t.Errorf("health %+v", h)
	}
	cancel()
	wait()
}
