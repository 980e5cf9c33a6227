package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/units"
)

// fakeGroups is second i of a Locust-style mix (list items x3, add item
// x1, a health check) behind a cache that warms: the hit share of each
// interval climbs from 30% to 90%, hits 1.2 ms, misses 48 ms.
func fakeGroups(i int, state metrics.TestState) *metrics.LoadTest {
	hit := 0.3 + 0.6*float64(i)/12
	per := func(rps float64, p50, p99 float64, errs int64) metrics.RequestGroup {
		n := int64(rps) * int64(i)
		return metrics.RequestGroup{
			Requests: n, Errors: errs, BytesIn: n * 2150, RPS: rps,
			Latency: metrics.Quantiles{Min: p50 / 4, Mean: p50 * 1.2, P50: p50, P90: (p50 + p99) / 2, P95: p99 * 0.9, P99: p99, P999: p99 * 1.4, Max: p99 * 2},
			Window: metrics.GroupWindow{Requests: int64(rps), RPS: rps * wave(i, 9, 0.96, 1), ErrorsPerSecond: float64(errs) / float64(max(i, 1)),
				Latency: metrics.Quantiles{P50: p50 * wave(i, 6, 0.9, 1.1), P99: p99 * wave(i, 6, 0.9, 1.1), Max: p99 * 2}},
		}
	}
	list, add, health := per(300, 0.0123, 0.0487, 0), per(100, 0.0871, 0.234, 12), per(98, 0.0004, 0.0021, 0)
	list.Name, add.Name, health.Name = "list items", "add item", "health"
	list.Splits = []metrics.Split{{Header: "X-Cache", Values: []metrics.SplitValue{{Value: "HIT", Share: 0.75}, {Value: "MISS", Share: 0.25}}}}
	add.ErrorsByKind = map[string]int64{"status_5xx": 9, "timeout": 3}
	split := metrics.Split{Header: "X-Cache", Values: []metrics.SplitValue{
		{Value: "HIT", Answers: int64(300 * i * 6 / 10), Share: 0.6, Latency: metrics.Quantiles{P50: 0.0012, P99: 0.0045},
			Window: metrics.GroupWindow{Requests: int64(hit * 498)}},
		{Value: "MISS", Answers: int64(300 * i * 4 / 10), Share: 0.4, Latency: metrics.Quantiles{P50: 0.048, P99: 0.121},
			Window: metrics.GroupWindow{Requests: 498 - int64(hit*498)}},
	}}
	return &metrics.LoadTest{
		Mode: metrics.OpenLoop, State: state, Started: fakeT0, Elapsed: time.Duration(i) * time.Second, Planned: time.Minute, Target: 500,
		Window:   metrics.Window{RPS: 498, Requests: 498, Errors: 1, ErrorPercent: 0.2, Latency: metrics.Quantiles{P50: 0.0148, P90: 0.0902, P99: 0.212, Max: 0.468}},
		Requests: int64(498 * i), Errors: 12, InFlight: 4, Conns: 16,
		StatusCodes: map[int]int64{200: int64(498*i) - 9, 503: 9}, ErrorsByKind: map[string]int64{"status_5xx": 9, "timeout": 3},
		Latency: metrics.Quantiles{P50: 0.0131, P99: 0.201, P999: 0.301, Max: 0.468},
		Histogram: []metrics.Bucket{{UpperSeconds: 0.001, Count: int64(70 * i)}, {UpperSeconds: 0.002, Count: int64(100 * i)},
			{UpperSeconds: 0.02, Count: int64(250 * i)}, {UpperSeconds: 0.2, Count: int64(60 * i)}, {UpperSeconds: 0.5, Count: int64(8 * i)}},
		ByName: []metrics.RequestGroup{list, add, health},
		Splits: []metrics.Split{split},
	}
}

