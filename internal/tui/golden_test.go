package tui

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/units"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s; if the change is intended, run go test ./tui -update\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// checkFrame asserts the invariants of every frame: exactly h lines of
// exactly w cells.
func checkFrame(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Fatalf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func newTestModel(st *metrics.Store, theme string) *Model {
	return New(Options{Store: st, Theme: theme, Interval: time.Second, SetInterval: func(time.Duration) {}})
}

// goldenSizes are the terminal sizes every screen is checked at: the
// smallest common terminal, a laptop's and a wide monitor's.
var goldenSizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

// TestGoldenScreens renders every screen and the help at the reference
// sizes, as plain text.
func TestGoldenScreens(t *testing.T) {
	for _, sz := range goldenSizes {
		m := newTestModel(fakeStore(300), themes.Dark)
		m.SetSize(sz[0], sz[1])
		vals := hostValues(fakeHost(fakeT0.Add(299*time.Second), 299))
		for i, s := range m.screens {
			m.active = i
			name := strings.ToLower(s.id.String()) + "-" + sizeName(sz)
			t.Run(name, func(t *testing.T) {
				checkGolden(t, m, name, sz, vals)
			})
		}
		m.active, m.showHelp = 0, true
		t.Run("help-"+sizeName(sz), func(t *testing.T) {
			frame := m.Frame()
			checkFrame(t, frame, sz[0], sz[1])
			golden(t, "help-"+sizeName(sz), ansi.Strip(frame))
		})
	}
}

// TestGoldenColourProfiles renders the overview as each colour profile
// would send it to the terminal: Bubble Tea downsamples the same frame with
// the same colorprofile writer.
func TestGoldenColourProfiles(t *testing.T) {
	profiles := []struct {
		name    string
		profile colorprofile.Profile
		theme   string
	}{
		{"truecolor", colorprofile.TrueColor, themes.Dark},
		{"256", colorprofile.ANSI256, themes.Dark},
		{"16", colorprofile.ANSI, themes.HighContrast},
		{"mono", colorprofile.Ascii, themes.Monochrome},
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		for _, p := range profiles {
			name := "overview-" + p.name + "-" + sizeName(sz)
			t.Run(name, func(t *testing.T) {
				m := newTestModel(fakeStore(300), p.theme)
				m.SetSize(sz[0], sz[1])
				var buf bytes.Buffer
				w := &colorprofile.Writer{Forward: &buf, Profile: p.profile}
				if _, err := w.WriteString(m.Frame()); err != nil {
					t.Fatal(err)
				}
				out := buf.String()
				checkFrame(t, out, sz[0], sz[1])
				if p.profile == colorprofile.Ascii && strings.Contains(out, "38;") {
					t.Errorf("monochrome output sets a foreground colour")
				}
				golden(t, name, out)
			})
		}
	}
}

func sizeName(sz [2]int) string {
	return strconv.Itoa(sz[0]) + "x" + strconv.Itoa(sz[1])
}

// checkGolden renders m, checks the frame's size and that vals show
// whole, compares it with the golden file name, and returns it plain.
func checkGolden(t *testing.T, m *Model, name string, sz [2]int, vals []string) string {
	t.Helper()
	frame := m.Frame()
	checkFrame(t, frame, sz[0], sz[1])
	plain := ansi.Strip(frame)
	checkWhole(t, plain, vals)
	golden(t, name, plain)
	return plain
}

// hostValues are the numbers the host screens show of h, formatted as
// they show them, for checkWhole.
func hostValues(h metrics.Host) []string {
	vals := []string{units.Percent(h.CPU.TotalPercent), units.Bytes(float64(h.Memory.UsedBytes)), units.Bytes(float64(h.Memory.TotalBytes)),
		fmt.Sprintf("%d processes by CPU", h.Processes.Total), fmt.Sprintf("%.2f", h.Load.Load1)}
	for _, n := range h.Network {
		vals = append(vals, units.BytesRate(n.RxBytesPerSec), units.BytesRate(n.TxBytesPerSec))
		if n.ErrorsDropsPerSec > 0 {
			vals = append(vals, fmt.Sprintf("err+drop %s/s", units.Count(n.ErrorsDropsPerSec)))
		}
	}
	for _, d := range h.Disks {
		vals = append(vals, units.BytesRate(d.ReadBytesPerSec), units.BytesRate(d.WriteBytesPerSec))
	}
	for _, f := range h.Filesystems {
		vals = append(vals, units.Bytes(float64(f.UsedBytes))+"/"+units.Bytes(float64(f.TotalBytes)))
	}
	for _, p := range h.Processes.Top {
		vals = append(vals, units.Bytes(float64(p.RSSBytes)), strconv.FormatFloat(p.CPUPercent, 'f', 1, 64))
	}
	return vals
}

// cutNumber is a number cut short with an ellipsis.
var cutNumber = regexp.MustCompile(`[0-9][0-9.]*( ?[KMGT]i?B?)?…`)

// checkWhole fails when the frame shows one of vals cut at a box's border,
// or any number cut with an ellipsis: panels choose what to show, and
// never show part of a number.
func checkWhole(t *testing.T, frame string, vals []string) {
	t.Helper()
	if v, cut := cutAtBorder(frame, vals); cut {
		t.Errorf("%q is cut at a border:\n%s", v, frame)
	}
	if m := cutNumber.FindString(frame); m != "" {
		t.Errorf("a number is cut: %q:\n%s", m, frame)
	}
}

// cutAtBorder reports a value of vals that the frame shows cut short
// against a box's border: its first half or more, then │.
func cutAtBorder(frame string, vals []string) (string, bool) {
	for _, v := range vals {
		for k := len(v) / 2; k < len(v); k++ {
			if strings.Contains(frame, v[:k]+"│") && !strings.Contains(frame, v+"│") {
				return v, true
			}
		}
	}
	return "", false
}

// TestGoldenLoadScreen renders the load screen running and done at 80x24,
// 120x40 and 200x60, and checks that every number it shows is whole.
func TestGoldenLoadScreen(t *testing.T) {
	running := &metrics.LoadTest{
		Mode: metrics.OpenLoop, State: metrics.TestRunning, Started: fakeT0, Elapsed: 12 * time.Second, Planned: time.Minute, Target: 500,
		Window: metrics.Window{RPS: 498, Requests: 498, Errors: 2, ErrorPercent: 0.4, Latency: metrics.Quantiles{P50: 0.0448, P90: 0.0491, P99: 0.0581, Max: 0.0759},
			SchedulingDelay: metrics.Quantiles{P50: 0.000021, P99: 0.000183, Max: 0.0012}},
		Requests: 6000, Errors: 20, InFlight: 3, Conns: 12, StatusCodes: map[int]int64{200: 5980, 503: 20},
		ErrorsByKind: map[string]int64{"status_5xx": 20, "timeout": 3},
		Histogram:    []metrics.Bucket{{UpperSeconds: 0.001, Count: 10}, {UpperSeconds: 0.002, Count: 3000}, {UpperSeconds: 0.02, Count: 2990}},
		Latency:      metrics.Quantiles{P50: 0.0321, P99: 0.0552, P999: 0.0759},
		Objectives:   []metrics.Objective{{Text: "p99<200ms", Met: true, Value: "55.2ms"}},
	}
	done := *running
	done.State, done.Elapsed = metrics.TestDone, time.Minute
	// A closed loop against a server that stalls: the corrected latency
	// and, below it, the service latency as measured.
	closed := *running
	closed.Mode, closed.Target, closed.Workers = metrics.ClosedLoop, 10, 10
	closed.Window.Service = metrics.Quantiles{P50: 0.0002, P99: 0.0018, Max: 0.3}
	closed.Service = metrics.Quantiles{P50: 0.0002, P99: 0.0028, Max: 0.302}
	vals := []string{"498 req/s", "target 500", "0.40%", "20 of 6000", "p50 44.8ms", "p99 58.1ms", "p90 49.1ms", "max 75.9ms",
		"p50 32.1ms", "p99 55.2ms", "p99.9 75.9ms", "in flight 3", "conns 12", "5980", "p99<200ms ✓", "55.2ms",
		"100 req/s", "q prints the summary", "99.67%", "0.33%", "0.05%"}
	for _, tt := range []struct {
		name string
		lt   *metrics.LoadTest
	}{{"load-running", running}, {"load-done", &done}, {"load-closed", &closed}} {
		for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
			st := fakeStore(60)
			fakeLoadSeries(st, int(tt.lt.Elapsed/time.Second), 500)
			st.SetLoadTest(tt.lt)
			m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Load: &fakeLoad{}})
			m.SetSize(sz[0], sz[1])
			name := tt.name + "-" + sizeName(sz)
			t.Run(name, func(t *testing.T) {
				checkGolden(t, m, name, sz, vals)
			})
		}
	}
}

