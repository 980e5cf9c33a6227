package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/units"
)

// healthLine says whether a target is up, in words, in w cells: what
// does not fit whole is left out.
func (v *promPage) healthLine(t *metrics.PromTarget, w int) string {
	if t.Up {
		return v.st.OK.Render("up") + v.st.Muted.Render(whole(w-2, "", fmt.Sprintf(" %d series", t.Series),
			" scraped in "+units.Seconds(t.ScrapeSeconds), " "+t.Format))
	}
	retry := ""
	if !t.NextRetry.IsZero() {
		retry = fmt.Sprintf(", retrying in %s", units.Duration(max(time.Until(t.NextRetry), 0).Round(time.Second)))
	}
	return v.st.Crit.Render("down: "+t.Error) + v.st.Muted.Render(retry)
}

// redPanel lists the signals perftop recognised, and says which metric each
// came from.
func (v *promPage) redPanel(t *metrics.PromTarget, title, info string, w, h int) string {
	r := t.RED
	const labelW = 11
	label := func(s string) string { return v.st.Muted.Render(fmt.Sprintf("%-*s", labelW, s)) }
	lines := []string{v.healthLine(t, w)}
	na := v.st.Muted.Render("not found")
	// Each line: its numbers, as many as fit whole, then the metric they
	// came from, which may be cut (a name, not a number).
	add := func(name string, ok bool, from string, values ...string) {
		if !ok {
			lines = append(lines, label(name)+na)
			return
		}
		line := whole(w-2-labelW, values...)
		if room := w - 2 - labelW - cells.Width(line) - 2; from != "" && room >= 8 {
			line += v.st.Muted.Render("  " + cells.Fit(from, room))
		}
		lines = append(lines, label(name)+line)
	}
	add("requests", r.HasRequests, r.RequestMetric, units.Count(r.RequestRate)+"/s")
	add("errors", r.HasErrors, "", v.st.Level(r.ErrorRatio*100, 1, 5).Render(units.Percent(r.ErrorRatio*100)))
	add("latency", r.HasLatency, r.LatencyMetric, "p50 "+units.Seconds(r.Latency.P50), "p99 "+units.Seconds(r.Latency.P99), "p90 "+units.Seconds(r.Latency.P90))
	add("in flight", r.HasInFlight, r.InFlightMetric, units.Count(r.InFlight))
	add("process", r.HasProcess, "", fmt.Sprintf("CPU %.0f%%", r.CPUPercent), "RSS "+units.Bytes(r.RSSBytes))
	add("goroutines", r.HasGoroutines, "", units.Count(r.Goroutines))
	return v.box(title, info, strings.Join(lines, "\n"), w, h)
}

func (v *promPage) promChart(t *metrics.PromTarget, title string, c *chart.Model, key string, format func(float64) string, w, h int) string {
	l := v.line(metrics.PromKey(t.URL, key), v.st.P.Line(0))
	info := ""
	if len(l.Values) > 0 {
		info = format(l.Values[len(l.Values)-1])
	}
	c.Fill, c.X = false, chart.Ago
	return v.box(title, info, v.drawChart(c, w-2, h-2, format, l), w, h)
}

// watchPanel charts the family the browser opened.
func (v *promPage) watchPanel(t *metrics.PromTarget, w, h int) string {
	return v.familyChart(t, v.watched, &v.watch, "esc close, space pin", w, h)
}

// familyChart draws one watched family: counters as per-second rates,
// gauges as values, histograms and summaries as p50 and p99.
func (s *shared) familyChart(t *metrics.PromTarget, fam string, c *chart.Model, hint string, w, h int) string {
	c.Fill, c.X = false, chart.Ago
	kind := t.Watched[fam]
	if kind == "" {
		return s.box(fam, hint, s.st.Muted.Render("waiting for the next scrape…"), w, h)
	}
	var body, info string
	switch kind {
	case "quantiles":
		info = s.st.Line(0).Render("p50") + " " + s.st.Line(2).Render("p99")
		body = s.drawChart(c, w-2, h-2, units.Count,
			s.line(metrics.PromWatchKey(t.URL, fam, "p50"), s.st.P.Line(0)),
			s.line(metrics.PromWatchKey(t.URL, fam, "p99"), s.st.P.Line(2)))
	default:
		l := s.line(metrics.PromWatchKey(t.URL, fam, "value"), s.st.P.Line(0))
		format := units.Count
		info = "sum"
		if kind == "rate" {
			info, format = "sum of rates /s", perSecond
		}
		if len(l.Values) > 0 {
			info += " " + units.Count(l.Values[len(l.Values)-1])
		}
		body = s.drawChart(c, w-2, h-2, format, l)
	}
	return s.box(cells.Fit(fam, w/2), info, body, w, h)
}

// row draws the families pinned to the overview side by side.
func (b *pinBoard) row(s *shared, w, h int) string {
	n := len(b.pins)
	for len(b.charts) < n {
		b.charts = append(b.charts, chart.Model{})
	}
	ws := panel.Split(w, n)
	blocks := make([]string, n)
	for i, p := range b.pins {
		t := s.snap.Prom[p.url]
		if t == nil {
			blocks[i] = s.box(p.family, "", s.st.Muted.Render("no scrape yet"), ws[i], h)
			continue
		}
		blocks[i] = s.familyChart(t, p.family, &b.charts[i], "", ws[i], h)
	}
	return panel.Row(blocks...)
}
