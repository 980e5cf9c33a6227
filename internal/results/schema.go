package results

import "time"

// Result is what a run measured, as its results file keeps it: a File
// embeds it, so its fields sit at the top level of the file. Units are
// seconds and bytes; rates are per second.
type Result struct {
	Requests        int64   `json:"requests"` // finished, failed ones included
	Errors          int64   `json:"errors"`
	DurationSeconds float64 `json:"duration_seconds"`
	// ThroughputRPS counts answers (any HTTP status); RequestRateRPS every
	// attempt, refused connections and timeouts included.
	ThroughputRPS  float64 `json:"throughput_rps"`
	RequestRateRPS float64 `json:"request_rate_rps"`
	// Latency is what users at a steady pace would see: in open loop from
	// each request's intended send; in closed loop corrected for
	// coordinated omission as wrk corrects it, its Count including the
	// samples the correction added for requests stalled workers could not
	// send. The request counts above and below are real requests.
	Latency LatencySummary `json:"latency_seconds"`
	// Service is the latency as measured, from each request's actual send,
	// over the answers. Files written before closed-loop latency was
	// corrected have it in open loop only (nil: Latency is as measured).
	Service      *LatencySummary  `json:"service_latency_seconds,omitempty"`
	StatusCodes  map[string]int64 `json:"status_codes"`   // by code, "200"
	ErrorsByKind map[string]int64 `json:"errors_by_kind"` // by kind, "timeout"
	// ErrorMessages are what the failures said: a few distinct messages
	// per kind, most frequent first, one line each and free of control
	// characters. ("errors" is the failures' count.)
	ErrorMessages []ErrorMessage `json:"error_messages,omitempty"`
	// LateSends are open-loop sends that started more than
	// LateAfterSeconds after their intended time (LegacyLateAfter in files
	// that do not say).
	LateSends        int64   `json:"late_sends"`
	LateAfterSeconds float64 `json:"late_after_seconds,omitempty"`
	// SchedulingDelay is, in open loop, how far behind its intended time
	// each request was sent: perftop's own part of Latency. Older files do
	// not have it.
	SchedulingDelay *LatencySummary           `json:"scheduling_delay_seconds,omitempty"`
	ClosedLoop      bool                      `json:"closed_loop"`
	BytesReceived   int64                     `json:"bytes_received"`
	Phases          map[string]LatencySummary `json:"phases_seconds"` // dns, connect, tls, ttfb
	Timeline        []TimelinePoint           `json:"timeline"`
	// ByName is the run per request name, in the plan's order: each
	// scenario request by its name, or each URL when several were given.
	// Omitted for a run of one request, and in files from before it was
	// kept.
	ByName []RequestGroup `json:"requests_by_name,omitempty"`
	// Splits are the run's answers split by each --split-by header's
	// value, in flag order (each name has its own in ByName).
	Splits []Split `json:"splits,omitempty"`
}

// ErrorMessage is one distinct failure message of a kind and how often it
// was seen: {"kind": "tls", "message": "x509: certificate signed by
// unknown authority", "count": 1964}.
type ErrorMessage struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Count   int64  `json:"count"`
}

// LatencySummary is a latency distribution's summary in seconds; all zero
// when Count is.
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

// TimelinePoint is one interval of a run, about a second: a results file's
// "timeline" entry and a line of the .timeline.jsonl stream. Latencies are
// in seconds; Seconds is the interval's end, from the start of the run.
type TimelinePoint struct {
	Seconds  float64 `json:"t"`
	Requests int64   `json:"requests"` // finished in the interval
	Errors   int64   `json:"errors"`
	RPS      float64 `json:"rps"`
	P50      float64 `json:"p50"` // of Result.Latency's kind: corrected in closed loop
	P99      float64 `json:"p99"`
	// ServiceP50 and ServiceP99 are as measured (Result.Service); omitted
	// in files from before they were kept.
	ServiceP50 float64 `json:"service_p50,omitempty"`
	ServiceP99 float64 `json:"service_p99,omitempty"`
	InFlight   int64   `json:"in_flight"` // at the interval's end

	// The host's and the service's side at the interval's end, when
	// perftop saw them (the host always; the service with --prom):
	// omitted when not known.
	HostCPU          *float64 `json:"host_cpu_percent,omitempty"`
	HostMemory       *float64 `json:"host_memory_percent,omitempty"`
	NetRx            *float64 `json:"net_rx_bytes_per_second,omitempty"`
	NetTx            *float64 `json:"net_tx_bytes_per_second,omitempty"`
	ServerRPS        *float64 `json:"server_rps,omitempty"`
	ServerErrorRatio *float64 `json:"server_error_ratio,omitempty"`
	ServerP99        *float64 `json:"server_p99,omitempty"`
	// The server host's (the first --node) CPU and memory.
	ServerHostCPU    *float64 `json:"server_host_cpu_percent,omitempty"`
	ServerHostMemory *float64 `json:"server_host_memory_percent,omitempty"`
}