// TestLoadScreenNoAnswers: a target that answers nothing (down, or
// silent past the timeout) shows "no answers", never a latency of 0.
func TestLoadScreenNoAnswers(t *testing.T) {
	lt := &metrics.LoadTest{
		Mode: metrics.ClosedLoop, State: metrics.TestRunning, Started: fakeT0, Elapsed: 5 * time.Second, Planned: 10 * time.Second,
		Workers: 10, Requests: 50, Errors: 50, Window: metrics.Window{Requests: 10, Errors: 10, ErrorPercent: 100},
		ErrorsByKind: map[string]int64{"connect_refused": 50},
	}
	for _, sz := range goldenSizes {
		st := fakeStore(10)
		st.SetLoadTest(lt)
		m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Load: &fakeLoad{}})
		m.SetSize(sz[0], sz[1])
		frame := ansi.Strip(m.Frame())
		now := regexp.MustCompile(`│now +no answers`)
		if !now.MatchString(frame) || !strings.Contains(frame, "whole run no answers") || strings.Contains(frame, "p50 0") {
			t.Errorf("%s: want \"no answers\" now and for the whole run, no p50 0:\n%s", sizeName(sz), frame)
		}
	}
}

// fakePromStore is fakeStore with a scraped service (its RED signals, a
// breakdown by handler, a metric browser) and two PromQL panels, over n
// seconds.
func fakePromStore(n int) (*metrics.Store, string) {
	const url = "http://orders.internal:9090/metrics"
	st := fakeStore(n)
	var b metrics.Batch
	for i := range n {
		b.Reset(fakeT0.Add(time.Duration(i) * time.Second))
		b.Add(metrics.PromKey(url, metrics.PromRPS), wave(i, 40, 1100, 1400))
		b.Add(metrics.PromKey(url, metrics.PromP99), wave(i, 25, 0.040, 0.120))
		st.Write(&b)
	}
	var pts []metrics.Point
	for i := range n {
		pts = append(pts, metrics.Point{T: fakeT0.Add(time.Duration(i) * time.Second), V: wave(i, 30, 0.2, 0.9)})
	}
	st.Update(func(tx metrics.Tx) {
		tx.SetPromTarget(&metrics.PromTarget{URL: url, Up: true, Format: "openmetrics", ScrapeSeconds: 0.0042, Series: 1874,
			LastScrape: fakeT0.Add(time.Duration(n) * time.Second),
			RED: metrics.RED{RequestMetric: "http_requests_total", RequestRate: 1234.5, ErrorRatio: 0.0123, LatencyMetric: "http_request_duration_seconds",
				Latency: metrics.Latency{P50: 0.0123, P90: 0.0456, P99: 0.0987}, InFlightMetric: "http_requests_in_flight", InFlight: 17,
				CPUPercent: 87.5, RSSBytes: 734 << 20, Goroutines: 1234,
				HasRequests: true, HasErrors: true, HasLatency: true, HasInFlight: true, HasProcess: true, HasGoroutines: true},
			Breakdown: []metrics.BreakdownRow{{Label: "handler", Value: "/api/orders", Rate: 1000.5, ErrorRatio: 0.0101}, {Label: "handler", Value: "/api/items", Rate: 234, ErrorRatio: 0.02}},
			Families: []metrics.FamilyInfo{{Name: "http_requests_total", Type: "counter", Help: "Requests served.", Series: 12},
				{Name: "http_request_duration_seconds", Type: "histogram", Help: "Request latency.", Series: 120}},
		})
		tx.SetPromQL([]metrics.PromQLResult{
			{Title: "CPU of the fleet", Expr: `sum by (instance) (rate(process_cpu_seconds_total[1m]))`, At: fakeT0.Add(time.Duration(n) * time.Second),
				Series: []metrics.PromQLSeries{{Labels: `{instance="a:9090"}`, Metric: map[string]string{"instance": "a:9090"}, Points: pts}}},
			{Expr: `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))`, At: fakeT0.Add(time.Duration(n) * time.Second),
				Series: []metrics.PromQLSeries{{Labels: "{}", Points: pts}}},
		})
	})
	return st, url
}

