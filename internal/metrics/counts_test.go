package metrics

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// hdrQuantiles reads h as the engine read its hdrhistogram-go histograms
// before Counts: the library's Min, Mean, ValueAtQuantile and Max.
func hdrQuantiles(h *hdrhistogram.Histogram) Quantiles {
	if h.TotalCount() == 0 {
		return Quantiles{}
	}
	s := func(us int64) float64 { return float64(us) / 1e6 }
	return Quantiles{
		Min: s(h.Min()), Mean: h.Mean() / 1e6, P50: s(h.ValueAtQuantile(50)), P90: s(h.ValueAtQuantile(90)),
		P95: s(h.ValueAtQuantile(95)), P99: s(h.ValueAtQuantile(99)), P999: s(h.ValueAtQuantile(99.9)), Max: s(h.Max()),
	}
}

// TestCountsMatchesHDR holds Counts to hdrhistogram-go: the same values
// recorded into both give the same quantiles, bars and merged sums, and
// HDR gives the library's histogram back, count for count.
func TestCountsMatchesHDR(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	cases := map[string]func() int64{
		"one value":  func() int64 { return 1234 },
		"sub-ms":     func() int64 { return 1 + rng.Int64N(999) },
		"lognormal":  func() int64 { return int64(200 * (1 + rng.ExpFloat64()*rng.ExpFloat64()*50)) },
		"edges":      func() int64 { return int64(1) << uint(rng.IntN(32)) },
		"edges-1":    func() int64 { return max(1, int64(1)<<uint(rng.IntN(32))-1) },
		"full range": func() int64 { return 1 + rng.Int64N(LatencyHighestMicros) },
		"clamped":    func() int64 { return []int64{0, -5, LatencyHighestMicros * 3, 10}[rng.IntN(4)] },
	}
	for name, draw := range cases {
		for _, n := range []int{1, 2, 7, 1000, 50000} {
			h, c := NewLatencyHistogram(), NewCounts()
			for range n {
				v := draw()
				_ = h.RecordValue(min(max(v, LatencyLowestMicros), LatencyHighestMicros))
				c.RecordMicros(v)
			}
			if got, want := c.Quantiles(), hdrQuantiles(h); got != want {
				t.Errorf("%s, %d values: quantiles %+v, hdrhistogram-go %+v", name, n, got, want)
			}
			if !c.HDR().Equals(h) {
				t.Errorf("%s, %d values: HDR() differs from the library's histogram", name, n)
			}
			got, want := c.Buckets(24), LogBuckets(h, 24)
			if len(got) != len(want) {
				t.Fatalf("%s: %d buckets, LogBuckets %d", name, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s, %d values: bucket %d %+v, LogBuckets %+v", name, n, i, got[i], want[i])
				}
			}
		}
	}
}

func TestCountsMergeAndReset(t *testing.T) {
	a, b, want := NewCounts(), NewCounts(), NewLatencyHistogram()
	for i := range 3000 {
		v := int64(50 + i*i%700000)
		if i%3 == 0 {
			a.RecordMicros(v)
		} else {
			b.RecordMicros(v)
		}
		_ = want.RecordValue(v)
	}
	a.Merge(b)
	a.Merge(NewCounts()) // an empty one changes nothing
	if !a.HDR().Equals(want) || a.TotalCount() != want.TotalCount() {
		t.Fatalf("merged %d values, want %d, or the counts differ", a.TotalCount(), want.TotalCount())
	}
	empty := NewCounts()
	empty.Merge(b)
	if empty.Quantiles() != b.Quantiles() {
		t.Fatalf("merged into empty: %+v, want %+v", empty.Quantiles(), b.Quantiles())
	}
	a.Reset()
	if a.TotalCount() != 0 || a.Quantiles() != (Quantiles{}) || a.Buckets(8) != nil {
		t.Fatalf("after Reset: %d values, %+v", a.TotalCount(), a.Quantiles())
	}
	for i, n := range a.c {
		if n != 0 {
			t.Fatalf("after Reset index %d holds %d", i, n)
		}
	}
	a.RecordMicros(77)
	if q := a.Quantiles(); q.Min != 77e-6 || q.Max != 77e-6 {
		t.Fatalf("one value after Reset: %+v", q)
	}
}

// TestDrainCountsConcurrent: values recorded while DrainCounts runs land
// in that drain or the next, none twice and none lost, in the buckets
// they belong to.
func TestDrainCountsConcurrent(t *testing.T) {
	r := NewRecorder()
	const writers, each = 4, 20000
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if i%10 == 0 {
					r.RecordCorrected(time.Duration(5000+w)*time.Microsecond, time.Millisecond)
				} else {
					r.RecordMicros(int64(1 + (i*(w+1))%3_000_000))
				}
			}
		}()
	}
	total := NewCounts()
	stop := make(chan struct{})
	drained := make(chan int64)
	go func() {
		var n int64
		for {
			select {
			case <-stop:
				drained <- n
				return
			default:
				n += r.DrainCounts(total)
			}
		}
	}()
	wg.Wait()
	close(stop)
	n := <-drained + r.DrainCounts(total)
	// Each corrected 5 ms value behind 1 ms is itself and four phantoms.
	want := int64(writers * (each - each/10 + each/10*5))
	if n != want || total.TotalCount() != want {
		t.Fatalf("drained %d (counts %d), recorded %d", n, total.TotalCount(), want)
	}
	direct := NewCounts()
	for w := range writers {
		for i := range each {
			if i%10 == 0 {
				for _, v := range []int64{5000, 4000, 3000, 2000, 1000} {
					direct.RecordMicros(v + int64(w))
				}
			} else {
				direct.RecordMicros(int64(1 + (i*(w+1))%3_000_000))
			}
		}
	}
	if !total.HDR().Equals(direct.HDR()) {
		t.Fatal("drained counts differ from the values recorded")
	}
	if r.DrainCounts(total) != 0 || r.touched.Load() != 0 {
		t.Fatal("a drained recorder still holds counts or marks")
	}
}

// BenchmarkCountsQuantiles against hdrhistogram-go's reads of the same
// histogram: 4,400 values over 0.1-20 ms.
func BenchmarkCountsQuantiles(b *testing.B) {
	h, c := NewLatencyHistogram(), NewCounts()
	for i := range 4400 {
		v := int64(100 + i*4)
		_ = h.RecordValue(v)
		c.RecordMicros(v)
	}
	b.Run("counts", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = c.Quantiles()
		}
	})
	b.Run("hdrhistogram-go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = hdrQuantiles(h)
		}
	})
}
