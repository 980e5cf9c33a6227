package tui

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/units"
)

// groupsView lays out the load screen of a test of several requests: the
// latency chart (the aggregate and the selected request) and the numbers on
// top, the per-request table under them, then throughput, errors and the
// split headers' shares, then the histogram, responses and host when there
// is room. A short terminal drops the bottom row first, then the middle.
func (v *loadView) groupsView(lt *metrics.LoadTest, w, h int) string {
	leftW := w * 62 / 100
	tableH := min(len(lt.ByName)+4, max(h/3, 5)) // borders, header, the selected row's line
	rest := h - tableH
	if h < 20 {
		return panel.Row(v.latencyPanel(lt, leftW, rest), v.nowPanel(lt, w-leftW, rest)) + "\n" + v.requestsPanel(lt, w, tableH)
	}
	topH := max(rest*9/20, 8)
	top := panel.Row(v.latencyPanel(lt, leftW, topH), v.nowPanel(lt, w-leftW, topH))
	out := top + "\n" + v.requestsPanel(lt, w, tableH)
	below := rest - topH
	midH, botH := below, 0
	if below >= 10 {
		midH = below / 2
		botH = below - midH
	}
	out += "\n" + v.midRow(lt, w, midH)
	if botH > 0 {
		ws := panel.Split(w, 3)
		out += "\n" + panel.Row(v.histogramPanel(lt, ws[0], botH), v.statusPanel(lt, ws[1], botH), v.hostMiniPanel(ws[2], botH))
	}
	return out
}

// midRow is throughput and errors, and beside them a panel per split
// header, as many as the width has room for (at least one).
func (v *loadView) midRow(lt *metrics.LoadTest, w, h int) string {
	n := min(len(lt.Splits), maxSplitPanels, max(w/60, 1))
	if n == 0 {
		half := w / 2
		return panel.Row(v.rpsPanel(lt, half, h), v.errorsPanel(lt, w-half, h))
	}
	ws := panel.Split(w, 2+n)
	blocks := []string{v.rpsPanel(lt, ws[0], h), v.errorsPanel(lt, ws[1], h)}
	for i := range n {
		blocks = append(blocks, v.splitPanel(lt, i, ws[2+i], h))
	}
	return panel.Row(blocks...)
}

// requestsPanel is the per-request table, and under it what the selected
// row's columns leave out: its failures by kind and its overall rate.
func (v *loadView) requestsPanel(lt *metrics.LoadTest, w, h int) string {
	g := v.groups
	iw, ih := w-2, h-2
	rowsH := ih
	if ih >= 3 {
		rowsH = ih - 1
	}
	g.table.SetSize(iw, rowsH)
	body := g.table.View(v.tableStyles())
	if rowsH < ih {
		body += "\n" + v.selectedLine(lt, iw)
	}
	order := "by " + groupOrders[g.order].name
	shown, total := g.table.Len()
	count := fmt.Sprintf("%d", total)
	if shown != total {
		count = fmt.Sprintf("%d of %d", shown, total)
	}
	return v.box("Requests", fitInfo(w, "Requests", count+" · "+order+" (< >)", count+" · "+order, order), body, w, h)
}

// selectedLine is the selected request's failures by kind, most first,
// and its rate over the whole run.
func (v *loadView) selectedLine(lt *metrics.LoadTest, iw int) string {
	gr, ok := v.groups.selected()
	if !ok {
		return ""
	}
	parts := []string{v.st.Accent.Render(cells.Fit(gr.Name, max(iw/3, 8))), units.Count(gr.RPS) + " req/s overall"}
	if lt.State != metrics.TestDone && gr.Window.ErrorsPerSecond > 0 {
		parts = append(parts, v.st.Crit.Render("fail/s "+units.Count(gr.Window.ErrorsPerSecond)))
	}
	kinds := sortedKeys(gr.ErrorsByKind)
	slices.SortStableFunc(kinds, func(a, b string) int { return cmp.Compare(gr.ErrorsByKind[b], gr.ErrorsByKind[a]) })
	for _, k := range kinds {
		parts = append(parts, v.st.Crit.Render(fmt.Sprintf("%s %d", groupLabel(k), gr.ErrorsByKind[k])))
	}
	if len(kinds) == 0 && gr.Requests > 0 {
		parts = append(parts, v.st.Muted.Render("no failures"))
	}
	for _, sp := range gr.Splits { // its answers by each header's most frequent value
		if len(sp.Values) > 0 {
			top := &sp.Values[0]
			parts = append(parts, v.st.Muted.Render(cells.Fit(groupLabel(sp.Header), 16))+" "+
				cells.Fit(groupLabel(top.Value), 12)+" "+units.Percent(top.Share*100))
		}
	}
	return spaced(iw, parts...)
}

