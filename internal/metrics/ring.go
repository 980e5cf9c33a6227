package metrics

import "time"

// DefaultRingCapacity is the number of points a zero-value Ring keeps: ten
// minutes at the default one-second interval, more than the widest chart shows.
const DefaultRingCapacity = 600

// Point is one sample of a time series.
type Point struct {
	T time.Time
	V float64
}

// Ring is a fixed-capacity time series that overwrites its oldest point when
// full, so memory stays constant however long perftop runs.
//
// The zero value is an empty ring of DefaultRingCapacity. A Ring is not safe
// for concurrent use; the Store serialises access to the rings it owns.
type Ring struct {
	pts  []Point
	head int // index of the oldest point once the ring is full
	full bool
}

// NewRing returns an empty ring that keeps the last capacity points.
// A capacity below 1 means DefaultRingCapacity.
func NewRing(capacity int) *Ring {
	if capacity < 1 {
		capacity = DefaultRingCapacity
	}
	return &Ring{pts: make([]Point, 0, capacity)}
}

// Add appends a point in O(1), dropping the oldest one when the ring is full.
func (r *Ring) Add(t time.Time, v float64) {
	if r.pts == nil {
		r.pts = make([]Point, 0, DefaultRingCapacity)
	}
	if !r.full {
		r.pts = append(r.pts, Point{T: t, V: v})
		r.full = len(r.pts) == cap(r.pts)
		return
	}
	r.pts[r.head] = Point{T: t, V: v}
	r.head++
	if r.head == len(r.pts) {
		r.head = 0
	}
}

// Len returns the number of points held.
func (r *Ring) Len() int { return len(r.pts) }

// Cap returns the number of points the ring keeps before overwriting.
func (r *Ring) Cap() int {
	if r.pts == nil {
		return DefaultRingCapacity
	}
	return cap(r.pts)
}

// Last returns the newest point, and false when the ring is empty.
func (r *Ring) Last() (Point, bool) {
	if len(r.pts) == 0 {
		return Point{}, false
	}
	i := r.head - 1
	if !r.full {
		i = len(r.pts) - 1
	} else if i < 0 {
		i = len(r.pts) - 1
	}
	return r.pts[i], true
}

// AppendTo appends the points oldest first to dst and returns the result, so a
// reader can reuse one buffer across snapshots without allocating.
func (r *Ring) AppendTo(dst []Point) []Point {
	if !r.full {
		return append(dst, r.pts...)
	}
	dst = append(dst, r.pts[r.head:]...)
	return append(dst, r.pts[:r.head]...)
}
