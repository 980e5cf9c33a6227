package main

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/sources/promtest"
)

// TestFleet: two headless runners, each half of one open-loop test
// (--shard), serve their metrics to a real Prometheus; perftop snapshot
// --fleet asks it and sees the fleet as one test whose rate is what the
// runners' results files say, within 2%, with a row per runner, up.
func TestFleet(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer target.Close()
	addrs := []string{promtest.FreeAddr(t), promtest.FreeAddr(t)}
	prom := promtest.StartPrometheus(t, addrs...)
	dir := t.TempDir()
	type runner struct {
		cmd *exec.Cmd
		out string
	}
	var runners []runner
	for i, addr := range addrs {
		out := filepath.Join(dir, []string{"a", "b"}[i]+".json")
		cmd := exec.Command(binary(t), "run", "--headless", "-r", "400", "-d", "14s", "--shard", []string{"1/2", "2/2"}[i],
			"--metrics-addr", addr, "-o", out, target.URL+"/")
		cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+t.TempDir())
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		runners = append(runners, runner{cmd, out})
	}
	// Both scraped, both at their rate over a whole window: then ask, in
	// the middle of the run.
	prom.WaitFor(t, `count(sum by (instance) (rate(perftop_requests_total[5s])) > 190)`, func(v model.Vector) bool {
		return len(v) == 1 && v[0].Value == 2
	})
	code, out, errOut := runCLI(t, nil, "snapshot", "--json", "--interval", "200ms", "--prom-server", prom.URL, "--fleet", "--fleet-window", "5s")
	if code != 0 {
		t.Fatalf("snapshot --fleet: exit %d: %s", code, errOut)
	}
	var snap struct {
		Fleet struct {
			Error   string  `json:"error"`
			Rate    float64 `json:"requests_per_second"`
			P99     float64 `json:"p99_seconds"`
			Runners []struct {
				Instance string  `json:"instance"`
				Up       bool    `json:"up"`
				Rate     float64 `json:"requests_per_second"`
			} `json:"runners"`
		} `json:"fleet"`
	}
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	for _, r := range runners {
		if err := r.cmd.Wait(); err != nil {
			t.Fatalf("runner: %v", err)
		}
	}
	fl := snap.Fleet
	if fl.Error != "" || len(fl.Runners) != 2 || !fl.Runners[0].Up || !fl.Runners[1].Up {
		t.Fatalf("fleet %+v: want two runners, up", fl)
	}
	var files float64
	for _, r := range runners {
		raw, err := os.ReadFile(r.out)
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Rate float64 `json:"request_rate_rps"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		files += f.Rate
	}
	if math.Abs(fl.Rate-files)/files > 0.02 || fl.P99 <= 0 {
		t.Errorf("fleet rate %.1f/s, the runners' files %.1f/s: want within 2%% (p99 %v)", fl.Rate, files, fl.P99)
	}
	for _, r := range fl.Runners {
		if !strings.Contains(strings.Join(addrs, " "), r.Instance) || r.Rate < 150 {
			t.Errorf("runner %+v: want one of %v at about 200/s", r, addrs)
		}
	}
}
