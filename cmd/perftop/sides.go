package main

import (
	"sync"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/results"
)

// sides records, at each timeline interval, the host's side (CPU, memory,
// network) and the service's (its first --prom target's request rate,
// error ratio and p99, its first --node's CPU and memory) from the
// session's store, so that the results file
// keeps what the dashboard showed beside the client's numbers.
type sides struct {
	mu     sync.Mutex
	store  *metrics.Store // nil until the session exists
	target string         // the --prom target whose RED is the server side
	node   string         // the --node whose CPU and memory are the server host's
	points map[float64]results.TimelinePoint
	sn     metrics.Snapshot
}

// add fills p's side fields from the store now, and keeps them for merge.
func (s *sides) add(p *results.TimelinePoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.store == nil {
		return
	}
	s.store.Snapshot(&s.sn)
	h := s.sn.Host
	if !h.Time.IsZero() {
		if h.CPU.Error == "" {
			p.HostCPU = ptr(h.CPU.TotalPercent)
		}
		if h.Memory.Error == "" {
			p.HostMemory = ptr(h.Memory.UsedPercent)
		}
		if rx := s.sn.Get(metrics.KeyNetRx); len(rx) > 0 {
			p.NetRx = ptr(rx[len(rx)-1].V)
		}
		if tx := s.sn.Get(metrics.KeyNetTx); len(tx) > 0 {
			p.NetTx = ptr(tx[len(tx)-1].V)
		}
	}
	if t := s.sn.Prom[s.target]; t != nil && t.Up {
		r := t.RED
		if r.HasRequests {
			p.ServerRPS = ptr(r.RequestRate)
		}
		if r.HasErrors {
			p.ServerErrorRatio = ptr(r.ErrorRatio)
		}
		if r.HasLatency {
			p.ServerP99 = ptr(r.Latency.P99)
		}
	}
	if n, ok := s.sn.Hosts[s.node]; ok && !n.Time.IsZero() {
		if n.CPU.Error == "" {
			p.ServerHostCPU = ptr(n.CPU.TotalPercent)
		}
		if n.Memory.Error == "" {
			p.ServerHostMemory = ptr(n.Memory.UsedPercent)
		}
	}
	if s.points == nil {
		s.points = map[float64]results.TimelinePoint{}
	}
	s.points[p.Seconds] = *p
}

// merge copies the recorded sides into the file's timeline, by interval.
func (s *sides) merge(tl []results.TimelinePoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range tl {
		if r, ok := s.points[tl[i].Seconds]; ok {
			tl[i].HostCPU, tl[i].HostMemory, tl[i].NetRx, tl[i].NetTx = r.HostCPU, r.HostMemory, r.NetRx, r.NetTx
			tl[i].ServerRPS, tl[i].ServerErrorRatio, tl[i].ServerP99 = r.ServerRPS, r.ServerErrorRatio, r.ServerP99
			tl[i].ServerHostCPU, tl[i].ServerHostMemory = r.ServerHostCPU, r.ServerHostMemory
		}
	}
}

func ptr(v float64) *float64 { return &v }
