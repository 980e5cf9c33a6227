package results

import (
	"fmt"
	"io"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/units"
)

// RequestGroup is one request name's part of a run (a scenario's name, or
// the URL when several were given): a results file's "requests_by_name"
// entry. Its counts are of the same kinds as Result's, and the names'
// counts sum to the run's.
type RequestGroup struct {
	Name           string           `json:"name"`
	Requests       int64            `json:"requests"`
	Errors         int64            `json:"errors"`
	ErrorsByKind   map[string]int64 `json:"errors_by_kind"`
	BytesReceived  int64            `json:"bytes_received"`
	RequestRateRPS float64          `json:"request_rate_rps"`
	// Latency is over the name's answers: in open loop from the intended
	// send, in closed loop as measured (the run's correction for
	// coordinated omission is a worker's, not a name's).
	Latency LatencySummary `json:"latency_seconds"`
	// LatencyHDR is Latency's histogram, encoded as File.LatencyHDR.
	LatencyHDR string  `json:"latency_histogram_hdr,omitempty"`
	Splits     []Split `json:"splits,omitempty"`
}

// Split is answers split by the value of one response header (--split-by).
type Split struct {
	// Header is as --split-by gave it: the header's name, and its regular
	// expression when it had one ("X-Cache=^(HIT|MISS)"), so that one
	// header split two ways is two splits.
	Header string       `json:"header"`
	Values []SplitValue `json:"values"` // most answers first
}

// SplitValue is the answers that carried one value of a header: "(none)"
// for those without the header, "(other)" past the run's bound on values.
type SplitValue struct {
	Value   string         `json:"value"`
	Answers int64          `json:"answers"`
	Errors  int64          `json:"errors"` // answers of 4xx and 5xx
	Share   float64        `json:"share"`  // of the answers split, 0..1
	Latency LatencySummary `json:"latency_seconds"`
}

// Histogram decodes g's latency histogram; nil when it has none.
func (g *RequestGroup) Histogram() (*hdrhistogram.Histogram, error) {
	if g.LatencyHDR == "" {
		return nil, nil
	}
	h, err := hdrhistogram.Decode([]byte(g.LatencyHDR))
	if err != nil {
		return nil, fmt.Errorf("latency histogram of %q: %w", printable.Line(g.Name), err)
	}
	return h, nil
}

// EncodeGroupHistogram sets g's LatencyHDR from h; nil leaves it.
func (g *RequestGroup) EncodeGroupHistogram(h *hdrhistogram.Histogram) error {
	if h == nil {
		return nil
	}
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return fmt.Errorf("encode latency histogram of %q: %w", printable.Line(g.Name), err)
	}
	g.LatencyHDR = string(b)
	return nil
}

// Group is the request named name, or nil.
func (r *Result) Group(name string) *RequestGroup {
	for i := range r.ByName {
		if r.ByName[i].Name == name {
			return &r.ByName[i]
		}
	}
	return nil
}

// HitRatio is the share of a cache's answers that were hits, when the
// header's values are a cache's: some say HIT ("HIT", "HIT from node-3",
// squid's TCP_MEM_HIT) or MISS. The answers without the header ("(none)":
// requests the cache passed by) are neither hits nor misses.
func (s Split) HitRatio() (float64, bool) {
	var hit, all float64
	cache := false
	for _, v := range s.Values {
		if v.Value == "(none)" {
			continue
		}
		all += float64(v.Answers)
		h, c := metrics.CacheValue(v.Value)
		if h {
			hit += float64(v.Answers)
		}
		cache = cache || c
	}
	if all == 0 || !cache {
		return 0, false
	}
	return hit / all, true
}

// nameWidth is the width of the name column for names: the longest, from
// 4 to 40 columns.
func nameWidth(groups []RequestGroup) int {
	w := 4
	for _, g := range groups {
		w = max(w, len([]rune(printable.Line(g.Name))))
	}
	return min(w, 40)
}

