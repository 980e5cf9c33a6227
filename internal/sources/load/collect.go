package load

import (
	"math"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/perftop/perftop/internal/metrics"
)

// hists is one set of the engine's histograms: metrics.Counts, which the
// collector reads once an interval in a pass over the indexes they hold
// (hdrhistogram-go's reads walk every index, some forty walks a
// collection: BenchmarkCollect).
type hists struct {
	latency, service, dns, connect, tls, ttfb, sched *metrics.Counts
}

func newHists() hists {
	return hists{
		latency: metrics.NewCounts(), service: metrics.NewCounts(),
		dns: metrics.NewCounts(), connect: metrics.NewCounts(),
		tls: metrics.NewCounts(), ttfb: metrics.NewCounts(),
		sched: metrics.NewCounts(),
	}
}

func (h hists) each(f func(dst *metrics.Counts, pick func(*shard) *metrics.Recorder)) {
	f(h.latency, func(s *shard) *metrics.Recorder { return s.latency })
	f(h.service, func(s *shard) *metrics.Recorder { return s.service })
	f(h.dns, func(s *shard) *metrics.Recorder { return s.dns })
	f(h.connect, func(s *shard) *metrics.Recorder { return s.connect })
	f(h.tls, func(s *shard) *metrics.Recorder { return s.tls })
	f(h.ttfb, func(s *shard) *metrics.Recorder { return s.ttfb })
	f(h.sched, func(s *shard) *metrics.Recorder { return s.sched })
}

// collector turns the shards' counters into windows, totals, the timeline
// and the Store's view. Only the goroutine in Run uses it.
type collector struct {
	e          *Engine
	win, total hists
	prev, cur  counters
	prevT      time.Time
	start      time.Time
	timeline   []TimelinePoint
	batch      metrics.Batch
	cpuPrev    time.Duration
	cpuPct     float64
	messages   []ErrorMessage // as of the last drain
	last       *metrics.LoadTest
	groups     *groupCollector
}

func newCollector(e *Engine) *collector {
	return &collector{e: e, win: newHists(), total: newHists(), groups: newGroupCollector(e.gs)}
}

func (c *collector) begin(t time.Time) {
	c.start, c.prevT = t, t
	c.cpuPrev = processCPU()
}

// collect drains the shards, publishes the window to st and appends it to
// the timeline.
func (c *collector) collect(now time.Time, st *metrics.Store, state metrics.TestState) *metrics.LoadTest {
	dt := c.drain(now)
	lt := c.loadTest(now, dt, state)
	c.last = lt
	c.publish(now, dt, lt, st)
	if timelineKeeps(dt, c.e.o.Interval, state, lt.Window.Requests, lt.InFlight) {
		w := lt.Window
		p := TimelinePoint{
			Seconds: lt.Elapsed.Seconds(), Requests: w.Requests, Errors: w.Errors, RPS: w.RPS,
			P50: w.Latency.P50, P99: w.Latency.P99, ServiceP50: w.Service.P50, ServiceP99: w.Service.P99,
			InFlight: lt.InFlight,
		}
		c.timeline = append(c.timeline, p)
		if c.e.o.OnTimeline != nil {
			c.e.o.OnTimeline(p)
		}
	}
	return lt
}

// timelineKeeps says whether a collection of dt becomes a timeline point:
// every interval of at least half the collector's while the test runs or
// stops, and the last collection, after the requests in flight ended, when
// something finished in it. An empty last one (nothing was in flight, and
// nothing more is sent after the stop) holds no measurement: charted, it
// was a fall to zero the target never made; so does an interval of the
// stop with nothing finished and nothing left in flight (a loaded machine
// can take that long to stop). A whole interval with nothing answered
// while the test ran, or while the stop waited for answers, stays: that is
// a stalled target.
func timelineKeeps(dt, interval time.Duration, state metrics.TestState, finished, inFlight int64) bool {
	switch {
	case state == metrics.TestDone:
		return finished > 0
	case state == metrics.TestStopping && finished == 0 && inFlight == 0:
		return false
	}
	return dt >= interval/2
}

// drain moves the shards' latencies into the window's histograms and the
// totals, sums their counters and the process's CPU time, and returns the
// time since the last collection.
func (c *collector) drain(now time.Time) time.Duration {
	e := c.e
	c.win.each(func(dst *metrics.Counts, pick func(*shard) *metrics.Recorder) {
		dst.Reset()
		for _, s := range e.shards {
			pick(s).DrainCounts(dst)
		}
	})
	c.total.latency.Merge(c.win.latency)
	c.total.service.Merge(c.win.service)
	c.total.dns.Merge(c.win.dns)
	c.total.connect.Merge(c.win.connect)
	c.total.tls.Merge(c.win.tls)
	c.total.ttfb.Merge(c.win.ttfb)
	c.total.sched.Merge(c.win.sched)
	c.prev = c.cur
	// Messages before counters: end counts a failure's kind before its
	// message, so no message is counted more often than its kind.
	c.messages = e.msgs.snapshot()
	c.cur.sum(e.shards)
	c.groups.drain(e.shards)
	e.exported.Store(foldBuckets(c.total.latency))

	dt := now.Sub(c.prevT)
	c.prevT = now
	cpu := processCPU()
	if dt > 0 {
		c.cpuPct = float64(cpu-c.cpuPrev) / float64(dt) * 100
	}
	c.cpuPrev = cpu
	return dt
}

