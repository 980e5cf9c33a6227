package promql

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/metrics"
)

// fromMatrix converts a range query's result, keeping the max series with
// the highest newest values (what matters most on a dashboard), and
// returns how many it left out.
func fromMatrix(m model.Matrix, max int) ([]metrics.PromQLSeries, int) {
	all := make([]metrics.PromQLSeries, len(m))
	for i, ss := range m {
		pts := make([]metrics.Point, len(ss.Values))
		for j, p := range ss.Values {
			pts[j] = metrics.Point{T: p.Timestamp.Time(), V: float64(p.Value)}
		}
		all[i] = metrics.PromQLSeries{Labels: formatMetric(ss.Metric), Metric: labelMap(ss.Metric), Points: pts}
	}
	return capSeries(all, max)
}

// capSeries keeps the max series with the highest newest values, sorted by
// labels, and returns how many it left out. NaN values rank below every
// number, series without points below NaN, equal values by labels.
func capSeries(all []metrics.PromQLSeries, max int) ([]metrics.PromQLSeries, int) {
	if max > 0 && len(all) > max {
		slices.SortFunc(all, func(a, b metrics.PromQLSeries) int {
			if c := compareNewest(b, a); c != 0 {
				return c
			}
			return strings.Compare(a.Labels, b.Labels)
		})
		hidden := len(all) - max
		all = slices.Clip(all[:max])
		sortByLabels(all)
		return all, hidden
	}
	sortByLabels(all)
	return all, 0
}

func sortByLabels(s []metrics.PromQLSeries) {
	slices.SortFunc(s, func(a, b metrics.PromQLSeries) int { return strings.Compare(a.Labels, b.Labels) })
}

// compareNewest orders series by their newest values: no point < NaN <
// any number.
func compareNewest(a, b metrics.PromQLSeries) int {
	rank := func(s metrics.PromQLSeries) (int, float64) {
		p, ok := s.Last()
		switch {
		case !ok:
			return 0, 0
		case math.IsNaN(p.V):
			return 1, 0
		}
		return 2, p.V
	}
	ra, va := rank(a)
	rb, vb := rank(b)
	if c := cmp.Compare(ra, rb); c != 0 {
		return c
	}
	return cmp.Compare(va, vb)
}

// formatMetric writes m as name{a="b",c="d"}: labels sorted, no spaces.
func formatMetric(m model.Metric) string {
	names := make([]string, 0, len(m))
	for k := range m {
		if k != model.MetricNameLabel {
			names = append(names, string(k))
		}
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString(string(m[model.MetricNameLabel]))
	if len(names) == 0 && b.Len() > 0 {
		return b.String()
	}
	b.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(string(m[model.LabelName(k)])))
	}
	b.WriteByte('}')
	return b.String()
}

func labelMap(m model.Metric) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[string(k)] = string(v)
	}
	return out
}
