// Package chart draws time series as braille line or area charts: each
// terminal cell holds 2x4 dots, so a 40-column chart shows 80 samples.
//
// It is hand-written rather than built on ntcharts: the benchmark in this
// package (BenchmarkChart) renders the same chart both ways, and ntcharts
// styles every cell with its own Lip Gloss call, over a hundred times the
// cost (the README's Performance section has the figures). This renderer
// styles runs of cells with one escape sequence each.
package chart

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/cells"
)

// Series is one line of a chart: its samples oldest first (the newest is
// drawn at the right edge) and its style. Times, when set, are the samples'
// times in seconds (any epoch, the same for every series of a chart), one per
// value: the chart then places samples by time, so a window of any length
// fits the chart's width, and it can label a time axis. Without Times each
// sample takes one dot column.
type Series struct {
	Values []float64
	Times  []float64
	Style  themes.Paint
}

// XAxis is what a chart's time axis, its bottom row, counts.
type XAxis int

const (
	// NoXAxis draws no time axis.
	NoXAxis XAxis = iota
	// Ago labels time back from the right edge: "-2m", "-1m", "now".
	Ago
	// Elapsed labels time from Model.Origin: "0s", "10s", "20s".
	Elapsed
)

// Model is a braille chart with a y axis on the left. The zero value draws
// nothing until SetSize; a Model is not safe for concurrent use.
type Model struct {
	width, height int

	// YMin and YMax fix the vertical range; when YMax <= YMin the range is
	// 0 (or the data's minimum, if negative) up to a round number above the
	// data's maximum.
	YMin, YMax float64
	// Fill draws areas (everything under the line) instead of lines, which
	// reads better for a single busy-percent series.
	Fill bool
	// Floor is the smallest top of an automatic range, so an idle chart
	// shows a quiet line at the bottom instead of noise blown up to full
	// height.
	Floor float64
	// Binary rounds an automatic range to 1, 2 or 5 times a power of 1024,
	// so byte axes read 1 KiB, 2 MiB, 500 MiB.
	Binary bool
	// Format labels the y axis; nil prints plain numbers.
	Format func(float64) string
	// Axis styles the labels.
	Axis themes.Paint
	// Stretch spreads a series shorter than the chart over its whole
	// width, so that a test's charts span the test from its first second
	// (a 10 s run filled 5 of 70 columns); once a series is as long as the
	// chart is wide, it scrolls as without Stretch.
	Stretch bool
	// Window is the time the chart spans, in seconds, when its series have
	// Times: the right edge is the newest sample and the left Window
	// before it. 0 spans one sample per dot column (with Stretch: the
	// whole series when it is shorter than that).
	Window float64
	// X draws a time axis on the bottom row (series with Times only);
	// Origin is the time Elapsed counts from, 0 for the first sample's.
	X      XAxis
	Origin float64

	series  []Series
	left    float64   // the time at the left edge (series with Times)
	right   float64   // and at the right edge
	stretch []float64 // a stretched series, reused
	axisRow []byte    // the time axis row, reused
	taken   []bool    // its cells holding a label
	dots    []uint8   // braille bits per plot cell, row-major
	owner   []int8    // which series coloured a plot cell, -1 for none
	sb      strings.Builder
}

// New returns a chart of w by h cells.
func New(w, h int) Model {
	var m Model
	m.SetSize(w, h)
	return m
}

// SetSize sets the chart's size in cells, labels included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
}

// Width and Height return the chart's size in cells.
func (m *Model) Width() int  { return m.width }
func (m *Model) Height() int { return m.height }

// SetSeries replaces the chart's data. The chart keeps the slices; the caller
// must not change them before the next View.
func (m *Model) SetSeries(s ...Series) { m.series = append(m.series[:0], s...) }

// bit[row][col] is the braille dot for a position inside one cell.
var bit = [4][2]uint8{{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}}

// Range returns the vertical range the chart draws with its current data.
func (m *Model) Range() (lo, hi float64) {
	if m.YMax > m.YMin {
		return m.YMin, m.YMax
	}
	return m.autoRange(2 * m.width)
}

