package tui

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

// hostView holds the host panels' state, shared by the host screens: chart
// buffers and tables, refreshed from each snapshot rather than at every
// draw. The overview and the Processes screen show the same process table,
// so a filter or a cursor set on one is there on the other.
type hostView struct {
	*shared
	cpu, mem, net, disk chart.Model
	procs, disks, nets  table.Model
	memProcs            table.Model // the Memory screen's: by resident memory
	procSort            int         // the processes table's order: an index into procOrders
	zoom                int         // the host charts' window: an index into hostWindows
	fs                  table.Model

	// The process and filesystem lists the tables were last filled from:
	// the source reads them every few samples and carries them over in
	// between, and a table left alone draws from its cache.
	lastProcs []metrics.Process
	lastFS    []metrics.Filesystem
}

var _ dataSetter = (*hostView)(nil)

func newHostView(sh *shared) *hostView {
	return &hostView{
		shared: sh,
		procs: table.New(
			table.Column{Title: "PID", Width: 7, Right: true},
			table.Column{Title: "NAME"},
			table.Column{Title: "S", Width: 1, HideBelow: 56},
			table.Column{Title: "THR", Width: 4, Right: true, HideBelow: 56},
			table.Column{Title: "CPU%", Width: 6, Right: true},
			table.Column{Title: "MEM%", Width: 5, Right: true, HideBelow: 48},
			table.Column{Title: "RSS", Width: 9, Right: true},
			table.Column{Title: "COMMAND", HideBelow: 100, Flex: 3},
		),
		memProcs: table.New(
			table.Column{Title: "PID", Width: 7, Right: true},
			table.Column{Title: "NAME"},
			table.Column{Title: "MEM%", Width: 5, Right: true},
			table.Column{Title: "RSS", Width: 9, Right: true},
		),
		disks: table.New(
			table.Column{Title: "DEVICE"},
			table.Column{Title: "READ/s", Width: 11, Right: true},
			table.Column{Title: "WRITE/s", Width: 11, Right: true},
			table.Column{Title: "R IOPS", Width: 7, Right: true, HideBelow: 64},
			table.Column{Title: "W IOPS", Width: 7, Right: true, HideBelow: 64},
			table.Column{Title: "BUSY", Width: 6, Right: true},
		),
		fs: table.New(
			table.Column{Title: "MOUNT"},
			table.Column{Title: "TYPE", Width: 8},
			table.Column{Title: "SIZE", Width: 9, Right: true},
			table.Column{Title: "USED", Width: 9, Right: true},
			table.Column{Title: "USE%", Width: 6, Right: true},
		),
		nets: table.New(
			table.Column{Title: "INTERFACE"},
			table.Column{Title: "RX/s", Width: 11, Right: true},
			table.Column{Title: "TX/s", Width: 11, Right: true},
			table.Column{Title: "RX pkt/s", Width: 8, Right: true, HideBelow: 70},
			table.Column{Title: "TX pkt/s", Width: 8, Right: true, HideBelow: 70},
			table.Column{Title: "ERR", Width: 6, Right: true},
			table.Column{Title: "DROP", Width: 6, Right: true},
		),
	}
}

// setData refills the tables from the latest snapshot.
func (h *hostView) setData() {
	host := h.hostSample()

	if !sameList(host.Processes.Top, h.lastProcs) {
		h.lastProcs = host.Processes.Top
		h.setProcRows()
	}

	rows := make([][]string, 0, len(host.Disks))
	for _, d := range host.Disks {
		rows = append(rows, []string{
			d.Name, units.BytesRate(d.ReadBytesPerSec), units.BytesRate(d.WriteBytesPerSec),
			units.Count(d.ReadIOPS), units.Count(d.WriteIOPS), units.Percent(d.BusyPercent),
		})
	}
	h.disks.SetRows(rows)

	if !sameList(host.Filesystems, h.lastFS) {
		h.lastFS = host.Filesystems
		rows = make([][]string, 0, len(host.Filesystems))
		for _, f := range host.Filesystems {
			rows = append(rows, []string{
				f.Mount, f.Type, units.Bytes(float64(f.TotalBytes)), units.Bytes(float64(f.UsedBytes)), units.Percent(f.UsedPercent),
			})
		}
		h.fs.SetRows(rows)
	}

	rows = make([][]string, 0, len(host.Network))
	for _, n := range host.Network {
		rows = append(rows, []string{
			n.Name, units.BytesRate(n.RxBytesPerSec), units.BytesRate(n.TxBytesPerSec),
			units.Count(n.RxPacketsPerSec), units.Count(n.TxPacketsPerSec),
			units.Count(float64(n.RxErrors + n.TxErrors)), units.Count(float64(n.RxDrops + n.TxDrops)),
		})
	}
	h.nets.SetRows(rows)
}

