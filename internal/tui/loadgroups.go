package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

// Bounds of what the load screen keeps of a test's groups: request names and
// split values come from outside (a scenario file, a server's headers), so
// each is cut, and the rings kept are few whatever the test sends.
const (
	maxGroupName   = 64 // bytes of a request name or split value shown
	maxGroupRings  = 64 // request names with a latency ring
	maxSplitValues = 4  // values of a split header charted, most answers first
	maxSplitPanels = 3  // split headers drawn, in flag order
	defaultRingLen = 600
)

// groupView is the load screen's part of a test that sends several requests
// or splits its answers by a response header: the per-request table (as
// Locust's statistics), each request name's latency over time for the
// latency chart to draw the selected row beside the aggregate, and each
// split value's share of the answers over time. The rings are built from
// the Window of each snapshot's groups, one point per interval, bounded in
// length and in number. The zero value is not usable: newGroupView.
type groupView struct {
	sh    *shared
	table table.Model
	order int // an index into groupOrders

	lat    map[string]*groupRing  // by request name (sanitised)
	shares map[string]*ring       // by split header, "\x00", value
	last   float64                // time of the last interval taken in, Unix seconds
	groups []metrics.RequestGroup // the snapshot's, their names made safe (groupLabel)

	splitCharts [maxSplitPanels]chart.Model
}

// groupRing is one request name's latency, one point per interval.
type groupRing struct{ p50, p99 ring }

// ring is a bounded series with its times, oldest first, as a chart draws
// it.
type ring struct{ vals, times []float64 }

func (r *ring) add(t, v float64, capacity int) {
	if len(r.vals) >= capacity {
		n := copy(r.vals, r.vals[len(r.vals)-capacity+1:])
		copy(r.times, r.times[len(r.times)-capacity+1:])
		r.vals, r.times = r.vals[:n], r.times[:n]
	}
	r.vals = append(r.vals, v)
	r.times = append(r.times, t)
}

// Columns of the per-request table; groupNameCol tells rows apart.
const groupNameCol = 0

func newGroupView(sh *shared) *groupView {
	g := &groupView{sh: sh, lat: map[string]*groupRing{}, shares: map[string]*ring{}, table: table.New(
		table.Column{Title: "NAME", Flex: 1},
		table.Column{Title: "REQS", Width: 7, Right: true},
		table.Column{Title: "FAILS", Width: 6, Right: true},
		table.Column{Title: "REQ/S", Width: 6, Right: true},
		table.Column{Title: "P50", Width: 6, Right: true},
		table.Column{Title: "P90", Width: 6, Right: true, HideBelow: 72},
		table.Column{Title: "P99", Width: 6, Right: true},
		table.Column{Title: "P99.9", Width: 6, Right: true, HideBelow: 100},
		table.Column{Title: "MAX", Width: 6, Right: true, HideBelow: 64},
		table.Column{Title: "MEAN", Width: 6, Right: true, HideBelow: 108},
		table.Column{Title: "BYTES IN", Width: 9, Right: true, HideBelow: 116},
	)}
	g.table.SetKeyColumn(groupNameCol)
	return g
}

// groupOrders are the per-request table's orders, in the order > and < go
// through them; the first is the plan's (the scenario's or the arguments').
var groupOrders = []struct {
	name string
	cmp  func(a, b *metrics.RequestGroup) int
}{
	{"plan order", nil},
	{"requests", func(a, b *metrics.RequestGroup) int { return cmp.Compare(b.Requests, a.Requests) }},
	{"failures", func(a, b *metrics.RequestGroup) int { return cmp.Compare(b.Errors, a.Errors) }},
	{"req/s", func(a, b *metrics.RequestGroup) int { return cmp.Compare(b.Window.RPS, a.Window.RPS) }},
	{"p50", func(a, b *metrics.RequestGroup) int { return cmp.Compare(b.Latency.P50, a.Latency.P50) }},
	{"p99", func(a, b *metrics.RequestGroup) int { return cmp.Compare(b.Latency.P99, a.Latency.P99) }},
	{"max", func(a, b *metrics.RequestGroup) int { return cmp.Compare(b.Latency.Max, a.Latency.Max) }},
	{"name", func(a, b *metrics.RequestGroup) int { return strings.Compare(a.Name, b.Name) }},
}

// cycle moves the table to the next order, or the previous.
func (g *groupView) cycle(back bool) {
	n := len(groupOrders)
	if back {
		g.order = (g.order + n - 1) % n
	} else {
		g.order = (g.order + 1) % n
	}
	g.setRows(g.sh.snap.LoadTest)
}

// active reports whether the test has groups to show.
func (g *groupView) active() bool {
	lt := g.sh.snap.LoadTest
	return lt != nil && len(lt.ByName) > 0
}

// groupLabel makes a request name or a split value, which come from
// outside, safe to draw: on one line, without control or format characters
// (bidirectional overrides, zero-width joiners), at most maxGroupName bytes.
func groupLabel(s string) string {
	s = printable.Line(s)
	if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cf, r) }) >= 0 {
		s = strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Cf, r) {
				return -1
			}
			return r
		}, s)
	}
	if s == "" {
		s = "(empty)"
	}
	return printable.Cut(s, maxGroupName)
}

