package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
)

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func send(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = m.Update(keyMsg(k))
	}
	return cmd
}

func plainFrame(m *Model) string { return ansi.Strip(m.Frame()) }

// hostOf is the host view m's host screens draw.
func hostOf(m *Model) *hostView { return m.screens[0].Component.(*overviewPage).host }

func TestScreenKeys(t *testing.T) {
	tests := []struct {
		keys []string
		want int
	}{
		{nil, 0},
		{[]string{"tab"}, 1},
		{[]string{"tab", "tab", "shift+tab"}, 1},
		{[]string{"shift+tab"}, 5},
		{[]string{"4"}, 3},
		{[]string{"9"}, 0}, // no ninth screen: stay
		{[]string{"6", "tab"}, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ","), func(t *testing.T) {
			m := newTestModel(fakeStore(10), themes.Dark)
			send(m, tt.keys...)
			if m.active != tt.want {
				t.Fatalf("active screen %d, want %d", m.active, tt.want)
			}
		})
	}
}

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		m := newTestModel(fakeStore(10), themes.Dark)
		cmd := send(m, k)
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Fatalf("%s does not quit", k)
		}
	}
}

func TestIntervalKeys(t *testing.T) {
	var got []time.Duration
	m := New(Options{Store: fakeStore(10), Interval: time.Second, SetInterval: func(d time.Duration) { got = append(got, d) }})
	send(m, "+", "+", "-", "-", "-", "-", "-", "-")
	want := []time.Duration{2 * time.Second, 5 * time.Second, 2 * time.Second, time.Second,
		500 * time.Millisecond, 250 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
	if len(got) != len(want) {
		t.Fatalf("SetInterval calls %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("SetInterval calls %v, want %v", got, want)
		}
	}
	m.SetSize(100, 30)
	if !strings.Contains(plainFrame(m), "+/- 100ms") {
		t.Errorf("status bar does not show the interval")
	}

	var last time.Duration
	odd := New(Options{Store: fakeStore(10), Interval: 200 * time.Millisecond, SetInterval: func(d time.Duration) { last = d }})
	send(odd, "+")
	if last != 250*time.Millisecond {
		t.Errorf("+ from 200ms went to %v, want 250ms", last)
	}
	send(odd, "-", "-")
	if last != 100*time.Millisecond {
		t.Errorf("- - from 250ms went to %v, want 100ms", last)
	}

	fixed := New(Options{Store: fakeStore(10), Interval: time.Second})
	send(fixed, "+")
	if fixed.Interval() != time.Second {
		t.Errorf("interval changed without SetInterval")
	}
}

func TestThemeKeyCycles(t *testing.T) {
	m := newTestModel(fakeStore(10), themes.Dark)
	var seen []string
	for i := 0; i < 5; i++ {
		seen = append(seen, m.sh.st.Theme.Name)
		send(m, "t")
	}
	if got := strings.Join(seen, ","); got != "dark,light,high-contrast,mono,dark" {
		t.Fatalf("theme cycle %s", got)
	}
}

func TestPauseFreezesData(t *testing.T) {
	st := fakeStore(10)
	m := newTestModel(st, themes.Dark)
	m.SetSize(120, 40)
	send(m, "p")
	before := m.sh.snap.Version
	st.SetHost(metrics.Host{Hostname: "changed"})
	m.Update(dataMsg{})
	if m.sh.snap.Version != before {
		t.Fatal("paused model took a snapshot")
	}
	if !strings.Contains(plainFrame(m), "PAUSED") {
		t.Error("no PAUSED marker")
	}
	send(m, "p")
	if m.sh.snap.Host.Hostname != "changed" {
		t.Fatal("resuming did not refresh")
	}
}

func TestDataMessageRefreshesAndRearms(t *testing.T) {
	st := fakeStore(10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := New(Options{Store: st, Context: ctx})
	cmd := m.Init()
	done := make(chan tea.Msg)
	go func() { done <- cmd() }()
	st.SetHost(metrics.Host{Hostname: "fresh"})
	msg := <-done
	if _, ok := msg.(dataMsg); !ok {
		t.Fatalf("got %T, want dataMsg", msg)
	}
	_, next := m.Update(msg)
	if m.sh.snap.Host.Hostname != "fresh" {
		t.Fatal("data message did not refresh the snapshot")
	}
	if next == nil {
		t.Fatal("no new wait after data")
	}
	cancel()
	if got := next(); got != nil {
		t.Fatalf("wait after cancel returned %T", got)
	}
}

func TestFilter(t *testing.T) {
	m := newTestModel(fakeStore(10), themes.Dark)
	m.SetSize(120, 40)
	send(m, "6", "/", "n", "g", "i")
	if !m.typing() {
		t.Fatal("not filtering after /")
	}
	if !strings.Contains(plainFrame(m), "/ngi█") {
		t.Error("filter prompt not shown")
	}
	send(m, "enter")
	frame := plainFrame(m)
	if !strings.Contains(frame, "nginx") || strings.Contains(frame, "postgres") {
		t.Errorf("filter 'ngi' did not narrow the table:\n%s", frame)
	}
	if shown, _ := hostOf(m).procs.Len(); shown != 1 {
		t.Errorf("%d rows shown, want 1", shown)
	}
	// The command line is searched too: java's options find it.
	send(m, "esc", "/", "z", "g", "c", "enter")
	if shown, _ := hostOf(m).procs.Len(); shown != 1 || !strings.Contains(plainFrame(m), "java") {
		t.Errorf("filter 'zgc' shows %d rows, want java's:\n%s", shown, plainFrame(m))
	}
	send(m, "q") // q is a key again once the filter is closed
	send(m, "esc")
	if shown, _ := hostOf(m).procs.Len(); shown != 8 {
		t.Errorf("esc left %d rows, want 8", shown)
	}
	send(m, "/", "x", "backspace", "esc")
	if m.typing() || hostOf(m).procs.Filter() != "" {
		t.Error("esc while typing did not clear the filter")
	}
	send(m, "2", "/")
	if m.typing() {
		t.Error("/ on a screen without a table started a filter")
	}
}

func TestTooSmall(t *testing.T) {
	m := newTestModel(fakeStore(10), themes.Dark)
	m.SetSize(59, 20)
	frame := plainFrame(m)
	checkFrame(t, m.Frame(), 59, 20)
	if !strings.Contains(frame, "terminal too small: need 60x15, have 59x20") {
		t.Fatalf("frame:\n%s", frame)
	}
	m.SetSize(60, 15)
	if strings.Contains(plainFrame(m), "too small") {
		t.Fatal("60x15 is big enough")
	}
	m.SetSize(0, 0)
	if m.Frame() != "" {
		t.Fatal("a zero-size frame is not empty")
	}
}

// TestFailedParts: a part the system refuses shows n/a and its reason; the
// other panels keep drawing, and a source that is down is named.
func TestFailedParts(t *testing.T) {
	st := fakeStore(30)
	h := fakeHost(fakeT0, 30)
	h.CPU = metrics.CPU{Error: "open /proc/stat: permission denied"}
	h.DisksError = "open /proc/diskstats: no such file or directory"
	h.FSError = "statfs: operation not permitted"
	h.Processes = metrics.Processes{Error: "open /proc: permission denied"}
	st.SetHost(h)
	st.SetHealth("prom", metrics.Health{LastError: "connection refused"})
	m := newTestModel(st, themes.Dark)
	m.SetSize(160, 48)
	frame := m.Frame()
	checkFrame(t, frame, 160, 48)
	plain := ansi.Strip(frame)
	for _, want := range []string{"n/a open /proc/stat: permission denied", "n/a open /proc: permission denied", "Memory", "eth0", "prom down: connection refused"} {
		if !strings.Contains(plain, want) {
			t.Errorf("frame lacks %q", want)
		}
	}
	golden(t, "failed-parts-160x48", plain)
}

func TestViewIsCached(t *testing.T) {
	m := newTestModel(fakeStore(10), themes.Dark)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	first := m.View().Content
	if m.dirty {
		t.Fatal("still dirty after View")
	}
	if again := m.View().Content; again != first {
		t.Fatal("cached frame differs")
	}
	v := m.View()
	if !v.AltScreen {
		t.Error("dashboard is not on the alternate screen")
	}
}

// TestResizeKeepsFrameExact: every size from the minimum to wide draws an
// exact frame on every screen.
func TestResizeKeepsFrameExact(t *testing.T) {
	m := newTestModel(fakeStore(120), themes.Dark)
	for w := MinWidth; w <= 220; w += 7 {
		for h := MinHeight; h <= 70; h += 5 {
			m.SetSize(w, h)
			for i := range m.screens {
				m.active = i
				checkFrame(t, m.Frame(), w, h)
			}
		}
	}
}

type fakeLoad struct{ paused, stopped int }

func (f *fakeLoad) TogglePause()  { f.paused++ }
func (f *fakeLoad) Scale(float64) {}
func (f *fakeLoad) Stop()         { f.stopped++ }

// TestLoadScreenFrames draws the load screen of a running test at every
// size, and checks its keys reach the test.
func TestLoadScreenFrames(t *testing.T) {
	st := fakeStore(60)
	st.SetLoadTest(&metrics.LoadTest{
		Mode: "open", State: "running", Elapsed: 12 * time.Second, Planned: time.Minute, Target: 500,
		Window:   metrics.Window{RPS: 498, Requests: 498, Errors: 2, ErrorPercent: 0.4, Latency: metrics.Quantiles{P50: 0.002, P99: 0.02}},
		Requests: 6000, Errors: 20, StatusCodes: map[int]int64{200: 5980, 503: 20}, ErrorsByKind: map[string]int64{"status_5xx": 20, "timeout": 3},
		Histogram: []metrics.Bucket{{UpperSeconds: 0.001, Count: 10}, {UpperSeconds: 0.002, Count: 3000}, {UpperSeconds: 0.02, Count: 2990}},
		Latency:   metrics.Quantiles{P50: 0.002, P99: 0.02, P999: 0.05},
	})
	f := &fakeLoad{}
	m := New(Options{Store: st, Interval: time.Second, Load: f})
	for w := MinWidth; w <= 220; w += 11 {
		for h := MinHeight; h <= 70; h += 6 {
			m.SetSize(w, h)
			checkFrame(t, m.Frame(), w, h)
		}
	}
	m.SetSize(120, 40)
	frame := plainFrame(m)
	for _, want := range []string{"╭─ Latency", "498 req/s", "target 500", "503", "timeout", "≤"} {
		if !strings.Contains(frame, want) {
			t.Errorf("load screen lacks %q", want)
		}
	}
	send(m, "p")
	if cmd := send(m, "s"); cmd == nil || f.paused != 1 || f.stopped != 1 {
		t.Fatalf("p and s did not reach the test: %+v", f)
	}
}

// TestReplay moves through a finished run's timeline: the cursor line says
// where, and the charts end there.
func TestReplay(t *testing.T) {
	var tl []metrics.TimelinePoint
	st := metrics.NewStore(0)
	for s := 1; s <= 30; s++ {
		p := metrics.TimelinePoint{Seconds: float64(s), Requests: 100, RPS: float64(100 + s), P50: 0.001, P99: 0.002}
		tl = append(tl, p)
		st.Write(&metrics.Batch{T: fakeT0.Add(time.Duration(s) * time.Second), Keys: []string{metrics.KeyLoadRPS}, Values: []float64{p.RPS}})
	}
	st.SetLoadTest(&metrics.LoadTest{Mode: "open", State: "done", Requests: 3000, Planned: 30 * time.Second, Elapsed: 30 * time.Second})
	m := New(Options{Store: st, Replay: tl})
	m.SetSize(120, 40)
	if !strings.Contains(plainFrame(m), "30s of 30s") || !strings.Contains(plainFrame(m), "130 req/s") {
		t.Fatalf("replay does not start at the end:\n%s", plainFrame(m))
	}
	send(m, "left", "left")
	frame := plainFrame(m)
	if !strings.Contains(frame, "28s of 30s") || !strings.Contains(frame, "128 req/s") {
		t.Fatalf("left did not rewind:\n%s", frame)
	}
	if got := m.sh.series(metrics.KeyLoadRPS); len(got) != 28 {
		t.Fatalf("charts end at %d points, want 28", len(got))
	}
	send(m, "home")
	if !strings.Contains(plainFrame(m), "1s of 30s") {
		t.Fatal("home did not go to the start")
	}
	if f := plainFrame(m); !strings.Contains(f, "not recorded") || strings.Contains(f, "cpu  ") {
		t.Errorf("replay's host panel shows made-up numbers:\n%s", f)
	}
	checkFrame(t, m.Frame(), 120, 40)
}

// TestReplayEmptyTimeline: a run with no timeline (stopped in its first
// second) replays without a cursor, and the keys that move it do nothing.
func TestReplayEmptyTimeline(t *testing.T) {
	st := metrics.NewStore(0)
	st.SetLoadTest(&metrics.LoadTest{Mode: metrics.ClosedLoop, State: metrics.TestDone, Requests: 3})
	m := New(Options{Store: st, Replay: []metrics.TimelinePoint{}})
	m.SetSize(120, 40)
	send(m, "left", "right", "home", "end")
	if frame := plainFrame(m); !strings.Contains(frame, "done") {
		t.Errorf("an empty replay does not show the finished run:\n%s", frame)
	}
}

// TestFailureMessages: the Responses panel says what the failures were,
// under their kind.
func TestFailureMessages(t *testing.T) {
	st := fakeStore(60)
	st.SetLoadTest(&metrics.LoadTest{
		Mode: metrics.ClosedLoop, State: metrics.TestRunning, Requests: 2000, Errors: 1964, Workers: 50,
		StatusCodes:   map[int]int64{200: 36},
		ErrorsByKind:  map[string]int64{"tls": 1964},
		ErrorMessages: []metrics.ErrorMessage{{Kind: "tls", Message: "x509: certificate signed by unknown authority", Count: 1964}},
	})
	m := New(Options{Store: st, Load: &fakeLoad{}})
	m.SetSize(200, 60)
	frame := plainFrame(m)
	if !strings.Contains(frame, "x509: certificate signed by unknown authority 1964") {
		t.Errorf("the Responses panel lacks the TLS failure's message:\n%s", frame)
	}
}

// TestNoColorKeepsMono: with NoColor the theme is monochrome and t does
// not cycle it; the status bar says why instead of offering t.
func TestNoColorKeepsMono(t *testing.T) {
	m := New(Options{Store: fakeStore(10), Theme: "dark", NoColor: true})
	m.SetSize(120, 40)
	send(m, "t", "t")
	frame := plainFrame(m)
	if m.sh.st.Theme.Name != "mono" || !strings.Contains(frame, "mono (no colour)") || strings.Contains(frame, "t mono") {
		t.Fatalf("theme %q after t; frame:\n%s", m.sh.st.Theme.Name, frame)
	}
	c := New(Options{Store: fakeStore(10), Theme: "dark"})
	c.SetSize(120, 40)
	send(c, "t")
	if c.sh.st.Theme.Name == "dark" {
		t.Fatal("t did not change the theme with colours on: the test proves nothing")
	}
}

// TestProcessSortOrders: < and > move the processes table through CPU,
// memory, PID and name (htop's sort column), the title says which, and
// the Memory screen lists by memory whatever the table's order.
func TestProcessSortOrders(t *testing.T) {
	m := New(Options{Store: fakeStore(10)})
	m.SetSize(120, 40)
	send(m, "6")
	// first is the first row under the table's header.
	first := func() string {
		lines := strings.Split(plainFrame(m), "\n")
		for i, l := range lines {
			if strings.Contains(l, "PID NAME") && i+1 < len(lines) {
				row := lines[i+1]
				if j := strings.LastIndex(row, "││"); j >= 0 { // the right of two panels
					row = row[j:]
				}
				return strings.Join(strings.Fields(strings.Trim(row, "│ ")), " ")
			}
		}
		t.Fatalf("no process table in\n%s", plainFrame(m))
		return ""
	}
	byCPU := first()
	for _, tt := range []struct{ key, title string }{{">", "by memory"}, {">", "by PID"}, {">", "by name"}, {">", "by CPU"}, {"<", "by name"}} {
		send(m, tt.key)
		if frame := plainFrame(m); !strings.Contains(frame, "processes "+tt.title) {
			t.Fatalf("after %s: no %q in\n%s", tt.key, tt.title, frame)
		}
	}
	send(m, ">")
	if first() != byCPU {
		t.Errorf("back to CPU: first row %q; want %q", first(), byCPU)
	}
	send(m, ">")
	byMem := first()
	send(m, "3")
	if frame := plainFrame(m); !strings.Contains(frame, "processes by memory") {
		t.Errorf("Memory screen:\n%s", frame)
	}
	if pid := strings.Fields(first())[0]; !strings.HasPrefix(byMem, pid+" ") {
		t.Errorf("Memory screen's first process %s; want the memory order's first, %q", pid, byMem)
	}
}

// TestLoadScreenWhenDone: a finished test's Now panel has no "now": its
// rate and error rate are the whole run's, no workers or generator CPU
// are claimed, and a -n run says how many of its requests were made.
func TestLoadScreenWhenDone(t *testing.T) {
	st := fakeStore(60)
	st.SetLoadTest(&metrics.LoadTest{
		Mode: metrics.ClosedLoop, State: metrics.TestDone, Elapsed: 10 * time.Second, PlannedRequests: 900,
		Requests: 900, Errors: 9, Workers: 0, GeneratorCPUPercent: 106,
		Window:  metrics.Window{RPS: 330},
		Latency: metrics.Quantiles{P50: 0.002, P99: 0.02, P999: 0.05},
	})
	m := New(Options{Store: st, Interval: time.Second, Load: &fakeLoad{}})
	m.SetSize(120, 40)
	frame := plainFrame(m)
	for _, want := range []string{"90 req/s  whole run", "1.00%  9 of 900", "requests  900 of 900", "whole run p50"} {
		if !strings.Contains(frame, want) {
			t.Errorf("done: no %q in\n%s", want, frame)
		}
	}
	for _, gone := range []string{"now       p50", "0 workers", "CPU 106%", "330 req/s"} {
		if strings.Contains(frame, gone) {
			t.Errorf("done: %q still shown in\n%s", gone, frame)
		}
	}
}

// TestTabBarNamesEveryScreen: at 80 columns and up the tab bar names every
// screen, whole or short, with the host and the time still on the right;
// during a run with Prometheus too.
func TestTabBarNamesEveryScreen(t *testing.T) {
	for _, o := range []Options{
		{Store: fakeStore(10)},
		{Store: fakeStore(10), Load: &fakeLoad{}, PromTargets: []string{"http://a/metrics"}, PromQL: true},
	} {
		m := New(o)
		for _, w := range []int{80, 100, 120, 160, 200} {
			m.SetSize(w, 40)
			for active := range m.screens {
				m.active = active
				bar := strings.Split(plainFrame(m), "\n")[0]
				for i, s := range m.screens {
					whole, short := fmt.Sprintf("%d %s", i+1, s.id), fmt.Sprintf("%d %s", i+1, s.id.short())
					if !strings.Contains(bar, whole) && !strings.Contains(bar, short) {
						t.Errorf("%d screens at %d columns: tab %d unnamed in %q", len(m.screens), w, i+1, bar)
					}
				}
				if len(m.screens) == 6 && !strings.Contains(bar, "bench-01") {
					t.Errorf("at %d columns the host is gone: %q", w, bar)
				}
			}
		}
	}
}

// TestLightThemeSetsTheBackground: the light theme asks the terminal for
// its background (a light theme on a dark terminal was near-black text on
// black); the dark one leaves the terminal's own.
func TestLightThemeSetsTheBackground(t *testing.T) {
	m := New(Options{Store: fakeStore(10), Theme: "dark"})
	m.SetSize(100, 30)
	if bg := m.View().BackgroundColor; bg != nil {
		t.Fatalf("dark theme sets the background to %v", bg)
	}
	for m.sh.st.Theme.Name != "light" {
		send(m, "t")
	}
	if bg := m.View().BackgroundColor; bg == nil {
		t.Fatal("light theme leaves the terminal's background")
	}
	send(m, "t")
	if bg := m.View().BackgroundColor; bg != nil {
		t.Fatalf("after light, %s sets the background to %v", m.sh.st.Theme.Name, bg)
	}
}

// TestHostZoom: z steps the host charts' window through the lengths the
// history holds, Z back; the time axis says which.
func TestHostZoom(t *testing.T) {
	m := newTestModel(fakeStore(300), themes.Dark) // five minutes of a ten-minute history
	m.SetSize(120, 40)
	send(m, "2") // the CPU screen: one wide chart
	axis := func() string {
		for _, l := range strings.Split(plainFrame(m), "\n") {
			if strings.Contains(l, "now") {
				return l
			}
		}
		t.Fatalf("no time axis:\n%s", plainFrame(m))
		return ""
	}
	if a := axis(); !strings.Contains(a, "-2m") || strings.Contains(a, "-5m") {
		t.Errorf("default window: axis %q, want about two minutes", a)
	}
	for _, step := range []struct {
		key, want, not string
	}{
		{"z", "-30s", "-2m"}, // 1m
		{"z", "-5m", "-6m"},  // 5m
		{"z", "-2m", "-5m"},  // 15m and 1h are longer than the history: round to the default
		{"Z", "-5m", "-6m"},
		{"Z", "-30s", "-2m"},
	} {
		send(m, step.key)
		if a := axis(); !strings.Contains(a, step.want) || strings.Contains(a, step.not) {
			t.Errorf("after %s: axis %q, want %s and no %s", step.key, a, step.want, step.not)
		}
	}
}

// TestReplayHost: a results file that recorded the host's CPU and memory
// and the server's rate and p99 replays them at the cursor; the network it
// did not record is said so.
func TestReplayHost(t *testing.T) {
	var tl []metrics.TimelinePoint
	st := metrics.NewStore(0)
	for s := 1; s <= 10; s++ {
		p := metrics.TimelinePoint{Seconds: float64(s), Requests: 100, RPS: 100, P50: 0.001, P99: 0.002}
		tl = append(tl, p)
		st.Write(&metrics.Batch{T: fakeT0.Add(time.Duration(s) * time.Second), Keys: []string{metrics.KeyLoadRPS, metrics.KeyCPUTotal, metrics.KeyMemUsed, metrics.KeyServerRPS, metrics.KeyServerP99},
			Values: []float64{100, float64(10 * s), 42, float64(90 + s), 0.001 * float64(s)}})
	}
	st.SetLoadTest(&metrics.LoadTest{Mode: "open", State: "done", Requests: 1000, Planned: 10 * time.Second, Elapsed: 10 * time.Second})
	m := New(Options{Store: st, Replay: tl})
	m.SetSize(120, 40)
	f := plainFrame(m)
	if !strings.Contains(f, "100.0%") || !strings.Contains(f, "42.0%") || !strings.Contains(f, "net  not recorded") {
		t.Errorf("replay at the end: want cpu 100%%, mem 42%% and net not recorded:\n%s", f)
	}
	if !strings.Contains(f, "server    100 req/s  p99 10.0ms") {
		t.Errorf("replay at the end: want the server's 100 req/s, p99 10ms:\n%s", f)
	}
	send(m, "left", "left", "left")
	if f := plainFrame(m); !strings.Contains(f, "70.0%") || !strings.Contains(f, "97 req/s  p99 7.00ms") {
		t.Errorf("three seconds back: want cpu 70%% and the server's 97 req/s:\n%s", f)
	}
}

// TestHostPicker: h moves the host screens to a remote host (its own
// sample and series), says so in the top bar, and back to this one.
func TestHostPicker(t *testing.T) {
	st := fakeStore(60)
	remote := fakeHost(fakeT0.Add(59*time.Second), 7)
	remote.Hostname, remote.CPU.TotalPercent = "db-1", 87.5
	remote.Memory.UsedBytes, remote.Memory.TotalBytes = 60<<30, 64<<30
	remote.Processes = metrics.Processes{Error: "not exported by node_exporter"}
	st.Update(func(tx metrics.Tx) {
		tx.SetRemoteHost("db-1:9100", remote)
		var b metrics.Batch
		for i := range 60 {
			b.Reset(fakeT0.Add(time.Duration(i) * time.Second))
			b.Add(metrics.HostKey("db-1:9100", metrics.KeyCPUTotal), 87.5)
			tx.Write(&b)
		}
	})
	m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Nodes: []string{"db-1:9100"}})
	m.SetSize(120, 40)
	local := plainFrame(m)
	if strings.Contains(local, "host db-1") || !strings.Contains(local, "bench-01") {
		t.Fatalf("this host first:\n%s", local)
	}
	send(m, "h")
	f := plainFrame(m)
	for _, want := range []string{"host db-1", "87.5%", "60.0 GiB / 64.0 GiB", "not exported by node_exporter"} {
		if !strings.Contains(f, want) {
			t.Errorf("remote host: want %q:\n%s", want, f)
		}
	}
	if got := hostOf(m).hk(metrics.KeyCPUTotal); got != metrics.HostKey("db-1:9100", metrics.KeyCPUTotal) {
		t.Errorf("host series key %q", got)
	}
	send(m, "h")
	if f := plainFrame(m); strings.Contains(f, "host db-1") || !strings.Contains(f, "bench-01") {
		t.Errorf("h again: want this host back:\n%s", f)
	}
	// Without remote hosts h does nothing, and the help does not list it.
	m2 := newTestModel(fakeStore(10), themes.Dark)
	m2.SetSize(120, 40)
	send(m2, "?")
	if strings.Contains(plainFrame(m2), "next host") {
		t.Error("h listed without --node")
	}
}

// TestFirstFrameCalledOnce: Options.OnFirstFrame runs once, when a frame of
// the terminal's size has been rendered, not before the size is known.
func TestFirstFrameCalledOnce(t *testing.T) {
	calls := 0
	m := New(Options{Store: fakeStore(10), OnFirstFrame: func() { calls++ }})
	m.View()
	if calls != 0 {
		t.Fatalf("called %d times before the terminal's size was known", calls)
	}
	m.SetSize(100, 30)
	m.View()
	m.SetSize(120, 40)
	m.View()
	if calls != 1 {
		t.Fatalf("called %d times, want once", calls)
	}
}
