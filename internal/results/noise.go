package results

import (
	"fmt"
	"math"
	"slices"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// Noise: two runs of the same build on the same machine differ, most in the
// tail (two identical back-to-back runs here: p99 +24%, p999 +72%). A change
// is judged against the spread the two files themselves carry, and a change
// within it is "within noise", neither better nor worse, and breaks no gate:
//
//   - throughput, error rate, p50 and p99 have a value per second in each
//     timeline: the two sets of windows are compared with a Mann-Whitney U
//     test (two-sided, normal approximation with ties); p >= 0.05 is noise.
//     The last window, cut short by the stop, and windows without requests
//     are left out; each run needs 5 windows.
//   - p90, p95 and p999 (and p50/p99 without enough windows) are compared
//     by their 95% confidence intervals from each run's latency histogram:
//     the ranks q*N ± 1.96*sqrt(N*q*(1-q)) of the order statistics; if the
//     two intervals overlap the change is noise. The mean likewise, by
//     mean ± 1.96*sd/sqrt(N).
//   - max is one request: it is shown, never marked better or worse.
//
// Where neither file carries what a test needs, the change is judged as
// before: 1% or more is better or worse.

// noiseAlpha is the significance level of the window test.
const noiseAlpha = 0.05

// minWindows is how many per-second windows each run needs for the
// window test.
const minWindows = 5

// judgeNoise fills d.Noise for the metric d names, or leaves it empty
// when it cannot be judged.
func judgeNoise(before, after *File, hb, ha *hdrhistogram.Histogram, d *Delta) {
	if d.Name == "max" {
		d.Noise = "one request"
		return
	}
	if xs, ys := windows(before, d.Name), windows(after, d.Name); len(xs) >= minWindows && len(ys) >= minWindows {
		p := mannWhitneyP(xs, ys)
		if p >= noiseAlpha {
			d.Noise = fmt.Sprintf("within noise (p=%.2f over %d and %d seconds)", p, len(xs), len(ys))
		}
		d.Judged = true
		return
	}
	judgeIntervals(hb, ha, d)
}

// judgeIntervals is judgeNoise's test of two histograms' confidence
// intervals, alone: a request name's, which has no timeline of its own.
func judgeIntervals(hb, ha *hdrhistogram.Histogram, d *Delta) {
	if hb == nil || ha == nil || hb.TotalCount() == 0 || ha.TotalCount() == 0 {
		return
	}
	lo1, hi1, ok1 := interval(hb, d.Name)
	lo2, hi2, ok2 := interval(ha, d.Name)
	if !ok1 || !ok2 {
		return
	}
	d.Judged = true
	if lo1 <= hi2 && lo2 <= hi1 {
		d.Noise = fmt.Sprintf("within noise (95%% intervals %s-%s and %s-%s overlap)",
			FormatValue(d.Name, lo1), FormatValue(d.Name, hi1), FormatValue(d.Name, lo2), FormatValue(d.Name, hi2))
	}
}

// windows are the per-second values of metric in f's timeline: all but
// the last window, and only windows with requests.
func windows(f *File, metric string) []float64 {
	tl := f.Timeline
	if len(tl) > 0 {
		tl = tl[:len(tl)-1]
	}
	var out []float64
	for _, p := range tl {
		if p.Requests == 0 {
			continue
		}
		switch metric {
		case "throughput":
			out = append(out, p.RPS)
		case "error_rate":
			out = append(out, float64(p.Errors)/float64(p.Requests))
		case "p50":
			out = append(out, p.P50)
		case "p99":
			out = append(out, p.P99)
		default:
			return nil
		}
	}
	return out
}

// quantileOf is the quantile each latency metric names.
var quantileOf = map[string]float64{"p50": .5, "p90": .9, "p95": .95, "p99": .99, "p999": .999}

// interval is the 95% confidence interval, in seconds, of metric in h
// (microseconds).
func interval(h *hdrhistogram.Histogram, metric string) (lo, hi float64, ok bool) {
	n := float64(h.TotalCount())
	if metric == "mean" {
		half := 1.96 * h.StdDev() / math.Sqrt(n)
		return (h.Mean() - half) / 1e6, (h.Mean() + half) / 1e6, true
	}
	q, ok := quantileOf[metric]
	if !ok {
		return 0, 0, false
	}
	half := 1.96 * math.Sqrt(n*q*(1-q))
	at := func(rank float64) float64 {
		rank = min(max(rank, 1), n)
		return float64(h.ValueAtQuantile(100*rank/n)) / 1e6
	}
	return at(q*n - half), at(q*n + half), true
}

// mannWhitneyP is the two-sided p-value of the Mann-Whitney U test of xs
// against ys, by the normal approximation with the tie correction.
func mannWhitneyP(xs, ys []float64) float64 {
	type v struct {
		x     float64
		first bool
	}
	all := make([]v, 0, len(xs)+len(ys))
	for _, x := range xs {
		all = append(all, v{x, true})
	}
	for _, y := range ys {
		all = append(all, v{y, false})
	}
	slices.SortFunc(all, func(a, b v) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	n1, n2 := float64(len(xs)), float64(len(ys))
	n := n1 + n2
	var r1, ties float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].x == all[i].x {
			j++
		}
		rank := float64(i+j+1) / 2 // ranks i+1..j, averaged
		for k := i; k < j; k++ {
			if all[k].first {
				r1 += rank
			}
		}
		t := float64(j - i)
		ties += t*t*t - t
		i = j
	}
	u := r1 - n1*(n1+1)/2
	mean := n1 * n2 / 2
	sd := math.Sqrt(n1 * n2 / 12 * ((n + 1) - ties/(n*(n-1))))
	if sd == 0 {
		return 1 // every value the same
	}
	z := (math.Abs(u-mean) - 0.5) / sd // with continuity correction
	if z < 0 {
		return 1
	}
	return math.Erfc(z / math.Sqrt2)
}
