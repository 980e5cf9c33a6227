package load

import (
	"sync/atomic"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// PromBuckets are the upper bounds, in seconds, of the latency histogram
// the engine exports to Prometheus: Prometheus's defaults, extended at both
// ends for fast loopback services and slow batch endpoints.
var PromBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// cumulative is the whole run's latency histogram folded into PromBuckets.
type cumulative struct {
	counts []uint64 // values at or below PromBuckets[i]
	count  uint64
	sum    float64 // seconds
}

func foldBuckets(h *metrics.Counts) *cumulative {
	c := &cumulative{counts: make([]uint64, len(PromBuckets)), count: uint64(h.TotalCount())}
	// The bars ascend: each lands in the first bucket that holds it, and
	// the buckets are summed up to be cumulative at the end.
	j := 0
	for r, n := range h.Bars() {
		v := float64(r[1]) / 1e6
		c.sum += v * float64(n)
		for j < len(PromBuckets) && v > PromBuckets[j] {
			j++
		}
		if j < len(PromBuckets) {
			c.counts[j] += uint64(n)
		}
	}
	for i := 1; i < len(c.counts); i++ {
		c.counts[i] += c.counts[i-1]
	}
	return c
}

// Stats is a live view of a running test for exporters. Counters are read
// from the shards when Stats is called; the latency histogram is as of the
// last collection interval.
type Stats struct {
	Requests, Errors, InFlight, LateSends int64
	StatusCodes                           map[int]int64
	ErrorsByKind                          map[string]int64
	Target                                float64
	OpenLoop                              bool
	Latency                               struct {
		Buckets []float64 // upper bounds, seconds
		Counts  []uint64  // cumulative counts at each bound
		Count   uint64
		Sum     float64 // seconds
	}
}

// Stats returns the test's counters now. It is safe to call from any
// goroutine while the test runs.
func (e *Engine) Stats() Stats {
	var c counters
	c.sum(e.shards)
	s := Stats{
		Requests: c.finished, Errors: c.failed, InFlight: max(c.started-c.finished, 0), LateSends: c.late,
		StatusCodes: map[int]int64{}, ErrorsByKind: map[string]int64{}, OpenLoop: e.open,
	}
	s.Target, _ = e.level(e.elapsed(time.Now()))
	for code, n := range c.status {
		if n > 0 {
			s.StatusCodes[code] = n
		}
	}
	for _, k := range Kinds() {
		if n := c.kinds[k]; n > 0 {
			s.ErrorsByKind[k.String()] = n
		}
	}
	s.Latency.Buckets = PromBuckets
	if h := e.exported.Load(); h != nil {
		s.Latency.Counts, s.Latency.Count, s.Latency.Sum = h.counts, h.count, h.sum
	} else {
		s.Latency.Counts = make([]uint64, len(PromBuckets))
	}
	return s
}

// exportedHist holds the last folded histogram for Stats.
type exportedHist = atomic.Pointer[cumulative]