// autoRange is the automatic range over what a plot dw dots wide shows:
// a spike that scrolled off no longer sets the scale.
func (m *Model) autoRange(dw int) (lo, hi float64) {
	timed := m.timed()
	if timed {
		m.span(dw)
	}
	for _, s := range m.series {
		vals, times := s.Values, s.Times
		if timed {
			i := sort.SearchFloat64s(times, m.left)
			vals = vals[i:]
		} else if len(vals) > dw {
			vals = vals[len(vals)-dw:]
		}
		for _, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	hi = max(hi, m.Floor)
	if m.Binary {
		hi = NiceCeilBinary(hi)
	} else {
		hi = NiceCeil(hi)
	}
	if lo < 0 {
		lo = -NiceCeil(-lo)
	}
	if hi <= lo {
		hi = lo + 1
	}
	return lo, hi
}

// timed says whether the chart places samples by time: every series has
// as many Times as Values, and one has some.
func (m *Model) timed() bool {
	any := false
	for _, s := range m.series {
		if len(s.Times) != len(s.Values) {
			return false
		}
		any = any || len(s.Times) > 0
	}
	return any
}

// span sets the times at the chart's edges for a plot dw dots wide: the
// newest sample at the right, Window before it at the left; without a
// Window, one dot per sample at the series' own pace, or (Stretch) the
// whole series when it is shorter.
func (m *Model) span(dw int) {
	first, last, step := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range m.series {
		if n := len(s.Times); n > 0 {
			first, last = min(first, s.Times[0]), max(last, s.Times[n-1])
			k := min(n, max(dw, 2))
			if k >= 2 {
				step = max(step, (s.Times[n-1]-s.Times[n-k])/float64(k-1))
			}
		}
	}
	if math.IsInf(last, 0) {
		m.left, m.right = 0, 1
		return
	}
	m.right = last
	switch {
	case m.Window > 0:
		m.left = last - m.Window
	case step > 0:
		m.left = last - float64(max(dw-1, 1))*step
		if m.Stretch {
			m.left = max(m.left, first)
		}
	default:
		m.left = last - 1
	}
	if m.left >= m.right {
		m.left = m.right - 1
	}
}

// NiceCeil rounds v up to 1, 2 or 5 times a power of ten, so axis labels are
// round numbers. It returns 0 for v <= 0.
func NiceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{1, 2, 5, 10} {
		if f*p >= v*(1-1e-9) {
			return f * p
		}
	}
	return 10 * p
}

// NiceCeilBinary rounds v up to 1, 2 or 5 times a power of 1024 times a
// power of ten below 1024 (1, 2, 5, 10, 20, 50, 100, 200, 500), for byte
// axes. It returns 0 for v <= 0.
func NiceCeilBinary(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	unit := 1.0
	for v > 1000*unit {
		unit *= 1024
	}
	n := NiceCeil(v / unit)
	if n > 1000 {
		return 1024 * unit
	}
	return n * unit
}

// View renders the chart as height lines of width cells.
func (m *Model) View() string {
	if m.width < 1 || m.height < 1 {
		return ""
	}
	plotH := m.height
	axis := m.X != NoXAxis && m.timed() && m.height >= 4
	if axis {
		plotH-- // the bottom row labels the time
	}
	lo, hi := m.Range()
	format := m.Format
	if format == nil {
		format = plain
	}
	top, bottom, mid := format(hi), format(lo), ""
	midRow := -1
	if plotH >= 5 && (plotH-1)%2 == 0 {
		// Only where a row sits exactly half-way, so the label is a round
		// number that means what it says.
		midRow = (plotH - 1) / 2
		mid = format((lo + hi) / 2)
	}
	labelW := max(cells.Width(top), cells.Width(bottom), cells.Width(mid)) + 1
	if labelW > m.width/2 {
		labelW = 0 // too narrow for labels: all plot
	}
	cols := m.width - labelW
	m.plot(cols, plotH, lo, hi)

	axisPre, axisSuf := m.Axis.Prefix, m.Axis.Suffix

	m.sb.Reset()
	m.sb.Grow(m.height * (m.width*3 + 32))
	for row := 0; row < plotH; row++ {
		if labelW > 0 {
			label := ""
			switch {
			case row == 0:
				label = top
			case row == plotH-1:
				label = bottom
			case row == midRow:
				label = mid
			}
			m.sb.WriteString(axisPre)
			m.sb.WriteString(strings.Repeat(" ", labelW-1-cells.Width(label)))
			m.sb.WriteString(label)
			m.sb.WriteString(axisSuf)
			m.sb.WriteByte(' ')
		}
		m.writeRow(row, cols)
		if row < m.height-1 {
			m.sb.WriteByte('\n')
		}
	}
	if axis {
		m.sb.WriteString(strings.Repeat(" ", labelW))
		m.sb.WriteString(axisPre)
		m.sb.Write(m.timeAxis(cols))
		m.sb.WriteString(axisSuf)
	}
	return m.sb.String()
}

