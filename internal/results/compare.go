package results

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/perftop/perftop/internal/printable"
)

// compared are the numbers compare puts side by side, in order, and
// whether more is better.
var compared = []struct {
	name       string
	higherGood bool
}{
	{"throughput", true}, {"error_rate", false},
	{"p50", false}, {"p90", false}, {"p95", false}, {"p99", false}, {"p999", false}, {"max", false}, {"mean", false},
}

// Delta is one number of two runs.
type Delta struct {
	Name          string
	Before, After float64
	Abs, Rel      float64 // after - before; after/before - 1 (NaN when before is 0)
	Better, Worse bool
	// Noise says why the change is neither better nor worse: "within
	// noise (...)" when it is inside the runs' own spread (noise.go), "one
	// request" for max. Judged says a noise test could be run.
	Noise  string
	Judged bool
}

// WithinNoise reports a change inside the runs' own spread.
func (d Delta) WithinNoise() bool { return strings.HasPrefix(d.Noise, "within noise") }

// Compare computes the deltas between two runs.
func Compare(before, after *File) []Delta {
	hb, _ := before.Histogram() // a bad histogram only loses its noise test
	ha, _ := after.Histogram()
	out := deltas(before.Measured(), after.Measured(), func(d *Delta) { judgeNoise(before, after, hb, ha, d) })
	return append(out, sideDeltas(before, after)...)
}

// deltas are the compared numbers of b and a; judge fills a moved
// number's Noise.
func deltas(b, a Measured, judge func(*Delta)) []Delta {
	out := make([]Delta, 0, len(compared))
	for _, c := range compared {
		slo := SLO{Metric: c.name}
		x, y := slo.Value(b), slo.Value(a)
		d := Delta{Name: c.name, Before: x, After: y, Abs: y - x, Rel: math.NaN()}
		if x != 0 {
			d.Rel = y/x - 1
		}
		switch {
		case noLatency(x) && noLatency(y):
			d.Abs = 0
		case noLatency(y): // every answer lost: worse than any latency
			d.Abs, d.Rel = math.Inf(1), math.Inf(1)
		case noLatency(x): // answers again: better than none
			d.Abs, d.Rel = math.Inf(-1), math.Inf(-1)
		}
		// Changes under 1% are noise, neither better nor worse.
		moved := math.Abs(d.Abs) > 1e-12 && (math.IsNaN(d.Rel) || math.Abs(d.Rel) >= 0.01)
		if moved && !math.IsInf(d.Rel, 0) {
			judge(&d)
		}
		if moved && d.Noise == "" {
			up := d.Abs > 0
			d.Better = up == c.higherGood
			d.Worse = !d.Better
		}
		out = append(out, d)
	}
	return out
}

// noLatency reports a latency of a run without answers.
func noLatency(v float64) bool { return math.IsNaN(v) }

// Gate is a regression limit for CI: p99>+10% fails when p99 grew by more
// than 10%, throughput<-5% when throughput fell by more than 5%. As an SLO
// can, a gate can name a request: "add item:p99>+10%" (Name "add item").
type Gate struct {
	Name   string // a request's name; "" for the whole run
	Metric string
	Op     string  // ">" (fail above) or "<" (fail below)
	Rel    float64 // relative change, e.g. 0.10 or -0.05
	Text   string
}

