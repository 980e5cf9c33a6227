package prom

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"go.uber.org/goleak"

	"github.com/perftop/perftop/internal/metrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// parse reads a text exposition into families, as a scrape would.
func parse(t testing.TB, text string) []*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	m, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*dto.MetricFamily, 0, len(m))
	for _, f := range m {
		out = append(out, f)
	}
	return out
}

// exposition renders a service's metrics after n requests per handler.
func exposition(ok, fail, users int, inFlight int, cpu float64, le [4]int) string {
	return fmt.Sprintf(`# TYPE http_requests_total counter
http_requests_total{code="200",handler="/api"} %d
http_requests_total{code="500",handler="/api"} %d
http_requests_total{code="200",handler="/users"} %d
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.01"} %d
http_request_duration_seconds_bucket{le="0.1"} %d
http_request_duration_seconds_bucket{le="1"} %d
http_request_duration_seconds_bucket{le="+Inf"} %d
http_request_duration_seconds_sum 1
http_request_duration_seconds_count %d
# TYPE http_requests_in_flight gauge
http_requests_in_flight %d
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total %g
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1.5e+07
# TYPE go_goroutines gauge
go_goroutines 42
`, ok, fail, users, le[0], le[1], le[2], le[3], le[3], inFlight, cpu)
}

func TestDeriveRED(t *testing.T) {
	d := newDeriver(Config{})
	red, _ := d.derive(t0, parse(t, exposition(100, 10, 50, 3, 1.0, [4]int{100, 150, 160, 160})))
	if !red.HasRequests || red.RequestRate != 0 || red.InFlight != 3 || red.RSSBytes != 1.5e7 || red.Goroutines != 42 {
		t.Fatalf("first scrape: levels only, no rates: %+v", red)
	}
	// One second later: 90 OK and 10 failed /api requests, 100 /users;
	// latencies: 100 under 10ms, 50 more under 100ms, 50 more under 1s.
	red, rows := d.derive(t0.Add(time.Second), parse(t, exposition(190, 20, 150, 5, 1.25, [4]int{200, 300, 360, 360})))
	check := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("request rate", red.RequestRate, 200)
	check("error ratio", red.ErrorRatio, 0.05)
	check("in flight", red.InFlight, 5)
	check("cpu percent", red.CPUPercent, 25)
	check("p50", red.Latency.P50, 0.01)        // rank 100 of 200: the top of the first bucket
	check("p90", red.Latency.P90, 0.1+0.9*0.6) // rank 180: 30 of 50 into (0.1, 1]
	check("p99", red.Latency.P99, 0.1+0.9*(48.0/50))
	if red.RequestMetric != "http_requests_total" || red.LatencyMetric != "http_request_duration_seconds" || red.InFlightMetric != "http_requests_in_flight" {
		t.Errorf("detected %q %q %q", red.RequestMetric, red.LatencyMetric, red.InFlightMetric)
	}
	if len(rows) != 2 || rows[0].Value != "/api" || rows[0].Rate != 100 || rows[0].ErrorRatio != 0.1 || rows[1].Value != "/users" || rows[1].ErrorRatio != 0 {
		t.Errorf("breakdown %+v", rows)
	}

	// The target restarts: counters start again from zero. Rates count
	// what was counted since, never a negative spike.
	red, _ = d.derive(t0.Add(2*time.Second), parse(t, exposition(40, 0, 10, 1, 0.1, [4]int{50, 50, 50, 50})))
	check("rate after a reset", red.RequestRate, 50)
	check("cpu after a reset", red.CPUPercent, 10)
	if red.RequestRate < 0 || red.Latency.P50 < 0 {
		t.Errorf("negative after reset: %+v", red)
	}
}

func TestDeriveConfigured(t *testing.T) {
	text := `# TYPE app_calls counter
app_calls{status="503",route="/a",env="prod"} 10
app_calls{status="200",route="/a",env="prod"} 10
app_calls{status="200",route="/a",env="dev"} 10
`
	d := newDeriver(Config{RequestMetric: "app_calls", StatusLabel: "status", Match: map[string]string{"env": "prod"}, GroupBy: "route"})
	d.derive(t0, parse(t, text))
	red, rows := d.derive(t0.Add(time.Second), parse(t, strings.ReplaceAll(text, "} 10", "} 20")))
	if red.RequestRate != 20 || red.ErrorRatio != 0.5 || len(rows) != 1 || rows[0].Label != "route" {
		t.Fatalf("red %+v rows %+v", red, rows)
	}
}

