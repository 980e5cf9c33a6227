package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunRequestTableInTerminal drives the real binary in a real terminal
// against two URLs, a fast one behind a cache that hits 3 times in 4 and a
// slow one: the load screen shows a row per URL whose p50 is each
// server's, sorts with >, draws the selected row on the latency chart, and
// shows the X-Cache split.
func TestRunRequestTableInTerminal(t *testing.T) {
	var n atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/fast", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%4 == 0 {
			w.Header().Set("X-Cache", "MISS")
		} else {
			w.Header().Set("X-Cache", "HIT")
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) { time.Sleep(25 * time.Millisecond) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tm := newTerm(t, 160, 48, []string{"TERM=xterm-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()},
		binary(t)+" run -d 5m -r 80 --split-by X-Cache "+srv.URL+"/fast "+srv.URL+"/slow")
	s := tm.waitText("╭─ Requests")
	for _, want := range []string{"NAME", "REQS", "P50", "P99", "by plan order", "╭─ X-Cache", "HIT", "MISS", "</> sort"} {
		if !strings.Contains(s, want) {
			t.Errorf("load screen lacks %q:\n%s", want, s)
		}
	}
	// Each row's p50 is its server's: the slow one's at least its sleep,
	// the fast one's far under it.
	s = tm.waitFor("answers on both rows", func(s string) bool {
		return p50Of(s, "/slow") > 0 && p50Of(s, "/fast") > 0
	})
	if slow, fast := p50Of(s, "/slow"), p50Of(s, "/fast"); slow < 0.025 || fast > 0.010 {
		t.Errorf("p50 slow %v, fast %v; want at least 25ms and under 10ms:\n%s", slow, fast, s)
	}
	tm.keys(">")
	tm.waitText("by requests")
	tm.keys("<", "down")
	s = tm.waitFor("the second row on the chart", func(s string) bool { return strings.Contains(s, "/slow p50 p99") })
	if !strings.Contains(s, "all p50 p99") {
		t.Errorf("the chart's legend lacks the aggregate:\n%s", s)
	}
	tm.keys("s")
	if s := tm.waitText("perftop-exit="); !strings.Contains(s, "perftop-exit=0") {
		t.Errorf("after s:\n%s", s)
	}
}

// p50Of is the P50 column, in seconds, of the Requests table's row whose
// name holds name; 0 when there is none or it shows no latency.
func p50Of(screen, name string) float64 {
	for _, line := range strings.Split(screen, "\n") {
		i := strings.Index(line, name)
		if i < 0 || !strings.HasPrefix(line, "│") || strings.Contains(line, "overall") {
			continue
		}
		// NAME REQS FAILS REQ/S P50 ...: the fourth field after the name.
		f := strings.Fields(strings.Trim(line[i+len(name):], "│ "))
		if len(f) < 4 {
			continue
		}
		if v := seconds(f[3]); v > 0 {
			return v
		}
		// Not the table's row: the chart's legend names the row too.
	}
	return 0
}

// seconds reads a latency as the screen formats it: 850µs, 12.3ms, 1.25s.
func seconds(s string) float64 {
	for _, u := range []struct {
		suffix string
		scale  float64
	}{{"µs", 1e-6}, {"ms", 1e-3}, {"s", 1}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0
			}
			return f * u.scale
		}
	}
	return 0
}