// ParseGates reads --fail-if; errors name the term at fault.
func ParseGates(s string) ([]Gate, error) {
	var out []Gate
	for _, term := range strings.Split(s, ",") {
		term = strings.TrimSpace(term)
		if term == "" {
			continue
		}
		i := strings.IndexAny(term, "<>")
		if i <= 0 {
			return nil, fmt.Errorf("gate %q: want METRIC>+N%% or METRIC<-N%%, e.g. p99>+10%%", term)
		}
		metric := strings.ToLower(strings.TrimSpace(term[:i]))
		name := ""
		if c := strings.LastIndexByte(term[:i], ':'); c >= 0 {
			name, metric = strings.TrimSpace(term[:c]), strings.ToLower(strings.TrimSpace(term[c+1:i]))
			if _, ok := sloMetrics[metric]; name == "" || !ok {
				return nil, fmt.Errorf("gate %q: want NAME:METRIC>+N%%, e.g. 'add item:p99>+10%%', a metric of p50, p90, p95, p99, p999, max, mean, error_rate or throughput", term)
			}
		}
		if _, ok := sloMetrics[metric]; !ok && !isSideMetric(metric) {
			return nil, fmt.Errorf("gate %q: unknown metric %q: want p50, p90, p95, p99, p999, max, mean, error_rate, throughput, server_rps, server_error_rate, server_p99, server_host_cpu, server_host_memory, host_cpu, host_memory, net_rx or net_tx", term, metric)
		}
		num, ok := strings.CutSuffix(strings.TrimSpace(term[i+1:]), "%")
		v, err := strconv.ParseFloat(num, 64)
		if !ok || err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("gate %q: want a relative change in percent such as +10%% or -5%%", term)
		}
		out = append(out, Gate{Name: name, Metric: metric, Op: term[i : i+1], Rel: v / 100, Text: term})
	}
	if len(out) == 0 {
		return nil, errors.New("no gate: want terms like p99>+10%,throughput<-5%")
	}
	return out, nil
}

// GateFailure is a gate a comparison broke, with the change measured, or
// a gate on a number one of the runs did not record (Missing): a gate
// that cannot be checked fails rather than passes unseen.
type GateFailure struct {
	Gate
	Delta   Delta
	Missing bool
}

// String says the gate and what was measured: "p99>+10% (p99 +23.9%:
// 41.2ms → 51.0ms)".
func (f GateFailure) String() string {
	d := f.Delta
	switch {
	case f.Missing && f.Name != "":
		return fmt.Sprintf("%s (%s is not in both runs)", printable.Line(f.Text), printable.Line(f.Name))
	case f.Missing:
		return fmt.Sprintf("%s (%s is not in both runs: the server's numbers need --prom)", f.Text, f.Metric)
	}
	change := "new"
	if !math.IsNaN(d.Rel) {
		change = fmt.Sprintf("%+.1f%%", d.Rel*100)
	}
	return fmt.Sprintf("%s (%s %s: %s → %s)", f.Text, d.Name, change, formatDelta(d.Name, d.Before), formatDelta(d.Name, d.After))
}

// Failed returns the gates the deltas break; a gate naming a request is
// judged on that name's deltas (CompareNames), and fails as missing when
// the name is not in both runs.
func Failed(gates []Gate, deltas []Delta, names ...NameDelta) []GateFailure {
	var out []GateFailure
	for _, g := range gates {
		ds := deltas
		if g.Name != "" {
			ds = nil
			for _, nd := range names {
				if nd.Name == g.Name {
					ds = nd.Deltas
				}
			}
		}
		found := false
		for _, d := range ds {
			found = found || d.Name == g.Metric
			if d.Name != g.Metric || d.WithinNoise() {
				continue
			}
			rel := d.Rel
			if math.IsNaN(rel) { // from zero: any rise is infinite
				switch {
				case d.Abs > 0:
					rel = math.Inf(1)
				case d.Abs < 0:
					rel = math.Inf(-1)
				default:
					rel = 0
				}
			}
			if g.Op == ">" && rel > g.Rel || g.Op == "<" && rel < g.Rel {
				out = append(out, GateFailure{Gate: g, Delta: d})
			}
		}
		if !found {
			out = append(out, GateFailure{Gate: g, Missing: true})
		}
	}
	return out
}

// SettingsDiff lists the settings that differ between two runs, so that a
// comparison of unlike runs says so; each on one line without control
// characters.
func SettingsDiff(a, b Settings) []string {
	var out []string
	diff := func(name string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			out = append(out, printable.Line(fmt.Sprintf("%s: %v → %v", name, x, y)))
		}
	}
	diff("mode", a.Mode, b.Mode)
	diff("concurrency", a.Concurrency, b.Concurrency)
	diff("rate", a.Rate, b.Rate)
	diff("duration", a.DurationSeconds, b.DurationSeconds)
	diff("requests", a.Requests, b.Requests)
	diff("profile", a.Profile, b.Profile)
	diff("stages", a.Stages, b.Stages)
	diff("http2", a.HTTP2, b.HTTP2)
	diff("keepalive", a.KeepAlive, b.KeepAlive)
	diff("timeout", a.TimeoutSeconds, b.TimeoutSeconds)
	diff("transport", a.Transport, b.Transport)
	// event_loop is how the engine ran the same transport (epoll loops or
	// goroutines): internal, and not a setting the user gave.
	ta, tb := make([]string, len(a.Targets)), make([]string, len(b.Targets))
	for i, t := range a.Targets {
		ta[i] = t.Method + " " + t.URL
	}
	for i, t := range b.Targets {
		tb[i] = t.Method + " " + t.URL
	}
	diff("targets", strings.Join(ta, ", "), strings.Join(tb, ", "))
	return out
}

