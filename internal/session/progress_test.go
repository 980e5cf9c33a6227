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
