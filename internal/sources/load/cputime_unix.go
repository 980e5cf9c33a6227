//go:build unix

package load

import (
	"syscall"
	"time"
)

// processCPU is the CPU time perftop has used, user and system, or 0 when
// the system does not say.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
