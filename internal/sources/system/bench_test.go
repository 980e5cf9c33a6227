package system

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// largeRaws builds two readings of a big server, one second apart: 64 cores,
// 8 disks, 8 interfaces and 300 processes, a few of which come and go.
func largeRaws(tb testing.TB) (prev, cur Raw) {
	tb.Helper()
	build := func(k int) Raw {
		f := float64(k)
		t := t0.Add(time.Duration(k) * time.Second)
		r := Raw{Parts: AllParts, Time: t, Hostname: "big"}
		for i := range 64 {
			c := CPUTimes{User: f * float64(i%10), System: f, Idle: f * 10, IOWait: f / 10}
			r.CPU.Cores = append(r.CPU.Cores, c)
			r.CPU.Total.User += c.User
			r.CPU.Total.System += c.System
			r.CPU.Total.Idle += c.Idle
			r.CPU.Total.IOWait += c.IOWait
		}
		r.Memory = MemoryRaw{Total: 256 << 30, Available: 100 << 30, Free: 50 << 30, Cached: 40 << 30}
		r.Swap = SwapRaw{Total: 8 << 30, Free: 7 << 30}
		r.Load = LoadRaw{Load1: 12, Load5: 10, Load15: 8}
		r.Disks.T = t
		for i := range 8 {
			u := uint64(k * (i + 1))
			r.Disks.Devices = append(r.Disks.Devices, DiskCounters{Name: fmt.Sprintf("nvme%dn1", i),
				ReadBytes: u << 20, WriteBytes: u << 21, Reads: u * 100, Writes: u * 200, IOTime: time.Duration(u) * 10 * time.Millisecond})
		}
		r.Network.T = t
		for i := range 8 {
			u := uint64(k * (i + 1))
			r.Network.Interfaces = append(r.Network.Interfaces, NetCounters{Name: fmt.Sprintf("eth%d", 7-i),
				RxBytes: u << 20, TxBytes: u << 19, RxPackets: u * 1000, TxPackets: u * 900, RxDrops: u})
		}
		r.Filesystems.List = []FilesystemUsage{{Mount: "/", Device: "/dev/nvme0n1p2", Type: "ext4", Total: 1 << 40, Used: 1 << 39, Avail: 1 << 38}}
		r.Processes.T = t
		for i := range 300 {
			pid := int32(i*7 + k%2) // half the PIDs change between readings
			r.Processes.List = append(r.Processes.List, ProcSample{PID: pid, Start: uint64(pid), Name: "proc", User: "root",
				State: 'S', Threads: 4, CPU: time.Duration(k*i) * time.Millisecond, RSS: uint64(i) << 20})
		}
		return r
	}
	return build(10), build(11)
}

func TestDeriveLarge(t *testing.T) {
	prev, cur := largeRaws(t)
	h := Derive(prev, cur, DefaultTopN)
	if got := [...]int{len(h.CPU.PerCorePercent), len(h.Disks), len(h.Network), h.Processes.Total, len(h.Processes.Top)}; got != [...]int{64, 8, 8, 300, DefaultTopN} {
		t.Errorf("cores, disks, nics, processes, shown = %v", got)
	}
	if h.Network[0].Name != "eth0" || h.Disks[7].BusyPercent <= 0 || h.Processes.Top[0].CPUPercent <= 0 {
		t.Errorf("network %+v, disk %+v, top %+v", h.Network[0], h.Disks[7], h.Processes.Top[0])
	}
}

func BenchmarkDerive(b *testing.B) {
	prev, cur := largeRaws(b)
	b.ReportAllocs()
	for b.Loop() {
		Derive(prev, cur, DefaultTopN)
	}
}

// BenchmarkPublish is a tick's work after the reading on the big server:
// derive, series batch and store writes.
func BenchmarkPublish(b *testing.B) {
	prev, cur := largeRaws(b)
	var s sampler
	var st metrics.Store
	s.cur = prev
	s.publish(&st, t0, time.Second, DefaultTopN)
	b.ReportAllocs()
	for b.Loop() {
		s.cur = cur
		s.publish(&st, t0, time.Second, DefaultTopN)
	}
}

func benchmarkRead(b *testing.B, parts Parts) { benchmarkReader(b, NewLocalReader(""), parts) }

func benchmarkReader(b *testing.B, r Reader, parts Parts) {
	ctx := context.Background()
	if c, ok := r.(io.Closer); ok {
		defer c.Close()
	}
	var raw Raw
	r.Read(ctx, parts, &raw) // warm the buffers and caches
	b.ReportAllocs()
	for b.Loop() {
		r.Read(ctx, parts, &raw)
	}
	b.ReportMetric(float64(len(raw.Processes.List)), "procs")
}

// BenchmarkReadAll reads every part of this machine.
func BenchmarkReadAll(b *testing.B) { benchmarkRead(b, AllParts) }

// BenchmarkReadTick reads what a normal tick reads: no processes or filesystems.
func BenchmarkReadTick(b *testing.B) { benchmarkRead(b, FastParts) }

// BenchmarkReaders reads a tick's parts and the process table with the local
// reader and with gopsutil's: why ProcReader exists on Linux.
func BenchmarkReaders(b *testing.B) {
	for _, parts := range []struct {
		name string
		p    Parts
	}{{"tick", FastParts}, {"processes", PartProcesses}} {
		for name, r := range localReaders() {
			b.Run(parts.name+"/"+name, func(b *testing.B) { benchmarkReader(b, r, parts.p) })
		}
	}
}

// BenchmarkReadParts reads each part alone, to see where a tick's time goes.
func BenchmarkReadParts(b *testing.B) {
	for _, n := range partNames {
		b.Run(n.name, func(b *testing.B) { benchmarkRead(b, n.p) })
	}
}