// writeByName prints the Locust-style table of a run's request names.
func writeByName(w io.Writer, r *Result) {
	if len(r.ByName) == 0 {
		return
	}
	nw := nameWidth(r.ByName)
	fmt.Fprintf(w, "\nby name\n  %-*s %9s %15s %8s %8s %8s %8s %8s %8s %8s %10s\n", nw, "name",
		"requests", "failures", "req/s", "p50", "p90", "p99", "p99.9", "max", "mean", "bytes in")
	for _, g := range r.ByName {
		l := g.Latency
		q := func(v float64) string {
			if l.Count == 0 {
				return "-"
			}
			return units.Seconds(v)
		}
		fmt.Fprintf(w, "  %-*s %9d %15s %8s %8s %8s %8s %8s %8s %8s %10s\n", nw, printable.Cut(printable.Line(g.Name), nw),
			g.Requests, errorPercent(g.Requests, g.Errors), units.Count(g.RequestRateRPS),
			q(l.P50), q(l.P90), q(l.P99), q(l.P999), q(l.Max), q(l.Mean), units.Bytes(float64(g.BytesReceived)))
	}
	for _, g := range r.ByName {
		if len(g.ErrorsByKind) > 0 {
			fmt.Fprintf(w, "  %s failed%s\n", printable.Line(g.Name), kinds(g.ErrorsByKind))
		}
	}
	if r.ClosedLoop {
		fmt.Fprintln(w, "  (a name's latency is as measured: the closed loop's correction is the run's, not a name's)")
	}
}

// writeSplits prints the run's splits and, with several names, each
// name's: the values' shares and latency side by side, and a cache
// header's hit ratio.
func writeSplits(w io.Writer, r *Result) {
	for _, sp := range r.Splits {
		writeSplit(w, sp, "")
	}
	if len(r.ByName) < 2 {
		return
	}
	for _, g := range r.ByName {
		for _, sp := range g.Splits {
			writeSplit(w, sp, g.Name)
		}
	}
}

func writeSplit(w io.Writer, sp Split, name string) {
	title := "split by " + printable.Line(sp.Header)
	if name != "" {
		title += " of " + printable.Line(name)
	}
	if hr, ok := sp.HitRatio(); ok {
		title += fmt.Sprintf(": hit ratio %.1f%%", hr*100)
	}
	fmt.Fprintf(w, "\n%s\n", title)
	vw := 5
	for _, v := range sp.Values {
		vw = max(vw, len([]rune(printable.Line(v.Value))))
	}
	vw = min(vw, 40)
	fmt.Fprintf(w, "  %-*s %9s %7s %9s %8s %8s %8s %8s %8s\n", vw, "value", "answers", "share", "failures", "p50", "p90", "p99", "max", "mean")
	for _, v := range sp.Values {
		l := v.Latency
		q := func(v float64) string {
			if l.Count == 0 {
				return "-"
			}
			return units.Seconds(v)
		}
		fmt.Fprintf(w, "  %-*s %9d %6.1f%% %9d %8s %8s %8s %8s %8s\n", vw, printable.Cut(printable.Line(v.Value), vw), v.Answers, v.Share*100,
			v.Errors, q(l.P50), q(l.P90), q(l.P99), q(l.Max), q(l.Mean))
	}
}

// writeMarkdownGroups prints the per-name table and the splits as
// markdown tables.
func writeMarkdownGroups(w io.Writer, r *Result) {
	if len(r.ByName) > 0 {
		fmt.Fprintln(w, "\n| name | requests | failures | req/s | p50 | p90 | p99 | p99.9 | max | mean | bytes in |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
		for _, g := range r.ByName {
			l := g.Latency
			fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdText(printable.Line(g.Name)), g.Requests,
				errorPercent(g.Requests, g.Errors), units.Count(g.RequestRateRPS), units.Seconds(l.P50), units.Seconds(l.P90),
				units.Seconds(l.P99), units.Seconds(l.P999), units.Seconds(l.Max), units.Seconds(l.Mean), units.Bytes(float64(g.BytesReceived)))
		}
	}
	splits := func(name string, sps []Split) {
		for _, sp := range sps {
			title := "split by " + codeCell(sp.Header)
			if name != "" {
				title += " of " + mdText(printable.Line(name))
			}
			if hr, ok := sp.HitRatio(); ok {
				title += fmt.Sprintf(": hit ratio %.1f%%", hr*100)
			}
			fmt.Fprintf(w, "\n%s\n\n| value | answers | share | failures | p50 | p90 | p99 | max |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n", title)
			for _, v := range sp.Values {
				l := v.Latency
				fmt.Fprintf(w, "| %s | %d | %.1f%% | %d | %s | %s | %s | %s |\n", mdText(printable.Line(v.Value)), v.Answers, v.Share*100, v.Errors,
					units.Seconds(l.P50), units.Seconds(l.P90), units.Seconds(l.P99), units.Seconds(l.Max))
			}
		}
	}
	splits("", r.Splits)
	if len(r.ByName) > 1 {
		for _, g := range r.ByName {
			splits(g.Name, g.Splits)
		}
	}
}
