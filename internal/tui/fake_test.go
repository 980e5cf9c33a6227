package tui

import (
	"math"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// fakeT0 is the fixed clock of the fake samples, so frames are reproducible.
var fakeT0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// fakeStore fills a store with n seconds of a deterministic, plausible host:
// 4 cores, 16 GiB, two disks, three interfaces and a handful of processes.
func fakeStore(n int) *metrics.Store {
	st := metrics.NewStore(metrics.DefaultRingCapacity)
	var b metrics.Batch
	var h metrics.Host
	for i := 0; i < n; i++ {
		t := fakeT0.Add(time.Duration(i) * time.Second)
		h = fakeHost(t, i)
		b.Reset(t)
		b.Add(metrics.KeyCPUTotal, h.CPU.TotalPercent)
		for c, v := range h.CPU.PerCorePercent {
			b.Add(metrics.KeyCPUCore(c), v)
		}
		b.Add(metrics.KeyMemUsed, h.Memory.UsedPercent)
		b.Add(metrics.KeySwapUsed, h.Swap.UsedPercent)
		b.Add(metrics.KeyLoad1, h.Load.Load1)
		var rx, tx, rd, wr float64
		for _, nic := range h.Network {
			rx += nic.RxBytesPerSec
			tx += nic.TxBytesPerSec
		}
		for _, d := range h.Disks {
			rd += d.ReadBytesPerSec
			wr += d.WriteBytesPerSec
		}
		b.Add(metrics.KeyNetRx, rx)
		b.Add(metrics.KeyNetTx, tx)
		b.Add(metrics.KeyDiskRead, rd)
		b.Add(metrics.KeyDiskWrite, wr)
		st.Write(&b)
	}
	st.SetHost(h)
	st.SetHealth("system", metrics.Health{Up: true, LastSuccess: h.Time})
	return st
}

func wave(i int, period, lo, hi float64) float64 {
	return lo + (hi-lo)*(0.5+0.5*math.Sin(2*math.Pi*float64(i)/period))
}

func fakeHost(t time.Time, i int) metrics.Host {
	const gib = 1 << 30
	h := metrics.Host{Time: t, Hostname: "bench-01"}
	h.CPU.PerCorePercent = []float64{wave(i, 30, 5, 95), wave(i+7, 45, 0, 40), wave(i+3, 20, 10, 60), 2}
	for _, v := range h.CPU.PerCorePercent {
		h.CPU.TotalPercent += v / 4
	}
	h.CPU.UserPercent, h.CPU.SystemPercent = h.CPU.TotalPercent*0.7, h.CPU.TotalPercent*0.3
	h.Load = metrics.Load{Load1: 1.52, Load5: 1.2, Load15: 0.98}
	used := uint64(wave(i, 60, 5, 9) * gib)
	h.Memory = metrics.Memory{TotalBytes: 16 * gib, UsedBytes: used, CachedBytes: 4 * gib, BuffersBytes: gib / 4,
		AvailableBytes: 16*gib - used, FreeBytes: 16*gib - used - 4*gib - gib/4}
	h.Memory.UsedPercent = float64(used) / (16 * gib) * 100
	h.Swap = metrics.Swap{TotalBytes: 2 * gib, UsedBytes: gib / 8, FreeBytes: 2*gib - gib/8, UsedPercent: 6.25}
	h.Disks = []metrics.DiskIO{
		{Name: "nvme0n1", ReadBytesPerSec: wave(i, 25, 0, 80e6), WriteBytesPerSec: wave(i+5, 15, 1e6, 30e6), ReadIOPS: 1200, WriteIOPS: 340, BusyPercent: 35},
		{Name: "sda", WriteBytesPerSec: 4096, WriteIOPS: 1, BusyPercent: 0.1},
	}
	h.Filesystems = []metrics.Filesystem{
		{Mount: "/", Device: "/dev/nvme0n1p2", Type: "ext4", TotalBytes: 500 * gib, UsedBytes: 310 * gib, UsedPercent: 62},
		{Mount: "/home", Device: "/dev/sda1", Type: "xfs", TotalBytes: 2000 * gib, UsedBytes: 1900 * gib, UsedPercent: 95},
	}
	h.Network = []metrics.NetIO{
		{Name: "eth0", RxBytesPerSec: wave(i, 40, 1e5, 12e6), TxBytesPerSec: wave(i+10, 40, 5e4, 3e6), RxPacketsPerSec: 9000, TxPacketsPerSec: 4000},
		{Name: "wlan0", RxBytesPerSec: 1200, TxBytesPerSec: 800, RxPacketsPerSec: 10, TxPacketsPerSec: 8, RxDrops: 3, ErrorsDropsPerSec: 1},
		{Name: "lo", RxBytesPerSec: 5000, TxBytesPerSec: 5000, RxPacketsPerSec: 50, TxPacketsPerSec: 50},
	}
	names := []string{"postgres", "nginx", "perftop", "node", "java", "sshd", "systemd", "containerd"}
	commands := []string{"postgres: 16/main: checkpointer", "nginx: worker process", "perftop run -c 50 -d 10m http://127.0.0.1:8080/api/items",
		"node /srv/app/server.js --port 3000", "/usr/lib/jvm/java-21/bin/java -Xmx2g -XX:+UseZGC -jar /srv/orders/orders.jar --spring.profiles.active=prod",
		"sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", "/sbin/init", "/usr/bin/containerd"}
	h.Processes.Total = 212
	h.Processes.Time = t
	for k, name := range names {
		h.Processes.Top = append(h.Processes.Top, metrics.Process{
			PID: int32(1000 + 37*k), Name: name, Command: commands[k], State: "S", Threads: int32(k + 1),
			CPUPercent: float64(len(names)-k) * 7.5, RSSBytes: uint64(k+1) * 150 << 20,
			MemPercent: float64(k+1) * 150 / 16384 * 100,
		})
	}
	return h
}

// fakeLoadSeries writes n seconds of a load test's series from fakeT0, as
// the engine's collector does: a rate near target, latencies that climb.
func fakeLoadSeries(st *metrics.Store, n int, target float64) {
	var b metrics.Batch
	for i := 1; i <= n; i++ {
		b.Reset(fakeT0.Add(time.Duration(i) * time.Second))
		b.Add(metrics.KeyLoadRPS, target*wave(i, 9, 0.96, 1))
		b.Add(metrics.KeyLoadTarget, target)
		b.Add(metrics.KeyLoadErrorPct, wave(i, 5, 0, 0.8))
		b.Add(metrics.KeyLoadP50, wave(i, 12, 0.030, 0.045))
		b.Add(metrics.KeyLoadP90, wave(i, 12, 0.040, 0.049))
		b.Add(metrics.KeyLoadP99, wave(i, 12, 0.050, 0.058))
		b.Add(metrics.KeyLoadP999, wave(i, 12, 0.060, 0.076))
		st.Write(&b)
	}
}
