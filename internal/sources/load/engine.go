package load

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/perftop/perftop/internal/crash"
	"github.com/perftop/perftop/internal/metrics"
)

// Defaults of Options.
const (
	DefaultConcurrency = 50
	DefaultMaxInFlight = 10000
	DefaultTimeout     = 10 * time.Second
	// DefaultGrace is how long stopping waits for requests in flight: the
	// README's promise of a stop within 3 s.
	DefaultGrace = 3 * time.Second
	// LateAfter is how far behind its intended time a request may start
	// before it counts as a late send: a millisecond, ten times the
	// scheduling delay's p99 on an idle machine (README, Open loop), so
	// a late send is the pacer falling behind, not timer noise.
	LateAfter = time.Millisecond
)

// Options configure a test. Exactly one of Concurrency (closed loop) and
// Rate (open loop) applies: Rate > 0 selects open loop.
type Options struct {
	Requests    []Request
	Concurrency int     // closed loop: workers
	Rate        float64 // open loop: requests per second
	// Open selects open loop even at a Rate of 0, for stages that ramp the
	// rate up from nothing.
	Open        bool
	MaxInFlight int // open loop: cap on concurrent requests
	Duration    time.Duration
	MaxRequests int64
	// Stages ramp the rate (open loop) or the workers (closed loop) from
	// the starting level; when set, they define the test's length.
	Stages []Stage
	Client ClientOptions
	// Grace is how long stopping waits for the requests in flight before
	// it cuts them off and counts them interrupted; 0 means DefaultGrace.
	Grace time.Duration
	// Interval is how often the collector publishes to the Store.
	Interval time.Duration
	// Judge, when set, evaluates the run's SLOs on each interval's state
	// before it is published.
	Judge func(*metrics.LoadTest) []metrics.Objective
	// OnTimeline, when set, receives each timeline entry as it is made,
	// on the collector's goroutine: the results file's streamed timeline.
	OnTimeline func(TimelinePoint)
	// SplitBy are the response headers answers are split by (--split-by),
	// at most MaxSplitHeaders; SplitMax is how many values of each are
	// kept apart, the rest counted as "(other)": 0 means DefaultSplitMax.
	SplitBy  []SplitBy
	SplitMax int
}

// Engine runs one test. Create it with New, run it once with Run; Pause,
// Resume, Scale, Stop and Abort may be called from any goroutine while it
// runs.
type Engine struct {
	o      Options
	open   bool
	plan   Plan
	sched  []int
	shards []*shard
	gs     *groups
	fast   *fastShared
	std    *stdShared
	conns  atomic.Int64

	scale    atomic.Uint64 // float64 bits: live +/- factor on the plan's level
	paused   atomic.Bool
	stopping atomic.Bool
	issued   atomic.Int64
	workers  atomic.Int64 // running
	target   atomic.Int64 // closed loop: workers wanted
	evLoop   atomic.Bool  // the test runs on event loops

	mu        sync.Mutex // guards resume, start, pausedAt, pausedFor
	resume    chan struct{}
	start     time.Time
	pausedAt  time.Time
	pausedFor time.Duration

	stopCh   chan struct{} // closed when sending stops
	stopOnce sync.Once
	hardCtx  context.Context // cancelled by the cut: the grace period is over, or Abort
	hardStop context.CancelFunc
	live     liveConns      // the fast path's blocking connections, for the cut
	msgs     errorMessages  // failures' messages, by kind
	ticks    chan time.Time // open loop: intended send times

	col          *collector
	exported     exportedHist // the latency histogram as Stats reports it
	stoppedEarly atomic.Bool
	watch        func(*metrics.LoadTest) bool
}

