//go:build linux

package load

import (
	"errors"
	"os"
	"runtime"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/perftop/perftop/internal/crash"
)

// The event loop: the closed loop's fast path on Linux, built as wrk is.
// A goroutine per worker costs, per request, a read that finds nothing
// (EAGAIN), a park, a wake-up through the runtime's poller and a context
// switch; at high request rates on loopback they show as generator CPU and
// lost throughput (bench/README.md has the figures). Here one locked
// thread per loop owns many connections through its own epoll set: one
// epoll_wait returns every answered connection, each is read, parsed
// (respParser) and sent its next request at once.
//
// Dialing stays in Go: a goroutine dials with the fast path's dialer (DNS
// and connect timed the same way), hands the socket over and the loop adopts
// it. Timeouts are checked every evTick.

// evTick is how often a loop looks at timeouts, the wanted number of
// workers, pause and stop when no answer wakes it sooner.
const evTick = 10 * time.Millisecond

// evWakeFd marks the loop's eventfd in epoll events; slots use their index.
const evWakeFd = -1

// evLoops is how many loops run: one per processor but one, which the
// collector, the dashboard and the target (often on the same machine) need.
func evLoops(procs int) int { return max(1, procs-1) }

// slotState is where a worker's request is.
type slotState uint8

const (
	slotIdle    slotState = iota // no request out
	slotDialing                  // a goroutine is opening its connection
	slotWriting                  // the request is partly written; waiting to write more
	slotReading                  // written; waiting for the response
	slotBackoff                  // no request out: waiting after a refused connect
)

// busy reports whether the slot has a request out.
func (st slotState) busy() bool { return st == slotDialing || st == slotWriting || st == slotReading }

// evSlot is one closed-loop worker on a loop.
type evSlot struct {
	id       int
	active   bool // counted in the engine's workers
	seq      int  // the worker's position in the request schedule
	fds      []int
	state    slotState
	req      int       // the request out
	intended time.Time // open loop: when the schedule wanted it sent
	start    time.Time
	wrote    time.Time
	deadline time.Time
	written  int
	reused   bool // the request went out on a kept-alive connection
	retried  bool // it was already retried once on a fresh one
	wantOut  bool // the connection is registered for EPOLLOUT
	bo       backoff
	co       cadence   // the expected interval its latency is corrected with
	due      time.Time // slotBackoff: when the next request may go
	ph       Phases
	p        respParser
	raw      []byte // the request out, as written: a wire's, or buf
	buf      []byte // with keys: the keyed requests, filled per send
}

// dialDone is a dialing goroutine's result for a slot.
type dialDone struct {
	slot, host int
	fd         int
	ph         Phases
	err        error
}

type evLoop struct {
	e        *Engine
	fs       *fastShared
	first    int // worker ids first, first+stride, ...
	stride   int
	ep, wake int
	slots    []*evSlot
	evs      []unix.EpollEvent
	buf      []byte    // every connection of the loop reads into it
	out      int       // requests out (dialing included)
	dialing  int       // connections being opened (dial to adopt)
	due      time.Time // the earliest due of the slots backing off; zero: none

	// Open loop (evloop_open_linux.go): the loop's share of the schedule
	// and its idle slots; nil in closed loop.
	op *openPace
	rx *rxState // open loop: the answers' receive times (evloop_rx_linux.go)

	raw    bool   // block in a raw syscall, holding the loop's P (block)
	keys   *keyer // with keys: the loop's draws; nil without
	keyLen int    // the longest keyed request

	mu     sync.Mutex // guards dialed and closed
	dialed []dialDone
	closed bool
	dials  sync.WaitGroup
}

// canEventLoop says whether the test can run on event loops: plain
// HTTP/1.1 with keep-alive on the fast path and, in closed loop, no think
// times (the open loop has none: its schedule is its pace).
func (e *Engine) canEventLoop() bool {
	if e.fast == nil || !e.fast.keep || e.o.Client.NoEventLoop {
		return false
	}
	for _, d := range e.fast.dialers {
		if d.tls != nil {
			return false
		}
	}
	for _, r := range e.o.Requests {
		if r.Think > 0 && !e.open {
			return false
		}
	}
	return true
}

// startLoops starts the test on n event loops, which run until it stops.
// It fails only when the kernel refuses epoll or eventfd; the caller then
// uses goroutines.
func (e *Engine) startLoops(n int, wg *sync.WaitGroup) error {
	if e.open {
		n = max(1, min(n, e.o.MaxInFlight)) // each loop has a connection at least
	}
	loops := make([]*evLoop, 0, n)
	for i := range n {
		l, err := newEvLoop(e, i, n)
		if err != nil {
			for _, l := range loops {
				l.release()
			}
			return err
		}
		if e.open {
			l.op, l.rx = newOpenPace(e, i, n), &rxState{}
		}
		l.raw = runtime.GOMAXPROCS(0) > n // a P left for the rest of perftop
		loops = append(loops, l)
	}
	for _, l := range loops {
		wg.Add(1)
		go func() { defer wg.Done(); defer crash.Recover(); l.run() }()
	}
	return nil
}

