package exporter

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/perftop/perftop/internal/sources/load"
)

type fixed load.Stats

func (f fixed) Stats() load.Stats { return load.Stats(f) }

func TestCollector(t *testing.T) {
	var s load.Stats
	s.Requests, s.Errors, s.InFlight, s.LateSends, s.Target, s.OpenLoop = 12, 3, 2, 1, 100, true
	s.StatusCodes = map[int]int64{200: 9, 503: 1}
	s.ErrorsByKind = map[string]int64{"status_5xx": 1, "timeout": 2}
	s.Latency.Buckets = []float64{0.01, 0.1}
	s.Latency.Counts = []uint64{8, 11}
	s.Latency.Count, s.Latency.Sum = 12, 0.5
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(New(fixed(s)))
	want := `
# HELP perftop_requests_total Requests finished, by HTTP status ("error" when no response came, with the kind of failure).
# TYPE perftop_requests_total counter
perftop_requests_total{kind="",status="200"} 9
perftop_requests_total{kind="",status="503"} 1
perftop_requests_total{kind="timeout",status="error"} 2
# HELP perftop_request_duration_seconds Request latency: in open loop from the intended send time; in closed loop corrected for coordinated omission as wrk does, its count including the samples the correction adds.
# TYPE perftop_request_duration_seconds histogram
perftop_request_duration_seconds_bucket{le="0.01"} 8
perftop_request_duration_seconds_bucket{le="0.1"} 11
perftop_request_duration_seconds_bucket{le="+Inf"} 12
perftop_request_duration_seconds_sum 0.5
perftop_request_duration_seconds_count 12
# HELP perftop_requests_in_flight Requests sent and not yet answered.
# TYPE perftop_requests_in_flight gauge
perftop_requests_in_flight 2
# HELP perftop_target_level The rate (requests/s, open loop) or workers (closed loop) the test asks for now.
# TYPE perftop_target_level gauge
perftop_target_level{mode="open"} 100
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"perftop_requests_total", "perftop_request_duration_seconds", "perftop_requests_in_flight", "perftop_target_level"); err != nil {
		t.Fatal(err)
	}
}
