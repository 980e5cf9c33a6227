//go:build !race

package heaptest

// Race says the race detector is on.
const Race = false
