package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/units"
)

// TestPinnedFamilies: a family pinned from the metric browser is charted on
// the overview, and every size still draws an exact frame.
func TestPinnedFamilies(t *testing.T) {
	const url = "http://svc:9090/metrics"
	st := fakeStore(60)
	st.Update(func(tx metrics.Tx) {
		tx.SetPromTarget(&metrics.PromTarget{URL: url, Up: true, Series: 3,
			Families: []metrics.FamilyInfo{{Name: "http_requests_total", Type: "counter", Series: 2}},
			Watched:  map[string]string{"http_requests_total": "rate"}})
		tx.Write(&metrics.Batch{T: fakeT0, Keys: []string{metrics.PromWatchKey(url, "http_requests_total", "value")}, Values: []float64{42}})
	})
	var watched []string
	m := New(Options{Store: st, Interval: time.Second, PromTargets: []string{url}, Watch: func(_ string, f []string) { watched = f }})
	m.SetSize(120, 40)
	send(m, "7", " ")
	if len(watched) != 1 || watched[0] != "http_requests_total" {
		t.Fatalf("watched %v after space", watched)
	}
	send(m, "1")
	frame := plainFrame(m)
	if !strings.Contains(frame, "╭─ http_requests_total") || !strings.Contains(frame, "sum of rates /s 42") {
		t.Fatalf("overview without the pin:\n%s", frame)
	}
	for w := MinWidth; w <= 200; w += 13 {
		for h := MinHeight; h <= 60; h += 7 {
			m.SetSize(w, h)
			for i := range m.screens { // the Prometheus screen included
				m.active = i
				checkFrame(t, m.Frame(), w, h)
			}
		}
	}
	m.active = 0
	send(m, "7", " ")
	if len(watched) != 0 {
		t.Fatalf("still watching %v after unpinning", watched)
	}
}

// TestPromQLScreenReadsTheStore: the PromQL screen draws the results the
// PromQL source published in the Store, like every other screen.
func TestPromQLScreenReadsTheStore(t *testing.T) {
	st := fakeStore(60)
	pts := []metrics.Point{{T: fakeT0, V: 1}, {T: fakeT0.Add(time.Second), V: 3}}
	st.Update(func(tx metrics.Tx) {
		tx.SetPromQL([]metrics.PromQLResult{{
			Title: "req/s", Expr: "sum(rate(http_requests_total[1m]))",
			Series: []metrics.PromQLSeries{{Labels: `{job="api"}`, Metric: map[string]string{"job": "api"}, Points: pts}},
			At:     fakeT0,
		}})
	})
	m := New(Options{Store: st, PromQL: true})
	m.SetSize(120, 40)
	send(m, "7")
	frame := plainFrame(m)
	for _, want := range []string{"req/s", "sum(rate(http_requests_total[1m]))"} {
		if !strings.Contains(frame, want) {
			t.Errorf("PromQL screen lacks %q:\n%s", want, frame)
		}
	}
}

// TestPromQLLegendAndUnits: a series without labels is named by its
// panel's title, not "{}", and values carry the unit the metric names say.
func TestPromQLLegendAndUnits(t *testing.T) {
	st := fakeStore(60)
	pts := []metrics.Point{{T: fakeT0, V: 0.0123}, {T: fakeT0.Add(time.Second), V: 0.0456}}
	bytesPts := []metrics.Point{{T: fakeT0, V: 2 << 20}, {T: fakeT0.Add(time.Second), V: 3 << 20}}
	st.Update(func(tx metrics.Tx) {
		tx.SetPromQL([]metrics.PromQLResult{
			{Title: "api p99", Expr: "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket[1m])))",
				Series: []metrics.PromQLSeries{{Labels: "{}", Metric: map[string]string{}, Points: pts}}, At: fakeT0},
			{Title: "rx", Expr: "sum(rate(node_network_receive_bytes_total[1m]))",
				Series: []metrics.PromQLSeries{{Labels: "{}", Metric: map[string]string{}, Points: bytesPts}}, At: fakeT0},
		})
	})
	m := New(Options{Store: st, PromQL: true})
	m.SetSize(120, 40)
	send(m, "7")
	frame := plainFrame(m)
	for _, want := range []string{"━ api p99 45.6ms", "━ rx 3.00 MiB/s"} {
		if !strings.Contains(frame, want) {
			t.Errorf("PromQL screen lacks %q:\n%s", want, frame)
		}
	}
	if strings.Contains(frame, "{}") {
		t.Errorf("a legend says {}:\n%s", frame)
	}
}

func TestUnitOf(t *testing.T) {
	for _, tt := range []struct {
		expr string
		v    float64
		want string
	}{
		{"histogram_quantile(0.99, rate(x_seconds_bucket[1m]))", 0.5, units.Seconds(0.5)},
		{"go_memstats_heap_alloc_bytes", 1 << 20, units.Bytes(1 << 20)},
		{"rate(node_network_receive_bytes_total[1m])", 1 << 20, units.BytesRate(1 << 20)},
		{"rate(process_cpu_seconds_total[1m])", 0.5, units.Count(0.5)},
		{"process_start_time_seconds", 1.7e9, units.Count(1.7e9)},
		{"up", 1, units.Count(1)},
	} {
		if got := unitOf(tt.expr)(tt.v); got != tt.want {
			t.Errorf("%s: %q; want %q", tt.expr, got, tt.want)
		}
	}
}
