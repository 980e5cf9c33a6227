// Package promql is perftop's PromQL source: it asks a Prometheus server's
// HTTP API for the dashboard's panels, one range query per panel every
// interval over the visible window, and keeps the latest results for the
// views. It also answers one-shot instant queries for `perftop snapshot`.
//
// Errors come in words a panel can show: the server's own message for a
// bad expression, "cannot reach host:port: connection refused" when the
// server is down, what to check on a 401. A failing panel does not stop
// the others; a server that is down is retried with capped, jittered
// exponential backoff, and the source's health in the Store says when.
package promql

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/perftop/perftop/internal/metrics"
)

// Defaults and limits of Options.
const (
	DefaultInterval   = time.Second
	DefaultWindow     = 5 * time.Minute
	DefaultMaxSeries  = 10
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 30 * time.Second
	// MaxPoints is the most points per series Prometheus returns for a
	// range query; the window is shortened to fit.
	MaxPoints = 11000
)

// Name is the source's name, under which its health is stored.
const Name = "promql"

// ErrRunning is returned by Run when the Source is already running.
var ErrRunning = errors.New("promql source is already running")

// Options configures a Source. Server and Panels are required; the zero
// value of every other field means its default.
type Options struct {
	ClientOptions
	Panels []Panel
	// Interval is both the refresh interval and the range queries' step:
	// DefaultInterval when zero, never below metrics.MinInterval;
	// SetInterval changes it while the Source runs.
	Interval time.Duration
	// Window is the time range a panel shows, ending now: DefaultWindow
	// when zero, at least one Interval and at most MaxPoints of them.
	Window time.Duration
	// MaxSeries caps the series per panel (those with the highest newest
	// values are kept; Result.Hidden counts the others): DefaultMaxSeries
	// when zero or negative.
	MaxSeries int
	// MinBackoff and MaxBackoff bound the wait between attempts while the
	// server is down: DefaultMinBackoff (but at least Interval) and
	// DefaultMaxBackoff when zero.
	MinBackoff, MaxBackoff time.Duration
}

// Source refreshes PromQL panels from a Prometheus server. Create one with
// New; the zero value is not ready for use. Run is the one goroutine that
// queries; Results, Panels, Interval, Window and SetInterval may be called
// from any goroutine.
type Source struct {
	client     *Client
	panels     []Panel
	interval   *metrics.Interval // the refresh interval and the step
	window     time.Duration     // as asked for; Window fits it to the interval
	maxSeries  int
	minBackoff time.Duration // 0: DefaultMinBackoff, but at least the interval
	maxBackoff time.Duration
	running    atomic.Bool

	mu      sync.Mutex             // guards results
	results []metrics.PromQLResult // one per panel, replaced (never modified) each round
}

// New returns a Source for opts, or an error for a bad server URL, HTTP
// configuration or panel list.
func New(opts Options) (*Source, error) {
	if len(opts.Panels) == 0 {
		return nil, errors.New("promql: no queries")
	}
	for _, p := range opts.Panels {
		if p.Expr == "" {
			return nil, ErrEmptyQuery
		}
	}
	c, err := NewClient(opts.ClientOptions)
	if err != nil {
		return nil, err
	}
	s := &Source{
		client:     c,
		panels:     append([]Panel(nil), opts.Panels...),
		interval:   metrics.NewInterval(opts.Interval, DefaultInterval),
		window:     opts.Window,
		maxSeries:  opts.MaxSeries,
		minBackoff: opts.MinBackoff,
		maxBackoff: opts.MaxBackoff,
	}
	if s.window == 0 {
		s.window = DefaultWindow
	}
	if s.maxSeries <= 0 {
		s.maxSeries = DefaultMaxSeries
	}
	if s.maxBackoff <= 0 {
		s.maxBackoff = DefaultMaxBackoff
	}
	s.maxBackoff = max(s.maxBackoff, s.minBackoff)
	s.results = make([]metrics.PromQLResult, len(s.panels))
	for i, p := range s.panels {
		s.results[i] = metrics.PromQLResult{Title: p.Title, Expr: p.Expr}
	}
	return s, nil
}

// Name returns the source's name, under which its health is stored: "promql".
func (s *Source) Name() string { return Name }

// Panels returns the panels, in the order of Results.
func (s *Source) Panels() []Panel { return append([]Panel(nil), s.panels...) }

// Interval returns the refresh interval, which is also the queries' step.
func (s *Source) Interval() time.Duration { return s.interval.Get() }

// SetInterval changes the refresh interval and the queries' step from the
// next round on; d is raised to metrics.MinInterval. The running Source
// picks it up without waiting for the old interval to end.
func (s *Source) SetInterval(d time.Duration) { s.interval.Set(d) }

