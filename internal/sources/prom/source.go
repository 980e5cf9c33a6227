package prom

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// Options configure a Scraper. Only URL is required.
type Options struct {
	URL string
	// Interval is the time between scrapes: default 1s, at least
	// metrics.MinInterval; SetInterval changes it while the Scraper runs.
	Interval time.Duration
	// Timeout bounds a scrape: default the smaller of the interval and 10s,
	// following the interval when it changes.
	Timeout time.Duration
	// BodyLimit bounds a scrape's body, after decompression: default 10
	// MiB. It also bounds what the body may decode to (16 times as much),
	// and every protobuf message in it.
	BodyLimit   int64
	SeriesLimit int64 // default 100,000
	// LabelLimit is the most labels a series may have: default 128.
	LabelLimit int64
	// Client carries auth and TLS (prometheus/common/config builds one);
	// nil means http.DefaultClient's transport with no auth.
	Client *http.Client
	Config Config
	// MaxBackoff caps the wait between failed scrapes; default 30s.
	MaxBackoff time.Duration
}

// Scraper scrapes one target on a timer and publishes what it derives.
// Create it with New; Run is its one goroutine. Watch, SetInterval and
// Interval may be called from any goroutine.
type Scraper struct {
	o        Options
	lim      limits // the timeout is the one of the moment: see timeout
	d        *deriver
	watch    atomic.Pointer[[]string] // set by the dashboard, read by Run
	interval *metrics.Interval
}

// Watch sets the families to chart from the next scrape on: the metric
// browser's open chart and the ones pinned to the overview. It is safe to
// call while Run runs.
func (s *Scraper) Watch(families []string) {
	f := append([]string(nil), families...)
	s.watch.Store(&f)
}

// URL is the target's address.
func (s *Scraper) URL() string { return s.o.URL }

// Interval returns the time between scrapes.
func (s *Scraper) Interval() time.Duration { return s.interval.Get() }

// SetInterval changes the time between scrapes, from the next one on; d is
// raised to metrics.MinInterval. The running Scraper picks it up without
// waiting for the old interval to end.
func (s *Scraper) SetInterval(d time.Duration) { s.interval.Set(d) }

// timeout bounds the next scrape: Options.Timeout, or the smaller of the
// interval and DefaultTimeout.
func (s *Scraper) timeout() time.Duration {
	if s.o.Timeout > 0 {
		return s.o.Timeout
	}
	return min(s.Interval(), DefaultTimeout)
}

// New returns a Scraper for o.
func New(o Options) *Scraper {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.BodyLimit <= 0 {
		o.BodyLimit = DefaultBodyLimit
	}
	if o.SeriesLimit <= 0 {
		o.SeriesLimit = DefaultSeriesLimit
	}
	if o.LabelLimit <= 0 {
		o.LabelLimit = DefaultLabelLimit
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 30 * time.Second
	}
	lim := limits{body: o.BodyLimit, series: o.SeriesLimit, labels: o.LabelLimit}
	return &Scraper{o: o, lim: lim, d: newDeriver(o.Config), interval: metrics.NewInterval(o.Interval, time.Second)}
}

// Name is the scraper's name in the Store's health map.
func (s *Scraper) Name() string { return "prom " + s.o.URL }

// Run scrapes until ctx ends. A failed scrape is published as the target
// being down, with the error in words, and retried after an exponential
// backoff with jitter, capped at MaxBackoff. A scrape that panics fails
// the same way, with "crashed: " and the panic's value.
func (s *Scraper) Run(ctx context.Context, st *metrics.Store) error {
	failures := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	var last *metrics.PromTarget
	var start time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.interval.Changed():
			if failures == 0 && !start.IsZero() { // due an interval after the last scrape
				timer.Reset(time.Until(start.Add(s.Interval())))
			}
			continue
		case <-timer.C:
		}
		start = time.Now()
		t, err := s.scrape(ctx, start)
		if ctx.Err() != nil {
			return nil
		}
		wait := time.Until(start.Add(s.Interval()))
		if err != nil {
			failures++
			wait = backoff(s.Interval(), s.o.MaxBackoff, failures)
			t = &metrics.PromTarget{URL: s.o.URL, Error: err.Error(), NextRetry: time.Now().Add(wait)}
			if last != nil { // keep what was known, marked down
				t.Families, t.Series, t.Format = last.Families, last.Series, last.Format
			}
		} else {
			failures = 0
			last = t
		}
		s.publish(st, t)
		timer.Reset(wait)
	}
}

