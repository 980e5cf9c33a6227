package results

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// SLO is one service-level objective of a run: a measured value compared
// with a threshold, e.g. p99<200ms, error_rate<1%, throughput>500. An SLO
// can name a request, "add item:p99<300ms": the name is everything before
// the last colon ahead of the comparison (names can hold spaces and
// colons, as a URL does; not commas, which separate SLOs).
type SLO struct {
	Name      string  `json:"name,omitempty"` // a request's name; "" for the whole run
	Metric    string  `json:"metric"`         // p50 p90 p95 p99 p999 max mean error_rate throughput
	Op        string  `json:"op"`             // < <= > >=
	Threshold float64 `json:"threshold"`      // seconds, a ratio (error_rate), or requests/s
	Text      string  `json:"text"`           // as written
}

// sloMetrics maps each metric to its kind of threshold.
var sloMetrics = map[string]string{
	"p50": "duration", "p90": "duration", "p95": "duration", "p99": "duration", "p999": "duration",
	"max": "duration", "mean": "duration", "error_rate": "ratio", "throughput": "rate",
}

// ParseSLOs reads a comma-separated list of objectives. An error names the
// term at fault and what was expected.
func ParseSLOs(s string) ([]SLO, error) {
	var out []SLO
	for _, term := range strings.Split(s, ",") {
		term = strings.TrimSpace(term)
		if term == "" {
			continue
		}
		slo, err := parseSLO(term)
		if err != nil {
			return nil, fmt.Errorf("SLO %q: %w", term, err)
		}
		out = append(out, slo)
	}
	if len(out) == 0 {
		return nil, errors.New("no SLO: want terms like p99<200ms,error_rate<1%,throughput>500")
	}
	return out, nil
}

func parseSLO(term string) (SLO, error) {
	i := strings.IndexAny(term, "<>")
	if i <= 0 {
		return SLO{}, errors.New("want METRIC<VALUE or METRIC>VALUE, e.g. p99<200ms, or NAME:METRIC<VALUE for one request")
	}
	metric := strings.ToLower(strings.TrimSpace(term[:i]))
	name := ""
	if c := strings.LastIndexByte(term[:i], ':'); c >= 0 {
		name, metric = strings.TrimSpace(term[:c]), strings.ToLower(strings.TrimSpace(term[c+1:i]))
		if name == "" {
			return SLO{}, errors.New("no request name before the colon: want NAME:METRIC<VALUE, e.g. 'add item:p99<300ms'")
		}
	}
	op := term[i : i+1]
	rest := term[i+1:]
	if strings.HasPrefix(rest, "=") {
		op += "="
		rest = rest[1:]
	}
	rest = strings.TrimSpace(rest)
	kind, ok := sloMetrics[metric]
	if !ok {
		return SLO{}, fmt.Errorf("unknown metric %q: want p50, p90, p95, p99, p999, max, mean, error_rate or throughput", metric)
	}
	var v float64
	var err error
	switch kind {
	case "duration":
		var d time.Duration
		d, err = time.ParseDuration(rest)
		if err != nil {
			return SLO{}, fmt.Errorf("%s needs a duration such as 200ms, got %q", metric, rest)
		}
		v = d.Seconds()
	case "ratio":
		if pct, ok := strings.CutSuffix(rest, "%"); ok {
			v, err = strconv.ParseFloat(pct, 64)
			v /= 100
		} else {
			v, err = strconv.ParseFloat(rest, 64)
		}
		if err != nil || v < 0 || v > 1 {
			return SLO{}, fmt.Errorf("error_rate needs a percentage such as 1%% (or a ratio 0-1), got %q", rest)
		}
	case "rate":
		v, err = strconv.ParseFloat(strings.TrimSuffix(rest, "/s"), 64)
		if err != nil || v < 0 {
			return SLO{}, fmt.Errorf("throughput needs requests per second such as 500, got %q", rest)
		}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return SLO{}, fmt.Errorf("threshold %q is not a number", rest)
	}
	return SLO{Name: name, Metric: metric, Op: op, Threshold: v, Text: term}, nil
}

// Measured is what SLOs are judged on.
type Measured struct {
	Latency    map[string]float64 // p50 ... mean, seconds
	ErrorRate  float64            // ratio
	Throughput float64            // requests per second
	// ByName is each request name's, for SLOs that name one; empty for a
	// run of one request, whose totals are its own.
	ByName map[string]Measured
}

// Measured is what a finished run's SLOs are judged on, and what Compare
// puts side by side: the whole run's latency, error rate and throughput.
//
// A run without a single answer has no latency: its latencies are NaN, which
// meets no latency SLO, prints as "no answers" and compares as worse than
// any latency, never as a fall to zero.
func (r *Result) Measured() Measured {
	l := r.Latency
	m := Measured{
		Latency:    map[string]float64{"p50": l.P50, "p90": l.P90, "p95": l.P95, "p99": l.P99, "p999": l.P999, "max": l.Max, "mean": l.Mean},
		Throughput: r.ThroughputRPS,
	}
	if l.Count == 0 {
		for k := range m.Latency {
			m.Latency[k] = math.NaN()
		}
	}
	if r.Requests > 0 {
		m.ErrorRate = float64(r.Errors) / float64(r.Requests)
	}
	for _, g := range r.ByName {
		if m.ByName == nil {
			m.ByName = map[string]Measured{}
		}
		sub := Result{Requests: g.Requests, Errors: g.Errors, Latency: g.Latency}
		if r.DurationSeconds > 0 {
			sub.ThroughputRPS = float64(g.Latency.Count) / r.DurationSeconds // a name's latency is over its answers
		}
		m.ByName[g.Name] = sub.Measured()
	}
	return m
}

// Value returns the measured value an SLO is about: NaN for a request name
// the run did not send.
func (s SLO) Value(m Measured) float64 {
	if s.Name != "" {
		g, ok := m.ByName[s.Name]
		switch {
		case ok:
			m = g
		case len(m.ByName) > 0:
			return math.NaN()
		}
	}
	switch s.Metric {
	case "error_rate":
		return m.ErrorRate
	case "throughput":
		return m.Throughput
	}
	return m.Latency[s.Metric]
}

// Met reports whether value meets the objective.
func (s SLO) Met(value float64) bool {
	switch s.Op {
	case "<":
		return value < s.Threshold
	case "<=":
		return value <= s.Threshold
	case ">":
		return value > s.Threshold
	case ">=":
		return value >= s.Threshold
	}
	return false
}

// Verdict is one SLO's outcome.
type Verdict struct {
	SLO
	Value float64 `json:"value"`
	Met   bool    `json:"met"`
}

// Judge evaluates every SLO on m.
func Judge(slos []SLO, m Measured) []Verdict {
	out := make([]Verdict, len(slos))
	for i, s := range slos {
		v := s.Value(m)
		out[i] = Verdict{SLO: s, Value: v, Met: s.Met(v)}
	}
	return out
}

// AllMet reports whether every verdict is met.
func AllMet(vs []Verdict) bool {
	for _, v := range vs {
		if !v.Met {
			return false
		}
	}
	return true
}