func newEvLoop(e *Engine, first, stride int) (*evLoop, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(ep)
		return nil, os.NewSyscallError("eventfd", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: evWakeFd}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, wake, &ev); err != nil {
		unix.Close(ep)
		unix.Close(wake)
		return nil, os.NewSyscallError("epoll_ctl", err)
	}
	l := &evLoop{
		e: e, fs: e.fast, first: first, stride: stride, ep: ep, wake: wake,
		evs: make([]unix.EpollEvent, 256), buf: make([]byte, 64<<10),
		keys: e.fast.keys.keyer(),
	}
	for _, k := range e.fast.keyed {
		if k != nil {
			l.keyLen = max(l.keyLen, k.maxLen(e.fast.keys.o.N))
		}
	}
	return l, nil
}

// newSlot makes the loop's slot for worker id, its connections closed and
// its key buffer (with keys) at its longest, never grown on the hot path.
func (l *evLoop) newSlot(id int) *evSlot {
	s := &evSlot{id: id, seq: id, fds: make([]int, len(l.fs.dialers))}
	for i := range s.fds {
		s.fds[i] = -1
	}
	if l.keys != nil {
		s.buf = make([]byte, 0, l.keyLen)
	}
	s.p.cap = newHeaderCapture(l.e.o.SplitBy)
	return s
}

// prepare makes s.raw the bytes of s's request: the wire's, or with keys
// the keyed request filled with the loop's next key, once per request (a
// retry on a fresh connection sends the same key).
func (l *evLoop) prepare(s *evSlot) {
	s.raw = l.fs.wires[s.req].raw
	if l.keys != nil && l.fs.keyed[s.req] != nil {
		s.buf = l.fs.keyed[s.req].fill(s.buf, l.keys.key())
		s.raw = s.buf
	}
}

// release closes the loop's own descriptors; its connections are closed.
func (l *evLoop) release() {
	unix.Close(l.ep)
	unix.Close(l.wake)
}

func (l *evLoop) run() {
	runtime.LockOSThread() // the loop is the thread's only work, as in wrk
	defer runtime.UnlockOSThread()
	defer l.shutdown()
	if l.op != nil {
		defer preciseTimers()()
	}
	e := l.e
	lastTick := time.Time{}
	for {
		now := time.Now()
		if now.Sub(lastTick) >= evTick || (!l.due.IsZero() && !now.Before(l.due)) {
			lastTick = now
			if !l.tick(now) {
				return
			}
		}
		var n int
		var err error
		if l.op != nil {
			l.dispatch(now)
			n, err = l.waitOpen(now, lastTick)
		} else {
			if n = pollReady(l.ep, l.evs); n == 0 {
				n, err = l.block(l.waitMillis(now))
			}
		}
		if err != nil && !errors.Is(err, unix.EINTR) {
			// Not expected on a valid epoll set; stop this loop's
			// workers rather than spin.
			return
		}
		if e.cutting() {
			return // shutdown counts what is out as interrupted
		}
		l.handle(n)
	}
}

