package system

import (
	"errors"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// partNames names the parts in the order errors are reported.
var partNames = [...]struct {
	p    Parts
	name string
}{
	{PartCPU, "cpu"}, {PartMemory, "memory"}, {PartSwap, "swap"},
	{PartLoad, "load"}, {PartDisks, "disks"}, {PartFilesystems, "filesystems"},
	{PartNetwork, "network"}, {PartProcesses, "processes"}, {PartHostname, "hostname"},
}

// String lists the parts' names, such as "cpu|memory".
func (p Parts) String() string {
	var b strings.Builder
	for _, n := range partNames {
		if p.Has(n.p) {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(n.name)
		}
	}
	return b.String()
}

// err returns the error of part p of r.
func (r *Raw) err(p Parts) error {
	switch p {
	case PartCPU:
		return r.CPU.Err
	case PartMemory:
		return r.Memory.Err
	case PartSwap:
		return r.Swap.Err
	case PartLoad:
		return r.Load.Err
	case PartDisks:
		return r.Disks.Err
	case PartFilesystems:
		return r.Filesystems.Err
	case PartNetwork:
		return r.Network.Err
	case PartProcesses:
		return r.Processes.Err
	}
	return nil
}

// failed returns the parts r holds that failed.
func (r *Raw) failed() Parts {
	var bad Parts
	for _, n := range partNames {
		if r.Parts.Has(n.p) && r.err(n.p) != nil {
			bad |= n.p
		}
	}
	return bad
}

// firstErr returns the first failed part's error, naming the part.
func (r *Raw) firstErr() error {
	for _, n := range partNames {
		if err := r.err(n.p); r.Parts.Has(n.p) && err != nil {
			return &PartError{Part: n.p, Err: err}
		}
	}
	return errors.New("no part read")
}

// PartError is a part of a reading that failed.
type PartError struct {
	Part Parts
	Err  error
}

// Error returns the part's name and the reason, such as
// "disks: open /proc/diskstats: permission denied".
func (e *PartError) Error() string { return e.Part.String() + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *PartError) Unwrap() error { return e.Err }

// sampler is the state a Source keeps between samples. It is owned by the
// goroutine in Run.
type sampler struct {
	cur       Raw          // the reading being taken; its buffers are reused
	prev      Raw          // the latest good reading of each part
	last      metrics.Host // the latest sample, for parts not read this time
	batch     metrics.Batch
	keys      keyCache
	health    metrics.Health
	lastProc  time.Time
	lastFS    time.Time
	procReads int
	// name is the remote host the sampler reads ("" for this one): its
	// sample and series go under it (metrics.HostKey), its health under
	// "host NAME".
	name     string
	hostKeys map[string]string // series keys under name, cached
}

// key is a series key of the host the sampler reads.
func (s *sampler) key(k string) string {
	if s.name == "" {
		return k
	}
	if hk, ok := s.hostKeys[k]; ok {
		return hk
	}
	if s.hostKeys == nil || len(s.hostKeys) > 4*maxCachedKeys {
		s.hostKeys = make(map[string]string)
	}
	hk := metrics.HostKey(s.name, k)
	s.hostKeys[k] = hk
	return hk
}

// publish derives a sample from s.cur and writes it, its series and the
// source's health into st. Then it keeps the good parts of s.cur as the
// previous reading, swapping buffers so that the next reading reuses the
// ones just retired.
func (s *sampler) publish(st *metrics.Store, now time.Time, interval time.Duration, topN int) {
	cur := &s.cur
	good := cur.Parts &^ cur.failed()
	rated := s.prev.Parts & good // parts with a previous reading to rate against
	h := Derive(s.prev, *cur, topN)
	for _, n := range partNames {
		if !cur.Parts.Has(n.p) {
			carry(&h, &s.last, n.p)
		}
	}
	s.last = h
	b := s.seriesBatch(&h, good, rated)

	// Judged on the sample, so that a slow part's failure stays on show
	// between its reads.
	s.health.Up, s.health.LastError = health(&h)
	if s.health.Up {
		s.health.LastSuccess = now
	}
	s.health.NextRetry = now.Add(interval)
	// One update: readers wake once per sample and see all of it.
	st.Update(func(tx metrics.Tx) {
		tx.Write(b)
		if s.name == "" {
			tx.SetHost(h)
			tx.SetHealth(sourceName, s.health)
		} else {
			tx.SetRemoteHost(s.name, h)
			tx.SetHealth("host "+s.name, s.health)
		}
	})

	p := &s.prev
	for _, n := range partNames {
		if good.Has(n.p) {
			swapPart(p, cur, n.p)
		}
	}
	p.Parts |= good
	p.Time = cur.Time
}

// carry copies part p of from into h.
func carry(h, from *metrics.Host, p Parts) {
	switch p {
	case PartCPU:
		h.CPU = from.CPU
	case PartMemory:
		h.Memory = from.Memory
	case PartSwap:
		h.Swap = from.Swap
	case PartLoad:
		h.Load = from.Load
	case PartDisks:
		h.Disks, h.DisksError = from.Disks, from.DisksError
	case PartFilesystems:
		h.Filesystems, h.FSError = from.Filesystems, from.FSError
	case PartNetwork:
		h.Network, h.NetError = from.Network, from.NetError
	case PartProcesses:
		h.Processes = from.Processes
	case PartHostname:
		h.Hostname = from.Hostname
	}
}

// swapPart exchanges part p of a and b.
func swapPart(a, b *Raw, p Parts) {
	switch p {
	case PartCPU:
		a.CPU, b.CPU = b.CPU, a.CPU
	case PartMemory:
		a.Memory, b.Memory = b.Memory, a.Memory
	case PartSwap:
		a.Swap, b.Swap = b.Swap, a.Swap
	case PartLoad:
		a.Load, b.Load = b.Load, a.Load
	case PartDisks:
		a.Disks, b.Disks = b.Disks, a.Disks
	case PartFilesystems:
		a.Filesystems, b.Filesystems = b.Filesystems, a.Filesystems
	case PartNetwork:
		a.Network, b.Network = b.Network, a.Network
	case PartProcesses:
		a.Processes, b.Processes = b.Processes, a.Processes
	case PartHostname:
		a.Hostname, b.Hostname = b.Hostname, a.Hostname
	}
}

// health reports whether any part of h holds data, and puts the errors of
// the parts that failed on one line for the health panel.
func health(h *metrics.Host) (up bool, errs string) {
	parts := [...]struct{ name, err string }{
		{"cpu", h.CPU.Error}, {"memory", h.Memory.Error}, {"swap", h.Swap.Error},
		{"load", h.Load.Error}, {"disks", h.DisksError}, {"filesystems", h.FSError},
		{"network", h.NetError}, {"processes", h.Processes.Error},
	}
	var b strings.Builder
	for _, p := range parts {
		if p.err == "" {
			up = true
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.name + ": " + p.err)
	}
	return up, b.String()
}

// seriesBatch fills the batch with the sample's series. Levels are written
// whenever read; rates only once there is a previous reading, so the first
// sample does not draw a false zero.
func (s *sampler) seriesBatch(h *metrics.Host, good, rated Parts) *metrics.Batch {
	b := &s.batch
	b.Reset(h.Time)
	if rated.Has(PartCPU) {
		b.Add(s.key(metrics.KeyCPUTotal), h.CPU.TotalPercent)
		for i, v := range h.CPU.PerCorePercent {
			b.Add(s.key(s.keys.core(i)), v)
		}
	}
	if good.Has(PartMemory) {
		b.Add(s.key(metrics.KeyMemUsed), h.Memory.UsedPercent)
	}
	if good.Has(PartSwap) {
		b.Add(s.key(metrics.KeySwapUsed), h.Swap.UsedPercent)
	}
	if good.Has(PartLoad) {
		b.Add(s.key(metrics.KeyLoad1), h.Load.Load1)
	}
	if rated.Has(PartDisks) {
		var rd, wr float64
		for _, d := range h.Disks {
			k := s.keys.pair(&s.keys.disks, d.Name, metrics.KeyDiskDevice, "read", "write")
			b.Add(s.key(k[0]), d.ReadBytesPerSec)
			b.Add(s.key(k[1]), d.WriteBytesPerSec)
			if !stackedDisk(d.Name) {
				rd += d.ReadBytesPerSec
				wr += d.WriteBytesPerSec
			}
		}
		b.Add(s.key(metrics.KeyDiskRead), rd)
		b.Add(s.key(metrics.KeyDiskWrite), wr)
	}
	if rated.Has(PartNetwork) {
		var rx, tx float64
		for _, n := range h.Network {
			k := s.keys.pair(&s.keys.nics, n.Name, metrics.KeyNetIface, "rx", "tx")
			b.Add(s.key(k[0]), n.RxBytesPerSec)
			b.Add(s.key(k[1]), n.TxBytesPerSec)
			rx += n.RxBytesPerSec
			tx += n.TxBytesPerSec
		}
		b.Add(s.key(metrics.KeyNetRx), rx)
		b.Add(s.key(metrics.KeyNetTx), tx)
	}
	if good.Has(PartProcesses) {
		b.Add(s.key(metrics.KeyProcessCount), float64(h.Processes.Total))
	}
	return b
}

// maxCachedKeys bounds each key map; container hosts churn through veth
// interfaces, and starting over only costs a few string builds.
const maxCachedKeys = 256

// keyCache holds series keys built once, so a tick formats no strings.
type keyCache struct {
	cores []string
	disks map[string][2]string
	nics  map[string][2]string
}

func (k *keyCache) core(i int) string {
	for len(k.cores) <= i {
		k.cores = append(k.cores, metrics.KeyCPUCore(len(k.cores)))
	}
	return k.cores[i]
}

func (k *keyCache) pair(m *map[string][2]string, name string, key func(name, dir string) string, a, b string) [2]string {
	if v, ok := (*m)[name]; ok {
		return v
	}
	if *m == nil || len(*m) >= maxCachedKeys {
		*m = make(map[string][2]string)
	}
	v := [2]string{key(name, a), key(name, b)}
	(*m)[name] = v
	return v
}
