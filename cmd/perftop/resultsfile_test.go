package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/sources/load"
)

// TestLateAfter: an open-loop file says the engine's late-send threshold,
// and a file that does not say is read with the one perftop used before.
func TestLateAfter(t *testing.T) {
	_, res := finishedRun()
	r := resultOf(res)
	if got := r.LateAfter(); got != load.LateAfter {
		t.Fatalf("an open-loop file's late-send threshold reads %s, the engine's is %s", got, load.LateAfter)
	}
	var old results.Result
	if got := old.LateAfter(); got != results.LegacyLateAfter {
		t.Fatalf("a file without late_after_seconds reads %s, want %s", got, results.LegacyLateAfter)
	}
}

// finishedRun is a run that used every field of the results file: an open
// loop of two stages under the stress profile, stopped, aborted and broken.
func finishedRun() (runInfo, *load.Result) {
	h := metrics.NewLatencyHistogram()
	for _, v := range []int64{900, 1800, 1800, 3700} {
		_ = h.RecordValue(v)
	}
	svc := load.LatencySummary{Count: 4, Min: 0.0008, Mean: 0.0019, P50: 0.0017, P90: 0.0035, P95: 0.0035, P99: 0.0036, P999: 0.0036, Max: 0.0036}
	res := &load.Result{
		Requests: 4, Errors: 1, DurationSeconds: 1.5, ThroughputRPS: 2, RequestRateRPS: 2.6666666666666665,
		Latency:         load.LatencySummary{Count: 4, Min: 0.0009, Mean: 0.00205, P50: 0.0018, P90: 0.0037, P95: 0.0037, P99: 0.0037, P999: 0.0037, Max: 0.0037},
		Service:         &svc,
		SchedulingDelay: &load.LatencySummary{Count: 4, Min: 0.00001, Mean: 0.00002, P50: 0.00002, P90: 0.00003, P95: 0.00003, P99: 0.00004, P999: 0.00004, Max: 0.00004},
		StatusCodes:     map[string]int64{"200": 3}, ErrorsByKind: map[string]int64{"timeout": 1},
		LateSends: 2, BytesReceived: 1234,
		Phases:           map[string]load.LatencySummary{"connect": {Count: 1, Min: 0.0001, Mean: 0.0001, P50: 0.0001, P90: 0.0001, P95: 0.0001, P99: 0.0001, P999: 0.0001, Max: 0.0001}},
		Timeline:         []load.TimelinePoint{{Seconds: 1, Requests: 3, RPS: 3, P50: 0.0018, P99: 0.0037, InFlight: 1}, {Seconds: 1.5, Requests: 1, Errors: 1, RPS: 2}},
		LatencyHistogram: h,
	}
	zone := time.FixedZone("CET", 3600)
	run := runInfo{
		Version: "v1.2.3",
		Settings: results.Settings{Mode: "open", Rate: 2, MaxInFlight: 10, DurationSeconds: 90, Requests: 1000,
			Stages:   resultsStages([]load.Stage{{Duration: 30 * time.Second, Target: 2}, {Duration: time.Minute + 500*time.Millisecond, Target: 0.5}}),
			StagesOf: "rate", Profile: "stress",
			Targets:        []results.Target{{Name: "api", Method: "POST", URL: "http://u:xxxxx@svc/api", Weight: 2, HeaderNames: []string{"Authorization"}, BodyBytes: 3, ThinkSeconds: 0.25}},
			TimeoutSeconds: 10, HTTP2: true, Insecure: true, KeepAlive: true, MaxRedirects: 3, UnixSocket: "/run/svc.sock", Host: "svc.example"},
		Started: time.Date(2026, 1, 2, 4, 4, 5, 6000, zone), Ended: time.Date(2026, 1, 2, 4, 4, 6, 500000000, zone),
		FastPath: true, EventLoop: true, Stopped: true, Aborted: true,
		Stress: &load.StressWatch{LastGood: 4, BrokeAt: 6, BrokeWhy: "p99<1ms breached (3.70ms)"},
	}
	run.SLOs, _ = results.ParseSLOs("p99<1ms,error_rate<50%")
	return run, res
}

