package results

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/units"
)

// WriteText prints a run's numbers for people, as `perftop run` does at
// its end; targets names what was tested. Text from the file (names,
// reasons, SLOs) is printed on one line without control characters, as
// everything from outside is (printable.Line): a results file can come
// from anywhere.
func WriteText(w io.Writer, f *File, targets string) { WriteTextWidth(w, f, targets, 0) }

// WriteTextWidth is WriteText for a terminal width columns wide: a
// figure's line longer than that breaks between its fields (or words),
// its rest indented under the first; 0 keeps every figure on one line, as
// a pipe or a file wants.
func WriteTextWidth(w io.Writer, f *File, targets string, width int) {
	r := f.Result
	p := func(label, format string, args ...any) {
		writeWrapped(w, fmt.Sprintf("%-11s %s", label, fmt.Sprintf(format, args...)), width, 12)
	}
	fmt.Fprintf(w, "\nperftop run %s (%s, %s)\n", printable.Line(targets), runShape(f.Settings), printable.Line(f.Stopped))
	if v := r.Verdict(); v != "" {
		fmt.Fprintln(w, v)
	}
	errPct := 0.0
	if r.Requests > 0 {
		errPct = float64(r.Errors) / float64(r.Requests) * 100
	}
	p("requests", "%d in %s: %s req/s answered", r.Requests, units.Duration(time.Duration(r.DurationSeconds*float64(time.Second))), units.Count(r.ThroughputRPS))
	if r.RequestRateRPS > r.ThroughputRPS*1.001 {
		p("", "%s req/s attempted (connection failures and timeouts included)", units.Count(r.RequestRateRPS))
	}
	p("errors", "%d (%.2f%%)%s", r.Errors, errPct, kinds(r.ErrorsByKind))
	for _, m := range r.ErrorMessages {
		p("", "%-18s %s  %d", printable.Line(m.Kind), printable.Line(m.Message), m.Count)
	}
	p("latency", "%s", latencyLine(r.Latency))
	switch {
	case r.Service != nil && r.ClosedLoop:
		p("  service", "%s (as measured)", latencyLine(*r.Service))
	case r.Service != nil:
		p("  service", "%s (from the actual send)", latencyLine(*r.Service))
	}
	p("status", "%s", statusLine(r.StatusCodes))
	phases := []string{}
	for _, name := range []string{"dns", "connect", "tls", "ttfb"} {
		if ph := r.Phases[name]; ph.Count > 0 {
			phases = append(phases, fmt.Sprintf("%s p50 %s p99 %s", name, units.Seconds(ph.P50), units.Seconds(ph.P99)))
		}
	}
	if len(phases) > 0 {
		p("phases", "%s", strings.Join(phases, "  "))
	}
	if f.Settings.Mode == "open" {
		p("late sends", "%d (started more than %s after their intended time)", r.LateSends, r.LateAfter())
		if d := r.SchedulingDelay; d != nil && d.Count > 0 {
			p("  scheduling", "p50 %s p99 %s max %s (perftop's own delay behind the intended send, in latency)",
				units.Seconds(d.P50), units.Seconds(d.P99), units.Seconds(d.Max))
		}
	}
	if line := sideLine(r.Timeline, true); line != "" {
		p("server", "%s", line)
	}
	if line := sideLine(r.Timeline, false); line != "" {
		p("host", "%s", line)
	}
	if line := profileLine(f.Profile); line != "" {
		p("profile", "%s", line)
	}
	if f.Stress != nil {
		p("breaking", "%s", stressLine(f.Stress))
	}
	for i, v := range f.SLOs {
		label := ""
		if i == 0 {
			label = "slo"
		}
		verdict := "met"
		if !v.Met {
			verdict = "BREACHED"
		}
		p(label, "%-22s %-8s measured %s", printable.Line(v.Text), verdict, FormatValue(v.Metric, v.Value))
	}
	switch {
	case r.ClosedLoop && r.Service != nil:
		p("note", "closed loop: latency is corrected for coordinated omission as wrk does: it also\n            holds the requests each worker could not send while it waited; service is as\n            measured; the counts are of real requests. --rate measures from intended sends")
	case r.ClosedLoop: // a file from before the correction: its latency is as measured
		p("note", "closed loop: each worker waits for its answer before sending again, so a slow\n            server is sent less and the tail is milder than users at a fixed rate would\n            see; use --rate for latency from the intended send time")
	}
	writeByName(w, r)
	writeSplits(w, r)
}

// runShape is how a run drove its target, for a report's first line:
// "open loop, 500 req/s", "closed loop, 50 workers at the start, 41 at the
// end (+/-)", with its stages and profile.
func runShape(s Settings) string {
	shape := fmt.Sprintf("closed loop, %d workers", s.Concurrency)
	if s.Mode == "open" {
		shape = fmt.Sprintf("open loop, %s req/s", units.Count(s.Rate))
	}
	if k := s.ScaleAtEnd; k > 0 && k != 1 {
		if s.Mode == "open" {
			shape += fmt.Sprintf(" at the start, %s req/s at the end (+/-)", units.Count(s.Rate*k))
		} else {
			shape += fmt.Sprintf(" at the start, %d at the end (+/-)", max(int(math.Round(float64(s.Concurrency)*k)), 1))
		}
	}
	if len(s.Stages) > 0 {
		shape += fmt.Sprintf(", %d stages of %s", len(s.Stages), printable.Line(s.StagesOf))
	}
	if s.Profile != "" {
		shape += ", profile " + printable.Line(s.Profile)
	}
	return shape
}

