package metrics

import "time"

// Profile is what perftop's profiling of the target (--pprof) last saw:
// the Profile screen's data. Functions are by flat value, at most
// MaxProfileFuncs; never modified once published.
type Profile struct {
	URL       string
	Up        bool
	Error     string // the last fetch's error in words; "" when it worked
	NextRetry time.Time

	// At is when the latest CPU profile ended, Seconds its length, CPU the
	// CPU seconds per second it sampled, Count the CPU profiles so far.
	At      time.Time
	Seconds float64
	CPU     float64
	Count   int
	Funcs   []ProfileFunc
	// Peeks are the callers and callees of the top functions, by name.
	Peeks map[string]ProfilePeek

	// HeapInuse (bytes) and Goroutines are the latest heap and goroutine
	// profiles' totals; HasHeap says whether there was one.
	HeapInuse, Goroutines float64
	HasHeap               bool
}

// MaxProfileFuncs bounds the functions a Profile lists.
const MaxProfileFuncs = 100

// ProfileFunc is one function's share of a CPU profile: flat and
// cumulative CPU seconds and their shares of the profile's total, and its
// flat share in the profile before (PrevKnown false: the first profile).
type ProfileFunc struct {
	Name                string
	Flat, Cum           float64
	FlatShare, CumShare float64
	PrevShare           float64
	PrevKnown           bool
}

// ProfilePeek is a function's callers and callees, one level each way,
// with the CPU that passed through each.
type ProfilePeek struct {
	Callers, Callees []ProfileFunc
}

// The profile's series.
const (
	KeyProfileCPU        = "profile.cpu_seconds_per_second"
	KeyProfileHeap       = "profile.heap_inuse_bytes"
	KeyProfileGoroutines = "profile.goroutines"
)
