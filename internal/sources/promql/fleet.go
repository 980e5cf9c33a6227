package promql

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// FleetOptions configures a Fleet source: the Prometheus server that
// scrapes the runners, how often to ask and over what window.
type FleetOptions struct {
	ClientOptions
	Interval time.Duration // DefaultInterval when zero
	// Window is the rate window of the queries: DefaultFleetWindow when
	// zero; at least four of the server's scrape intervals, so that rate()
	// has samples.
	Window time.Duration
}

// DefaultFleetWindow suits Prometheus's default 15 s scrape interval.
const DefaultFleetWindow = time.Minute

// Fleet asks a Prometheus server for the test that many perftop runners
// run together (perftop run --shard ... --metrics-addr): their summed rate,
// errors by kind, p50 and p99 from their summed latency histogram, and a
// row per runner. Prometheus is the aggregation; perftop only asks. Create
// it with NewFleet; Run is its one goroutine.
type Fleet struct {
	o FleetOptions
	c *Client
}

// NewFleet returns a Fleet source for o; it fails on a server URL it
// cannot make a client for.
func NewFleet(o FleetOptions) (*Fleet, error) {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Window <= 0 {
		o.Window = DefaultFleetWindow
	}
	c, err := NewClient(o.ClientOptions)
	if err != nil {
		return nil, err
	}
	return &Fleet{o: o, c: c}, nil
}

// Name is the source's name in the Store's health map.
func (f *Fleet) Name() string { return "fleet " + f.o.Server }

// Run asks every Interval until ctx ends.
func (f *Fleet) Run(ctx context.Context, st *metrics.Store) error {
	defer f.c.CloseIdleConnections()
	t := time.NewTicker(f.o.Interval)
	defer t.Stop()
	for {
		fl := FleetOnce(ctx, f.c, f.o.Window, time.Now())
		if ctx.Err() != nil {
			return nil
		}
		h := metrics.Health{Up: fl.Error == "", LastError: fl.Error, LastSuccess: fl.At}
		st.Update(func(tx metrics.Tx) {
			tx.SetFleet(fl)
			tx.SetHealth(f.Name(), h)
		})
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// fleetQueries are the fleet's questions; %s is the window.
var fleetQueries = struct {
	rate, errors, p99, totalP50, totalP99, byKind, up string
}{
	rate:     `sum by (instance) (rate(perftop_requests_total[%s]))`,
	errors:   `sum by (instance) (rate(perftop_request_failures_total[%s]))`,
	p99:      `histogram_quantile(0.99, sum by (instance, le) (rate(perftop_request_duration_seconds_bucket[%s])))`,
	totalP50: `histogram_quantile(0.5, sum by (le) (rate(perftop_request_duration_seconds_bucket[%s])))`,
	totalP99: `histogram_quantile(0.99, sum by (le) (rate(perftop_request_duration_seconds_bucket[%s])))`,
	byKind:   `sum by (kind) (rate(perftop_request_failures_total[%s]))`,
	// A runner is one whose perftop series the server has seen in the
	// last hour; it is up when its last scrape worked.
	up: `max by (instance) (up) and on (instance) count by (instance) (count_over_time(perftop_requests_in_flight[1h]))`,
}

// FleetOnce asks the server once, at at.
func FleetOnce(ctx context.Context, c *Client, window time.Duration, at time.Time) *metrics.Fleet {
	w := model.Duration(window).String()
	fl := &metrics.Fleet{Server: c.host, At: at, Window: w, ErrorsByKind: map[string]float64{}}
	ask := func(q string) model.Vector {
		if fl.Error != "" {
			return nil
		}
		if q != fleetQueries.up {
			q = fmt.Sprintf(q, w)
		}
		v, _, err := c.query(ctx, q, at)
		if err != nil {
			fl.Error = err.Error()
			return nil
		}
		vec, ok := v.(model.Vector)
		if !ok {
			fl.Error = fmt.Sprintf("the query returned a %s, want a vector", v.Type())
		}
		return vec
	}
	runners := map[string]*metrics.FleetRunner{}
	runner := func(s *model.Sample) *metrics.FleetRunner {
		inst := printable.Line(string(s.Metric["instance"]))
		r := runners[inst]
		if r == nil && len(runners) < metrics.MaxFleetRunners {
			r = &metrics.FleetRunner{Instance: inst}
			runners[inst] = r
		}
		return r
	}
	for _, s := range ask(fleetQueries.up) {
		if r := runner(s); r != nil {
			r.Up = float64(s.Value) == 1
		}
	}
	for _, s := range ask(fleetQueries.rate) {
		if r := runner(s); r != nil && finite(s.Value) {
			r.Rate = float64(s.Value)
			fl.Rate += r.Rate
		}
	}
	for _, s := range ask(fleetQueries.errors) {
		if r := runner(s); r != nil && finite(s.Value) {
			r.Errors = float64(s.Value)
			fl.Errors += r.Errors
		}
	}
	for _, s := range ask(fleetQueries.p99) {
		if r := runner(s); r != nil && finite(s.Value) {
			r.P99, r.HasP99 = float64(s.Value), true
		}
	}
	for _, s := range ask(fleetQueries.byKind) {
		if kind := printable.Line(string(s.Metric["kind"])); finite(s.Value) && len(fl.ErrorsByKind) < 64 {
			fl.ErrorsByKind[kind] += float64(s.Value)
		}
	}
	p50, p99 := ask(fleetQueries.totalP50), ask(fleetQueries.totalP99)
	if len(p50) == 1 && len(p99) == 1 && finite(p50[0].Value) && finite(p99[0].Value) {
		fl.P50, fl.P99, fl.HasLatency = float64(p50[0].Value), float64(p99[0].Value), true
	}
	for _, r := range runners {
		fl.Runners = append(fl.Runners, *r)
	}
	slices.SortFunc(fl.Runners, func(a, b metrics.FleetRunner) int { return cmp.Compare(a.Instance, b.Instance) })
	if fl.Error == "" && len(fl.Runners) == 0 {
		fl.Error = "no perftop runners on this server: start them with perftop run --headless --metrics-addr and have it scrape them"
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		fl.Error = ""
	}
	return fl
}

func finite(v model.SampleValue) bool {
	f := float64(v)
	return !math.IsNaN(f) && !math.IsInf(f, 0)
}
