package results

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/perftop/perftop/internal/metrics"
)

func run(rps float64, reqs, errs int64, p99 float64) *File {
	return &File{SchemaVersion: SchemaVersion, Settings: Settings{Mode: "open", Rate: 100},
		Result: &Result{Requests: reqs, Errors: errs, ThroughputRPS: rps, Latency: LatencySummary{Count: reqs, P50: p99 / 4, P99: p99, Max: p99 * 2, Mean: p99 / 3, P90: p99 / 2, P95: p99 / 1.5, P999: p99 * 1.5}}}
}

func TestCompare(t *testing.T) {
	// The story: 2 s at 100 req/s before; 200 ms at 1000 req/s after.
	before, after := run(100, 6000, 60, 2), run(1000, 60000, 0, 0.2)
	ds := Compare(before, after)
	get := func(name string) Delta {
		for _, d := range ds {
			if d.Name == name {
				return d
			}
		}
		t.Fatalf("no %s", name)
		return Delta{}
	}
	if d := get("throughput"); !d.Better || math.Abs(d.Rel-9) > 1e-9 {
		t.Errorf("throughput %+v", d)
	}
	if d := get("p99"); !d.Better || math.Abs(d.Rel+0.9) > 1e-9 || d.Abs != -1.8 {
		t.Errorf("p99 %+v", d)
	}
	if d := get("error_rate"); !d.Better || d.Rel != -1 {
		t.Errorf("error rate %+v", d)
	}
	same := Compare(before, run(100.5, 6000, 60, 2.01))
	for _, d := range same {
		if d.Better || d.Worse {
			t.Errorf("a change under 1%% counted: %+v", d)
		}
	}
}

