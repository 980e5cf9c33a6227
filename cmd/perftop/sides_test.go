package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perftop/perftop/internal/sources/promtest"
)

var sidesKeys = []string{"host_cpu_percent", "host_memory_percent", "net_rx_bytes_per_second", "server_rps", "server_error_ratio", "server_p99",
	"server_host_cpu_percent", "server_host_memory_percent"}

// TestRunRecordsBothSides: a run with --prom and --node keeps, for every
// second, the host's side and the service's side (its metrics, its host's
// CPU and memory from a real node_exporter) beside the client's numbers,
// in the results file and the summary.
func TestRunRecordsBothSides(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer target.Close()
	svc := service(t)
	ne := promtest.StartNodeExporter(t)
	out := filepath.Join(t.TempDir(), "r.json")
	cmd := exec.Command(binary(t), "run", "--headless", "-r", "50", "-d", "4s", "--interval", "500ms", "--prom", svc, "--node", ne.MetricsURL, "-o", out, target.URL+"/")
	cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+t.TempDir())
	summary, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, summary)
	}
	for _, want := range []string{"server      ", "req/s avg", "p99 ", "(its own metrics)", "host        cpu "} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Timeline []map[string]any `json:"timeline"`
	}
	if err := json.Unmarshal(raw, &f); err != nil || len(f.Timeline) < 3 {
		t.Fatalf("%v: %d points", err, len(f.Timeline))
	}
	with := map[string]int{}
	for _, p := range f.Timeline {
		for _, k := range sidesKeys {
			if _, ok := p[k]; ok {
				with[k]++
			}
		}
	}
	for _, k := range sidesKeys {
		if with[k] < len(f.Timeline)/2 {
			t.Errorf("%s in %d of %d seconds", k, with[k], len(f.Timeline))
		}
	}
}