// groupsModel is a Load screen fed n seconds of fakeGroups, one snapshot a
// second as the engine publishes them, ending in state.
func groupsModel(n int, state metrics.TestState, sz [2]int) (*Model, *metrics.Store) {
	st := fakeStore(60)
	m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Load: &fakeLoad{}})
	m.SetSize(sz[0], sz[1])
	var b metrics.Batch
	for i := 1; i <= n; i++ {
		b.Reset(fakeT0.Add(time.Duration(i) * time.Second))
		b.Add(metrics.KeyLoadRPS, 500*wave(i, 9, 0.96, 1))
		b.Add(metrics.KeyLoadTarget, 500)
		b.Add(metrics.KeyLoadErrorPct, wave(i, 5, 0, 0.8))
		b.Add(metrics.KeyLoadP50, wave(i, 12, 0.012, 0.016))
		b.Add(metrics.KeyLoadP99, wave(i, 12, 0.19, 0.22))
		st.Write(&b)
		s := metrics.TestRunning
		if i == n {
			s = state
		}
		st.SetLoadTest(fakeGroups(i, s))
		m.refresh()
	}
	return m, st
}

// groupValues are the numbers the per-request table and the split panel
// show of fakeGroups(12), formatted as they show them.
func groupValues() []string {
	lt := fakeGroups(12, metrics.TestRunning)
	var vals []string
	for _, g := range lt.ByName {
		vals = append(vals, fmt.Sprint(g.Requests), units.Seconds(g.Latency.P50), units.Seconds(g.Latency.P99), units.Bytes(float64(g.BytesIn)))
	}
	return append(vals, "HIT", "MISS", "60.0%  p50 1.20ms", "40.0%  p50 48.0ms", "HIT 90.0%", "MISS 10.0%")
}

// TestGoldenLoadGroups renders the Load screen of a three-request test
// split by X-Cache at the reference sizes: the per-request table, the
// selected request on the latency chart, the hit share over time.
func TestGoldenLoadGroups(t *testing.T) {
	for _, sz := range goldenSizes {
		m, _ := groupsModel(12, metrics.TestRunning, sz)
		name := "load-groups-" + sizeName(sz)
		t.Run(name, func(t *testing.T) {
			plain := checkGolden(t, m, name, sz, groupValues())
			for _, want := range []string{"Requests", "list items", "add item", "health", "X-Cache", "by plan order"} {
				if !strings.Contains(plain, want) {
					t.Errorf("want %q on the screen", want)
				}
			}
			// The latest interval's hit share: 0.3+0.6 of 498 answers.
			hit, answers := 0.9, 498.0
			hits := int64(hit * answers)
			if want := units.Percent(float64(hits) / 498 * 100); !strings.Contains(plain, "HIT") || !strings.Contains(plain, want) {
				t.Errorf("want the interval's hit share %s:\n%s", want, plain)
			}
		})
	}
}

// TestGoldenLoadSplitOneRequest: one request split by X-Cache keeps the
// screen of one request, with the split's panel beside throughput and
// errors.
func TestGoldenLoadSplitOneRequest(t *testing.T) {
	for _, sz := range goldenSizes {
		m, st := groupsModel(12, metrics.TestRunning, sz)
		lt := fakeGroups(12, metrics.TestRunning)
		lt.ByName = nil
		st.SetLoadTest(lt)
		m.refresh()
		name := "load-split-" + sizeName(sz)
		t.Run(name, func(t *testing.T) {
			plain := checkGolden(t, m, name, sz, []string{"HIT 90.0%", "MISS 10.0%"})
			if strings.Contains(plain, "Requests") || !strings.Contains(plain, "╭─ X-Cache") || !strings.Contains(plain, "p50 p90 p99 p99.9") {
				t.Errorf("want the one-request screen with an X-Cache panel:\n%s", plain)
			}
		})
	}
}