// TestResultsFileFormat: the file made from the engine's result is byte for
// byte the one perftop wrote when the file was the engine's struct.
func TestResultsFileFormat(t *testing.T) {
	f, err := resultsFileOf(finishedRun())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	if err := results.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != wantResultsFile {
		t.Errorf("results file differs\n--- got\n%s\n--- want\n%s", got, wantResultsFile)
	}
	tl, err := results.CreateTimeline(path + ".timeline.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	_, res := finishedRun()
	for _, p := range res.Timeline {
		tl.Append(timelinePointOf(p))
	}
	if err := tl.Close(); err != nil {
		t.Fatal(err)
	}
	lines, _ := os.ReadFile(path + ".timeline.jsonl")
	if string(lines) != wantTimeline {
		t.Errorf("timeline stream differs\n--- got\n%s\n--- want\n%s", lines, wantTimeline)
	}
}

// TestResultsFileStopped: how a run ended, from the strongest reason.
func TestResultsFileStopped(t *testing.T) {
	held := &load.StressWatch{LastGood: 8}
	broke := &load.StressWatch{LastGood: 8, BrokeAt: 10, BrokeWhy: "error rate 6.0% > 5%"}
	tests := []struct {
		stopped, aborted bool
		stress           *load.StressWatch
		want             string
	}{
		{false, false, nil, "completed"},
		{true, false, nil, "stopped"},
		{true, true, nil, "aborted"},
		{false, false, held, "completed"},
		{true, true, broke, "broke"},
	}
	for _, tt := range tests {
		run, res := finishedRun()
		run.Stopped, run.Aborted, run.Stress = tt.stopped, tt.aborted, tt.stress
		f, err := resultsFileOf(run, res)
		if err != nil {
			t.Fatal(err)
		}
		if f.Stopped != tt.want {
			t.Errorf("stopped %v, aborted %v, stress %+v: %q, want %q", tt.stopped, tt.aborted, tt.stress, f.Stopped, tt.want)
		}
		if (f.Stress != nil) != (tt.stress != nil) {
			t.Errorf("stress %+v in the file for %+v", f.Stress, tt.stress)
		}
	}
	run, res := finishedRun()
	run.FastPath, run.SLOs, res.LatencyHistogram, res.Service = false, nil, nil, nil
	f, err := resultsFileOf(run, res)
	if err != nil || f.Settings.Transport != "net/http" || f.SLOs != nil || f.LatencyHDR != "" || f.Service != nil {
		t.Fatalf("plain run: %v %+v", err, f)
	}
}

const wantTimeline = `{"t":1,"requests":3,"errors":0,"rps":3,"p50":0.0018,"p99":0.0037,"in_flight":1}
{"t":1.5,"requests":1,"errors":1,"rps":2,"p50":0,"p99":0,"in_flight":0}
`

// wantResultsFile is what perftop wrote for finishedRun before the results
// file had types of its own.
const wantResultsFile = `{
  "schema_version": 1,
  "tool": "perftop",
  "version": "v1.2.3",
  "started_at": "2026-01-02T03:04:05.000006Z",
  "ended_at": "2026-01-02T03:04:06.5Z",
  "stopped": "broke",
  "settings": {
    "mode": "open",
    "rate": 2,
    "max_inflight": 10,
    "duration_seconds": 90,
    "requests": 1000,
    "stages": [
      {
        "duration_seconds": 30000000000,
        "target": 2
      },
      {
        "duration_seconds": 60500000000,
        "target": 0.5
      }
    ],
    "stages_of": "rate",
    "profile": "stress",
    "targets": [
      {
        "name": "api",
        "method": "POST",
        "url": "http://u:xxxxx@svc/api",
        "weight": 2,
        "header_names": [
          "Authorization"
        ],
        "body_bytes": 3,
        "think_seconds": 0.25
      }
    ],
    "timeout_seconds": 10,
    "http2": true,
    "insecure": true,
    "keepalive": true,
    "max_redirects": 3,
    "unix_socket": "/run/svc.sock",
    "host": "svc.example",
    "transport": "fast-http1",
    "event_loop": true
  },
  "requests": 4,
  "errors": 1,
  "duration_seconds": 1.5,
  "throughput_rps": 2,
  "request_rate_rps": 2.6666666666666665,
  "latency_seconds": {
    "count": 4,
    "min": 0.0009,
    "mean": 0.00205,
    "p50": 0.0018,
    "p90": 0.0037,
    "p95": 0.0037,
    "p99": 0.0037,
    "p999": 0.0037,
    "max": 0.0037
  },
  "service_latency_seconds": {
    "count": 4,
    "min": 0.0008,
    "mean": 0.0019,
    "p50": 0.0017,
    "p90": 0.0035,
    "p95": 0.0035,
    "p99": 0.0036,
    "p999": 0.0036,
    "max": 0.0036
  },
  "status_codes": {
    "200": 3
  },
  "errors_by_kind": {
    "timeout": 1
  },
  "late_sends": 2,
  "late_after_seconds": 0.001,
  "scheduling_delay_seconds": {
    "count": 4,
    "min": 0.00001,
    "mean": 0.00002,
    "p50": 0.00002,
    "p90": 0.00003,
    "p95": 0.00003,
    "p99": 0.00004,
    "p999": 0.00004,
    "max": 0.00004
  },
  "closed_loop": false,
  "bytes_received": 1234,
  "phases_seconds": {
    "connect": {
      "count": 1,
      "min": 0.0001,
      "mean": 0.0001,
      "p50": 0.0001,
      "p90": 0.0001,
      "p95": 0.0001,
      "p99": 0.0001,
      "p999": 0.0001,
      "max": 0.0001
    }
  },
  "timeline": [
    {
      "t": 1,
      "requests": 3,
      "errors": 0,
      "rps": 3,
      "p50": 0.0018,
      "p99": 0.0037,
      "in_flight": 1
    },
    {
      "t": 1.5,
      "requests": 1,
      "errors": 1,
      "rps": 2,
      "p50": 0,
      "p99": 0,
      "in_flight": 0
    }
  ],
  "stress": {
    "last_good_level": 4,
    "broke_at_level": 6,
    "broke_because": "p99\u003c1ms breached (3.70ms)"
  },
  "slos": [
    {
      "metric": "p99",
      "op": "\u003c",
      "threshold": 0.001,
      "text": "p99\u003c1ms",
      "value": 0.0037,
      "met": false
    },
    {
      "metric": "error_rate",
      "op": "\u003c",
      "threshold": 0.5,
      "text": "error_rate\u003c50%",
      "value": 0.25,
      "met": true
    }
  ],
  "latency_histogram_hdr": "HISTFAAAADN42pJpmSzMwMDAycDAwMjAwMDMAAEgNsO1yUsY7D9ABNr5mFr5WB4KMAECAAD//4avBrI="
}
`
