package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/help"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/tui/table"
)

// hostPage is what the host screens have in common: the host view they
// draw from (one for all of them), their size, and their table's keys when
// they have a table; the CPU and Memory screens have none.
type hostPage struct {
	host *hostView
	size
	tableKeys
}

var (
	_ Component = (*overviewPage)(nil)
	_ Component = (*cpuPage)(nil)
	_ Component = (*memoryPage)(nil)
	_ Component = (*diskPage)(nil)
	_ Component = (*networkPage)(nil)
	_ Component = (*processesPage)(nil)
	_ filterer  = (*hostPage)(nil)
	_ noter     = (*hostPage)(nil)
)

func (p *hostPage) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case p.editing:
		case p.t == &p.host.procs && key.Matches(k, p.host.keys.Sort):
			p.host.cycleSort(k.String() == "<")
			return nil
		case key.Matches(k, p.host.keys.Zoom):
			p.host.cycleZoom(k.String() == "Z")
			return nil
		}
		p.update(k)
	}
	return nil
}

// FullHelp is the table's keys, and the charts' zoom.
func (p *hostPage) FullHelp() []help.Group {
	return append(p.tableKeys.FullHelp(), help.Group{Title: "Charts", Bindings: []key.Binding{p.host.keys.Zoom}})
}

// hostScreens are the host's screens, in tab order: the overview, then one
// screen per part of the host. pins are the Prometheus families pinned to
// the overview.
func hostScreens(host *hostView, pins *pinBoard) []screen {
	page := func(t *table.Model) hostPage {
		p := hostPage{host: host}
		if t != nil {
			p.tableKeys = newTableKeys(t, host.shared)
		}
		return p
	}
	return []screen{
		{overviewScreen, &overviewPage{hostPage: page(&host.procs), pins: pins}},
		{cpuScreen, &cpuPage{page(nil)}},
		{memoryScreen, &memoryPage{page(nil)}},
		{diskScreen, &diskPage{page(&host.disks)}},
		{networkScreen, &networkPage{page(&host.nets)}},
		{processesScreen, &processesPage{page(&host.procs)}},
	}
}

// overviewPage: CPU and memory on top; network and disk stacked beside the
// process table below, like btop's default layout. It is the screen shown
// at rest, so it writes straight into the frame.
type overviewPage struct {
	hostPage
	pins *pinBoard
}

var _ drawer = (*overviewPage)(nil)

func (p *overviewPage) Draw(b *strings.Builder) {
	v, w, h := p.host, p.w, p.h
	pinH := 0
	if len(p.pins.pins) > 0 && h >= 24 {
		pinH = max(h/4, 6)
		h -= pinH
	}
	topH := max(h*9/20, 9)
	botH := h - topH
	ws := panel.Split(w, 5)
	cpuW := ws[0] + ws[1] + ws[2]
	panel.WriteRow(b, v.cpuPanel(cpuW, topH, 2), v.memPanel(w-cpuW, topH))
	b.WriteByte('\n')
	if botH < 10 {
		// Too short for network and disk to show more than their titles:
		// the processes take the row (network and disk have their screens).
		b.WriteString(v.procPanel(w, botH))
	} else {
		leftW := w / 2
		netH := botH / 2
		left := v.netPanel(leftW, netH, 2) + "\n" + v.diskPanel(leftW, botH-netH, 2)
		panel.WriteRow(b, left, v.procPanel(w-leftW, botH))
	}
	if pinH > 0 {
		b.WriteByte('\n')
		b.WriteString(p.pins.row(v.shared, w, pinH))
	}
}

func (p *overviewPage) View() string {
	var b strings.Builder
	p.Draw(&b)
	return b.String()
}

// cpuPage: the CPU panel over the whole screen, every core shown.
type cpuPage struct{ hostPage }

func (p *cpuPage) View() string { return p.host.cpuPanel(p.w, p.h, 0) }

// memoryPage: memory on the left, the top memory users on the right.
type memoryPage struct{ hostPage }

func (p *memoryPage) View() string {
	v, w, h := p.host, p.w, p.h
	if w < 100 {
		return v.memPanel(w, h)
	}
	return panel.Row(v.memPanel(w/2, h), v.memProcPanel(w-w/2, h))
}

// diskPage: the throughput chart, then the device and filesystem tables.
type diskPage struct{ hostPage }

func (p *diskPage) View() string {
	v, w, h := p.host, p.w, p.h
	devs, _ := v.disks.Len()
	fss, _ := v.fs.Len()
	// Half for the chart, less when the tables need it (a row each, a
	// header and borders), so a small terminal still lists some of both.
	chartH := max(h/2, 6)
	if need := devs + fss + 6; h-chartH < need {
		chartH = max(h-need, 5)
	}
	rest := h - chartH
	devH := min(devs+3, max(rest-(fss+3), rest/2))
	return v.diskPanel(w, chartH, 0) + "\n" +
		v.tablePanel("Devices", fmt.Sprintf("%d", devs), &v.disks, w, devH) + "\n" +
		v.tablePanel("Filesystems", fmt.Sprintf("%d", fss), &v.fs, w, rest-devH)
}

// networkPage: the throughput chart, then the interface table.
type networkPage struct{ hostPage }

func (p *networkPage) View() string {
	v, w, h := p.host, p.w, p.h
	chartH := max(h/2, 6)
	n, _ := v.nets.Len()
	return v.netPanel(w, chartH, 0) + "\n" + v.tablePanel("Interfaces", fmt.Sprintf("%d", n), &v.nets, w, h-chartH)
}

// processesPage: the process table over the whole screen.
type processesPage struct{ hostPage }

// View: the table, and under it the selected process's whole command line,
// which the table's COMMAND column (on wide terminals) can only begin.
func (p *processesPage) View() string {
	v := p.host
	row, ok := v.procs.Selected()
	if !ok || p.h < 12 || len(row) <= procCommandCol {
		return v.procPanel(p.w, p.h)
	}
	lines := strings.Split(ansi.Wrap(row[procCommandCol], p.w-2, ""), "\n")
	if len(lines) > 2 {
		lines = []string{lines[0], cells.Fit(strings.Join(lines[1:], " "), p.w-2)}
	}
	cmdH := len(lines) + 2
	return v.procPanel(p.w, p.h-cmdH) + "\n" + v.box("Command", fitInfo(p.w, "Command", "PID "+row[0]+" "+row[1], "PID "+row[0]), strings.Join(lines, "\n"), p.w, cmdH)
}
