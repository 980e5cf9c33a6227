package results

import (
	"math"
	"strings"
)

// chartTimeline is the timeline as the report charts it. perftop before
// the fix in the load engine ended every timeline with the few
// milliseconds after the last tick, in which nothing finished: charted,
// that was a fall to zero the target never made. Such a last point, with
// no request finished in an interval under half the one before it, is
// left out; a whole interval without answers (a stalled target) stays.
func chartTimeline(tl []TimelinePoint) []TimelinePoint {
	n := len(tl)
	if n < 2 || tl[n-1].Requests != 0 {
		return tl
	}
	last, prev := tl[n-1].Seconds-tl[n-2].Seconds, 1.0
	if n >= 3 {
		prev = tl[n-2].Seconds - tl[n-3].Seconds
	}
	if last < prev/2 {
		return tl[:n-1]
	}
	return tl
}

// column is one value of every point: NaN where it was not measured.
func column(tl []TimelinePoint, v func(p *TimelinePoint) float64) []float64 {
	out := make([]float64, len(tl))
	for i := range tl {
		out[i] = v(&tl[i])
	}
	return out
}

func times(tl []TimelinePoint) []float64 {
	return column(tl, func(p *TimelinePoint) float64 { return p.Seconds })
}

// answered is v, or NaN for an interval in which nothing finished: its
// latency and error rate were not measured, and are not zero.
func answered(p *TimelinePoint, v float64) float64 {
	if p.Requests <= 0 {
		return math.NaN()
	}
	return v
}

// latencyOf is a point's latency v, NaN where the interval had no answer:
// a recorded latency is at least 1µs, so 0 is an empty window's.
func latencyOf(p *TimelinePoint, v float64) float64 {
	if v == 0 {
		return math.NaN()
	}
	return answered(p, v)
}

func errorPercentOf(p *TimelinePoint) float64 {
	return answered(p, float64(p.Errors)/float64(p.Requests)*100)
}

// overTime are the client's charts: latency, throughput, in flight, errors.
func overTime(tl []TimelinePoint) []svgChart {
	t := times(tl)
	latency := timeChart("Latency over time", kindSeconds, t, []series{
		{"p50", "s0", column(tl, func(p *TimelinePoint) float64 { return latencyOf(p, p.P50) })},
		{"p99", "s1", column(tl, func(p *TimelinePoint) float64 { return latencyOf(p, p.P99) })},
	})
	if latency.Empty == "nothing measured" {
		latency.Empty = "no answers"
	}
	return []svgChart{
		latency,
		timeChart("Throughput", kindRate, t, []series{
			{"requests finished a second (failures included)", "s2", column(tl, func(p *TimelinePoint) float64 { return p.RPS })},
		}),
		timeChart("In flight", kindCount, t, []series{
			{"requests in flight at each second's end", "s3", column(tl, func(p *TimelinePoint) float64 { return float64(p.InFlight) })},
		}),
		timeChart("Error rate", kindPercent, t, []series{
			{"errors, share of the second's requests", "s1", column(tl, errorPercentOf)},
		}),
	}
}

// optional is a recorded side value as a column: NaN where not recorded,
// and whether any point has it.
func optional(tl []TimelinePoint, v func(p *TimelinePoint) *float64, times float64) ([]float64, bool) {
	out := make([]float64, len(tl))
	seen := false
	for i := range tl {
		out[i] = math.NaN()
		if x := v(&tl[i]); x != nil {
			out[i], seen = *x*times, true
		}
	}
	return out, seen
}

// serverSide is the service's own view (--prom) beside the client's.
func serverSide(tl []TimelinePoint) side {
	t := times(tl)
	var charts []svgChart
	if rps, ok := optional(tl, func(p *TimelinePoint) *float64 { return p.ServerRPS }, 1); ok {
		charts = append(charts, timeChart("Request rate, server and client", kindRate, t, []series{
			{"server", "s0", rps}, {"client (finished)", "s2", column(tl, func(p *TimelinePoint) float64 { return p.RPS })}}))
	}
	if errs, ok := optional(tl, func(p *TimelinePoint) *float64 { return p.ServerErrorRatio }, 100); ok {
		charts = append(charts, timeChart("Error rate, server and client", kindPercent, t, []series{
			{"server", "s0", errs}, {"client", "s1", column(tl, errorPercentOf)}}))
	}
	if p99, ok := optional(tl, func(p *TimelinePoint) *float64 { return p.ServerP99 }, 1); ok {
		charts = append(charts, timeChart("p99, server and client", kindSeconds, t, []series{
			{"server", "s0", p99}, {"client", "s1", column(tl, func(p *TimelinePoint) float64 { return latencyOf(p, p.P99) })}}))
	}
	if len(charts) == 0 {
		return side{NotRecorded: "not recorded: give perftop run the service's own metrics with --prom URL (its /metrics endpoint), " +
			"and the results file keeps its request rate, error ratio and p99 each second"}
	}
	return side{Facts: facts(sideLine(tl, true)), Charts: charts}
}

// hostSide is the machine perftop ran on: CPU, memory and network.
func hostSide(tl []TimelinePoint) side {
	t := times(tl)
	var charts []svgChart
	cpu, okCPU := optional(tl, func(p *TimelinePoint) *float64 { return p.HostCPU }, 1)
	mem, okMem := optional(tl, func(p *TimelinePoint) *float64 { return p.HostMemory }, 1)
	if okCPU || okMem {
		charts = append(charts, timeChart("CPU and memory", kindPercent, t, []series{{"CPU", "s0", cpu}, {"memory used", "s3", mem}}))
	}
	rx, okRx := optional(tl, func(p *TimelinePoint) *float64 { return p.NetRx }, 1)
	tx, okTx := optional(tl, func(p *TimelinePoint) *float64 { return p.NetTx }, 1)
	if okRx || okTx {
		charts = append(charts, timeChart("Network", kindBytesRate, t, []series{{"received", "s2", rx}, {"sent", "s1", tx}}))
	}
	if len(charts) == 0 {
		return side{NotRecorded: "not recorded: this results file has no host columns (perftop run records them every second; files from older versions lack them)"}
	}
	return side{Facts: facts(sideLine(tl, false)), Charts: charts}
}

// facts are a summary line's parts (sideLine), less the "(its own
// metrics)" that the section's title says.
func facts(line string) []string {
	var out []string
	for _, part := range strings.Split(line, "  ") {
		if part != "" && !strings.HasPrefix(part, "(") {
			out = append(out, part)
		}
	}
	return out
}