// Painter colours better and worse cells; the zero value paints nothing.
type Painter struct{ Better, Worse func(string) string }

// WriteComparison prints the deltas as an aligned table (or markdown),
// with the settings that differ. Text from the files is cleaned as
// WriteText cleans it.
func WriteComparison(w io.Writer, before, after *File, deltas []Delta, markdown bool, paint Painter) {
	val := formatDelta
	rel := func(d Delta) string {
		if math.IsNaN(d.Rel) {
			if d.Abs == 0 {
				return "0%"
			}
			return "new"
		}
		return fmt.Sprintf("%+.1f%%", d.Rel*100)
	}
	absText := func(d Delta) string {
		s := val(d.Name, math.Abs(d.Abs))
		if d.Abs < 0 {
			return "-" + s
		}
		return "+" + s
	}
	if markdown {
		fmt.Fprintf(w, "### perftop compare\n\nbefore: %s (%s)  \nafter: %s (%s)\n\n", mdText(before.Targets()), before.StartedAt.Format("2006-01-02 15:04"), mdText(after.Targets()), after.StartedAt.Format("2006-01-02 15:04"))
		fmt.Fprintln(w, "| | before | after | change | |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | --- |")
		for _, d := range deltas {
			mark := ""
			switch {
			case d.Noise != "":
				mark = "≈ " + d.Noise
			case d.Better:
				mark = "✅ better"
			case d.Worse:
				mark = "❌ worse"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s (%s) | %s |\n", d.Name, val(d.Name, d.Before), val(d.Name, d.After), absText(d), rel(d), mark)
		}
	} else {
		nameW := 11
		for _, d := range deltas {
			nameW = max(nameW, len(d.Name))
		}
		fmt.Fprintf(w, "%-*s %12s %12s %12s %9s\n", nameW, "", "before", "after", "change", "")
		for _, d := range deltas {
			line := fmt.Sprintf("%-*s %12s %12s %12s %9s", nameW, d.Name, val(d.Name, d.Before), val(d.Name, d.After), absText(d), rel(d))
			switch {
			case d.Noise != "":
				line += "  " + d.Noise
			case d.Better && paint.Better != nil:
				line = paint.Better(line + "  better")
			case d.Better:
				line += "  better"
			case d.Worse && paint.Worse != nil:
				line = paint.Worse(line + "  worse")
			case d.Worse:
				line += "  worse"
			}
			fmt.Fprintln(w, line)
		}
	}
	writeNameDeltas(w, CompareNames(before, after), markdown, paint)
	writeSplitDeltas(w, CompareSplits(before, after), markdown)
	writeProfileDeltas(w, ProfileDeltas(before, after, 10), markdown)
	if diffs := SettingsDiff(before.Settings, after.Settings); len(diffs) > 0 {
		text := strings.Join(diffs, "; ")
		if markdown {
			text = mdText(text)
		}
		fmt.Fprintf(w, "\nwarning: the runs differ in settings, compare with care: %s\n", text)
	}
	if a, b := closedLatency(before), closedLatency(after); a != b && a != "" && b != "" {
		fmt.Fprintf(w, "\nwarning: the closed loop's latency is %s before and %s after: the tail differs for that alone\n", a, b)
	}
}

// closedLatency is what a closed-loop run's latency is: corrected for
// coordinated omission, or as measured in a file from before perftop
// corrected it (which has no service latency); "" in open loop.
func closedLatency(f *File) string {
	switch {
	case !f.ClosedLoop:
		return ""
	case f.Service == nil:
		return "as measured"
	default:
		return "corrected for coordinated omission"
	}
}
