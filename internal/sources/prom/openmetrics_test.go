package prom

import (
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
)

func omLimits() limits {
	return limits{body: DefaultBodyLimit, series: DefaultSeriesLimit, labels: DefaultLabelLimit}
}

const omSample = `# TYPE req counter
# HELP req Requests.
req_total{code="200"} 10 # {trace_id="abc"} 1 1.7e9
req_created{code="200"} 1.7e9
# TYPE lat_seconds histogram
# UNIT lat_seconds seconds
lat_seconds_bucket{le="0.1"} 3
lat_seconds_bucket{le="1.0"} 5
lat_seconds_bucket{le="+Inf"} 6
lat_seconds_count 6
lat_seconds_sum 2.5
# TYPE q summary
q{quantile="0.5"} 0.2
q{quantile="0.99"} 0.9
q_count 4
q_sum 1
# TYPE build info
build_info{version="1.0"} 1
# TYPE feature stateset
feature{feature="a"} 1
feature{feature="b"} 0
# TYPE queue gaugehistogram
queue_bucket{le="10"} 2
queue_bucket{le="+Inf"} 3
queue_gcount 3
queue_gsum 12
# TYPE temp gauge
temp 21.5
stray 1
# EOF
`

func TestOpenMetricsShapes(t *testing.T) {
	exp, err := readOpenMetrics(strings.NewReader(omSample), omLimits())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*dto.MetricFamily{}
	for _, f := range exp.Families {
		got[f.GetName()] = f
	}
	check := func(name string, typ dto.MetricType, series int) *dto.MetricFamily {
		t.Helper()
		f := got[name]
		if f == nil || f.GetType() != typ || len(f.GetMetric()) != series {
			t.Fatalf("%s: %v; want a %v of %d series (have %v)", name, f, typ, series, exp.Families)
		}
		return f
	}
	if f := check("req_total", dto.MetricType_COUNTER, 1); f.GetHelp() != "Requests." || f.GetMetric()[0].GetCounter().GetValue() != 10 {
		t.Errorf("counter: %v", f)
	}
	h := check("lat_seconds", dto.MetricType_HISTOGRAM, 1)
	if hh := h.GetMetric()[0].GetHistogram(); h.GetUnit() != "seconds" || len(hh.GetBucket()) != 2 || hh.GetSampleCount() != 6 || hh.GetSampleSum() != 2.5 ||
		hh.GetBucket()[1].GetCumulativeCount() != 5 {
		t.Errorf("histogram: %v", h)
	}
	if s := check("q", dto.MetricType_SUMMARY, 1).GetMetric()[0].GetSummary(); len(s.GetQuantile()) != 2 || s.GetSampleCount() != 4 {
		t.Errorf("summary: %v", s)
	}
	check("build_info", dto.MetricType_GAUGE, 1)
	check("feature", dto.MetricType_GAUGE, 2)
	if g := check("queue", dto.MetricType_HISTOGRAM, 1).GetMetric()[0].GetHistogram(); g.GetSampleCount() != 3 || g.GetSampleSum() != 12 {
		t.Errorf("gaugehistogram: %v", g)
	}
	check("temp", dto.MetricType_GAUGE, 1)
	check("stray", dto.MetricType_UNTYPED, 1)
	if got["req_created"] != nil || got["req"] != nil {
		t.Errorf("created or empty families kept: %v", exp.Families)
	}
	if exp.Series != 9 {
		t.Errorf("%d series; want 9", exp.Series)
	}
}

func TestOpenMetricsErrors(t *testing.T) {
	many := "# TYPE g gauge\n"
	for i := 0; i < 20; i++ {
		many += "g{i=\"" + strings.Repeat("x", i+1) + "\"} 1\n"
	}
	many += "# EOF\n"
	wide := "w{" + strings.Repeat(`a="1",`, 0)
	for i := 0; i < 200; i++ {
		wide += "l" + strings.Repeat("a", i%26+1) + string(rune('a'+i%26)) + `="1",`
	}
	wide = strings.TrimSuffix(wide, ",") + "} 1\n# EOF\n"
	lim := omLimits()
	lim.series = 10
	for _, tt := range []struct {
		name, in string
		lim      limits
		want     string
	}{
		{"no EOF", "# TYPE g gauge\ng 1\n", omLimits(), "parse error"},
		{"bad le", "# TYPE h histogram\nh_bucket{le=\"x\"} 1\n# EOF\n", omLimits(), "parse error"},
		{"series limit", many, lim, "more than 10 series"},
		{"label limit", wide, omLimits(), "more than 128 labels"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := readOpenMetrics(strings.NewReader(tt.in), tt.lim); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want %q", err, tt.want)
			}
		})
	}
}

func FuzzOpenMetrics(f *testing.F) {
	f.Add([]byte(omSample))
	f.Add([]byte("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n# EOF\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lim := omLimits()
		lim.body, lim.series = 1<<16, 1000
		exp, err := readOpenMetrics(strings.NewReader(string(data)), lim)
		if err == nil && exp.Series > 1000 {
			t.Fatalf("%d series past the limit", exp.Series)
		}
	})
}
