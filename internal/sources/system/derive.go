package system

import (
	"cmp"
	"slices"
	"time"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
)

// DefaultTopN is how many processes a host sample lists when not told.
const DefaultTopN = 50

// AllProcesses is the TopN of the dashboard: every process, so that its
// filter and sort orders reach all of them, up to a bound that keeps a
// machine of 100,000 processes from costing a sample 15 MB.
const AllProcesses = 10_000

// Derive computes a host sample from two readings of the same host: rates and
// percentages from the counters' increase between prev and cur, levels from
// cur alone. It is a pure function and does not modify prev or cur.
//
// A part gets its rates only when both readings hold it without error; with
// no previous reading (the first sample), rates are 0 while levels such as
// memory are filled. A part missing from cur is left zero; a part that failed
// carries its error's text. Counters that went backwards are taken as reset,
// so no rate is ever negative. topN below 1 means DefaultTopN.
func Derive(prev, cur Raw, topN int) metrics.Host {
	if topN < 1 {
		topN = DefaultTopN
	}
	// A previous part that failed holds no counters to compare against.
	was := func(p Parts, err error) bool { return prev.Parts.Has(p) && err == nil }
	h := metrics.Host{Time: cur.Time}
	if cur.Parts.Has(PartHostname) {
		h.Hostname = printable.Line(cur.Hostname)
	}
	if cur.Parts.Has(PartCPU) {
		h.CPU = deriveCPU(prev.CPU, cur.CPU, was(PartCPU, prev.CPU.Err))
	}
	if cur.Parts.Has(PartMemory) {
		h.Memory = deriveMemory(cur.Memory)
	}
	if cur.Parts.Has(PartSwap) {
		h.Swap = deriveSwap(cur.Swap)
	}
	if cur.Parts.Has(PartLoad) {
		l := cur.Load
		h.Load = metrics.Load{Load1: l.Load1, Load5: l.Load5, Load15: l.Load15, Error: errText(l.Err)}
	}
	if cur.Parts.Has(PartDisks) {
		h.Disks, h.DisksError = deriveDisks(prev.Disks, cur.Disks, was(PartDisks, prev.Disks.Err))
	}
	if cur.Parts.Has(PartFilesystems) {
		h.Filesystems, h.FSError = deriveFilesystems(cur.Filesystems)
	}
	if cur.Parts.Has(PartNetwork) {
		h.Network, h.NetError = deriveNetwork(prev.Network, cur.Network, was(PartNetwork, prev.Network.Err))
	}
	if cur.Parts.Has(PartProcesses) {
		var memTotal uint64
		if cur.Parts.Has(PartMemory) && cur.Memory.Err == nil {
			memTotal = cur.Memory.Total
		}
		h.Processes = deriveProcesses(prev.Processes, cur.Processes,
			was(PartProcesses, prev.Processes.Err), memTotal, topN)
	}
	return h
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return printable.Line(err.Error())
}

// sub is the increase of a CPU time. It saturates at 0 rather than treating a
// decrease as a reset, because iowait is known to step backwards a little on
// Linux, and a reset reading would show as a core pinned at 100%.
func sub(prev, cur float64) float64 {
	if cur < prev {
		return 0
	}
	return cur - prev
}

func pct(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return min(100, max(0, part/whole*100))
}

// busy splits the CPU time between two readings the way htop and btop do:
// busy is everything but idle and iowait. Nice counts as user time and
// irq/softirq as system time, so user + system + steal = total.
func busy(prev, cur CPUTimes) (total, user, system, iowait, steal float64) {
	u := sub(prev.User, cur.User) + sub(prev.Nice, cur.Nice)
	s := sub(prev.System, cur.System) + sub(prev.IRQ, cur.IRQ) + sub(prev.SoftIRQ, cur.SoftIRQ)
	st := sub(prev.Steal, cur.Steal)
	io := sub(prev.IOWait, cur.IOWait)
	all := u + s + st + io + sub(prev.Idle, cur.Idle)
	return pct(u+s+st, all), pct(u, all), pct(s, all), pct(io, all), pct(st, all)
}

func deriveCPU(prev, cur CPURaw, havePrev bool) metrics.CPU {
	if cur.Err != nil {
		return metrics.CPU{Error: errText(cur.Err)}
	}
	var c metrics.CPU
	c.PerCorePercent = make([]float64, len(cur.Cores))
	if !havePrev {
		return c
	}
	c.TotalPercent, c.UserPercent, c.SystemPercent, c.IOWaitPercent, c.StealPercent = busy(prev.Total, cur.Total)
	for i, core := range cur.Cores {
		if i < len(prev.Cores) {
			c.PerCorePercent[i], _, _, _, _ = busy(prev.Cores[i], core)
		}
	}
	return c
}

