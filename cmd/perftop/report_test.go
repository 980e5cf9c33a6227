package main

import (
	"encoding/base64"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/perftop/perftop/internal/results"
)

func resultsFile(t *testing.T, dir, name string, rps, p99 float64) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f := &results.File{SchemaVersion: results.SchemaVersion, Tool: "perftop", Stopped: "completed",
		Settings: results.Settings{Mode: "closed", Concurrency: 10, Targets: []results.Target{{Method: "GET", URL: "http://svc/"}}},
		Result: &results.Result{Requests: 1000, ThroughputRPS: rps, DurationSeconds: 10,
			Latency:  results.LatencySummary{Count: 1000, P50: p99 / 4, P90: p99 / 2, P95: p99 / 1.5, P99: p99, P999: p99, Max: p99, Mean: p99 / 3},
			Timeline: []results.TimelinePoint{{Seconds: 1, Requests: 100, RPS: rps, P50: p99 / 4, P99: p99}}}}
	if err := results.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompareCommand(t *testing.T) {
	dir := t.TempDir()
	base := resultsFile(t, dir, "base.json", 1000, 0.010)
	same := resultsFile(t, dir, "same.json", 990, 0.0105)
	slow := resultsFile(t, dir, "slow.json", 800, 0.020)
	gate := "p99>+10%,throughput<-5%"

	code, stdout, stderr := runCLI(t, nil, "compare", base, same, "--fail-if", gate)
	if code != exitOK || !strings.Contains(stdout, "p99") {
		t.Fatalf("within limits: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, nil, "compare", base, slow, "--fail-if", gate)
	if code != exitGate || !strings.Contains(stderr, "regression: p99>+10% (p99 +100.0%: 10.0ms → 20.0ms), throughput<-5% (throughput -20.0%: 1000/s → 800/s)") || !strings.Contains(stdout, "worse") {
		t.Fatalf("regression: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, nil, "compare", base, slow, "--format", "markdown")
	if code != exitOK || !strings.Contains(stdout, "| p99 | 10.0ms | 20.0ms | +10.0ms (+100.0%) | ❌ worse |") {
		t.Fatalf("markdown: exit %d\n%s", code, stdout)
	}
	code, _, stderr = runCLI(t, nil, "compare", base, slow, "--fail-if", "p99>10")
	if code != exitUsage || !strings.Contains(stderr, "invalid --fail-if") {
		t.Fatalf("bad gate: exit %d %s", code, stderr)
	}
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	path := resultsFile(t, dir, "r.json", 1000, 0.010)
	for format, want := range map[string]string{
		"text": "requests    1000", "markdown": "| requests |", "json": `"schema_version": 1`,
		"csv": "t_seconds,requests", "html": "<svg",
	} {
		code, stdout, stderr := runCLI(t, nil, "report", path, "--format", format)
		if code != exitOK || !strings.Contains(stdout, want) {
			t.Errorf("%s: exit %d, %q not in\n%s%s", format, code, want, stdout, stderr)
		}
	}
	garbage := filepath.Join(dir, "g.json")
	newer := filepath.Join(dir, "n.json")
	writeFile(t, garbage, "{{{")
	writeFile(t, newer, `{"schema_version": 7, "requests": 1}`)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report", garbage}, "not a perftop results file"},
		{[]string{"report", newer}, "results schema version 7 is newer than this perftop's 1: upgrade perftop"},
		{[]string{"report", filepath.Join(dir, "none.json")}, "no such file"},
		{[]string{"report", path, "--format", "pdf"}, `invalid --format "pdf"`},
		{[]string{"report", path, "--percentiles"}, "no latency histogram in this results file"},
	} {
		code, _, stderr := runCLI(t, nil, tt.args...)
		if !strings.Contains(stderr, tt.want) || code == exitOK {
			t.Errorf("%v: exit %d, stderr %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
	_ = os.Remove(garbage)
}

// hostileResultsFile writes a results file whose every string carries
// osc52, whose histogram is unreadable (a negative compressed length, which
// made the HDR decoder panic) and whose SLO measured nothing (NaN).
func hostileResultsFile(t *testing.T, dir string) string {
	t.Helper()
	h := func(s string) string { return s + osc52 + s }
	hdr := base64.StdEncoding.EncodeToString([]byte{0x1c, 0x84, 0x93, 0x14, 0xff, 0xff, 0xff, 0xfb, 1, 2, 3})
	f := &results.File{SchemaVersion: results.SchemaVersion, Tool: "perftop", Stopped: h("stopped"), LatencyHDR: hdr,
		Settings: results.Settings{Mode: h("closed"), Concurrency: 10, Profile: h("stress"), Transport: h("net/http"),
			Targets: []results.Target{{Name: h("api"), Method: h("GET"), URL: h("http://svc/<b>"), HeaderNames: []string{h("X-Token")}}}},
		Stress: &results.Stress{LastGoodLevel: 1, BrokeAtLevel: 2, BrokeBecause: h("because")},
		Result: &results.Result{Requests: 1000, Errors: 1000, DurationSeconds: 10,
			StatusCodes: map[string]int64{h("200"): 1}, ErrorsByKind: map[string]int64{h("timeout"): 1000},
			ErrorMessages: []results.ErrorMessage{{Kind: h("timeout"), Message: h("i/o timeout"), Count: 1000}},
			Timeline:      []results.TimelinePoint{{Seconds: 1, Requests: 100, P50: math.NaN(), P99: math.NaN()}}}}
	f.SLOs = results.Judge([]results.SLO{{Metric: "p99", Op: "<", Threshold: 0.1, Text: h("p99<100ms")}}, f.Measured())
	path := filepath.Join(dir, "hostile.json")
	if err := results.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReportHostile: report and compare print a hostile results file in
// every format with no control characters (the JSON keeps the raw data,
// escaped), say its histogram is unreadable where they can do without it,
// and fail where they cannot.
func TestReportHostile(t *testing.T) {
	dir := t.TempDir()
	path := hostileResultsFile(t, dir)
	base := resultsFile(t, dir, "base.json", 1000, 0.010)
	for _, args := range [][]string{
		{"report", path}, {"report", path, "--format", "markdown"}, {"report", path, "--format", "csv"},
		{"report", path, "--format", "html"}, {"report", path, "--format", "json"},
		{"compare", base, path}, {"compare", path, base, "--format", "markdown"},
	} {
		code, stdout, stderr := runCLI(t, nil, args...)
		if code != exitOK {
			t.Errorf("%v: exit %d\n%s", args, code, stderr)
		}
		if strings.Contains(stdout+stderr, "\x1b") {
			t.Errorf("%v: an ESC byte in the output:\n%s%s", args, stdout, stderr)
		}
		if !slices.Contains(args, "json") {
			noControls(t, strings.Join(args[1:], " "), stdout+stderr)
		}
	}
	_, stdout, _ := runCLI(t, nil, "report", path)
	if !strings.Contains(stdout, "BREACHED measured no answers") || !strings.Contains(stdout, "i/o timeout ]52;c;") {
		t.Errorf("text:\n%s", stdout)
	}
	_, stdout, _ = runCLI(t, nil, "report", path, "--format", "html")
	if !strings.Contains(stdout, `<p class="empty">unreadable latency histogram: compressed length -5`) || strings.Contains(stdout, "<b>") {
		t.Errorf("html:\n%s", stdout)
	}
	_, stdout, _ = runCLI(t, nil, "report", path, "--format", "json")
	if !strings.Contains(stdout, `"value": "NaN"`) || !strings.Contains(stdout, `"p50": "NaN"`) || !strings.Contains(stdout, `\u001b]52`) {
		t.Errorf("json:\n%s", stdout)
	}
	code, _, stderr := runCLI(t, nil, "report", path, "--percentiles")
	if code != exitFailure || stderr != "perftop: latency histogram: compressed length -5, but 3 bytes follow the header\n" {
		t.Errorf("--percentiles: exit %d, %q", code, stderr)
	}
}

// TestReportTooLarge: a file over 256 MiB is refused without being read.
func TestReportTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(results.MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, _, stderr := runCLI(t, nil, "report", path)
	if code != exitUsage || !strings.Contains(stderr, "larger than 256 MiB, too large for a results file (raise --max-file-size)") {
		t.Errorf("exit %d, %q", code, stderr)
	}
	// --max-file-size moves the limit, both ways.
	small := resultsFile(t, t.TempDir(), "small.json", 100, 0.01)
	for _, args := range [][]string{{"report", "--max-file-size", "1KiB", small}, {"compare", "--max-file-size", "1KiB", small, small}} {
		if code, _, stderr := runCLI(t, nil, args...); code != exitUsage || !strings.Contains(stderr, "larger than 1.00 KiB") {
			t.Errorf("%v: exit %d, %q", args, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, nil, "report", "--max-file-size", "1MiB", small); code != exitOK {
		t.Errorf("report under a raised limit: exit %d, %q", code, stderr)
	}
}