// New checks o and prepares a test.
func New(o Options) (*Engine, error) {
	if len(o.Requests) == 0 {
		return nil, errors.New("no requests to send")
	}
	for i, r := range o.Requests {
		if r.URL == nil {
			return nil, fmt.Errorf("request %d has no URL", i+1)
		}
		if r.Method == "" {
			o.Requests[i].Method = "GET"
		}
	}
	if err := o.Client.Keys.check(); err != nil {
		return nil, err
	}
	if o.Client.Keys.N > 0 && !slices.ContainsFunc(o.Requests, HasKey) {
		return nil, errKeysWithoutPlaceholder
	}
	if len(o.SplitBy) > MaxSplitHeaders {
		return nil, fmt.Errorf("%d split headers: at most %d", len(o.SplitBy), MaxSplitHeaders)
	}
	if o.SplitMax < 0 || o.SplitMax > MaxSplitMax {
		return nil, fmt.Errorf("invalid split max %d: 1 to %d values", o.SplitMax, MaxSplitMax)
	}
	if o.SplitMax == 0 {
		o.SplitMax = DefaultSplitMax
	}
	if o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0) {
		return nil, fmt.Errorf("invalid rate %v: must be a positive number of requests per second", o.Rate)
	}
	if o.Concurrency < 0 {
		return nil, fmt.Errorf("invalid concurrency %d: must be at least 1", o.Concurrency)
	}
	if o.Concurrency == 0 && len(o.Stages) == 0 {
		o.Concurrency = DefaultConcurrency // with stages, workers ramp from none
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.Client.Timeout <= 0 {
		o.Client.Timeout = DefaultTimeout
	}
	if o.Client.UserAgent == "" {
		o.Client.UserAgent = "perftop"
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	e := &Engine{o: o, open: o.Rate > 0 || o.Open, sched: schedule(o.Requests)}
	e.gs = newGroups(o.Requests, o.SplitBy, o.SplitMax)
	e.shards = newShards(&e.msgs, e.gs)
	e.plan = Plan{Start: float64(o.Concurrency), Stages: o.Stages}
	if e.open {
		e.plan.Start = o.Rate
	}
	if len(o.Stages) > 0 && e.plan.Duration() > 0 && o.Duration == 0 {
		e.o.Duration = e.plan.Duration()
	}
	e.scale.Store(math.Float64bits(1))
	e.resume = make(chan struct{})
	close(e.resume) // not paused
	e.stopCh = make(chan struct{})
	e.hardCtx, e.hardStop = context.WithCancel(context.Background())
	e.ticks = make(chan time.Time)
	if useFastPath(o.Requests, o.Client) {
		e.fast = newFastShared(o.Requests, o.Client, &e.conns, o.SplitBy)
		for _, d := range e.fast.dialers {
			d.live = &e.live
		}
	} else {
		e.std = newStdShared(o.Requests, o.Client, max(o.Concurrency, 64), &e.conns, o.SplitBy)
	}
	e.col = newCollector(e)
	return e, nil
}

// closeIdle closes net/http's kept-alive connections, which outlive the
// workers otherwise.
func (e *Engine) closeIdle() {
	if e.std != nil {
		e.std.client.CloseIdleConnections()
	}
}

// FastPath reports whether the test uses the HTTP/1.1 fast path.
func (e *Engine) FastPath() bool { return e.fast != nil }

// EventLoop reports whether the test runs on event loops: the closed
// loop's workers, or the open loop's pacing and sends (known once Run has
// started them).
func (e *Engine) EventLoop() bool { return e.evLoop.Load() }

// OpenLoop reports whether the test paces requests at a rate.
func (e *Engine) OpenLoop() bool { return e.open }

func (e *Engine) newSender() sender {
	if e.fast != nil {
		return e.fast.newSender()
	}
	return e.std.newSender()
}

// Pause stops sending until Resume; requests in flight finish.
func (e *Engine) Pause() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.paused.Load() || e.stopping.Load() {
		return
	}
	e.resume = make(chan struct{})
	e.pausedAt = time.Now()
	e.paused.Store(true)
}

// Resume continues after Pause. Paused time does not count towards the
// test's duration.
func (e *Engine) Resume() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.paused.Load() {
		return
	}
	e.pausedFor += time.Since(e.pausedAt)
	e.paused.Store(false)
	close(e.resume)
}

// TogglePause pauses a running test or resumes a paused one.
func (e *Engine) TogglePause() {
	if e.paused.Load() {
		e.Resume()
	} else {
		e.Pause()
	}
}

