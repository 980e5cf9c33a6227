package metrics

import (
	"iter"
	"math"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Counts is a latency histogram of the standard layout (the Recorder's and
// NewLatencyHistogram's) that one goroutine keeps, and that knows the range
// of indexes it holds: the load engine's window and run histograms, which
// it drains the Recorders into, reads and merges once a collection
// interval whatever the rate.
//
// It is perftop's own because hdrhistogram-go reads a histogram by walking
// all 23,552 counts with its iterator, once for Min, once for Max, once for
// Mean and once per percentile, and Merge and Distribution walk them too:
// the engine's collection did that some forty times a second and allocated
// 0.86 MB for Distribution's bars, 3.2 ms of CPU a collection
// (BenchmarkCollect), about 2 µs of every request's CPU on a 10 ms
// endpoint at 4,400 req/s. Counts reads its quantiles in one pass over the
// indexes it holds and allocates nothing; HDR makes the library's
// histogram, count for count, for files and reports. Its answers are the
// library's to the value (TestCountsMatchesHDR).
//
// The zero value is not usable; create one with NewCounts.
type Counts struct {
	c      []int64
	lo, hi int // every count outside [lo, hi) is zero; lo == hi when empty
	total  int64
}

// NewCounts returns an empty Counts.
func NewCounts() *Counts { return &Counts{c: make([]int64, recorderLen)} }

// add adds n > 0 values at index i.
func (c *Counts) add(i int, n int64) {
	if c.lo == c.hi {
		c.lo, c.hi = i, i+1
	} else {
		c.lo, c.hi = min(c.lo, i), max(c.hi, i+1)
	}
	c.c[i] += n
	c.total += n
}

// RecordMicros adds one value given in microseconds, clamped to the
// standard range.
func (c *Counts) RecordMicros(us int64) {
	c.add(countsIndex(min(max(us, LatencyLowestMicros), LatencyHighestMicros)), 1)
}

// TotalCount is how many values it holds.
func (c *Counts) TotalCount() int64 { return c.total }

// Reset empties it, clearing only the indexes it held.
func (c *Counts) Reset() {
	clear(c.c[c.lo:c.hi])
	c.lo, c.hi, c.total = 0, 0, 0
}

// Merge adds every value of o.
func (c *Counts) Merge(o *Counts) {
	if o.total == 0 {
		return
	}
	for i, n := range o.c[o.lo:o.hi] {
		if n != 0 {
			c.c[o.lo+i] += n
		}
	}
	if c.lo == c.hi {
		c.lo, c.hi = o.lo, o.hi
	} else {
		c.lo, c.hi = min(c.lo, o.lo), max(c.hi, o.hi)
	}
	c.total += o.total
}

// Bars yields each index's value range, as hdrhistogram-go's Distribution
// does (the lowest and highest value, microseconds, equivalent to the
// index's), and its count, for the indexes that hold any, lowest first.
func (c *Counts) Bars() iter.Seq2[[2]int64, int64] {
	return func(yield func([2]int64, int64) bool) {
		for i := c.lo; i < c.hi; i++ {
			if n := c.c[i]; n != 0 && !yield([2]int64{valueAt(i), valueAt(i) + sizeAt(i) - 1}, n) {
				return
			}
		}
	}
}

// sizeAt is how many values index i holds: 1 below 2,048, doubling with
// each bucket above.
func sizeAt(i int) int64 { return int64(1) << uint(max((i>>subBucketHalfMag)-1, 0)) }

// Quantiles reads it as seconds, each figure as hdrhistogram-go's Min,
// Mean, ValueAtQuantile and Max give it, in one pass.
func (c *Counts) Quantiles() Quantiles {
	if c.total == 0 {
		return Quantiles{}
	}
	ps := [...]float64{50, 90, 95, 99, 99.9}
	var at [len(ps)]int64 // the count each percentile is reached at
	for k, p := range ps {
		at[k] = int64(p/100*float64(c.total) + 0.5)
	}
	var vals [len(ps)]int64
	var seen, sum int64
	k := 0
	for i := c.lo; i < c.hi; i++ {
		n := c.c[i]
		if n == 0 {
			continue
		}
		lo, size := valueAt(i), sizeAt(i)
		sum += n * (lo + size>>1)
		seen += n
		for k < len(ps) && seen >= at[k] {
			vals[k] = lo + size - 1
			k++
		}
	}
	s := func(us int64) float64 { return float64(us) / 1e6 }
	return Quantiles{
		Min: s(valueAt(c.lo)), Mean: float64(sum) / float64(c.total) / 1e6,
		P50: s(vals[0]), P90: s(vals[1]), P95: s(vals[2]), P99: s(vals[3]), P999: s(vals[4]),
		Max: s(c.highest()),
	}
}

// highest is the highest value equivalent to its highest index's. Its
// range is exact: counts are only ever added, so index lo and hi-1 hold
// some while it holds any.
func (c *Counts) highest() int64 { return valueAt(c.hi-1) + sizeAt(c.hi-1) - 1 }

// HDR returns its values as an hdrhistogram-go histogram of the standard
// range: the same counts at the same indexes.
func (c *Counts) HDR() *hdrhistogram.Histogram {
	h := NewLatencyHistogram()
	for r, n := range c.Bars() {
		_ = h.RecordValues(r[0], n) // always in range
	}
	return h
}

// Buckets bins it into n log-spaced bars between its min and max, as
// LogBuckets bins an hdrhistogram-go histogram.
func (c *Counts) Buckets(n int) []Bucket {
	if c.total == 0 || n <= 0 {
		return nil
	}
	return logBuckets(float64(valueAt(c.lo)), float64(c.highest()), n, c.Bars())
}

// logBuckets bins bars (each value range's count) into n log-spaced bars
// between lo and hi, in microseconds: LogBuckets and Counts.Buckets.
func logBuckets(lo, hi float64, n int, bars iter.Seq2[[2]int64, int64]) []Bucket {
	lo, hi = math.Max(lo, 1), math.Max(hi, 2)
	if hi <= lo {
		hi = lo * 2
	}
	ratio := math.Pow(hi/lo, 1/float64(n))
	out := make([]Bucket, n)
	for i := range out {
		out[i].UpperSeconds = lo * math.Pow(ratio, float64(i+1)) / 1e6
	}
	logRatio := math.Log(ratio)
	for r, count := range bars {
		if count == 0 {
			continue
		}
		i := 0
		if v := float64(r[1]); v > lo {
			i = min(int(math.Log(v/lo)/logRatio), n-1)
		}
		out[i].Count += count
	}
	return out
}
