package results

// TimelinePoint is one interval of a run, about a second: a results file's
// "timeline" entry and a line of the .timeline.jsonl stream. Latencies are
// in seconds; Seconds is the interval's end, from the start of the run.
type TimelinePoint struct {
	Seconds  float64 `json:"t"`
	Requests int64   `json:"requests"` // finished in the interval
	Errors   int64   `json:"errors"`
	RPS      float64 `json:"rps"`
	P50      float64 `json:"p50"`
	P99      float64 `json:"p99"`
	InFlight int64   `json:"in_flight"` // at the interval's end
}
