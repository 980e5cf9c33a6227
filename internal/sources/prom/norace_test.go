//go:build !race

package prom

// raceEnabled says the race detector is on.
const raceEnabled = false
