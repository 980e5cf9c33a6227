package metrics

import (
	"math/rand/v2"
	"testing"
	"time"
)

// correctedCases are values and expected intervals for RecordCorrected:
// no stall, a stall just under and at twice the interval, long stalls
// behind fast requests, sub-microsecond intervals, values past the range.
var correctedCases = []struct {
	name        string
	d, expected time.Duration
}{
	{"no interval", 300 * time.Millisecond, 0},
	{"shorter than the interval", 80 * time.Microsecond, 100 * time.Microsecond},
	{"under twice the interval", 199 * time.Microsecond, 100 * time.Microsecond},
	{"twice the interval", 200 * time.Microsecond, 100 * time.Microsecond},
	{"stall behind fast requests", 300 * time.Millisecond, 97 * time.Microsecond},
	{"stall behind slow requests", 300 * time.Millisecond, 10 * time.Millisecond},
	{"interval not whole microseconds", 12_345_678 * time.Nanosecond, 1_234 * time.Nanosecond},
	{"interval under a microsecond", 3 * time.Millisecond, 300 * time.Nanosecond},
	{"past the range", 2 * time.Hour, 7 * time.Minute},
}

// TestRecordCorrectedIsOneByOne: RecordCorrected's bucket-at-a-time adds
// give exactly the counts of recording every phantom value on its own.
func TestRecordCorrectedIsOneByOne(t *testing.T) {
	for _, c := range correctedCases {
		t.Run(c.name, func(t *testing.T) {
			got, want := NewRecorder(), NewRecorder()
			n := got.RecordCorrected(c.d, c.expected)
			wantN := int64(1)
			want.Record(c.d)
			if c.expected > 0 {
				for m := c.d - c.expected; m >= c.expected; m -= c.expected {
					want.Record(m)
					wantN++
				}
			}
			if n != wantN {
				t.Fatalf("recorded %d values, want %d", n, wantN)
			}
			for i := range want.counts {
				if g, w := got.counts[i].Load(), want.counts[i].Load(); g != w {
					t.Fatalf("bucket %d (value %dµs): %d, want %d", i, valueAt(i), g, w)
				}
			}
		})
	}
}

// TestRecordCorrectedMatchesHDR: on whole microseconds, RecordCorrected
// is hdrhistogram-go's RecordCorrectedValue.
func TestRecordCorrectedMatchesHDR(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	want := NewLatencyHistogram()
	r := NewRecorder()
	for range 2000 {
		v := 1 + rng.Int64N(500_000)
		e := 1 + rng.Int64N(5_000)
		if err := want.RecordCorrectedValue(v, e); err != nil {
			t.Fatal(err)
		}
		r.RecordCorrected(time.Duration(v)*time.Microsecond, time.Duration(e)*time.Microsecond)
	}
	got := NewLatencyHistogram()
	r.DrainInto(got)
	wc, gc := want.Export().Counts, got.Export().Counts
	for i := range wc {
		if wc[i] != gc[i] {
			t.Fatalf("bucket %d (value %d): hdr %d, recorder %d", i, valueAt(i), wc[i], gc[i])
		}
	}
}

func TestRecordCorrectedAllocatesNothing(t *testing.T) {
	r := NewRecorder()
	if a := testing.AllocsPerRun(100, func() { r.RecordCorrected(300*time.Millisecond, 50*time.Microsecond) }); a != 0 {
		t.Fatalf("%v allocations", a)
	}
}

// BenchmarkRecordCorrected: an ordinary answer, and a 300ms stall behind
// 50µs requests (6,000 values).
func BenchmarkRecordCorrected(b *testing.B) {
	for _, c := range []struct {
		name        string
		d, expected time.Duration
	}{{"answer", 60 * time.Microsecond, 50 * time.Microsecond}, {"stall", 300 * time.Millisecond, 50 * time.Microsecond}} {
		b.Run(c.name, func(b *testing.B) {
			r := NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				r.RecordCorrected(c.d, c.expected)
			}
		})
	}
}