// writeRow writes one row of plot cells, a style sequence per run of cells
// coloured by the same series.
func (m *Model) writeRow(row, cols int) {
	cur := int8(-1)
	for c := 0; c < cols; c++ {
		i := row*cols + c
		o := m.owner[i]
		if o != cur {
			if cur >= 0 {
				m.sb.WriteString(m.series[cur].Style.Suffix)
			}
			if o >= 0 {
				m.sb.WriteString(m.series[o].Style.Prefix)
			}
			cur = o
		}
		if m.dots[i] == 0 {
			m.sb.WriteByte(' ')
		} else {
			m.sb.WriteRune(rune(0x2800 + int(m.dots[i])))
		}
	}
	if cur >= 0 {
		m.sb.WriteString(m.series[cur].Style.Suffix)
	}
}

// plot sets the dots of every series into a cols x rows cell grid.
func (m *Model) plot(cols, rows int, lo, hi float64) {
	n := cols * rows
	if cap(m.dots) < n {
		m.dots = make([]uint8, n)
		m.owner = make([]int8, n)
	}
	m.dots, m.owner = m.dots[:n], m.owner[:n]
	clear(m.dots)
	for i := range m.owner {
		m.owner[i] = -1
	}
	dw, dh := cols*2, rows*4
	if dw == 0 {
		return
	}
	timed := m.timed()
	if timed {
		m.span(dw)
	}
	p := pen{m: m, cols: cols, dh: dh, lo: lo, scale: float64(dh-1) / (hi - lo)}
	for si, s := range m.series {
		p.owner, p.down = int8(si), false
		if timed {
			p.timed(s, dw)
			continue
		}
		vals := s.Values
		if len(vals) > dw {
			vals = vals[len(vals)-dw:]
		}
		if m.Stretch && len(vals) >= 2 && len(vals) < dw {
			vals = m.stretched(vals, dw)
		}
		x0 := dw - len(vals)
		for i, v := range vals {
			p.to(x0+i, v)
		}
	}
}

// pen draws one series, a point at a time, joining each to the one before.
type pen struct {
	m         *Model
	cols, dh  int
	lo, scale float64
	owner     int8
	down      bool // a previous point to join to
	px, py    int  // its dot column and row
}

// timed draws s placed by its Times across the chart's span.
func (p *pen) timed(s Series, dw int) {
	left, width := p.m.left, p.m.right-p.m.left
	i := sort.SearchFloat64s(s.Times, left)
	if i > 0 {
		i-- // from the point before the edge, so the line reaches it
	}
	for ; i < len(s.Values); i++ {
		x := int(math.Round((s.Times[i] - left) / width * float64(dw-1)))
		p.to(x, s.Values[i])
	}
}

// to draws the point v at dot column x (which may be left of the plot:
// only the join into it shows). A gap (NaN) breaks the line.
func (p *pen) to(x int, v float64) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		p.down = false
		return
	}
	y := p.dh - 1 - int(math.Round((v-p.lo)*p.scale))
	y = min(max(y, 0), p.dh-1)
	switch {
	case !p.down:
		p.dot(x, y, y)
	case x <= p.px: // the same column: its range
		p.dot(x, min(y, p.py), max(y, p.py))
	default:
		// Through every column to x, each joined to the one before half-way,
		// so steep changes read as a line, not scattered dots.
		prev := p.py
		for c := p.px + 1; c <= x; c++ {
			yc := p.py + int(math.Round(float64((y-p.py)*(c-p.px))/float64(x-p.px)))
			mid := (prev + yc) / 2
			if p.m.Fill {
				mid = yc // an area fills from the point down
			}
			p.dot(c, min(mid, yc), max(mid, yc))
			prev = yc
		}
	}
	p.down, p.px, p.py = true, x, y
}

