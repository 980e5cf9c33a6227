package load

import (
	"math"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// BenchmarkCollect is what one collection costs the engine: a second's
// worth of answers (4,400, as a 10 ms endpoint at c=50 gives) spread over
// 0.1-20 ms, drained from the shards into the window and the totals, read
// as quantiles, bars and the exporter's buckets, and published to a Store.
// It runs once per --interval whatever the rate, so on a slow endpoint it
// is a visible part of the CPU per request.
func BenchmarkCollect(b *testing.B) {
	e, err := New(Options{Requests: []Request{req(b, "http://127.0.0.1:1/")}, Concurrency: 50, Interval: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	st := metrics.NewStore(0)
	c := e.col
	c.begin(time.Now())
	fill := func() {
		sh := e.shards[0]
		for i := range 4400 {
			d := time.Duration(100+i*4) * time.Microsecond
			sh.latency.Record(d)
			sh.service.Record(d)
			sh.ttfb.Record(d)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		fill()
		c.collect(time.Now(), st, metrics.TestRunning)
	}
}

// TestFoldBuckets: the exporter's cumulative buckets count every value at
// or below each bound (a value is its index's highest equivalent, as the
// HDR bars give it), and the sum is theirs.
func TestFoldBuckets(t *testing.T) {
	c := metrics.NewCounts()
	var vals []int64
	for i := range 20000 {
		v := int64(1 + (i*i*7919)%40_000_000) // 1 µs to 40 s
		c.RecordMicros(v)
		vals = append(vals, v)
	}
	got := foldBuckets(c)
	if got.count != uint64(len(vals)) {
		t.Fatalf("count %d, want %d", got.count, len(vals))
	}
	one := metrics.NewCounts()
	highest := make([]float64, len(vals)) // seconds
	for i, v := range vals {
		one.Reset()
		one.RecordMicros(v)
		highest[i] = one.Quantiles().Max
	}
	for i, ub := range PromBuckets {
		var want uint64
		for _, v := range highest {
			if v <= ub {
				want++
			}
		}
		if got.counts[i] != want {
			t.Errorf("bucket le=%g: %d, want %d", ub, got.counts[i], want)
		}
	}
	var sum float64
	for r, n := range c.Bars() {
		sum += float64(r[1]) / 1e6 * float64(n)
	}
	if math.Abs(got.sum-sum) > 1e-9*sum {
		t.Errorf("sum %g, want %g", got.sum, sum)
	}
}
