package system

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"
)

// errNoCPUTimes stands in for the reason gopsutil does not give when it finds
// no per-core times (it returns an empty list and no error).
var errNoCPUTimes = errors.New("no cpu times reported")

// GopsutilReader reads the local host through gopsutil, part by part. It is
// the reader on every system but Linux, where ProcReader reads /proc itself
// for a fraction of the cost (BenchmarkReaders compares the two); on Linux
// it serves to compare them. The zero value is ready to use; it keeps
// nothing between reads and may be used from several goroutines.
type GopsutilReader struct{}

var _ Reader = GopsutilReader{}

// Read implements Reader.
func (r GopsutilReader) Read(ctx context.Context, parts Parts, dst *Raw) {
	readParts(ctx, r, parts, dst)
}

// readCPU reads per-core times and sums them for the total, rather than
// asking gopsutil twice.
func (GopsutilReader) readCPU(ctx context.Context, dst *CPURaw) {
	dst.Total, dst.Cores = CPUTimes{}, dst.Cores[:0]
	times, err := cpu.TimesWithContext(ctx, true)
	if err == nil && len(times) == 0 {
		err = errNoCPUTimes
	}
	if dst.Err = err; err != nil {
		return
	}
	for _, t := range times {
		c := CPUTimes{
			User: t.User, Nice: t.Nice, System: t.System, Idle: t.Idle,
			IOWait: t.Iowait, IRQ: t.Irq, SoftIRQ: t.Softirq, Steal: t.Steal,
		}
		dst.Cores = append(dst.Cores, c)
		tt := &dst.Total
		tt.User += c.User
		tt.Nice += c.Nice
		tt.System += c.System
		tt.Idle += c.Idle
		tt.IOWait += c.IOWait
		tt.IRQ += c.IRQ
		tt.SoftIRQ += c.SoftIRQ
		tt.Steal += c.Steal
	}
}

func (GopsutilReader) readMemory(ctx context.Context, parts Parts, dst *Raw) {
	if parts.Has(PartMemory) {
		vm, err := mem.VirtualMemoryWithContext(ctx)
		dst.Memory = MemoryRaw{Err: err}
		if err == nil {
			dst.Memory = MemoryRaw{
				Total: vm.Total, Available: vm.Available, Free: vm.Free,
				Cached: vm.Cached, Buffers: vm.Buffers,
			}
		}
	}
	if parts.Has(PartSwap) {
		sw, err := mem.SwapMemoryWithContext(ctx)
		dst.Swap = SwapRaw{Err: err}
		if err == nil {
			dst.Swap = SwapRaw{Total: sw.Total, Free: sw.Free}
		}
	}
}

func (GopsutilReader) readLoad(ctx context.Context, dst *LoadRaw) {
	l, err := load.AvgWithContext(ctx)
	*dst = LoadRaw{Err: err}
	if err == nil {
		*dst = LoadRaw{Load1: l.Load1, Load5: l.Load5, Load15: l.Load15}
	}
}

func (GopsutilReader) readNetwork(ctx context.Context, dst *NetworkRaw) {
	dst.T = time.Now()
	dst.Interfaces = dst.Interfaces[:0]
	nics, err := net.IOCountersWithContext(ctx, true)
	if dst.Err = err; err != nil {
		return
	}
	for _, n := range nics {
		dst.Interfaces = append(dst.Interfaces, NetCounters{
			Name:    n.Name,
			RxBytes: n.BytesRecv, TxBytes: n.BytesSent,
			RxPackets: n.PacketsRecv, TxPackets: n.PacketsSent,
			RxErrors: n.Errin, TxErrors: n.Errout,
			RxDrops: n.Dropin, TxDrops: n.Dropout,
		})
	}
}

func (GopsutilReader) readDisks(ctx context.Context, dst *DisksRaw) {
	dst.T = time.Now()
	dst.Devices = dst.Devices[:0]
	counters, err := disk.IOCountersWithContext(ctx)
	if dst.Err = err; err != nil {
		return
	}
	for name, c := range counters {
		dst.Devices = append(dst.Devices, DiskCounters{
			Name:      name,
			ReadBytes: c.ReadBytes, WriteBytes: c.WriteBytes,
			Reads: c.ReadCount, Writes: c.WriteCount,
			IOTime: time.Duration(c.IoTime) * time.Millisecond,
		})
	}
	// gopsutil returns a map; sort so the panel does not shuffle every tick.
	slices.SortFunc(dst.Devices, func(a, b DiskCounters) int { return cmp.Compare(a.Name, b.Name) })
}

// readProcesses uses gopsutil's process API, which is costly, but these
// systems have no cheap /proc to read instead.
func (GopsutilReader) readProcesses(ctx context.Context, dst *ProcessesRaw) {
	dst.T = time.Now()
	dst.List = dst.List[:0]
	procs, err := process.ProcessesWithContext(ctx)
	if dst.Err = err; err != nil {
		return
	}
	for _, p := range procs {
		if dst.Err = ctx.Err(); dst.Err != nil {
			return
		}
		times, err := p.TimesWithContext(ctx)
		if err != nil {
			continue // exited, or not ours to read
		}
		m, err := p.MemoryInfoWithContext(ctx)
		if err != nil {
			continue
		}
		name, _ := p.NameWithContext(ctx)
		threads, _ := p.NumThreadsWithContext(ctx)
		created, _ := p.CreateTimeWithContext(ctx)
		user, _ := p.UsernameWithContext(ctx)
		var state byte
		if st, err := p.StatusWithContext(ctx); err == nil && len(st) > 0 {
			state = stateLetter(st[0])
		}
		dst.List = append(dst.List, ProcSample{
			PID:     p.Pid,
			Start:   uint64(created),
			Name:    name,
			User:    user,
			State:   state,
			Threads: threads,
			CPU:     time.Duration((times.User + times.System) * float64(time.Second)),
			RSS:     m.RSS,
		})
	}
	slices.SortFunc(dst.List, func(a, b ProcSample) int { return cmp.Compare(a.PID, b.PID) })
}

// stateLetter maps gopsutil's state names back to the letters ps shows.
func stateLetter(s string) byte {
	switch s {
	case process.Running:
		return 'R'
	case process.Sleep:
		return 'S'
	case process.Stop:
		return 'T'
	case process.Idle:
		return 'I'
	case process.Zombie:
		return 'Z'
	case process.Wait:
		return 'W'
	case process.Lock:
		return 'L'
	}
	return '?'
}
