package promql

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePanel(t *testing.T) {
	tests := []struct {
		in      string
		want    Panel
		wantErr string
	}{
		{in: "up", want: Panel{Title: "up", Expr: "up"}},
		{in: `rate(x{a="b"}[1m])`, want: Panel{Title: `rate(x{a="b"}[1m])`, Expr: `rate(x{a="b"}[1m])`}},
		{in: `p99=histogram_quantile(0.99, sum by (le) (rate(h_bucket[1m])))`, want: Panel{Title: "p99", Expr: `histogram_quantile(0.99, sum by (le) (rate(h_bucket[1m])))`}},
		{in: "up == 1", want: Panel{Title: "up == 1", Expr: "up == 1"}},
		{in: "up==1", want: Panel{Title: "up==1", Expr: "up==1"}},
		{in: "up != 1", want: Panel{Title: "up != 1", Expr: "up != 1"}},
		{in: "up >= 1", want: Panel{Title: "up >= 1", Expr: "up >= 1"}},
		{in: "up <= 1", want: Panel{Title: "up <= 1", Expr: "up <= 1"}},
		{in: `up{job="node"}`, want: Panel{Title: `up{job="node"}`, Expr: `up{job="node"}`}},
		{in: `{__name__=~"node_.*"}`, want: Panel{Title: `{__name__=~"node_.*"}`, Expr: `{__name__=~"node_.*"}`}},
		{in: `sum by (job) (rate(x{a!="b"}[5m]))`, want: Panel{Title: `sum by (job) (rate(x{a!="b"}[5m]))`, Expr: `sum by (job) (rate(x{a!="b"}[5m]))`}},
		{in: " CPU busy = 100 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[1m])) * 100 ", want: Panel{Title: "CPU busy", Expr: `100 - avg(rate(node_cpu_seconds_total{mode="idle"}[1m])) * 100`}},
		{in: "req/s total=sum(rate(perftop_requests_total[5s]))", want: Panel{Title: "req/s total", Expr: "sum(rate(perftop_requests_total[5s]))"}},
		{in: "a.b-c_d=up", want: Panel{Title: "a.b-c_d", Expr: "up"}},
		{in: "débit=up", want: Panel{Title: "débit", Expr: "up"}},
		{in: "title==up", want: Panel{Title: "title==up", Expr: "title==up"}},
		{in: "a= =1", want: Panel{Title: "a= =1", Expr: "a= =1"}},
		{in: "", wantErr: "empty query"},
		{in: "   ", wantErr: "empty query"},
		{in: "=up", wantErr: "empty title"},
		{in: "p99=", wantErr: "empty query after the title"},
		{in: "p99=  ", wantErr: "empty query after the title"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePanel(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePanel(%q) = %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePanel(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParsePanel(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			back, err := ParsePanel(got.String())
			if err != nil || back != got {
				t.Errorf("ParsePanel(%q.String() = %q) = %+v, %v; want it back", tt.in, got.String(), back, err)
			}
		})
	}
}

func TestParsePanelEmptyIsSentinel(t *testing.T) {
	for _, in := range []string{"", "t="} {
		if _, err := ParsePanel(in); !errors.Is(err, ErrEmptyQuery) {
			t.Errorf("ParsePanel(%q) error = %v, want ErrEmptyQuery", in, err)
		}
	}
}

// FuzzParsePanel checks ParsePanel's contract on any input: a panel with a
// trimmed, non-empty expression and title, that survives a round trip.
func FuzzParsePanel(f *testing.F) {
	for _, s := range []string{"up", "p99=rate(x[1m])", "up == 1", `x{a="b"}`, "=", "a=b=c", " t = e "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePanel(s)
		if err != nil {
			return
		}
		if p.Expr == "" || p.Title == "" || strings.TrimSpace(p.Expr) != p.Expr || strings.TrimSpace(p.Title) != p.Title {
			t.Fatalf("ParsePanel(%q) = %+v: want trimmed, non-empty title and expression", s, p)
		}
		if !strings.Contains(s, p.Expr) {
			t.Fatalf("ParsePanel(%q) = %+v: expression not from the input", s, p)
		}
		back, err := ParsePanel(p.String())
		if err != nil || back != p {
			t.Fatalf("round trip of %+v via %q = %+v, %v", p, p.String(), back, err)
		}
	})
}
