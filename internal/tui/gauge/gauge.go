// Package gauge draws horizontal bar gauges with eighth-cell precision, the
// way btop and htop show CPU cores, memory and filesystem usage.
package gauge

import (
	"math"
	"strings"

	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/cells"
)

// eighths[i] is a cell filled i/8 from the left.
var eighths = [...]string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// Bar renders a bar width cells wide filled to pct percent (clamped to
// 0..100): the filled part in fill, the rest in empty. A NaN pct draws an
// empty bar.
func Bar(width int, pct float64, fill, empty themes.Paint) string {
	if width <= 0 {
		return ""
	}
	if math.IsNaN(pct) {
		pct = 0
	}
	pct = min(max(pct, 0), 100)
	units := int(math.Round(pct / 100 * float64(width*8)))
	full, part := units/8, units%8
	var b strings.Builder
	b.WriteString(strings.Repeat("█", full))
	rest := width - full
	if part > 0 {
		b.WriteString(eighths[part])
		rest--
	}
	out := fill.S(b.String())
	if rest > 0 {
		out += empty.S(strings.Repeat("·", rest))
	}
	return out
}

// Levels are the thresholds at which a gauge turns from ok to warn to crit.
type Levels struct{ Warn, Crit float64 }

// Default thresholds for utilisation gauges.
var (
	CPULevels    = Levels{Warn: 70, Crit: 90}
	MemoryLevels = Levels{Warn: 80, Crit: 95}
)

// Styles are the styles a labelled gauge uses.
type Styles struct {
	Label          themes.Paint
	OK, Warn, Crit themes.Paint
	Empty          themes.Paint
}

// Row renders "label ████····  value" in exactly width cells: the label padded
// to labelW, the value right-aligned in valueW, and the bar between them,
// coloured by pct against lv.
func Row(width, labelW, valueW int, label string, pct float64, value string, lv Levels, st Styles) string {
	barW := width - labelW - valueW - 2
	fill := st.OK
	switch {
	case pct >= lv.Crit:
		fill = st.Crit
	case pct >= lv.Warn:
		fill = st.Warn
	}
	label = cells.FitPad(label, labelW)
	value = cells.FitPad(value, valueW)
	lp, fp := st.Label, fill
	if barW < 1 {
		return cells.FitPad(lp.S(label)+" "+fp.S(value), width)
	}
	return lp.S(label) + " " + Bar(barW, pct, fill, st.Empty) + " " + fp.S(cells.PadLeft(strings.TrimRight(value, " "), valueW))
}