// dot lights dot column x from row y0 to y1 (to the bottom, for areas).
func (p *pen) dot(x, y0, y1 int) {
	if x < 0 || x >= 2*p.cols {
		return
	}
	if p.m.Fill {
		y1 = p.dh - 1
	}
	p.m.set(x, y0, y1, p.cols, p.owner)
}

// tickSteps are the time axis's label spacings, in seconds.
var tickSteps = []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}

// timeAxis is the bottom row under a plot cols cells wide: a few labels at
// round times, each whole, none touching the next.
func (m *Model) timeAxis(cols int) []byte {
	row := slices.Grow(m.axisRow[:0], cols)[:cols]
	for i := range row {
		row[i] = ' '
	}
	m.axisRow = row
	span := m.right - m.left
	if cols < 4 || span <= 0 {
		return row
	}
	step := tickSteps[len(tickSteps)-1]
	for _, s := range tickSteps {
		if span/s <= float64(max(cols/10, 1)) {
			step = s
			break
		}
	}
	taken := slices.Grow(m.taken[:0], cols)[:cols]
	clear(taken)
	m.taken = taken
	place := func(t float64, label string, right bool) {
		n := len(label)
		c := int(math.Round((t - m.left) / span * float64(cols*2-1) / 2))
		start := c - n/2
		if right {
			start = c - n + 1
		}
		start = min(max(start, 0), cols-n)
		if start < 0 {
			return
		}
		for i := max(start-1, 0); i < min(start+n+1, cols); i++ {
			if taken[i] {
				return
			}
		}
		for i := 0; i < n; i++ {
			row[start+i], taken[start+i] = label[i], true
		}
	}
	switch m.X {
	case Ago:
		place(m.right, "now", true)
		for a := step; a <= span+1e-9; a += step {
			place(m.right-a, "-"+durationLabel(a), false)
		}
	case Elapsed:
		origin := m.Origin
		if origin == 0 { // from the first sample
			origin = m.firstTime()
		}
		for e := math.Ceil((m.left-origin)/step-1e-9) * step; origin+e <= m.right+1e-9; e += step {
			place(origin+e, durationLabel(max(e, 0)), false)
		}
	}
	return row
}

// firstTime is the time of the oldest sample of any series.
func (m *Model) firstTime() float64 {
	first := math.Inf(1)
	for _, s := range m.series {
		if len(s.Times) > 0 {
			first = min(first, s.Times[0])
		}
	}
	if math.IsInf(first, 0) {
		return 0
	}
	return first
}

// durationLabel is a whole number of seconds the short way: 45s, 2m, 1m30s,
// 1h, 1h30m.
func durationLabel(sec float64) string {
	s := int64(math.Round(sec))
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 3600 && s%60 == 0:
		return strconv.FormatInt(s/60, 10) + "m"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + "m" + strconv.FormatInt(s%60, 10) + "s"
	case s%3600 == 0:
		return strconv.FormatInt(s/3600, 10) + "h"
	default:
		return strconv.FormatInt(s/3600, 10) + "h" + strconv.FormatInt(s%3600/60, 10) + "m"
	}
}

// stretched resamples vals to n points by linear interpolation between
// neighbours; a point next to a gap (NaN) is a gap.
func (m *Model) stretched(vals []float64, n int) []float64 {
	out := m.stretch[:0]
	last := float64(len(vals) - 1)
	for x := 0; x < n; x++ {
		pos := float64(x) * last / float64(n-1)
		i := min(int(pos), len(vals)-2)
		f := pos - float64(i)
		a, b := vals[i], vals[i+1]
		switch {
		case f == 0:
			out = append(out, a)
		case math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0) || math.IsInf(b, 0):
			out = append(out, math.NaN())
		default:
			out = append(out, a+(b-a)*f)
		}
	}
	m.stretch = out
	return out
}

// set lights the dots from row y0 to y1 of dot column x.
func (m *Model) set(x, y0, y1, cols int, owner int8) {
	cx, bx := x/2, x%2
	for y := y0; y <= y1; y++ {
		i := (y/4)*cols + cx
		m.dots[i] |= bit[y%4][bx]
		m.owner[i] = owner
	}
}

func plain(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
