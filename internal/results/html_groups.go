package results

import (
	"fmt"
	"strconv"

	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/units"
)

// nameRow is one request name's row of the HTML report's per-name table:
// requests, failures, req/s, p50, p90, p99, p99.9, max, mean, bytes in.
type nameRow struct {
	Name    string
	Cells   []string
	Latency []string // p50 p90 p99 p99.9 max mean; nil without answers
	Bytes   string
}

// splitTable is one split header's values, for the run or one name.
type splitTable struct {
	Title, Hit string
	Rows       []nameRow // value; answers, share, p50, p90, p99, max
}

// mixNote says where the mix's per-request results are, or that a file
// from before they were kept has none.
func mixNote(f *File) string {
	switch {
	case len(f.ByName) > 0:
		return "Each request name's results are under By request name."
	case len(f.Settings.Targets) > 1:
		return "Results per request of the mix are not in this file (it is older than them): every number above is the whole mix's."
	}
	return ""
}

// nameRows are the run's request names, cleaned and formatted.
func nameRows(r *Result) []nameRow {
	var out []nameRow
	for _, g := range r.ByName {
		l := g.Latency
		row := nameRow{Name: printable.Line(g.Name), Cells: []string{
			strconv.FormatInt(g.Requests, 10), errorPercent(g.Requests, g.Errors), units.Count(g.RequestRateRPS),
		}}
		if l.Count > 0 {
			row.Latency = []string{units.Seconds(l.P50), units.Seconds(l.P90), units.Seconds(l.P99), units.Seconds(l.P999), units.Seconds(l.Max), units.Seconds(l.Mean)}
		}
		row.Bytes = units.Bytes(float64(g.BytesReceived))
		out = append(out, row)
	}
	return out
}

// splitTables are the run's splits, then each name's when there are
// several names.
func splitTables(r *Result) []splitTable {
	var out []splitTable
	add := func(name string, sps []Split) {
		for _, sp := range sps {
			t := splitTable{Title: "by " + printable.Line(sp.Header)}
			if name != "" {
				t.Title += " of " + printable.Line(name)
			}
			if hr, ok := sp.HitRatio(); ok {
				t.Hit = fmt.Sprintf("hit ratio %.1f%%", hr*100)
			}
			for _, v := range sp.Values {
				l := v.Latency
				row := nameRow{Name: printable.Line(v.Value), Cells: []string{strconv.FormatInt(v.Answers, 10), sharePercent(v.Share * 100), strconv.FormatInt(v.Errors, 10)}}
				if l.Count > 0 {
					row.Latency = []string{units.Seconds(l.P50), units.Seconds(l.P90), units.Seconds(l.P99), units.Seconds(l.Max)}
				}
				t.Rows = append(t.Rows, row)
			}
			out = append(out, t)
		}
	}
	add("", r.Splits)
	if len(r.ByName) > 1 {
		for _, g := range r.ByName {
			add(g.Name, g.Splits)
		}
	}
	return out
}
