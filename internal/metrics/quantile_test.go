package metrics

import (
	"math"
	"testing"
)

func bk(pairs ...float64) []BucketCount {
	var out []BucketCount
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, BucketCount{UpperBound: pairs[i], Count: pairs[i+1]})
	}
	return out
}

var inf = math.Inf(1)

// The cases follow Prometheus's own promql tests for histogram_quantile
// (promql/promqltest/testdata/histograms.test).
func TestHistogramQuantile(t *testing.T) {
	// 0.1: 50, 0.2: 70, 0.4: 100 (cumulative), +Inf: 100
	std := func() []BucketCount { return bk(0.1, 50, 0.2, 70, 0.4, 100, inf, 100) }
	tests := []struct {
		name    string
		q       float64
		buckets []BucketCount
		want    float64
	}{
		{"median in first bucket", 0.5, std(), 0.1},
		{"interpolated", 0.6, std(), 0.15},
		{"interpolated higher", 0.85, std(), 0.3},
		{"q=0", 0, std(), 0},
		{"q=1 is the highest finite bound", 1, bk(0.1, 50, 0.2, 70, 0.4, 100, inf, 120), 0.4},
		{"rank in +Inf bucket", 0.99, bk(0.1, 50, inf, 100), 0.1},
		{"unsorted input", 0.6, bk(inf, 100, 0.4, 100, 0.1, 50, 0.2, 70), 0.15},
		{"non-monotonic counts fixed", 0.6, bk(0.1, 50, 0.2, 40, 0.4, 100, inf, 100), 0.24},
		{"duplicate bounds merged", 0.5, bk(0.1, 25, 0.1, 25, 0.2, 70, inf, 100), 0.1},
		{"negative lowest bound", 0.1, bk(-1, 10, 0, 20, inf, 20), -1},
		{"no +Inf bucket", 0.5, bk(0.1, 50, 0.2, 100), math.NaN()},
		{"one bucket", 0.5, bk(inf, 100), math.NaN()},
		{"no observations", 0.5, bk(0.1, 0, inf, 0), math.NaN()},
		{"q below 0", -0.1, std(), math.Inf(-1)},
		{"q above 1", 1.1, std(), math.Inf(1)},
		{"q NaN", math.NaN(), std(), math.NaN()},
		{"empty bucket in the middle", 0.75, bk(1, 50, 2, 50, 3, 100, inf, 100), 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := HistogramQuantile(tt.q, tt.buckets)
			if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want) || math.Abs(got-tt.want) < 1e-9) {
				t.Fatalf("HistogramQuantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func FuzzHistogramQuantile(f *testing.F) {
	f.Add(0.5, 0.1, 3.0, 0.2, 7.0, 5.0)
	f.Fuzz(func(t *testing.T, q, b1, c1, b2, c2, cinf float64) {
		buckets := []BucketCount{{b1, c1}, {b2, c2}, {inf, cinf}}
		got := HistogramQuantile(q, buckets)
		if q >= 0 && q <= 1 && !math.IsNaN(got) && !math.IsInf(got, 0) {
			lo := math.Min(0, math.Min(b1, b2))
			hi := math.Max(b1, b2)
			if got < lo-1e-9*math.Abs(lo) || got > hi+1e-9*math.Abs(hi) {
				t.Fatalf("quantile %v outside the finite bounds [%v, %v]", got, lo, hi)
			}
		}
	})
}