// stressLine is a stress profile's finding in words.
func stressLine(s *Stress) string {
	if s.BrokeAtLevel > 0 {
		return fmt.Sprintf("held at %s, broke at %s: %s", units.Count(s.LastGoodLevel), units.Count(s.BrokeAtLevel), printable.Line(s.BrokeBecause))
	}
	return fmt.Sprintf("did not break; held up to %s", units.Count(s.LastGoodLevel))
}

// sideLine sums up the timeline's service side (server) or host side:
// averages and peaks over the intervals that have them; "" without any.
func sideLine(tl []TimelinePoint, server bool) string {
	type stat struct {
		sum, peak float64
		n         int
	}
	add := func(s *stat, v *float64) {
		if v != nil && !math.IsNaN(*v) {
			s.sum += *v
			s.peak = max(s.peak, *v)
			s.n++
		}
	}
	var a, b, c stat
	for i := range tl {
		if server {
			add(&a, tl[i].ServerRPS)
			add(&b, tl[i].ServerErrorRatio)
			add(&c, tl[i].ServerP99)
		} else {
			add(&a, tl[i].HostCPU)
			add(&b, tl[i].HostMemory)
			if tl[i].NetRx != nil && tl[i].NetTx != nil {
				v := *tl[i].NetRx + *tl[i].NetTx
				add(&c, &v)
			}
		}
	}
	var parts []string
	avg := func(s stat) float64 { return s.sum / float64(s.n) }
	if server {
		if a.n > 0 {
			parts = append(parts, fmt.Sprintf("%s req/s avg", units.Count(avg(a))))
		}
		if b.n > 0 {
			parts = append(parts, fmt.Sprintf("errors %.2f%% avg", avg(b)*100))
		}
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("p99 %s avg, %s max", units.Seconds(avg(c)), units.Seconds(c.peak)))
		}
		if len(parts) > 0 {
			parts = append(parts, "(its own metrics)")
		}
	} else {
		if a.n > 0 {
			parts = append(parts, fmt.Sprintf("cpu %.0f%% avg, %.0f%% max", avg(a), a.peak))
		}
		if b.n > 0 {
			parts = append(parts, fmt.Sprintf("memory %.0f%% max", b.peak))
		}
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("network %s avg", units.BytesRate(avg(c))))
		}
	}
	return strings.Join(parts, "  ")
}

// writeWrapped writes line and a newline; with width > 0, a line wider
// than width is broken at the last field separator (two spaces) that
// fits, else at the last space, else where it must, and the lines after
// the first are indented by indent.
func writeWrapped(w io.Writer, line string, width, indent int) {
	for width > indent && utf8.RuneCountInString(line) > width {
		cut := runeOffset(line, width)
		at := strings.LastIndex(line[:cut], "  ")
		skip := 2
		if at <= indent { // in the label's column, or the indent
			at, skip = strings.LastIndex(line[:cut], " "), 1
		}
		if at <= indent {
			at, skip = cut, 0
		}
		fmt.Fprintln(w, line[:at])
		line = strings.Repeat(" ", indent) + strings.TrimLeft(line[at+skip:], " ")
	}
	fmt.Fprintln(w, line)
}

// runeOffset is the byte offset of s's n-th rune (len(s) when s is shorter).
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

func latencyLine(l LatencySummary) string {
	if l.Count == 0 {
		return "-"
	}
	return fmt.Sprintf("min %s  mean %s  p50 %s  p90 %s  p95 %s  p99 %s  p99.9 %s  max %s",
		units.Seconds(l.Min), units.Seconds(l.Mean), units.Seconds(l.P50), units.Seconds(l.P90),
		units.Seconds(l.P95), units.Seconds(l.P99), units.Seconds(l.P999), units.Seconds(l.Max))
}

func statusLine(codes map[string]int64) string {
	if len(codes) == 0 {
		return "-"
	}
	return joinCounts(codes, ": ", "  ")
}

func kinds(byKind map[string]int64) string {
	if len(byKind) == 0 {
		return ""
	}
	return ": " + joinCounts(byKind, " ", ", ")
}

// joinCounts lists counts by key in key order: "200: 5  503: 1".
func joinCounts(counts map[string]int64, kv, sep string) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = printable.Line(k) + kv + strconv.FormatInt(counts[k], 10)
	}
	return strings.Join(parts, sep)
}

// FormatValue formats an SLO's measured value in its unit.
func FormatValue(metric string, v float64) string {
	if math.IsNaN(v) {
		return "no answers"
	}
	switch metric {
	case "error_rate":
		return units.Percent(v * 100)
	case "throughput":
		return units.Count(v) + "/s"
	}
	return units.Seconds(v)
}

// Targets names what a run tested, for a report's first line: the URLs,
// each on one line without control characters.
func (f *File) Targets() string {
	urls := make([]string, len(f.Settings.Targets))
	for i, t := range f.Settings.Targets {
		urls[i] = printable.Line(t.URL)
	}
	return strings.Join(urls, " ")
}
