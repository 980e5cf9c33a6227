//go:build !race

package promql

// raceEnabled says the race detector is on.
const raceEnabled = false
