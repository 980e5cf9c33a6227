package metrics

import "time"

// Fleet is a test run by many headless runners (perftop run --shard ...
// --metrics-addr), as a Prometheus server that scrapes them sums it: the
// Fleet screen's data. Rates are per second over the fleet's window;
// latencies in seconds, from the runners' summed histogram. Never
// modified once published.
type Fleet struct {
	Server string    `json:"server"`
	At     time.Time `json:"at"`
	Error  string    `json:"error,omitempty"` // the last round's error in words
	// Window is the rate window of the queries, e.g. "1m".
	Window string `json:"window"`

	Rate       float64 `json:"requests_per_second"`
	Errors     float64 `json:"failures_per_second"`
	P50        float64 `json:"p50_seconds"`
	P99        float64 `json:"p99_seconds"`
	HasLatency bool    `json:"has_latency"`
	// ErrorsByKind are the fleet's failures a second, by kind.
	ErrorsByKind map[string]float64 `json:"failures_per_second_by_kind"`
	Runners      []FleetRunner      `json:"runners"` // by instance
}

// FleetRunner is one runner of the fleet, by its Prometheus instance.
type FleetRunner struct {
	Instance string  `json:"instance"`
	Up       bool    `json:"up"`
	Rate     float64 `json:"requests_per_second"`
	Errors   float64 `json:"failures_per_second"`
	P99      float64 `json:"p99_seconds"`
	HasP99   bool    `json:"has_p99"`
}

// MaxFleetRunners bounds the runners a Fleet lists.
const MaxFleetRunners = 1000
