package results

import (
	"bytes"
	"math"
	"strings"
	"testing"
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
	var text, md bytes.Buffer
	WriteComparison(&text, before, after, Compare(before, after), false, Painter{})
	WriteComparison(&md, before, after, Compare(before, after), true, Painter{})
	golden(t, "compare.txt", text.String())
	golden(t, "compare.md", md.String())
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
