package session

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/prom"
	"github.com/perftop/perftop/internal/sources/promql"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestSetIntervalReachesEverySource: one SetInterval changes the host
// sampler's, every scraper's and the PromQL source's interval.
func TestSetIntervalReachesEverySource(t *testing.T) {
	s, err := New(Config{
		Interval: time.Second,
		Prom:     []prom.Options{{URL: "http://127.0.0.1:1/metrics", Interval: time.Second}, {URL: "http://127.0.0.1:2/metrics", Interval: time.Second}},
		PromQL:   &promql.Options{ClientOptions: promql.ClientOptions{Server: "http://127.0.0.1:3"}, Panels: []promql.Panel{{Title: "up", Expr: "up"}}, Interval: time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.SetInterval(5 * time.Second)
	got := []time.Duration{s.Interval(), s.host.Interval(), s.scrapers[0].Interval(), s.scrapers[1].Interval(), s.promql.Interval()}
	for i, d := range got {
		if d != 5*time.Second {
			t.Errorf("interval %d = %v after SetInterval(5s): %v", i, d, got)
		}
	}
	s.SetInterval(time.Millisecond)
	if s.Interval() != metrics.MinInterval || s.host.Interval() != metrics.MinInterval {
		t.Errorf("SetInterval(1ms): session %v, host %v; want %v", s.Interval(), s.host.Interval(), metrics.MinInterval)
	}
}

// TestStartSourcesStopsThem: the sources write into the Store until the
// context ends, and are waited for (goleak checks none is left).
func TestStartSourcesStopsThem(t *testing.T) {
	s, err := New(Config{Interval: 100 * time.Millisecond, Prom: []prom.Options{{URL: "http://127.0.0.1:1/metrics"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait := s.startSources(ctx)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var sn metrics.Snapshot
		s.st.Snapshot(&sn)
		if _, ok := sn.Health["system"]; ok && len(sn.Prom) == 1 {
			if sn.Prom["http://127.0.0.1:1/metrics"].Up {
				t.Error("a dead target is up")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sources wrote nothing: %+v", sn.Health)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wait()
}
