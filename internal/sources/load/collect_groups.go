package load

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/perftop/perftop/internal/metrics"
)

// groupCollector is the collector's part for request names and splits: it
// drains the groups' recorders every interval as the collector drains the
// totals'. Only the collector's goroutine uses it.
type groupCollector struct {
	gs        *groups
	win       []*metrics.Counts // by group, the last interval
	total     []*metrics.Counts // by group, the whole run
	prev, cur []groupCounts
	vals      [][][]*valueCol // [group][header][value]; nil until seen
	all       [][]*valueCol   // [header][value], every group's: with more than one group
	names     [][]string      // each header's values by index, as of the last drain
	// scratch and scratchAll hold one value's interval while it is
	// drained, a group's and every group's: a value keeps only its
	// interval's quantiles and its run's histogram.
	scratch, scratchAll *hdrhistogram.Histogram
	// keys are the Store's series keys by name, or by header and value,
	// made once each.
	nameKeys  map[string]*[4]string
	splitKeys map[[2]string]*[3]string
	hitKeys   map[string]string
}

// valueCol is one split value's latency: the interval's quantiles and the
// run's histogram (coarse: metrics.CoarseRecorder).
type valueCol struct {
	win   metrics.Quantiles
	total *hdrhistogram.Histogram
}

func newValueCol() *valueCol { return &valueCol{total: metrics.NewCoarseHistogram()} }

func newGroupCollector(gs *groups) *groupCollector {
	gc := &groupCollector{gs: gs}
	if !gs.on() {
		return gc
	}
	gc.scratch, gc.scratchAll = metrics.NewCoarseHistogram(), metrics.NewCoarseHistogram()
	n := len(gs.names)
	gc.prev, gc.cur = make([]groupCounts, n), make([]groupCounts, n)
	for g := range n {
		gc.win = append(gc.win, metrics.NewCounts())
		gc.total = append(gc.total, metrics.NewCounts())
		vals := make([][]*valueCol, len(gs.tables))
		for h, t := range gs.tables {
			vals[h] = make([]*valueCol, t.size())
		}
		gc.vals = append(gc.vals, vals)
		for _, c := range []*groupCounts{&gc.prev[g], &gc.cur[g]} {
			c.answers, c.valFailed = make([][]int64, len(gs.tables)), make([][]int64, len(gs.tables))
			for h, t := range gs.tables {
				c.answers[h], c.valFailed[h] = make([]int64, t.size()), make([]int64, t.size())
			}
		}
	}
	gc.all = make([][]*valueCol, len(gs.tables))
	for h, t := range gs.tables {
		gc.all[h] = make([]*valueCol, t.size())
	}
	return gc
}

// drain moves the groups' latencies into their histograms and sums their
// counters.
func (gc *groupCollector) drain(shards []*shard) {
	gs := gc.gs
	if !gs.on() {
		return
	}
	for g := range gs.names {
		if len(gs.names) == 1 {
			break // one name's latency is the run's, not recorded twice
		}
		gc.win[g].Reset()
		for _, s := range shards {
			s.groups[g].latency.DrainCounts(gc.win[g])
		}
		gc.total[g].Merge(gc.win[g])
	}
	gc.prev, gc.cur = gc.cur, gc.prev
	sumGroups(gc.cur, shards)
	for h, t := range gs.tables {
		for v := range t.size() {
			gc.drainValue(h, v)
		}
	}
	gc.names = gc.names[:0]
	for _, t := range gs.tables {
		gc.names = append(gc.names, t.values())
	}
}

// drainValue drains header h's value v of every group: each group's
// interval and run, and with several groups every group's; and counts
// each group's answers of the value so far, one per value recorded.
func (gc *groupCollector) drainValue(h, v int) {
	gs := gc.gs
	gc.scratchAll.Reset()
	seen := false
	for g := range gs.names {
		gc.cur[g].answers[h][v] = 0
		r := gs.lat[g][h][v].Load()
		if r == nil {
			continue
		}
		seen = true
		vc := gc.vals[g][h][v]
		if vc == nil {
			vc = newValueCol()
			gc.vals[g][h][v] = vc
		}
		gc.scratch.Reset()
		r.DrainInto(gc.scratch)
		vc.win = quantiles(gc.scratch)
		vc.total.Merge(gc.scratch)
		gc.cur[g].answers[h][v] = vc.total.TotalCount()
		gc.scratchAll.Merge(gc.scratch)
	}
	if !seen || len(gs.names) == 1 {
		return
	}
	a := gc.all[h][v]
	if a == nil {
		a = newValueCol()
		gc.all[h][v] = a
	}
	a.win = quantiles(gc.scratchAll)
	a.total.Merge(gc.scratchAll)
}

