package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/sources/load"
)

func TestShardParts(t *testing.T) {
	// Ten workers over four runners: 3, 3, 2, 2; the parts sum to the whole.
	var sum int64
	for i := 1; i <= 4; i++ {
		p := shard{i, 4}.part(10)
		if want := map[int]int64{1: 3, 2: 3, 3: 2, 4: 2}[i]; p != want {
			t.Errorf("part %d/4 of 10 = %d, want %d", i, p, want)
		}
		sum += p
	}
	if sum != 10 {
		t.Errorf("parts sum to %d", sum)
	}
	o := load.Options{Rate: 1000, MaxRequests: 999, MaxInFlight: 10, Stages: []load.Stage{{Duration: time.Second, Target: 400}}}
	if err := (shard{2, 4}).apply(&o, true); err != nil {
		t.Fatal(err)
	}
	if o.Rate != 250 || o.MaxRequests != 250 || o.MaxInFlight != 3 || o.Stages[0].Target != 100 {
		t.Errorf("2/4 of rate 1000, -n 999, max-inflight 10, stage 400: %+v", o)
	}
	if err := (shard{3, 4}).apply(&load.Options{Concurrency: 2}, false); err == nil || !strings.Contains(err.Error(), "fewer workers than runners") {
		t.Errorf("3/4 of 2 workers: %v", err)
	}
	for _, bad := range []string{"0/2", "3/2", "2", "a/b", "1/0"} {
		if _, err := parseShard(bad); err == nil {
			t.Errorf("--shard %s accepted", bad)
		}
	}
}

func TestParseStartAt(t *testing.T) {
	now := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	if at, err := parseStartAt("14:30", now); err != nil || !at.Equal(now.Add(30*time.Minute)) {
		t.Errorf("14:30 = %v, %v", at, err)
	}
	if at, err := parseStartAt("2026-12-01T14:00:05Z", now); err != nil || !at.Equal(now.Add(5*time.Second)) {
		t.Errorf("RFC 3339 = %v, %v", at, err)
	}
	if _, err := parseStartAt("13:59", now); err == nil || !strings.Contains(err.Error(), "past") {
		t.Errorf("a past time: %v", err)
	}
	if _, err := parseStartAt("soon", now); err == nil {
		t.Error("soon accepted")
	}
}

// TestShardedRunners: two runners with --shard 1/2 and 2/2 of one test,
// started together with --start-at, send the whole test between them, and
// each file says which part it ran.
func TestShardedRunners(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	at := time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)
	dir := t.TempDir()
	type out struct {
		code           int
		stdout, stderr string
	}
	done := make(chan out, 2)
	for i := 1; i <= 2; i++ {
		go func() {
			code, o, e := runCLI(t, nil, "run", "--headless", "-n", "301", "-c", "3", "--shard", []string{"", "1/2", "2/2"}[i],
				"--start-at", at, "-o", filepath.Join(dir, []string{"", "a", "b"}[i]+".json"), srv.URL+"/")
			done <- out{code, o, e}
		}()
	}
	for range 2 {
		o := <-done
		if o.code != 0 || !strings.Contains(o.stderr, "waiting until") {
			t.Fatalf("exit %d: %s\n%s", o.code, o.stderr, o.stdout)
		}
	}
	if hits.Load() != 301 {
		t.Errorf("the target got %d requests, want the whole test's 301", hits.Load())
	}
	for name, want := range map[string]struct {
		shard    string
		requests int64
	}{"a": {"1/2", 151}, "b": {"2/2", 150}} {
		raw, err := os.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var f struct {
			Requests int64 `json:"requests"`
			Settings struct {
				Shard       string `json:"shard"`
				Concurrency int    `json:"concurrency"`
			} `json:"settings"`
		}
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatal(err)
		}
		if f.Settings.Shard != want.shard || f.Requests != want.requests || f.Settings.Concurrency > 2 {
			t.Errorf("%s: shard %q, %d requests, %d workers; want %s, %d, 1 or 2", name, f.Settings.Shard, f.Requests, f.Settings.Concurrency, want.shard, want.requests)
		}
	}
	code, _, errOut := runCLI(t, nil, "run", "--headless", "--shard", "3/2", srv.URL+"/")
	if code != 2 || !strings.Contains(errOut, "--shard") {
		t.Errorf("--shard 3/2: exit %d %q, want 2", code, errOut)
	}
}