// TestLoadGroupsOneRequest: a test of one request draws no table, and its
// screen has no keys, as before the groups.
func TestLoadGroupsOneRequest(t *testing.T) {
	st := fakeStore(10)
	lt := fakeGroups(5, metrics.TestRunning)
	lt.ByName, lt.Splits = nil, nil
	st.SetLoadTest(lt)
	m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Load: &fakeLoad{}})
	m.SetSize(120, 40)
	if f := plainFrame(m); strings.Contains(f, "Requests") || strings.Contains(f, "sort") {
		t.Errorf("one request: no table, no sort key:\n%s", f)
	}
	if lp := m.screens[0].Component.(*loadPage); lp.ShortHelp() != nil || lp.FullHelp() != nil {
		t.Errorf("one request: the screen has keys")
	}
}

// TestLoadGroupsSortAndSelect: > and < sort the table and the cursor stays
// on its request; down selects the next, whose name the chart's legend
// shows; the help lists the sort key.
func TestLoadGroupsSortAndSelect(t *testing.T) {
	m, _ := groupsModel(12, metrics.TestRunning, [2]int{120, 40})
	lp := m.screens[0].Component.(*loadPage)
	row := func() string { r, _ := lp.groups.table.Selected(); return r[groupNameCol] }
	if row() != "list items" {
		t.Fatalf("first selected %q, want the plan's first, list items", row())
	}
	order := func(f string) []int {
		return []int{strings.Index(f, "│list items"), strings.Index(f, "│add item"), strings.Index(f, "│health")}
	}
	send(m, ">") // by requests: list 3600, add 1200, health 1176
	f := plainFrame(m)
	if o := order(f); !(o[0] < o[1] && o[1] < o[2]) || !strings.Contains(f, "by requests") {
		t.Errorf("by requests: want list, add, health: %v\n%s", o, f)
	}
	send(m, ">", ">", ">", ">") // failures, req/s, p50, then p99: add, list, health
	f = plainFrame(m)
	if o := order(f); !(o[1] < o[0] && o[0] < o[2]) || !strings.Contains(f, "by p99") {
		t.Errorf("by p99: want add, list, health: %v\n%s", o, f)
	}
	if row() != "list items" {
		t.Errorf("the cursor left its request on sorting: %q", row())
	}
	send(m, "up") // add item, the slowest, is above
	if row() != "add item" {
		t.Fatalf("up selected %q, want add item", row())
	}
	f = plainFrame(m)
	if !strings.Contains(f, "all p50 p99  add item p50 p99") || !strings.Contains(f, "timeout 3") || !strings.Contains(f, "status_5xx 9") {
		t.Errorf("want add item on the chart and its failures by kind:\n%s", f)
	}
	if r := lp.groups.lat["add item"]; r == nil || len(r.p99.vals) != 12 {
		t.Errorf("add item's ring: %+v, want 12 intervals", r)
	}
	send(m, "<", "<", "<", "<", "<") // back to plan order
	if f := plainFrame(m); !strings.Contains(f, "by plan order") {
		t.Errorf("< back to the plan's order:\n%s", f)
	}
	m.showHelp = true
	if f := plainFrame(m); !strings.Contains(f, "sort requests by the next/previous column") {
		t.Errorf("the help lists no sort key for the requests:\n%s", f)
	}
}

// TestLoadGroupsFilter: / filters the table by name; the status bar shows
// the filter, esc clears it.
func TestLoadGroupsFilter(t *testing.T) {
	m, _ := groupsModel(5, metrics.TestRunning, [2]int{120, 40})
	send(m, "/", "a", "d", "d", "enter")
	f := plainFrame(m)
	if !strings.Contains(f, "│add item") || strings.Contains(f, "│list items") || !strings.Contains(f, "1 of 3") || !strings.Contains(f, "/add") {
		t.Errorf("/add: want add item alone, 1 of 3:\n%s", f)
	}
	send(m, "esc")
	if f := plainFrame(m); !strings.Contains(f, "│list items") {
		t.Errorf("esc did not clear the filter:\n%s", f)
	}
}

// TestLoadGroupsDone: a finished test's REQ/S is the whole run's.
func TestLoadGroupsDone(t *testing.T) {
	m, _ := groupsModel(12, metrics.TestDone, [2]int{120, 40})
	f := plainFrame(m)
	for _, line := range strings.Split(f, "\n") {
		if strings.Contains(line, "│list items") && !strings.Contains(line, " 300 ") {
			t.Errorf("done: list items' REQ/S should be the run's 300: %q", line)
		}
	}
}

