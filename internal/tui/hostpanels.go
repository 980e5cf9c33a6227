package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/gauge"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

// cpuPanel: a busy-percent area chart, per-core gauges, the time breakdown
// and load. maxCoreRows limits the gauges (0: as many as fit).
func (v *hostView) cpuPanel(w, h, maxCoreRows int) string {
	cpu := v.hostSample().CPU
	info := units.Percent(cpu.TotalPercent)
	iw, ih := w-2, h-2
	if cpu.Error != "" {
		return v.box("CPU", "", v.unavailable(cpu.Error), w, h)
	}
	cores := cpu.PerCorePercent
	cellW := 18
	if iw >= 120 {
		cellW = 24
	}
	cols := max(iw/cellW, 1)
	cellW = iw / cols
	rows := (len(cores) + cols - 1) / cols
	room := max(ih-1-3, 0) // keep three lines for the chart and one for the breakdown
	if maxCoreRows > 0 {
		room = min(room, maxCoreRows)
	}
	shown := len(cores)
	if rows > room {
		rows = room
		shown = rows * cols
		if shown < len(cores) && shown > 0 {
			shown-- // leave a cell for "+N more"
		}
	}
	var lines []string
	chartH := ih - rows - 1
	if chartH > 0 {
		c := &v.cpu
		c.Fill, c.YMin, c.YMax = true, 0, 100
		lines = append(lines, v.drawChart(v.hostChart(c), iw, chartH, percentLabel, v.line(v.hk(metrics.KeyCPUTotal), v.st.P.Line(0))))
	}
	gs := v.gaugeStyles()
	for r := 0; r < rows; r++ {
		var b strings.Builder
		for c := 0; c < cols; c++ {
			i := r*cols + c
			switch {
			case i < shown && maxCoreRows == 0 && cellW >= 14:
				// The CPU screen: each core's history as a sparkline.
				b.WriteString(v.coreSpark(i, cores[i], cellW-1))
				b.WriteByte(' ')
			case i < shown:
				b.WriteString(gauge.Row(cellW-1, 3, 4, fmt.Sprintf("C%d", i), cores[i], fmt.Sprintf("%.0f%%", cores[i]), gauge.CPULevels, gs))
				b.WriteByte(' ')
			case i == shown && shown < len(cores):
				b.WriteString(v.st.P.Muted.S(fmt.Sprintf("+%d more (2)", len(cores)-shown)))
			}
		}
		lines = append(lines, b.String())
	}
	load := v.hostSample().Load
	breakdown := fmt.Sprintf("usr %s  sys %s  wait %s  steal %s", units.Percent(cpu.UserPercent),
		units.Percent(cpu.SystemPercent), units.Percent(cpu.IOWaitPercent), units.Percent(cpu.StealPercent))
	if iw < 64 {
		breakdown = fmt.Sprintf("usr %.0f%% sys %.0f%% wait %.0f%% st %.0f%%", cpu.UserPercent,
			cpu.SystemPercent, cpu.IOWaitPercent, cpu.StealPercent)
	}
	if load.Error == "" {
		// The load average only when it fits whole, its three numbers or
		// the first.
		for _, l := range []string{fmt.Sprintf("  load %.2f %.2f %.2f", load.Load1, load.Load5, load.Load15), fmt.Sprintf("  load %.2f", load.Load1)} {
			if cells.Width(breakdown+l) <= iw {
				breakdown += l
				break
			}
		}
	}
	lines = append(lines, v.st.P.Muted.S(breakdown))
	return v.box("CPU", info, strings.Join(lines, "\n"), w, h)
}

