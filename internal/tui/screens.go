package tui

import (
	"fmt"
	"strings"

	"github.com/perftop/perftop/internal/tui/panel"
)

// overview: CPU and memory on top; network and disk stacked beside the
// process table below, like btop's default layout. It is the screen shown
// at rest, so it writes straight into the frame.
func (m *Model) overview(b *strings.Builder, w, h int) {
	pinH := 0
	if len(m.prom.pins) > 0 && h >= 24 {
		pinH = max(h/4, 6)
		h -= pinH
	}
	topH := max(h*9/20, 9)
	botH := h - topH
	ws := panel.Split(w, 5)
	cpuW := ws[0] + ws[1] + ws[2]
	panel.WriteRow(b, m.cpuPanel(cpuW, topH, 2), m.memPanel(w-cpuW, topH))
	b.WriteByte('\n')
	leftW := w / 2
	netH := botH / 2
	left := m.netPanel(leftW, netH, 2) + "\n" + m.diskPanel(leftW, botH-netH, 2)
	panel.WriteRow(b, left, m.procPanel(w-leftW, botH))
	if pinH > 0 {
		b.WriteByte('\n')
		b.WriteString(m.pinnedRow(w, pinH))
	}
}

// cpuScreen: the CPU panel over the whole screen, every core shown.
func (m *Model) cpuScreen(w, h int) string { return m.cpuPanel(w, h, 0) }

// memScreen: memory on the left, the top memory users on the right.
func (m *Model) memScreen(w, h int) string {
	if w < 100 {
		return m.memPanel(w, h)
	}
	return panel.Row(m.memPanel(w/2, h), m.procPanel(w-w/2, h))
}

// diskScreen: the throughput chart, then the device and filesystem tables.
func (m *Model) diskScreen(w, h int) string {
	chartH := max(h/2, 6)
	rest := h - chartH
	devH := rest / 2
	devs, _ := m.host.disks.Len()
	fss, _ := m.host.fs.Len()
	return m.diskPanel(w, chartH, 0) + "\n" +
		m.tablePanel("Devices", fmt.Sprintf("%d", devs), &m.host.disks, w, devH) + "\n" +
		m.tablePanel("Filesystems", fmt.Sprintf("%d", fss), &m.host.fs, w, rest-devH)
}

// netScreen: the throughput chart, then the interface table.
func (m *Model) netScreen(w, h int) string {
	chartH := max(h/2, 6)
	n, _ := m.host.nets.Len()
	return m.netPanel(w, chartH, 0) + "\n" + m.tablePanel("Interfaces", fmt.Sprintf("%d", n), &m.host.nets, w, h-chartH)
}

// procScreen: the process table over the whole screen.
func (m *Model) procScreen(w, h int) string { return m.procPanel(w, h) }
