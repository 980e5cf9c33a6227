package tui

import (
	"fmt"
	"strings"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/gauge"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

func (m *Model) gaugeStyles() gauge.Styles {
	return gauge.Styles{Label: m.st.P.Muted, OK: m.st.P.OK, Warn: m.st.P.Warn, Crit: m.st.P.Crit, Empty: m.st.P.GaugeEmpty}
}

func (m *Model) tableStyles() table.Styles {
	return table.Styles{Header: m.st.P.Title, Cell: m.st.P.Text, Selected: m.st.P.Selected, Muted: m.st.P.Muted}
}

// unavailable is the body of a panel whose source part failed.
func (m *Model) unavailable(reason string) string {
	return m.st.Warn.Render("n/a") + " " + m.st.Muted.Render(reason)
}

func (m *Model) box(title, info, body string, w, h int) string {
	return panel.Render(m.panelStyles(), title, info, body, w, h)
}

// byteChart prepares c for bytes-per-second series: binary round axis tops,
// and at least 1 KiB so an idle link draws flat instead of magnified noise.
func byteChart(c *chart.Model) *chart.Model {
	c.Binary, c.Floor = true, 1024
	return c
}

// drawChart sizes c, feeds it series and renders it.
func (m *Model) drawChart(c *chart.Model, w, h int, format func(float64) string, series ...chart.Series) string {
	c.SetSize(w, h)
	c.Axis = m.st.P.Muted
	c.Format = format
	c.SetSeries(series...)
	return c.View()
}

func percentLabel(v float64) string { return fmt.Sprintf("%.0f%%", v) }

func bytesLabel(v float64) string { return strings.TrimSuffix(units.Bytes(v), " B") }

// cpuPanel: a busy-percent area chart, per-core gauges, the time breakdown
// and load. maxCoreRows limits the gauges (0: as many as fit).
func (m *Model) cpuPanel(w, h, maxCoreRows int) string {
	cpu := m.snap.Host.CPU
	info := units.Percent(cpu.TotalPercent)
	iw, ih := w-2, h-2
	if cpu.Error != "" {
		return m.box("CPU", "", m.unavailable(cpu.Error), w, h)
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
		c := &m.host.cpu
		c.Fill, c.YMin, c.YMax = true, 0, 100
		lines = append(lines, m.drawChart(c, iw, chartH, percentLabel,
			chart.Series{Values: m.host.series(metrics.KeyCPUTotal), Style: m.st.P.Line(0)}))
	}
	gs := m.gaugeStyles()
	for r := 0; r < rows; r++ {
		var b strings.Builder
		for c := 0; c < cols; c++ {
			i := r*cols + c
			switch {
			case i < shown:
				b.WriteString(gauge.Row(cellW-1, 3, 4, fmt.Sprintf("C%d", i), cores[i], fmt.Sprintf("%.0f%%", cores[i]), gauge.CPULevels, gs))
				b.WriteByte(' ')
			case i == shown && shown < len(cores):
				b.WriteString(m.st.P.Muted.S(fmt.Sprintf("+%d more (2)", len(cores)-shown)))
			}
		}
		lines = append(lines, b.String())
	}
	load := m.snap.Host.Load
	breakdown := fmt.Sprintf("usr %s  sys %s  wait %s  steal %s", units.Percent(cpu.UserPercent),
		units.Percent(cpu.SystemPercent), units.Percent(cpu.IOWaitPercent), units.Percent(cpu.StealPercent))
	if iw < 64 {
		breakdown = fmt.Sprintf("usr %.0f%% sys %.0f%% wait %.0f%% st %.0f%%", cpu.UserPercent,
			cpu.SystemPercent, cpu.IOWaitPercent, cpu.StealPercent)
	}
	if load.Error == "" {
		breakdown += fmt.Sprintf("  load %.2f %.2f %.2f", load.Load1, load.Load5, load.Load15)
	}
	lines = append(lines, m.st.P.Muted.S(breakdown))
	return m.box("CPU", info, strings.Join(lines, "\n"), w, h)
}

// memPanel: gauges for used, cache, available and swap, then a chart of used
// memory and swap.
func (m *Model) memPanel(w, h int) string {
	mem, swap := m.snap.Host.Memory, m.snap.Host.Swap
	iw, ih := w-2, h-2
	if mem.Error != "" {
		return m.box("Memory", "", m.unavailable(mem.Error), w, h)
	}
	pct := func(part uint64) float64 {
		if mem.TotalBytes == 0 {
			return 0
		}
		return float64(part) / float64(mem.TotalBytes) * 100
	}
	gs := m.gaugeStyles()
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
		lines = append(lines, m.st.P.Muted.S("swap  ")+m.unavailable(swap.Error))
	case swap.TotalBytes == 0:
		lines = append(lines, m.st.P.Muted.S("swap  none"))
	default:
		lines = append(lines, row("swap", swap.UsedPercent, swap.UsedBytes, gauge.MemoryLevels))
	}
	if chartH := ih - len(lines); chartH >= 2 {
		c := &m.host.mem
		c.Fill, c.YMin, c.YMax = false, 0, 100
		lines = append(lines, m.drawChart(c, iw, chartH, percentLabel,
			chart.Series{Values: m.host.series(metrics.KeyMemUsed), Style: m.st.P.Line(1)},
			chart.Series{Values: m.host.series(metrics.KeySwapUsed), Style: m.st.P.Line(3)}))
	}
	info := units.Bytes(float64(mem.UsedBytes)) + " / " + units.Bytes(float64(mem.TotalBytes))
	return m.box("Memory", info, strings.Join(lines, "\n"), w, h)
}