// Scale multiplies the target rate (open loop) or workers (closed loop) by
// f from now on, on top of any stages: the dashboard's +/- keys.
func (e *Engine) Scale(f float64) {
	if f <= 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return
	}
	for {
		old := e.scale.Load()
		next := math.Float64frombits(old) * f
		if e.scale.CompareAndSwap(old, math.Float64bits(next)) {
			return
		}
	}
}

// ScaleFactor is the live +/- factor Scale has set: 1 when untouched.
func (e *Engine) ScaleFactor() float64 { return math.Float64frombits(e.scale.Load()) }

// Watch sets a function the collector calls with every interval's state;
// when it returns true the test ends, as a stress test does at its breaking
// point. Set it before Run.
func (e *Engine) Watch(f func(*metrics.LoadTest) bool) { e.watch = f }

// elapsed is the test's running time, pauses excluded.
func (e *Engine) elapsed(now time.Time) time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := now.Sub(e.start) - e.pausedFor
	if e.paused.Load() {
		d -= now.Sub(e.pausedAt)
	}
	return max(d, 0)
}

// level is the target rate or workers at elapsed time t, with the live
// scale applied.
func (e *Engine) level(t time.Duration) (level float64, stage int) {
	l, st, _ := e.plan.At(t)
	return l * math.Float64frombits(e.scale.Load()), st
}

// waitResume blocks while the test is paused; false means stop.
func (e *Engine) waitResume() bool {
	if !e.paused.Load() {
		return !e.stopping.Load()
	}
	e.mu.Lock()
	ch := e.resume
	e.mu.Unlock()
	select {
	case <-ch:
	case <-e.stopCh:
	}
	return !e.stopping.Load()
}

// takeBudget counts one request against --requests; false when spent.
func (e *Engine) takeBudget() bool {
	if e.o.MaxRequests <= 0 {
		return true
	}
	if e.issued.Add(1) > e.o.MaxRequests {
		e.end()
		return false
	}
	return true
}

// Run sends requests until the duration, the request budget, Stop, Abort
// or ctx ends the test, publishing to st every interval. It then waits for
// the requests in flight up to the grace period, cuts off what is left
// (counted interrupted), publishes the final state and returns the run's
// result, in which every request sent has its outcome. Cancelling ctx is a
// normal stop.
func (e *Engine) Run(ctx context.Context, st *metrics.Store) (*Result, error) {
	e.mu.Lock()
	e.start = time.Now()
	e.mu.Unlock()
	e.col.begin(e.start)

	var wg sync.WaitGroup
	if e.open {
		wg.Add(1)
		go func() { defer wg.Done(); defer crash.Recover(); e.pace(&wg) }()
	} else {
		wg.Add(1)
		go func() { defer wg.Done(); defer crash.Recover(); e.control(&wg) }()
	}

	ticker := time.NewTicker(e.o.Interval)
	defer ticker.Stop()
	var deadline *time.Timer // the end of the duration, pauses excluded
	var due <-chan time.Time
	if d := e.o.Duration; d > 0 {
		deadline = time.NewTimer(d)
		defer deadline.Stop()
		due = deadline.C
	}
	for running := true; running; {
		select {
		case <-ctx.Done():
			e.Stop()
		case <-e.stopCh:
			running = false
		case now := <-due:
			if left := e.o.Duration - e.elapsed(now); left > 0 {
				// Paused for part of it: the time left, looked at no
				// more often than every 10ms while still paused.
				deadline.Reset(max(left, 10*time.Millisecond))
			} else {
				e.end()
			}
		case now := <-ticker.C:
			if e.stopping.Load() {
				// The stop came with this tick: the next turn takes it,
				// and the tick is not a running interval with the
				// sending already ended (nothing in it but the stop).
				continue
			}
			if lt := e.col.collect(now, st, metrics.TestRunning); e.watch != nil && e.watch(lt) {
				e.end()
			}
		}
	}
	e.col.collect(time.Now(), st, metrics.TestStopping)

	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	grace := time.NewTimer(e.o.Grace)
	select {
	case <-done:
	case <-e.hardCtx.Done(): // Abort
		<-done
	case <-grace.C:
		e.interrupt()
		<-done
	}
	grace.Stop()
	e.hardStop()
	e.closeIdle()
	end := time.Now()
	e.col.collect(end, st, metrics.TestDone)
	return e.col.result(end), nil
}
