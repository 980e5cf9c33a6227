package promtest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"go.uber.org/goleak"
	"go.yaml.in/yaml/v3"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestPrometheusScrapesNodeExporter starts both binaries, lets Prometheus
// scrape node_exporter, and queries what it scraped.
func TestPrometheusScrapesNodeExporter(t *testing.T) {
	t.Parallel()
	ne := StartNodeExporter(t)
	p := StartPrometheusConfig(t, Config{Targets: []Target{
		{URL: ne.MetricsURL, Job: "node", Labels: map[string]string{"role": "test"}},
	}})
	p.WaitUp(t, `job="node"`)

	got := p.Query(t, `up{job="node"}`)
	if len(got) != 1 {
		t.Fatalf("up{job=\"node\"} = %v, want one series", got)
	}
	s := got[0]
	if s.Metric["instance"] != model.LabelValue(ne.Addr) || s.Metric["role"] != "test" || s.Value != 1 {
		t.Errorf("up series = %v, want instance %s, role test, value 1", s, ne.Addr)
	}
	cpus := p.WaitFor(t, `count(node_cpu_seconds_total{job="node",mode="idle"})`, func(v model.Vector) bool { return len(v) == 1 })
	if cpus[0].Value < 1 {
		t.Errorf("idle CPU series = %v, want at least 1", cpus[0].Value)
	}
}

// TestPrometheusTargets scrapes two plain HTTP targets on their own paths
// in two jobs, given as bare addresses and as URLs.
func TestPrometheusTargets(t *testing.T) {
	t.Parallel()
	target := func(body string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/metrics" && r.URL.Path != "/custom/path" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "text/plain; version=0.0.4")
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	a := target("promtest_value 1\n")
	b := target("promtest_value 2\n")
	p := StartPrometheusConfig(t, Config{Targets: []Target{
		{URL: strings.TrimPrefix(a.URL, "http://")},
		{URL: b.URL + "/custom/path", Job: "other"},
	}})
	p.WaitUp(t, "")
	got := p.WaitFor(t, `sum by (job) (promtest_value)`, func(v model.Vector) bool { return len(v) == 2 })
	want := map[model.LabelValue]model.SampleValue{DefaultJob: 1, "other": 2}
	for _, s := range got {
		if w := want[s.Metric["job"]]; s.Value != w {
			t.Errorf("job %s: got %v, want %v", s.Metric["job"], s.Value, w)
		}
	}
}

func TestConfigYAML(t *testing.T) {
	tests := []struct {
		name    string
		targets []Target
		want    string
	}{
		{
			name:    "one job",
			targets: []Target{{URL: "http://127.0.0.1:1/metrics", Job: "a"}, {URL: "https://127.0.0.1:2/x/y", Job: "a", Labels: map[string]string{"k": "v"}}},
			want: `global:
    scrape_interval: 1s
    scrape_timeout: 1s
    evaluation_interval: 1s
scrape_configs:
    - job_name: a
      static_configs:
        - targets:
            - 127.0.0.1:1
          labels:
            __metrics_path__: /metrics
            __scheme__: http
        - targets:
            - 127.0.0.1:2
          labels:
            __metrics_path__: /x/y
            __scheme__: https
            k: v
`,
		},
		{
			name:    "two jobs",
			targets: []Target{{URL: "http://h:1", Job: "a"}, {URL: "http://h:2/m", Job: "b"}},
			want: `global:
    scrape_interval: 1s
    scrape_timeout: 1s
    evaluation_interval: 1s
scrape_configs:
    - job_name: a
      static_configs:
        - targets:
            - h:1
          labels:
            __metrics_path__: /
            __scheme__: http
    - job_name: b
      static_configs:
        - targets:
            - h:2
          labels:
            __metrics_path__: /m
            __scheme__: http
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := configYAML(tt.targets, DefaultScrapeInterval)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(b); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			var back promConfig
			if err := yaml.Unmarshal(b, &back); err != nil {
				t.Errorf("output does not parse back: %v", err)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in      Target
		want    Target
		wantErr bool
	}{
		{in: Target{URL: "127.0.0.1:9100"}, want: Target{URL: "http://127.0.0.1:9100/metrics", Job: DefaultJob}},
		{in: Target{URL: "http://h:1/m", Job: "j"}, want: Target{URL: "http://h:1/m", Job: "j"}},
		{in: Target{URL: "http://h:1/m?x=1"}, wantErr: true},
		{in: Target{URL: "http://u:p@h:1/m"}, wantErr: true},
		{in: Target{URL: "http:///m"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in.URL, func(t *testing.T) {
			got, err := normalize([]Target{tt.in})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (got[0].URL != tt.want.URL || got[0].Job != tt.want.Job) {
				t.Errorf("got %+v, want %+v", got[0], tt.want)
			}
		})
	}
}

// TestStackComponents starts each tier of the stack with its exporter and
// reads the exporter's word that it reaches its server.
func TestStackComponents(t *testing.T) {
	t.Parallel()
	client := newHTTPClient()
	t.Cleanup(client.CloseIdleConnections)
	body := func(url string) string {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(backend.Close)
	h := StartHAProxy(t, Server{Addr: strings.TrimPrefix(backend.URL, "http://"), Weight: 2})
	if m := body(h.MetricsURL); !strings.Contains(m, `haproxy_server_weight{proxy="be",server="s1"} 2`) {
		t.Errorf("haproxy metrics have no server s1 at weight 2:\n%.2000s\n%s", m, h.Log())
	}
	r := StartRedis(t)
	if m := body(StartRedisExporter(t, r.Addr).MetricsURL); !strings.Contains(m, "\nredis_up 1\n") {
		t.Errorf("redis_exporter does not reach redis:\n%.2000s", m)
	}
	pg := StartPostgres(t)
	if m := body(StartPostgresExporter(t, pg.DSN).MetricsURL); !strings.Contains(m, "\npg_up 1\n") {
		t.Errorf("postgres_exporter does not reach postgres:\n%.2000s\n%s", m, pg.Log())
	}
}
