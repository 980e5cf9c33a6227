package metrics

import (
	"math"
	"testing"
	"time"
)

func TestCounterRate(t *testing.T) {
	tests := []struct {
		name      string
		prev, cur float64
		dt        time.Duration
		want      float64
	}{
		{"steady", 100, 300, 2 * time.Second, 100},
		{"no change", 5, 5, time.Second, 0},
		{"sub-second interval", 0, 50, 500 * time.Millisecond, 100},
		// PromQL rate(): a drop is a reset, and the counter counted cur since.
		{"reset", 1000, 30, time.Second, 30},
		{"reset to zero", 1000, 0, time.Second, 0},
		{"zero interval", 1, 2, 0, 0},
		{"negative interval", 1, 2, -time.Second, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CounterRate(tt.prev, tt.cur, tt.dt); got != tt.want {
				t.Fatalf("CounterRate(%v, %v, %v) = %v, want %v", tt.prev, tt.cur, tt.dt, got, tt.want)
			}
		})
	}
}

func TestCounterObserve(t *testing.T) {
	type obs struct {
		s      int
		v      float64
		want   float64
		wantOK bool
	}
	tests := []struct {
		name string
		obs  []obs
	}{
		{"first reading has no rate", []obs{{0, 10, 0, false}, {1, 20, 10, true}}},
		{"reset mid-stream", []obs{{0, 100, 0, false}, {1, 150, 50, true}, {2, 20, 20, true}, {3, 40, 20, true}}},
		{"same timestamp", []obs{{0, 1, 0, false}, {0, 2, 0, false}, {1, 4, 2, true}}},
		// A clock step backwards re-bases the counter on the newer reading.
		{"time going backwards", []obs{{5, 1, 0, false}, {4, 2, 0, false}, {6, 4, 1, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Counter
			for i, o := range tt.obs {
				got, ok := c.Observe(at(o.s), o.v)
				if got != o.want || ok != o.wantOK {
					t.Fatalf("observation %d: got (%v, %v), want (%v, %v)", i, got, ok, o.want, o.wantOK)
				}
			}
		})
	}
}

// FuzzCounterRate checks the invariants a chart relies on: a rate of
// non-negative counters is never negative, NaN or infinite.
func FuzzCounterRate(f *testing.F) {
	f.Add(1.0, 2.0, int64(time.Second))
	f.Add(5.0, 1.0, int64(1))
	f.Fuzz(func(t *testing.T, prev, cur float64, dt int64) {
		if prev < 0 || cur < 0 || math.IsNaN(prev) || math.IsNaN(cur) || math.IsInf(prev, 0) || math.IsInf(cur, 0) {
			t.Skip()
		}
		got := CounterRate(prev, cur, time.Duration(dt))
		if got < 0 || math.IsNaN(got) {
			t.Fatalf("CounterRate(%v, %v, %v) = %v", prev, cur, dt, got)
		}
	})
}
