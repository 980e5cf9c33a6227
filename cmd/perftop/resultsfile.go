package main

import (
	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/sources/load"
)

// timelinePointOf is one of the engine's timeline entries as a results
// file keeps it, for the .timeline.jsonl stream and the file's timeline.
func timelinePointOf(p load.TimelinePoint) results.TimelinePoint {
	return results.TimelinePoint{
		Seconds: p.Seconds, Requests: p.Requests, Errors: p.Errors, RPS: p.RPS,
		P50: p.P50, P99: p.P99, InFlight: p.InFlight,
	}
}
