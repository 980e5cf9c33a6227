package load

import (
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

func TestExpandProfile(t *testing.T) {
	tests := []struct {
		name     string
		duration time.Duration
		want     time.Duration
		peak     float64
	}{
		{"baseline", 0, time.Minute, 10},
		{"baseline", 5 * time.Second, 5 * time.Second, 10},
		{"endurance", 0, 30 * time.Minute, 10},
		{"volume", 0, time.Minute, 10},
		{"spike", 0, 92 * time.Second, 100},
		{"stress", 0, 300 * time.Second, 100},
		{"stress", 100 * time.Second, 100 * time.Second, 100},
	}
	for _, tt := range tests {
		p, err := ExpandProfile(tt.name, 10, tt.duration)
		if err != nil {
			t.Fatal(err)
		}
		if got := (Plan{Stages: p.Stages}).Duration(); got != tt.want || p.Duration != tt.want {
			t.Errorf("%s(%v): plan %v, duration %v, want %v", tt.name, tt.duration, got, p.Duration, tt.want)
		}
		peak := 0.0
		for _, s := range p.Stages {
			peak = max(peak, s.Target)
		}
		if peak != tt.peak {
			t.Errorf("%s: peak %v, want %v", tt.name, peak, tt.peak)
		}
	}
	if _, err := ExpandProfile("soak", 10, 0); err == nil || !strings.Contains(err.Error(), "baseline, stress, spike, endurance, volume") {
		t.Errorf("unknown profile: %v", err)
	}
}

func win(reqs, errs int64, p99 float64) metrics.Window {
	return metrics.Window{Requests: reqs, Errors: errs, Latency: metrics.Quantiles{P99: p99}}
}

func TestStressWatch(t *testing.T) {
	tests := []struct {
		name              string
		windows           []metrics.Window // one per second, steps of 2s
		wantStop          bool
		lastGood, brokeAt float64
		why               string
	}{
		{
			name:     "errors break the third step",
			windows:  []metrics.Window{win(100, 0, .01), win(100, 0, .01), win(200, 1, .01), win(200, 0, .01), win(300, 30, .02), win(300, 40, .02)},
			wantStop: true, lastGood: 20, brokeAt: 30, why: "error rate",
		},
		{
			name:     "latency breaks the second step",
			windows:  []metrics.Window{win(100, 0, .01), win(100, 0, .01), win(200, 0, .2), win(200, 0, .2), win(1, 0, 0)},
			wantStop: true, lastGood: 10, brokeAt: 20, why: "p99",
		},
		{
			name:     "holds",
			windows:  []metrics.Window{win(100, 0, .01), win(100, 0, .01), win(200, 0, .02), win(200, 0, .02)},
			lastGood: 20,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &StressWatch{Level: 10, Step: 2 * time.Second}
			stopped := false
			for i, win := range tt.windows {
				if w.Observe(time.Duration(i)*time.Second, win) {
					stopped = true
					break
				}
			}
			w.Finish()
			if stopped != tt.wantStop || w.LastGood != tt.lastGood || w.BrokeAt != tt.brokeAt || !strings.Contains(w.BrokeWhy, tt.why) {
				t.Fatalf("stop %v last good %v broke at %v (%s); want %v %v %v %q", stopped, w.LastGood, w.BrokeAt, w.BrokeWhy, tt.wantStop, tt.lastGood, tt.brokeAt, tt.why)
			}
		})
	}
}

func TestStressWatchWithSLOs(t *testing.T) {
	w := &StressWatch{Level: 10, Step: 2 * time.Second, Check: func(s StepStats) (bool, string) {
		if s.Latency.P99 > 0.05 {
			return true, "p99<50ms breached"
		}
		return false, ""
	}}
	wins := []metrics.Window{win(100, 0, .01), win(100, 0, .02), win(200, 0, .03), win(200, 0, .04), win(300, 0, .06), win(300, 0, .01), win(1, 0, 0)}
	stopped := false
	for i, x := range wins {
		if w.Observe(time.Duration(i)*time.Second, x) {
			stopped = true
			break
		}
	}
	if !stopped || w.LastGood != 20 || w.BrokeAt != 30 || w.BrokeWhy != "p99<50ms breached" {
		t.Fatalf("stopped %v, last good %v, broke at %v (%s)", stopped, w.LastGood, w.BrokeAt, w.BrokeWhy)
	}
}

// TestStressWatchMissedRate: when the levels are rates, a step that
// achieves under 95% of its rate has not held, with or without SLOs.
func TestStressWatchMissedRate(t *testing.T) {
	sec := func(reqs int64) metrics.Window {
		w := win(reqs, 0, .01)
		w.Duration = time.Second
		return w
	}
	for _, check := range []func(StepStats) (bool, string){nil, func(StepStats) (bool, string) { return false, "" }} {
		w := &StressWatch{Level: 100, Step: 2 * time.Second, Rate: true, Check: check}
		wins := []metrics.Window{sec(100), sec(100), sec(190), sec(190), sec(250), sec(250), sec(1)}
		stopped := false
		for i, x := range wins {
			if w.Observe(time.Duration(i)*time.Second, x) {
				stopped = true
				break
			}
		}
		if !stopped || w.LastGood != 200 || w.BrokeAt != 300 || w.BrokeWhy != "achieved 250 req/s, under 95% of 300/s" {
			t.Fatalf("SLOs %v: stopped %v, last good %v, broke at %v (%s)", check != nil, stopped, w.LastGood, w.BrokeAt, w.BrokeWhy)
		}
	}
	// Workers as levels: the rate says nothing.
	w := &StressWatch{Level: 100, Step: 2 * time.Second}
	for i, x := range []metrics.Window{sec(10), sec(10), sec(10), sec(10)} {
		w.Observe(time.Duration(i)*time.Second, x)
	}
	w.Finish()
	if w.BrokeAt != 0 || w.LastGood != 200 {
		t.Fatalf("concurrency levels: broke at %v, last good %v", w.BrokeAt, w.LastGood)
	}
}