// memPanel: gauges for used, cache, available and swap, then a chart of used
// memory and swap.
func (v *hostView) memPanel(w, h int) string {
	mem, swap := v.hostSample().Memory, v.hostSample().Swap
	iw, ih := w-2, h-2
	if mem.Error != "" {
		return v.box("Memory", "", v.unavailable(mem.Error), w, h)
	}
	pct := func(part uint64) float64 {
		if mem.TotalBytes == 0 {
			return 0
		}
		return float64(part) / float64(mem.TotalBytes) * 100
	}
	gs := v.gaugeStyles()
	row := func(label string, p float64, bytes uint64, lv gauge.Levels) string {
		return gauge.Row(iw, 5, 9, label, p, units.Bytes(float64(bytes)), lv, gs)
	}
	never := gauge.Levels{Warn: 101, Crit: 101} // cache and free memory are never a warning
	lines := []string{
		row("used", mem.UsedPercent, mem.UsedBytes, gauge.MemoryLevels),
		row("cache", pct(mem.CachedBytes+mem.BuffersBytes), mem.CachedBytes+mem.BuffersBytes, never),
		row("avail", pct(mem.AvailableBytes), mem.AvailableBytes, never),
	}
	switch {
	case swap.Error != "":
		lines = append(lines, v.st.P.Muted.S("swap  ")+v.unavailable(swap.Error))
	case swap.TotalBytes == 0:
		lines = append(lines, v.st.P.Muted.S("swap  none"))
	default:
		lines = append(lines, row("swap", swap.UsedPercent, swap.UsedBytes, gauge.MemoryLevels))
	}
	if chartH := ih - len(lines); chartH >= 2 {
		c := &v.mem
		c.Fill, c.YMin, c.YMax = false, 0, 100
		lines = append(lines, v.drawChart(v.hostChart(c), iw, chartH, percentLabel,
			v.line(v.hk(metrics.KeyMemUsed), v.st.P.Line(1)), v.line(v.hk(metrics.KeySwapUsed), v.st.P.Line(3))))
	}
	used := units.Bytes(float64(mem.UsedBytes))
	info := fitInfo(w, "Memory", used+" / "+units.Bytes(float64(mem.TotalBytes)), used)
	return v.box("Memory", info, strings.Join(lines, "\n"), w, h)
}

// netPanel: rx and tx of all interfaces on one chart, then the busiest
// interfaces, listLines of them at most (the Network screen has the table).
func (v *hostView) netPanel(w, h, listLines int) string {
	host := v.hostSample()
	iw, ih := w-2, h-2
	if host.NetError != "" {
		return v.box("Network", "", v.unavailable(host.NetError), w, h)
	}
	rx, tx := v.series(v.hk(metrics.KeyNetRx)), v.series(v.hk(metrics.KeyNetTx))
	r, t := units.BytesRate(last(rx)), units.BytesRate(last(tx))
	info := fitInfo(w, "Network", "rx "+r+"  tx "+t, "↓"+r+" ↑"+t, "↓"+r)
	n := min(len(host.Network), listLines, max(ih-2, 0))
	var lines []string
	if chartH := ih - n; chartH > 0 {
		lines = append(lines, v.drawChart(v.hostChart(byteChart(&v.net)), iw, chartH, rateAxis,
			v.line(v.hk(metrics.KeyNetRx), v.st.P.Line(1)), v.line(v.hk(metrics.KeyNetTx), v.st.P.Line(2))))
	}
	for _, nic := range host.Network[:n] {
		line := fmt.Sprintf("%-10s rx %10s  tx %10s", cells.Fit(nic.Name, 10), units.BytesRate(nic.RxBytesPerSec), units.BytesRate(nic.TxBytesPerSec))
		if iw < 44 {
			line = fmt.Sprintf("%-6s ↓%s ↑%s", cells.Fit(nic.Name, 6), units.BytesRate(nic.RxBytesPerSec), units.BytesRate(nic.TxBytesPerSec))
		}
		style := v.st.P.Text
		if nic.ErrorsDropsPerSec > 0 {
			// Warned in colour; the count too when it fits whole.
			style = v.st.P.Warn
			if more := fmt.Sprintf("  err+drop %s/s", units.Count(nic.ErrorsDropsPerSec)); cells.Width(line+more) <= iw {
				line += more
			}
		}
		lines = append(lines, style.S(line))
	}
	return v.box("Network", info, strings.Join(lines, "\n"), w, h)
}

