// Package nodeexp reads a remote host from its node_exporter: the host the
// service under test runs on, where perftop does not. Its Reader is a
// system.Reader, so the system source derives rates from node_exporter's
// counters exactly as from this host's /proc, and the host screens do not
// know where a host's numbers came from. The scrape is the Prometheus
// source's own (prom.Fetch): the same limits, formats and errors in words.
package nodeexp

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/perftop/perftop/internal/sources/prom"
	"github.com/perftop/perftop/internal/sources/system"
)

// Reader scrapes URL, a node_exporter's /metrics, once per Read.
type Reader struct {
	URL    string
	Client *http.Client // nil: http.DefaultClient
	Limits prom.Limits
}

var _ system.Reader = (*Reader)(nil)

// ErrNoProcesses is the process table's error: node_exporter does not
// export one (its processes collector counts processes, it lists none).
var ErrNoProcesses = errors.New("not exported by node_exporter")

// Read implements system.Reader: one scrape fills every part asked for.
// A failed scrape is every part's error.
func (r *Reader) Read(ctx context.Context, parts system.Parts, dst *system.Raw) {
	at := time.Now()
	exp, err := prom.Fetch(ctx, r.Client, r.URL, r.Limits)
	if err != nil {
		failAll(parts, dst, at, err)
		return
	}
	Fill(exp.Families, parts, dst, at)
}

// failAll sets err as the error of every part of parts.
func failAll(parts system.Parts, dst *system.Raw, at time.Time, err error) {
	dst.Parts, dst.Time = parts, at
	dst.CPU.Err, dst.Memory.Err, dst.Swap.Err, dst.Load.Err = err, err, err, err
	dst.Disks.Err, dst.Filesystems.Err, dst.Network.Err, dst.Processes.Err = err, err, err, err
	dst.Disks.T, dst.Network.T, dst.Processes.T = at, at, at
}

// families indexes a scrape by family name.
type families map[string]*dto.MetricFamily

// Fill sets the parts of dst named by parts from a node_exporter's
// families, scraped at at. A part whose families are missing gets an
// error naming them (and the collector that exports them).
func Fill(fams []*dto.MetricFamily, parts system.Parts, dst *system.Raw, at time.Time) {
	f := make(families, len(fams))
	for _, m := range fams {
		f[m.GetName()] = m
	}
	dst.Parts, dst.Time = parts, at
	if parts.Has(system.PartHostname) {
		dst.Hostname = f.label("node_uname_info", "nodename")
	}
	if parts.Has(system.PartCPU) {
		dst.CPU = f.cpu(dst.CPU.Cores[:0])
	}
	if parts.Has(system.PartMemory) {
		dst.Memory = f.memory()
	}
	if parts.Has(system.PartSwap) {
		dst.Swap = system.SwapRaw{Total: f.uint("node_memory_SwapTotal_bytes"), Free: f.uint("node_memory_SwapFree_bytes")}
		dst.Swap.Err = f.need("meminfo", "node_memory_SwapTotal_bytes", "node_memory_SwapFree_bytes")
	}
	if parts.Has(system.PartLoad) {
		dst.Load = system.LoadRaw{Load1: f.value("node_load1"), Load5: f.value("node_load5"), Load15: f.value("node_load15")}
		dst.Load.Err = f.need("loadavg", "node_load1", "node_load5", "node_load15")
	}
	if parts.Has(system.PartDisks) {
		dst.Disks = system.DisksRaw{T: at, Devices: f.disks(dst.Disks.Devices[:0])}
		dst.Disks.Err = f.need("diskstats", "node_disk_read_bytes_total", "node_disk_written_bytes_total")
	}
	if parts.Has(system.PartNetwork) {
		dst.Network = system.NetworkRaw{T: at, Interfaces: f.network(dst.Network.Interfaces[:0])}
		dst.Network.Err = f.need("netdev", "node_network_receive_bytes_total", "node_network_transmit_bytes_total")
	}
	if parts.Has(system.PartFilesystems) {
		dst.Filesystems = system.FilesystemsRaw{List: f.filesystems(dst.Filesystems.List[:0])}
		dst.Filesystems.Err = f.need("filesystem", "node_filesystem_size_bytes", "node_filesystem_free_bytes")
	}
	if parts.Has(system.PartProcesses) {
		dst.Processes = system.ProcessesRaw{T: at, List: dst.Processes.List[:0], Err: ErrNoProcesses}
	}
}

// need is an error naming the families of names missing from f, and the
// collector that exports them; nil when all are there.
func (f families) need(collector string, names ...string) error {
	for _, n := range names {
		if f[n] == nil {
			return fmt.Errorf("%s not exported (node_exporter's %s collector)", n, collector)
		}
	}
	return nil
}

