package metrics

import "time"

// PromQLResult is a PromQL panel's latest state, as the PromQL source
// publishes it. Once published, a PromQLResult and its slices are never
// modified.
type PromQLResult struct {
	Title, Expr string
	// Series are at most a panel's cap of the series the query returned,
	// ordered by Labels so that a series keeps its place (and colour) from
	// one refresh to the next.
	Series []PromQLSeries
	// Hidden counts the series returned but not shown.
	Hidden int
	// Err is the latest round's error in words, "" when it succeeded.
	// After a failure, Series are still those fetched at At, so the chart
	// shows stale data rather than going blank.
	Err string
	// Warnings are the server's warnings about the query, if any.
	Warnings []string
	// At is when Series were fetched; zero before the first success.
	At time.Time
}

// PromQLSeries is one series of a result: its labels and points, oldest
// first.
type PromQLSeries struct {
	// Labels is the series in PromQL's notation, compact and sorted:
	// name{a="b",c="d"}, or {} for a series without labels.
	Labels string
	// Metric holds the labels one by one, the name under __name__.
	Metric map[string]string
	Points []Point
}

// Last returns the series' newest point, or false when it has none.
func (s PromQLSeries) Last() (Point, bool) {
	if len(s.Points) == 0 {
		return Point{}, false
	}
	return s.Points[len(s.Points)-1], true
}
