package metrics

import "time"

// CounterRate returns the per-second increase of a monotonic counter that went
// from prev to cur in dt. A decrease means the counter was reset (the process
// restarted, the interface came back), and as in PromQL's rate() the increase
// is then taken to be cur itself, so a reset never shows as a negative spike.
// A non-positive dt gives 0.
func CounterRate(prev, cur float64, dt time.Duration) float64 {
	if dt <= 0 {
		return 0
	}
	inc := cur - prev
	if cur < prev {
		inc = cur
	}
	return inc / dt.Seconds()
}

// Counter turns successive readings of a cumulative counter into rates.
// The zero value is ready to use; a Counter is not safe for concurrent use.
type Counter struct {
	t    time.Time
	v    float64
	seen bool
}

// Observe records the reading v taken at t and returns the per-second rate
// since the previous reading. ok is false for the first reading, or when t is
// not after the previous one, since no rate can be derived yet.
func (c *Counter) Observe(t time.Time, v float64) (rate float64, ok bool) {
	prevT, prevV, seen := c.t, c.v, c.seen
	c.t, c.v, c.seen = t, v, true
	if !seen || !t.After(prevT) {
		return 0, false
	}
	return CounterRate(prevV, v, t.Sub(prevT)), true
}
