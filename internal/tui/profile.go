package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/chart"
	"github.com/perftop/perftop/internal/tui/help"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

// profilePage is the Profile screen of a run with --pprof: the target's
// hottest functions in its latest CPU profile, by flat or cumulative CPU,
// with the change since the profile before; its CPU, heap and goroutines
// over time; enter shows a function's callers and callees (pprof's peek).
type profilePage struct {
	*shared
	size
	tableKeys
	funcs        table.Model
	byCum        bool
	peek         string // the function whose callers and callees are shown
	cpu, heap, g chart.Model
}

var (
	_ Component  = (*profilePage)(nil)
	_ dataSetter = (*profilePage)(nil)
)

func newProfilePage(sh *shared) *profilePage {
	p := &profilePage{shared: sh, funcs: table.New(
		table.Column{Title: "FLAT%", Width: 6, Right: true},
		table.Column{Title: "CUM%", Width: 6, Right: true},
		table.Column{Title: "CPU/s", Width: 7, Right: true},
		table.Column{Title: "Δ FLAT", Width: 7, Right: true, HideBelow: 60},
		table.Column{Title: "FUNCTION"},
	)}
	p.funcs.SetKeyColumn(profFuncCol) // the cursor follows its function
	p.tableKeys = newTableKeys(&p.funcs, sh)
	return p
}

// profFuncCol is the FUNCTION column: the whole name, whatever is drawn.
const profFuncCol = 4

func (p *profilePage) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case p.editing:
	case key.Matches(k, p.keys.Peek):
		if row, ok := p.funcs.Selected(); ok {
			p.peek = row[profFuncCol]
		}
		return nil
	case key.Matches(k, p.keys.Escape) && p.peek != "":
		p.peek = ""
		return nil
	case key.Matches(k, p.keys.Sort):
		p.byCum = !p.byCum
		p.setData()
		return nil
	}
	p.update(k)
	return nil
}

func (p *profilePage) FullHelp() []help.Group {
	k := &p.keys
	t := k.tableHelp()[0]
	sort := k.Sort
	sort.SetHelp("</>", "sort functions by flat or cumulative CPU")
	t.Bindings = append(t.Bindings[:len(t.Bindings)-1], sort, k.Peek)
	return []help.Group{t}
}

// setData fills the table from the latest profile, in the order chosen.
func (p *profilePage) setData() {
	pr := p.snap.Profile
	if pr == nil {
		p.funcs.SetRows(nil)
		return
	}
	fs := append([]metrics.ProfileFunc(nil), pr.Funcs...)
	if p.byCum {
		sortFuncsByCum(fs)
	}
	rows := make([][]string, 0, len(fs))
	for _, f := range fs {
		delta := ""
		if f.PrevKnown {
			delta = fmt.Sprintf("%+.1f", (f.FlatShare-f.PrevShare)*100)
		}
		cpu := 0.0
		if pr.Seconds > 0 {
			cpu = f.Flat / pr.Seconds
		}
		if p.byCum && pr.Seconds > 0 {
			cpu = f.Cum / pr.Seconds
		}
		rows = append(rows, []string{pct1(f.FlatShare), pct1(f.CumShare), strconv.FormatFloat(cpu, 'f', 3, 64), delta, f.Name})
	}
	p.funcs.SetRows(rows)
}

func sortFuncsByCum(fs []metrics.ProfileFunc) {
	for i := 1; i < len(fs); i++ { // insertion sort: at most MaxProfileFuncs, nearly sorted
		for j := i; j > 0 && (fs[j].Cum > fs[j-1].Cum || fs[j].Cum == fs[j-1].Cum && fs[j].Name < fs[j-1].Name); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func pct1(share float64) string { return strconv.FormatFloat(share*100, 'f', 1, 64) }

// View: the profile's state and charts on top, the functions (or one
// function's callers and callees) below.
func (p *profilePage) View() string {
	w, h := p.w, p.h
	pr := p.snap.Profile
	if pr == nil {
		return p.box("Profile", "", p.st.Muted.Render("waiting for the first profile…"), w, h)
	}
	topH := min(max(h/3, 7), h-5)
	leftW := w * 2 / 5
	cw := (w - leftW) / 2
	// Heap and goroutines share the right column when it has the height
	// for two charts.
	rw := w - leftW - cw
	right := p.profChart("Heap in use", &p.heap, metrics.KeyProfileHeap, bytesLabel, rw, topH)
	if topH >= 12 {
		hh := topH / 2
		right = p.profChart("Heap in use", &p.heap, metrics.KeyProfileHeap, bytesLabel, rw, hh) + "\n" +
			p.profChart("Goroutines", &p.g, metrics.KeyProfileGoroutines, units.Count, rw, topH-hh)
	}
	top := panel.Row(p.statePanel(pr, leftW, topH),
		p.profChart("CPU of the target", &p.cpu, metrics.KeyProfileCPU, func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) + " s/s" }, cw, topH),
		right)
	if p.peek != "" {
		return top + "\n" + p.peekPanel(pr, w, h-topH)
	}
	order := "by flat"
	if p.byCum {
		order = "by cumulative"
	}
	p.funcs.SetSize(w-2, h-topH-2)
	info := fitInfo(w, "Functions", fmt.Sprintf("%d %s  enter callers/callees", len(pr.Funcs), order), order)
	return top + "\n" + p.box("Functions", info, p.funcs.View(p.tableStyles()), w, h-topH)
}

