//go:build race

package heaptest

// Race says the race detector is on. Code built for it allocates more, up
// to twice as much in perftop's tests (measured), so Check doubles its
// bounds.
const Race = true