func TestDeriveNothingToDetect(t *testing.T) {
	d := newDeriver(Config{})
	fams := parse(t, `# TYPE node_load1 gauge
node_load1 0.5
# TYPE node_disk_flush_requests_total counter
node_disk_flush_requests_total{device="vda"} 3
# TYPE promhttp_metric_handler_requests_total counter
promhttp_metric_handler_requests_total{code="200"} 7
# TYPE promhttp_metric_handler_requests_in_flight gauge
promhttp_metric_handler_requests_in_flight 1
`)
	d.derive(t0, fams)
	red, rows := d.derive(t0.Add(time.Second), fams)
	if red.HasRequests || red.HasLatency || red.HasInFlight || len(rows) != 0 {
		t.Fatalf("found RED in a node exporter: %+v", red)
	}
}

func serve(t *testing.T, h http.HandlerFunc) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFetchErrors(t *testing.T) {
	lim := limits{body: 1024, series: 5, labels: DefaultLabelLimit, timeout: 200 * time.Millisecond}
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "http://" + closed.Addr().String() + "/metrics"
	closed.Close()
	slowDone := make(chan struct{})
	defer close(slowDone)
	tests := []struct {
		name string
		url  string
		want string
	}{
		{"refused", closedURL, "connection refused"},
		{"html", serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><body>login</body></html>")
		}), "not a Prometheus exposition: got text/html"},
		{"unauthorized", serve(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 401) }), "401 unauthorized: check the bearer token"},
		{"server error", serve(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 503) }), "HTTP 503 Service Unavailable"},
		{"garbage", serve(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "# TYPE a counter\na 1\nthis is { not } a metric\n")
		}), "parse error at line 3"},
		{"huge", serve(t, func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < 100; i++ {
				fmt.Fprintf(w, "# HELP m%d %s\n", i, strings.Repeat("x", 100))
			}
		}), "body larger than 1024 bytes limit"},
		{"too many series", serve(t, func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < 10; i++ {
				fmt.Fprintf(w, "m{i=\"%d\"} 1\n", i)
			}
		}), "more than 5 series"},
		{"slow", serve(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-slowDone:
			}
		}), "timeout after 200ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fetch(context.Background(), &http.Client{}, tt.url, lim)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
		})
	}
}

// TestNativeHistogram scrapes a real client_golang registry with a native
// histogram over protobuf, and derives its latency.
func TestNativeHistogram(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "latency", NativeHistogramBucketFactor: 1.1,
	})
	reg.MustRegister(h)
	url := serve(t, promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP)
	lim := limits{body: DefaultBodyLimit, series: DefaultSeriesLimit, labels: DefaultLabelLimit, timeout: 5 * time.Second}
	d := newDeriver(Config{})
	exp, err := fetch(context.Background(), &http.Client{}, url, lim)
	if err != nil {
		t.Fatal(err)
	}
	if exp.Format != "protobuf" {
		t.Fatalf("format %s, want protobuf", exp.Format)
	}
	d.derive(t0, exp.Families)
	for i := 0; i < 1000; i++ {
		h.Observe(0.100) // all at 100ms
	}
	exp, err = fetch(context.Background(), &http.Client{}, url, lim)
	if err != nil {
		t.Fatal(err)
	}
	red, _ := d.derive(t0.Add(time.Second), exp.Families)
	if !red.HasLatency || red.Latency.P50 < 0.09 || red.Latency.P50 > 0.111 || red.RequestRate != 1000 {
		t.Fatalf("native histogram: %+v", red)
	}
}

// TestScraperHealth runs the scraper against a target that goes down and
// comes back: the store says so in words, then recovers.
func TestScraperHealth(t *testing.T) {
	var down atomic.Bool
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "maintenance", 503)
			return
		}
		fmt.Fprint(w, exposition(1, 0, 1, 0, 0, [4]int{1, 1, 1, 1}))
	})
	st := metrics.NewStore(0)
	s := New(Options{URL: url, Interval: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx, st); close(done) }()
	waitFor := func(what string, ok func(*metrics.PromTarget) bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			ch := st.Changed()
			var sn metrics.Snapshot
			st.Snapshot(&sn)
			if pt := sn.Prom[url]; pt != nil && ok(pt) {
				return
			}
			select {
			case <-ch:
			case <-deadline:
				var sn metrics.Snapshot
				st.Snapshot(&sn)
				t.Fatalf("no %s: %+v", what, sn.Prom[url])
			}
		}
	}
	waitFor("up", func(pt *metrics.PromTarget) bool { return pt.Up && pt.Series == 8 && len(pt.Families) == 6 })
	down.Store(true)
	waitFor("down", func(pt *metrics.PromTarget) bool {
		return !pt.Up && pt.Error == "HTTP 503 Service Unavailable" && !pt.NextRetry.IsZero() && len(pt.Families) == 6
	})
	down.Store(false)
	waitFor("recovery", func(pt *metrics.PromTarget) bool { return pt.Up })
	cancel()
	<-done
}

