package system

import (
	"errors"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

func TestDeriveDisks(t *testing.T) {
	vda0 := DiskCounters{Name: "vda", ReadBytes: 1000, WriteBytes: 2000, Reads: 10, Writes: 20, IOTime: 500 * time.Millisecond}
	vda1 := DiskCounters{Name: "vda", ReadBytes: 3000, WriteBytes: 6000, Reads: 30, Writes: 60, IOTime: 1500 * time.Millisecond}
	vdaRate := metrics.DiskIO{Name: "vda", ReadBytesPerSec: 1000, WriteBytesPerSec: 2000, ReadIOPS: 10, WriteIOPS: 20, BusyPercent: 50}
	tests := []struct {
		name      string
		prev, cur DisksRaw
		prevParts Parts
		want      []metrics.DiskIO
		wantErr   string
	}{
		{
			name: "rates", prevParts: PartDisks,
			prev: DisksRaw{T: t0, Devices: []DiskCounters{vda0}},
			cur:  DisksRaw{T: t1, Devices: []DiskCounters{vda1}},
			want: []metrics.DiskIO{vdaRate},
		},
		{
			name: "first sample", prevParts: 0,
			cur:  DisksRaw{T: t1, Devices: []DiskCounters{vda1}},
			want: []metrics.DiskIO{{Name: "vda"}},
		},
		{
			name: "no time passed", prevParts: PartDisks,
			prev: DisksRaw{T: t1, Devices: []DiskCounters{vda0}},
			cur:  DisksRaw{T: t1, Devices: []DiskCounters{vda1}},
			want: []metrics.DiskIO{{Name: "vda"}},
		},
		{
			name: "counter reset", prevParts: PartDisks,
			prev: DisksRaw{T: t0, Devices: []DiskCounters{vda1}},
			cur:  DisksRaw{T: t1, Devices: []DiskCounters{{Name: "vda", ReadBytes: 400, WriteBytes: 6000, Reads: 2, Writes: 60, IOTime: 1500 * time.Millisecond}}},
			want: []metrics.DiskIO{{Name: "vda", ReadBytesPerSec: 200, ReadIOPS: 1}},
		},
		{
			name: "device appears and another goes", prevParts: PartDisks,
			prev: DisksRaw{T: t0, Devices: []DiskCounters{{Name: "sdb", ReadBytes: 5}, vda0}},
			cur:  DisksRaw{T: t1, Devices: []DiskCounters{vda1, {Name: "nvme0n1", ReadBytes: 1 << 20}}},
			want: []metrics.DiskIO{vdaRate, {Name: "nvme0n1"}},
		},
		{
			name: "virtual devices and partitions filtered", prevParts: PartDisks,
			prev: DisksRaw{T: t0, Devices: []DiskCounters{{Name: "loop0"}, vda0, {Name: "vda1"}, {Name: "zram0"}}},
			cur:  DisksRaw{T: t1, Devices: []DiskCounters{{Name: "loop0", ReadBytes: 9}, vda1, {Name: "vda1", ReadBytes: 9}, {Name: "zram0", ReadBytes: 9}}},
			want: []metrics.DiskIO{vdaRate},
		},
		{
			name: "busy capped at 100", prevParts: PartDisks,
			prev: DisksRaw{T: t0, Devices: []DiskCounters{{Name: "sda"}}},
			cur:  DisksRaw{T: t1, Devices: []DiskCounters{{Name: "sda", IOTime: 2100 * time.Millisecond}}},
			want: []metrics.DiskIO{{Name: "sda", BusyPercent: 100}},
		},
		{
			name: "error", prevParts: PartDisks,
			prev:    DisksRaw{T: t0, Devices: []DiskCounters{vda0}},
			cur:     DisksRaw{T: t1, Err: errors.New("open /proc/diskstats: permission denied")},
			wantErr: "open /proc/diskstats: permission denied",
		},
		{
			name: "previous reading failed", prevParts: PartDisks,
			prev: DisksRaw{T: t0, Devices: []DiskCounters{vda0}, Err: errors.New("x")},
			cur:  DisksRaw{T: t1, Devices: []DiskCounters{vda1}},
			want: []metrics.DiskIO{{Name: "vda"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := Derive(Raw{Parts: tc.prevParts, Disks: tc.prev}, Raw{Parts: PartDisks, Disks: tc.cur}, 0)
			check(t, h.Disks, tc.want)
			if h.DisksError != tc.wantErr {
				t.Errorf("DisksError = %q, want %q", h.DisksError, tc.wantErr)
			}
		})
	}
}

func TestDeriveNetwork(t *testing.T) {
	eth0 := NetCounters{Name: "eth0", RxBytes: 1000, TxBytes: 500, RxPackets: 10, TxPackets: 4, RxErrors: 1, RxDrops: 1}
	eth1 := NetCounters{Name: "eth0", RxBytes: 5000, TxBytes: 2500, RxPackets: 30, TxPackets: 8, RxErrors: 3, TxErrors: 1, RxDrops: 2, TxDrops: 1}
	ethRate := metrics.NetIO{Name: "eth0", RxBytesPerSec: 2000, TxBytesPerSec: 1000, RxPacketsPerSec: 10, TxPacketsPerSec: 2,
		RxErrors: 3, TxErrors: 1, RxDrops: 2, TxDrops: 1, ErrorsDropsPerSec: 2.5}
	lo0 := NetCounters{Name: "lo", RxBytes: 100, TxBytes: 100}
	lo1 := NetCounters{Name: "lo", RxBytes: 300, TxBytes: 300}
	loRate := metrics.NetIO{Name: "lo", RxBytesPerSec: 100, TxBytesPerSec: 100}
	tests := []struct {
		name      string
		prev, cur NetworkRaw
		prevParts Parts
		want      []metrics.NetIO
		wantErr   string
	}{
		{
			name: "rates and cumulative errors", prevParts: PartNetwork,
			prev: NetworkRaw{T: t0, Interfaces: []NetCounters{eth0}},
			cur:  NetworkRaw{T: t1, Interfaces: []NetCounters{eth1}},
			want: []metrics.NetIO{ethRate},
		},
		{
			name: "first sample keeps cumulative errors", prevParts: 0,
			cur:  NetworkRaw{T: t1, Interfaces: []NetCounters{eth1}},
			want: []metrics.NetIO{{Name: "eth0", RxErrors: 3, TxErrors: 1, RxDrops: 2, TxDrops: 1}},
		},
		{
			name: "busiest first, loopback by its traffic, idle interfaces last", prevParts: PartNetwork,
			prev: NetworkRaw{T: t0, Interfaces: []NetCounters{lo0, {Name: "wlan0", RxBytes: 1}, {Name: "docker0"}, {Name: "eth9", RxBytes: 1}, eth0}},
			cur:  NetworkRaw{T: t1, Interfaces: []NetCounters{lo1, {Name: "wlan0", RxBytes: 1}, {Name: "docker0"}, {Name: "eth9", RxBytes: 1}, eth1}},
			want: []metrics.NetIO{ethRate, loRate, {Name: "eth9"}, {Name: "wlan0"}, {Name: "docker0"}},
		},
		{
			name: "interface reset and new interface", prevParts: PartNetwork,
			prev: NetworkRaw{T: t0, Interfaces: []NetCounters{eth1, {Name: "gone", RxBytes: 7}}},
			cur:  NetworkRaw{T: t1, Interfaces: []NetCounters{{Name: "veth1", RxBytes: 80, TxBytes: 80}, {Name: "eth0", RxBytes: 600, TxBytes: 2500, RxPackets: 30, TxPackets: 8}}},
			want: []metrics.NetIO{{Name: "eth0", RxBytesPerSec: 300}, {Name: "veth1"}},
		},
		{
			name: "no time passed", prevParts: PartNetwork,
			prev: NetworkRaw{T: t1, Interfaces: []NetCounters{eth0}},
			cur:  NetworkRaw{T: t1, Interfaces: []NetCounters{eth1}},
			want: []metrics.NetIO{{Name: "eth0", RxErrors: 3, TxErrors: 1, RxDrops: 2, TxDrops: 1}},
		},
		{
			name: "error", prevParts: PartNetwork,
			prev:    NetworkRaw{T: t0, Interfaces: []NetCounters{eth0}},
			cur:     NetworkRaw{T: t1, Err: errors.New("open /proc/net/dev: no such file or directory")},
			wantErr: "open /proc/net/dev: no such file or directory",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := Derive(Raw{Parts: tc.prevParts, Network: tc.prev}, Raw{Parts: PartNetwork, Network: tc.cur}, 0)
			check(t, h.Network, tc.want)
			if h.NetError != tc.wantErr {
				t.Errorf("NetError = %q, want %q", h.NetError, tc.wantErr)
			}
		})
	}
}

func TestDeriveProcesses(t *testing.T) {
	proc := func(pid int32, start uint64, cpu time.Duration, rss uint64) ProcSample {
		return ProcSample{PID: pid, Start: start, Name: "p", User: "u", State: 'S', Threads: 1, CPU: cpu, RSS: rss}
	}
	shown := func(pid int32, cpu float64, rss uint64) metrics.Process {
		return metrics.Process{PID: pid, Name: "p", User: "u", State: "S", Threads: 1, CPUPercent: cpu, RSSBytes: rss, MemPercent: float64(rss) / 10}
	}
	before := []ProcSample{proc(1, 1, time.Second, 100), proc(2, 5, 2*time.Second, 50), proc(3, 7, 5*time.Second, 10), proc(10, 9, 10*time.Second, 10)}
	after := []ProcSample{
		proc(1, 1, 1500*time.Millisecond, 100), // 25%
		proc(2, 5, 4*time.Second, 50),          // 100%: one full core
		proc(4, 20, 200*time.Millisecond, 30),  // new since before: 10%
		proc(10, 30, 100*time.Millisecond, 20), // PID reused: 5%
	}
	tests := []struct {
		name      string
		prev, cur ProcessesRaw
		prevParts Parts
		topN      int
		want      metrics.Processes
	}{
		{
			name: "busiest first", prevParts: PartProcesses, topN: 3,
			prev: ProcessesRaw{T: t0, List: before},
			cur:  ProcessesRaw{T: t1, List: after},
			want: metrics.Processes{Total: 4, Time: t1, Top: []metrics.Process{shown(2, 100, 50), shown(1, 25, 100), shown(4, 10, 30)}},
		},
		{
			name: "first sample sorts by memory", prevParts: 0, topN: 10,
			cur:  ProcessesRaw{T: t1, List: after},
			want: metrics.Processes{Total: 4, Time: t1, Top: []metrics.Process{shown(1, 0, 100), shown(2, 0, 50), shown(4, 0, 30), shown(10, 0, 20)}},
		},
		{
			name: "unsorted input", prevParts: PartProcesses, topN: 2,
			prev: ProcessesRaw{T: t0, List: []ProcSample{before[3], before[1], before[0], before[2]}},
			cur:  ProcessesRaw{T: t1, List: []ProcSample{after[3], after[2], after[1], after[0]}},
			want: metrics.Processes{Total: 4, Time: t1, Top: []metrics.Process{shown(2, 100, 50), shown(1, 25, 100)}},
		},
		{
			name: "ties by memory then PID", prevParts: PartProcesses, topN: 3,
			prev: ProcessesRaw{T: t0, List: []ProcSample{proc(5, 1, 0, 10), proc(6, 1, 0, 20), proc(7, 1, 0, 10)}},
			cur:  ProcessesRaw{T: t1, List: []ProcSample{proc(5, 1, 0, 10), proc(6, 1, 0, 20), proc(7, 1, 0, 10)}},
			want: metrics.Processes{Total: 3, Time: t1, Top: []metrics.Process{shown(6, 0, 20), shown(5, 0, 10), shown(7, 0, 10)}},
		},
		{
			name: "no time passed", prevParts: PartProcesses, topN: 1,
			prev: ProcessesRaw{T: t1, List: before},
			cur:  ProcessesRaw{T: t1, List: after},
			want: metrics.Processes{Total: 4, Time: t1, Top: []metrics.Process{shown(1, 0, 100)}},
		},
		{
			name: "error", prevParts: PartProcesses, topN: 1,
			prev: ProcessesRaw{T: t0, List: before},
			cur:  ProcessesRaw{T: t1, Err: errors.New("open /proc: permission denied")},
			want: metrics.Processes{Time: t1, Error: "open /proc: permission denied"},
		},
		{
			name: "empty table", prevParts: PartProcesses, topN: 1,
			cur:  ProcessesRaw{T: t1},
			want: metrics.Processes{Time: t1, Top: []metrics.Process{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prev := Raw{Parts: tc.prevParts, Processes: tc.prev}
			cur := Raw{Parts: PartProcesses | PartMemory, Memory: MemoryRaw{Total: 1000}, Processes: tc.cur}
			check(t, Derive(prev, cur, tc.topN).Processes, tc.want)
		})
	}
}

func TestDeriveDoesNotModifyInputs(t *testing.T) {
	list := []ProcSample{{PID: 3, CPU: time.Second}, {PID: 1}}
	cur := Raw{Parts: PartProcesses, Processes: ProcessesRaw{T: t1, List: list}}
	Derive(Raw{Parts: PartProcesses, Processes: ProcessesRaw{T: t0, List: []ProcSample{{PID: 3}}}}, cur, 0)
	if list[0].PID != 3 || list[1].PID != 1 {
		t.Errorf("Derive sorted its input: %+v", list)
	}
}
