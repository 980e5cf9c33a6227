package load

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// Per-request results: each request name (a scenario's name, or the URL
// when several are given) is a group with its own counts and latency, and
// its answers are split by the --split-by headers' values. The group is
// found when the plan is built, and the hot path carries the request's
// index, never its name: record looks the group up in a slice.
//
// Groups are counted in the shards as the totals are (atomic adds, one
// latency Recorder per group per shard). A split value's latency has one
// CoarseRecorder (2 significant digits, 26 KiB) for every shard, made the
// first time the value is recorded for the group, at most groups x headers
// x (--split-max+2) times in a run: there can be hundreds, too many for a
// 184 KiB Recorder each, let alone one per shard.

// GroupName is the name r's results are grouped under: its Name, else its
// URL (without password), with the method when it is not GET. Variants of a
// request (the volume profile's distinct URLs) set Group to keep their
// original's.
func (r Request) GroupName() string {
	switch {
	case r.Group != "":
		return r.Group
	case r.Name != "":
		return r.Name
	case r.URL == nil:
		return ""
	}
	u := r.URL.Redacted()
	if r.Method != "" && r.Method != http.MethodGet {
		return r.Method + " " + u
	}
	return u
}

// groups is the engine's grouping, shared by every shard: which group each
// request is in, the split headers' value tables, and the split values'
// latency recorders.
type groups struct {
	names  []string      // group index -> name, in the plan's order
	of     []int         // request index -> group index
	tables []*valueTable // one per --split-by header, in flag order
	// lat[g][h][v] is group g's latency of answers with value v of header
	// h; nil until the first.
	lat [][][]atomic.Pointer[metrics.CoarseRecorder]
}

// newGroups groups reqs by name and prepares the splits.
func newGroups(reqs []Request, splits []SplitBy, max int) *groups {
	gs := &groups{of: make([]int, len(reqs))}
	index := map[string]int{}
	for i, r := range reqs {
		name := r.GroupName()
		g, ok := index[name]
		if !ok {
			g = len(gs.names)
			index[name] = g
			gs.names = append(gs.names, name)
		}
		gs.of[i] = g
	}
	for _, s := range splits {
		gs.tables = append(gs.tables, newValueTable(s, max))
	}
	gs.lat = make([][][]atomic.Pointer[metrics.CoarseRecorder], len(gs.names))
	for g := range gs.lat {
		gs.lat[g] = make([][]atomic.Pointer[metrics.CoarseRecorder], len(gs.tables))
		for h, t := range gs.tables {
			gs.lat[g][h] = make([]atomic.Pointer[metrics.CoarseRecorder], t.size())
		}
	}
	return gs
}

// on says whether there is anything to count by group: more than one
// name, or a split. A test of one request without splits records only
// its totals.
func (gs *groups) on() bool { return len(gs.names) > 1 || len(gs.tables) > 0 }

// recorder is group g's recorder of header h's value v, made if need be.
func (gs *groups) recorder(g, h int, v int32) *metrics.CoarseRecorder {
	p := &gs.lat[g][h][v]
	if r := p.Load(); r != nil {
		return r
	}
	r := metrics.NewCoarseRecorder()
	if !p.CompareAndSwap(nil, r) {
		return p.Load()
	}
	return r
}

// groupShard is one group's counters in a shard.
type groupShard struct {
	finished atomic.Int64
	failed   atomic.Int64
	bytesIn  atomic.Int64
	kinds    [numKinds]atomic.Int64
	latency  *metrics.Recorder // nil for a test of one name
	// valFailed are the failed answers (4xx, 5xx) by [header][value]. A
	// value's answers are counted by its latency recorder, which every
	// answer is recorded in once: one atomic add fewer per header.
	valFailed [][]atomic.Int64
}

func newGroupShards(gs *groups) []groupShard {
	if !gs.on() {
		return nil
	}
	out := make([]groupShard, len(gs.names))
	for g := range out {
		if len(gs.names) > 1 {
			// One name's latency is the run's: only its splits are its own.
			out[g].latency = metrics.NewRecorder()
		}
		out[g].valFailed = make([][]atomic.Int64, len(gs.tables))
		for h, t := range gs.tables {
			out[g].valFailed[h] = make([]atomic.Int64, t.size())
		}
	}
	return out
}

// recordGroup counts an outcome already counted in s's totals in request
// req's group: kind is its outcome's kind, hc the answer's captured split
// headers (nil without splits, or without an answer).
func (s *shard) recordGroup(req int, latency time.Duration, n int64, kind Kind, answered bool, hc *headerCapture) {
	g := s.gs.of[req]
	gr := &s.groups[g]
	gr.bytesIn.Add(n)
	if kind != KindNone {
		gr.failed.Add(1)
		gr.kinds[kind].Add(1)
	}
	if answered {
		// Not corrected for coordinated omission: the phantom samples of
		// a closed-loop worker's stall stand for requests of any name,
		// and would give a slow request's name the fast one's latency.
		if gr.latency != nil {
			gr.latency.Record(latency)
		}
		for h, t := range s.gs.tables {
			v := int32(valueNone)
			if hc != nil {
				if raw, ok := hc.value(h); ok {
					v = t.index(raw)
				}
			}
			if kind != KindNone {
				gr.valFailed[h][v].Add(1)
			}
			s.gs.recorder(g, h, v).Record(latency)
		}
	}
	gr.finished.Add(1)
}

// groupCounts is a point-in-time sum of one group's counters.
type groupCounts struct {
	finished, failed, bytesIn int64
	kinds                     [numKinds]int64
	// answers and valFailed are by [header][value]; sumGroups sums
	// valFailed, the collector sets answers from the values' recorders.
	answers, valFailed [][]int64
}

// sumGroups sums every shard's group counters into out, one per group.
func sumGroups(out []groupCounts, shards []*shard) {
	for g := range out {
		c := &out[g]
		c.finished, c.failed, c.bytesIn, c.kinds = 0, 0, 0, [numKinds]int64{}
		for h := range c.valFailed {
			clear(c.valFailed[h])
		}
		for _, s := range shards {
			gr := &s.groups[g]
			c.finished += gr.finished.Load()
			c.failed += gr.failed.Load()
			c.bytesIn += gr.bytesIn.Load()
			for k := range gr.kinds {
				c.kinds[k] += gr.kinds[k].Load()
			}
			for h := range gr.valFailed {
				for v := range gr.valFailed[h] {
					c.valFailed[h][v] += gr.valFailed[h][v].Load()
				}
			}
		}
	}
}
