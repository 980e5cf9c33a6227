package metrics

import "time"

// LoadTest is the live state of a load test, as the load screen and the
// headless progress line show it. Latencies are in seconds.
type LoadTest struct {
	Mode            LoopMode
	State           TestState
	Started         time.Time
	Elapsed         time.Duration
	Planned         time.Duration // 0 when the test runs until stopped
	PlannedRequests int64         // -n: the run stops after this many requests; 0 without
	Stage           int           // index of the current stage, when there are stages
	Stages          int

	Target  float64 // requests per second (open) or workers (closed) asked for now
	Workers int     // workers running now

	Window Window // the last interval

	Requests     int64 // finished requests, whole run
	Errors       int64
	LateSends    int64 // open loop: requests that started late
	InFlight     int64
	Conns        int64 // connections open
	StatusCodes  map[int]int64
	ErrorsByKind map[string]int64
	// ErrorMessages are the distinct failure messages so far, a few per
	// kind, most frequent first, with how often each was seen.
	ErrorMessages []ErrorMessage
	// Latency is the whole run's: in open loop from each request's
	// intended send, in closed loop corrected for coordinated omission (the
	// requests stalled workers could not send are in it); Service is as
	// measured, from each request's actual send.
	Latency   Quantiles
	Service   Quantiles
	Histogram []Bucket // whole run's Latency, log-spaced
	// SchedulingDelay is, in open loop, how far behind its intended time
	// each request was sent: perftop's own part of Latency.
	SchedulingDelay Quantiles

	GeneratorCPUPercent float64 // perftop's own CPU, 100 = one core
	// LateAfter is how late an open-loop send must start to count among
	// LateSends.
	LateAfter time.Duration

	// Objectives are the run's SLOs judged on the run so far.
	Objectives []Objective

	// ByName is the run per request name: each scenario request by its
	// name, or each URL when several are given, in the plan's order. It is
	// empty when the test sends one request.
	ByName []RequestGroup
	// Splits are the answers of the whole run split by the value of each
	// --split-by header, in flag order; each RequestGroup has its own.
	Splits []Split
}

// RequestGroup is one request name's part of a load test.
type RequestGroup struct {
	Name         string
	Requests     int64 // finished
	Errors       int64 // failures, 4xx and 5xx answers included
	ErrorsByKind map[string]int64
	BytesIn      int64
	RPS          float64 // finished per second over the whole run
	// Latency is over the group's answers, whole run: in open loop from
	// each request's intended send, in closed loop as measured (the
	// correction's phantom samples belong to a worker, not a name).
	Latency Quantiles
	Window  GroupWindow
	Splits  []Split // one per --split-by header, in flag order
}

// GroupWindow is what happened to a group in the last interval.
type GroupWindow struct {
	Requests        int64
	Errors          int64
	RPS             float64 // finished per second
	ErrorsPerSecond float64
	Latency         Quantiles
}

// Split is a group's answers by the value of one response header.
type Split struct {
	Header string
	// Values, most answers first; a missing header is "(none)" and the
	// values past the bound "(other)".
	Values []SplitValue
}

// SplitValue is the answers that carried one value of a split header.
type SplitValue struct {
	Value   string
	Answers int64
	Share   float64 // of the group's answers, whole run, 0..1
	Latency Quantiles
	Window  GroupWindow
}

// LoopMode says how a load test paces its requests.
type LoopMode string

// The two ways a load test paces its requests.
const (
	// ClosedLoop: N workers, each sending its next request when the last
	// one is answered, so a slow server is sent less.
	ClosedLoop LoopMode = "closed"
	// OpenLoop: requests go out at a rate whatever the server does, and
	// latency counts from each request's intended send.
	OpenLoop LoopMode = "open"
)

// TestState is where a load test is in its life.
type TestState string

// A load test's states, in order; a test can go from running to paused
// and back.
const (
	TestRunning  TestState = "running"
	TestPaused   TestState = "paused"
	TestStopping TestState = "stopping" // sending has ended; waiting for answers
	TestDone     TestState = "done"
)

// Live reports whether the test is running or paused.
func (s TestState) Live() bool { return s == TestRunning || s == TestPaused }

// TimelinePoint is one second of a finished run, as its results file keeps
// it and the replay shows it. Latencies are in seconds.
type TimelinePoint struct {
	Seconds  float64
	Requests int64
	Errors   int64
	RPS      float64
	P50      float64
	P99      float64
	InFlight int64
	// The host's and the service's side at the second's end, NaN where
	// they were not recorded.
	HostCPU, HostMemory, NetRx, NetTx      float64
	ServerRPS, ServerErrorRatio, ServerP99 float64
}

// ErrorMessage is one distinct failure message of a kind, with its count:
// "tls", "x509: certificate signed by unknown authority", 1964. The message
// is printable on one line (control characters removed).
type ErrorMessage struct {
	Kind    string
	Message string
	Count   int64
}

// Objective is one SLO as the load screen shows it.
type Objective struct {
	Text  string // as written, e.g. "p99<200ms"
	Value string // the measured value, formatted
	Met   bool
}

// Window is what happened in one collection interval.
type Window struct {
	Duration     time.Duration
	Requests     int64
	Errors       int64
	RPS          float64
	ErrorPercent float64
	Latency      Quantiles // as LoadTest.Latency
	Service      Quantiles // as measured
	// SchedulingDelay is as LoadTest.SchedulingDelay (open loop).
	SchedulingDelay Quantiles
}

// Quantiles summarise a latency distribution, in seconds.
type Quantiles struct {
	Min, Mean, P50, P90, P95, P99, P999, Max float64
}

// Bucket is one bar of a latency histogram: Count values at or below
// UpperSeconds and above the previous bucket's bound.
type Bucket struct {
	UpperSeconds float64
	Count        int64
}
