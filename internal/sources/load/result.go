package load

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/perftop/perftop/internal/metrics"
)

// Result is what a finished test measured. Its JSON form is the results
// file's schema: seconds and bytes, stable field names.
//
// Requests counts every request sent, each by its one outcome: an answer,
// counted in StatusCodes (4xx and 5xx also in ErrorsByKind, as failures),
// or a failure without an answer, counted in ErrorsByKind: a transport
// failure, or interrupted by the stop. Errors is the sum of ErrorsByKind.
// Latency, Service, Phases and LatencyHistogram are over the answers only.
type Result struct {
	Requests        int64           `json:"requests"`
	Errors          int64           `json:"errors"`
	DurationSeconds float64         `json:"duration_seconds"`
	ThroughputRPS   float64         `json:"throughput_rps"`
	RequestRateRPS  float64         `json:"request_rate_rps"`
	Latency         LatencySummary  `json:"latency_seconds"`
	Service         *LatencySummary `json:"service_latency_seconds,omitempty"`
	// SchedulingDelay is, in open loop, each request's send behind its
	// intended time: perftop's own part of Latency.
	SchedulingDelay *LatencySummary  `json:"scheduling_delay_seconds,omitempty"`
	StatusCodes     map[string]int64 `json:"status_codes"`
	ErrorsByKind    map[string]int64 `json:"errors_by_kind"`
	// ErrorMessages are the failures' distinct messages, a few per kind,
	// most frequent first; empty when nothing failed but by status.
	ErrorMessages []ErrorMessage            `json:"error_messages"`
	LateSends     int64                     `json:"late_sends"`
	ClosedLoop    bool                      `json:"closed_loop"`
	BytesReceived int64                     `json:"bytes_received"`
	Phases        map[string]LatencySummary `json:"phases_seconds"`
	Timeline      []TimelinePoint           `json:"timeline"`
	// ByName is the run per request name (GroupName), in the plan's
	// order; empty when the test sent one request. Their counts sum to
	// the totals above.
	ByName []GroupResult `json:"requests_by_name,omitempty"`
	// Splits are every answer split by each --split-by header, in flag
	// order; each GroupResult has its own.
	Splits []SplitResult `json:"splits,omitempty"`

	// LatencyHistogram is the whole run's latency, in microseconds, for
	// reports that need more than the summary.
	LatencyHistogram *hdrhistogram.Histogram `json:"-"`
}

// GroupResult is one request name's part of the run. Requests counts its
// outcomes as Result.Requests does; Latency is over its answers.
type GroupResult struct {
	Name           string           `json:"name"`
	Requests       int64            `json:"requests"`
	Errors         int64            `json:"errors"`
	ErrorsByKind   map[string]int64 `json:"errors_by_kind"`
	BytesReceived  int64            `json:"bytes_received"`
	RequestRateRPS float64          `json:"request_rate_rps"`
	Latency        LatencySummary   `json:"latency_seconds"`
	Splits         []SplitResult    `json:"splits,omitempty"`
	// LatencyHistogram is the name's latency, in microseconds.
	LatencyHistogram *hdrhistogram.Histogram `json:"-"`
}

// SplitResult is answers split by the value of one response header.
type SplitResult struct {
	Header string             `json:"header"` // SplitBy.String(): with its regular expression
	Values []SplitValueResult `json:"values"` // most answers first
}

// SplitValueResult is the answers that carried one value of a header:
// NoValue for those without it, OtherValue past --split-max.
type SplitValueResult struct {
	Value   string         `json:"value"`
	Answers int64          `json:"answers"`
	Errors  int64          `json:"errors"` // answers of 4xx and 5xx
	Share   float64        `json:"share"`  // of the group's answers, 0..1
	Latency LatencySummary `json:"latency_seconds"`
}

// LatencySummary is a latency distribution's summary in seconds.
type LatencySummary struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
}

// TimelinePoint is one interval of the run: P50 and P99 of its latency
// (corrected, in closed loop), ServiceP50 and ServiceP99 as measured.
type TimelinePoint struct {
	Seconds    float64 `json:"t"`
	Requests   int64   `json:"requests"`
	Errors     int64   `json:"errors"`
	RPS        float64 `json:"rps"`
	P50        float64 `json:"p50"`
	P99        float64 `json:"p99"`
	ServiceP50 float64 `json:"service_p50"`
	ServiceP99 float64 `json:"service_p99"`
	InFlight   int64   `json:"in_flight"`
}

func summary(h *hdrhistogram.Histogram) LatencySummary {
	return summaryOf(h.TotalCount(), quantiles(h))
}

func countsSummary(c *metrics.Counts) LatencySummary { return summaryOf(c.TotalCount(), c.Quantiles()) }

func summaryOf(n int64, q metrics.Quantiles) LatencySummary {
	return LatencySummary{Count: n, Min: q.Min, Mean: q.Mean, P50: q.P50, P90: q.P90, P95: q.P95, P99: q.P99, P999: q.P999, Max: q.Max}
}

// result assembles the run's Result after the last collection.
func (c *collector) result(end time.Time) *Result {
	e := c.e
	elapsed := e.elapsed(end)
	r := &Result{
		Requests: c.cur.finished, Errors: c.cur.failed, DurationSeconds: elapsed.Seconds(),
		Latency: countsSummary(c.total.latency), StatusCodes: map[string]int64{}, ErrorsByKind: map[string]int64{},
		LateSends: c.cur.late, ClosedLoop: !e.open, BytesReceived: c.cur.bytesIn,
		Phases: map[string]LatencySummary{
			"dns": countsSummary(c.total.dns), "connect": countsSummary(c.total.connect),
			"tls": countsSummary(c.total.tls), "ttfb": countsSummary(c.total.ttfb),
		},
		Timeline:         c.timeline,
		LatencyHistogram: c.total.latency.HDR(),
		ErrorMessages:    c.messages,
	}
	if elapsed > 0 {
		// Throughput counts answers (any HTTP status); the request rate counts
		// every outcome, refused connections, timeouts and interruptions
		// included, so a target that is down shows 0 throughput, not a
		// flattering rate.
		var answers int64
		for _, n := range c.cur.status {
			answers += n
		}
		r.ThroughputRPS = float64(answers) / elapsed.Seconds()
		r.RequestRateRPS = float64(r.Requests) / elapsed.Seconds()
	}
	s := countsSummary(c.total.service)
	r.Service = &s
	if e.open {
		d := countsSummary(c.total.sched)
		r.SchedulingDelay = &d
	}
	for code, n := range c.cur.status {
		if n > 0 {
			r.StatusCodes[statusKey(code)] = n
		}
	}
	for _, k := range Kinds() {
		if n := c.cur.kinds[k]; n > 0 {
			r.ErrorsByKind[k.String()] = n
		}
	}
	r.ByName, r.Splits = c.groups.result(elapsed)
	if r.Timeline == nil {
		r.Timeline = []TimelinePoint{}
	}
	if r.ErrorMessages == nil {
		r.ErrorMessages = []ErrorMessage{}
	}
	return r
}
