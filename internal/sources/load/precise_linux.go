//go:build linux

package load

import (
	"time"

	"golang.org/x/sys/unix"
)

// preciseTimers sets the calling thread's timer slack to 1 ns, so that
// its sleeps end when asked rather than up to the default 50 µs later,
// and returns what restores it. The caller has locked its OS thread.
func preciseTimers() func() {
	old, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0)
	if err != nil {
		return func() {}
	}
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)
	return func() { _ = unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(old), 0, 0, 0) }
}

// sleepFor sleeps d on the calling thread, to the microsecond: a Go
// timer's sleep ends on the millisecond (the runtime's poller waits in
// whole milliseconds when nothing else wakes it), half a millisecond
// late on average, which the open loop's latency would carry.
func sleepFor(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	for unix.Nanosleep(&ts, &ts) == unix.EINTR {
	}
}
