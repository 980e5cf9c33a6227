package serve

import (
	"context"
	"fmt"
	"runtime"
	rtmetrics "runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/perftop/perftop/internal/metrics"
)

// heap is the live heap after a collection: what the collection marked,
// without what the server allocated since (a flooded session allocates
// fast enough to add megabytes between the collection and the reading).
func heap() uint64 {
	runtime.GC()
	s := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	rtmetrics.Read(s)
	return s[0].Value.Uint64()
}

// sizeSpy records the largest size a model was given.
type sizeSpy struct {
	tea.Model
	mu   *sync.Mutex // guards w and h
	w, h *int
}

func (s sizeSpy) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		s.mu.Lock()
		*s.w, *s.h = max(*s.w, ws.Width), max(*s.h, ws.Height)
		s.mu.Unlock()
	}
	m, cmd := s.Model.Update(msg)
	s.Model = m
	return s, cmd
}

func windowChange(t *testing.T, v *viewer, w, h int) {
	t.Helper()
	if _, err := v.sess.SendRequest("window-change", false, gossh.Marshal(struct{ W, H, PW, PH uint32 }{uint32(w), uint32(h), 0, 0})); err != nil {
		t.Fatal(err)
	}
}

const heapBound = 64 << 20

// TestHugeTerminalBoundedMemory: a read-only viewer asking for a
// 10000x10000 pty, then changing its window to 10000x10000 again, and
// watching frames for seconds, costs the server a bounded heap (it used
// to cost 4.9 GB), is drawn at most MaxWidth x MaxHeight with a note
// saying so, and the heap comes back down after it leaves.
func TestHugeTerminalBoundedMemory(t *testing.T) {
	key := newSigner(t)
	log := &syncLog{}
	var mu sync.Mutex
	var maxW, maxH int
	var st *metrics.Store
	o := Options{Authorized: plain(key.PublicKey()), Log: log}
	o.NewModel = func(ctx context.Context, v Viewer) tea.Model {
		return sizeSpy{Model: dashboard(st, nil)(ctx, v), mu: &mu, w: &maxW, h: &maxH}
	}
	addr, store, srv := server(t, o, nil)
	st = store
	// One ordinary viewer first, so that the baseline holds what any
	// first viewer builds once.
	warm, err := connect(t, addr, gossh.PublicKeys(key), 100, 30, true)
	if err != nil {
		t.Fatal(err)
	}
	warm.waitFor("Overview")
	warm.close()
	waitUntil(t, "the warm-up viewer gone", func() bool { return len(srv.Viewers()) == 0 })
	base := heap()

	v, err := connect(t, addr, gossh.PublicKeys(key), 10000, 10000, true)
	if err != nil {
		t.Fatal(err)
	}
	note := "perftop draws at most 500x200: this 10000x10000 terminal shows the dashboard in its top-left corner"
	v.waitFor(note)
	peak := watchHeap(t, st, v, 2*time.Second)
	v.reset()
	windowChange(t, v, 50, 12)
	v.waitFor("terminal too small: need 60x15, have 50x12")
	v.reset()
	windowChange(t, v, 10000, 10000)
	v.waitFor(note)
	peak = max(peak, watchHeap(t, st, v, 2*time.Second))
	mu.Lock()
	gotW, gotH := maxW, maxH
	mu.Unlock()
	t.Logf("heap: %.1f MiB before, %.1f MiB at most with the 10000x10000 viewer (+%.1f MiB)",
		mib(base), mib(peak), mib(peak)-mib(base))
	if peak > base+heapBound {
		t.Errorf("the heap grew by %.1f MiB for one viewer; want under %d MiB", mib(peak)-mib(base), heapBound>>20)
	}
	if gotW != MaxWidth || gotH != MaxHeight-1 {
		t.Errorf("the dashboard was drawn at %dx%d at most; want %dx%d (and the note)", gotW, gotH, MaxWidth, MaxHeight-1)
	}
	v.close()
	waitUntil(t, "the viewer gone", func() bool { return len(srv.Viewers()) == 0 })
	var after uint64
	waitUntil(t, "the heap back down", func() bool { after = heap(); return after < base+8<<20 })
	t.Logf("heap: %.1f MiB after the viewer left", mib(after))
	if n := strings.Count(log.String(), "pty request for 10000x10000: the dashboard is drawn at 500x200 at most"); n != 1 {
		t.Errorf("the clamp was logged %d times; want once:\n%s", n, log.String())
	}
	if strings.Contains(log.String(), "window change for") {
		t.Errorf("the clamp was logged again:\n%s", log.String())
	}
}