// Window returns the time range each panel shows: the one asked for, at
// least one interval and at most MaxPoints of them.
func (s *Source) Window() time.Duration {
	iv := s.Interval()
	return min(max(s.window, iv), MaxPoints*iv)
}

// backoffBounds are the least and most wait between attempts while the
// server is down.
func (s *Source) backoffBounds() (lo, hi time.Duration) {
	lo = s.minBackoff
	if lo <= 0 {
		lo = max(DefaultMinBackoff, s.Interval())
	}
	return lo, max(s.maxBackoff, lo)
}

// Results returns the latest result of every panel, in the order of the
// panels. Before the first round they hold only their Panel. The slice is
// the caller's; the Results in it are shared and must not be modified.
func (s *Source) Results() []metrics.PromQLResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]metrics.PromQLResult(nil), s.results...)
}

// Run queries every panel at once and then every interval, or after a
// backoff while the server is down, until ctx is done; then it returns
// nil. After each round it publishes the panels' results and the source's
// health in st, which also wakes the views waiting on st.Changed. It returns ErrRunning if the
// Source is running already.
func (s *Source) Run(ctx context.Context, st *metrics.Store) error {
	if st == nil {
		return errors.New("promql source: nil store")
	}
	if !s.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer s.running.Store(false)
	defer s.client.CloseIdleConnections()

	timer := time.NewTimer(0)
	defer timer.Stop()
	var (
		failures    int
		lastSuccess time.Time
	)
	var start time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.interval.Changed():
			if failures == 0 && !start.IsZero() { // due an interval after the last round
				timer.Reset(time.Until(start.Add(s.Interval())))
			}
			continue
		case <-timer.C:
		}
		start = time.Now()
		down, ok := s.round(ctx, start)
		if !ok {
			return nil
		}
		var h metrics.Health
		next := start.Add(s.Interval())
		if down != nil {
			failures++
			lo, hi := s.backoffBounds()
			next = start.Add(backoff(failures, lo, hi, rand.Float64()))
			h = metrics.Health{LastError: down.Msg, LastSuccess: lastSuccess, NextRetry: next}
		} else {
			failures, lastSuccess = 0, start
			h = metrics.Health{Up: true, LastSuccess: start}
		}
		results := s.Results()
		st.Update(func(tx metrics.Tx) {
			tx.SetPromQL(results)
			tx.SetHealth(Name, h)
		})
		timer.Reset(time.Until(next))
	}
}

// round queries every panel once at now and publishes the results. It
// returns the error that made the server unreachable, if one did, and
// false when ctx ended first (publishing nothing).
func (s *Source) round(ctx context.Context, now time.Time) (*Error, bool) {
	iv := s.Interval()
	r := v1.Range{End: align(now, iv), Step: iv}
	r.Start = r.End.Add(-s.Window())
	prev := s.Results()
	results := make([]metrics.PromQLResult, len(s.panels))
	var down *Error
	maxPoints := int(r.End.Sub(r.Start)/r.Step) + 1
	for i, p := range s.panels {
		res := metrics.PromQLResult{Title: p.Title, Expr: p.Expr}
		if down == nil {
			err := s.panel(ctx, p, r, maxPoints, &res)
			if ctx.Err() != nil {
				return nil, false
			}
			if err == nil {
				res.At = now
				results[i] = res
				continue
			}
			if err.Down {
				down = err // the others would fail alike: do not wait for them
			}
			res.Err = err.Msg
		} else {
			res.Err = down.Msg
		}
		res.Series, res.Hidden, res.At = prev[i].Series, prev[i].Hidden, prev[i].At
		results[i] = res
	}
	s.mu.Lock()
	s.results = results
	s.mu.Unlock()
	return down, true
}

// panel queries one panel over r and fills res with its series and
// warnings. A panic on the way, the server's answer's fault or perftop's,
// is an error that marks the server down, so it is retried with backoff.
func (s *Source) panel(ctx context.Context, p Panel, r v1.Range, maxPoints int, res *metrics.PromQLResult) (e *Error) {
	defer func() {
		if x := recover(); x != nil {
			e = crashed(x)
		}
	}()
	m, warns, err := s.client.queryRange(ctx, p.Expr, r)
	if err != nil {
		return s.client.explain(err)
	}
	res.Series, res.Hidden = fromMatrix(m, s.maxSeries, maxPoints)
	res.Warnings = warnings(warns)
	return nil
}

// align rounds t down to a multiple of step since the Unix epoch, so that
// successive range queries evaluate at the same instants and a rate does
// not wobble from one refresh to the next.
func align(t time.Time, step time.Duration) time.Time {
	ns := t.UnixNano()
	return time.Unix(0, ns-ns%int64(step))
}
