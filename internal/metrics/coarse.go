package metrics

import (
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// CoarseRecorder is a Recorder of 2 significant digits instead of 3: the
// same range (1µs to 1h), one atomic add and no lock or allocation per
// value, in 26 KiB instead of 184 KiB. It is for latencies kept by the
// dozen, one per value of a --split-by header per request name, where a
// quantile within 1% tells a cache's hit from its miss as well as one
// within 0.1%. Its buckets are laid out as an HDR histogram of the same
// range with 2 digits (NewCoarseHistogram), which DrainInto fills
// losslessly. Any number of goroutines may record at once. The zero value
// is not usable; create one with NewCoarseRecorder.
type CoarseRecorder struct {
	counts []atomic.Int64
}

// The geometry of hdrhistogram.New(1, 3_600_000_000, 2): 256 sub-buckets,
// 25 buckets. TestCoarseRecorderLayoutMatchesHDR holds these to the
// library's own.
const (
	coarseHalfMag   = 7
	coarseHalfCount = 1 << coarseHalfMag
	coarseLen       = 26 * coarseHalfCount
	coarseDigits    = 2
)

// NewCoarseRecorder returns an empty CoarseRecorder.
func NewCoarseRecorder() *CoarseRecorder {
	return &CoarseRecorder{counts: make([]atomic.Int64, coarseLen)}
}

// NewCoarseHistogram returns an empty HDR histogram of a CoarseRecorder's
// layout.
func NewCoarseHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(LatencyLowestMicros, LatencyHighestMicros, coarseDigits)
}

// Record adds one value, clamped to the range as Recorder.Record does.
func (r *CoarseRecorder) Record(d time.Duration) {
	r.counts[coarseIndex(clampMicros(d))].Add(1)
}

func coarseIndex(v int64) int { return hdrIndex(v, coarseHalfMag) }

// coarseValueAt is the lowest value that lands in counts index i.
func coarseValueAt(i int) int64 { return hdrValueAt(i, coarseHalfMag) }

// DrainInto moves every count recorded so far into h (made by
// NewCoarseHistogram) and leaves the recorder empty, as Recorder.DrainInto
// does. It returns the number of values moved.
func (r *CoarseRecorder) DrainInto(h *hdrhistogram.Histogram) int64 {
	return drainCounts(r.counts, h, coarseValueAt)
}
