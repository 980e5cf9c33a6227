package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunSLOs(t *testing.T) {
	srv := testTarget(t)
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string
		stderr   string
		stopped  string
		verdicts []bool
	}{
		{
			name: "met", args: []string{"-n", "200", "--slo", "p99<10s,error_rate<1%,throughput>1", srv.URL + "/"},
			code: exitOK, stdout: "p99<10s                met", stopped: "completed", verdicts: []bool{true, true, true},
		},
		{
			name: "breached", args: []string{"-n", "200", "--slo", "p99<10s, error_rate<1%", srv.URL + "/fail"},
			code: exitGate, stdout: "error_rate<1%          BREACHED measured 100.0%", stderr: "perftop: SLO breached: error_rate<1%",
			stopped: "completed", verdicts: []bool{true, false},
		},
		{
			name: "aborted", args: []string{"-d", "1m", "-r", "50", "--slo", "error_rate<1%", "--abort-on-slo", "--slo-grace", "1s", srv.URL + "/fail"},
			code: exitGate, stdout: "aborted)", stopped: "aborted", verdicts: []bool{false},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, tt.name+".json")
			args := append([]string{"run", "--headless", "-c", "2", "-o", out}, tt.args...)
			if i == 2 {
				args = append([]string{"run", "--headless", "-o", out}, tt.args...)
			}
			code, stdout, stderr := runCLI(t, nil, args...)
			if code != tt.code || !strings.Contains(stdout, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d (want %d)\nstdout:\n%s\nstderr: %s", code, tt.code, stdout, stderr)
			}
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Stopped string `json:"stopped"`
				SLOs    []struct {
					Text string  `json:"text"`
					Met  bool    `json:"met"`
					Val  float64 `json:"value"`
				} `json:"slos"`
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Stopped != tt.stopped || len(doc.SLOs) != len(tt.verdicts) {
				t.Fatalf("results: %+v", doc)
			}
			for j, v := range doc.SLOs {
				if v.Met != tt.verdicts[j] {
					t.Errorf("%s met %v, want %v", v.Text, v.Met, tt.verdicts[j])
				}
			}
		})
	}
}

func TestRunSLOUsage(t *testing.T) {
	code, _, stderr := runCLI(t, nil, "run", "--slo", "p99<200ms,p98<1s", "http://127.0.0.1/")
	if code != exitUsage || !strings.Contains(stderr, `invalid --slo: SLO "p98<1s": unknown metric "p98"`) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, _, stderr = runCLI(t, nil, "run", "--abort-on-slo", "http://127.0.0.1/")
	if code != exitUsage || !strings.Contains(stderr, "--abort-on-slo needs --slo") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}