// deriveMemory counts used memory as total minus available, as free(1) does
// since procps 4: page cache and reclaimable slab are not "used".
func deriveMemory(m MemoryRaw) metrics.Memory {
	if m.Err != nil {
		return metrics.Memory{Error: errText(m.Err)}
	}
	var used uint64
	if m.Available <= m.Total {
		used = m.Total - m.Available
	}
	return metrics.Memory{
		TotalBytes:     m.Total,
		UsedBytes:      used,
		AvailableBytes: m.Available,
		CachedBytes:    m.Cached,
		BuffersBytes:   m.Buffers,
		FreeBytes:      m.Free,
		UsedPercent:    pct(float64(used), float64(m.Total)),
	}
}

func deriveSwap(s SwapRaw) metrics.Swap {
	if s.Err != nil {
		return metrics.Swap{Error: errText(s.Err)}
	}
	var used uint64
	if s.Free <= s.Total {
		used = s.Total - s.Free
	}
	return metrics.Swap{
		TotalBytes:  s.Total,
		UsedBytes:   used,
		FreeBytes:   s.Free,
		UsedPercent: pct(float64(used), float64(s.Total)),
	}
}

func rate(prev, cur uint64, dt time.Duration) float64 {
	return metrics.CounterRate(float64(prev), float64(cur), dt)
}

// find returns the entry of list named name. Devices and interfaces rarely
// change between two readings, so index hint usually holds it already.
func find[T any](list []T, name string, hint int, nameOf func(*T) string) *T {
	if hint < len(list) && nameOf(&list[hint]) == name {
		return &list[hint]
	}
	for i := range list {
		if nameOf(&list[i]) == name {
			return &list[i]
		}
	}
	return nil
}

func diskName(d *DiskCounters) string { return d.Name }
func netName(n *NetCounters) string   { return n.Name }

func deriveDisks(prev, cur DisksRaw, havePrev bool) ([]metrics.DiskIO, string) {
	if cur.Err != nil {
		return nil, errText(cur.Err)
	}
	dt := cur.T.Sub(prev.T)
	out := make([]metrics.DiskIO, 0, len(cur.Devices))
	for i := range cur.Devices {
		d := &cur.Devices[i]
		if !keepDisk(d.Name, cur.Devices) {
			continue
		}
		io := metrics.DiskIO{Name: printable.Line(d.Name)}
		if p := find(prev.Devices, d.Name, i, diskName); havePrev && p != nil {
			io.ReadBytesPerSec = rate(p.ReadBytes, d.ReadBytes, dt)
			io.WriteBytesPerSec = rate(p.WriteBytes, d.WriteBytes, dt)
			io.ReadIOPS = rate(p.Reads, d.Reads, dt)
			io.WriteIOPS = rate(p.Writes, d.Writes, dt)
			io.BusyPercent = min(100, rate(uint64(p.IOTime), uint64(d.IOTime), dt)/1e9*100)
		}
		out = append(out, io)
	}
	return out, ""
}

// deriveFilesystems computes used percent as df does, against the space an
// unprivileged user can use, so a full disk reads 100% even with root's
// reserve left.
func deriveFilesystems(cur FilesystemsRaw) ([]metrics.Filesystem, string) {
	if cur.Err != nil {
		return nil, errText(cur.Err)
	}
	out := make([]metrics.Filesystem, len(cur.List))
	for i, f := range cur.List {
		out[i] = metrics.Filesystem{
			Mount:       printable.Line(f.Mount),
			Device:      printable.Line(f.Device),
			Type:        printable.Line(f.Type),
			TotalBytes:  f.Total,
			UsedBytes:   f.Used,
			UsedPercent: pct(float64(f.Used), float64(f.Used+f.Avail)),
		}
	}
	return out, ""
}

