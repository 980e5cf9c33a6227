package units

import (
	"math"
	"testing"
	"time"
)

func TestBytes(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0 B"}, {512, "512 B"}, {1023, "1023 B"}, {1024, "1.00 KiB"}, {1536, "1.50 KiB"},
		{10 * 1024 * 1024, "10.0 MiB"}, {456 * 1 << 30, "456 GiB"}, {-2048, "-2.00 KiB"},
		{math.NaN(), "-"}, {math.Inf(1), "-"}, {1 << 62, "4.00 EiB"},
	}
	for _, tt := range tests {
		if got := Bytes(tt.in); got != tt.want {
			t.Errorf("Bytes(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := BytesRate(1536); got != "1.50 KiB/s" {
		t.Errorf("BytesRate = %q", got)
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {7, "7"}, {2.5, "2.50"}, {950, "950"}, {9999, "9999"}, {12345, "12.3k"},
		{4.56e6, "4.56M"}, {7.1e9, "7.10G"}, {math.NaN(), "-"},
	}
	for _, tt := range tests {
		if got := Count(tt.in); got != tt.want {
			t.Errorf("Count(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {0.00085, "850µs"}, {0.0123, "12.3ms"}, {0.2, "200ms"}, {1.25, "1.25s"}, {42, "42.0s"},
	}
	for _, tt := range tests {
		if got := Seconds(tt.in); got != tt.want {
			t.Errorf("Seconds(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{250 * time.Millisecond, "250ms"}, {time.Second, "1s"}, {1500 * time.Millisecond, "1.5s"},
		{90 * time.Second, "1m30s"}, {2*time.Hour + 5*time.Minute + 7*time.Second, "2h5m"},
	}
	for _, tt := range tests {
		if got := Duration(tt.in); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	if got := Percent(12.345); got != "12.3%" {
		t.Errorf("Percent = %q", got)
	}
}

func TestAxisBytesRate(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 512: "512 B/s", 2.5 * 1024 * 1024: "2.5 MiB/s", 500 * 1024: "500 KiB/s"} {
		if got := AxisBytesRate(v); got != want {
			t.Errorf("AxisBytesRate(%v) = %q, want %q", v, got, want)
		}
	}
}