// watchHeap samples the heap for d while new data keeps the viewer's
// frames coming, and returns the largest sample.
func watchHeap(t *testing.T, st *metrics.Store, v *viewer, d time.Duration) uint64 {
	var peak uint64
	for i, end := 0, time.Now().Add(d); time.Now().Before(end); i++ {
		st.SetHost(metrics.Host{Hostname: fmt.Sprintf("box-%d", i), Time: time.Unix(int64(i), 0)})
		peak = max(peak, heap())
		v.reset() // the test's copy of the screen is not the server's
		time.Sleep(50 * time.Millisecond)
	}
	return peak
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// TestInBandSizeReportClamped: a terminal may report its size on its input
// (CSI 8;rows;cols t); a report larger than MaxWidth x MaxHeight is drawn
// at most that size too.
func TestInBandSizeReportClamped(t *testing.T) {
	key := newSigner(t)
	log := &syncLog{}
	var mu sync.Mutex
	var maxW, maxH int
	var st *metrics.Store
	o := Options{Authorized: plain(key.PublicKey()), Log: log}
	o.NewModel = func(ctx context.Context, v Viewer) tea.Model {
		return sizeSpy{Model: dashboard(st, nil)(ctx, v), mu: &mu, w: &maxW, h: &maxH}
	}
	addr, store, _ := server(t, o, nil)
	st = store
	v, err := connect(t, addr, gossh.PublicKeys(key), 100, 30, true)
	if err != nil {
		t.Fatal(err)
	}
	v.waitFor("Overview")
	base := heap()
	v.keys("\x1b[8;1000;1000t")
	log.waitLog(t, "the terminal reported 1000x1000: the dashboard is drawn at 500x200 at most")
	peak := watchHeap(t, st, v, time.Second)
	mu.Lock()
	defer mu.Unlock()
	if maxW > MaxWidth || maxH > MaxHeight {
		t.Errorf("drawn at %dx%d", maxW, maxH)
	}
	if peak > base+heapBound {
		t.Errorf("the heap grew by %.1f MiB", mib(peak)-mib(base))
	}
}

func TestNote(t *testing.T) {
	tests := []struct {
		asked  [2]int
		ws     tea.WindowSizeMsg
		want   string
		height int // the model's
	}{
		{[2]int{100, 30}, tea.WindowSizeMsg{Width: 100, Height: 30}, "", 30},
		{[2]int{500, 200}, tea.WindowSizeMsg{Width: 500, Height: 200}, "", 200},
		{[2]int{501, 30}, tea.WindowSizeMsg{Width: 500, Height: 30}, "perftop draws at most 500x200: this 501x30 terminal shows the dashboard in its top-left corner", 29},
		{[2]int{80, 1000}, tea.WindowSizeMsg{Width: 80, Height: 200}, "perftop draws at most 500x200: this 80x1000 terminal shows the dashboard in its…", 199},
		{[2]int{10000, 10000}, tea.WindowSizeMsg{Width: 100, Height: 30}, "", 30}, // an in-band report: no note
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.asked), func(t *testing.T) {
			vs := &viewSize{logf: func(string, ...any) {}}
			vs.ask(sshWindow(tt.asked[0], tt.asked[1]), "pty request")
			var got tea.WindowSizeMsg
			m := &sizedModel{Model: recorder{&got}, size: vs}
			m.Update(tt.ws)
			if m.note != tt.want || got.Height != tt.height {
				t.Fatalf("note %q, model height %d; want %q, %d", m.note, got.Height, tt.want, tt.height)
			}
			if tt.want != "" {
				if v := m.View(); v.Content != "frame\n"+tt.want {
					t.Fatalf("view %q", v.Content)
				}
			}
		})
	}
}

// recorder is a model that keeps its last size and draws "frame".
type recorder struct{ ws *tea.WindowSizeMsg }

func (r recorder) Init() tea.Cmd { return nil }
func (r recorder) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if ws, ok := msg.(tea.WindowSizeMsg); ok {
		*r.ws = ws
	}
	return r, nil
}
func (r recorder) View() tea.View { return tea.NewView("frame") }

func sshWindow(w, h int) ssh.Window { return ssh.Window{Width: w, Height: h} }
