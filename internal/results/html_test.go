package results

import (
	"math"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// realisticFile is a run as a team would attach it: two minutes of open
// loop with a slow spell, a few 503s and timeouts, the server's side from
// --prom and the host's, SLOs met and breached.
func realisticFile(t testing.TB) *File {
	f := fullFile(t)
	f.ClosedLoop = false
	h := metrics.NewLatencyHistogram()
	f.Timeline = nil
	for s := 1; s <= 120; s++ {
		slow := s >= 70 && s < 85
		p50, p99 := 0.012+0.002*math.Sin(float64(s)/7), 0.045+0.01*math.Cos(float64(s)/5)
		errs := int64(s % 3)
		if slow {
			p50, p99, errs = 0.09, 0.41, 40
		}
		for i := 0; i < 50; i++ {
			_ = h.RecordValue(int64(p50*1e6) + int64(i*i*int(p99*1e6-p50*1e6))/2500)
		}
		cpu, mem := 35+10*math.Sin(float64(s)/9), 61+float64(s)/60
		rx, tx := 3.2e6+4e5*math.Sin(float64(s)/4), 1.1e6
		srps, serr, sp99 := 498.0, float64(errs)/500, p99*0.8
		f.Timeline = append(f.Timeline, TimelinePoint{Seconds: float64(s), Requests: 500, Errors: errs, RPS: 500, P50: p50, P99: p99, InFlight: int64(6 + s%4),
			HostCPU: &cpu, HostMemory: &mem, NetRx: &rx, NetTx: &tx, ServerRPS: &srps, ServerErrorRatio: &serr, ServerP99: &sp99})
	}
	if err := f.EncodeHistogram(h); err != nil {
		t.Fatal(err)
	}
	q := func(p float64) float64 { return float64(h.ValueAtQuantile(p)) / 1e6 }
	f.Latency = LatencySummary{Count: h.TotalCount(), Min: float64(h.Min()) / 1e6, Mean: h.Mean() / 1e6, P50: q(50), P90: q(90), P95: q(95), P99: q(99), P999: q(99.9), Max: float64(h.Max()) / 1e6}
	svc := f.Latency
	svc.P99, svc.P999, svc.Max = svc.P99*0.9, svc.P999*0.9, svc.Max*0.9
	f.Service = &svc
	f.Requests, f.Errors, f.DurationSeconds, f.ThroughputRPS, f.RequestRateRPS, f.BytesReceived = 60000, 760, 120, 499.2, 500, 60000*2300
	f.StatusCodes = map[string]int64{"200": 59240, "503": 600, "429": 60}
	f.ErrorsByKind = map[string]int64{"status_5xx": 600, "status_4xx": 60, "timeout": 100}
	f.ErrorMessages = []ErrorMessage{{Kind: "status_5xx", Message: "503 Service Unavailable", Count: 600},
		{Kind: "timeout", Message: "no answer within 10s (the timeout)", Count: 100}}
	f.Phases = map[string]LatencySummary{"dns": {Count: 40, Min: 0.0001, Mean: 0.0003, P50: 0.0002, P90: 0.0005, P95: 0.0006, P99: 0.0011, P999: 0.0012, Max: 0.0012},
		"connect": {Count: 40, Min: 0.0002, Mean: 0.0005, P50: 0.0004, P90: 0.0008, P95: 0.0009, P99: 0.0014, P999: 0.0015, Max: 0.0015},
		"ttfb":    f.Latency}
	f.SLOs = Judge(mustSLOs(t, "p99<100ms,p50<50ms,error_rate<1%,throughput>450"), f.Measured())
	f.EndedAt = f.StartedAt.Add(120 * time.Second)
	return f
}
