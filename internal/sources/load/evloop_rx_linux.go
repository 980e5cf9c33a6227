//go:build linux

package load

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The open loop's answers carry the kernel's receive time.
//
// Evenly paced sends gave the open loop's thread two wake-ups a request:
// one for the send's time, one for the answer, where the closed loop
// handles dozens of answers a wake-up. Not waking for the answers when the
// next send is due within deafWithin (the loop sleeps until it is due,
// then reads whatever came) cut perftop's CPU per request by a tenth or
// more: against nginx, 44-48 to 33-37 µs at 10k/s (3 rounds), 32.9 to 29.1
// µs at 20k/s (medians of 4), for a scheduling delay p50 of 25-34 µs
// instead of 8-23 (bench/README.md, 2026-12-01). The answer then
// waits in the kernel for up to deafWithin before the loop reads it, so
// its time of arrival is the one the kernel stamped on the packet
// (SO_TIMESTAMPNS), not the time the loop read it: latency ends when the
// answer arrived, whatever the loop was doing meanwhile. A connection the
// kernel gives no stamp for is timed at the read, as in the closed loop.

// deafWithin: a loop whose next send is due within it sleeps until then
// without waking for answers (waitOpen): at 4k/s a loop and above. At
// 1 ms it took a tenth to two fifths off the CPU per request at 1k-10k/s
// but the scheduling delay's p50 at 1k/s to 66-77 µs against 37-41 (a
// sleep that long wakes late); at 250 µs 1k/s is as before and 10k/s keeps
// the gain (3 rounds each, bench/README.md, 2026-12-01).
const deafWithin = 250 * time.Microsecond

// rxState is a loop's receive buffers for recvmsg.
type rxState struct {
	msg unix.Msghdr
	iov unix.Iovec
	oob [64]byte
	at  time.Time // the last read's receive time; zero when the kernel gave none
}

// stampConn asks the kernel to stamp fd's received data with its time.
func stampConn(fd int) {
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) // without: timed at the read
}

// recv reads from fd into buf as read(2) does, and keeps the receive time
// of the data read in rx.at.
func (rx *rxState) recv(fd int, buf []byte) (int, error) {
	rx.iov.Base = &buf[0]
	rx.iov.SetLen(len(buf))
	rx.msg.Iov, rx.msg.Iovlen = &rx.iov, 1
	rx.msg.Control = &rx.oob[0]
	rx.msg.SetControllen(len(rx.oob))
	r, _, errno := unix.Syscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&rx.msg)), 0)
	rx.at = time.Time{}
	if errno != 0 {
		return -1, errno
	}
	rx.at = rx.stamp()
	return int(r), nil
}

// stamp is the receive time in the control data of the last recvmsg, or
// zero when there is none.
func (rx *rxState) stamp() time.Time {
	if int(rx.msg.Controllen) < unix.CmsgSpace(int(unsafe.Sizeof(unix.Timespec{}))) {
		return time.Time{}
	}
	h := (*unix.Cmsghdr)(unsafe.Pointer(&rx.oob[0]))
	if h.Level != unix.SOL_SOCKET || h.Type != unix.SCM_TIMESTAMPNS {
		return time.Time{}
	}
	ts := (*unix.Timespec)(unsafe.Pointer(&rx.oob[unix.CmsgLen(0)]))
	return time.Unix(int64(ts.Sec), int64(ts.Nsec))
}

// arrived is when the data last read arrived, for a request written at
// wrote: the kernel's stamp when it has one that falls between the write
// and now (a stamp is wall-clock time; a clock stepped meanwhile falls
// outside), else now.
func (rx *rxState) arrived(wrote, now time.Time) time.Time {
	if t := rx.at; !t.IsZero() && !t.Before(wrote) && !t.After(now) {
		return t
	}
	return now
}

// sleepUntilSend sleeps d without waking for answers, on the loop's own
// thread: as a raw nanosleep when the loop holds its P anyway (l.raw).
func (l *evLoop) sleepUntilSend(d time.Duration) {
	ts := unix.NsecToTimespec(int64(d))
	if l.raw {
		unix.RawSyscall(unix.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
		return
	}
	_ = unix.Nanosleep(&ts, nil)
}