func TestGates(t *testing.T) {
	gates, err := ParseGates("p99>+10%, throughput<-5%, error_rate>+0%")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		after  *File
		failed string
	}{
		{"within", run(98, 6000, 60, 2.1), ""},
		{"slower", run(100, 6000, 60, 2.3), "p99>+10%"},
		{"less throughput", run(90, 6000, 60, 2), "throughput<-5%"},
		{"errors from none", run(100, 6000, 61, 2), "error_rate>+0%"},
	}
	base := run(100, 6000, 60, 2)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var names []string
			for _, g := range Failed(gates, Compare(base, tt.after)) {
				names = append(names, g.Text)
			}
			if got := strings.Join(names, ","); got != tt.failed {
				t.Fatalf("failed %q, want %q", got, tt.failed)
			}
		})
	}
	for in, want := range map[string]string{
		"p99>10":      "want a relative change in percent",
		"p98>+10%":    `unknown metric "p98"`,
		"p99=+10%":    "want METRIC>+N%",
		"":            "no gate",
		"p99>+tenth%": "want a relative change",
	} {
		if _, err := ParseGates(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseGates(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestSettingsDiff(t *testing.T) {
	a := Settings{Mode: "open", Rate: 100, Targets: []Target{{Method: "GET", URL: "http://a/"}}}
	b := a
	if d := SettingsDiff(a, b); len(d) != 0 {
		t.Fatalf("same settings differ: %v", d)
	}
	b.Rate, b.HTTP2, b.EventLoop = 200, true, true
	// event_loop is how the engine ran, not a setting: not a difference.
	if d := strings.Join(SettingsDiff(a, b), "; "); d != "rate: 100 → 200; http2: false → true" {
		t.Fatalf("diff %q", d)
	}
}

func TestWriteComparison(t *testing.T) {
	before, after := fixture(t), fixture(t)
	after.ThroughputRPS, after.Latency.P99, after.Settings.Rate = 900, 0.0142, 1000
	for i := range after.Timeline { // the change shows in every second
		after.Timeline[i].RPS, after.Timeline[i].P99 = 900, 0.0142
	}
	var text, md bytes.Buffer
	WriteComparison(&text, before, after, Compare(before, after), false, Painter{})
	WriteComparison(&md, before, after, Compare(before, after), true, Painter{})
	golden(t, "compare.txt", text.String())
	golden(t, "compare.md", md.String())
}

// TestCompareLatencyKinds: a closed-loop file from before the correction
// against one after it says that its tail was as measured.
func TestCompareLatencyKinds(t *testing.T) {
	before, after := fixture(t), fixture(t)
	for _, f := range []*File{before, after} {
		f.ClosedLoop, f.Settings.Mode, f.Settings.Concurrency = true, "closed", 10
	}
	svc := after.Latency
	after.Service = &svc
	var b bytes.Buffer
	WriteComparison(&b, before, after, Compare(before, after), false, Painter{})
	if !strings.Contains(b.String(), "warning: the closed loop's latency is as measured before and corrected for coordinated omission after") {
		t.Errorf("no warning:\n%s", b.String())
	}
	before.Service = &svc
	b.Reset()
	WriteComparison(&b, before, after, Compare(before, after), false, Painter{})
	if strings.Contains(b.String(), "closed loop's latency") {
		t.Errorf("alike runs warned:\n%s", b.String())
	}
}

// TestCompareNoAnswers: a run whose requests all went unanswered has no
// latency; against a run with answers every latency is worse (not "-100%,
// better"), the error rate rose, and the gates on either fail.
func TestCompareNoAnswers(t *testing.T) {
	ok := run(100, 500, 0, 0.02)
	silent := &File{SchemaVersion: SchemaVersion, Settings: ok.Settings,
		Result: &Result{Requests: 500, Errors: 500, ErrorsByKind: map[string]int64{"interrupted": 20, "timeout": 480}}}
	ds := Compare(ok, silent)
	for _, d := range ds {
		switch d.Name {
		case "throughput":
			if !d.Worse {
				t.Errorf("throughput %+v: want worse", d)
			}
		default:
			if !d.Worse || d.Better {
				t.Errorf("%s %+v: want worse", d.Name, d)
			}
		}
	}
	gates, err := ParseGates("p99>+10%,error_rate>+1%")
	if err != nil {
		t.Fatal(err)
	}
	if failed := Failed(gates, ds); len(failed) != 2 {
		t.Errorf("failed gates %v, want both", failed)
	}
	var out bytes.Buffer
	WriteComparison(&out, ok, silent, ds, false, Painter{})
	if !strings.Contains(out.String(), "no answers") || strings.Contains(out.String(), "better") {
		t.Errorf("comparison:\n%s", out.String())
	}
	if back := Compare(silent, ok); !back[2].Better {
		t.Errorf("answers again after none: %+v, want better", back[2])
	}
	for _, v := range Judge([]SLO{{Metric: "p99", Op: "<", Threshold: 0.2}}, silent.Measured()) {
		if v.Met {
			t.Error("p99<200ms met by a run without answers")
		}
	}
}

// noisyRun is a run whose per-second p99 and throughput wander around p99
// and rps, as real runs' do, with a given overall p99.
func noisyRun(t *testing.T, p99, rps, overallP99 float64, seed int) *File {
	f := fixture(t)
	f.Latency.P99, f.ThroughputRPS = overallP99, rps
	for i := range f.Timeline {
		wobble := float64((i*7+seed*13)%11-5) / 20 // -25%..+25%
		f.Timeline[i].P99 = p99 * (1 + wobble)
		f.Timeline[i].RPS = rps * (1 + wobble/5)
	}
	return f
}

// TestCompareWithinNoise: two runs whose seconds overlap are within
// noise even when their overall p99 differs by 24% (as two identical
// back-to-back runs did), and break no gate; a shift that every second
// shows is worse, and breaks it.
func TestCompareWithinNoise(t *testing.T) {
	gates, err := ParseGates("p99>+10%,throughput<-5%")
	if err != nil {
		t.Fatal(err)
	}
	a, b := noisyRun(t, 0.010, 500, 0.0100, 1), noisyRun(t, 0.010, 500, 0.0124, 2)
	ds := Compare(a, b)
	p99 := find(t, ds, "p99")
	if !p99.WithinNoise() || p99.Worse || !strings.Contains(p99.Noise, "p=") {
		t.Errorf("p99 +24%% over overlapping seconds: %+v; want within noise", p99)
	}
	if f := Failed(gates, ds); len(f) != 0 {
		t.Errorf("gates failed on noise: %v", f)
	}
	slow := noisyRun(t, 0.015, 440, 0.0150, 2)
	ds = Compare(a, slow)
	if p99 := find(t, ds, "p99"); p99.WithinNoise() || !p99.Worse {
		t.Errorf("p99 +50%% in every second: %+v; want worse", p99)
	}
	if thr := find(t, ds, "throughput"); thr.WithinNoise() || !thr.Worse {
		t.Errorf("throughput -12%% in every second: %+v; want worse", thr)
	}
	if f := Failed(gates, ds); len(f) != 2 {
		t.Errorf("gates failed: %v; want both", f)
	}
	// max is one request: never better or worse.
	if m := find(t, ds, "max"); m.Better || m.Worse {
		t.Errorf("max %+v", m)
	}
}

// TestCompareNoiseFromHistograms: without per-second values (p999), the
// runs' histograms decide: the same distribution's p999 moved by a few
// samples is within noise; a shifted distribution is not.
func TestCompareNoiseFromHistograms(t *testing.T) {
	mk := func(shift int64, tail int64) *File {
		f := fixture(t)
		h := metrics.NewLatencyHistogram()
		for i := int64(0); i < 2000; i++ {
			_ = h.RecordValue(1000 + shift + i%1000)
		}
		for i := int64(0); i < 5; i++ {
			_ = h.RecordValue(50000 + tail) // five slow requests set p999
		}
		if err := f.EncodeHistogram(h); err != nil {
			t.Fatal(err)
		}
		q := func(p float64) float64 { return float64(h.ValueAtQuantile(p)) / 1e6 }
		f.Latency.P50, f.Latency.P90, f.Latency.P95, f.Latency.P99, f.Latency.P999 = q(50), q(90), q(95), q(99), q(99.9)
		f.Latency.Mean = h.Mean() / 1e6
		f.Timeline = nil // no per-second values: the histograms decide
		return f
	}
	a, b := mk(0, 0), mk(0, 30000)
	if d := find(t, Compare(a, b), "p999"); !d.WithinNoise() || !strings.Contains(d.Noise, "intervals") {
		t.Errorf("p999 from two slow requests: %+v; want within noise", d)
	}
	if d := find(t, Compare(a, mk(5000, 0)), "p90"); d.WithinNoise() || !d.Worse {
		t.Errorf("p90 of a distribution shifted by 5ms: %+v; want worse", d)
	}
}

func find(t *testing.T, ds []Delta, name string) Delta {
	t.Helper()
	for _, d := range ds {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no %s in %v", name, ds)
	return Delta{}
}

func TestMannWhitney(t *testing.T) {
	same := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	if p := mannWhitneyP(same, same); p < 0.9 {
		t.Errorf("identical samples: p=%v", p)
	}
	if p := mannWhitneyP([]float64{1, 2, 3, 4, 5, 6, 7, 8}, []float64{11, 12, 13, 14, 15, 16, 17, 18}); p > 0.001 {
		t.Errorf("separated samples: p=%v", p)
	}
	// By hand: R1 = 1+2+3.5+5.5+7.5 = 19.5, U = 4.5 against a mean of
	// 12.5; three pairs of ties, so sd = sqrt(25/12*(11-18/90)) = 4.743;
	// z = (8-0.5)/4.743 = 1.581, p = erfc(z/sqrt 2) = 0.1138.
	if p := mannWhitneyP([]float64{1, 2, 3, 4, 5}, []float64{3, 4, 5, 6, 7}); math.Abs(p-0.1138) > 0.001 {
		t.Errorf("p=%v; want 0.1138", p)
	}
	if p := mannWhitneyP([]float64{2, 2, 2, 2, 2}, []float64{2, 2, 2, 2, 2}); p != 1 {
		t.Errorf("all tied: p=%v", p)
	}
}
