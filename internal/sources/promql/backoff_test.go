package promql

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	const s = time.Second
	tests := []struct {
		name string
		n    int
		r    float64
		want time.Duration
	}{
		{"first, no jitter", 1, 0.5, s},
		{"second", 2, 0.5, 2 * s},
		{"fifth", 5, 0.5, 16 * s},
		{"capped", 6, 0.5, 30 * s},
		{"far past the cap", 1000, 0.5, 30 * s},
		{"lowest jitter", 3, 0, 3200 * time.Millisecond},
		{"highest jitter", 3, 1, 4800 * time.Millisecond},
		{"jitter on the cap", 9, 0, 24 * s},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := backoff(tt.n, s, 30*s, tt.r); got != tt.want {
				t.Errorf("backoff(%d, 1s, 30s, %v) = %v, want %v", tt.n, tt.r, got, tt.want)
			}
		})
	}
}
