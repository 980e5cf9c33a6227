package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// testTarget is a real HTTP server on loopback.
func testTarget(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestRunUsageErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.yaml")
	writeFile(t, empty, "requests: []\n")
	tests := []usageCase{
		{"no url", []string{"run"}, "no URL to test"},
		{"no scheme", []string{"run", "localhost:8080"}, `no scheme: did you mean "http://localhost:8080"?`},
		{"bad scheme", []string{"run", "ftp://host/"}, `scheme "ftp" is not http or https`},
		{"zero rate", []string{"run", "-r", "0", "http://127.0.0.1/"}, "invalid --rate 0: must be more than 0"},
		{"negative rate", []string{"run", "-r", "-5", "http://127.0.0.1/"}, "invalid --rate -5"},
		{"zero workers", []string{"run", "-c", "0", "http://127.0.0.1/"}, "invalid --concurrency 0"},
		{"bad stages", []string{"run", "--stages", "30s:100,oops", "http://127.0.0.1/"}, `invalid --stages: stage 2 "oops"`},
		{"bad stages-of", []string{"run", "--stages", "1s:1", "--stages-of", "users", "http://127.0.0.1/"}, `invalid --stages-of "users"`},
		{"body file", []string{"run", "--body-file", filepath.Join(dir, "nope"), "http://127.0.0.1/"}, "--body-file: open"},
		{"two bodies", []string{"run", "--body", "a", "--body-file", empty, "http://127.0.0.1/"}, "--body and --body-file"},
		{"scenario missing", []string{"run", "--scenario", filepath.Join(dir, "nope.yaml")}, "--scenario: open"},
		{"scenario empty", []string{"run", "--scenario", empty}, "scenario has no requests"},
		{"scenario and url", []string{"run", "--scenario", empty, "http://127.0.0.1/"}, "give URLs or --scenario, not both"},
		{"profile", []string{"run", "--profile", "soak", "http://127.0.0.1/"}, `unknown profile "soak"`},
		{"profile and stages", []string{"run", "--profile", "spike", "--stages", "1s:1", "http://127.0.0.1/"}, "--stages and --profile"},
		{"header", []string{"run", "-H", "NoColon", "http://127.0.0.1/"}, `invalid header "NoColon"`},
		{"out dir", []string{"run", "-o", filepath.Join(dir, "missing", "r.json"), "http://127.0.0.1/"}, "-o "},
		{"metrics addr", []string{"run", "--metrics-addr", "9464", "http://127.0.0.1/"}, `invalid --metrics-addr "9464"`},
		{"unix socket", []string{"run", "--unix-socket", filepath.Join(dir, "no.sock"), "http://x/"}, "--unix-socket: stat"},
		{"rate and workers", []string{"run", "-r", "10", "-c", "5", "http://127.0.0.1/"}, "exclude each other"},
		{"bad duration", []string{"run", "-d", "soon", "http://127.0.0.1/"}, `invalid argument "soon"`},
		{"weight", []string{"run", "http://127.0.0.1/@0"}, "weight 0"},
		{"unitless duration", []string{"run", "-d", "10", "http://127.0.0.1/"}, `missing unit in duration "10" (did you mean 10s?)`},
		{"flag typo", []string{"run", "--duraton", "10s", "http://127.0.0.1/"}, "unknown flag: --duraton (did you mean --duration?)"},
		{"zero requests", []string{"run", "-n", "0", "http://127.0.0.1/"}, "invalid --requests 0: must be 1 or more (leave -n out for no limit)"},
		{"method with a space", []string{"run", "-m", "GE T", "http://127.0.0.1/"}, `invalid --method "GE T": a method is one word`},
		{"metrics port", []string{"run", "--metrics-addr", ":9464x", "http://127.0.0.1/"}, `invalid --metrics-addr ":9464x"`},
		{"no scheme with a password", []string{"run", "bob:s3cret@127.0.0.1:8080/"}, `"http://bob:xxxxx@127.0.0.1:8080/"?`},
	}
	checkUsageErrors(t, tests)
}

// usageCase is a command line that is a usage error, and what its one
// line on stderr must say.
type usageCase struct {
	name string
	args []string
	want string
}

// checkUsageErrors runs each case: exit 2, one line on stderr naming the
// problem, nothing on stdout.
func checkUsageErrors(t *testing.T, tests []usageCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tt.want)
			}
			if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || stdout != "" {
				t.Errorf("want one line on stderr and nothing on stdout; got %q / %q", stderr, stdout)
			}
		})
	}
}

