package session

import (
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// TestProgressLine: a second with answers shows its latency; one without
// says so rather than a latency of 0, in the same width.
func TestProgressLine(t *testing.T) {
	lt := &metrics.LoadTest{Elapsed: 3 * time.Second, Planned: 10 * time.Second,
		Window: metrics.Window{RPS: 250, Latency: metrics.Quantiles{P50: 0.002, P99: 0.01, Max: 0.02}}}
	with := ProgressLine(lt)
	if !strings.Contains(with, "p50 2.00ms") || !strings.Contains(with, "p99 10.0ms") {
		t.Errorf("with answers: %q", with)
	}
	lt.Window = metrics.Window{RPS: 2, ErrorPercent: 100}
	without := ProgressLine(lt)
	if !strings.Contains(without, "no answers") || strings.Contains(without, "p50 0") {
		t.Errorf("without answers: %q", without)
	}
	if strings.Index(without, "err") != strings.Index(with, "err") {
		t.Errorf("the columns moved:\n%s\n%s", with, without)
	}
}

// TestProgressLineHitRatio: with --split-by a cache's header, the line says
// the interval's hit ratio (of the answers that carry the header); a
// balancer's header adds nothing.
func TestProgressLineHitRatio(t *testing.T) {
	v := func(value string, n int64) metrics.SplitValue {
		return metrics.SplitValue{Value: value, Answers: 10 * n, Window: metrics.GroupWindow{Requests: n}}
	}
	lt := &metrics.LoadTest{Elapsed: time.Second, Window: metrics.Window{RPS: 10},
		Splits: []metrics.Split{{Header: "X-Cache", Values: []metrics.SplitValue{v("HIT", 81), v("MISS", 19), v("(none)", 50)}}}}
	if line := ProgressLine(lt); !strings.HasSuffix(line, "  hit 81%") {
		t.Errorf("one split: %q", line)
	}
	lt.Splits = append(lt.Splits, metrics.Split{Header: "X-Served-By", Values: []metrics.SplitValue{v("node-1", 5)}})
	if line := ProgressLine(lt); !strings.HasSuffix(line, "  X-Cache  hit 81%") {
		t.Errorf("two splits: %q", line)
	}
}
