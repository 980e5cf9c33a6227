package results

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// withSides gives f a timeline of n seconds whose server p99 and host CPU
// follow p99(i) and cpu(i), and whose server rate is rps.
func withSides(f *File, n int, rps float64, p99, cpu func(i int) float64) *File {
	f.Timeline = nil
	for i := range n {
		r, q, c := rps, p99(i), cpu(i)
		f.Timeline = append(f.Timeline, TimelinePoint{Seconds: float64(i + 1), Requests: 100, RPS: 100, P50: 0.001, P99: 0.002,
			ServerRPS: &r, ServerP99: &q, HostCPU: &c})
	}
	return f
}

// TestCompareSides: the server's numbers both runs recorded are compared
// and judged (a real change is worse, a jitter within noise); the host's
// are shown unjudged; a number only one run has is left out, and a gate on
// it fails rather than passing unseen.
func TestCompareSides(t *testing.T) {
	jitter := func(base float64) func(int) float64 {
		return func(i int) float64 { return base * (1 + 0.05*math.Sin(float64(i))) }
	}
	before := withSides(run(100, 3000, 0, 0.002), 30, 100, jitter(0.010), jitter(40))
	after := withSides(run(100, 3000, 0, 0.002), 30, 100, jitter(0.020), jitter(60))
	ds := Compare(before, after)
	get := func(name string) (Delta, bool) {
		for _, d := range ds {
			if d.Name == name {
				return d, true
			}
		}
		return Delta{}, false
	}
	if d, ok := get("server_p99"); !ok || !d.Worse || math.Abs(d.Rel-1) > 0.02 {
		t.Errorf("server_p99 doubled: %+v", d)
	}
	if d, ok := get("host_cpu"); !ok || d.Better || d.Worse || math.Abs(d.After-60) > 1 {
		t.Errorf("host_cpu: want shown, unjudged: %+v", d)
	}
	if d, ok := get("server_rps"); !ok || d.Better || d.Worse {
		t.Errorf("server_rps unchanged: %+v", d)
	}
	if _, ok := get("server_error_rate"); ok {
		t.Error("server_error_rate compared though neither run recorded it")
	}
	// The same server p99, jittered differently: within noise.
	again := withSides(run(100, 3000, 0, 0.002), 30, 100, func(i int) float64 { return jitter(0.010)(i + 3) }, jitter(40))
	for _, d := range Compare(before, again) {
		if d.Name == "server_p99" && (d.Worse || d.Better || (d.Noise != "" && !d.WithinNoise())) {
			t.Errorf("server_p99 jitter judged a change: %+v", d)
		}
	}
	gates, err := ParseGates("server_p99>+10%,server_error_rate>+0%")
	if err != nil {
		t.Fatal(err)
	}
	failed := Failed(gates, ds)
	if len(failed) != 2 || failed[0].Missing || !failed[1].Missing {
		t.Fatalf("failed %+v: want server_p99 broken and server_error_rate missing", failed)
	}
	p99, _ := get("server_p99")
	if s := failed[0].String(); !strings.Contains(s, formatDelta("server_p99", p99.Before)+" → "+formatDelta("server_p99", p99.After)) {
		t.Errorf("gate failure %q: want the measured values", s)
	}
	if s := failed[1].String(); !strings.Contains(s, "not in both runs") {
		t.Errorf("missing gate %q: want it said", s)
	}
	var text bytes.Buffer
	WriteComparison(&text, before, after, ds, false, Painter{})
	cpu, _ := get("host_cpu")
	for _, want := range []string{"server_p99", formatDelta("server_p99", p99.After), "host_cpu", formatDelta("host_cpu", cpu.After)} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("comparison lacks %q:\n%s", want, text.String())
		}
	}
}