// TestLoadGroupsHostileNames: names and header values from outside never
// reach the terminal as control sequences, and are cut short; the rings stay
// bounded in number and length whatever the test sends.
func TestLoadGroupsHostileNames(t *testing.T) {
	st := fakeStore(10)
	m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Load: &fakeLoad{}})
	m.SetSize(200, 60)
	m.sh.capacity = 20
	hostile := []string{"evil\x1b]0;pwned\x07name", "bidi\u202egnp.exe", strings.Repeat("long", 200), "\x1b[2J", ""}
	for i := 1; i <= 30; i++ {
		lt := fakeGroups(i, metrics.TestRunning)
		for k := range 100 {
			g := lt.ByName[0]
			g.Name = fmt.Sprintf("req-%03d", k)
			if k < len(hostile) {
				g.Name = hostile[k]
			}
			lt.ByName = append(lt.ByName, g)
		}
		lt.Splits[0].Header = "X-Cache\x1b[31m"
		lt.Splits[0].Values[0].Value = "HIT\x1b[5m\r\n"
		var b metrics.Batch
		b.Reset(fakeT0.Add(time.Duration(i) * time.Second))
		b.Add(metrics.KeyLoadRPS, 500)
		st.Write(&b)
		st.SetLoadTest(lt)
		m.refresh()
	}
	frame := m.Frame()
	checkFrame(t, frame, 200, 60)
	for _, bad := range []string{"\x1b]0;pwned", "\x1b[2J", "\u202e", "\x1b[31m", "\x1b[5m", "\x07", "\r"} {
		if strings.Contains(frame, bad) {
			t.Errorf("the frame carries %q from outside", bad)
		}
	}
	g := m.screens[0].Component.(*loadPage).groups
	if len(g.lat) > maxGroupRings {
		t.Errorf("%d latency rings, want at most %d", len(g.lat), maxGroupRings)
	}
	for name, r := range g.lat {
		if len(name) > maxGroupName+len("…") || len(r.p50.vals) > 20 || len(r.p50.vals) != len(r.p50.times) {
			t.Errorf("ring %q: name %d bytes, %d points (cap 20)", name, len(name), len(r.p50.vals))
		}
	}
	if len(g.shares) > maxSplitValues*maxSplitPanels {
		t.Errorf("%d share rings", len(g.shares))
	}
	if plain := ansi.Strip(frame); !strings.Contains(plain, "evil name") && !strings.Contains(plain, "evil ") {
		t.Errorf("the cleaned name is not shown:\n%s", plain)
	}
}

// TestLoadGroupsEverySize: the screen of a test of several requests fills
// every size from the smallest up exactly, and shows no number cut.
func TestLoadGroupsEverySize(t *testing.T) {
	m, _ := groupsModel(8, metrics.TestRunning, [2]int{MinWidth, MinHeight})
	for w := MinWidth; w <= 210; w += 7 {
		for h := MinHeight; h <= 64; h += 5 {
			m.SetSize(w, h)
			frame := m.Frame()
			checkFrame(t, frame, w, h)
			checkWhole(t, ansi.Strip(frame), nil)
		}
	}
}

