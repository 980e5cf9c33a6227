//go:build linux

package load

import (
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The open loop on the event loops. The goroutine pacer (open.go) hands
// each intended send time over a channel to a parked worker: a timer
// wake-up, a hand-off, a goroutine wake-up and often a thread wake-up per
// request, then the goroutine HTTP path. Here each loop owns a share of
// the schedule (loop k of n sends the intended times k, k+n, k+2n, ... of
// the plan's rate) and its connections, sleeps in epoll_pwait2 with a
// nanosecond timeout until its next intended time or an answer, whichever
// comes first, and sends on an idle connection, opening one when none is
// idle, up to its share of --max-inflight. Latency counts from the
// intended time; the send's delay behind it is the scheduling delay.
//
// When every connection is busy and the cap is reached, the schedule does
// not wait: the due sends go out, late, as connections free, in order,
// as the goroutine pacer's do.

// openPace is an event loop's share of the open loop's schedule.
type openPace struct {
	loops  float64       // how many loops share the schedule
	pos    float64       // the loop's next send, numbered in the plan's requests (Plan.Until)
	due    time.Duration // when it is due, in the test's time (pauses excluded)
	ok     bool          // a send is due at all: false once the plan sends nothing more
	base   time.Time     // when the test's time was 0, as of the last look (a pause moves it)
	next   time.Time     // base + due
	paused bool          // the test was paused at the last look
	cap    int           // most slots (connections) the loop opens
	seq    int           // the loop's position in the request schedule
	idle   []int         // idle slots, by index: the most recently used last
	// spinning: the loop woke early for its next send and looks without
	// sleeping until it is due (waitOpen).
	spinning bool
}

func newOpenPace(e *Engine, k, n int) *openPace {
	cap := e.o.MaxInFlight / n
	if k < e.o.MaxInFlight%n {
		cap++
	}
	op := &openPace{loops: float64(n), pos: float64(k), cap: max(cap, 1), seq: k}
	op.due, op.ok = e.plan.Until(op.pos)
	return op
}

// look places the loop's next send in wall-clock time, from the test's
// time now (which a pause holds still).
func (op *openPace) look(e *Engine, now time.Time) {
	op.base = now.Add(-e.elapsed(now))
	op.next = op.base.Add(op.due)
}

// advance moves the loop to its next send: the loops' sends interleave,
// and the live scale (+/-) multiplies the rate from the next send on.
func (op *openPace) advance(e *Engine) {
	op.pos += op.loops / e.ScaleFactor()
	op.due, op.ok = e.plan.Until(op.pos)
	op.next = op.base.Add(op.due)
}

// tickOpen places the next send again (the live scale and pauses move the
// test's time), fails requests past their deadline and reports whether the
// loop goes on: until sending stopped and nothing is out.
func (l *evLoop) tickOpen(now time.Time) bool {
	e := l.e
	if !e.paused.Load() {
		l.op.look(e, now)
	}
	for _, s := range l.slots {
		if (s.state == slotWriting || s.state == slotReading) && now.After(s.deadline) {
			l.closeConn(s, l.fs.target[s.req])
			l.finish(s, 0, 0, os.ErrDeadlineExceeded)
		}
	}
	return !e.stopping.Load() || l.out > 0
}

// dispatch sends every request due by now for which the loop has, or may
// open, a connection.
func (l *evLoop) dispatch(now time.Time) {
	e, op := l.e, l.op
	if e.paused.Load() {
		op.paused = true
		return
	}
	if op.paused {
		op.paused = false
		op.look(e, now) // due later by the pause's length
	}
	if !op.ok || e.stopping.Load() {
		return
	}
	for op.ok && !op.next.After(now) {
		s := l.freeSlot()
		if s == nil {
			return // every connection busy: the due sends wait for one, late
		}
		if !e.takeBudget() {
			op.idle = append(op.idle, (s.id-l.first)/l.stride)
			return
		}
		intended := op.next
		op.advance(e)
		// The send's own time: freeSlot may have read answers first.
		now = time.Now()
		l.sendOpen(s, intended, now)
	}
}

// freeSlot takes an idle slot, or makes one while the loop is under its
// cap; nil when neither.
//
// A new connection is for a server that holds every connection busy, not
// for a loop that has not read its answers yet: when the loop falls
// behind (its own CPU), the answers wait in the kernel and every
// connection looks busy, and opening more only adds dials and the
// server's churn to the work it cannot keep up with (measured: a run at
// 25k/s that collapsed to 15k/s with 20,595 connects). So before it opens
// one, it reads what is ready.
func (l *evLoop) freeSlot() *evSlot {
	op := l.op
	for look := true; ; look = false {
		if n := len(op.idle); n > 0 {
			s := l.slots[op.idle[n-1]]
			op.idle = op.idle[:n-1]
			return s
		}
		if !look {
			break
		}
		n := pollReady(l.ep, l.evs)
		if n == 0 {
			break
		}
		l.handle(n)
	}
	if !l.mayDial() {
		return nil
	}
	id := l.first + len(l.slots)*l.stride
	s := l.newSlot(id)
	s.active = true
	l.slots = append(l.slots, s)
	l.e.workers.Add(1)
	return s
}

// mayDial says whether the loop may open one more connection: under its
// share of --max-inflight, and with fewer than dialCap connects out.
func (l *evLoop) mayDial() bool {
	return len(l.slots) < l.op.cap && l.dialing < dialCap(len(l.slots)-l.dialing)
}

// dialCap is how many connects an open loop's loop may have out at once
// when open of its connections are not being dialed: dialsAtOnce, or half
// of open when that is more, so a server that needs thousands of
// connections gets them in a few round trips (half again each time). It
// bounds new connections; a connection the server closed is dialed again
// when its slot next sends, as before.
//
// Unbounded, a run's start collapsed: every send found no connection and
// dialed its own, the dials and the server's accepts took the CPU the
// first answers needed, so more sends found every connection busy and
// dialed too. Against nginx at 26k/s (6 s runs): 2,573-4,385 connects,
// up to 3,272 requests in flight and a first-second p50 of 86-148 ms, 14-17%
// of the sends late; with 16 at once, 159-670 connects, 4-25 in flight,
// p50 0-1 ms and 0.9-7% late; with 64 the collapse began again (912
// connects, first-second p99 282 ms) (bench/README.md, 2026-12-02).
func dialCap(open int) int { return max(dialsAtOnce, open/2) }

// dialsAtOnce: see dialCap.
const dialsAtOnce = 16

// sendOpen sends the schedule's next request on s, due at intended.
func (l *evLoop) sendOpen(s *evSlot, intended, now time.Time) {
	e, op := l.e, l.op
	i := e.sched[op.seq%len(e.sched)]
	op.seq += l.stride
	sh := e.shards[s.id%len(e.shards)]
	sh.scheduled(now.Sub(intended))
	s.req, s.intended, s.start, s.deadline = i, intended, now, now.Add(e.o.Client.Timeout)
	l.prepare(s)
	s.ph, s.retried = Phases{}, false
	sh.sent()
	l.out++
	l.issue(s, now)
}

// finishOpen records the outcome of s's request and makes s idle. It does
// not back off after a refused connect: the rate bounds the attempts.
func (l *evLoop) finishOpen(s *evSlot, end time.Time, status int, n int64, err error) {
	l.e.shards[s.id%len(l.e.shards)].record(end.Sub(s.intended), end.Sub(s.start), 0, status, n, &s.ph, err, s.req, s.p.cap)
	l.op.idle = append(l.op.idle, (s.id-l.first)/l.stride)
}

// waitOpen waits for events until the loop's next intended send, when it
// has a connection to send it on, or the next tick: as openWaitFor says.
func (l *evLoop) waitOpen(now, lastTick time.Time) (int, error) {
	op := l.op
	wait := evTick - now.Sub(lastTick)
	if op.ok && !l.e.paused.Load() && (len(op.idle) > 0 || l.mayDial()) {
		how, d := openWaitFor(op.next.Sub(now), wait, op.spinning)
		op.spinning = how == waitEarly || (op.spinning && how == waitAwake)
		switch how {
		case waitAwake:
			return pollReady(l.ep, l.evs), nil
		case waitDeaf:
			l.sleepUntilSend(d)
			return pollReady(l.ep, l.evs), nil
		}
		wait = d
	}
	return epollWait(l.ep, l.evs, max(wait, 0))
}

// openWait is how the open loop waits for its next send (openWaitFor).
type openWait uint8

const (
	waitEvents openWait = iota // epoll until the send, an answer or the tick
	waitEarly                  // epoll until spinAhead before the send, then awake
	waitAwake                  // look for answers without sleeping; the send is due
	waitDeaf                   // sleep until the send, not woken by answers
)

// openWaitFor says how to wait for a send due in untilSend, the tick being
// wait away, when the loop has a connection to send on; spinning: it woke
// early for this send (waitEarly) and stays awake until it is due.
//
// A thread that slept long wakes late: after a sleep of milliseconds the
// scheduling delay's p50 was 75 µs at 200/s and 111 µs at 10/s (p99 0.6
// and 2.7 ms), against 8-35 µs at 1k-10k/s, the processor having gone to
// a deeper idle state. So before a send more than spinAfter away the loop
// wakes spinAhead early and looks, without sleeping, until it is due: at
// most spinAhead of one core per send, and only at rates under 1/spinAfter
// (1k/s), where there is CPU to spare. A send due within deafWithin is
// slept for without waking for answers, which are read when it is due and
// timed by the kernel's stamps (evloop_rx_linux.go); one due within
// awakeWithin is not slept for at all.
func openWaitFor(untilSend, wait time.Duration, spinning bool) (openWait, time.Duration) {
	switch {
	case untilSend <= awakeWithin || (spinning && untilSend <= spinAhead):
		return waitAwake, 0
	case untilSend > spinAfter && untilSend-spinAhead < wait:
		return waitEarly, untilSend - spinAhead
	case untilSend <= deafWithin && untilSend < wait:
		return waitDeaf, untilSend
	}
	return waitEvents, min(wait, untilSend)
}

// spinAfter and spinAhead: a send more than spinAfter away is woken for
// spinAhead early (openWaitFor).
const (
	spinAfter = time.Millisecond
	spinAhead = 100 * time.Microsecond
)

// awakeWithin: a send due within it is waited for awake, looking for
// answers (openWaitFor). A sleep that short costs a timer, two context
// switches and a wake-up later than asked; against nginx at 20k-28k/s
// (3 rounds of 5 s, 2026-12-02) waiting awake within 10 µs took 3-6% off
// the CPU per request and, on a quiet machine, halved the late sends
// (median 0.17-0.50% against 0.52-1.48%); within 15 µs was better at
// 20-25k/s and worse at 28k/s (bench/README.md).
const awakeWithin = 10 * time.Microsecond

// pollReady returns the events ready now, without waiting: epoll_pwait
// with a zero timeout, as a raw syscall. A busy loop finds answers ready
// most times it looks; a blocking syscall (unix.EpollWait) costs the Go
// scheduler's entry and exit around it each time, and sysmon's attention
// (bench/README.md, 2026-12-01): this look costs one syscall and nothing
// of the scheduler's. A raw syscall must not block, and this one cannot.
func pollReady(ep int, evs []unix.EpollEvent) int {
	r, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(ep), uintptr(unsafe.Pointer(&evs[0])), uintptr(len(evs)), 0, 0, 0)
	if errno != 0 {
		return 0 // EINTR: the blocking wait that follows looks again
	}
	return int(r)
}

// noPwait2 is set once the kernel said it has no epoll_pwait2.
var noPwait2 atomic.Bool

// epollWait waits up to d for events, to the nanosecond where the kernel
// has epoll_pwait2 (Linux 5.11), else to the millisecond, rounded up.
func epollWait(ep int, evs []unix.EpollEvent, d time.Duration) (int, error) {
	if d <= 0 {
		// Due now: what is ready, without the scheduler's syscall entry.
		// Otherwise the loop has just sent and waits for a later send or
		// an answer, and a look first would mostly find nothing.
		return pollReady(ep, evs), nil
	}
	if !noPwait2.Load() {
		ts := unix.NsecToTimespec(int64(d))
		r, _, errno := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(ep), uintptr(unsafe.Pointer(&evs[0])), uintptr(len(evs)),
			uintptr(unsafe.Pointer(&ts)), 0, 0)
		if errno == 0 {
			return int(r), nil
		}
		if errno != unix.ENOSYS {
			return 0, errno
		}
		noPwait2.Store(true)
	}
	return unix.EpollWait(ep, evs, int((d+time.Millisecond-1)/time.Millisecond))
}