// procOrders are the orders of the processes table, in the order < and >
// go through them, as htop's sort column.
var procOrders = []struct {
	name string
	less func(a, b *metrics.Process) int
}{
	{"CPU", func(a, b *metrics.Process) int {
		return cmp.Or(cmp.Compare(b.CPUPercent, a.CPUPercent), cmp.Compare(b.RSSBytes, a.RSSBytes))
	}},
	{"memory", func(a, b *metrics.Process) int {
		return cmp.Or(cmp.Compare(b.RSSBytes, a.RSSBytes), cmp.Compare(b.CPUPercent, a.CPUPercent))
	}},
	{"PID", func(a, b *metrics.Process) int { return cmp.Compare(a.PID, b.PID) }},
	{"name", func(a, b *metrics.Process) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.PID, b.PID))
	}},
}

// procCommandCol is the processes table's COMMAND column.
const procCommandCol = 7

// hostWindows are the time windows z and Z step the host charts through,
// in seconds; 0, the first, gives each sample a dot column (about two
// minutes of one-second samples on a full-width chart).
var hostWindows = []float64{0, 60, 300, 900, 3600}

// cycleZoom moves the host charts to the next longer window the history
// holds (back: shorter), round to the first.
func (h *hostView) cycleZoom(back bool) {
	n := len(hostWindows)
	for range n {
		if back {
			h.zoom = (h.zoom + n - 1) % n
		} else {
			h.zoom = (h.zoom + 1) % n
		}
		if hostWindows[h.zoom] <= h.historySeconds() {
			return
		}
	}
}

// historySeconds is about how far back the series reach when the rings are
// full: their capacity at the pace of the latest samples.
func (h *hostView) historySeconds() float64 {
	h.series(h.hk(metrics.KeyCPUTotal))
	ts := h.times[h.hk(metrics.KeyCPUTotal)]
	step := 1.0
	if n := len(ts); n >= 2 && ts[n-1] > ts[n-2] {
		step = ts[n-1] - ts[n-2]
	}
	return float64(h.capacity) * step * 1.001
}

// hostChart sets c up as a host chart: a time axis back from now over the
// window chosen.
func (h *hostView) hostChart(c *chart.Model) *chart.Model {
	c.X, c.Window = chart.Ago, hostWindows[h.zoom]
	return c
}

// cycleSort moves the processes table to the next order, or the previous.
func (h *hostView) cycleSort(back bool) {
	step := 1
	if back {
		step = len(procOrders) - 1
	}
	h.procSort = (h.procSort + step) % len(procOrders)
	h.setProcRows()
}

// setProcRows fills both process tables from the sample, every process
// in it: the processes table in its order, the Memory screen's by memory.
func (h *hostView) setProcRows() {
	list := slices.Clone(h.hostSample().Processes.Top)
	byOrder := func(i int) {
		slices.SortStableFunc(list, func(a, b metrics.Process) int { return procOrders[i].less(&a, &b) })
	}
	byOrder(h.procSort)
	rows := make([][]string, 0, len(list))
	for _, p := range list {
		rows = append(rows, []string{
			strconv.Itoa(int(p.PID)), p.Name, p.State, strconv.Itoa(int(p.Threads)),
			strconv.FormatFloat(p.CPUPercent, 'f', 1, 64), strconv.FormatFloat(p.MemPercent, 'f', 1, 64),
			units.Bytes(float64(p.RSSBytes)), cmp.Or(p.Command, p.Name),
		})
	}
	h.procs.SetRows(rows)
	byOrder(1)
	rows = make([][]string, 0, len(list))
	for _, p := range list {
		rows = append(rows, []string{strconv.Itoa(int(p.PID)), p.Name, strconv.FormatFloat(p.MemPercent, 'f', 1, 64), units.Bytes(float64(p.RSSBytes))})
	}
	h.memProcs.SetRows(rows)
}