// TestGoldenPromScreens renders the Prometheus and PromQL screens at the
// reference sizes and checks that their numbers are whole.
func TestGoldenPromScreens(t *testing.T) {
	vals := []string{"1234/s", "1.2%", "12.3ms", "45.6ms", "98.7ms", "734 MiB", "88%", "1874 series", "scraped in 4.20ms", "1000"}
	for _, sz := range goldenSizes {
		st, url := fakePromStore(120)
		m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, PromTargets: []string{url}, PromQL: true})
		m.SetSize(sz[0], sz[1])
		for i, s := range m.screens {
			if s.id != promScreen && s.id != promQLScreen {
				continue
			}
			m.active = i
			name := strings.ToLower(s.id.String()) + "-" + sizeName(sz)
			t.Run(name, func(t *testing.T) {
				checkGolden(t, m, name, sz, vals)
			})
		}
	}
}

// TestLoadScreenServerHost: with --node, the load screen's host panel shows
// the service's host under this one, when it has the room.
func TestLoadScreenServerHost(t *testing.T) {
	st := fakeStore(30)
	remote := fakeHost(fakeT0.Add(29*time.Second), 3)
	remote.Hostname, remote.CPU.TotalPercent = "db-1", 91.5
	st.Update(func(tx metrics.Tx) { tx.SetRemoteHost("db-1:9100", remote) })
	st.SetLoadTest(&metrics.LoadTest{Mode: metrics.ClosedLoop, State: metrics.TestRunning, Started: fakeT0, Elapsed: 5 * time.Second, Workers: 4})
	m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Load: &fakeLoad{}, Nodes: []string{"db-1:9100"}})
	m.SetSize(120, 40)
	f := ansi.Strip(m.Frame())
	for _, want := range []string{"this host bench-01", "server host db-1", "91.5%"} {
		if !strings.Contains(f, want) {
			t.Errorf("want %q on the load screen:\n%s", want, f)
		}
	}
	m.SetSize(80, 24) // no room: this host alone
	if f := ansi.Strip(m.Frame()); strings.Contains(f, "server host") {
		t.Errorf("80x24: the host panel has no room for two hosts:\n%s", f)
	}
}

