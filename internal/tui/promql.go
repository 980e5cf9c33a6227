package tui

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/units"
)

// promQLPage is the PromQL screen: the results the PromQL source publishes
// in the Store, one chart per query.
type promQLPage struct {
	*shared
	size
	noKeys
	queries []chart.Model
}

var _ Component = (*promQLPage)(nil)

// View: one chart per PromQL panel, a line per series.
func (v *promQLPage) View() string {
	w, h := v.w, v.h
	results := v.snap.PromQL
	if len(results) == 0 {
		return v.box("PromQL", "", v.st.Muted.Render("waiting for the first query…"), w, h)
	}
	shown := min(len(results), max(h/6, 1))
	for len(v.queries) < shown {
		v.queries = append(v.queries, chart.Model{})
	}
	hs := panel.Split(h, shown)
	var out []string
	for i := 0; i < shown; i++ {
		out = append(out, v.queryPanel(results[i], &v.queries[i], w, hs[i]))
	}
	return strings.Join(out, "\n")
}

func (v *promQLPage) queryPanel(r metrics.PromQLResult, c *chart.Model, w, h int) string {
	var series []chart.Series
	var legend []legendLine
	common := commonLabels(r.Series)
	format := unitOf(r.Expr)
	for i, s := range r.Series {
		vals, times := make([]float64, len(s.Points)), make([]float64, len(s.Points))
		for j, p := range s.Points {
			vals[j], times[j] = p.V, unixSeconds(p.T)
		}
		series = append(series, chart.Series{Values: vals, Times: times, Style: v.st.P.Line(i)})
		last := "-"
		if p, ok := s.Last(); ok {
			last = format(p.V)
		}
		name := distinctLabels(s, common)
		if name == "{}" || name == "" {
			name = r.Title // a series without labels: what the panel asks
			if name == "" {
				name = r.Expr
			}
		}
		legend = append(legend, legendLine{v.st.Line(i).Render("━ "), name, last})
	}
	info := fitText(w, r.Title, r.Expr)
	if r.Hidden > 0 {
		legend = append(legend, legendLine{name: v.st.Muted.Render(fmt.Sprintf("+%d more series not shown", r.Hidden))})
	}
	legendW := 0
	for _, l := range legend {
		legendW = max(legendW, l.width())
	}
	legendW = min(legendW+1, (w-2)/2)
	lines := make([]string, len(legend))
	for i, l := range legend {
		lines[i] = l.fit(legendW - 1)
	}
	var body string
	if r.Err != "" && len(series) == 0 {
		body = v.st.Crit.Render(r.Err)
	} else {
		c.Fill, c.X = false, chart.Ago
		chartW := w - 2 - legendW
		body = panel.Row(panel.Block(v.drawChart(c, chartW, h-2, format, series...), chartW, h-2),
			panel.Block(strings.Join(lines, "\n"), legendW, h-2))
		if r.Err != "" {
			info = "error: " + r.Err
		}
	}
	return v.box(r.Title, info, body, w, h)
}

// legendLine is a series' line of a PromQL panel's legend: its mark, its
// name (cut to fit) and its latest value (always whole).
type legendLine struct{ mark, name, value string }

func (l legendLine) width() int {
	if l.value == "" {
		return cells.Width(l.mark + l.name)
	}
	return cells.Width(l.mark+l.name) + 1 + cells.Width(l.value)
}

// fit is the line in w cells at most: the name gives way to the value.
func (l legendLine) fit(w int) string {
	if l.value == "" {
		return cells.Fit(l.mark+l.name, w)
	}
	room := w - cells.Width(l.mark) - 1 - cells.Width(l.value)
	if room < 1 {
		return l.value
	}
	return l.mark + cells.Fit(l.name, min(room, 40)) + " " + l.value
}

// unitOf guesses a query's unit from the metric names in it, by
// Prometheus's naming conventions: a quantile of a _seconds histogram is
// in seconds, a _bytes metric in bytes, its rate in bytes a second;
// anything else is a plain number.
func unitOf(expr string) func(float64) string {
	rate := strings.Contains(expr, "rate(") || strings.Contains(expr, "increase(") || strings.Contains(expr, "deriv(")
	switch {
	case strings.Contains(expr, "_bytes") && rate:
		return units.BytesRate
	case strings.Contains(expr, "_bytes"):
		return units.Bytes
	case strings.Contains(expr, "_seconds") && !strings.Contains(expr, "time_seconds") && (strings.Contains(expr, "histogram_quantile(") || !rate):
		return units.Seconds
	}
	return units.Count
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