// diskPanel: read and write of all devices on one chart, then filesystem
// usage gauges, fsLines of them at most.
func (v *hostView) diskPanel(w, h, fsLines int) string {
	host := v.hostSample()
	iw, ih := w-2, h-2
	if host.DisksError != "" && host.FSError != "" {
		return v.box("Disk", "", v.unavailable(host.DisksError), w, h)
	}
	rd, wr := v.series(v.hk(metrics.KeyDiskRead)), v.series(v.hk(metrics.KeyDiskWrite))
	r, wt := units.BytesRate(last(rd)), units.BytesRate(last(wr))
	info := fitInfo(w, "Disk", "r "+r+"  w "+wt, "r "+r+" w "+wt, "r "+r)
	var fsRows []string
	if host.FSError != "" {
		fsRows = append(fsRows, v.st.P.Muted.S("filesystems ")+v.unavailable(host.FSError))
	}
	gs := v.gaugeStyles()
	for _, f := range host.Filesystems {
		if len(fsRows) >= min(fsLines, max(ih-2, 0)) {
			break
		}
		val := units.Bytes(float64(f.UsedBytes)) + "/" + units.Bytes(float64(f.TotalBytes))
		fsRows = append(fsRows, gauge.Row(iw, 10, 19, f.Mount, f.UsedPercent, val, gauge.MemoryLevels, gs))
	}
	var lines []string
	if chartH := ih - len(fsRows); chartH > 0 {
		if host.DisksError != "" {
			lines = append(lines, v.unavailable(host.DisksError))
		} else {
			lines = append(lines, v.drawChart(v.hostChart(byteChart(&v.disk)), iw, chartH, rateAxis,
				v.line(v.hk(metrics.KeyDiskRead), v.st.P.Line(0)), v.line(v.hk(metrics.KeyDiskWrite), v.st.P.Line(3))))
		}
	}
	lines = append(lines, fsRows...)
	return v.box("Disk", info, strings.Join(lines, "\n"), w, h)
}

// procPanel: the process table.
func (v *hostView) procPanel(w, h int) string {
	p := v.hostSample().Processes
	if p.Error != "" {
		return v.box("Processes", "", v.unavailable(p.Error), w, h)
	}
	t := &v.procs
	t.SetSize(w-2, h-2)
	shown, _ := t.Len()
	by := procOrders[v.procSort].name
	info := fitInfo(w, "Processes", fmt.Sprintf("%d processes by %s", p.Total, by), fmt.Sprintf("%d by %s", p.Total, by), "by "+by)
	if f := t.Filter(); f != "" {
		info = fitInfo(w, "Processes", fmt.Sprintf("%d of %d match /%s", shown, p.Total, f), fmt.Sprintf("%d of %d", shown, p.Total))
	}
	return v.box("Processes", info, t.View(v.tableStyles()), w, h)
}

// memProcPanel: the processes by resident memory, for the Memory screen.
func (v *hostView) memProcPanel(w, h int) string {
	p := v.hostSample().Processes
	if p.Error != "" {
		return v.box("Processes", "", v.unavailable(p.Error), w, h)
	}
	v.memProcs.SetSize(w-2, h-2)
	info := fitInfo(w, "Processes", fmt.Sprintf("%d processes by memory", p.Total), fmt.Sprintf("%d by memory", p.Total), "by memory")
	return v.box("Processes", info, v.memProcs.View(v.tableStyles()), w, h)
}

// tablePanel draws one of the host tables in a box.
func (v *hostView) tablePanel(title, info string, t *table.Model, w, h int) string {
	t.SetSize(w-2, h-2)
	return v.box(title, info, t.View(v.tableStyles()), w, h)
}

// sparkBlocks are the eight heights of a sparkline.
var sparkBlocks = []rune("▁▂▃▄▅▆▇█")

// coreSpark is core i's cell on the CPU screen, w cells wide: its name,
// its recent busy percent as a sparkline (0-100%, newest right) coloured by
// the current level, and the current value.
func (v *hostView) coreSpark(i int, now float64, w int) string {
	name, val := fmt.Sprintf("C%-2d", i), fmt.Sprintf("%4.0f%%", now)
	n := w - len(name) - len(val) - 2
	hist := v.series(v.hk(metrics.KeyCPUCore(i)))
	if len(hist) > n {
		hist = hist[len(hist)-n:]
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", n-len(hist)))
	for _, p := range hist {
		k := int(math.Round(min(max(p, 0), 100) / 100 * float64(len(sparkBlocks)-1)))
		b.WriteRune(sparkBlocks[k])
	}
	style := v.st.P.OK
	switch {
	case now >= gauge.CPULevels.Crit:
		style = v.st.P.Crit
	case now >= gauge.CPULevels.Warn:
		style = v.st.P.Warn
	}
	return v.st.P.Muted.S(name) + " " + style.S(b.String()) + " " + val
}

// fitText is a text info (a name, an expression, not a number) cut to fit
// beside title on the top border of a box w wide.
func fitText(w int, title, s string) string {
	return cells.Fit(s, w-cells.Width(title)-8)
}

// fitInfo is the first of choices that fits whole beside title on the top
// border of a box w wide ("╭─ title ─…─ info ─╮"); the last one otherwise.
func fitInfo(w int, title string, choices ...string) string {
	room := w - cells.Width(title) - 8
	for _, c := range choices {
		if cells.Width(c) <= room {
			return c
		}
	}
	return choices[len(choices)-1]
}
