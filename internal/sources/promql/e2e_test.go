package promql

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/promtest"
)

// Runners' settings in TestBeyondOneMachine: an open loop at a fixed rate
// makes the expected sum known in advance.
const (
	runnerRate     = 200
	runnerDuration = 20 * time.Second
	sumExpr        = `sum(rate(perftop_requests_total{job="perftop"}[5s]))`
	tolerance      = 0.10
)

// buildPerftop builds the perftop binary into a temporary directory.
func buildPerftop(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" {
		t.Fatalf("find the module root: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "perftop")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/perftop")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/perftop: %v\n%s", err, out)
	}
	return bin
}

// runner is a headless `perftop run` with its own metrics endpoint.
type runner struct {
	addr, out, log string
	cmd            *exec.Cmd
	done           chan struct{} // closed when it has exited
	err            error         // its exit status, once done
}

func startRunner(t *testing.T, bin, addr, target string) *runner {
	t.Helper()
	dir := t.TempDir()
	r := &runner{addr: addr, out: filepath.Join(dir, "res.json"), log: filepath.Join(dir, "log"), done: make(chan struct{})}
	logf, err := os.Create(r.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	r.cmd = exec.Command(bin, "run", "--headless", "-r", strconv.Itoa(runnerRate), "-d", runnerDuration.String(),
		"--metrics-addr", addr, "-o", r.out, target)
	r.cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+dir)
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start perftop run: %v", err)
	}
	go func() {
		r.err = r.cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() {
		_ = r.cmd.Process.Kill() // a no-op once it has exited
		<-r.done
	})
	return r
}

// throughput reads the runner's achieved throughput from its results file.
func (r *runner) throughput(t *testing.T) float64 {
	t.Helper()
	<-r.done
	logb, _ := os.ReadFile(r.log)
	if r.err != nil {
		t.Fatalf("perftop run %s: %v\n%s", r.addr, r.err, logb)
	}
	b, err := os.ReadFile(r.out)
	if err != nil {
		t.Fatalf("results of %s: %v\n%s", r.addr, err, logb)
	}
	var res struct {
		Requests      int64   `json:"requests"`
		Errors        int64   `json:"errors"`
		ThroughputRPS float64 `json:"throughput_rps"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("results of %s: %v", r.addr, err)
	}
	if res.Requests == 0 || res.Errors != 0 {
		t.Fatalf("runner %s: %d requests, %d errors; want a clean run", r.addr, res.Requests, res.Errors)
	}
	return res.ThroughputRPS
}

// TestBeyondOneMachine: two headless runners load a test server, a real
// Prometheus scrapes both runners' own metrics, and a PromQL panel shows
// their summed rate, within a few percent of the sum of the runners' own
// results.
func TestBeyondOneMachine(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: the end-to-end test runs for about 30s")
	}
	bin := buildPerftop(t)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	}))
	t.Cleanup(target.Close) // after the runners' cleanups stop them

	addrs := []string{promtest.FreeAddr(t), promtest.FreeAddr(t)}
	prom := promtest.StartPrometheusConfig(t, promtest.Config{Targets: []promtest.Target{
		{URL: addrs[0], Job: "perftop"}, {URL: addrs[1], Job: "perftop"},
	}})
	src, st := startSumPanels(t, prom.URL)

	runStart := time.Now()
	runners := []*runner{startRunner(t, bin, addrs[0], target.URL+"/"), startRunner(t, bin, addrs[1], target.URL+"/")}
	bothUp, samples := sampleSum(t, src, st, runners, runStart)
	var want float64
	for _, r := range runners {
		want += r.throughput(t)
	}
	if bothUp.IsZero() {
		t.Fatalf("Prometheus never saw both runners up:\n%s", prom.Log())
	}
	if len(samples) < 4 {
		t.Fatalf("only %d samples of %s during the run (both up %v after the start)", len(samples), sumExpr, bothUp.Sub(runStart))
	}
	var sum float64
	for _, v := range samples {
		sum += v
	}
	got := sum / float64(len(samples))
	t.Logf("%s: mean %.1f over %d samples; runners' own throughput: %.1f req/s", sumExpr, got, len(samples), want)
	if math.Abs(got-want) > tolerance*want {
		t.Errorf("summed rate %.1f req/s, want within %.0f%% of the runners' %.1f (samples %v)", got, tolerance*100, want, samples)
	}
	if math.Abs(want-2*runnerRate) > tolerance*2*runnerRate {
		t.Errorf("runners achieved %.1f req/s together, want about %d", want, 2*runnerRate)
	}
}

// startSumPanels starts a PromQL source on the Prometheus at server with
// the two panels TestBeyondOneMachine reads: the runners up, and sumExpr.
func startSumPanels(t *testing.T, server string) (*Source, *metrics.Store) {
	t.Helper()
	src, err := New(Options{
		ClientOptions: ClientOptions{Server: server},
		Panels: []Panel{
			{Title: "runners", Expr: `count(up{job="perftop"} == 1)`},
			{Title: "req/s", Expr: sumExpr},
		},
		Window: 30 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	st := metrics.NewStore(10)
	start(t, src, st)
	return src, st
}

// sampleSum samples the sum panel while both runners run: from a full rate
// window after Prometheus first saw both up, until 2s before their end. It
// returns when the first runner exits, with the time both were first seen
// up (zero if never) and the samples by their time.
func sampleSum(t *testing.T, src *Source, st *metrics.Store, runners []*runner, runStart time.Time) (bothUp time.Time, samples map[time.Time]float64) {
	t.Helper()
	samples = map[time.Time]float64{}
	last := runStart.Add(runnerDuration - 2*time.Second)
	deadline := time.NewTimer(runnerDuration + time.Minute)
	defer deadline.Stop()
	for {
		changed := st.Changed()
		res := src.Results()
		if len(res[0].Series) == 1 && bothUp.IsZero() {
			if p, _ := res[0].Series[0].Last(); p.V == 2 {
				bothUp = time.Now()
			}
		}
		if !bothUp.IsZero() && len(res[1].Series) == 1 {
			for _, p := range res[1].Series[0].Points {
				if !p.T.Before(bothUp.Add(6*time.Second)) && !p.T.After(last) && !math.IsNaN(p.V) {
					samples[p.T] = p.V
				}
			}
		}
		select {
		case <-changed:
		case <-runners[0].done:
			return bothUp, samples
		case <-runners[1].done:
			return bothUp, samples
		case <-deadline.C:
			t.Fatalf("runners did not finish; results %+v", res)
		}
	}
}
