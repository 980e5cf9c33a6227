// Package heaptest measures what a function takes from the heap, for tests
// that prove memory bounds by watching the heap (runtime/metrics) while
// they feed an oversized input, not by timing.
package heaptest

import (
	"fmt"
	"runtime"
	rtmetrics "runtime/metrics"
	"testing"
	"time"
	"unicode"
)

// heapUse is what a function took from the heap while it ran.
type Use struct {
	// Peak is the most the heap's objects, live or not yet swept, grew
	// above where they were before, sampled every 100µs and at the end.
	Peak uint64
	// Total is everything allocated meanwhile, freed or not, by every
	// goroutine: an upper bound that no sampling can miss.
	Total uint64
}

func (u Use) String() string {
	return fmt.Sprintf("peak heap +%.1f MiB, allocated %.1f MiB", float64(u.Peak)/(1<<20), float64(u.Total)/(1<<20))
}

// Watch runs fn after a garbage collection and measures its heap.
// Tests that call it must not run in parallel with others.
func Watch(fn func()) Use {
	const objects = "/memory/classes/heap/objects:bytes"
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s := []rtmetrics.Sample{{Name: objects}}
	rtmetrics.Read(s)
	base := s[0].Value.Uint64()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		s := []rtmetrics.Sample{{Name: objects}}
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		var peak uint64
		for {
			rtmetrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(stop)
	peak := <-done
	runtime.ReadMemStats(&after)
	u := Use{Total: after.TotalAlloc - before.TotalAlloc}
	if peak > base {
		u.Peak = peak - base
	}
	return u
}

// Check fails t if u exceeds peak or total bytes (twice as many with
// the race detector), and logs it.
func Check(t *testing.T, u Use, peak, total uint64) {
	t.Helper()
	if Race {
		peak, total = 2*peak, 2*total
	}
	t.Logf("%v (bounds %.0f and %.0f MiB)", u, float64(peak)/(1<<20), float64(total)/(1<<20))
	if u.Peak > peak || u.Total > total {
		t.Errorf("%v: over the bounds of %.0f MiB peak, %.0f MiB allocated", u, float64(peak)/(1<<20), float64(total)/(1<<20))
	}
}

// CheckPrintable fails t if s has a control character, which a terminal
// would obey, or is not on one line.
func CheckPrintable(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if unicode.IsControl(r) {
			t.Errorf("%s %q has control character %U", what, s, r)
			return
		}
	}
}
