package metrics

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestCoarseRecorderLayoutMatchesHDR records the same values into a
// CoarseRecorder and into hdrhistogram-go with 2 digits, and requires
// identical bucket counts.
func TestCoarseRecorderLayoutMatchesHDR(t *testing.T) {
	want := NewCoarseHistogram()
	if got := len(want.Export().Counts); got != coarseLen {
		t.Fatalf("hdrhistogram has %d counts, CoarseRecorder %d", got, coarseLen)
	}
	r := NewCoarseRecorder()
	rng := rand.New(rand.NewPCG(3, 4))
	values := []int64{1, 2, 127, 128, 255, 256, 257, 511, 512, 1e6, 1e9, LatencyHighestMicros}
	for range 20000 {
		values = append(values, 1+rng.Int64N(LatencyHighestMicros), 1+rng.Int64N(100_000))
	}
	for _, v := range values {
		if err := want.RecordValue(v); err != nil {
			t.Fatal(err)
		}
		r.Record(time.Duration(v) * time.Microsecond)
	}
	got := NewCoarseHistogram()
	if n := r.DrainInto(got); n != int64(len(values)) {
		t.Fatalf("drained %d values, recorded %d", n, len(values))
	}
	wc, gc := want.Export().Counts, got.Export().Counts
	for i := range wc {
		if wc[i] != gc[i] {
			t.Fatalf("bucket %d (value %d): hdr %d, recorder %d", i, coarseValueAt(i), wc[i], gc[i])
		}
	}
	if r.DrainInto(NewCoarseHistogram()) != 0 {
		t.Error("not empty after a drain")
	}
	if a := testing.AllocsPerRun(100, func() { r.Record(time.Millisecond) }); a != 0 {
		t.Errorf("%v allocations per value", a)
	}
}