// setData takes in the latest snapshot: the table's rows, and a point on
// each ring when the snapshot holds a new interval.
func (g *groupView) setData() {
	lt := g.sh.snap.LoadTest
	if lt == nil {
		g.groups = nil
		g.table.SetRows(nil)
		return
	}
	g.groups = labelled(g.groups[:0], lt.ByName)
	g.setRows(lt)
	t := g.intervalTime(lt)
	if t <= g.last { // a snapshot of the same interval (the host's samples come in between)
		return
	}
	g.last = t
	capacity := cmp.Or(g.sh.capacity, defaultRingLen)
	seen := map[string]bool{}
	for i := range g.groups {
		gr := &g.groups[i]
		seen[gr.Name] = true
		r := g.lat[gr.Name]
		if r == nil {
			if len(g.lat) >= maxGroupRings {
				continue
			}
			r = &groupRing{}
			g.lat[gr.Name] = r
		}
		if q := gr.Window.Latency; q != (metrics.Quantiles{}) { // no answers is no point, not a 0 s one
			r.p50.add(t, q.P50, capacity)
			r.p99.add(t, q.P99, capacity)
		}
	}
	for name := range g.lat {
		if !seen[name] {
			delete(g.lat, name)
		}
	}
	g.addShares(lt.Splits, t, capacity)
}

// labelled copies groups into dst with their names made safe and distinct.
func labelled(dst, groups []metrics.RequestGroup) []metrics.RequestGroup {
	seen := make(map[string]int, len(groups))
	for _, gr := range groups {
		name := groupLabel(gr.Name)
		if n := seen[name]; n > 0 { // two names alike once cut or cleaned
			seen[name]++
			name += " #" + strconv.Itoa(n+1)
		} else {
			seen[name] = 1
		}
		gr.Name = name
		dst = append(dst, gr)
	}
	return dst
}

// intervalTime is the time of the snapshot's interval: the engine's latest
// point of the aggregate series, so that the rings line up with it on the
// chart.
func (g *groupView) intervalTime(lt *metrics.LoadTest) float64 {
	if pts := g.sh.snap.Get(metrics.KeyLoadRPS); len(pts) > 0 {
		return unixSeconds(pts[len(pts)-1].T)
	}
	if lt.Started.IsZero() {
		return 0
	}
	return unixSeconds(lt.Started.Add(lt.Elapsed))
}

// addShares adds each charted split value's share of the interval's
// answers, in percent; the values charted are the most answered so far.
func (g *groupView) addShares(splits []metrics.Split, t float64, capacity int) {
	keep := map[string]bool{}
	for _, sp := range splits[:min(len(splits), maxSplitPanels)] {
		var total int64
		for _, v := range sp.Values {
			total += v.Window.Requests
		}
		for _, v := range sp.Values[:min(len(sp.Values), maxSplitValues)] {
			k := shareKey(sp.Header, v.Value)
			keep[k] = true
			if total == 0 {
				continue // no answers in the interval: no share
			}
			r := g.shares[k]
			if r == nil {
				r = &ring{}
				g.shares[k] = r
			}
			r.add(t, float64(v.Window.Requests)/float64(total)*100, capacity)
		}
	}
	for k := range g.shares {
		if !keep[k] {
			delete(g.shares, k)
		}
	}
}

func shareKey(header, value string) string { return header + "\x00" + value }

// setRows fills the table in the order chosen.
func (g *groupView) setRows(lt *metrics.LoadTest) {
	if lt == nil {
		return
	}
	list := slices.Clone(g.groups)
	if c := groupOrders[g.order].cmp; c != nil {
		slices.SortStableFunc(list, func(a, b metrics.RequestGroup) int { return c(&a, &b) })
	}
	live := lt.State != metrics.TestDone
	rows := make([][]string, 0, len(list))
	for i := range list {
		gr := &list[i]
		rps := gr.RPS
		if live {
			rps = gr.Window.RPS
		}
		q := gr.Latency
		rows = append(rows, []string{
			gr.Name, countCell(gr.Requests, 7), countCell(gr.Errors, 6), units.Count(rps),
			latencyCell(q.P50), latencyCell(q.P90), latencyCell(q.P99), latencyCell(q.P999),
			latencyCell(q.Max), latencyCell(q.Mean), units.Bytes(float64(gr.BytesIn)),
		})
	}
	g.table.SetRows(rows)
}

// countCell is n whole when it fits w cells, else compact (12.3M).
func countCell(n int64, w int) string {
	if s := strconv.FormatInt(n, 10); len(s) <= w {
		return s
	}
	return units.Count(float64(n))
}

// latencyCell is a latency, or "-" for a group with no answers.
func latencyCell(s float64) string {
	if s == 0 {
		return "-"
	}
	return units.Seconds(s)
}

// selected is the group under the table's cursor.
func (g *groupView) selected() (*metrics.RequestGroup, bool) {
	row, ok := g.table.Selected()
	if !ok {
		return nil, false
	}
	for i := range g.groups {
		if g.groups[i].Name == row[groupNameCol] {
			return &g.groups[i], true
		}
	}
	return nil, false
}
