package load

import (
	"runtime"
	"sync/atomic"

	"github.com/perftop/perftop/internal/metrics"
)

// maxStatus bounds the status codes counted one by one; anything above
// (non-standard) is counted as 599.
const maxStatus = 600

// shard is the counters a group of workers record into: atomic adds only,
// so recording takes no lock and allocates nothing. Workers map onto shards
// by index; there are a few shards per core rather than one per worker, so
// memory stays constant with 10,000 requests in flight.
type shard struct {
	latency  *metrics.Recorder // from the intended send time (open loop) or the send (closed)
	service  *metrics.Recorder // from the actual send: the uncorrected view
	dns      *metrics.Recorder
	connect  *metrics.Recorder
	tls      *metrics.Recorder
	ttfb     *metrics.Recorder
	sched    *metrics.Recorder // open loop: each send's delay behind its intended time
	started  atomic.Int64
	finished atomic.Int64
	failed   atomic.Int64
	late     atomic.Int64
	bytesIn  atomic.Int64
	kinds    [numKinds]atomic.Int64
	status   [maxStatus]atomic.Int64
	msgs     *errorMessages // the engine's, shared by every shard
	gs       *groups        // the engine's, shared by every shard
	groups   []groupShard   // by group; nil when gs is not on
}

// newShards makes the engine's shards, whose failures' messages go to msgs
// and which count by the groups of gs.
func newShards(msgs *errorMessages, gs *groups) []*shard {
	n := max(2, 2*runtime.GOMAXPROCS(0))
	out := make([]*shard, n)
	for i := range out {
		out[i] = &shard{
			latency: metrics.NewRecorder(), service: metrics.NewRecorder(),
			dns: metrics.NewRecorder(), connect: metrics.NewRecorder(),
			tls: metrics.NewRecorder(), ttfb: metrics.NewRecorder(),
			sched: metrics.NewRecorder(),
			msgs:  msgs, gs: gs, groups: newGroupShards(gs),
		}
	}
	return out
}

// counters is a point-in-time sum of every shard's counters.
type counters struct {
	started, finished, failed, late, bytesIn int64
	kinds                                    [numKinds]int64
	status                                   [maxStatus]int64
}

func (c *counters) sum(shards []*shard) {
	*c = counters{}
	for _, s := range shards {
		c.started += s.started.Load()
		c.finished += s.finished.Load()
		c.failed += s.failed.Load()
		c.late += s.late.Load()
		c.bytesIn += s.bytesIn.Load()
		for k := range s.kinds {
			c.kinds[k] += s.kinds[k].Load()
		}
		for i := range s.status {
			if v := s.status[i].Load(); v != 0 {
				c.status[i] += v
			}
		}
	}
}
