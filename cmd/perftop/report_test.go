package main

import (
	"os"
	"path/filepath"
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
	if code != exitGate || !strings.Contains(stderr, "regression: p99>+10%, throughput<-5%") || !strings.Contains(stdout, "worse") {
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
