package load

import (
	"runtime"
	"sync"
	"time"

	"github.com/perftop/perftop/internal/crash"
)

// spinBelow is how close to its intended time a send goes out without the
// pacer sleeping first: timers are coarser than the gaps at high rates.
const spinBelow = 50 * time.Microsecond

// pace emits intended send times at the plan's rate and hands each to an
// idle worker, starting workers as needed up to MaxInFlight. When all are
// busy the pacer waits, the schedule does not: sends go out late and their
// latency still counts from the intended time.
//
// Where the closed loop runs on event loops, so does the open loop
// (evloop_open_linux.go), and pace only starts them.
func (e *Engine) pace(wg *sync.WaitGroup) {
	if e.canEventLoop() && e.startLoops(evLoops(runtime.GOMAXPROCS(0)), wg) == nil {
		e.evLoop.Store(true)
		return
	}
	// The pacer's sleeps are its thread's own, to the microsecond
	// (sleepFor): a Go timer would wake it up to a millisecond late.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	defer preciseTimers()()
	spawned := 0
	pos := 0.0 // the next send's number, in the plan's requests (Plan.Until)
	for {
		if !e.waitResume() {
			return
		}
		due, ok := e.plan.Until(pos)
		if !ok {
			<-e.stopCh // the plan sends nothing more
			return
		}
		// due is in the test's time, pauses excluded: the sends due
		// during a pause were never due.
		now := time.Now()
		wait := due - e.elapsed(now)
		next := now.Add(wait)
		if wait > spinBelow {
			if !e.sleepUntil(next) {
				return
			}
			if e.paused.Load() {
				continue // due later by the pause's length
			}
		}
		if !e.takeBudget() {
			return
		}
		select {
		case e.ticks <- next:
		default:
			if spawned < e.o.MaxInFlight {
				id, first := spawned, next
				spawned++
				e.workers.Add(1)
				wg.Add(1)
				go func() {
					defer crash.Recover()
					defer wg.Done()
					defer e.workers.Add(-1)
					e.openWorker(id, first)
				}()
			} else {
				select {
				case e.ticks <- next:
				case <-e.stopCh:
					return
				}
			}
		}
		pos += 1 / e.ScaleFactor()
	}
}

// openWorker sends one request per intended time it is handed. It does not
// back off after a refused connect as the closed loop's workers do: the
// rate bounds the attempts, and the schedule is kept whatever the target
// does.
func (e *Engine) openWorker(id int, intended time.Time) {
	s := e.newSender()
	defer s.close()
	sh := e.shards[id%len(e.shards)]
	ph := new(Phases)
	seq := id
	for {
		i := e.sched[seq%len(e.sched)]
		seq++
		start := time.Now()
		sh.scheduled(start.Sub(intended))
		e.send(s, sh, ph, i, intended, start, nil)
		select {
		case intended = <-e.ticks:
		case <-e.stopCh:
			return
		}
	}
}

// sleepUntil sleeps until t, in steps of at most 10ms so that a stop
// is seen; false when sending stopped.
func (e *Engine) sleepUntil(t time.Time) bool {
	for {
		if e.stopping.Load() {
			return false
		}
		left := time.Until(t)
		if left <= 0 {
			return true
		}
		sleepFor(min(left, 10*time.Millisecond))
	}
}