// metricValue is a sample's value whatever its family's type; NaN and
// infinities (which no node_exporter counter should be) are 0.
func metricValue(m *dto.Metric) float64 {
	var v float64
	switch {
	case m.Counter != nil:
		v = m.Counter.GetValue()
	case m.Gauge != nil:
		v = m.Gauge.GetValue()
	case m.Untyped != nil:
		v = m.Untyped.GetValue()
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func labelOf(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// value is the first sample of family name, 0 when there is none.
func (f families) value(name string) float64 {
	if m := f[name]; m != nil && len(m.Metric) > 0 {
		return metricValue(m.Metric[0])
	}
	return 0
}

// uint is value as a byte count: negative values are 0, huge ones capped.
func (f families) uint(name string) uint64 { return toUint(f.value(name)) }

func toUint(v float64) uint64 {
	switch {
	case v <= 0:
		return 0
	case v >= math.MaxUint64:
		return math.MaxUint64
	}
	return uint64(v)
}

// label is label name of family fam's first sample.
func (f families) label(fam, name string) string {
	if m := f[fam]; m != nil && len(m.Metric) > 0 {
		return labelOf(m.Metric[0], name)
	}
	return ""
}

// maxCores and maxDevices bound what a scrape may make perftop keep: a
// node_exporter is data from outside.
const (
	maxCores   = 4096
	maxDevices = 1024
)

// cpu sums node_cpu_seconds_total{cpu, mode} per core and in total.
func (f families) cpu(cores []system.CPUTimes) system.CPURaw {
	fam := f["node_cpu_seconds_total"]
	if fam == nil {
		return system.CPURaw{Cores: cores, Err: f.need("cpu", "node_cpu_seconds_total")}
	}
	for _, m := range fam.Metric {
		n, err := strconv.Atoi(labelOf(m, "cpu"))
		if err != nil || n < 0 || n >= maxCores {
			continue
		}
		for len(cores) <= n {
			cores = append(cores, system.CPUTimes{})
		}
		addMode(&cores[n], labelOf(m, "mode"), metricValue(m))
	}
	var total system.CPUTimes
	for _, c := range cores {
		total.User += c.User
		total.Nice += c.Nice
		total.System += c.System
		total.Idle += c.Idle
		total.IOWait += c.IOWait
		total.IRQ += c.IRQ
		total.SoftIRQ += c.SoftIRQ
		total.Steal += c.Steal
	}
	return system.CPURaw{Total: total, Cores: cores}
}

func addMode(c *system.CPUTimes, mode string, v float64) {
	switch mode {
	case "user":
		c.User += v
	case "nice":
		c.Nice += v
	case "system":
		c.System += v
	case "idle":
		c.Idle += v
	case "iowait":
		c.IOWait += v
	case "irq":
		c.IRQ += v
	case "softirq":
		c.SoftIRQ += v
	case "steal":
		c.Steal += v
	}
}

// memory is /proc/meminfo as node_exporter's meminfo collector exports it;
// Cached includes reclaimable slab, as the local reader counts it.
func (f families) memory() system.MemoryRaw {
	m := system.MemoryRaw{
		Total:     f.uint("node_memory_MemTotal_bytes"),
		Available: f.uint("node_memory_MemAvailable_bytes"),
		Free:      f.uint("node_memory_MemFree_bytes"),
		Cached:    f.uint("node_memory_Cached_bytes") + f.uint("node_memory_SReclaimable_bytes"),
		Buffers:   f.uint("node_memory_Buffers_bytes"),
	}
	m.Err = f.need("meminfo", "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes")
	return m
}

// byKey gathers a family's values into rows keyed by label, in
// first-seen order, at most maxDevices of them: first makes a key's row
// from its first sample, or refuses the sample (false).
func byKey[T any](f families, rows []T, index map[string]int, fam, label string, first func(*T, *dto.Metric) bool, set func(*T, float64)) []T {
	m := f[fam]
	if m == nil {
		return rows
	}
	for _, s := range m.Metric {
		key := labelOf(s, label)
		if key == "" {
			continue
		}
		i, ok := index[key]
		if !ok {
			var row T
			if len(rows) >= maxDevices || !first(&row, s) {
				continue
			}
			rows = append(rows, row)
			i = len(rows) - 1
			index[key] = i
		}
		set(&rows[i], metricValue(s))
	}
	return rows
}

// named is byKey's first for rows keyed by their device label.
func named[T any](name func(*T) *string) func(*T, *dto.Metric) bool {
	return func(row *T, s *dto.Metric) bool {
		*name(row) = labelOf(s, "device")
		return true
	}
}

// disks are node_disk_*'s counters per device, by name.
func (f families) disks(rows []system.DiskCounters) []system.DiskCounters {
	idx := map[string]int{}
	name := named(func(d *system.DiskCounters) *string { return &d.Name })
	for _, c := range []struct {
		fam string
		set func(*system.DiskCounters, float64)
	}{
		{"node_disk_read_bytes_total", func(d *system.DiskCounters, v float64) { d.ReadBytes = toUint(v) }},
		{"node_disk_written_bytes_total", func(d *system.DiskCounters, v float64) { d.WriteBytes = toUint(v) }},
		{"node_disk_reads_completed_total", func(d *system.DiskCounters, v float64) { d.Reads = toUint(v) }},
		{"node_disk_writes_completed_total", func(d *system.DiskCounters, v float64) { d.Writes = toUint(v) }},
		{"node_disk_io_time_seconds_total", func(d *system.DiskCounters, v float64) { d.IOTime = seconds(v) }},
	} {
		rows = byKey(f, rows, idx, c.fam, "device", name, c.set)
	}
	slices.SortFunc(rows, func(a, b system.DiskCounters) int { return cmp.Compare(a.Name, b.Name) })
	return rows
}

func seconds(v float64) time.Duration {
	if v <= 0 || v > math.MaxInt64/float64(time.Second) {
		return 0
	}
	return time.Duration(v * float64(time.Second))
}

// network are node_network_*'s counters per interface, by name.
func (f families) network(rows []system.NetCounters) []system.NetCounters {
	idx := map[string]int{}
	name := named(func(n *system.NetCounters) *string { return &n.Name })
	for _, c := range []struct {
		fam string
		set func(*system.NetCounters, float64)
	}{
		{"node_network_receive_bytes_total", func(n *system.NetCounters, v float64) { n.RxBytes = toUint(v) }},
		{"node_network_transmit_bytes_total", func(n *system.NetCounters, v float64) { n.TxBytes = toUint(v) }},
		{"node_network_receive_packets_total", func(n *system.NetCounters, v float64) { n.RxPackets = toUint(v) }},
		{"node_network_transmit_packets_total", func(n *system.NetCounters, v float64) { n.TxPackets = toUint(v) }},
		{"node_network_receive_errs_total", func(n *system.NetCounters, v float64) { n.RxErrors = toUint(v) }},
		{"node_network_transmit_errs_total", func(n *system.NetCounters, v float64) { n.TxErrors = toUint(v) }},
		{"node_network_receive_drop_total", func(n *system.NetCounters, v float64) { n.RxDrops = toUint(v) }},
		{"node_network_transmit_drop_total", func(n *system.NetCounters, v float64) { n.TxDrops = toUint(v) }},
	} {
		rows = byKey(f, rows, idx, c.fam, "device", name, c.set)
	}
	slices.SortFunc(rows, func(a, b system.NetCounters) int { return cmp.Compare(a.Name, b.Name) })
	return rows
}

// pseudoFS are filesystem types that hold no data worth a gauge; df -x
// and the local reader leave them out too.
var pseudoFS = map[string]bool{"tmpfs": true, "ramfs": true, "devtmpfs": true, "overlay": true, "squashfs": true, "nsfs": true}

// filesystems are node_filesystem_*'s sizes per mount point.
func (f families) filesystems(rows []system.FilesystemUsage) []system.FilesystemUsage {
	type fs struct {
		system.FilesystemUsage
		free uint64
	}
	var list []fs
	idx := map[string]int{}
	first := func(x *fs, s *dto.Metric) bool {
		x.Mount, x.Device, x.Type = labelOf(s, "mountpoint"), labelOf(s, "device"), labelOf(s, "fstype")
		return !pseudoFS[x.Type]
	}
	for _, c := range []struct {
		fam string
		set func(*fs, float64)
	}{
		{"node_filesystem_size_bytes", func(x *fs, v float64) { x.Total = toUint(v) }},
		{"node_filesystem_free_bytes", func(x *fs, v float64) { x.free = toUint(v) }},
		{"node_filesystem_avail_bytes", func(x *fs, v float64) { x.Avail = toUint(v) }},
	} {
		list = byKey(f, list, idx, c.fam, "mountpoint", first, c.set)
	}
	for _, x := range list {
		if x.Total == 0 {
			continue
		}
		x.Used = x.Total - min(x.free, x.Total)
		rows = append(rows, x.FilesystemUsage)
	}
	slices.SortFunc(rows, func(a, b system.FilesystemUsage) int { return cmp.Compare(a.Mount, b.Mount) })
	return rows
}