func TestBackoff(t *testing.T) {
	for failures, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 10: 30 * time.Second} {
		got := backoff(time.Second, 30*time.Second, failures)
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("backoff after %d failures = %v, want %v ±20%%", failures, got, want)
		}
	}
}

// FuzzScrapeDerive feeds malformed expositions through the guarded parser
// and the derivation: errors are fine, panics and NaN or negative rates are
// not.
func FuzzScrapeDerive(f *testing.F) {
	f.Add(exposition(1, 2, 3, 4, 5, [4]int{1, 2, 3, 4}), exposition(0, 0, 0, 0, 0, [4]int{4, 3, 2, 1}))
	f.Add("a 1\n", "a NaN\n")
	f.Add("# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 9\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		d := newDeriver(Config{})
		for i, text := range []string{a, b} {
			exp, err := readExposition(strings.NewReader(text), expfmt.NewFormat(expfmt.TypeTextPlain), -1, fuzzLimits)
			if err != nil {
				checkPrintable(t, "error", err.Error())
				continue
			}
			fams := exp.Families
			red, _ := d.derive(t0.Add(time.Duration(i)*time.Second), fams)
			for _, v := range []float64{red.RequestRate, red.ErrorRatio, red.Latency.P50, red.Latency.P99} {
				if v < 0 && !math.IsNaN(v) {
					// Counter rates of valid input are never negative;
					// gauges and garbage values may be anything.
					if red.RequestRate < 0 && !hasNegative(fams) {
						t.Fatalf("negative rate %v", red.RequestRate)
					}
				}
			}
		}
	})
}

func hasNegative(fams []*dto.MetricFamily) bool {
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			if value(m) < 0 || math.IsNaN(value(m)) {
				return true
			}
		}
	}
	return false
}

func TestWatchFamily(t *testing.T) {
	tests := []struct {
		family string
		kind   string
		value  float64
		p99    float64
	}{
		{"http_requests_total", "rate", 200, 0},
		{"http_requests_in_flight", "value", 5, 0},
		{"http_request_duration_seconds", "quantiles", 0, 0.1 + 0.9*(48.0/50)},
	}
	for _, tt := range tests {
		t.Run(tt.family, func(t *testing.T) {
			d := newDeriver(Config{})
			d.watch = []string{tt.family}
			d.derive(t0, parse(t, exposition(100, 10, 50, 3, 1.0, [4]int{100, 150, 160, 160})))
			d.derive(t0.Add(time.Second), parse(t, exposition(190, 20, 150, 5, 1.25, [4]int{200, 300, 360, 360})))
			w := d.watched[tt.family]
			if w.kind != tt.kind || math.Abs(w.value-tt.value) > 1e-9 || math.Abs(w.p99-tt.p99) > 1e-9 {
				t.Fatalf("watched %+v, want kind %s value %v p99 %v", w, tt.kind, tt.value, tt.p99)
			}
		})
	}
}

// TestScraperSetInterval: the interval and, unless it was set, the scrape
// timeout follow SetInterval; the interval never goes below the minimum.
func TestScraperSetInterval(t *testing.T) {
	s := New(Options{URL: "http://127.0.0.1:1/metrics", Interval: time.Second})
	if s.Interval() != time.Second || s.timeout() != time.Second {
		t.Fatalf("interval %v, timeout %v; want 1s, 1s", s.Interval(), s.timeout())
	}
	s.SetInterval(30 * time.Second)
	if s.Interval() != 30*time.Second || s.timeout() != DefaultTimeout {
		t.Errorf("after SetInterval(30s): interval %v, timeout %v; want 30s, %v", s.Interval(), s.timeout(), DefaultTimeout)
	}
	s.SetInterval(time.Millisecond)
	if s.Interval() != metrics.MinInterval {
		t.Errorf("after SetInterval(1ms): interval %v, want %v", s.Interval(), metrics.MinInterval)
	}
	fixed := New(Options{URL: "http://127.0.0.1:1/metrics", Interval: time.Second, Timeout: 3 * time.Second})
	fixed.SetInterval(500 * time.Millisecond)
	if fixed.timeout() != 3*time.Second {
		t.Errorf("a set timeout changed with the interval: %v", fixed.timeout())
	}
}