// block waits up to ms milliseconds for events.
//
// Through unix.EpollWait the wait is a blocking syscall to the Go
// scheduler: it leaves the loop's P in a syscall state, sysmon watches
// it at a short period and hands the P to another thread when goroutines
// wait on it, and the loop takes a P back when it wakes. On a slow endpoint
// the loop blocks about once per 30 answers and that traffic was a quarter
// of its CPU: 34.6-37.3 µs per request against wrk's 27.8-28.9 (10 ms
// endpoint, c=50, 3 rounds). A raw syscall keeps the P while the loop
// sleeps, as wrk's threads keep their core: 30.1-31.0 µs in the same
// rounds (bench/README.md, 2026-12-01). The loop's thread is its own
// (LockOSThread) and the other Ps run the rest of perftop, so it is done
// only when the loops leave at least one P (l.raw); the runtime still
// preempts the loop (a signal ends the wait with EINTR) for the garbage
// collector and every 10 ms.
func (l *evLoop) block(ms int) (int, error) {
	if !l.raw {
		return unix.EpollWait(l.ep, l.evs, ms)
	}
	r, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(l.ep), uintptr(unsafe.Pointer(&l.evs[0])), uintptr(len(l.evs)), uintptr(ms), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// handle handles the first n events of l.evs.
func (l *evLoop) handle(n int) {
	for _, ev := range l.evs[:max(n, 0)] {
		if ev.Fd == evWakeFd {
			l.adopt()
			continue
		}
		l.event(l.slots[ev.Fd], int(ev.Pad), ev.Events)
	}
}

// waitMillis is how long epoll_wait may sleep: until the next tick, or
// sooner when a slot's backoff ends first (rounded up: a wait of 0 would
// spin).
func (l *evLoop) waitMillis(now time.Time) int {
	wait := evTick
	if !l.due.IsZero() {
		wait = min(wait, max(l.due.Sub(now), 0))
	}
	return int((wait + time.Millisecond - 1) / time.Millisecond)
}

// tick starts and retires workers to the engine's wanted number, resumes
// after a pause or a backoff and fails requests past their deadline. It
// returns false when the loop is done: sending stopped and nothing is out.
func (l *evLoop) tick(now time.Time) bool {
	e := l.e
	if e.paused.Load() && l.out == 0 {
		e.waitResume() // nothing to watch while paused: sleep until resumed or stopped
		now = time.Now()
	}
	if l.op != nil {
		return l.tickOpen(now)
	}
	target := int(e.target.Load())
	for id := l.first + len(l.slots)*l.stride; id < target; id += l.stride {
		l.slots = append(l.slots, l.newSlot(id))
	}
	l.due = time.Time{}
	for _, s := range l.slots {
		switch {
		case s.state == slotIdle:
			l.next(s, now)
		case s.state == slotBackoff && (!now.Before(s.due) || e.stopping.Load()):
			s.state = slotIdle
			l.next(s, now)
		case s.state == slotBackoff:
			l.backOff(s, s.due)
		case (s.state == slotWriting || s.state == slotReading) && now.After(s.deadline):
			l.closeConn(s, l.fs.target[s.req])
			l.finish(s, 0, 0, os.ErrDeadlineExceeded)
		}
	}
	return !e.stopping.Load() || l.out > 0
}

// next sends an idle worker's next request, or retires the worker when
// it is no longer wanted.
func (l *evLoop) next(s *evSlot, now time.Time) {
	e := l.e
	want := !e.stopping.Load() && int64(s.id) < e.target.Load()
	if want && !s.active {
		s.active = true
		e.workers.Add(1)
	}
	if want && e.paused.Load() {
		return // resumed by tick
	}
	if !want || !e.takeBudget() {
		if s.active {
			s.active = false
			e.workers.Add(-1)
			for h := range s.fds {
				l.closeConn(s, h)
			}
		}
		return
	}
	i := e.sched[s.seq%len(e.sched)]
	s.seq++
	s.req, s.start, s.deadline = i, now, now.Add(e.o.Client.Timeout)
	l.prepare(s)
	s.ph, s.retried = Phases{}, false
	e.shards[s.id%len(e.shards)].sent()
	l.out++
	l.issue(s, now)
}

// finish records the outcome of s's request and sends its next one at
// once, the closed loop, or after a backoff when it was refused.
func (l *evLoop) finish(s *evSlot, status int, n int64, err error) {
	l.finishAt(s, time.Now(), status, n, err)
}

// finishAt is finish with the request's end given: its answer's arrival.
func (l *evLoop) finishAt(s *evSlot, end time.Time, status int, n int64, err error) {
	if err != nil {
		status = 0
	}
	s.state = slotIdle
	l.out--
	if l.op != nil {
		l.finishOpen(s, end, status, n, err)
		return
	}
	d := end.Sub(s.start)
	kind := l.e.shards[s.id%len(l.e.shards)].record(d, d, s.co.expected(), status, n, &s.ph, err, s.req, s.p.cap)
	if isAnswer(kind) {
		s.co.add(d) // no think times on event loops
	}
	if wait := s.bo.after(kind); wait > 0 {
		s.state = slotBackoff
		l.backOff(s, end.Add(wait))
		return
	}
	l.next(s, end)
}

// backOff notes that s, backing off, is due at t.
func (l *evLoop) backOff(s *evSlot, t time.Time) {
	s.due = t
	if l.due.IsZero() || t.Before(l.due) {
		l.due = t
	}
}

// shutdown counts what is still out as interrupted (the test was cut off:
// the grace period is over, or Abort), closes every connection and waits
// for dialing goroutines.
func (l *evLoop) shutdown() {
	l.mu.Lock()
	l.closed = true
	for _, r := range l.dialed {
		if r.fd >= 0 {
			unix.Close(r.fd)
		}
	}
	l.dialed = nil
	l.mu.Unlock()
	for _, s := range l.slots {
		if s.state.busy() {
			l.e.shards[s.id%len(l.e.shards)].record(0, 0, 0, 0, 0, &s.ph, errInterrupted, s.req, nil)
			l.out--
		}
		s.state = slotIdle
		for h := range s.fds {
			l.closeConn(s, h)
		}
		if s.active {
			s.active = false
			l.e.workers.Add(-1)
		}
	}
	l.dials.Wait()
	l.release()
}