// loadTest is the test's state after drain: the window of dt, the totals,
// and the objectives judged on them.
func (c *collector) loadTest(now time.Time, dt time.Duration, state metrics.TestState) *metrics.LoadTest {
	e := c.e
	reqs := c.cur.finished - c.prev.finished
	errs := c.cur.failed - c.prev.failed
	w := metrics.Window{Duration: dt, Requests: reqs, Errors: errs, Latency: c.win.latency.Quantiles(), Service: c.win.service.Quantiles()}
	if dt > 0 {
		w.RPS = float64(reqs) / dt.Seconds()
	}
	if reqs > 0 {
		w.ErrorPercent = float64(errs) / float64(reqs) * 100
	}
	elapsed := e.elapsed(now)
	level, stage := e.level(elapsed)
	inFlight := max(c.cur.started-c.cur.finished, 0)

	lt := &metrics.LoadTest{
		Mode: metrics.ClosedLoop, State: state, Started: c.start, Elapsed: elapsed, Planned: e.o.Duration, PlannedRequests: e.o.MaxRequests,
		Stage: stage, Stages: len(e.o.Stages), Target: level, Workers: int(e.workers.Load()),
		Window: w, Requests: c.cur.finished, Errors: c.cur.failed, LateSends: c.cur.late,
		InFlight: inFlight, Conns: e.conns.Load(), StatusCodes: map[int]int64{}, ErrorsByKind: map[string]int64{},
		ErrorMessages: metricsMessages(c.messages),
		Latency:       c.total.latency.Quantiles(), Service: c.total.service.Quantiles(), Histogram: c.total.latency.Buckets(24),
		GeneratorCPUPercent: c.cpuPct, LateAfter: LateAfter,
	}
	if e.open {
		lt.Mode = metrics.OpenLoop
		lt.SchedulingDelay = c.total.sched.Quantiles()
		lt.Window.SchedulingDelay = c.win.sched.Quantiles()
	}
	if state == metrics.TestRunning && e.paused.Load() {
		lt.State = metrics.TestPaused
	}
	for code, n := range c.cur.status {
		if n > 0 {
			lt.StatusCodes[code] = n
		}
	}
	for _, k := range Kinds() {
		if n := c.cur.kinds[k]; n > 0 {
			lt.ErrorsByKind[k.String()] = n
		}
	}
	lt.ByName, lt.Splits = c.groups.view(dt, elapsed)
	if e.o.Judge != nil {
		lt.Objectives = e.o.Judge(lt)
	}
	return lt
}

// publish writes lt's window to the Store's series and lt itself as the
// Store's load test.
func (c *collector) publish(now time.Time, dt time.Duration, lt *metrics.LoadTest, st *metrics.Store) {
	w := lt.Window
	b := &c.batch
	b.Reset(now)
	b.Add(metrics.KeyLoadRPS, w.RPS)
	b.Add(metrics.KeyLoadTarget, lt.Target)
	b.Add(metrics.KeyLoadErrorPct, w.ErrorPercent)
	b.Add(metrics.KeyLoadInFlight, float64(lt.InFlight))
	if w.Requests > 0 {
		b.Add(metrics.KeyLoadP50, w.Latency.P50)
		b.Add(metrics.KeyLoadP90, w.Latency.P90)
		b.Add(metrics.KeyLoadP99, w.Latency.P99)
		b.Add(metrics.KeyLoadP999, w.Latency.P999)
	} else {
		for _, k := range []string{metrics.KeyLoadP50, metrics.KeyLoadP90, metrics.KeyLoadP99, metrics.KeyLoadP999} {
			b.Add(k, math.NaN()) // a gap in the chart, not a fake zero
		}
	}
	if dt > 0 {
		b.Add(metrics.KeyLoadLateSends, float64(c.cur.late-c.prev.late)/dt.Seconds())
	}
	c.groups.publish(b, lt.ByName, lt.Splits)
	if st != nil {
		st.Update(func(tx metrics.Tx) {
			tx.Write(b)
			tx.SetLoadTest(lt)
		})
	}
}

// quantiles reads a histogram of microseconds as seconds.
func quantiles(h *hdrhistogram.Histogram) metrics.Quantiles {
	if h.TotalCount() == 0 {
		return metrics.Quantiles{}
	}
	s := func(us int64) float64 { return float64(us) / 1e6 }
	return metrics.Quantiles{
		Min: s(h.Min()), Mean: h.Mean() / 1e6, P50: s(h.ValueAtQuantile(50)), P90: s(h.ValueAtQuantile(90)),
		P95: s(h.ValueAtQuantile(95)), P99: s(h.ValueAtQuantile(99)), P999: s(h.ValueAtQuantile(99.9)), Max: s(h.Max()),
	}
}

// Buckets bins a histogram into n log-spaced bars between its min and max,
// for the histogram panel: metrics.LogBuckets.
func Buckets(h *hdrhistogram.Histogram, n int) []metrics.Bucket { return metrics.LogBuckets(h, n) }

// statusKey is a status code as results files key it.
func statusKey(code int) string { return strconv.Itoa(code) }
