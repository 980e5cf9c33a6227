package gauge

import (
	"math"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/themes"
)

func TestBar(t *testing.T) {
	plain := themes.Paint{}
	tests := []struct {
		width int
		pct   float64
		want  string
	}{
		{10, 0, "··········"},
		{10, 100, "██████████"},
		{10, 50, "█████·····"},
		{10, 55, "█████▌····"},
		{10, 150, "██████████"},
		{10, -5, "··········"},
		{10, math.NaN(), "··········"},
		{4, 12.5, "▌···"},
		{1, 99, "█"},
		{0, 50, ""},
	}
	for _, tt := range tests {
		if got := Bar(tt.width, tt.pct, plain, plain); got != tt.want {
			t.Errorf("Bar(%d, %v) = %q, want %q", tt.width, tt.pct, got, tt.want)
		}
		if w := ansi.StringWidth(Bar(tt.width, tt.pct, plain, plain)); w != tt.width {
			t.Errorf("Bar(%d, %v) is %d cells", tt.width, tt.pct, w)
		}
	}
}

func TestRow(t *testing.T) {
	st := Styles{}
	tests := []struct {
		width int
		label string
		pct   float64
		value string
		want  string
	}{
		{30, "cpu0", 50, "50.0%", "cpu0  ████████▌········  50.0%"},
		{30, "a-very-long-label", 0, "0.0%", "a-ve… ·················   0.0%"},
		{12, "mem", 10, "1.2 GiB", "mem   1.2 G…"},
	}
	for _, tt := range tests {
		got := Row(tt.width, 5, 6, tt.label, tt.pct, tt.value, MemoryLevels, st)
		if got != tt.want {
			t.Errorf("Row(%q) = %q, want %q", tt.label, got, tt.want)
		}
	}
}

func TestRowColourFollowsLevels(t *testing.T) {
	st := Styles{
		OK:   themes.NewPaint(lipgloss.NewStyle().Foreground(lipgloss.Color("#00ff00"))),
		Warn: themes.NewPaint(lipgloss.NewStyle().Foreground(lipgloss.Color("#ffff00"))),
		Crit: themes.NewPaint(lipgloss.NewStyle().Foreground(lipgloss.Color("#ff0000"))),
	}
	for _, tt := range []struct {
		pct  float64
		want themes.Paint
	}{{10, st.OK}, {75, st.Warn}, {95, st.Crit}} {
		got := Row(30, 4, 6, "cpu", tt.pct, "x", CPULevels, st)
		if want := tt.want.S("     x"); got[len(got)-len(want):] != want {
			t.Errorf("pct %v: value not styled as expected: %q", tt.pct, got)
		}
	}
}