func deriveNetwork(prev, cur NetworkRaw, havePrev bool) ([]metrics.NetIO, string) {
	if cur.Err != nil {
		return nil, errText(cur.Err)
	}
	dt := cur.T.Sub(prev.T)
	out := make([]metrics.NetIO, 0, len(cur.Interfaces))
	idle := make([]bool, 0, len(cur.Interfaces)) // never moved a byte
	for i := range cur.Interfaces {
		n := &cur.Interfaces[i]
		io := metrics.NetIO{
			Name:     printable.Line(n.Name),
			RxErrors: n.RxErrors, TxErrors: n.TxErrors,
			RxDrops: n.RxDrops, TxDrops: n.TxDrops,
		}
		if p := find(prev.Interfaces, n.Name, i, netName); havePrev && p != nil {
			io.RxBytesPerSec = rate(p.RxBytes, n.RxBytes, dt)
			io.TxBytesPerSec = rate(p.TxBytes, n.TxBytes, dt)
			io.RxPacketsPerSec = rate(p.RxPackets, n.RxPackets, dt)
			io.TxPacketsPerSec = rate(p.TxPackets, n.TxPackets, dt)
			io.ErrorsDropsPerSec = rate(errsDrops(p), errsDrops(n), dt)
		}
		out = append(out, io)
		idle = append(idle, netIdle(n))
	}
	// Busiest first, loopback included (the panel's total counts it, and a
	// local load test's traffic is on it); interfaces that never moved a
	// byte last; by name among equals.
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if idle[a] != idle[b] {
			if idle[a] {
				return 1
			}
			return -1
		}
		ta, tb := out[a].RxBytesPerSec+out[a].TxBytesPerSec, out[b].RxBytesPerSec+out[b].TxBytesPerSec
		if c := cmp.Compare(tb, ta); c != 0 {
			return c
		}
		return cmp.Compare(out[a].Name, out[b].Name)
	})
	sorted := make([]metrics.NetIO, len(out))
	for i, j := range order {
		sorted[i] = out[j]
	}
	return sorted, ""
}

func errsDrops(n *NetCounters) uint64 { return n.RxErrors + n.TxErrors + n.RxDrops + n.TxDrops }

type scoredProc struct {
	i   int
	cpu float64
}

func deriveProcesses(prev, cur ProcessesRaw, havePrev bool, memTotal uint64, topN int) metrics.Processes {
	if cur.Err != nil {
		return metrics.Processes{Time: cur.T, Error: errText(cur.Err)}
	}
	byPID := func(a, b ProcSample) int { return cmp.Compare(a.PID, b.PID) }
	list, old := cur.List, prev.List
	if !slices.IsSortedFunc(list, byPID) {
		list = slices.SortedFunc(slices.Values(list), byPID)
	}
	if havePrev && !slices.IsSortedFunc(old, byPID) {
		old = slices.SortedFunc(slices.Values(old), byPID)
	}
	dt := cur.T.Sub(prev.T)
	scored := make([]scoredProc, len(list))
	j := 0 // both lists are sorted by PID: walk them together
	for i := range list {
		p := &list[i]
		scored[i].i = i
		if !havePrev {
			continue
		}
		for j < len(old) && old[j].PID < p.PID {
			j++
		}
		var before time.Duration // a PID new since prev started after it
		if j < len(old) && old[j].PID == p.PID && old[j].Start == p.Start {
			before = old[j].CPU
		}
		scored[i].cpu = rate(uint64(before), uint64(p.CPU), dt) / 1e9 * 100
	}
	slices.SortFunc(scored, func(a, b scoredProc) int {
		if c := cmp.Compare(b.cpu, a.cpu); c != 0 {
			return c
		}
		if c := cmp.Compare(list[b.i].RSS, list[a.i].RSS); c != 0 {
			return c
		}
		return cmp.Compare(list[a.i].PID, list[b.i].PID)
	})
	top := make([]metrics.Process, min(topN, len(scored)))
	for k := range top {
		p := &list[scored[k].i]
		top[k] = metrics.Process{
			PID:        p.PID,
			Name:       printable.Line(p.Name),
			Command:    printable.Line(p.Command),
			User:       printable.Line(p.User),
			State:      stateText(p.State),
			Threads:    p.Threads,
			CPUPercent: scored[k].cpu,
			RSSBytes:   p.RSS,
			MemPercent: pct(float64(p.RSS), float64(memTotal)),
		}
	}
	return metrics.Processes{Total: len(list), Top: top, Time: cur.T}
}

// stateText names a process state by its letter in /proc/[pid]/stat without
// allocating: one-byte strings come from the runtime's static table.
func stateText(b byte) string {
	if b == 0 {
		return ""
	}
	return string([]byte{b})
}
