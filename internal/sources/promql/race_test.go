//go:build race

package promql

// raceEnabled says the race detector is on. Code built for it allocates
// more, up to twice as much in these tests (measured), so heap bounds are
// doubled.
const raceEnabled = true
