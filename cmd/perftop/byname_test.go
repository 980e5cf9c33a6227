package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/results"
)

// cacheTarget answers /items with X-Cache HIT 3 times in 4 at once, MISS
// the fourth after 20ms, and /add after 30ms, without the header.
func cacheTarget(t *testing.T) *httptest.Server {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/add":
			time.Sleep(30 * time.Millisecond)
		default:
			if n.Add(1)%4 == 0 {
				time.Sleep(20 * time.Millisecond)
				w.Header().Set("X-Cache", "MISS")
			} else {
				w.Header().Set("X-Cache", "HIT")
			}
		}
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestRunByName runs a scenario of two names split by its split_by, with
// an SLO naming one: the summary has the per-name table and the hit ratio,
// the results file each name with its histogram and the splits, and
// report and compare show them.
func TestRunByName(t *testing.T) {
	srv := cacheTarget(t)
	dir := t.TempDir()
	scen := filepath.Join(dir, "mix.yaml")
	writeFile(t, scen, fmt.Sprintf("split_by: [X-Cache]\nrequests:\n  - name: list items\n    url: %s/items\n    weight: 3\n  - name: add item\n    method: POST\n    url: %s/add\n    body: x\n", srv.URL, srv.URL))
	out := filepath.Join(dir, "r.json")
	code, stdout, stderr := runCLI(t, nil, "run", "--headless", "-c", "4", "-d", "1500ms", "--scenario", scen,
		"--slo", "add item:p50<1s,list items:error_rate<1%", "-o", out)
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"\nby name\n", "  list items ", "  add item ", "split by X-Cache: hit ratio ", "split by X-Cache of add item\n", "(none)",
		"add item:p50<1s", "a name's latency is as measured"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary: no %q\n%s", want, stdout)
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Requests int64 `json:"requests"`
		Settings struct {
			SplitBy []string `json:"split_by"`
		} `json:"settings"`
		ByName []struct {
			Name     string `json:"name"`
			Requests int64  `json:"requests"`
			Latency  struct {
				P50 float64 `json:"p50"`
			} `json:"latency_seconds"`
			HDR string `json:"latency_histogram_hdr"`
		} `json:"requests_by_name"`
		Splits []struct {
			Header string `json:"header"`
			Values []struct {
				Value string  `json:"value"`
				Share float64 `json:"share"`
			} `json:"values"`
		} `json:"splits"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.ByName) != 2 || doc.ByName[0].Name != "list items" || doc.ByName[1].HDR == "" || doc.ByName[1].Latency.P50 < 0.030 ||
		doc.ByName[0].Requests+doc.ByName[1].Requests != doc.Requests || fmt.Sprint(doc.Settings.SplitBy) != "[X-Cache]" {
		t.Fatalf("results file: %s", raw)
	}
	if len(doc.Splits) != 1 || len(doc.Splits[0].Values) != 3 {
		t.Fatalf("splits %+v", doc.Splits)
	}
	for _, format := range []string{"markdown", "html"} {
		code, stdout, stderr = runCLI(t, nil, "report", "--format", format, out)
		if code != exitOK || !strings.Contains(stdout, "add item") || !strings.Contains(stdout, "hit ratio") {
			t.Errorf("report %s: exit %d %s\n%s", format, code, stderr, stdout)
		}
	}
	code, stdout, stderr = runCLI(t, nil, "compare", out, out)
	if code != exitOK || !strings.Contains(stdout, "\nby name\n  list items\n") || !strings.Contains(stdout, "split by X-Cache of list items") {
		t.Errorf("compare: exit %d %s\n%s", code, stderr, stdout)
	}
	if code, _, stderr = runCLI(t, nil, "compare", out, out, "--fail-if", "add item:p99>+10%"); code != exitOK {
		t.Errorf("compare a run with itself, a gate on a name: exit %d %s", code, stderr)
	}
	code, _, stderr = runCLI(t, nil, "compare", out, out, "--fail-if", "nobody:p99>+10%")
	if code != exitGate || !strings.Contains(stderr, "nobody:p99>+10% (nobody is not in both runs)") {
		t.Errorf("a gate on a name neither run sent: exit %d %s", code, stderr)
	}
}

// TestSplitUsageErrors: every mistake in --split-by, --split-max, a
// scenario's split_by and an SLO's request name is one line, exit 2,
// before anything is sent.
func TestSplitUsageErrors(t *testing.T) {
	dir := t.TempDir()
	scen := filepath.Join(dir, "mix.yaml")
	writeFile(t, scen, "split_by: ['X Cache']\nrequests:\n  - name: a\n    url: http://127.0.0.1:1/\n")
	named := filepath.Join(dir, "named.yaml")
	writeFile(t, named, "requests:\n  - name: list items\n    url: http://127.0.0.1:1/\n  - name: add item\n    url: http://127.0.0.1:1/a\n")
	tests := []usageCase{
		{"header", []string{"--split-by", "X Cache", "http://127.0.0.1:1/"}, `invalid --split-by: split by "X Cache": "X Cache" is not a header name`},
		{"regexp", []string{"--split-by", "X-Cache=(", "http://127.0.0.1:1/"}, "invalid --split-by: split by \"X-Cache=(\": error parsing regexp"},
		{"no group", []string{"--split-by", "X-Cache=HIT", "http://127.0.0.1:1/"}, "needs a group"},
		{"max", []string{"--split-by", "X-Cache", "--split-max", "0", "http://127.0.0.1:1/"}, "invalid --split-max 0"},
		{"too many", []string{"--split-by", "A", "--split-by", "B", "--split-by", "C", "--split-by", "D", "--split-by", "E", "http://127.0.0.1:1/"}, "at most 4 headers"},
		{"scenario", []string{"--scenario", scen}, `split_by: split by "X Cache"`},
		{"slo name", []string{"--scenario", named, "--slo", "add items:p99<300ms"}, `invalid --slo "add items:p99<300ms": no request is named "add items" (the names are "list items", "add item")`},
		{"slo no name", []string{"--scenario", named, "--slo", ":p99<300ms"}, "no request name before the colon"},
	}
	for i := range tests {
		tests[i].args = append([]string{"run", "--headless", "-n", "1"}, tests[i].args...)
	}
	checkUsageErrors(t, tests)
}

// TestReplayGroups: a file's names and splits reach the replayed load
// screen whole-run, their text printable.
func TestReplayGroups(t *testing.T) {
	r := &results.Result{
		ByName: []results.RequestGroup{{Name: "add\x1b[2Jitem", Requests: 7, Errors: 1, ErrorsByKind: map[string]int64{"timeout": 1}, BytesReceived: 60,
			RequestRateRPS: 3.5, Latency: results.LatencySummary{Count: 6, P50: 0.03, P99: 0.05},
			Splits: []results.Split{{Header: "X-Cache", Values: []results.SplitValue{{Value: "HIT\x07", Answers: 6, Share: 1}}}}}},
		Splits: []results.Split{{Header: "X-Cache", Values: []results.SplitValue{{Value: "MISS", Answers: 6, Share: 1}}}},
	}
	byName, splits := replayGroups(r)
	if len(byName) != 1 || byName[0].Name != "add [2Jitem" || byName[0].Latency.P50 != 0.03 || byName[0].ErrorsByKind["timeout"] != 1 ||
		byName[0].RPS != 3.5 || byName[0].Splits[0].Values[0].Value != "HIT" {
		t.Errorf("by name %+v", byName)
	}
	if len(splits) != 1 || splits[0].Values[0].Value != "MISS" || splits[0].Values[0].Share != 1 {
		t.Errorf("splits %+v", splits)
	}
}
