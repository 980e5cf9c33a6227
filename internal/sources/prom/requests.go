package prom

import (
	"math"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// requests sums the request counter's rates, its errors, and the breakdown.
func (d *deriver) requests(f *dto.MetricFamily, red *metrics.RED, rate func(uint64, float64) float64) []metrics.BreakdownRow {
	statusLabel := d.cfg.StatusLabel
	group := d.cfg.GroupBy
	if ms := f.GetMetric(); len(ms) > 0 {
		if statusLabel == "" {
			statusLabel = firstLabel(ms[0], statusLabels)
		}
		if group == "" {
			group = firstLabel(ms[0], groupLabels)
		}
	}
	var errs float64
	groups := map[string]*metrics.BreakdownRow{}
	for _, m := range f.GetMetric() {
		if !d.matches(m) {
			continue
		}
		r := rate(seriesKey(f.GetName(), m), value(m))
		red.RequestRate += r
		isErr := false
		if statusLabel != "" {
			red.HasErrors = true
			status := labelValue(m, statusLabel)
			for _, c := range d.cfg.ErrorClasses {
				if strings.HasPrefix(status, c) {
					isErr = true
				}
			}
		}
		if isErr {
			errs += r
		}
		if group != "" {
			v := printable.Line(labelValue(m, group))
			row := groups[v]
			if row == nil {
				row = &metrics.BreakdownRow{Label: group, Value: v}
				groups[v] = row
			}
			row.Rate += r
			if isErr {
				row.ErrorRatio += r // errors for now; a ratio below
			}
		}
	}
	if red.RequestRate > 0 {
		red.ErrorRatio = errs / red.RequestRate
	}
	rows := make([]metrics.BreakdownRow, 0, len(groups))
	for _, r := range groups {
		if r.Rate > 0 {
			r.ErrorRatio /= r.Rate
		} else {
			r.ErrorRatio = 0
		}
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Rate > rows[j].Rate || rows[i].Rate == rows[j].Rate && rows[i].Value < rows[j].Value
	})
	return rows
}

// latency computes p50, p90 and p99 of the histogram's increase since the
// last scrape, summed over its series, classic or native.
func (d *deriver) latency(f *dto.MetricFamily, red *metrics.RED, rate func(uint64, float64) float64) bool {
	d.buckets = d.buckets[:0]
	for _, m := range f.GetMetric() {
		if !d.matches(m) {
			continue
		}
		h := m.GetHistogram()
		base := seriesKey(f.GetName(), m)
		if len(h.GetBucket()) > 0 {
			for i, b := range h.GetBucket() {
				if math.IsInf(b.GetUpperBound(), 1) {
					continue // the count below is the +Inf bucket
				}
				d.addBucket(b.GetUpperBound(), rate(base+uint64(i)+1, float64(b.GetCumulativeCount())))
			}
			d.addBucket(math.Inf(1), rate(base, float64(h.GetSampleCount())))
			continue
		}
		nativeBuckets(h, func(upper float64, idx int, cum float64) {
			d.addBucket(upper, rate(base^uint64(idx)*0x9e3779b97f4a7c15, cum))
		})
	}
	if len(d.buckets) == 0 {
		return false
	}
	q := func(p float64) float64 {
		v := metrics.HistogramQuantile(p, d.buckets)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0
		}
		return v
	}
	red.Latency = metrics.Latency{P50: q(0.5), P90: q(0.9), P99: q(0.99)}
	return true
}

// fewBuckets is how many bounds addBucket searches one by one. Series of a
// family share their bounds, so there are few; a target that gives each
// series bounds of its own gets an index instead of a quadratic search.
const fewBuckets = 32

// addBucket adds n to the bucket with this bound, keeping one entry per
// bound.
func (d *deriver) addBucket(upper, n float64) {
	if len(d.buckets) <= fewBuckets {
		for i := range d.buckets {
			if d.buckets[i].UpperBound == upper {
				d.buckets[i].Count += n
				return
			}
		}
		d.buckets = append(d.buckets, metrics.BucketCount{UpperBound: upper, Count: n})
		if len(d.buckets) > fewBuckets {
			if d.bucketAt == nil {
				d.bucketAt = map[float64]int{}
			}
			clear(d.bucketAt)
			for i, b := range d.buckets {
				d.bucketAt[b.UpperBound] = i
			}
		}
		return
	}
	if i, ok := d.bucketAt[upper]; ok {
		d.buckets[i].Count += n
		return
	}
	d.bucketAt[upper] = len(d.buckets)
	d.buckets = append(d.buckets, metrics.BucketCount{UpperBound: upper, Count: n})
}

// nativeBuckets walks a native histogram's positive buckets as cumulative
// counts at their upper bounds (base 2^(2^-schema)), the zero bucket first,
// and calls fn for each, then for +Inf with the total.
func nativeBuckets(h *dto.Histogram, fn func(upper float64, idx int, cumulative float64)) {
	if h.GetSchema() == 0 && len(h.GetPositiveSpan()) == 0 && h.GetZeroCount() == 0 {
		return
	}
	cum := float64(h.GetZeroCount()) + h.GetZeroCountFloat()
	fn(h.GetZeroThreshold(), -1<<30, cum)
	base := math.Pow(2, math.Pow(2, -float64(h.GetSchema())))
	idx, count, di := int32(0), int64(0), 0
	deltas := h.GetPositiveDelta()
	for si, span := range h.GetPositiveSpan() {
		if si == 0 {
			idx = span.GetOffset()
		} else {
			idx += span.GetOffset()
		}
		for j := uint32(0); j < span.GetLength() && di < len(deltas); j++ {
			count += deltas[di]
			di++
			cum += float64(count)
			fn(math.Pow(base, float64(idx)), int(idx), cum)
			idx++
		}
	}
	fn(math.Inf(1), 1<<30, float64(h.GetSampleCount())+h.GetSampleCountFloat())
}
