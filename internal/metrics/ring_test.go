package metrics

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func at(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }

func values(pts []Point) []float64 {
	out := make([]float64, len(pts))
	for i, p := range pts {
		out[i] = p.V
	}
	return out
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestRing(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		adds     int
		want     []float64
	}{
		{"empty", 3, 0, []float64{}},
		{"partial", 3, 2, []float64{0, 1}},
		{"exactly full", 3, 3, []float64{0, 1, 2}},
		{"wrapped once", 3, 4, []float64{1, 2, 3}},
		{"wrapped many times", 3, 10, []float64{7, 8, 9}},
		{"capacity one", 1, 5, []float64{4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRing(tt.capacity)
			for i := 0; i < tt.adds; i++ {
				r.Add(at(i), float64(i))
			}
			got := values(r.AppendTo(nil))
			if !equal(got, tt.want) {
				t.Fatalf("points = %v, want %v", got, tt.want)
			}
			if r.Len() != len(tt.want) {
				t.Errorf("Len = %d, want %d", r.Len(), len(tt.want))
			}
			last, ok := r.Last()
			if ok != (tt.adds > 0) {
				t.Fatalf("Last ok = %v with %d adds", ok, tt.adds)
			}
			if ok && last.V != float64(tt.adds-1) {
				t.Errorf("Last = %v, want %d", last.V, tt.adds-1)
			}
			if ok && !last.T.Equal(at(tt.adds-1)) {
				t.Errorf("Last.T = %v, want %v", last.T, at(tt.adds-1))
			}
		})
	}
}

func TestRingZeroValue(t *testing.T) {
	var r Ring
	if r.Cap() != DefaultRingCapacity {
		t.Fatalf("zero Cap = %d, want %d", r.Cap(), DefaultRingCapacity)
	}
	for i := 0; i < DefaultRingCapacity+5; i++ {
		r.Add(at(i), float64(i))
	}
	pts := r.AppendTo(nil)
	if len(pts) != DefaultRingCapacity || pts[0].V != 5 {
		t.Fatalf("len %d first %v, want %d and 5", len(pts), pts[0].V, DefaultRingCapacity)
	}
}

func TestRingAppendToReusesBuffer(t *testing.T) {
	r := NewRing(4)
	for i := 0; i < 6; i++ {
		r.Add(at(i), float64(i))
	}
	buf := make([]Point, 0, 8)
	allocs := testing.AllocsPerRun(100, func() { buf = r.AppendTo(buf[:0]) })
	if allocs != 0 {
		t.Fatalf("AppendTo allocated %v times per call", allocs)
	}
}

// FuzzRing checks the ring against the obvious model: the last capacity values.
func FuzzRing(f *testing.F) {
	f.Add(uint8(3), []byte{1, 2, 3, 4, 5})
	f.Add(uint8(1), []byte{})
	f.Fuzz(func(t *testing.T, capacity uint8, data []byte) {
		c := int(capacity%16) + 1
		r := NewRing(c)
		var model []float64
		for i, b := range data {
			r.Add(at(i), float64(b))
			model = append(model, float64(b))
			if len(model) > c {
				model = model[1:]
			}
		}
		if got := values(r.AppendTo(nil)); !equal(got, model) {
			t.Fatalf("ring %v, model %v", got, model)
		}
	})
}

func BenchmarkRingAdd(b *testing.B) {
	r := NewRing(600)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.Add(t0, float64(i))
	}
}