// netPanel: rx and tx of all interfaces on one chart, then the busiest
// interfaces, listLines of them at most (the Network screen has the table).
func (m *Model) netPanel(w, h, listLines int) string {
	host := m.snap.Host
	iw, ih := w-2, h-2
	if host.NetError != "" {
		return m.box("Network", "", m.unavailable(host.NetError), w, h)
	}
	rx, tx := m.host.series(metrics.KeyNetRx), m.host.series(metrics.KeyNetTx)
	info := "rx " + units.BytesRate(last(rx)) + "  tx " + units.BytesRate(last(tx))
	n := min(len(host.Network), listLines, max(ih-2, 0))
	var lines []string
	if chartH := ih - n; chartH > 0 {
		lines = append(lines, m.drawChart(byteChart(&m.host.net), iw, chartH, bytesLabel,
			chart.Series{Values: rx, Style: m.st.P.Line(1)}, chart.Series{Values: tx, Style: m.st.P.Line(2)}))
	}
	for _, nic := range host.Network[:n] {
		line := fmt.Sprintf("%-10s rx %10s  tx %10s", cells.Fit(nic.Name, 10), units.BytesRate(nic.RxBytesPerSec), units.BytesRate(nic.TxBytesPerSec))
		if iw < 44 {
			line = fmt.Sprintf("%-6s ↓%s ↑%s", cells.Fit(nic.Name, 6), units.BytesRate(nic.RxBytesPerSec), units.BytesRate(nic.TxBytesPerSec))
		}
		style := m.st.P.Text
		if nic.ErrorsDropsPerSec > 0 {
			style = m.st.P.Warn
			line += fmt.Sprintf("  err+drop %s/s", units.Count(nic.ErrorsDropsPerSec))
		}
		lines = append(lines, style.S(line))
	}
	return m.box("Network", info, strings.Join(lines, "\n"), w, h)
}

// diskPanel: read and write of all devices on one chart, then filesystem
// usage gauges, fsLines of them at most.
func (m *Model) diskPanel(w, h, fsLines int) string {
	host := m.snap.Host
	iw, ih := w-2, h-2
	if host.DisksError != "" && host.FSError != "" {
		return m.box("Disk", "", m.unavailable(host.DisksError), w, h)
	}
	rd, wr := m.host.series(metrics.KeyDiskRead), m.host.series(metrics.KeyDiskWrite)
	info := "r " + units.BytesRate(last(rd)) + "  w " + units.BytesRate(last(wr))
	var fsRows []string
	if host.FSError != "" {
		fsRows = append(fsRows, m.st.P.Muted.S("filesystems ")+m.unavailable(host.FSError))
	}
	gs := m.gaugeStyles()
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
			lines = append(lines, m.unavailable(host.DisksError))
		} else {
			lines = append(lines, m.drawChart(byteChart(&m.host.disk), iw, chartH, bytesLabel,
				chart.Series{Values: rd, Style: m.st.P.Line(0)}, chart.Series{Values: wr, Style: m.st.P.Line(3)}))
		}
	}
	lines = append(lines, fsRows...)
	return m.box("Disk", info, strings.Join(lines, "\n"), w, h)
}

// procPanel: the process table.
func (m *Model) procPanel(w, h int) string {
	p := m.snap.Host.Processes
	if p.Error != "" {
		return m.box("Processes", "", m.unavailable(p.Error), w, h)
	}
	t := &m.host.procs
	t.SetSize(w-2, h-2)
	shown, _ := t.Len()
	info := fmt.Sprintf("%d processes, top %d by CPU", p.Total, shown)
	if f := t.Filter(); f != "" {
		info = fmt.Sprintf("%d match /%s", shown, f)
	}
	return m.box("Processes", info, t.View(m.tableStyles()), w, h)
}

// tablePanel draws one of the host tables in a box.
func (m *Model) tablePanel(title, info string, t *table.Model, w, h int) string {
	t.SetSize(w-2, h-2)
	return m.box(title, info, t.View(m.tableStyles()), w, h)
}

func last(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return v[len(v)-1]
}
