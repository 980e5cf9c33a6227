package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

// promView holds the Prometheus screens' state.
type promView struct {
	target             int    // which scraped target the screen shows
	watched, watchURL  string // the family the browser charts, and where
	watch              chart.Model
	pins               []pin // families pinned to the overview
	pinCharts          []chart.Model
	rps, lat           chart.Model
	breakdown, browser table.Model
	queries            []chart.Model
}

func newPromView() promView {
	return promView{
		breakdown: table.New(
			table.Column{Title: "VALUE"},
			table.Column{Title: "REQ/s", Width: 9, Right: true},
			table.Column{Title: "ERR%", Width: 6, Right: true},
		),
		browser: table.New(
			table.Column{Title: "FAMILY"},
			table.Column{Title: "TYPE", Width: 9},
			table.Column{Title: "SERIES", Width: 6, Right: true},
			table.Column{Title: "HELP", HideBelow: 70},
		),
	}
}

// promTargets returns the scraped targets' URLs that have been scraped,
// in the order they were given.
func (m *Model) promTargets() []string {
	urls := make([]string, 0, len(m.snap.Prom))
	for _, u := range m.o.PromTargets {
		if m.snap.Prom[u] != nil {
			urls = append(urls, u)
		}
	}
	return urls
}

// currentProm is the target the Prometheus screen shows, or nil.
func (m *Model) currentProm() *metrics.PromTarget {
	urls := m.promTargets()
	if len(urls) == 0 {
		return nil
	}
	return m.snap.Prom[urls[m.prom.target%len(urls)]]
}

// setPromData refreshes the tables from a snapshot.
func (m *Model) setPromData() {
	t := m.currentProm()
	if t == nil {
		return
	}
	rows := make([][]string, 0, len(t.Breakdown))
	for _, r := range t.Breakdown {
		rows = append(rows, []string{r.Value, units.Count(r.Rate), fmt.Sprintf("%.1f", r.ErrorRatio*100)})
	}
	m.prom.breakdown.SetRows(rows)
	rows = make([][]string, 0, len(t.Families))
	for _, f := range t.Families {
		rows = append(rows, []string{f.Name, f.Type, fmt.Sprint(f.Series), f.Help})
	}
	m.prom.browser.SetRows(rows)
}

// healthLine says whether a target is up, in words.
func (m *Model) healthLine(t *metrics.PromTarget) string {
	if t.Up {
		return m.st.OK.Render("up") + m.st.Muted.Render(fmt.Sprintf("  %d series  scraped in %s  %s", t.Series, units.Seconds(t.ScrapeSeconds), t.Format))
	}
	retry := ""
	if !t.NextRetry.IsZero() {
		retry = fmt.Sprintf(", retrying in %s", units.Duration(max(time.Until(t.NextRetry), 0).Round(time.Second)))
	}
	return m.st.Crit.Render("down: "+t.Error) + m.st.Muted.Render(retry)
}

// promScreen: a scraped target's health, RED signals and charts, the
// breakdown by handler, and the metric browser.
func (m *Model) promScreen(w, h int) string {
	t := m.currentProm()
	if t == nil {
		return m.box("Prometheus", "", m.st.Muted.Render("waiting for the first scrape…"), w, h)
	}
	urls := m.promTargets()
	title := "Target " + t.URL
	info := ""
	if len(urls) > 1 {
		info = fmt.Sprintf("%d of %d  [ ] switch", m.prom.target%len(urls)+1, len(urls))
	}
	topH := max(h*2/5, 8)
	head := m.redPanel(t, title, info, w*2/5, topH)
	cw := w - w*2/5
	charts := panel.Row(m.promChart(t, "Requests", &m.prom.rps, metrics.PromRPS, units.Count, cw/2, topH),
		m.promChart(t, "p99 latency", &m.prom.lat, metrics.PromP99, secondsLabel, cw-cw/2, topH))
	botH := h - topH
	bw := w / 3
	bd := &m.prom.breakdown
	bd.SetSize(bw-2, botH-2)
	label := "Breakdown"
	if len(t.Breakdown) > 0 {
		label = "By " + t.Breakdown[0].Label
	}
	br := &m.prom.browser
	br.SetSize(w-bw-2, botH-2)
	shown, total := br.Len()
	binfo := fmt.Sprintf("%d families", total)
	if f := br.Filter(); f != "" {
		binfo = fmt.Sprintf("%d of %d match /%s", shown, total, f)
	}
	left := m.box(label, "", bd.View(m.tableStyles()), bw, botH)
	if m.prom.watched != "" && m.prom.watchURL == t.URL {
		left = m.watchPanel(t, bw, botH)
	} else if m.o.Watch != nil {
		binfo += "  enter chart"
	}
	return panel.Row(head, charts) + "\n" + panel.Row(left, m.box("Metrics", binfo, br.View(m.tableStyles()), w-bw, botH))
}

