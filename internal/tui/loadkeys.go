package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/tui/help"
)

// The Load screen's own keys are its per-request table's, and only when the
// test sends several requests: the table keys move the selection (whose
// latency the chart draws beside the aggregate), / filters, < and > sort.
// A test of one request has no table and the screen no keys, as before.

// setData refreshes the per-request table and rings from the snapshot.
func (p *loadPage) setData() { p.groups.setData() }

func (p *loadPage) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || !p.groups.active() {
		return nil
	}
	if !p.tk.editing && key.Matches(k, p.keys.Sort) {
		p.groups.cycle(k.String() == "<")
		return nil
	}
	p.tk.update(k)
	return nil
}

// sortBinding is the Sort key as the Load screen's help says it.
func (p *loadPage) sortBinding() key.Binding {
	b := p.keys.Sort
	b.SetHelp("</>", "sort requests by the next/previous column")
	return b
}

func (p *loadPage) ShortHelp() []key.Binding {
	if !p.groups.active() {
		return nil
	}
	return append([]key.Binding{shortHelp(p.keys.Sort, "</>", "sort")}, p.tk.ShortHelp()...)
}

func (p *loadPage) FullHelp() []help.Group {
	if !p.groups.active() {
		return nil
	}
	g := p.keys.tableHelp()[0]
	g.Bindings = append(g.Bindings[:len(g.Bindings)-1:len(g.Bindings)-1], p.sortBinding())
	return []help.Group{g}
}

func (p *loadPage) filterLine() (string, bool) { return p.tk.filterLine() }

func (p *loadPage) keyNote() string {
	if !p.groups.active() {
		return ""
	}
	return p.tk.keyNote()
}
