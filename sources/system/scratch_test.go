package system

import (
	"context"
	"testing"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/disk"
	"github.com/shirou/gopsutil/v4/load"
	"github.com/shirou/gopsutil/v4/mem"
	"github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"
)

func BenchmarkScratch(b *testing.B) {
	ctx := context.Background()
	cases := []struct {
		name string
		f    func()
	}{
		{"cpuTotal", func() { cpu.TimesWithContext(ctx, false) }},
		{"cpuPer", func() { cpu.TimesWithContext(ctx, true) }},
		{"vmem", func() { mem.VirtualMemoryWithContext(ctx) }},
		{"swap", func() { mem.SwapMemoryWithContext(ctx) }},
		{"load", func() { load.AvgWithContext(ctx) }},
		{"diskio", func() { disk.IOCountersWithContext(ctx) }},
		{"parts", func() { disk.PartitionsWithContext(ctx, false) }},
		{"usage", func() { disk.UsageWithContext(ctx, "/") }},
		{"net", func() { net.IOCountersWithContext(ctx, true) }},
		{"procs", func() {
			ps, _ := process.ProcessesWithContext(ctx)
			for _, p := range ps {
				p.TimesWithContext(ctx)
				p.MemoryInfoWithContext(ctx)
				p.NameWithContext(ctx)
			}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.f()
			}
		})
	}
}
