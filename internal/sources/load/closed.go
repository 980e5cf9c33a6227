package load

import (
	"math"
	"runtime"
	"sync"
	"time"

	"github.com/perftop/perftop/internal/crash"
)

// maxWorkers caps closed-loop workers however far + or a stage asks.
const maxWorkers = 100_000

// control keeps the number of closed-loop workers at the plan's level:
// starting workers when it rises; workers above it stop by themselves.
//
// Where it can (Linux, plain HTTP/1.1 keep-alive on the fast path) the
// workers are slots of event loops (evloop_linux.go) instead of goroutines;
// the loops read the wanted number themselves.
func (e *Engine) control(wg *sync.WaitGroup) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	if e.canEventLoop() {
		e.updateTarget()
		e.evLoop.Store(e.startLoops(evLoops(runtime.GOMAXPROCS(0)), wg) == nil)
	}
	var aliveMu sync.Mutex // guards alive: workers clear their own entry
	alive := map[int]bool{}
	for {
		target := e.updateTarget()
		if e.evLoop.Load() {
			target = 0
		}
		aliveMu.Lock()
		for id := 0; id < target; id++ {
			if alive[id] {
				continue
			}
			alive[id] = true
			e.workers.Add(1)
			wg.Add(1)
			go func() {
				defer crash.Recover()
				defer wg.Done()
				e.closedWorker(id)
				aliveMu.Lock()
				delete(alive, id)
				aliveMu.Unlock()
				e.workers.Add(-1)
			}()
		}
		aliveMu.Unlock()
		select {
		case <-e.stopCh:
			return
		case <-tick.C:
		}
	}
}

// updateTarget sets the number of workers wanted now and returns it.
func (e *Engine) updateTarget() int {
	lvl, _ := e.level(e.elapsed(time.Now()))
	target := min(int(math.Round(lvl)), maxWorkers)
	e.target.Store(int64(target))
	return target
}

// closedWorker sends its next request as soon as the last is answered,
// until the test stops or the worker is no longer wanted. After a refused
// connect it backs off (outcome.go); the pause after a request is the
// longer of that and the request's think time.
func (e *Engine) closedWorker(id int) {
	s := e.newSender()
	defer s.close()
	sh := e.shards[id%len(e.shards)]
	ph := new(Phases)
	var bo backoff
	var p pause
	var co cadence
	seq := id
	for {
		if !e.waitResume() || int64(id) >= e.target.Load() || !e.takeBudget() {
			return
		}
		i := e.sched[seq%len(e.sched)]
		seq++
		start := time.Now()
		kind := e.send(s, sh, ph, i, start, start, &co)
		if wait := max(bo.after(kind), e.o.Requests[i].Think); wait > 0 && !p.wait(wait, e.stopCh) {
			return
		}
	}
}

// send sends request i and records its outcome, latency counted from
// intended, and returns the outcome's kind. co is a closed-loop worker's
// cadence, nil in open loop: its latency is corrected for the requests it
// could not send meanwhile (correct.go). A request that fails once the
// engine is cutting off what is in flight is interrupted, whatever the
// error the cut caused.
//
// ph is the worker's own, reused for every request: a fresh one would
// escape to the heap through the sender interface, one allocation per
// request.
func (e *Engine) send(s sender, sh *shard, ph *Phases, i int, intended, start time.Time, co *cadence) Kind {
	*ph = Phases{}
	sh.sent()
	status, n, err := s.send(e.hardCtx, i, start.Add(e.o.Client.Timeout), ph)
	hc := s.capture()
	end := time.Now()
	if err != nil && e.cutting() {
		err = errInterrupted
	}
	if co == nil {
		return sh.record(end.Sub(intended), end.Sub(start), 0, status, n, ph, err, i, hc)
	}
	d := end.Sub(start)
	kind := sh.record(d, d, co.expected(), status, n, ph, err, i, hc)
	if isAnswer(kind) {
		co.add(d + e.o.Requests[i].Think)
	}
	return kind
}
