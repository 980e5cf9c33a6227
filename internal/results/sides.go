package results

import (
	"math"
	"strconv"

	"github.com/perftop/perftop/internal/units"
)

// sideMetrics are the service's and the host's numbers that compare puts
// after the client's when both runs recorded them (the timeline's
// server_* fields come with --prom, the host's always): each run's mean of
// its per-second values, the change judged against the runs' spread by
// the same window test as the client's numbers (noise.go). The hosts' are
// shown, never marked better or worse: the load of perftop's machine, and
// of the server's (the first --node), depends on more than the service.
var sideMetrics = []struct {
	name       string
	higherGood bool
	judged     bool
	get        func(*TimelinePoint) *float64
}{
	{"server_rps", true, true, func(p *TimelinePoint) *float64 { return p.ServerRPS }},
	{"server_error_rate", false, true, func(p *TimelinePoint) *float64 { return p.ServerErrorRatio }},
	{"server_p99", false, true, func(p *TimelinePoint) *float64 { return p.ServerP99 }},
	{"server_host_cpu", false, false, func(p *TimelinePoint) *float64 { return p.ServerHostCPU }},
	{"server_host_memory", false, false, func(p *TimelinePoint) *float64 { return p.ServerHostMemory }},
	{"host_cpu", false, false, func(p *TimelinePoint) *float64 { return p.HostCPU }},
	{"host_memory", false, false, func(p *TimelinePoint) *float64 { return p.HostMemory }},
	{"net_rx", false, false, func(p *TimelinePoint) *float64 { return p.NetRx }},
	{"net_tx", false, false, func(p *TimelinePoint) *float64 { return p.NetTx }},
}

// isSideMetric reports whether name is one of sideMetrics.
func isSideMetric(name string) bool {
	for _, s := range sideMetrics {
		if s.name == name {
			return true
		}
	}
	return false
}

// sideWindows are f's per-second values of one side metric: all but the
// last window, cut short by the stop, and only the finite values recorded.
func sideWindows(f *File, get func(*TimelinePoint) *float64) []float64 {
	tl := f.Timeline
	if len(tl) > 1 {
		tl = tl[:len(tl)-1]
	}
	var out []float64
	for i := range tl {
		if v := get(&tl[i]); v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) {
			out = append(out, *v)
		}
	}
	return out
}

// sideDeltas are the deltas of the side metrics both runs recorded.
func sideDeltas(before, after *File) []Delta {
	var out []Delta
	for _, s := range sideMetrics {
		xs, ys := sideWindows(before, s.get), sideWindows(after, s.get)
		if len(xs) == 0 || len(ys) == 0 {
			continue
		}
		x, y := mean(xs), mean(ys)
		d := Delta{Name: s.name, Before: x, After: y, Abs: y - x, Rel: math.NaN()}
		if x != 0 {
			d.Rel = y/x - 1
		}
		moved := math.Abs(d.Abs) > 1e-12 && (math.IsNaN(d.Rel) || math.Abs(d.Rel) >= 0.01)
		if moved && s.judged && len(xs) >= minWindows && len(ys) >= minWindows {
			if p := mannWhitneyP(xs, ys); p >= noiseAlpha {
				d.Noise = "within noise (p=" + strconv.FormatFloat(p, 'f', 2, 64) + " over " +
					strconv.Itoa(len(xs)) + " and " + strconv.Itoa(len(ys)) + " seconds)"
			}
			d.Judged = true
		}
		if moved && s.judged && d.Noise == "" {
			d.Better = (d.Abs > 0) == s.higherGood
			d.Worse = !d.Better
		}
		out = append(out, d)
	}
	return out
}

func mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// formatDelta formats a compared value in its metric's unit.
func formatDelta(metric string, v float64) string {
	switch metric {
	case "server_rps":
		return units.Count(v) + "/s"
	case "server_error_rate":
		return units.Percent(v * 100)
	case "server_p99":
		return units.Seconds(v)
	case "host_cpu", "host_memory", "server_host_cpu", "server_host_memory":
		return units.Percent(v)
	case "net_rx", "net_tx":
		return units.BytesRate(v)
	}
	return FormatValue(metric, v)
}
