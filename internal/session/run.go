package session

import (
	"context"
	"io"
	"math"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/perftop/perftop/internal/crash"
	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/load"
	"github.com/perftop/perftop/internal/tui"
)

// Dashboard runs the live dashboard on the terminal, served over SSH as
// well when Config.SSH asks, until the user quits or ctx ends. The
// terminal is restored in every case, panics included.
func (s *Session) Dashboard(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	waitSources := s.startSources(ctx)
	defer waitSources() // after the server: cancel runs first
	srv, err := s.startSSH(ctx, nil, false)
	if err != nil {
		return err
	}
	defer srv.wait()
	defer cancel()
	defer s.fewerProcs()()
	return s.runProgram(ctx, s.model(ctx, viewer{ssh: srv}, nil))
}

// Serve samples headless and serves the dashboard over SSH until ctx ends
// or SIGINT or SIGTERM arrives. It needs Config.SSH.
func (s *Session) Serve(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, hangupSignals...)
	defer stop()
	waitSources := s.startSources(ctx)
	defer waitSources()
	srv, err := s.startSSH(ctx, nil, true)
	if err != nil {
		stop()
		return err
	}
	<-ctx.Done()
	srv.wait()
	return nil
}

// Test is a load test for the session to run.
type Test struct {
	Engine *load.Engine
	// Headless runs without the dashboard: a progress line a second on
	// Progress, until the test ends or SIGINT or SIGTERM stops it.
	Headless bool
	Progress io.Writer
}

// firstFrameWait is the longest a load test waits for the dashboard's
// first frame before it starts (LoadTest).
const firstFrameWait = time.Second

// LoadTest runs t's engine to its end beside the session's sources, under
// the dashboard (quitting it stops the test) or headless, served over SSH
// when Config.SSH asks. A stop by key or signal is a normal end: the
// result is complete either way.
func (s *Session) LoadTest(ctx context.Context, t Test) (*load.Result, error) {
	if t.Headless {
		return s.headless(ctx, t)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	waitSources := s.startSources(ctx)
	defer waitSources()
	srv, err := s.startSSH(ctx, t.Engine, false)
	if err != nil {
		return nil, err
	}
	defer srv.wait()
	defer cancel()
	// The test starts once the dashboard has drawn its first frame, or
	// after firstFrameWait without one: the dashboard's start (its first
	// render, the sources' first samples) took the CPU from the first
	// second's requests, whose p99 was 54-91 ms where the rest of the run's
	// was 1-4 ms (-r 5000 on bench/target in a 100x30 tmux); started after
	// the first frame, 1-3 ms.
	up := make(chan struct{})
	var once sync.Once
	drawn := func() { once.Do(func() { close(up) }) }
	started := make(chan *engineRun, 1)
	go func() {
		defer crash.Recover()
		wait := time.NewTimer(firstFrameWait)
		defer wait.Stop()
		select {
		case <-up:
		case <-wait.C:
		}
		started <- s.startEngine(ctx, t.Engine)
	}()
	err = s.runProgram(ctx, s.model(ctx, viewer{ssh: srv, firstFrame: drawn}, t.Engine))
	drawn() // a dashboard that ended before its first frame: start, to stop at once
	run := <-started
	// The dashboard is gone and the terminal is the shell's again: the test
	// stops within its grace period, and Ctrl-C (or SIGTERM, SIGHUP) now
	// cuts off what is still in flight at once.
	t.Engine.Stop()
	s.waitEngine(ctx, run, t.Engine, true, nil)
	if err != nil {
		return run.res, err
	}
	return run.res, run.err
}

// waitEngine waits for run to end. A signal (SIGINT, SIGTERM, SIGHUP) or
// ctx ending stops it, as the s key does, unless stopping says it was
// stopped already; the next signal aborts it, cutting off the requests in
// flight without waiting for their grace period, as a second Ctrl-C does in
// k6. progress, when not nil, gets a line at each interval the engine
// publishes while the test is live.
func (s *Session) waitEngine(ctx context.Context, run *engineRun, eng *load.Engine, stopping bool, progress io.Writer) {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, hangupSignals...)
	defer signal.Stop(sig)
	done := ctx.Done()
	var sn metrics.Snapshot
	var printed *metrics.LoadTest // the engine publishes a new one each interval
	for {
		ch := s.st.Changed()
		select {
		case <-run.done:
			return
		case <-done:
			done = nil
			if !stopping {
				eng.Stop()
				stopping = true
			}
		case <-sig:
			if stopping {
				eng.Abort()
			} else {
				eng.Stop()
				stopping = true
			}
		case <-ch:
			if progress == nil {
				continue
			}
			s.st.Snapshot(&sn)
			// Once per interval: the host and the scrapes change the Store
			// too.
			if lt := sn.LoadTest; lt != nil && lt != printed && lt.State.Live() {
				printed = lt
				io.WriteString(progress, ProgressLine(lt)+"\n")
			}
		}
	}
}