// fakeProfile is a profiled run's latest CPU profile: a hot function, its
// handler and the runtime.
func fakeProfile() *metrics.Profile {
	return &metrics.Profile{URL: "http://127.0.0.1:6060", Up: true, At: fakeT0.Add(30 * time.Second), Seconds: 10, CPU: 1.43, Count: 3,
		HeapInuse: 48 << 20, Goroutines: 57, HasHeap: true,
		Funcs: []metrics.ProfileFunc{
			{Name: "main.hotLoop", Flat: 9.3, Cum: 11.8, FlatShare: 0.653, CumShare: 0.829, PrevShare: 0.60, PrevKnown: true},
			{Name: "runtime.asyncPreempt", Flat: 3.2, Cum: 3.2, FlatShare: 0.224, CumShare: 0.224, PrevShare: 0.25, PrevKnown: true},
			{Name: "encoding/json.(*encodeState).marshal", Flat: 1.0, Cum: 1.4, FlatShare: 0.068, CumShare: 0.098, PrevKnown: true},
			{Name: "main.main.func1", Flat: 0, Cum: 13.4, FlatShare: 0, CumShare: 0.94, PrevKnown: true},
		},
		Peeks: map[string]metrics.ProfilePeek{"main.hotLoop": {
			Callers: []metrics.ProfileFunc{{Name: "main.main.func1", Cum: 11.8, CumShare: 0.829}},
			Callees: []metrics.ProfileFunc{{Name: "runtime.asyncPreempt", Cum: 2.5, CumShare: 0.17}},
		}},
	}
}

