package session

import (
	"fmt"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/units"
)

// ProgressLine is the headless run's line a second.
func ProgressLine(lt *metrics.LoadTest) string {
	total := "∞"
	if lt.Planned > 0 {
		total = units.Duration(lt.Planned)
	}
	target := ""
	if lt.Mode == metrics.OpenLoop {
		target = fmt.Sprintf(" (target %s/s)", units.Count(lt.Target))
	}
	return fmt.Sprintf("[%6s/%s] %8s req/s%s  p50 %-7s p99 %-7s err %5.2f%%  in flight %d%s",
		units.Duration(lt.Elapsed.Truncate(time.Second)), total, units.Count(lt.Window.RPS), target,
		units.Seconds(lt.Window.Latency.P50), units.Seconds(lt.Window.Latency.P99),
		lt.Window.ErrorPercent, lt.InFlight, stateNote(lt))
}

func stateNote(lt *metrics.LoadTest) string {
	switch {
	case lt.State == metrics.TestPaused:
		return "  PAUSED"
	case lt.Stages > 0:
		return fmt.Sprintf("  stage %d/%d", lt.Stage+1, lt.Stages)
	}
	return ""
}