// engineRun is a load engine running in its own goroutine: res and err are
// its result once done is closed.
type engineRun struct {
	done chan struct{}
	res  *load.Result
	err  error
}

// startEngine runs eng into the session's Store until it ends or ctx does.
func (s *Session) startEngine(ctx context.Context, eng *load.Engine) *engineRun {
	r := &engineRun{done: make(chan struct{})}
	go func() {
		defer crash.Recover()
		defer close(r.done)
		r.res, r.err = eng.Run(ctx, s.st)
	}()
	return r
}

// headless runs t with a progress line a second, served over SSH when
// Config.SSH asks, until the test ends or a signal stops it (SIGINT,
// SIGTERM or SIGHUP; a second one aborts it). The sources run as under
// the dashboard: the host's and the service's side go into the results
// file beside the client's numbers, and SSH viewers see them.
func (s *Session) headless(ctx context.Context, t Test) (*load.Result, error) {
	// Nothing shows the process table of a run nobody can watch: reading
	// it would cost the load generator's CPU.
	s.host.SkipProcesses(s.cfg.SSH == nil)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	waitSources := s.startSources(sctx)
	defer waitSources()
	srv, err := s.startSSH(sctx, t.Engine, false)
	if err != nil {
		return nil, err
	}
	defer srv.wait()
	defer cancel()
	// The engine's own context is not the signals': the first signal stops
	// the test gracefully, a second aborts it (see waitEngine).
	run := s.startEngine(context.WithoutCancel(ctx), t.Engine)
	s.waitEngine(ctx, run, t.Engine, false, t.Progress)
	return run.res, run.err
}

// Replay shows a finished run on the load screen until the user quits: its
// timeline (one point a second from lt.Started) as the charts' series, left
// and right moving through it, and lt, the run as a whole, as the final
// state. Config.History should hold the whole timeline.
func (s *Session) Replay(ctx context.Context, lt *metrics.LoadTest, timeline []metrics.TimelinePoint) error {
	s.st.Update(func(tx metrics.Tx) {
		var b metrics.Batch
		for _, p := range timeline {
			b.Reset(lt.Started.Add(time.Duration(p.Seconds * float64(time.Second))))
			b.Add(metrics.KeyLoadRPS, p.RPS)
			b.Add(metrics.KeyLoadP50, p.P50)
			b.Add(metrics.KeyLoadP99, p.P99)
			b.Add(metrics.KeyLoadInFlight, float64(p.InFlight))
			errPct := 0.0
			if p.Requests > 0 {
				errPct = float64(p.Errors) / float64(p.Requests) * 100
			}
			b.Add(metrics.KeyLoadErrorPct, errPct)
			for _, h := range []struct {
				key string
				v   float64
			}{{metrics.KeyCPUTotal, p.HostCPU}, {metrics.KeyMemUsed, p.HostMemory}, {metrics.KeyNetRx, p.NetRx}, {metrics.KeyNetTx, p.NetTx},
				{metrics.KeyServerRPS, p.ServerRPS}, {metrics.KeyServerErrorRatio, p.ServerErrorRatio}, {metrics.KeyServerP99, p.ServerP99}} {
				if !math.IsNaN(h.v) { // what was not recorded stays absent
					b.Add(h.key, h.v)
				}
			}
			tx.Write(&b)
		}
		tx.SetLoadTest(lt)
	})
	if timeline == nil {
		timeline = []metrics.TimelinePoint{}
	}
	return s.runProgram(ctx, s.model(ctx, viewer{replay: timeline}, nil))
}

var _ tui.LoadControl = (*load.Engine)(nil)
