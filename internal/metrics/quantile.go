package metrics

import (
	"math"
	"sort"
)

// BucketCount is one cumulative bucket of a classic Prometheus histogram:
// Count observations at or below UpperBound.
type BucketCount struct {
	UpperBound float64
	Count      float64
}

// HistogramQuantile returns the q-quantile (0 <= q <= 1) of a classic
// histogram's buckets with Prometheus's histogram_quantile semantics:
// buckets are sorted by bound and those with the same bound merged; counts
// that decrease are raised to the largest count below them (scrapes are not
// atomic); there must be a +Inf bucket and at least two buckets; the value
// is interpolated linearly within its bucket, the lowest bucket starting at
// 0 unless its bound is not positive; a rank in the +Inf bucket returns the
// highest finite bound. q < 0 gives -Inf, q > 1 +Inf, and anything without
// observations NaN. buckets is sorted in place.
func HistogramQuantile(q float64, buckets []BucketCount) float64 {
	switch {
	case math.IsNaN(q):
		return math.NaN()
	case q < 0:
		return math.Inf(-1)
	case q > 1:
		return math.Inf(1)
	}
	sort.Slice(buckets, func(i, j int) bool { return buckets[i].UpperBound < buckets[j].UpperBound })
	buckets = coalesce(buckets)
	if len(buckets) < 2 || !math.IsInf(buckets[len(buckets)-1].UpperBound, 1) {
		return math.NaN()
	}
	monotonic(buckets)
	observations := buckets[len(buckets)-1].Count
	if observations == 0 || math.IsNaN(observations) {
		return math.NaN()
	}
	rank := q * observations
	b := sort.Search(len(buckets)-1, func(i int) bool { return buckets[i].Count >= rank })
	switch {
	case b == len(buckets)-1:
		return buckets[len(buckets)-2].UpperBound
	case b == 0 && buckets[0].UpperBound <= 0:
		return buckets[0].UpperBound
	}
	start, end, count := 0.0, buckets[b].UpperBound, buckets[b].Count
	if b > 0 {
		start = buckets[b-1].UpperBound
		count -= buckets[b-1].Count
		rank -= buckets[b-1].Count
	}
	if count == 0 {
		return end
	}
	return start + (end-start)*(rank/count)
}

// coalesce merges buckets with the same bound, which can happen when series
// that differ only in a dropped label are summed. buckets must be sorted.
func coalesce(buckets []BucketCount) []BucketCount {
	out := buckets[:0]
	for _, b := range buckets {
		if n := len(out); n > 0 && out[n-1].UpperBound == b.UpperBound {
			out[n-1].Count += b.Count
			continue
		}
		out = append(out, b)
	}
	return out
}

// monotonic raises every count to at least the one before it.
func monotonic(buckets []BucketCount) {
	top := math.Inf(-1)
	for i := range buckets {
		if buckets[i].Count < top {
			buckets[i].Count = top
		}
		top = buckets[i].Count
	}
}
