package metrics

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestRecorderLayoutMatchesHDR records the same values into a Recorder and
// into hdrhistogram-go itself, and requires identical bucket counts.
func TestRecorderLayoutMatchesHDR(t *testing.T) {
	want := NewLatencyHistogram()
	if got := len(want.Export().Counts); got != recorderLen {
		t.Fatalf("hdrhistogram has %d counts, Recorder %d", got, recorderLen)
	}
	r := NewRecorder()
	rng := rand.New(rand.NewPCG(1, 2))
	values := []int64{1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 1e6, 1e9, LatencyHighestMicros}
	for i := 0; i < 20000; i++ {
		values = append(values, 1+rng.Int64N(LatencyHighestMicros))
		values = append(values, 1+rng.Int64N(100_000)) // dense where latencies live
	}
	for _, v := range values {
		if err := want.RecordValue(v); err != nil {
			t.Fatal(err)
		}
		r.RecordMicros(v)
	}
	got := NewLatencyHistogram()
	if n := r.DrainInto(got); n != int64(len(values)) {
		t.Fatalf("drained %d values, recorded %d", n, len(values))
	}
	wc, gc := want.Export().Counts, got.Export().Counts
	for i := range wc {
		if wc[i] != gc[i] {
			t.Fatalf("bucket %d (value %d): hdr %d, recorder %d", i, valueAt(i), wc[i], gc[i])
		}
	}
	for _, q := range []float64{50, 90, 99, 99.9, 100} {
		if a, b := want.ValueAtQuantile(q), got.ValueAtQuantile(q); a != b {
			t.Errorf("p%v: hdr %d, recorder %d", q, a, b)
		}
	}
}

func TestRecorderClamps(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want int64 // the bucket's lowest value
	}{
		{0, 1}, {-time.Second, 1}, {500 * time.Nanosecond, 1}, {1500 * time.Microsecond, 1500},
		{2 * time.Hour, LatencyHighestMicros},
	}
	for _, tt := range tests {
		r := NewRecorder()
		r.Record(tt.in)
		h := NewLatencyHistogram()
		r.DrainInto(h)
		if got, want := countsIndex(h.Max()), countsIndex(tt.want); got != want {
			t.Errorf("Record(%v): lands in bucket %d, want %d (value %d)", tt.in, got, want, tt.want)
		}
	}
}

// TestRecorderConcurrentDrain: values recorded by many goroutines while
// another drains are all counted exactly once.
func TestRecorderConcurrentDrain(t *testing.T) {
	r := NewRecorder()
	const writers, each = 4, 20000
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				r.RecordMicros(int64(1 + i%5000))
			}
		}()
	}
	total := NewLatencyHistogram()
	stop := make(chan struct{})
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case <-stop:
				return
			default:
				r.DrainInto(total)
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-drained
	r.DrainInto(total)
	if got := total.TotalCount(); got != writers*each {
		t.Fatalf("counted %d values, recorded %d", got, writers*each)
	}
}

func BenchmarkRecorder(b *testing.B) {
	r := NewRecorder()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		d := 1234 * time.Microsecond
		for pb.Next() {
			r.Record(d)
			d += 7 * time.Microsecond
			if d > time.Second {
				d = time.Microsecond
			}
		}
	})
}

func BenchmarkRecorderDrain(b *testing.B) {
	r := NewRecorder()
	h := NewLatencyHistogram()
	b.ReportAllocs()
	for b.Loop() {
		for i := int64(0); i < 1000; i++ {
			r.RecordMicros(100 + i)
		}
		r.DrainInto(h)
	}
}

// TestLogBuckets: every value lands in one bar, the bars' bounds grow by
// one ratio and end at the maximum, and an empty histogram has none.
func TestLogBuckets(t *testing.T) {
	if got := LogBuckets(NewLatencyHistogram(), 10); got != nil {
		t.Errorf("empty histogram: %v", got)
	}
	h := NewLatencyHistogram()
	for v := int64(100); v <= 100_000; v += 7 {
		_ = h.RecordValue(v)
	}
	bs := LogBuckets(h, 12)
	var n int64
	for i, b := range bs {
		n += b.Count
		if i > 0 && b.UpperSeconds <= bs[i-1].UpperSeconds {
			t.Errorf("bar %d ends at %g, before bar %d's %g", i, b.UpperSeconds, i-1, bs[i-1].UpperSeconds)
		}
	}
	if n != h.TotalCount() {
		t.Errorf("bars hold %d values, the histogram %d", n, h.TotalCount())
	}
	if last := bs[len(bs)-1].UpperSeconds; math.Abs(last-float64(h.Max())/1e6) > 1e-9 {
		t.Errorf("the last bar ends at %gs, the maximum is %dµs", last, h.Max())
	}
}