// backoff doubles the wait after each failure from interval up to max, with
// ±20% jitter so that many perftops do not retry in step.
func backoff(interval, max time.Duration, failures int) time.Duration {
	d := interval
	for i := 1; i < failures && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// scrape fetches and derives once. A panic on the way, the target's fault
// or perftop's, is an error: the target is down and retried, not left up
// with stale data and never scraped again, and the deriver starts afresh,
// since the panic may have left it half updated.
func (s *Scraper) scrape(ctx context.Context, now time.Time) (t *metrics.PromTarget, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, crashed(r)
			d := newDeriver(s.o.Config)
			d.watch = s.d.watch
			s.d = d
		}
	}()
	start := time.Now()
	lim := s.lim
	lim.timeout = s.timeout()
	exp, err := fetch(ctx, s.o.Client, s.o.URL, lim)
	if err != nil {
		return nil, err
	}
	if w := s.watch.Load(); w != nil {
		s.d.watch = *w
	}
	red, rows := s.d.derive(now, exp.Families)
	dur := time.Since(start)
	return &metrics.PromTarget{
		URL: s.o.URL, Up: true, Format: exp.Format, ScrapeDuration: dur, ScrapeSeconds: dur.Seconds(),
		LastScrape: now, Series: exp.Series, RED: red, Breakdown: rows, Families: families(exp.Families),
		Watched: watchedKinds(s.d.watched), Tier: s.d.tier,
	}, nil
}

func (s *Scraper) publish(st *metrics.Store, t *metrics.PromTarget) {
	var b metrics.Batch
	b.Reset(time.Now())
	if t.Up {
		r := t.RED
		if r.HasRequests {
			b.Add(metrics.PromKey(s.o.URL, metrics.PromRPS), r.RequestRate)
		}
		if r.HasErrors {
			b.Add(metrics.PromKey(s.o.URL, metrics.PromErrorRatio), r.ErrorRatio)
		}
		if r.HasLatency {
			b.Add(metrics.PromKey(s.o.URL, metrics.PromP50), r.Latency.P50)
			b.Add(metrics.PromKey(s.o.URL, metrics.PromP90), r.Latency.P90)
			b.Add(metrics.PromKey(s.o.URL, metrics.PromP99), r.Latency.P99)
		}
		if r.HasInFlight {
			b.Add(metrics.PromKey(s.o.URL, metrics.PromInFlight), r.InFlight)
		}
		if r.HasProcess {
			b.Add(metrics.PromKey(s.o.URL, metrics.PromCPU), r.CPUPercent)
			b.Add(metrics.PromKey(s.o.URL, metrics.PromRSS), r.RSSBytes)
		}
		for fam, w := range s.d.watched {
			switch w.kind {
			case "rate", "value":
				b.Add(metrics.PromWatchKey(s.o.URL, fam, "value"), w.value)
			case "quantiles":
				b.Add(metrics.PromWatchKey(s.o.URL, fam, "p50"), w.p50)
				b.Add(metrics.PromWatchKey(s.o.URL, fam, "p99"), w.p99)
			}
		}
	}
	h := metrics.Health{Up: t.Up, LastError: t.Error, NextRetry: t.NextRetry}
	if t.Up {
		h.LastSuccess = t.LastScrape
	}
	st.Update(func(tx metrics.Tx) {
		tx.Write(&b)
		tx.SetPromTarget(t)
		tx.SetHealth(s.Name(), h)
	})
}

// Snapshot scrapes o.URL twice, interval apart, and returns the target's
// state with rates: `perftop snapshot --prom`. A target that fails is
// returned down with the error, not as an error.
func Snapshot(ctx context.Context, o Options, interval time.Duration) *metrics.PromTarget {
	s := New(o)
	first := time.Now()
	if _, err := s.scrape(ctx, first); err != nil {
		return &metrics.PromTarget{URL: o.URL, Error: err.Error()}
	}
	select {
	case <-ctx.Done():
		return &metrics.PromTarget{URL: o.URL, Error: ctx.Err().Error()}
	case <-time.After(interval):
	}
	t, err := s.scrape(ctx, time.Now())
	if err != nil {
		return &metrics.PromTarget{URL: o.URL, Error: err.Error()}
	}
	return t
}

// crashed describes a recovered panic on one line.
func crashed(r any) error {
	return errors.New("crashed: " + printable.Line(printable.Cut(fmt.Sprint(r), maxErrorLen)))
}

func watchedKinds(w map[string]watch) map[string]string {
	if len(w) == 0 {
		return nil
	}
	out := make(map[string]string, len(w))
	for fam, v := range w {
		out[fam] = v.kind
	}
	return out
}