// Settings are the test's settings as given, minus secrets: URLs lose their
// passwords and headers keep only their names.
type Settings struct {
	Mode        string  `json:"mode"` // "closed" or "open"
	Concurrency int     `json:"concurrency,omitempty"`
	Rate        float64 `json:"rate,omitempty"`
	// ScaleAtEnd is the factor live +/- changes had set on the rate (open
	// loop) or the workers (closed) when the run ended; omitted when 1.
	ScaleAtEnd      float64  `json:"scale_at_end,omitempty"`
	MaxInFlight     int      `json:"max_inflight,omitempty"`
	DurationSeconds float64  `json:"duration_seconds,omitempty"`
	Requests        int64    `json:"requests,omitempty"`
	Stages          []Stage  `json:"stages,omitempty"`
	StagesOf        string   `json:"stages_of,omitempty"`
	Profile         string   `json:"profile,omitempty"`
	Targets         []Target `json:"targets"`
	TimeoutSeconds  float64  `json:"timeout_seconds"`
	HTTP2           bool     `json:"http2"`
	Insecure        bool     `json:"insecure"`
	KeepAlive       bool     `json:"keepalive"`
	MaxRedirects    int      `json:"max_redirects"`
	UnixSocket      string   `json:"unix_socket,omitempty"`
	Host            string   `json:"host,omitempty"`
	Transport       string   `json:"transport"` // "fast-http1" or "net/http"
	// EventLoop says the requests went out on event loops rather
	// than as goroutines: compare like with like.
	EventLoop bool `json:"event_loop,omitempty"`
	// Shard is --shard's i/n: the rate, workers and requests above are this
	// runner's part.
	Shard string `json:"shard,omitempty"`
	// SplitBy are the --split-by headers as given (HEADER or
	// HEADER=REGEX); SplitMax how many values of each were kept apart.
	SplitBy  []string `json:"split_by,omitempty"`
	SplitMax int      `json:"split_max,omitempty"`
	// Keys are --keys, --key-dist and the seed the run drew its keys
	// from (--seed, or the one it picked): what redoes its keys.
	Keys *KeySettings `json:"keys,omitempty"`
}

// KeySettings are a keyed run's keys: N keys drawn from Dist ("uniform" or
// "zipf:S") with Seed. The seed is a string: JSON numbers lose a uint64's
// low digits.
type KeySettings struct {
	N    int    `json:"n"`
	Dist string `json:"dist"`
	Seed string `json:"seed"`
}

// Stage is one leg of a staged test: a linear ramp from the previous
// stage's target to Target (requests per second, or workers when
// Settings.StagesOf is "concurrency") over Duration.
type Stage struct {
	// Duration is encoded as Go encodes a time.Duration, in nanoseconds,
	// whatever its name says: results files have always been written so.
	Duration time.Duration `json:"duration_seconds"`
	Target   float64       `json:"target"`
}

// Target is one request of the mix.
type Target struct {
	Name         string   `json:"name,omitempty"`
	Method       string   `json:"method"`
	URL          string   `json:"url"`
	Weight       int      `json:"weight"`
	HeaderNames  []string `json:"header_names,omitempty"`
	BodyBytes    int      `json:"body_bytes,omitempty"`
	ThinkSeconds float64  `json:"think_seconds,omitempty"`
}

// Stress is a stress profile's finding.
type Stress struct {
	LastGoodLevel float64 `json:"last_good_level"`
	BrokeAtLevel  float64 `json:"broke_at_level,omitempty"` // 0: it did not break
	BrokeBecause  string  `json:"broke_because,omitempty"`
}
