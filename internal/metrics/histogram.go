package metrics

import (
	"math/bits"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Every latency histogram in perftop covers 1µs to 1h with 3 significant
// digits, in microseconds, so histograms from any source merge and compare.
const (
	LatencyLowestMicros  = 1
	LatencyHighestMicros = 3_600_000_000
	LatencyDigits        = 3
)

// NewLatencyHistogram returns an empty HDR histogram of the standard range.
func NewLatencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(LatencyLowestMicros, LatencyHighestMicros, LatencyDigits)
}

// The geometry of hdrhistogram.New(1, 3_600_000_000, 3): 2048 sub-buckets,
// 22 buckets. TestRecorderLayoutMatchesHDR holds these to the library's own.
const (
	subBucketHalfMag   = 10
	subBucketHalfCount = 1 << subBucketHalfMag
	recorderLen        = 23 * subBucketHalfCount
)

// Recorder is a latency histogram that any number of goroutines record into
// at once, with one atomic add and no lock or allocation per value. Its
// buckets are laid out exactly as an HDR histogram of the standard range, so
// DrainInto moves its counts into an hdrhistogram.Histogram losslessly.
//
// Memory is constant (184 KiB) whatever the number of values. The zero value
// is not usable; create one with NewRecorder.
type Recorder struct {
	counts []atomic.Int64
	// touched has bit b set when bucket b (counts b<<10 to (b+1)<<10) may
	// hold counts: a drain visits those alone. Latencies span a few
	// buckets of the 23, and most phases' recorders stay empty.
	touched atomic.Uint32
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{counts: make([]atomic.Int64, recorderLen)}
}

// Record adds one value. Durations under 1µs count as 1µs and over an hour
// as an hour, so nothing recorded is ever lost.
func (r *Recorder) Record(d time.Duration) {
	r.add(countsIndex(clampMicros(d)), 1)
}

// RecordMicros adds one value given in microseconds.
func (r *Recorder) RecordMicros(us int64) {
	r.add(countsIndex(min(max(us, LatencyLowestMicros), LatencyHighestMicros)), 1)
}

// add adds n at index i, then marks i's bucket touched. In that order: a
// drain takes the marks before it visits the counts, so a count added
// after its bucket was visited finds its mark taken and sets it again,
// for the next drain; the mark's load is a plain read once set.
func (r *Recorder) add(i int, n int64) {
	r.counts[i].Add(n)
	if bit := uint32(1) << uint(i>>subBucketHalfMag); r.touched.Load()&bit == 0 {
		r.touched.Or(bit)
	}
}

// RecordCorrected adds d and, when d is longer than expected, the values a
// steady sender would have recorded while it waited: d-expected,
// d-2*expected and so on while they are at least expected. It is
// HdrHistogram's RecordCorrectedValue (coordinated omission), computed in
// nanoseconds rather than whole microseconds, with one atomic add per
// bucket the phantom values land in rather than one per value: a stall of
// a second behind 50µs requests is 20,000 values and a few thousand adds.
// expected <= 0 records d alone. It returns how many values it added,
// d included. No lock, no allocation.
func (r *Recorder) RecordCorrected(d, expected time.Duration) int64 {
	r.Record(d)
	if expected <= 0 || d < 2*expected {
		return 1
	}
	n := int64(1)
	for m := d - expected; m >= expected; {
		us := clampMicros(m)
		i := countsIndex(us)
		// The phantoms from m down to the bucket's lowest value, or down
		// to expected, land in bucket i together.
		lo := time.Duration(valueAt(i)) * time.Microsecond
		if us <= LatencyLowestMicros {
			lo = 0 // under 1µs counts as 1µs
		}
		c := int64((m-max(lo, expected))/expected) + 1
		r.add(i, c)
		n += c
		m -= time.Duration(c) * expected
	}
	return n
}

func clampMicros(d time.Duration) int64 {
	us := int64(d / time.Microsecond)
	return min(max(us, LatencyLowestMicros), LatencyHighestMicros)
}

// countsIndex is hdrhistogram-go's countsIndexFor for the standard range.
func countsIndex(v int64) int { return hdrIndex(v, subBucketHalfMag) }

// valueAt is the lowest value that lands in counts index i.
func valueAt(i int) int64 { return hdrValueAt(i, subBucketHalfMag) }

// hdrIndex is hdrhistogram-go's countsIndexFor in a layout of 2^halfMag
// half sub-buckets and a lowest value of 1: the Recorder's (3 digits) and
// the CoarseRecorder's (2). Called with a constant halfMag it inlines to
// the constants' arithmetic.
func hdrIndex(v int64, halfMag int) int {
	halfCount := 1 << halfMag
	pow2Ceiling := 64 - bits.LeadingZeros64(uint64(v|int64(2*halfCount-1)))
	bucket := pow2Ceiling - (halfMag + 1)
	sub := int(v >> uint(bucket))
	return ((bucket + 1) << halfMag) + sub - halfCount
}

// hdrValueAt is the lowest value that lands in index i of hdrIndex's
// layout.
func hdrValueAt(i, halfMag int) int64 {
	halfCount := 1 << halfMag
	bucket := (i >> halfMag) - 1
	sub := (i & (halfCount - 1)) + halfCount
	if bucket < 0 {
		sub -= halfCount
		bucket = 0
	}
	return int64(sub) << uint(bucket)
}

// drainCounts moves counts into h, valueAt giving each index's value, and
// leaves them at zero: Recorder's and CoarseRecorder's DrainInto.
func drainCounts(counts []atomic.Int64, h *hdrhistogram.Histogram, valueAt func(int) int64) int64 {
	var n int64
	for i := range counts {
		c := &counts[i]
		if c.Load() == 0 {
			continue
		}
		v := c.Swap(0)
		if v == 0 {
			continue
		}
		_ = h.RecordValues(valueAt(i), v) // valueAt is always in range
		n += v
	}
	return n
}

// DrainInto moves every count recorded so far into h (which must have the
// standard range, see NewLatencyHistogram) and leaves the Recorder empty.
// Values recorded while it runs land either in h or in the next drain,
// never in both and never nowhere. It returns the number of values moved.
func (r *Recorder) DrainInto(h *hdrhistogram.Histogram) int64 {
	return drainCounts(r.counts, h, valueAt)
}

// DrainCounts moves every count recorded so far into c, as DrainInto
// does, visiting only the buckets recorded into since the last drain.
// (DrainInto visits every bucket, marked or not.)
func (r *Recorder) DrainCounts(c *Counts) int64 {
	var n int64
	for m := r.touched.Swap(0); m != 0; m &= m - 1 {
		b := bits.TrailingZeros32(m)
		lo := b << subBucketHalfMag
		for i := lo; i < lo+subBucketHalfCount; i++ {
			p := &r.counts[i]
			if p.Load() == 0 {
				continue
			}
			if v := p.Swap(0); v != 0 {
				c.add(i, v)
				n += v
			}
		}
	}
	return n
}

// LogBuckets bins a latency histogram (microseconds) into n log-spaced bars
// between its min and max, for the histogram panel and the HTML report's
// chart: equal widths on a log axis, so a tail many times the median still
// shows. Nil for an empty histogram.
func LogBuckets(h *hdrhistogram.Histogram, n int) []Bucket {
	if h.TotalCount() == 0 || n <= 0 {
		return nil
	}
	return logBuckets(float64(h.Min()), float64(h.Max()), n, func(yield func([2]int64, int64) bool) {
		for _, bar := range h.Distribution() {
			if !yield([2]int64{bar.From, bar.To}, bar.Count) {
				return
			}
		}
	})
}
