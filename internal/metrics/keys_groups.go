package metrics

// A load test's series per request name and per --split-by value, one
// point per collection interval, so that the load screen can chart a
// name's latency beside the run's and a cache's hit share as it warms.
// Each is under a key made here from the name (or header and value) and a
// measure; the measure ends the key, so a name holding "/" (a URL) still
// makes one key per name.

// The measures of a name's series: finished requests per second, the
// interval's failures in percent of its finished requests, and its latency
// in seconds (NaN, a gap, for an interval without answers).
const (
	GroupRPS      = "rps"
	GroupErrorPct = "error_percent"
	GroupP50      = "p50"
	GroupP99      = "p99"
)

// The measures of a split value's series: its share of the interval's
// answers in percent, and its latency in seconds (NaN without answers).
const (
	SplitSharePct = "share_percent"
	SplitP50      = "p50"
	SplitP99      = "p99"
)

// KeyLoadName is request name's series of measure (GroupRPS ...).
func KeyLoadName(name, measure string) string { return "load.name/" + name + "/" + measure }

// KeyLoadHitRatio is the series of the interval's hit ratio in percent of
// a split header whose values are a cache's (Split.HitRatio): from the
// first interval with an answer that carries the header, so that a cache
// warming up climbs from 0, where the HIT value's share starts only with
// the first hit.
func KeyLoadHitRatio(header string) string { return "load.split/" + header + "/hit_percent" }

// KeyLoadSplit is the series of measure (SplitSharePct ...) of the run's
// answers whose header (as --split-by gave it) had value.
func KeyLoadSplit(header, value, measure string) string {
	return "load.split/" + header + "/" + value + "/" + measure
}
