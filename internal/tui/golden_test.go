package tui

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
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

// TestGoldenScreens renders every screen and the help at both reference
// sizes, as plain text.
func TestGoldenScreens(t *testing.T) {
	sizes := [][2]int{{80, 24}, {160, 48}}
	for _, sz := range sizes {
		m := newTestModel(fakeStore(300), themes.Dark)
		m.SetSize(sz[0], sz[1])
		for i, s := range m.screens {
			m.active = i
			name := strings.ToLower(s.id.String()) + "-" + sizeName(sz)
			t.Run(name, func(t *testing.T) {
				frame := m.Frame()
				checkFrame(t, frame, sz[0], sz[1])
				golden(t, name, ansi.Strip(frame))
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
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
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
		Mode: metrics.OpenLoop, State: metrics.TestRunning, Elapsed: 12 * time.Second, Planned: time.Minute, Target: 500,
		Window:   metrics.Window{RPS: 498, Requests: 498, Errors: 2, ErrorPercent: 0.4, Latency: metrics.Quantiles{P50: 0.0448, P90: 0.0491, P99: 0.0581, Max: 0.0759}},
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
			st.SetLoadTest(tt.lt)
			m := New(Options{Store: st, Theme: themes.Dark, Interval: time.Second, Load: &fakeLoad{}})
			m.SetSize(sz[0], sz[1])
			name := tt.name + "-" + sizeName(sz)
			t.Run(name, func(t *testing.T) {
				frame := m.Frame()
				checkFrame(t, frame, sz[0], sz[1])
				plain := ansi.Strip(frame)
				if v, cut := cutAtBorder(plain, vals); cut {
					t.Errorf("%q is cut at a border:\n%s", v, plain)
				}
				golden(t, name, plain)
			})
		}
	}
}
