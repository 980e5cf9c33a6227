package results

import (
	"math"
	"strconv"
	"strings"
)

// The HTML report's charts are SVG drawn here by hand: the page must be one
// file without scripts, and the Go chart libraries either render through
// JavaScript (go-echarts) or draw whole SVG or PNG documents with fonts,
// sizes and colours of their own (gonum/plot, go-chart), which would not
// follow the page's width or its dark mode; none is in go.mod. What a
// chart needs is small: axes with nice ticks in humane units, lines with
// gaps where nothing was measured, and bars.
//
// A chart is computed into an svgChart of finished coordinates, every one
// finite, and html.tmpl's "chart" template writes it: names from the file
// reach the SVG only through html/template's escaping, and its colours are
// the page's CSS classes, light or dark.

// The view box of every chart: the page scales it to the width it has.
const (
	chartW, chartH               = 640.0, 250.0
	padL, padR, padTop, padBelow = 70.0, 18.0, 12.0, 36.0
)

// svgChart is one chart, ready to write: an Empty reason instead of a
// drawing when there is nothing to draw.
type svgChart struct {
	Title, Note, Empty string
	Legend             []legendItem
	XTicks, YTicks     []tick
	Lines              []svgLine
	Bars               []svgBar
	Marks              []svgMark
}

// legendItem names a series and its colour class (s0 to s3, page CSS).
type legendItem struct{ Name, Class string }

// tick is an axis label at a position in the view box.
type tick struct {
	Pos   float64
	Label string
}

// AtEnd says an x tick is at the plot's right edge, where its label ends
// rather than centres, so that it is not cut off by the view box.
func (t tick) AtEnd() bool { return t.Pos >= plotR-0.5 }

// svgLine is a series: its polylines (one per run of measured points) and
// the points that stand alone between gaps.
type svgLine struct {
	Class    string
	Segments []string
	Dots     []point
}

type point struct{ X, Y float64 }

// svgBar is a histogram bar, with its tooltip.
type svgBar struct {
	X, Y, W, H float64
	Title      string
}

// svgMark is a labelled vertical line (p50, p99) on a distribution.
type svgMark struct {
	X, Y, LabelX  float64
	Label, Anchor string
}

// plotArea is the plot's corners, for the template.
// Tick is the lower end of the x axis's tick marks.
type plotArea struct{ L, R, T, B, Tick, W, H float64 }

func plot() plotArea { return plotArea{plotL, plotR, plotT, plotB, plotB + 5, chartW, chartH} }

// Plot area corners in view box units.
const (
	plotL, plotR = padL, chartW - padR
	plotT, plotB = padTop, chartH - padBelow
)

// scale maps a value range onto a pixel range, linearly.
type scale struct{ lo, hi, from, to float64 }

func (s scale) at(v float64) float64 {
	if s.hi == s.lo {
		return s.from
	}
	p := s.from + (v-s.lo)/(s.hi-s.lo)*(s.to-s.from)
	return math.Min(math.Max(p, math.Min(s.from, s.to)), math.Max(s.from, s.to))
}

// unit is how an axis writes its values: divided by div, with suffix.
type unit struct {
	div    float64
	suffix string
}

// Axis kinds: the units a chart's values are in.
type axisKind int

const (
	kindSeconds axisKind = iota
	kindRate             // per second
	kindPercent
	kindBytesRate
	kindCount
)

// unitFor picks the unit an axis up to hi is written in: ms for a
// latency axis under a second, MiB/s for megabytes a second.
func unitFor(kind axisKind, hi float64) unit {
	switch kind {
	case kindSeconds:
		switch {
		case hi < 1e-3:
			return unit{1e-6, "µs"}
		case hi < 1:
			return unit{1e-3, "ms"}
		}
		return unit{1, "s"}
	case kindRate:
		if hi >= 1e4 {
			return unit{1e3, "k req/s"}
		}
		return unit{1, " req/s"}
	case kindPercent:
		return unit{1, "%"}
	case kindBytesRate:
		u := unit{1, " B/s"}
		for _, s := range []string{" KiB/s", " MiB/s", " GiB/s", " TiB/s"} {
			if hi < u.div*1024 {
				break
			}
			u = unit{u.div * 1024, s}
		}
		return u
	}
	if hi >= 1e4 {
		return unit{1e3, "k"}
	}
	return unit{1, ""}
}