// statePanel says where the profiles come from and what the latest one
// saw: its length and end, the CPU it sampled against the process's own
// (from --prom), the heap and goroutines.
func (p *profilePage) statePanel(pr *metrics.Profile, w, h int) string {
	iw := w - 2
	label := func(s string) string { return p.st.Muted.Render(fmt.Sprintf("%-11s", s)) }
	var lines []string
	if pr.Up {
		lines = append(lines, p.st.OK.Render("up")+" "+p.st.Muted.Render(cells.Fit(pr.URL, iw-3)))
	} else {
		lines = append(lines, p.st.Crit.Render(cells.Fit(pr.Error, iw)))
	}
	if pr.Count > 0 {
		lines = append(lines, label("profile")+whole(iw-11, fmt.Sprintf("#%d", pr.Count), units.Seconds(pr.Seconds), "ending "+pr.At.Format("15:04:05")))
		cpu := []string{fmt.Sprintf("%.2f s/s", pr.CPU)}
		if t := p.currentProm(); t != nil && t.RED.HasProcess {
			cpu = append(cpu, fmt.Sprintf("(process %.0f%%)", t.RED.CPUPercent))
		}
		lines = append(lines, label("cpu")+whole(iw-11, cpu...))
	} else if pr.Up {
		lines = append(lines, label("profile")+p.st.Muted.Render("the first CPU profile is running"))
	} else if !pr.NextRetry.IsZero() {
		lines = append(lines, label("profile")+p.st.Muted.Render("none yet: retrying at "+pr.NextRetry.Format("15:04:05")))
	}
	if pr.HasHeap {
		lines = append(lines, label("heap")+units.Bytes(pr.HeapInuse), label("goroutines")+units.Count(pr.Goroutines))
	}
	return p.box("Profile", "", strings.Join(lines, "\n"), w, h)
}

func (p *profilePage) profChart(title string, c *chart.Model, key string, format func(float64) string, w, h int) string {
	l := p.line(key, p.st.P.Line(0))
	info := ""
	if n := len(l.Values); n > 0 {
		info = format(l.Values[n-1])
	}
	c.Fill, c.X = false, chart.Ago
	if key == metrics.KeyProfileHeap {
		c.Binary = true // round tops in MiB, not in millions of bytes
	}
	return p.box(title, fitInfo(w, title, info, ""), p.drawChart(c, w-2, h-2, format, l), w, h)
}

// peekPanel: the function's callers above it and callees below it, one
// level each, with the CPU that went through each edge.
func (p *profilePage) peekPanel(pr *metrics.Profile, w, h int) string {
	pk, ok := pr.Peeks[p.peek]
	iw := w - 2
	var lines []string
	row := func(f metrics.ProfileFunc) string {
		return fmt.Sprintf("  %6s%%  %s", pct1(f.CumShare), cells.Fit(f.Name, max(iw-11, 4)))
	}
	if !ok {
		lines = append(lines, p.st.Muted.Render("not among the profile's top functions now"))
	} else {
		lines = append(lines, p.st.Muted.Render("callers"))
		for _, f := range pk.Callers {
			lines = append(lines, row(f))
		}
		lines = append(lines, p.st.P.Accent.S("▶ "+cells.Fit(p.peek, iw-2)))
		lines = append(lines, p.st.Muted.Render("callees"))
		for _, f := range pk.Callees {
			lines = append(lines, row(f))
		}
	}
	return p.box("Callers and callees", "esc back", strings.Join(lines, "\n"), w, h)
}
