package promql

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/metrics"
)

// Result is a panel's latest state. Once published, a Result and its
// slices are never modified.
type Result struct {
	Panel Panel
	// Series are at most MaxSeries of the series the query returned,
	// ordered by Labels so that a series keeps its place (and colour)
	// from one refresh to the next.
	Series []Series
	// Hidden counts the series returned but not shown.
	Hidden int
	// Err is the latest round's error in words, "" when it succeeded.
	// After a failure, Series are still those fetched at At, so the chart
	// shows stale data rather than going blank.
	Err string
	// Warnings are the server's warnings about the query, if any.
	Warnings []string
	// At is when Series were fetched; zero before the first success.
	At time.Time
}

// Series is one series of a result: its labels and points, oldest first.
type Series struct {
	// Labels is the series in PromQL's notation, compact and sorted:
	// name{a="b",c="d"}, or {} for a series without labels.
	Labels string
	// Metric holds the labels one by one, the name under __name__.
	Metric map[string]string
	Points []metrics.Point
}

// Last returns the series' newest point, or false when it has none.
func (s Series) Last() (metrics.Point, bool) {
	if len(s.Points) == 0 {
		return metrics.Point{}, false
	}
	return s.Points[len(s.Points)-1], true
}

// fromMatrix converts a range query's result, keeping the max series with
// the highest newest values (what matters most on a dashboard), and
// returns how many it left out.
func fromMatrix(m model.Matrix, max int) ([]Series, int) {
	all := make([]Series, len(m))
	for i, ss := range m {
		pts := make([]metrics.Point, len(ss.Values))
		for j, p := range ss.Values {
			pts[j] = metrics.Point{T: p.Timestamp.Time(), V: float64(p.Value)}
		}
		all[i] = Series{Labels: formatMetric(ss.Metric), Metric: labelMap(ss.Metric), Points: pts}
	}
	return capSeries(all, max)
}

// capSeries keeps the max series with the highest newest values, sorted by
// labels, and returns how many it left out. NaN values rank below every
// number, series without points below NaN, equal values by labels.
func capSeries(all []Series, max int) ([]Series, int) {
	if max > 0 && len(all) > max {
		slices.SortFunc(all, func(a, b Series) int {
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

func sortByLabels(s []Series) {
	slices.SortFunc(s, func(a, b Series) int { return strings.Compare(a.Labels, b.Labels) })
}

// compareNewest orders series by their newest values: no point < NaN <
// any number.
func compareNewest(a, b Series) int {
	rank := func(s Series) (int, float64) {
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
