package results

import (
	"strings"
	"testing"
)

func TestParseSLOs(t *testing.T) {
	got, err := ParseSLOs("p99<200ms, p50<=50ms,error_rate<1%,throughput>500, mean>=1µs,error_rate<0.05")
	if err != nil {
		t.Fatal(err)
	}
	want := []SLO{
		{"", "p99", "<", 0.2, "p99<200ms"}, {"", "p50", "<=", 0.05, "p50<=50ms"}, {"", "error_rate", "<", 0.01, "error_rate<1%"},
		{"", "throughput", ">", 500, "throughput>500"}, {"", "mean", ">=", 1e-6, "mean>=1µs"}, {"", "error_rate", "<", 0.05, "error_rate<0.05"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("term %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	bad := []struct{ in, want string }{
		{"", "no SLO"},
		{"p99", `SLO "p99": want METRIC<VALUE`},
		{"<200ms", `want METRIC<VALUE`},
		{"p98<200ms", `unknown metric "p98"`},
		{"p99<fast", `p99 needs a duration such as 200ms, got "fast"`},
		{"p99<200ms,error_rate<150%", `SLO "error_rate<150%": error_rate needs a percentage`},
		{"throughput>lots", "throughput needs requests per second"},
	}
	for _, tt := range bad {
		_, err := ParseSLOs(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSLOs(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestJudge(t *testing.T) {
	slos, _ := ParseSLOs("p99<200ms,error_rate<1%,throughput>=500")
	tests := []struct {
		name string
		m    Measured
		met  []bool
	}{
		{"all met", Measured{Latency: map[string]float64{"p99": 0.15}, ErrorRate: 0.001, Throughput: 500}, []bool{true, true, true}},
		{"slow", Measured{Latency: map[string]float64{"p99": 0.2}, ErrorRate: 0, Throughput: 800}, []bool{false, true, true}},
		{"failing and slow to send", Measured{Latency: map[string]float64{"p99": 0.01}, ErrorRate: 0.02, Throughput: 499}, []bool{true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := Judge(slos, tt.m)
			all := true
			for i, v := range vs {
				if v.Met != tt.met[i] {
					t.Errorf("%s: met %v, want %v (value %v)", v.Text, v.Met, tt.met[i], v.Value)
				}
				all = all && tt.met[i]
			}
			if AllMet(vs) != all {
				t.Errorf("AllMet = %v", AllMet(vs))
			}
		})
	}
}

func FuzzParseSLOs(f *testing.F) {
	f.Add("p99<200ms,error_rate<1%")
	f.Fuzz(func(t *testing.T, s string) {
		slos, err := ParseSLOs(s)
		if err == nil && len(slos) == 0 {
			t.Fatal("no SLOs and no error")
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
	})
}