// pin is a family charted on the overview.
type pin struct{ url, family string }

// watchSelected charts the family under the browser's cursor.
func (m *Model) watchSelected() {
	t := m.currentProm()
	row, ok := m.prom.browser.Selected()
	if t == nil || !ok || m.o.Watch == nil {
		return
	}
	old := m.prom.watchURL
	m.prom.watched, m.prom.watchURL = row[0], t.URL
	m.syncWatch(old)
	m.syncWatch(t.URL)
}

func (m *Model) unwatch() {
	old := m.prom.watchURL
	m.prom.watched, m.prom.watchURL = "", ""
	m.syncWatch(old)
}

// togglePin pins the family under the cursor to the overview, or unpins it.
func (m *Model) togglePin() {
	t := m.currentProm()
	row, ok := m.prom.browser.Selected()
	if t == nil || !ok || m.o.Watch == nil {
		return
	}
	p := pin{t.URL, row[0]}
	for i, q := range m.prom.pins {
		if q == p {
			m.prom.pins = append(m.prom.pins[:i], m.prom.pins[i+1:]...)
			m.syncWatch(t.URL)
			return
		}
	}
	m.prom.pins = append(m.prom.pins, p)
	m.syncWatch(t.URL)
}

// syncWatch tells url's scraper every family the dashboard charts there.
func (m *Model) syncWatch(url string) {
	if url == "" || m.o.Watch == nil {
		return
	}
	var fams []string
	if m.prom.watchURL == url {
		fams = append(fams, m.prom.watched)
	}
	for _, p := range m.prom.pins {
		if p.url == url {
			fams = append(fams, p.family)
		}
	}
	m.o.Watch(url, fams)
}

// watchPanel charts the watched family: counters as per-second rates,
// gauges as values, histograms and summaries as p50 and p99.
func (m *Model) watchPanel(t *metrics.PromTarget, w, h int) string {
	return m.familyChart(t, m.prom.watched, &m.prom.watch, "esc close, space pin", w, h)
}

// familyChart draws one watched family.
func (m *Model) familyChart(t *metrics.PromTarget, fam string, c *chart.Model, hint string, w, h int) string {
	c.Fill = false
	kind := t.Watched[fam]
	if kind == "" {
		return m.box(fam, hint, m.st.Muted.Render("waiting for the next scrape…"), w, h)
	}
	var body, info string
	switch kind {
	case "quantiles":
		info = m.st.Line(0).Render("p50") + " " + m.st.Line(2).Render("p99")
		body = m.drawChart(c, w-2, h-2, units.Count,
			chart.Series{Values: m.host.series(metrics.PromWatchKey(t.URL, fam, "p50")), Style: m.st.P.Line(0)},
			chart.Series{Values: m.host.series(metrics.PromWatchKey(t.URL, fam, "p99")), Style: m.st.P.Line(2)})
	default:
		vals := m.host.series(metrics.PromWatchKey(t.URL, fam, "value"))
		info = "sum"
		if kind == "rate" {
			info = "sum of rates /s"
		}
		if len(vals) > 0 {
			info += " " + units.Count(vals[len(vals)-1])
		}
		body = m.drawChart(c, w-2, h-2, units.Count, chart.Series{Values: vals, Style: m.st.P.Line(0)})
	}
	return m.box(cells.Fit(fam, w/2), info, body, w, h)
}

// redPanel lists the signals perftop recognised, and says which metric each
// came from.
func (m *Model) redPanel(t *metrics.PromTarget, title, info string, w, h int) string {
	r := t.RED
	label := func(s string) string { return m.st.Muted.Render(fmt.Sprintf("%-11s", s)) }
	lines := []string{m.healthLine(t)}
	na := m.st.Muted.Render("not found")
	add := func(name string, ok bool, value, from string) {
		if !ok {
			lines = append(lines, label(name)+na)
			return
		}
		lines = append(lines, label(name)+value+m.st.Muted.Render("  "+from))
	}
	add("requests", r.HasRequests, units.Count(r.RequestRate)+"/s", r.RequestMetric)
	add("errors", r.HasErrors, m.st.Level(r.ErrorRatio*100, 1, 5).Render(units.Percent(r.ErrorRatio*100)), "")
	add("latency", r.HasLatency, fmt.Sprintf("p50 %s p90 %s p99 %s", units.Seconds(r.Latency.P50), units.Seconds(r.Latency.P90), units.Seconds(r.Latency.P99)), r.LatencyMetric)
	add("in flight", r.HasInFlight, units.Count(r.InFlight), r.InFlightMetric)
	add("process", r.HasProcess, fmt.Sprintf("CPU %.0f%%  RSS %s", r.CPUPercent, units.Bytes(r.RSSBytes)), "")
	add("goroutines", r.HasGoroutines, units.Count(r.Goroutines), "")
	for i := range lines {
		lines[i] = cells.Fit(lines[i], w-2)
	}
	return m.box(title, info, strings.Join(lines, "\n"), w, h)
}

