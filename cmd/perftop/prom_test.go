package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/perftop/perftop/internal/sources/promtest"
)

func TestPromUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"query without server", []string{"snapshot", "--query", "up"}, "--query needs --prom-server"},
		{"server without query", []string{"snapshot", "--prom-server", "http://127.0.0.1:9090"}, "--prom-server needs at least one --query"},
		{"bad target", []string{"snapshot", "--prom", "localhost:9100/metrics"}, "--prom: invalid URL"},
		{"bad server", []string{"snapshot", "--prom-server", "ftp://x", "--query", "up"}, "--prom-server: invalid URL"},
		{"missing token", []string{"snapshot", "--prom", "http://127.0.0.1:1/metrics", "--prom-bearer-token-file", filepath.Join(dir, "nope")}, "--prom-bearer-token-file: open"},
		{"bad body limit", []string{"snapshot", "--prom-body-limit", "10zz"}, "want a size such as 10MiB"},
		{"zero body limit", []string{"snapshot", "--query-body-limit", "0"}, "want a size such as 10MiB"},
		{"no series", []string{"snapshot", "--query-max-series", "0"}, "--query-max-series want 1 or more"},
		{"empty query", []string{"snapshot", "--prom-server", "http://127.0.0.1:9090", "--query", "p99="}, `--query "p99="`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// service is a loopback target exposing RED metrics that move: each scrape
// sees 100 more requests, 5 of them failed, all between 10 and 100ms.
func service(t *testing.T) string {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := n.Add(1)
		fmt.Fprintf(w, `# TYPE http_requests_total counter
http_requests_total{code="200",handler="/api"} %d
http_requests_total{code="500",handler="/api"} %d
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.01"} 0
http_request_duration_seconds_bucket{le="0.1"} %d
http_request_duration_seconds_bucket{le="+Inf"} %d
http_request_duration_seconds_sum 1
http_request_duration_seconds_count %d
`, 95*k, 5*k, 100*k, 100*k, 100*k)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/metrics"
}

// TestSnapshotProm scrapes a RED service, a real node_exporter and a dead
// port, and asks a real Prometheus a query, in one snapshot.
func TestSnapshotProm(t *testing.T) {
	svc := service(t)
	ne := promtest.StartNodeExporter(t)
	p := promtest.StartPrometheus(t, ne.MetricsURL)
	p.WaitUp(t, "")
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + l.Addr().String() + "/metrics"
	l.Close()

	code, stdout, stderr := runCLI(t, nil, "snapshot", "--json", "--interval", "200ms",
		"--prom", svc, "--prom", ne.MetricsURL, "--prom", dead,
		"--prom-server", p.URL, "--query", "targets up=up", "--query", "broken=rate(")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		CPU  map[string]any `json:"cpu"`
		Prom []struct {
			URL    string  `json:"url"`
			Up     bool    `json:"up"`
			Series int     `json:"series"`
			Error  string  `json:"last_error"`
			Scrape float64 `json:"scrape_duration_seconds"`
			RED    struct {
				RequestRate float64            `json:"request_rate"`
				ErrorRatio  float64            `json:"error_ratio"`
				Latency     map[string]float64 `json:"latency_seconds"`
				InFlight    float64            `json:"in_flight"`
			} `json:"red"`
		} `json:"prom"`
		Queries []struct {
			Title  string `json:"title"`
			Error  string `json:"error"`
			Series []struct {
				Value any `json:"value"`
			} `json:"series"`
		} `json:"queries"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if doc.CPU == nil || len(doc.Prom) != 3 || len(doc.Queries) != 2 {
		t.Fatalf("snapshot: %s", stdout)
	}
	s := doc.Prom[0]
	if !s.Up || s.RED.RequestRate <= 0 || s.RED.ErrorRatio < 0.049 || s.RED.ErrorRatio > 0.051 || s.RED.Latency["p99"] <= 0.01 || s.RED.Latency["p99"] > 0.1 {
		t.Errorf("service: %+v", s)
	}
	if n := doc.Prom[1]; !n.Up || n.Series < 100 || n.Scrape <= 0 {
		t.Errorf("node_exporter: %+v", n)
	}
	if d := doc.Prom[2]; d.Up || d.Error != "connection refused" {
		t.Errorf("dead target: %+v", d)
	}
	if q := doc.Queries[0]; q.Title != "targets up" || q.Error != "" || len(q.Series) != 1 {
		t.Errorf("query up: %+v", q)
	}
	if q := doc.Queries[1]; !strings.Contains(q.Error, "parse error") {
		t.Errorf("broken query: %+v", q)
	}
}

// TestPromScreenInTerminal shows a scraped service's RED numbers and a dead
// target's error in the real binary's Prometheus screen.
func TestPromScreenInTerminal(t *testing.T) {
	svc := service(t)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + l.Addr().String() + "/metrics"
	l.Close()
	tm := newTerm(t, 140, 40, []string{"TERM=xterm-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()},
		binary(t)+" --interval 200ms --prom "+svc+" --prom "+dead)
	tm.waitText("7 Prometheus")
	tm.keys("7")
	s := tm.waitText("errors     5.0%") // the second scrape: rates
	for _, want := range []string{"up ", "http_requests_total", "http_request_duration_seconds", "By handler", "/api"} {
		if !strings.Contains(s, want) {
			t.Errorf("Prometheus screen lacks %q:\n%s", want, s)
		}
	}
	// The metric browser: filter to the request counter, open its chart.
	tm.keys("/")
	tm.keys("-l", "http_requests_total")
	tm.keys("Enter")
	tm.waitText("1 of 2 match /http_requests_total")
	tm.keys("Enter")
	tm.waitFor("the chart of http_requests_total", func(s string) bool {
		return regexp.MustCompile(`sum of rates /s [1-9]`).MatchString(s) // about 500 a second
	})
	// space pins it to the overview.
	tm.keys("Space")
	tm.keys("1")
	tm.waitText("╭─ http_requests_total")
	tm.keys("7")
	tm.keys("Escape")
	tm.waitText("By handler")
	tm.keys("]")
	tm.waitText("down: connection refused")
	tm.keys("q")
	tm.waitText("perftop-exit=0")
}

// TestSnapshotPromAuth: the bearer token comes from its file, reaches the
// target, and never reaches the output.
func TestSnapshotPromAuth(t *testing.T) {
	const token = "s3cret-t0ken"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, "# TYPE go_goroutines gauge\ngo_goroutines 7\n")
	}))
	defer srv.Close()
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good"), filepath.Join(dir, "bad")
	writeFile(t, good, token+"\n")
	writeFile(t, bad, "wrong\n")
	code, stdout, stderr := runCLI(t, nil, "snapshot", "--json", "--interval", "100ms", "--prom", srv.URL+"/metrics", "--prom-bearer-token-file", good)
	if code != exitOK || !strings.Contains(stdout, `"go_goroutines": 7`) || strings.Contains(stdout+stderr, token) {
		t.Fatalf("with the token: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, nil, "snapshot", "--json", "--interval", "100ms", "--prom", srv.URL+"/metrics", "--prom-bearer-token-file", bad)
	if code != exitOK || !strings.Contains(stdout, "401 unauthorized: check the bearer token") || strings.Contains(stdout, "wrong") {
		t.Fatalf("with a wrong token: exit %d\n%s", code, stdout)
	}
}

// TestPromLimitFlags: --prom-body-limit and --query-body-limit move the
// limits: a 2 MiB exposition is scraped under the default and refused,
// with the limit named, under 1MiB; a PromQL answer likewise under 1KiB.
func TestPromLimitFlags(t *testing.T) {
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintln(w, "# TYPE padding gauge")
		for i := 0; i < 40_000; i++ {
			fmt.Fprintf(w, "padding{i=\"%08d\",pad=\"%s\"} 1\n", i, strings.Repeat("x", 20))
		}
	}))
	t.Cleanup(big.Close)
	answer := `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"` + strings.Repeat("j", 2000) + `"},"values":[[1,"1"]]}]}}`
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, answer)
	}))
	t.Cleanup(server.Close)
	type doc struct {
		Prom []struct {
			Up     bool   `json:"up"`
			Series int    `json:"series"`
			Error  string `json:"last_error"`
		} `json:"prom"`
		Queries []struct {
			Error string `json:"error"`
		} `json:"queries"`
	}
	snap := func(args ...string) doc {
		t.Helper()
		args = append([]string{"snapshot", "--json", "--interval", "2s", "--prom", big.URL + "/metrics",
			"--prom-server", server.URL, "--query", "j=up"}, args...)
		code, stdout, stderr := runCLI(t, nil, args...)
		var d doc
		if code != exitOK || json.Unmarshal([]byte(stdout), &d) != nil || len(d.Prom) != 1 || len(d.Queries) != 1 {
			t.Fatalf("%v: exit %d: %s\n%s", args, code, stderr, stdout)
		}
		return d
	}
	if d := snap(); !d.Prom[0].Up || d.Prom[0].Series != 40_000 || d.Queries[0].Error != "" {
		t.Errorf("default limits: %+v", d)
	}
	d := snap("--prom-body-limit", "1MiB", "--query-body-limit", "1KiB")
	if d.Prom[0].Up || !strings.Contains(d.Prom[0].Error, "larger than 1 MiB limit") {
		t.Errorf("--prom-body-limit 1MiB: %+v", d.Prom[0])
	}
	if !strings.Contains(d.Queries[0].Error, "limit") {
		t.Errorf("--query-body-limit 1KiB: %+v", d.Queries[0])
	}
}
