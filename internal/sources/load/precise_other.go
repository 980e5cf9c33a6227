//go:build !linux

package load

import "time"

// preciseTimers does nothing here: timer slack is Linux's.
func preciseTimers() func() { return func() {} }

// sleepFor sleeps d with the Go runtime's timer.
func sleepFor(d time.Duration) { time.Sleep(d) }