// spaced joins parts two spaces apart for a line of w cells at most,
// leaving out the parts that do not fit whole, the last first.
func spaced(w int, parts ...string) string {
	for i := 1; i < len(parts); i++ {
		parts[i] = " " + parts[i]
	}
	return whole(w, parts...)
}

// selectedSeries are the selected request's p50 and p99 over time for the
// latency chart, and its name; none when no row is selected or the name
// has no ring.
func (v *loadView) selectedSeries() (string, []chart.Series) {
	g := v.groups
	if g == nil || !g.active() {
		return "", nil
	}
	gr, ok := g.selected()
	if !ok || v.replay != nil { // a replay has one moment of each request, no history
		return "", nil
	}
	r := g.lat[gr.Name]
	if r == nil {
		return gr.Name, nil
	}
	return gr.Name, []chart.Series{
		{Values: r.p50.vals, Times: r.p50.times, Style: v.st.P.Line(4)},
		{Values: r.p99.vals, Times: r.p99.times, Style: v.st.P.Line(5)},
	}
}

// groupLatencyPanel is the latency chart of a test of several requests:
// the aggregate's p50 and p99, and the selected request's.
func (v *loadView) groupLatencyPanel(lt *metrics.LoadTest, w, h int, info string) string {
	c := &v.latency
	v.runChart(c, lt).Fill = false
	name, sel := v.selectedSeries()
	legend := v.st.Muted.Render("all") + " " + v.st.Line(0).Render("p50") + " " + v.st.Line(2).Render("p99")
	if name != "" && len(sel) > 0 {
		tail := " " + v.st.Line(4).Render("p50") + " " + v.st.Line(5).Render("p99")
		room := w - 2 - cells.Width(legend) - 2 - cells.Width(tail)
		if room >= 4 {
			legend += "  " + v.st.Text.Render(cells.Fit(name, room)) + tail
		}
	}
	series := append([]chart.Series{v.line(metrics.KeyLoadP50, v.st.P.Line(0)), v.line(metrics.KeyLoadP99, v.st.P.Line(2))}, sel...)
	body := v.drawChart(c, w-2, h-3, secondsLabel, series...)
	return v.box("Latency", info, legend+"\n"+body, w, h)
}

// splitPanel is one --split-by header: each charted value's share of the
// answers per interval over time (a cache's hit ratio climbing as it
// warms), then each value's share and latency over the whole run.
func (v *loadView) splitPanel(lt *metrics.LoadTest, i, w, h int) string {
	sp := &lt.Splits[i]
	g := v.groups
	iw, ih := w-2, h-2
	title := groupLabel(sp.Header)
	values := sp.Values[:min(len(sp.Values), maxSplitValues)]
	if len(values) == 0 {
		return v.box(title, "", v.st.Muted.Render("no answers yet"), w, h)
	}
	var legend []string
	var series []chart.Series
	for j, val := range values {
		share := val.Share * 100
		r := g.shares[shareKey(sp.Header, val.Value)]
		if r != nil && len(r.vals) > 0 {
			share = r.vals[len(r.vals)-1]
			series = append(series, chart.Series{Values: r.vals, Times: r.times, Style: v.st.P.Line(j)})
		}
		legend = append(legend, v.st.Line(j).Render(cells.Fit(groupLabel(val.Value), 12))+" "+units.Percent(share))
	}
	// The whole run's lines under the chart, as many as leave it 3 rows.
	lines := min(len(values), max(ih-1-3, 0))
	chartH := ih - 1 - lines
	c := &g.splitCharts[i]
	v.runChart(c, lt)
	c.Fill, c.YMin, c.YMax = false, 0, 100
	body := spaced(iw, legend...) + "\n" + v.drawChart(c, iw, chartH, percentLabel, series...)
	nameW := min(max(iw/4, 6), 14)
	for _, val := range values[:lines] {
		q := val.Latency
		name := v.st.Muted.Render(cells.Pad(cells.Fit(groupLabel(val.Value), nameW), nameW))
		parts := []string{name, units.Percent(val.Share * 100)}
		if q != (metrics.Quantiles{}) {
			parts = append(parts, "p50 "+units.Seconds(q.P50), "p99 "+units.Seconds(q.P99))
		}
		body += "\n" + spaced(iw, parts...)
	}
	info := fitInfo(w, title, "share of answers, now", "share now", "")
	return v.box(title, info, body, w, h)
}