// view is the groups as the load screen shows them, after drain: dt is
// the interval, elapsed the run's time so far. byName is empty for one
// group, whose splits are then the run's.
func (gc *groupCollector) view(dt, elapsed time.Duration) (byName []metrics.RequestGroup, splits []metrics.Split) {
	gs := gc.gs
	if !gs.on() {
		return nil, nil
	}
	per := func(n int64, d time.Duration) float64 {
		if d <= 0 {
			return 0
		}
		return float64(n) / d.Seconds()
	}
	for g, name := range gs.names {
		c, p := &gc.cur[g], &gc.prev[g]
		rg := metrics.RequestGroup{
			Name: name, Requests: c.finished, Errors: c.failed, ErrorsByKind: kindMap(c.kinds),
			BytesIn: c.bytesIn, RPS: per(c.finished, elapsed), Latency: gc.total[g].Quantiles(),
			Window: metrics.GroupWindow{
				Requests: c.finished - p.finished, Errors: c.failed - p.failed,
				RPS: per(c.finished-p.finished, dt), ErrorsPerSecond: per(c.failed-p.failed, dt),
				Latency: gc.win[g].Quantiles(),
			},
		}
		for h := range gs.tables {
			rg.Splits = append(rg.Splits, gc.split(h, gc.vals[g][h], counts{c.answers[h], c.valFailed[h]}, counts{p.answers[h], p.valFailed[h]}, dt))
		}
		byName = append(byName, rg)
	}
	if len(gs.names) == 1 {
		return nil, byName[0].Splits
	}
	for h := range gs.tables {
		splits = append(splits, gc.split(h, gc.all[h], gc.allCounts(gc.cur, h), gc.allCounts(gc.prev, h), dt))
	}
	return byName, splits
}

// counts are one header's answers and failed answers by value.
type counts struct{ answers, failed []int64 }

// allCounts are header h's counts of every group in cs.
func (gc *groupCollector) allCounts(cs []groupCounts, h int) counts {
	n := gc.gs.tables[h].size()
	out := counts{make([]int64, n), make([]int64, n)}
	for g := range cs {
		for v := range n {
			out.answers[v] += cs[g].answers[h][v]
			out.failed[v] += cs[g].valFailed[h][v]
		}
	}
	return out
}

// split is header h's values with answers, most first: their shares of
// the answers, their latency over the run and the interval, and the
// interval's failed answers (4xx, 5xx).
func (gc *groupCollector) split(h int, vals []*valueCol, cur, prev counts, dt time.Duration) metrics.Split {
	sp := metrics.Split{Header: gc.gs.tables[h].header}
	var answers int64
	for _, n := range cur.answers {
		answers += n
	}
	names := gc.names[h]
	for v, n := range cur.answers {
		if n == 0 || v >= len(names) {
			continue
		}
		sv := metrics.SplitValue{Value: names[v], Answers: n, Share: float64(n) / float64(answers)}
		sv.Window.Requests = n - prev.answers[v]
		sv.Window.Errors = cur.failed[v] - prev.failed[v]
		if dt > 0 {
			sv.Window.RPS = float64(sv.Window.Requests) / dt.Seconds()
			sv.Window.ErrorsPerSecond = float64(sv.Window.Errors) / dt.Seconds()
		}
		if vc := vals[v]; vc != nil {
			sv.Latency, sv.Window.Latency = quantiles(vc.total), vc.win
		}
		sp.Values = append(sp.Values, sv)
	}
	slices.SortStableFunc(sp.Values, func(a, b metrics.SplitValue) int { return cmp.Compare(b.Answers, a.Answers) })
	return sp
}

// result is the groups as the results file keeps them, after the last
// drain: byName is empty for one group, whose splits are then the run's.
func (gc *groupCollector) result(elapsed time.Duration) (byName []GroupResult, splits []SplitResult) {
	gs := gc.gs
	if !gs.on() {
		return nil, nil
	}
	for g, name := range gs.names {
		c := &gc.cur[g]
		gr := GroupResult{
			Name: name, Requests: c.finished, Errors: c.failed, ErrorsByKind: kindMap(c.kinds),
			BytesReceived: c.bytesIn, Latency: countsSummary(gc.total[g]), LatencyHistogram: gc.total[g].HDR(),
		}
		if elapsed > 0 {
			gr.RequestRateRPS = float64(c.finished) / elapsed.Seconds()
		}
		for h := range gs.tables {
			gr.Splits = append(gr.Splits, gc.splitResult(h, gc.vals[g][h], counts{c.answers[h], c.valFailed[h]}))
		}
		byName = append(byName, gr)
	}
	if len(gs.names) == 1 {
		return nil, byName[0].Splits
	}
	for h := range gs.tables {
		splits = append(splits, gc.splitResult(h, gc.all[h], gc.allCounts(gc.cur, h)))
	}
	return byName, splits
}

