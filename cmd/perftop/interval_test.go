package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/sources/promtest"
)

// recorder remembers when a scrape target was scraped and which steps a
// Prometheus server was asked for.
type recorder struct {
	mu      sync.Mutex
	scrapes []time.Time
	steps   []string
}

func (r *recorder) scraped() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.scrapes...)
}

func (r *recorder) lastStep() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.steps) == 0 {
		return ""
	}
	return r.steps[len(r.steps)-1]
}

// TestIntervalReachesEverySource: with a scraped target and PromQL panels,
// `+` in the dashboard lengthens the refresh interval of every source, not
// only the host sampler's: the target is scraped every 2 s instead of every
// second, and the range queries ask a real Prometheus for a 2 s step.
func TestIntervalReachesEverySource(t *testing.T) {
	rec := &recorder{}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		rec.mu.Lock()
		rec.scrapes = append(rec.scrapes, time.Now())
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		io.WriteString(w, "# TYPE demo_up gauge\ndemo_up 1\n")
	}))
	defer target.Close()

	prom := promtest.StartPrometheus(t)
	backend, err := url.Parse(prom.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(backend)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/query_range" {
			body, _ := io.ReadAll(r.Body) // the client may POST the query as a form
			r.Body = io.NopCloser(bytes.NewReader(body))
			step := r.URL.Query().Get("step")
			if form, err := url.ParseQuery(string(body)); err == nil && form.Get("step") != "" {
				step = form.Get("step")
			}
			rec.mu.Lock()
			rec.steps = append(rec.steps, step)
			rec.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	tm := newTerm(t, 120, 40, []string{"TERM=xterm-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()},
		binary(t)+" --interval 1s --prom "+target.URL+"/metrics --prom-server "+front.URL+" --query 'one=vector(1)'")
	tm.waitText("+/- 1s")
	waitUntil(t, "a scrape and a query at the 1 s interval", func() bool {
		return len(rec.scraped()) >= 2 && rec.lastStep() == "1"
	})

	tm.keys("+")
	tm.waitText("+/- 2s")
	waitUntil(t, "a range query with a 2 s step", func() bool { return rec.lastStep() == "2" })
	after := len(rec.scraped())
	waitUntil(t, "three scrapes after the change", func() bool { return len(rec.scraped()) >= after+3 })
	s := rec.scraped()
	for i := len(s) - 2; i < len(s); i++ {
		if gap := s[i].Sub(s[i-1]); gap < 1500*time.Millisecond {
			t.Errorf("scrapes %v apart after + (want about 2s): %v", gap, s[len(s)-4:])
		}
	}
	tm.keys("q")
	tm.waitText("perftop-exit=0")
}

// waitUntil polls cond for up to 15 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
