package results

import (
	"fmt"
	"math"
	"strconv"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/units"
)

// histogramBars is how many log-spaced bars the latency histogram has.
const histogramBars = 40

// histogramChart draws the whole run's latency as log-spaced bars, each the
// share of answers in it, with the median and p99 marked: equal widths on
// a log axis, so a tail many times the median still shows.
func histogramChart(h *hdrhistogram.Histogram) svgChart {
	c := svgChart{Title: "Latency histogram", Legend: []legendItem{{"share of answers", "s0"}}}
	bs := metrics.LogBuckets(h, histogramBars)
	if len(bs) < 2 {
		c.Empty = "no answers"
		return c
	}
	ratio := math.Pow(bs[len(bs)-1].UpperSeconds/bs[0].UpperSeconds, 1/float64(len(bs)-1))
	lo, hi := bs[0].UpperSeconds/ratio, bs[len(bs)-1].UpperSeconds
	xsc := scale{math.Log10(lo), math.Log10(hi), plotL, plotR}
	total := float64(h.TotalCount())
	top := 0.0
	for _, b := range bs {
		top = math.Max(top, float64(b.Count)/total*100)
	}
	ysc, yt := valueAxis(kindPercent, top)
	c.YTicks, c.XTicks = yt, logTicks(lo, hi, xsc)
	from := lo
	for _, b := range bs {
		x0, x1 := xsc.at(math.Log10(from)), xsc.at(math.Log10(b.UpperSeconds))
		share := float64(b.Count) / total * 100
		y := ysc.at(share)
		c.Bars = append(c.Bars, svgBar{X: x0, Y: y, W: math.Max(x1-x0-1, 0.5), H: plotB - y,
			Title: fmt.Sprintf("%s to %s: %s of answers (%d)", units.Seconds(from), units.Seconds(b.UpperSeconds), sharePercent(share), b.Count)})
		from = b.UpperSeconds
	}
	for _, q := range []struct {
		label string
		p     float64
	}{{"p50", 50}, {"p99", 99}} {
		v := float64(h.ValueAtQuantile(q.p)) / 1e6
		m := svgMark{X: xsc.at(math.Log10(math.Max(v, lo))), Y: plotT + 12 + 14*float64(len(c.Marks)), Label: q.label + " " + units.Seconds(v), Anchor: "start"}
		m.LabelX = m.X + 4
		if m.X > plotR-90 { // the label goes left of the line, inside the chart
			m.LabelX, m.Anchor = m.X-4, "end"
		}
		c.Marks = append(c.Marks, m)
	}
	return c
}

// logTicks labels a log axis from lo to hi seconds at 1, 2 and 5 times
// powers of ten, or at powers of ten alone when those are too many; at
// its ends when the range holds none.
func logTicks(lo, hi float64, sc scale) []tick {
	var all, decades []tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := tick{sc.at(math.Log10(v)), secondsLabel(v)}
			all = append(all, t)
			if m == 1 {
				decades = append(decades, t)
			}
		}
	}
	switch {
	case len(all) > 8 && len(decades) >= 2:
		return decades
	case len(all) >= 2:
		return all
	}
	return []tick{{sc.at(math.Log10(lo)), secondsLabel(lo)}, {sc.at(math.Log10(hi)), secondsLabel(hi)}}
}

// secondsLabel writes a latency tick with at most three significant
// digits and no trailing zeros: 500µs, 2ms, 1.5s.
func secondsLabel(v float64) string {
	u := unitFor(kindSeconds, v*1.0000001)
	x := v / u.div
	if x > 0 {
		p := math.Pow(10, 2-math.Floor(math.Log10(x)))
		x = math.Round(x*p) / p
	}
	return strconv.FormatFloat(x, 'f', -1, 64) + u.suffix
}

// spectrumTicks are the percentile axis's labels: x is log10(1/(1-p)).
var spectrumTicks = []struct {
	x     float64
	label string
}{{0, "0%"}, {math.Log10(2), "50%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}, {5, "99.999%"}, {6, "99.9999%"}}

// spectrumChart draws latency by percentile on the axis HdrHistogram's
// plots use, 1/(1-p) on a log scale, so that the tail gets the room.
func spectrumChart(h *hdrhistogram.Histogram) svgChart {
	c := svgChart{Title: "Latency by percentile", Legend: []legendItem{{"latency", "s3"}}}
	var xs, ys []float64
	for _, b := range h.CumulativeDistributionWithTicks(5) {
		if b.Quantile >= 100 || len(xs) > 2000 {
			break
		}
		xs = append(xs, math.Log10(1/(1-b.Quantile/100)))
		ys = append(ys, float64(b.ValueAt)/1e6)
	}
	if h.TotalCount() == 0 || len(xs) == 0 {
		c.Empty = "no answers"
		return c
	}
	end := math.Min(math.Max(math.Ceil(xs[len(xs)-1]), 1), spectrumTicks[len(spectrumTicks)-1].x)
	xsc := scale{0, end, plotL, plotR}
	ysc, yt := valueAxis(kindSeconds, peak([]series{{ys: ys}}))
	c.YTicks = yt
	for _, t := range spectrumTicks {
		if t.x <= end {
			c.XTicks = append(c.XTicks, tick{xsc.at(t.x), t.label})
		}
	}
	c.Lines = []svgLine{drawLine(series{class: "s3", ys: ys}, xs, xsc, ysc)}
	c.Note = "max " + units.Seconds(float64(h.Max())/1e6)
	return c
}
