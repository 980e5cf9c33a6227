package promql

import (
	"cmp"
	"container/heap"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// fromMatrix converts a range query's result, keeping the max series with
// the highest newest values (what matters most on a dashboard), at most
// maxPoints of each, the newest, and returns how many series it left out.
// Only the series kept are converted: a query may return 100,000. max <= 0
// keeps all, maxPoints <= 0 every point.
func fromMatrix(m model.Matrix, max, maxPoints int) ([]metrics.PromQLSeries, int) {
	keep := topSeries(m, max)
	out := make([]metrics.PromQLSeries, len(keep))
	for i, k := range keep {
		ss := m[k]
		vals := ss.Values
		if maxPoints > 0 && len(vals) > maxPoints {
			vals = vals[len(vals)-maxPoints:]
		}
		pts := make([]metrics.Point, len(vals))
		for j, p := range vals {
			pts[j] = metrics.Point{T: p.Timestamp.Time(), V: float64(p.Value)}
		}
		out[i] = metrics.PromQLSeries{Labels: formatMetric(ss.Metric), Metric: labelMap(ss.Metric), Points: pts}
	}
	sortByLabels(out)
	return out, len(m) - len(keep)
}

// topSeries returns the indexes of the max series of m with the highest
// newest values, in no order. NaN values rank below every number, series
// without points below NaN, equal values by labels, the first in label
// order kept. Labels are formatted only to break ties.
func topSeries(m model.Matrix, max int) []int {
	if max <= 0 || len(m) <= max {
		all := make([]int, len(m))
		for i := range all {
			all[i] = i
		}
		return all
	}
	r := ranking{m: m}
	h := &seriesHeap{r: &r, idx: make([]int, 0, max)}
	for i := range m {
		if len(h.idx) < max {
			heap.Push(h, i)
		} else if r.worse(h.idx[0], i) {
			h.idx[0] = i
			heap.Fix(h, 0)
		}
	}
	return h.idx
}

// ranking orders the series of a matrix for topSeries.
type ranking struct {
	m      model.Matrix
	labels []string // formatted on demand, for the first tie
}

func (r *ranking) label(i int) string {
	if r.labels == nil {
		r.labels = make([]string, len(r.m))
	}
	if r.labels[i] == "" {
		r.labels[i] = formatMetric(r.m[i].Metric)
	}
	return r.labels[i]
}

// worse reports whether series i ranks below series j.
func (r *ranking) worse(i, j int) bool {
	if c := compareNewest(r.m[i].Values, r.m[j].Values); c != 0 {
		return c < 0
	}
	return r.label(i) > r.label(j)
}

// seriesHeap is a heap of series indexes, the worst on top.
type seriesHeap struct {
	r   *ranking
	idx []int
}

func (h *seriesHeap) Len() int           { return len(h.idx) }
func (h *seriesHeap) Less(i, j int) bool { return h.r.worse(h.idx[i], h.idx[j]) }
func (h *seriesHeap) Swap(i, j int)      { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *seriesHeap) Push(x any)         { h.idx = append(h.idx, x.(int)) }
func (h *seriesHeap) Pop() any {
	x := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return x
}

func sortByLabels(s []metrics.PromQLSeries) {
	slices.SortFunc(s, func(a, b metrics.PromQLSeries) int { return strings.Compare(a.Labels, b.Labels) })
}

// compareNewest orders series by their newest values: no point < NaN <
// any number.
func compareNewest(a, b []model.SamplePair) int {
	rank := func(s []model.SamplePair) (int, float64) {
		switch {
		case len(s) == 0:
			return 0, 0
		case math.IsNaN(float64(s[len(s)-1].Value)):
			return 1, 0
		}
		return 2, float64(s[len(s)-1].Value)
	}
	ra, va := rank(a)
	rb, vb := rank(b)
	if c := cmp.Compare(ra, rb); c != 0 {
		return c
	}
	return cmp.Compare(va, vb)
}

// formatMetric writes m as name{a="b",c="d"}: labels sorted, no spaces,
// values quoted, names made printable on one line (a server's UTF-8 names
// may hold control characters).
func formatMetric(m model.Metric) string {
	names := make([]string, 0, len(m))
	for k := range m {
		if k != model.MetricNameLabel {
			names = append(names, string(k))
		}
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString(printable.Line(string(m[model.MetricNameLabel])))
	if len(names) == 0 && b.Len() > 0 {
		return b.String()
	}
	b.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(printable.Line(k))
		b.WriteByte('=')
		b.WriteString(strconv.Quote(string(m[model.LabelName(k)])))
	}
	b.WriteByte('}')
	return b.String()
}

// labelMap returns m's labels, names and values made printable on one line.
func labelMap(m model.Metric) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[printable.Line(string(k))] = printable.Line(string(v))
	}
	return out
}
