package tui

import (
	"fmt"

	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

// fleetPage is the Fleet screen: the test many headless runners run
// together, as the Prometheus server that scrapes them sums it (--fleet):
// the whole fleet as one test, then a row per runner.
type fleetPage struct {
	*shared
	size
	tableKeys
	runners table.Model
}

var (
	_ Component  = (*fleetPage)(nil)
	_ dataSetter = (*fleetPage)(nil)
)

func newFleetPage(sh *shared) *fleetPage {
	p := &fleetPage{shared: sh, runners: table.New(
		table.Column{Title: "INSTANCE"},
		table.Column{Title: "UP", Width: 4},
		table.Column{Title: "REQ/s", Width: 9, Right: true},
		table.Column{Title: "ERR/s", Width: 9, Right: true},
		table.Column{Title: "ERR%", Width: 7, Right: true},
		table.Column{Title: "P99", Width: 9, Right: true},
	)}
	p.tableKeys = newTableKeys(&p.runners, sh)
	return p
}

func (p *fleetPage) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		p.update(k)
	}
	return nil
}

func (p *fleetPage) setData() {
	fl := p.snap.Fleet
	if fl == nil {
		p.runners.SetRows(nil)
		return
	}
	rows := make([][]string, 0, len(fl.Runners))
	for _, r := range fl.Runners {
		up, p99 := "down", "-"
		if r.Up {
			up = "up"
		}
		if r.HasP99 {
			p99 = units.Seconds(r.P99)
		}
		rows = append(rows, []string{r.Instance, up, units.Count(r.Rate), units.Count(r.Errors), errPct(r.Errors, r.Rate), p99})
	}
	p.runners.SetRows(rows)
}

func errPct(errs, rate float64) string {
	if rate <= 0 {
		return "-"
	}
	return strconv.FormatFloat(errs/rate*100, 'f', 2, 64) + "%"
}

func (p *fleetPage) View() string {
	w, h := p.w, p.h
	fl := p.snap.Fleet
	if fl == nil {
		return p.box("Fleet", "", p.st.Muted.Render("asking the Prometheus server…"), w, h)
	}
	up := 0
	for _, r := range fl.Runners {
		if r.Up {
			up++
		}
	}
	iw := w - 2
	label := func(s string) string { return p.st.Muted.Render(fmt.Sprintf("%-10s", s)) }
	var lines []string
	if fl.Error != "" {
		lines = append(lines, p.st.Crit.Render(cells.Fit(fl.Error, iw)))
	}
	lines = append(lines,
		label("runners")+whole(iw-10, fmt.Sprintf("%d, %d up ", len(fl.Runners), up), p.st.Muted.Render("rates over "+fl.Window)),
		label("rate")+whole(iw-10, units.Count(fl.Rate)+" req/s ", fmt.Sprintf("errors %s/s (%s)", units.Count(fl.Errors), errPct(fl.Errors, fl.Rate))))
	if fl.HasLatency {
		lines = append(lines, label("latency")+whole(iw-10, "p50 "+units.Seconds(fl.P50)+" ", "p99 "+units.Seconds(fl.P99)+" ", p.st.Muted.Render("the runners' summed histogram")))
	}
	kinds := make([]string, 0, len(fl.ErrorsByKind))
	for k := range fl.ErrorsByKind {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %s/s ", k, units.Count(fl.ErrorsByKind[k])))
	}
	if len(parts) > 0 {
		lines = append(lines, label("errors")+whole(iw-10, parts...))
	}
	topH := min(len(lines)+2, h-4)
	top := p.box("Fleet", fitText(w, "Fleet", fl.Server), strings.Join(lines, "\n"), w, topH)
	p.runners.SetSize(w-2, h-topH-2)
	return top + "\n" + p.box("Runners", fmt.Sprintf("%d", len(fl.Runners)), p.runners.View(p.tableStyles()), w, h-topH)
}
