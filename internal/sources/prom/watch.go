package prom

import (
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// watch is the metric browser's chart of one family, reduced to a value or
// two: the sum of a counter's rates or of a gauge's values, or p50 and p99
// of a histogram or summary.
type watch struct {
	kind            string // "rate", "value" or "quantiles"
	value, p50, p99 float64
}

func (d *deriver) watchFamily(f *dto.MetricFamily, rate func(uint64, float64) float64) watch {
	var w watch
	switch f.GetType() {
	case dto.MetricType_COUNTER:
		w.kind = "rate"
		for _, m := range f.GetMetric() {
			w.value += rate(seriesKey(f.GetName(), m), value(m))
		}
	case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
		var red metrics.RED
		if d.latency(f, &red, rate) {
			w.kind, w.p50, w.p99 = "quantiles", red.Latency.P50, red.Latency.P99
		}
	case dto.MetricType_SUMMARY:
		w.kind = "quantiles"
		n := 0.0
		for _, m := range f.GetMetric() {
			for _, q := range m.GetSummary().GetQuantile() {
				switch q.GetQuantile() {
				case 0.5:
					w.p50 += q.GetValue()
				case 0.99:
					w.p99 += q.GetValue()
				}
			}
			n++
		}
		if n > 0 { // the mean over series: summaries cannot be merged
			w.p50, w.p99 = w.p50/n, w.p99/n
		}
	default:
		w.kind = "value"
		for _, m := range f.GetMetric() {
			w.value += value(m)
		}
	}
	return w
}

// maxHelpLen is the most of a family's HELP text kept for the browser,
// which shows one line of it.
const maxHelpLen = 1024

// families lists a scrape's families for the metric browser, their names
// and help text made printable on one line.
func families(fams []*dto.MetricFamily) []metrics.FamilyInfo {
	out := make([]metrics.FamilyInfo, len(fams))
	for i, f := range fams {
		out[i] = metrics.FamilyInfo{
			Name: printable.Line(f.GetName()), Type: strings.ToLower(f.GetType().String()),
			Help: printable.Line(printable.Cut(f.GetHelp(), maxHelpLen)), Series: len(f.GetMetric()),
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
