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
	q := lt.Window.Latency
	lat := fmt.Sprintf("p50 %-7s p99 %-7s", units.Seconds(q.P50), units.Seconds(q.P99))
	if q == (metrics.Quantiles{}) { // no answer is not a latency of 0, as on the load screen
		lat = fmt.Sprintf("%-23s", "no answers")
	}
	return fmt.Sprintf("[%6s/%s] %8s req/s%s  %s err %5.2f%%  in flight %d%s%s",
		units.Duration(lt.Elapsed.Truncate(time.Second)), total, units.Count(lt.Window.RPS), target,
		lat, lt.Window.ErrorPercent, lt.InFlight, hitNote(lt), stateNote(lt))
}

// hitNote is the interval's hit ratio of each --split-by header whose
// values are a cache's: "  hit 81%", the header named when there are
// several splits.
func hitNote(lt *metrics.LoadTest) string {
	note := ""
	for _, sp := range lt.Splits {
		r, ok := sp.HitRatio(true)
		if !ok {
			continue
		}
		if len(lt.Splits) > 1 {
			note += "  " + sp.Header
		}
		note += fmt.Sprintf("  hit %.0f%%", r*100)
	}
	return note
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