func TestGroupLabel(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"add item", "add item"},
		{"a\tb\nc", "a b c"},
		{"x\x1b[31my", "x [31my"},
		{"rtl\u202eoverride\u200b", "rtloverride"},
		{"", "(empty)"},
		{strings.Repeat("é", 40), strings.Repeat("é", 32) + "…"},
	} {
		if got := groupLabel(tt.in); got != tt.want {
			t.Errorf("groupLabel(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRingBounded(t *testing.T) {
	var r ring
	for i := range 10 {
		r.add(float64(i), float64(i*10), 4)
	}
	if got, want := fmt.Sprint(r.vals, r.times), "[60 70 80 90] [6 7 8 9]"; got != want {
		t.Errorf("ring = %s, want %s", got, want)
	}
}

// TestShareRings: each interval adds every charted value's share of the
// interval's answers; an interval without answers adds nothing; only the
// most answered values are charted, and a value that leaves them loses
// its ring.
func TestShareRings(t *testing.T) {
	g := newGroupView(&shared{})
	split := func(win ...int64) []metrics.Split {
		sp := metrics.Split{Header: "X-Served-By"}
		for i, n := range win {
			sp.Values = append(sp.Values, metrics.SplitValue{Value: fmt.Sprintf("node-%d", i), Window: metrics.GroupWindow{Requests: n}})
		}
		return []metrics.Split{sp}
	}
	g.addShares(split(30, 20, 20, 10, 10, 10), 1, 10)
	g.addShares(split(0, 0, 0, 0, 0, 0), 2, 10) // no answers: no point
	g.addShares(split(50, 25, 25, 0, 0, 0), 3, 10)
	if len(g.shares) != maxSplitValues {
		t.Fatalf("%d values charted, want %d", len(g.shares), maxSplitValues)
	}
	r := g.shares[shareKey("X-Served-By", "node-0")]
	if got, want := fmt.Sprint(r.vals, r.times), "[30 50] [1 3]"; got != want {
		t.Errorf("node-0's shares %s, want %s", got, want)
	}
	if r := g.shares[shareKey("X-Served-By", "node-3")]; r == nil || fmt.Sprint(r.vals) != "[10 0]" {
		t.Errorf("node-3's shares %v, want [10 0]", r)
	}
	// The order changes: node-5 climbs into the top four, node-3 leaves.
	sp := split(40, 30, 20, 10)
	sp[0].Values[3].Value = "node-5"
	g.addShares(sp, 4, 10)
	if _, ok := g.shares[shareKey("X-Served-By", "node-3")]; ok {
		t.Error("node-3 left the charted values but kept its ring")
	}
	if r := g.shares[shareKey("X-Served-By", "node-5")]; r == nil || fmt.Sprint(r.vals) != "[10]" {
		t.Errorf("node-5's shares %v, want [10]", r)
	}
}

// TestReplayGroups: a replayed run whose results have requests by name
// shows their table; ↑/↓ and < > work on it, ← → on the timeline still.
func TestReplayGroups(t *testing.T) {
	var tl []metrics.TimelinePoint
	st := fakeStore(10)
	for s := 1; s <= 12; s++ {
		p := metrics.TimelinePoint{Seconds: float64(s), Requests: 498, RPS: 498, P50: 0.013, P99: 0.2}
		tl = append(tl, p)
		st.Write(&metrics.Batch{T: fakeT0.Add(time.Duration(s) * time.Second), Keys: []string{metrics.KeyLoadRPS}, Values: []float64{p.RPS}})
	}
	st.SetLoadTest(fakeGroups(12, metrics.TestDone))
	m := New(Options{Store: st, Replay: tl})
	m.SetSize(120, 40)
	f := plainFrame(m)
	if !strings.Contains(f, "╭─ Requests") || !strings.Contains(f, "│list items") || !strings.Contains(f, "12s of 12s") {
		t.Fatalf("no per-request table in the replay:\n%s", f)
	}
	send(m, "down", ">", "left")
	rp := m.screens[0].Component.(*replayPage)
	if row, _ := rp.groups.table.Selected(); row[groupNameCol] != "add item" {
		t.Errorf("down selected %q, want add item", row[groupNameCol])
	}
	f = plainFrame(m)
	if !strings.Contains(f, "by requests") || !strings.Contains(f, "11s of 12s") || strings.Contains(f, "add item p50 p99") {
		t.Errorf("want sorted by requests, the cursor at 11s, no history drawn for the row:\n%s", f)
	}
	checkFrame(t, m.Frame(), 120, 40)
	m.showHelp = true
	if f := plainFrame(m); !strings.Contains(f, "sort requests by the next/previous column") {
		t.Errorf("the replay's help lacks the table's sort key:\n%s", f)
	}
}