// TestGoldenProfileScreen renders the Profile screen at the reference
// sizes, sorted by flat then by cumulative, and one function's peek.
func TestGoldenProfileScreen(t *testing.T) {
	vals := []string{"65.3", "82.9", "0.930", "+5.3", "1.43 s/s", "48.0 MiB", "57", "#3"}
	for _, sz := range goldenSizes {
		st := fakeStore(30)
		st.Update(func(tx metrics.Tx) {
			tx.SetProfile(fakeProfile())
			var b metrics.Batch
			for i := range 30 {
				b.Reset(fakeT0.Add(time.Duration(i) * time.Second))
				b.Add(metrics.KeyProfileCPU, wave(i, 10, 1.2, 1.5))
				b.Add(metrics.KeyProfileHeap, wave(i, 15, 40<<20, 50<<20))
				b.Add(metrics.KeyProfileGoroutines, wave(i, 20, 40, 60))
				tx.Write(&b)
			}
		})
		m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Profile: true})
		m.SetSize(sz[0], sz[1])
		name := "profile-" + sizeName(sz)
		t.Run(name, func(t *testing.T) {
			plain := checkGolden(t, m, name, sz, vals)
			if !strings.Contains(plain, "main.hotLoop") || !strings.Contains(plain, "by flat") {
				t.Errorf("want hotLoop first, by flat:\n%s", plain)
			}
		})
		send(m, ">")
		if f := plainFrame(m); !strings.Contains(f, "by cumulative") {
			t.Errorf("%s: > did not sort by cumulative:\n%s", name, f)
		}
		// By cumulative the handler comes first; the cursor stays on the
		// function it was on.
		if row, _ := m.screens[0].Component.(*profilePage).funcs.Selected(); row[profFuncCol] != "main.hotLoop" {
			t.Errorf("%s: the cursor moved to %q on sorting", name, row[profFuncCol])
		}
		if f := plainFrame(m); strings.Index(f, "main.main.func1") > strings.Index(f, "main.hotLoop") {
			t.Errorf("%s: by cumulative, the handler should come first:\n%s", name, f)
		}
		send(m, "<", "enter")
		f := plainFrame(m)
		checkFrame(t, m.Frame(), sz[0], sz[1])
		if !strings.Contains(f, "callers") || !strings.Contains(f, "▶ main.hotLoop") || !strings.Contains(f, "main.main.func1") {
			t.Errorf("%s: enter did not peek at hotLoop:\n%s", name, f)
		}
		send(m, "esc")
		if strings.Contains(plainFrame(m), "▶ main.hotLoop") {
			t.Errorf("%s: esc did not close the peek", name)
		}
	}
}

// TestGoldenStackScreen renders the Stack screen with a load balancer, a
// cache and a database recognised, given in the wrong order, at the
// reference sizes: the request path's order, every number whole.
func TestGoldenStackScreen(t *testing.T) {
	targets := []*metrics.PromTarget{
		{URL: "http://db:9187/metrics", Up: true, Tier: &metrics.Tier{Kind: metrics.TierDatabase, Software: "postgresql", Version: "15.10",
			Values: []metrics.TierValue{{Name: "transactions", Value: 8140, Unit: metrics.UnitPerSecond, Known: true},
				{Name: "active connections", Value: 3, Unit: metrics.UnitCount, Known: true}, {Name: "max connections", Value: 100, Unit: metrics.UnitCount, Known: true},
				{Name: "buffer cache hit ratio", Value: 0.985, Unit: metrics.UnitRatio, Known: true}, {Name: "deadlocks", Unit: metrics.UnitPerSecond}},
			Statements: []metrics.TierStatement{{Query: "SELECT pg_sleep($1)", MeanSeconds: 0.2, Calls: 12}}}},
		{URL: "http://cache:9121/metrics", Up: true, Tier: &metrics.Tier{Kind: metrics.TierCache, Software: "redis", Version: "7.0.15",
			Values: []metrics.TierValue{{Name: "hit ratio", Value: 0.714286, Unit: metrics.UnitRatio, Known: true},
				{Name: "ops", Value: 12345, Unit: metrics.UnitPerSecond, Known: true}, {Name: "memory used", Value: 3 << 20, Unit: metrics.UnitBytes, Known: true},
				{Name: "memory max", Unit: metrics.UnitBytes, Known: true, Note: "no limit (maxmemory 0)"}}}},
		{URL: "http://lb:8405/metrics", Up: true, Tier: &metrics.Tier{Kind: metrics.TierLoadBalancer, Software: "haproxy", Version: "2.6.12",
			Values: []metrics.TierValue{{Name: "requests", Value: 2084, Unit: metrics.UnitPerSecond, Known: true},
				{Name: "active connections", Value: 40, Unit: metrics.UnitCount, Known: true}, {Name: "5xx", Value: 0, Unit: metrics.UnitPerSecond, Known: true},
				{Name: "queue", Value: 0, Unit: metrics.UnitCount, Known: true}},
			Backends: []metrics.TierBackend{
				{Group: "app", Name: "a", State: "UP", Up: true, Weight: 3, Rate: 1563, Share: 0.75, Known: true, Total: 300, TotalShare: 0.75},
				{Group: "app", Name: "b", State: "DOWN", Weight: 1, Rate: 521, Share: 0.25, Known: true, Total: 100, TotalShare: 0.25}}}},
	}
	var urls []string
	for _, tg := range targets {
		urls = append(urls, tg.URL)
	}
	vals := []string{"8140/s", "98.5%", "71.4%", "12.3k/s", "3.00 MiB", "2084/s", "75.0%", "25.0%", "200ms"}
	for _, sz := range goldenSizes {
		st := fakeStore(10)
		st.Update(func(tx metrics.Tx) {
			for _, tg := range targets {
				tx.SetPromTarget(tg)
			}
		})
		m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, PromTargets: urls})
		m.SetSize(sz[0], sz[1])
		for i, s := range m.screens {
			if s.id == stackScreen {
				m.active = i
			}
		}
		name := "stack-" + sizeName(sz)
		t.Run(name, func(t *testing.T) {
			plain := checkGolden(t, m, name, sz, vals)
			lb, cache, db := strings.Index(plain, "Load balancer"), strings.Index(plain, "Cache"), strings.Index(plain, "Database")
			if lb < 0 || cache < lb || db < cache {
				t.Errorf("want load balancer, cache, database in that order:\n%s", plain)
			}
		})
	}
}

