package system

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

var (
	t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t1 = t0.Add(2 * time.Second)
)

// roundFloats rounds every float64 reachable from ptr to 1e-9, so results
// can be compared with DeepEqual despite binary fractions.
func roundFloats(ptr any) {
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Float64:
			v.SetFloat(math.Round(v.Float()*1e9) / 1e9)
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Field(i).CanSet() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		}
	}
	walk(reflect.ValueOf(ptr))
}

func check[T any](t *testing.T, got, want T) {
	t.Helper()
	roundFloats(&got)
	roundFloats(&want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestDeriveCPU(t *testing.T) {
	base := CPUTimes{User: 100, Nice: 10, System: 50, Idle: 1000, IOWait: 5, IRQ: 1, SoftIRQ: 2, Steal: 3}
	plus := func(c CPUTimes, user, nice, system, idle, iowait, irq, softirq, steal float64) CPUTimes {
		return CPUTimes{c.User + user, c.Nice + nice, c.System + system, c.Idle + idle,
			c.IOWait + iowait, c.IRQ + irq, c.SoftIRQ + softirq, c.Steal + steal}
	}
	busy := plus(base, 30, 20, 5, 20, 10, 2, 3, 10) // 100 s in all, 70 busy
	half := plus(base, 50, 0, 0, 50, 0, 0, 0, 0)
	tests := []struct {
		name      string
		prev, cur CPURaw
		prevParts Parts
		want      metrics.CPU
	}{
		{
			name: "busy split", prevParts: PartCPU,
			prev: CPURaw{Total: base, Cores: []CPUTimes{base, base}},
			cur:  CPURaw{Total: busy, Cores: []CPUTimes{half, base}},
			want: metrics.CPU{TotalPercent: 70, UserPercent: 50, SystemPercent: 10, IOWaitPercent: 10, StealPercent: 10, PerCorePercent: []float64{50, 0}},
		},
		{
			name: "first sample", prevParts: 0,
			cur:  CPURaw{Total: busy, Cores: []CPUTimes{half, base}},
			want: metrics.CPU{PerCorePercent: []float64{0, 0}},
		},
		{
			name: "previous reading failed", prevParts: PartCPU,
			prev: CPURaw{Err: errors.New("boom")},
			cur:  CPURaw{Total: busy, Cores: []CPUTimes{half}},
			want: metrics.CPU{PerCorePercent: []float64{0}},
		},
		{
			name: "no time passed", prevParts: PartCPU,
			prev: CPURaw{Total: base, Cores: []CPUTimes{base}},
			cur:  CPURaw{Total: base, Cores: []CPUTimes{base}},
			want: metrics.CPU{PerCorePercent: []float64{0}},
		},
		{
			name: "iowait steps back", prevParts: PartCPU,
			prev: CPURaw{Total: base},
			cur:  CPURaw{Total: plus(base, 10, 0, 0, 10, -3, 0, 0, 0)},
			want: metrics.CPU{TotalPercent: 50, UserPercent: 50, PerCorePercent: []float64{}},
		},
		{
			name: "core came online", prevParts: PartCPU,
			prev: CPURaw{Total: base, Cores: []CPUTimes{base}},
			cur:  CPURaw{Total: half, Cores: []CPUTimes{half, half}},
			want: metrics.CPU{TotalPercent: 50, UserPercent: 50, PerCorePercent: []float64{50, 0}},
		},
		{
			name: "error", prevParts: PartCPU,
			prev: CPURaw{Total: base},
			cur:  CPURaw{Err: errors.New("open /proc/stat: permission denied")},
			want: metrics.CPU{Error: "open /proc/stat: permission denied"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := Derive(Raw{Parts: tc.prevParts, CPU: tc.prev}, Raw{Parts: PartCPU, CPU: tc.cur}, 0)
			check(t, h.CPU, tc.want)
		})
	}
}

func TestDeriveLevels(t *testing.T) {
	errNo := errors.New("not here")
	tests := []struct {
		name string
		cur  Raw
		want metrics.Host
	}{
		{
			name: "memory used is total minus available",
			cur:  Raw{Parts: PartMemory, Memory: MemoryRaw{Total: 1000, Available: 750, Free: 500, Cached: 200, Buffers: 50}},
			want: metrics.Host{Memory: metrics.Memory{TotalBytes: 1000, UsedBytes: 250, AvailableBytes: 750, CachedBytes: 200, BuffersBytes: 50, FreeBytes: 500, UsedPercent: 25}},
		},
		{
			name: "available above total",
			cur:  Raw{Parts: PartMemory, Memory: MemoryRaw{Total: 1000, Available: 1200}},
			want: metrics.Host{Memory: metrics.Memory{TotalBytes: 1000, AvailableBytes: 1200}},
		},
		{
			name: "swap",
			cur:  Raw{Parts: PartSwap, Swap: SwapRaw{Total: 400, Free: 300}},
			want: metrics.Host{Swap: metrics.Swap{TotalBytes: 400, UsedBytes: 100, FreeBytes: 300, UsedPercent: 25}},
		},
		{
			name: "no swap",
			cur:  Raw{Parts: PartSwap},
			want: metrics.Host{},
		},
		{
			name: "load and hostname",
			cur:  Raw{Parts: PartLoad | PartHostname, Hostname: "box", Time: t1, Load: LoadRaw{Load1: 1.5, Load5: 1, Load15: 0.5}},
			want: metrics.Host{Hostname: "box", Time: t1, Load: metrics.Load{Load1: 1.5, Load5: 1, Load15: 0.5}},
		},
		{
			name: "filesystem percent as df",
			cur: Raw{Parts: PartFilesystems, Filesystems: FilesystemsRaw{List: []FilesystemUsage{
				{Mount: "/", Device: "/dev/vda", Type: "ext4", Total: 100, Used: 60, Avail: 20},
				{Mount: "/empty", Device: "/dev/vdb", Type: "xfs"},
			}}},
			want: metrics.Host{Filesystems: []metrics.Filesystem{
				{Mount: "/", Device: "/dev/vda", Type: "ext4", TotalBytes: 100, UsedBytes: 60, UsedPercent: 75},
				{Mount: "/empty", Device: "/dev/vdb", Type: "xfs"},
			}},
		},
		{
			name: "each part its own error",
			cur: Raw{
				Parts: AllParts,
				CPU:   CPURaw{Err: errNo}, Memory: MemoryRaw{Err: errNo}, Swap: SwapRaw{Err: errNo},
				Load: LoadRaw{Err: errNo}, Disks: DisksRaw{Err: errNo}, Filesystems: FilesystemsRaw{Err: errNo},
				Network: NetworkRaw{Err: errNo}, Processes: ProcessesRaw{T: t1, Err: errNo},
			},
			want: metrics.Host{
				CPU: metrics.CPU{Error: "not here"}, Memory: metrics.Memory{Error: "not here"},
				Swap: metrics.Swap{Error: "not here"}, Load: metrics.Load{Error: "not here"},
				DisksError: "not here", FSError: "not here", NetError: "not here",
				Processes: metrics.Processes{Time: t1, Error: "not here"},
			},
		},
		{
			name: "parts not read stay zero",
			cur:  Raw{Parts: PartLoad, Hostname: "box", Memory: MemoryRaw{Total: 1}, Disks: DisksRaw{Devices: disks("vda")}},
			want: metrics.Host{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, Derive(Raw{}, tc.cur, 0), tc.want)
		})
	}
}