// niceStep is the 1, 2 or 5 times a power of ten nearest above span/n.
// It is positive and finite whatever span is.
func niceStep(span float64, n int) float64 {
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	if !finite(raw) || !(mag > 0) || !finite(mag) {
		return math.Max(math.Abs(raw), 1) // a span no file of a real run has
	}
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// valueAxis is a y axis from 0 to a nice value at or above hi, with about
// five ticks labelled in kind's unit. A non-positive hi makes a unit axis.
func valueAxis(kind axisKind, hi float64) (scale, []tick) {
	hi = clampSpan(hi, 1e-9, 1e12)
	u := unitFor(kind, hi)
	top := hi / u.div
	if top == 0 {
		top = 1
	}
	step := niceStep(top, 4)
	if kind == kindCount && u.div == 1 {
		step = math.Max(math.Round(step), 1) // whole requests
	}
	top = math.Ceil(top/step-1e-9) * step
	sc := scale{0, top * u.div, plotB, plotT}
	var ticks []tick
	for i := 0; i <= maxTicks && float64(i)*step <= top+step/1e6; i++ {
		v := float64(i) * step
		ticks = append(ticks, tick{sc.at(v * u.div), formatTick(v, step) + u.suffix})
	}
	return sc, ticks
}

// formatTick writes v with as many decimals as step needs: 0.5, 1, 2.5.
func formatTick(v, step float64) string {
	if v == 0 {
		return "0"
	}
	d := 0
	for s := step; s != math.Trunc(s) && d < 6; s *= 10 {
		d++
	}
	return strconv.FormatFloat(v, 'f', d, 64)
}

// clampSpan bounds an axis's span to what a run can measure: 0 below
// least or for NaN, most above it. Beyond, a hostile file's values are
// drawn at the plot's edge.
func clampSpan(v, least, most float64) float64 {
	switch {
	case !(v >= least):
		return 0
	case v > most:
		return most
	}
	return v
}

// maxTicks bounds an axis's ticks, whatever a file holds.
const maxTicks = 12

// timeSteps are the time axis's tick steps beyond a minute.
var timeSteps = []float64{60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}

// timeAxis is an x axis from 0 to end seconds with up to about seven ticks:
// 0s 10s 20s, 0s 1m 2m, 0s 30m 1h.
func timeAxis(end float64) (scale, []tick) {
	end = clampSpan(end, 1e-3, 1e9)
	if end == 0 {
		end = 1
	}
	step := niceStep(end, 6)
	if step > 30 {
		step = timeSteps[len(timeSteps)-1]
		for _, s := range timeSteps {
			if end/s <= 7 {
				step = s
				break
			}
		}
	}
	sc := scale{0, end, plotL, plotR}
	var ticks []tick
	if end/step > maxTicks { // beyond days: a multiple of days
		step = niceStep(end/86400, 6) * 86400
	}
	for i := 0; i <= maxTicks && float64(i)*step <= end*(1+1e-9); i++ {
		v := float64(i) * step
		ticks = append(ticks, tick{sc.at(v), timeLabel(v, step)})
	}
	return sc, ticks
}

// timeLabel writes a time axis value: 0s, 2.5s, 40s, 1m, 1m30s, 2h.
func timeLabel(v, step float64) string {
	if v < 60 {
		return formatTick(v, step) + "s"
	}
	s := int64(math.Round(v))
	h, m, sec := s/3600, s/60%60, s%60
	var b strings.Builder
	if h > 0 {
		b.WriteString(strconv.FormatInt(h, 10) + "h")
	}
	if m > 0 {
		b.WriteString(strconv.FormatInt(m, 10) + "m")
	}
	if sec > 0 {
		b.WriteString(strconv.FormatInt(sec, 10) + "s")
	}
	return b.String()
}

// finite says whether v can be drawn.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// series is a chart's line before scaling: NaN where nothing was measured.
type series struct {
	name, class string
	ys          []float64
}

// peak is the largest finite value of the series, 0 without any.
func peak(ss []series) float64 {
	hi := 0.0
	for _, s := range ss {
		for _, y := range s.ys {
			if finite(y) {
				hi = math.Max(hi, y)
			}
		}
	}
	return hi
}

func anyFinite(ss []series) bool {
	for _, s := range ss {
		for _, y := range s.ys {
			if finite(y) {
				return true
			}
		}
	}
	return false
}

// timeChart draws series over the times xs (seconds from the start).
func timeChart(title string, kind axisKind, xs []float64, ss []series) svgChart {
	c := svgChart{Title: title}
	for _, s := range ss {
		c.Legend = append(c.Legend, legendItem{s.name, s.class})
	}
	if len(xs) == 0 {
		c.Empty = "no timeline recorded"
		return c
	}
	end := 0.0
	for _, x := range xs {
		if finite(x) {
			end = math.Max(end, x)
		}
	}
	if !anyFinite(ss) {
		c.Empty = "nothing measured"
		return c
	}
	xsc, xt := timeAxis(end)
	ysc, yt := valueAxis(kind, peak(ss))
	c.XTicks, c.YTicks = xt, yt
	for _, s := range ss {
		c.Lines = append(c.Lines, drawLine(s, xs, xsc, ysc))
	}
	return c
}

// drawLine scales a series, breaking it where a value or a time is missing.
func drawLine(s series, xs []float64, xsc, ysc scale) svgLine {
	l := svgLine{Class: s.class}
	var run []point
	flush := func() {
		switch len(run) {
		case 0:
		case 1:
			l.Dots = append(l.Dots, run[0])
		default:
			l.Segments = append(l.Segments, polyline(run))
		}
		run = run[:0]
	}
	for i, y := range s.ys {
		if i >= len(xs) || !finite(y) || !finite(xs[i]) {
			flush()
			continue
		}
		run = append(run, point{xsc.at(xs[i]), ysc.at(y)})
	}
	flush()
	return l
}

// polyline is an SVG points attribute: "70.0,12.5 81.2,14.0".
func polyline(pts []point) string {
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(coord(p.X))
		b.WriteByte(',')
		b.WriteString(coord(p.Y))
	}
	return b.String()
}

// coord writes a view box coordinate; never NaN, whatever it is given.
func coord(v float64) string {
	if !finite(v) {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}
