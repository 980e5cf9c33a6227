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
	"strconv"
	"strings"

	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/cells"
)

// Series is one line of a chart: its samples oldest first (the newest is
// drawn at the right edge) and its style.
type Series struct {
	Values []float64
	Style  themes.Paint
}

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

	series  []Series
	stretch []float64 // a stretched series, reused
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
	lo, hi = 0, 0
	for _, s := range m.series {
		// Only what is on the chart: a spike that scrolled off no longer
		// sets the scale.
		vals := s.Values
		if n := 2 * m.width; len(vals) > n {
			vals = vals[len(vals)-n:]
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
	lo, hi := m.Range()
	format := m.Format
	if format == nil {
		format = plain
	}
	top, bottom, mid := format(hi), format(lo), ""
	midRow := -1
	if m.height >= 5 && (m.height-1)%2 == 0 {
		// Only where a row sits exactly half-way, so the label is a round
		// number that means what it says.
		midRow = (m.height - 1) / 2
		mid = format((lo + hi) / 2)
	}
	labelW := max(cells.Width(top), cells.Width(bottom), cells.Width(mid)) + 1
	if labelW > m.width/2 {
		labelW = 0 // too narrow for labels: all plot
	}
	cols := m.width - labelW
	m.plot(cols, lo, hi)

	axisPre, axisSuf := m.Axis.Prefix, m.Axis.Suffix

	m.sb.Reset()
	m.sb.Grow(m.height * (m.width*3 + 32))
	for row := 0; row < m.height; row++ {
		if labelW > 0 {
			label := ""
			switch {
			case row == 0:
				label = top
			case row == m.height-1:
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
		if row < m.height-1 {
			m.sb.WriteByte('\n')
		}
	}
	return m.sb.String()
}

// plot sets the dots of every series into a cols x height cell grid.
func (m *Model) plot(cols int, lo, hi float64) {
	n := cols * m.height
	if cap(m.dots) < n {
		m.dots = make([]uint8, n)
		m.owner = make([]int8, n)
	}
	m.dots, m.owner = m.dots[:n], m.owner[:n]
	clear(m.dots)
	for i := range m.owner {
		m.owner[i] = -1
	}
	dw, dh := cols*2, m.height*4
	if dw == 0 {
		return
	}
	scale := float64(dh-1) / (hi - lo)
	for si, s := range m.series {
		vals := s.Values
		if len(vals) > dw {
			vals = vals[len(vals)-dw:]
		}
		if m.Stretch && len(vals) >= 2 && len(vals) < dw {
			vals = m.stretched(vals, dw)
		}
		x0 := dw - len(vals)
		prevY := -1
		for i, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				prevY = -1 // a gap: the line breaks
				continue
			}
			y := dh - 1 - int(math.Round((v-lo)*scale))
			y = min(max(y, 0), dh-1)
			from, to := y, y
			switch {
			case m.Fill:
				to = dh - 1
			case prevY >= 0:
				// Join to the previous point, half-way in each column,
				// so steep changes read as a line, not scattered dots.
				mid := (prevY + y) / 2
				if prevY < y {
					from, to = mid, y
				} else {
					from, to = y, mid
				}
				if from > to {
					from, to = to, from
				}
			}
			m.set(x0+i, from, to, cols, int8(si))
			prevY = y
		}
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
