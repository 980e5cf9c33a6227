package metrics

import (
	"sync/atomic"
	"time"
)

// Interval is a source's refresh interval: the source's one goroutine
// follows it, and any goroutine may change it (the dashboard's +/- keys
// through the session). Make one with NewInterval.
type Interval struct {
	ns    atomic.Int64  // nanoseconds, at least floor
	floor time.Duration // MinInterval, or less in tests
	wake  chan struct{} // capacity 1: the interval changed
}

// NewInterval returns an Interval of d, or of def when d is zero or less;
// either is raised to MinInterval.
func NewInterval(d, def time.Duration) *Interval {
	if d <= 0 {
		d = def
	}
	return NewIntervalFloor(d, MinInterval)
}

// NewIntervalFloor returns an Interval of d that Set never takes below
// floor: for tests that sample faster than MinInterval, so as not to wait
// on the clock.
func NewIntervalFloor(d, floor time.Duration) *Interval {
	iv := &Interval{floor: floor, wake: make(chan struct{}, 1)}
	iv.ns.Store(int64(max(d, floor)))
	return iv
}

// Get returns the interval.
func (iv *Interval) Get() time.Duration { return time.Duration(iv.ns.Load()) }

// Set changes the interval, raised to MinInterval (the floor), and wakes the goroutine
// that follows it, so that it need not wait for the old interval to end.
func (iv *Interval) Set(d time.Duration) {
	iv.ns.Store(int64(max(d, iv.floor)))
	select {
	case iv.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}

// Changed receives after Set: the follower resets its timer to the new
// interval.
func (iv *Interval) Changed() <-chan struct{} { return iv.wake }