func (gc *groupCollector) splitResult(h int, vals []*valueCol, cur counts) SplitResult {
	sp := gc.split(h, vals, cur, counts{make([]int64, len(cur.answers)), make([]int64, len(cur.failed))}, 0)
	out := SplitResult{Header: sp.Header, Values: []SplitValueResult{}}
	for _, sv := range sp.Values {
		// The whole run as one interval: Window.Errors is every failed answer.
		r := SplitValueResult{Value: sv.Value, Answers: sv.Answers, Errors: sv.Window.Errors, Share: sv.Share}
		for v, name := range gc.names[h] {
			if name == sv.Value && vals[v] != nil {
				r.Latency = summary(vals[v].total)
			}
		}
		out.Values = append(out.Values, r)
	}
	return out
}

// publish adds each name's and each split value's interval to b, the
// collector's batch: byName and splits as view made them.
func (gc *groupCollector) publish(b *metrics.Batch, byName []metrics.RequestGroup, splits []metrics.Split) {
	// A latency of an interval without answers is a gap in the chart, not
	// a fake zero; an interval's quantiles are all zero only then (every
	// latency is recorded as 1µs at least).
	lat := func(q metrics.Quantiles, v float64) float64 {
		if q == (metrics.Quantiles{}) {
			return math.NaN()
		}
		return v
	}
	for _, g := range byName {
		k := gc.nameKeys[g.Name]
		if k == nil {
			if gc.nameKeys == nil {
				gc.nameKeys = map[string]*[4]string{}
			}
			k = &[4]string{}
			for i, m := range []string{metrics.GroupRPS, metrics.GroupErrorPct, metrics.GroupP50, metrics.GroupP99} {
				k[i] = metrics.KeyLoadName(g.Name, m)
			}
			gc.nameKeys[g.Name] = k
		}
		w := g.Window
		errPct := 0.0
		if w.Requests > 0 {
			errPct = float64(w.Errors) / float64(w.Requests) * 100
		}
		b.Add(k[0], w.RPS)
		b.Add(k[1], errPct)
		b.Add(k[2], lat(w.Latency, w.Latency.P50))
		b.Add(k[3], lat(w.Latency, w.Latency.P99))
	}
	for _, sp := range splits {
		var all int64
		for _, v := range sp.Values {
			all += v.Window.Requests
		}
		if hr, ok := sp.HitRatio(true); ok {
			k, ok := gc.hitKeys[sp.Header]
			if !ok {
				if gc.hitKeys == nil {
					gc.hitKeys = map[string]string{}
				}
				k = metrics.KeyLoadHitRatio(sp.Header)
				gc.hitKeys[sp.Header] = k
			}
			b.Add(k, hr*100)
		}
		for _, v := range sp.Values {
			id := [2]string{sp.Header, v.Value}
			k := gc.splitKeys[id]
			if k == nil {
				if gc.splitKeys == nil {
					gc.splitKeys = map[[2]string]*[3]string{}
				}
				k = &[3]string{}
				for i, m := range []string{metrics.SplitSharePct, metrics.SplitP50, metrics.SplitP99} {
					k[i] = metrics.KeyLoadSplit(sp.Header, v.Value, m)
				}
				gc.splitKeys[id] = k
			}
			share := math.NaN()
			if all > 0 {
				share = float64(v.Window.Requests) / float64(all) * 100
			}
			b.Add(k[0], share)
			b.Add(k[1], lat(v.Window.Latency, v.Window.Latency.P50))
			b.Add(k[2], lat(v.Window.Latency, v.Window.Latency.P99))
		}
	}
}

// kindMap is failure counts by kind's name, the kinds with any.
func kindMap(kinds [numKinds]int64) map[string]int64 {
	out := map[string]int64{}
	for _, k := range Kinds() {
		if n := kinds[k]; n > 0 {
			out[k.String()] = n
		}
	}
	return out
}
