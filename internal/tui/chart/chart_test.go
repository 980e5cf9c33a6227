package chart

import (
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/NimbleMarkets/ntcharts/v2/linechart/timeserieslinechart"
	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/themes"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func ramp(n int, f func(i int) float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func TestView(t *testing.T) {
	red := themes.NewPaint(lipgloss.NewStyle().Foreground(lipgloss.Color("#ff0000")))
	blue := themes.NewPaint(lipgloss.NewStyle().Foreground(lipgloss.Color("#0000ff")))
	tests := []struct {
		name  string
		setup func(m *Model)
	}{
		{"empty", func(m *Model) {}},
		{"line", func(m *Model) {
			m.SetSeries(Series{Values: ramp(60, func(i int) float64 { return float64(i % 20 * 5) }), Style: red})
		}},
		{"area-fixed-range", func(m *Model) {
			m.Fill, m.YMin, m.YMax = true, 0, 100
			m.Format = func(v float64) string { return strings.TrimSuffix(plain(v), ".0") + "%" }
			m.SetSeries(Series{Values: ramp(80, func(i int) float64 { return float64(i) }), Style: red})
		}},
		{"two-series-with-gap", func(m *Model) {
			vals := ramp(40, func(i int) float64 { return float64(i * i) })
			vals[20] = nan()
			m.SetSeries(Series{Values: vals, Style: red}, Series{Values: ramp(40, func(i int) float64 { return 300 }), Style: blue})
		}},
		{"more-points-than-columns", func(m *Model) {
			m.SetSeries(Series{Values: ramp(500, func(i int) float64 { return float64(i) }), Style: red})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(30, 6)
			tt.setup(&m)
			out := m.View()
			lines := strings.Split(out, "\n")
			if len(lines) != 6 {
				t.Fatalf("%d lines, want 6", len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != 30 {
					t.Errorf("line %d is %d cells wide, want 30: %q", i, w, l)
				}
			}
			golden(t, tt.name, ansi.Strip(out))
			golden(t, tt.name+".ansi", out)
		})
	}
}

func TestNiceCeil(t *testing.T) {
	tests := []struct{ in, want float64 }{
		{0, 0}, {-3, 0}, {0.7, 1}, {1, 1}, {1.01, 2}, {3, 5}, {7, 10}, {99, 100}, {101, 200}, {2.4e6, 5e6},
	}
	for _, tt := range tests {
		if got := NiceCeil(tt.in); got != tt.want {
			t.Errorf("NiceCeil(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestNiceCeilBinary(t *testing.T) {
	const k, m = 1024.0, 1024.0 * 1024
	tests := []struct{ in, want float64 }{
		{0, 0}, {1, 1}, {700, 1000}, {1001, k}, {1500, 2 * k}, {19.1 * m, 20 * m}, {600 * k, 1000 * k}, {1020 * k, m}, {1030 * k, 2 * m},
	}
	for _, tt := range tests {
		if got := NiceCeilBinary(tt.in); got != tt.want {
			t.Errorf("NiceCeilBinary(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFloor(t *testing.T) {
	m := New(10, 4)
	m.Floor = 100
	m.SetSeries(Series{Values: []float64{0, 1, 0}})
	if lo, hi := m.Range(); lo != 0 || hi != 100 {
		t.Fatalf("range %v..%v, want 0..100", lo, hi)
	}
}

func TestTinySizes(t *testing.T) {
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {3, 1}, {1, 5}} {
		m := New(sz[0], sz[1])
		m.SetSeries(Series{Values: []float64{1, 2, 3}})
		out := m.View()
		if sz[0] == 0 && out != "" {
			t.Errorf("%v: got %q", sz, out)
		}
		if sz[0] > 0 && strings.Count(out, "\n") != sz[1]-1 {
			t.Errorf("%v: %d lines", sz, strings.Count(out, "\n")+1)
		}
	}
}

func FuzzView(f *testing.F) {
	f.Add(10, 4, []byte{1, 2, 3, 255, 0})
	f.Fuzz(func(t *testing.T, w, h int, data []byte) {
		w, h = w%200, h%60
		if w < 0 || h < 0 {
			t.Skip()
		}
		vals := make([]float64, len(data))
		for i, b := range data {
			vals[i] = float64(int8(b)) * 1.5
		}
		m := New(w, h)
		m.SetSeries(Series{Values: vals})
		out := m.View()
		if w > 0 && h > 0 && strings.Count(out, "\n") != h-1 {
			t.Fatalf("%dx%d: %d lines", w, h, strings.Count(out, "\n")+1)
		}
	})
}

func nan() float64 { var z float64; return z / z }

// BenchmarkChart renders the same 58x10 chart of 120 samples with this
// package and with ntcharts' time-series chart, side by side.
func BenchmarkChart(b *testing.B) {
	st := lipgloss.NewStyle().Foreground(lipgloss.Color("#5fafff"))
	vals := ramp(120, func(i int) float64 { return float64(i % 37) })
	b.Run("perftop", func(b *testing.B) {
		m := New(58, 10)
		m.YMax = 100
		b.ReportAllocs()
		for b.Loop() {
			m.SetSeries(Series{Values: vals, Style: themes.NewPaint(st)})
			_ = m.View()
		}
	})
	b.Run("perftop-timed", func(b *testing.B) { // placed by time, with a time axis
		m := New(58, 10)
		m.YMax, m.X, m.Window = 100, Ago, 300
		times := seconds(len(vals), 1)
		b.ReportAllocs()
		for b.Loop() {
			m.SetSeries(Series{Values: vals, Times: times, Style: themes.NewPaint(st)})
			_ = m.View()
		}
	})
	b.Run("ntcharts", func(b *testing.B) {
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		c := timeserieslinechart.New(58, 10, timeserieslinechart.WithYRange(0, 100), timeserieslinechart.WithStyle(st))
		b.ReportAllocs()
		for b.Loop() {
			c.ClearAllData()
			for i, v := range vals {
				c.Push(timeserieslinechart.TimePoint{Time: t0.Add(time.Duration(i) * time.Second), Value: v})
			}
			c.DrawBraille()
			_ = c.View()
		}
	})
}

// TestStretch: a series shorter than the chart spans its whole width with
// Stretch, and sits at the right edge without; once it is as long as the
// chart is wide, both scroll the same.
func TestStretch(t *testing.T) {
	vals := []float64{1, 2, 3, 4, 5}
	lit := func(m *Model, col int) bool { // any dot in plot column col
		lines := strings.Split(m.View(), "\n")
		for _, l := range lines {
			r := []rune(l)
			if col < len(r) && r[col] >= 0x2801 && r[col] <= 0x28ff {
				return true
			}
		}
		return false
	}
	plain := New(40, 5)
	plain.SetSeries(Series{Values: vals})
	stretched := New(40, 5)
	stretched.Stretch = true
	stretched.SetSeries(Series{Values: vals})
	if lit(&plain, 10) || !lit(&plain, 39) {
		t.Errorf("without Stretch 5 points should sit at the right edge:\n%s", plain.View())
	}
	if !lit(&stretched, 10) || !lit(&stretched, 39) {
		t.Errorf("with Stretch 5 points should span the chart:\n%s", stretched.View())
	}
	long := make([]float64, 200)
	for i := range long {
		long[i] = float64(i % 7)
	}
	plain.SetSeries(Series{Values: long})
	stretched.SetSeries(Series{Values: long})
	if plain.View() != stretched.View() {
		t.Error("a series longer than the chart draws differently with Stretch")
	}
	// A gap stays a gap.
	stretched.SetSeries(Series{Values: []float64{1, math.NaN(), 3}})
	_ = stretched.View()
}

// TestRangeFollowsTheVisible: a spike that scrolled off the chart no
// longer sets its scale.
func TestRangeFollowsTheVisible(t *testing.T) {
	vals := append([]float64{1000}, make([]float64, 200)...)
	for i := 1; i < len(vals); i++ {
		vals[i] = 26
	}
	m := New(40, 5)
	m.SetSeries(Series{Values: vals})
	if _, hi := m.Range(); hi > 50 {
		t.Errorf("range up to %v for a flat 26 after a spike long gone", hi)
	}
}

// litCols returns which plot columns of a view have any dot lit.
func litCols(view string) map[int]bool {
	out := map[int]bool{}
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		for c, r := range []rune(l) {
			if r >= 0x2801 && r <= 0x28ff {
				out[c] = true
			}
		}
	}
	return out
}

func seconds(n int, step float64) []float64 {
	return ramp(n, func(i int) float64 { return 1000 + float64(i)*step })
}

// TestWindow: series with Times span the chart's Window whatever their
// pace: a minute of one-second samples in a two-minute window fills the
// right half, in a one-minute window the whole width; a label per round
// time, "now" at the right edge.
func TestWindow(t *testing.T) {
	vals := ramp(61, func(i int) float64 { return float64(i % 10) })
	m := New(62, 6) // 60 plot columns after "10 " labels: 120 dots
	m.X = Ago
	m.Window = 120
	m.SetSeries(Series{Values: vals, Times: seconds(61, 1)})
	lit := litCols(m.View())
	if lit[10] || !lit[40] || !lit[61] {
		t.Errorf("a minute in a two-minute window should fill the right half:\n%s", m.View())
	}
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	axis := lines[len(lines)-1]
	if !strings.HasSuffix(axis, "now") || !strings.Contains(axis, "-1m") || !strings.Contains(axis, "-2m") {
		t.Errorf("time axis %q: want -2m, -1m and now", axis)
	}
	m.Window = 60
	if lit := litCols(m.View()); !lit[4] || !lit[61] {
		t.Errorf("a minute in a one-minute window should fill the chart:\n%s", m.View())
	}
	// Ten-second samples over an hour in a 15-minute window: what is
	// visible sets the scale, not the spike 30 minutes ago.
	long := ramp(361, func(i int) float64 { return 3 })
	long[180] = 1000
	m.Window = 900
	m.SetSeries(Series{Values: long, Times: seconds(361, 10)})
	if _, hi := m.Range(); hi > 10 {
		t.Errorf("range up to %v for a flat 3 after a spike long gone", hi)
	}
	for _, l := range strings.Split(ansi.Strip(m.View()), "\n") {
		if cells := len([]rune(l)); cells != 62 {
			t.Errorf("line %q is %d cells, want 62", l, cells)
		}
	}
}

// TestElapsedAxis: a test's chart counts from its start, spans the run
// while it is shorter than the chart (Stretch), and labels whole times.
func TestElapsedAxis(t *testing.T) {
	m := New(50, 5)
	m.X, m.Stretch, m.Origin = Elapsed, true, 1000
	m.SetSeries(Series{Values: ramp(11, func(i int) float64 { return float64(i) }), Times: seconds(11, 1)})
	view := ansi.Strip(m.View())
	lines := strings.Split(view, "\n")
	axis := lines[len(lines)-1]
	if !strings.Contains(axis, "0s") || !strings.Contains(axis, "10s") {
		t.Errorf("axis %q of a 10 s run: want 0s and 10s", axis)
	}
	if lit := litCols(view); !lit[4] || !lit[49] {
		t.Errorf("a 10 s run should span the chart:\n%s", view)
	}
	for _, f := range strings.Fields(axis) {
		if _, err := time.ParseDuration(f); err != nil {
			t.Errorf("axis label %q is not a whole duration: %v", f, err)
		}
	}
}

func TestDurationLabel(t *testing.T) {
	for sec, want := range map[float64]string{0: "0s", 45: "45s", 60: "1m", 90: "1m30s", 3600: "1h", 5400: "1h30m"} {
		if got := durationLabel(sec); got != want {
			t.Errorf("durationLabel(%v) = %q, want %q", sec, got, want)
		}
	}
}