func (m *Model) promChart(t *metrics.PromTarget, title string, c *chart.Model, key string, format func(float64) string, w, h int) string {
	vals := m.host.series(metrics.PromKey(t.URL, key))
	info := ""
	if len(vals) > 0 {
		info = format(vals[len(vals)-1])
	}
	c.Fill = false
	return m.box(title, info, m.drawChart(c, w-2, h-2, format, chart.Series{Values: vals, Style: m.st.P.Line(0)}), w, h)
}

// queryScreen: one chart per PromQL panel, a line per series.
func (m *Model) queryScreen(w, h int) string {
	if !m.o.PromQL {
		return ""
	}
	results := m.snap.PromQL
	if len(results) == 0 {
		return m.box("PromQL", "", m.st.Muted.Render("waiting for the first query…"), w, h)
	}
	shown := min(len(results), max(h/6, 1))
	for len(m.prom.queries) < shown {
		m.prom.queries = append(m.prom.queries, chart.Model{})
	}
	hs := panel.Split(h, shown)
	var out []string
	for i := 0; i < shown; i++ {
		out = append(out, m.queryPanel(results[i], &m.prom.queries[i], w, hs[i]))
	}
	return strings.Join(out, "\n")
}

func (m *Model) queryPanel(r metrics.PromQLResult, c *chart.Model, w, h int) string {
	var series []chart.Series
	var legend []string
	common := commonLabels(r.Series)
	for i, s := range r.Series {
		vals := make([]float64, len(s.Points))
		for j, p := range s.Points {
			vals[j] = p.V
		}
		series = append(series, chart.Series{Values: vals, Style: m.st.P.Line(i)})
		last := "-"
		if p, ok := s.Last(); ok {
			last = units.Count(p.V)
		}
		legend = append(legend, m.st.Line(i).Render("━ ")+cells.Fit(distinctLabels(s, common), 40)+" "+last)
	}
	info := r.Expr
	if r.Hidden > 0 {
		legend = append(legend, m.st.Muted.Render(fmt.Sprintf("+%d more series not shown", r.Hidden)))
	}
	legendW := 0
	for _, l := range legend {
		legendW = max(legendW, cells.Width(l))
	}
	legendW = min(legendW+1, (w-2)/2)
	var body string
	if r.Err != "" && len(series) == 0 {
		body = m.st.Crit.Render(r.Err)
	} else {
		c.Fill = false
		chartW := w - 2 - legendW
		body = panel.Row(panel.Block(m.drawChart(c, chartW, h-2, units.Count, series...), chartW, h-2),
			panel.Block(strings.Join(legend, "\n"), legendW, h-2))
		if r.Err != "" {
			info = "error: " + r.Err
		}
	}
	return m.box(r.Title, info, body, w, h)
}

// commonLabels are the labels every series shares (job, instance...),
// left out of the legend so it shows what tells the lines apart.
func commonLabels(series []metrics.PromQLSeries) map[string]string {
	if len(series) < 2 {
		return nil
	}
	common := map[string]string{}
	for k, v := range series[0].Metric {
		common[k] = v
	}
	for _, s := range series[1:] {
		for k, v := range common {
			if s.Metric[k] != v {
				delete(common, k)
			}
		}
	}
	return common
}

func distinctLabels(s metrics.PromQLSeries, common map[string]string) string {
	if len(common) == 0 {
		return s.Labels
	}
	keys := make([]string, 0, len(s.Metric))
	for k := range s.Metric {
		if _, ok := common[k]; !ok && k != "__name__" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(s.Metric[k])
	}
	return s.Metric["__name__"] + "{" + strings.Join(parts, ",") + "}"
}

// pinnedRow draws the families pinned to the overview side by side.
func (m *Model) pinnedRow(w, h int) string {
	n := len(m.prom.pins)
	for len(m.prom.pinCharts) < n {
		m.prom.pinCharts = append(m.prom.pinCharts, chart.Model{})
	}
	ws := panel.Split(w, n)
	blocks := make([]string, n)
	for i, p := range m.prom.pins {
		t := m.snap.Prom[p.url]
		if t == nil {
			blocks[i] = m.box(p.family, "", m.st.Muted.Render("no scrape yet"), ws[i], h)
			continue
		}
		blocks[i] = m.familyChart(t, p.family, &m.prom.pinCharts[i], "", ws[i], h)
	}
	return panel.Row(blocks...)
}