// TestGoldenFleetScreen renders the Fleet screen: the fleet as one test,
// a row per runner, one of them down.
func TestGoldenFleetScreen(t *testing.T) {
	fl := &metrics.Fleet{Server: "prom:9090", At: fakeT0, Window: "1m", Rate: 1998.5, Errors: 4.2, P50: 0.0123, P99: 0.0871, HasLatency: true,
		ErrorsByKind: map[string]float64{"status_5xx": 3.1, "timeout": 1.1},
		Runners: []metrics.FleetRunner{
			{Instance: "runner-1:9464", Up: true, Rate: 1000.2, Errors: 2.1, P99: 0.0851, HasP99: true},
			{Instance: "runner-2:9464", Up: true, Rate: 998.3, Errors: 2.1, P99: 0.0902, HasP99: true},
			{Instance: "runner-3:9464"},
		}}
	vals := []string{"1998 req/s", "4.20/s", "p50 12.3ms", "p99 87.1ms", "85.1ms", "90.2ms", "0.21%"}
	for _, sz := range goldenSizes {
		st := fakeStore(10)
		st.Update(func(tx metrics.Tx) { tx.SetFleet(fl) })
		m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Fleet: true})
		m.SetSize(sz[0], sz[1])
		name := "fleet-" + sizeName(sz)
		t.Run(name, func(t *testing.T) {
			plain := checkGolden(t, m, name, sz, vals)
			if !strings.Contains(plain, "3, 2 up") || !strings.Contains(plain, "runner-3:9464") || !strings.Contains(plain, "down") {
				t.Errorf("want 3 runners, 2 up, runner-3 down:\n%s", plain)
			}
		})
	}
}

// TestLoadScreenFleetLine: a runner of a fleet (--fleet) shows the whole
// fleet's rate and p99 on its load screen.
func TestLoadScreenFleetLine(t *testing.T) {
	st := fakeStore(10)
	st.SetLoadTest(&metrics.LoadTest{Mode: metrics.OpenLoop, State: metrics.TestRunning, Started: fakeT0, Elapsed: 5 * time.Second, Target: 200})
	st.Update(func(tx metrics.Tx) {
		tx.SetFleet(&metrics.Fleet{Rate: 800, P99: 0.0123, HasLatency: true, Runners: []metrics.FleetRunner{{Up: true}, {Up: true}, {Up: true}, {}}})
	})
	m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Load: &fakeLoad{}, Fleet: true})
	m.SetSize(200, 60)
	if f := ansi.Strip(m.Frame()); !strings.Contains(f, "fleet     800 req/s  p99 12.3ms  3/4 runners up") {
		t.Errorf("no fleet line:\n%s", f)
	}
	m.SetSize(120, 40) // the runners give way
	if f := ansi.Strip(m.Frame()); !strings.Contains(f, "fleet     800 req/s  p99 12.3ms ") {
		t.Errorf("no fleet line at 120x40:\n%s", f)
	}
}
