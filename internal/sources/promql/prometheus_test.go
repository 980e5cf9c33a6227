package promql

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/promtest"
)

// manySeries is the number of series the test target exposes, more than
// DefaultMaxSeries, each with its own index as value.
const manySeries = 15

// seriesTarget serves promql_test_series{i="00"} 0 … {i="14"} 14.
func seriesTarget(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintln(w, "# TYPE promql_test_series gauge")
		for i := range manySeries {
			fmt.Fprintf(w, "promql_test_series{i=\"%02d\"} %d\n", i, i)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAgainstPrometheus queries a real Prometheus server that scrapes a
// real node_exporter and a target with many series.
func TestAgainstPrometheus(t *testing.T) {
	t.Parallel()
	ne := promtest.StartNodeExporter(t)
	many := seriesTarget(t)
	prom := promtest.StartPrometheusConfig(t, promtest.Config{Targets: []promtest.Target{
		{URL: ne.MetricsURL, Job: "node"},
		{URL: many.URL + "/metrics", Job: "many"},
	}})
	prom.WaitUp(t, "")

	t.Run("source", func(t *testing.T) { testSource(t, prom.URL) })
	t.Run("snapshot", func(t *testing.T) { testSnapshot(t, prom.URL) })
}

// testSource runs a Source with working panels, a broken one and a capped
// one: the broken panel shows the server's parse error, the others work.
func testSource(t *testing.T, server string) {
	panels := []Panel{
		{Title: "up", Expr: "up"},
		{Title: "broken", Expr: "rate(node_cpu_seconds_total[10s]"},
		{Title: "cpu", Expr: `rate(node_cpu_seconds_total{job="node"}[10s])`},
		{Title: "many", Expr: "promql_test_series"},
	}
	src, err := New(Options{ClientOptions: ClientOptions{Server: server}, Panels: panels, Window: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	st := metrics.NewStore(10)
	start(t, src, st)
	res, h := waitFor(t, st, src, "results of every panel", func(res []metrics.PromQLResult, h metrics.Health) bool {
		return h.Up && len(res[0].Series) == 2 && len(res[2].Series) > 0 && len(res[3].Series) > 0
	})
	if !h.Up || h.LastError != "" || h.LastSuccess.IsZero() || !h.NextRetry.IsZero() {
		t.Errorf("health = %+v, want up", h)
	}
	for i, r := range res {
		if (Panel{Title: r.Title, Expr: r.Expr}) != panels[i] {
			t.Errorf("result %d is of panel %q %q, want %+v", i, r.Title, r.Expr, panels[i])
		}
	}

	up := res[0]
	for _, s := range up.Series {
		if p, ok := s.Last(); !ok || p.V != 1 || !strings.HasPrefix(s.Labels, "up{instance=") {
			t.Errorf("up series %s: last %v, want 1", s.Labels, p)
		}
	}
	if up.Err != "" || up.Hidden != 0 || up.At.IsZero() {
		t.Errorf("up result = %+v", up)
	}

	broken := res[1]
	if !strings.Contains(broken.Err, "parse error") || len(broken.Series) != 0 {
		t.Errorf("broken panel: err %q, %d series; want the server's parse error", broken.Err, len(broken.Series))
	}

	cpu := res[2]
	if cpu.Err != "" || len(cpu.Series) > DefaultMaxSeries {
		t.Errorf("cpu panel: err %q, %d series; want at most %d", cpu.Err, len(cpu.Series), DefaultMaxSeries)
	}
	for _, s := range cpu.Series {
		if s.Metric["mode"] == "" || len(s.Points) == 0 {
			t.Errorf("cpu series %s: %d points, want a mode and points", s.Labels, len(s.Points))
		}
		for _, p := range s.Points {
			if p.V < 0 || p.T.Sub(p.T.Truncate(time.Second)) != 0 {
				t.Errorf("cpu series %s: point %v, want a non-negative rate on a whole second", s.Labels, p)
			}
		}
	}

	capped := res[3]
	if len(capped.Series) != DefaultMaxSeries || capped.Hidden != manySeries-DefaultMaxSeries {
		t.Fatalf("capped panel: %d series, %d hidden; want %d and %d", len(capped.Series), capped.Hidden, DefaultMaxSeries, manySeries-DefaultMaxSeries)
	}
	for k, s := range capped.Series {
		// The highest values (5..14) are kept, in label order.
		if want := fmt.Sprintf("%02d", k+manySeries-DefaultMaxSeries); s.Metric["i"] != want {
			t.Errorf("capped series %d = %s, want i=%s", k, s.Labels, want)
		}
	}
}

// testSnapshot runs the one-shot instant queries of `perftop snapshot`.
func testSnapshot(t *testing.T, server string) {
	c, err := NewClient(ClientOptions{Server: server})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	panels := []Panel{
		{Title: "up", Expr: `up{job="many"}`},
		{Title: "broken", Expr: "sum(("},
		{Title: "sum", Expr: "sum(promql_test_series)"},
		{Title: "one", Expr: `promql_test_series{i="03"}`},
		{Title: "scalar", Expr: "1+1"},
		{Title: "nan", Expr: "0/0"},
		{Title: "range", Expr: `up{job="many"}[1m]`},
		{Title: "none", Expr: "absent_metric_for_promql_test"},
	}
	snaps, err := Query(context.Background(), c, panels, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	value := func(i int) float64 {
		t.Helper()
		if snaps[i].Error != "" || len(snaps[i].Series) != 1 {
			t.Fatalf("%s: %+v, want one series", panels[i].Title, snaps[i])
		}
		return float64(snaps[i].Series[0].Value)
	}
	if got := value(0); got != 1 || snaps[0].Series[0].Labels["job"] != "many" || snaps[0].Series[0].Time.IsZero() {
		t.Errorf("up = %+v, want 1 with job many", snaps[0].Series[0])
	}
	if !strings.Contains(snaps[1].Error, "parse error") {
		t.Errorf("broken: error %q, want the server's parse error", snaps[1].Error)
	}
	if got, want := value(2), float64(manySeries*(manySeries-1)/2); got != want {
		t.Errorf("sum = %v, want %v", got, want)
	}
	one := snaps[3].Series
	if got := value(3); got != 3 || one[0].Name != `promql_test_series{i="03",instance="`+one[0].Labels["instance"]+`",job="many"}` {
		t.Errorf("one = %+v", snaps[3].Series[0])
	}
	if got := value(4); got != 2 || snaps[4].Series[0].Name != "{}" {
		t.Errorf("scalar = %+v, want 2 without labels", snaps[4].Series[0])
	}
	if got := value(5); !math.IsNaN(got) {
		t.Errorf("0/0 = %v, want NaN", got)
	}
	if got := value(6); got != 1 {
		t.Errorf("range selector = %v, want its newest value 1", got)
	}
	if snaps[7].Error != "" || len(snaps[7].Series) != 0 {
		t.Errorf("no series: %+v, want none and no error", snaps[7])
	}
	b, err := json.Marshal(snaps)
	if err != nil {
		t.Fatalf("snapshots do not encode: %v", err)
	}
	for _, want := range []string{`"title":"nan"`, `"value":"NaN"`, `"series":[]`, `"name":"{}","labels":{},"value":2`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
}