// TestRunHeadless runs a real test in-process against a loopback server and
// checks the summary and the results file, secrets included.
func TestRunHeadless(t *testing.T) {
	srv := testTarget(t)
	out := filepath.Join(t.TempDir(), "run.json")
	u := strings.Replace(srv.URL, "http://", "http://alice:s3cret@", 1) + "/"
	// Two workers walking the two-request mix from opposite ends always
	// split it exactly in half.
	code, stdout, stderr := runCLI(t, nil, "run", "--headless", "-n", "300", "-c", "2", "-o", out,
		"-H", "Authorization: Bearer t0ken", u, srv.URL+"/fail")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"requests    300", "status      200: 150  500: 150", "errors      150 (50.00%): status_5xx 150", "latency     min", "closed loop", "results     " + out} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("s3cret")) || bytes.Contains(raw, []byte("t0ken")) {
		t.Errorf("a secret reached the results file:\n%s", raw)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("results file is not JSON: %v", err)
	}
	for _, path := range []string{"schema_version", "requests", "errors", "duration_seconds", "throughput_rps",
		"latency_seconds.min", "latency_seconds.mean", "latency_seconds.p50", "latency_seconds.p90", "latency_seconds.p95",
		"latency_seconds.p99", "latency_seconds.p999", "latency_seconds.max", "status_codes.200", "errors_by_kind.status_5xx",
		"late_sends", "settings.mode", "settings.concurrency", "settings.targets", "phases_seconds.dns", "phases_seconds.connect",
		"phases_seconds.tls", "phases_seconds.ttfb", "timeline", "latency_histogram_hdr", "request_rate_rps"} {
		if _, ok := lookup(doc, path); !ok {
			t.Errorf("results lack %s", path)
		}
	}
	if v, _ := lookup(doc, "requests"); v.(float64) != 300 {
		t.Errorf("requests = %v", v)
	}
	if v, _ := lookup(doc, "settings.transport"); v != "fast-http1" {
		t.Errorf("transport = %v", v)
	}
	if v, _ := lookup(doc, "settings.event_loop"); runtime.GOOS == "linux" && v != true {
		t.Errorf("event_loop = %v on Linux", v)
	}
}

// TestRunSignals stops a headless run of the real binary with SIGINT,
// SIGTERM or SIGHUP mid-test: the summary is printed, the results file is
// complete and valid, and no temporary file is left.
func TestRunSignals(t *testing.T) {
	srv := testTarget(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "run.json")
			cmd := exec.Command(binary(t), "run", "--headless", "-d", "1m", "-c", "2", "-o", out, srv.URL+"/")
			cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+dir)
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stderr)
			if !sc.Scan() { // the first progress line: the test is running
				t.Fatalf("no progress line: %v", sc.Err())
			}
			go io.Copy(io.Discard, stderr)
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("exit: %v\n%s", err, stdout.String())
			}
			if !strings.Contains(stdout.String(), "stopped)") || !strings.Contains(stdout.String(), "latency") {
				t.Errorf("summary:\n%s", stdout.String())
			}
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Requests int64  `json:"requests"`
				Stopped  string `json:"stopped"`
				Timeline []any  `json:"timeline"`
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatalf("results file invalid after %v: %v", sig, err)
			}
			if doc.Requests == 0 || doc.Stopped != "stopped" || len(doc.Timeline) == 0 {
				t.Errorf("results after %v: %+v", sig, doc)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), ".tmp") {
					t.Errorf("temporary file left: %s", e.Name())
				}
			}
		})
	}
}

// TestRunMetricsAddr scrapes the runner's own metrics while it runs.
func TestRunMetricsAddr(t *testing.T) {
	srv := testTarget(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(binary(t), "run", "--headless", "-d", "1m", "-c", "2", "--metrics-addr", addr, srv.URL+"/")
	cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+t.TempDir())
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	sc := bufio.NewScanner(stderr)
	sc.Scan()
	go io.Copy(io.Discard, stderr)
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`perftop_requests_total{kind="",status="200"}`, "perftop_request_duration_seconds_bucket", "perftop_requests_in_flight", `perftop_target_level{mode="closed"} 2`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

// TestRunDashboardInTerminal drives `perftop run` in a real terminal: the
// load screen, pausing and raising the load, then s stops the test, the
// summary is printed and the terminal restored.
func TestRunDashboardInTerminal(t *testing.T) {
	srv := testTarget(t)
	tm := newTerm(t, 120, 40, []string{"TERM=xterm-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()},
		binary(t)+" run -d 5m -r 50 "+srv.URL+"/")
	s := tm.waitText("╭─ Latency")
	for _, want := range []string{"╭─ Now", "╭─ Throughput", "╭─ Errors", "╭─ Histogram", "╭─ Responses", "╭─ Host", "s stop"} {
		if !strings.Contains(s, want) {
			t.Errorf("load screen lacks %q", want)
		}
	}
	tm.waitText("200 ")
	tm.keys("p")
	tm.waitText("paused")
	tm.keys("p")
	tm.waitGone("paused")
	tm.keys("+")
	tm.waitText("target 55")
	tm.keys("s")
	s = tm.waitText("perftop-exit=")
	if !strings.Contains(s, "perftop-exit=0") || !strings.Contains(s, "perftop run "+srv.URL) || !strings.Contains(s, "stopped)") {
		t.Errorf("after s:\n%s", s)
	}
	if tm.display("#{alternate_on}") != "0" {
		t.Error("terminal left on the alternate screen")
	}
}

// TestRunSIGKILLKeepsTimeline kills a headless run outright: there is no
// summary and no results file, but the streamed timeline holds every second
// up to the last, each line valid JSON, and no temporary file is left.
func TestRunSIGKILLKeepsTimeline(t *testing.T) {
	srv := testTarget(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "run.json")
	cmd := exec.Command(binary(t), "run", "--headless", "-d", "1m", "-c", "2", "-o", out, srv.URL+"/")
	cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+dir)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for i := 0; i < 3; i++ { // three seconds of progress
		if !sc.Scan() {
			t.Fatalf("progress line %d missing", i+1)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	raw, err := os.ReadFile(out + ".timeline.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("timeline has %d lines after 3 s:\n%s", len(lines), raw)
	}
	for i, l := range lines {
		var p struct {
			T        float64 `json:"t"`
			Requests int64   `json:"requests"`
		}
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.T <= 0 {
			t.Fatalf("line %d %q: %v", i+1, l, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a results file after SIGKILL?")
	}
}
