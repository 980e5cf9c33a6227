package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/tui/help"
)

// replayPage replays a finished run's timeline on the load screen: the
// cursor is the moment shown, and every chart ends there, so moving left
// rewinds them. It opens at the end of the run.
type replayPage struct {
	loadView
	size
}

var (
	_ Component  = (*replayPage)(nil)
	_ dataSetter = (*replayPage)(nil)
)

func newReplayPage(sh *shared, timeline []metrics.TimelinePoint) *replayPage {
	p := &replayPage{loadView: loadView{shared: sh, replay: timeline, groups: newGroupView(sh)}}
	p.cursor = len(timeline) - 1
	sh.limit = len(timeline)
	return p
}

func (p *replayPage) View() string { return p.view(p.w, p.h) }

func (p *replayPage) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	km := &p.keys.Replay
	switch {
	case key.Matches(k, km.Back):
		p.moveCursor(-1)
	case key.Matches(k, km.Forward):
		p.moveCursor(+1)
	case key.Matches(k, km.Start):
		p.moveCursor(-len(p.replay))
	case key.Matches(k, km.End):
		p.moveCursor(len(p.replay))
	case !p.groups.active():
	case key.Matches(k, p.keys.Sort):
		p.groups.cycle(k.String() == "<")
	default: // the per-request table's cursor keys but home and end, which the timeline has
		t := &p.keys.Table
		if key.Matches(k, t.Up, t.Down, t.PageUp, t.PageDown) {
			p.groups.table, _ = p.groups.table.Update(k)
		}
	}
	return nil
}

// setData refreshes the per-request table, when the results file has one.
func (p *replayPage) setData() { p.groups.setData() }

// moveCursor moves the replay through the timeline; the series every chart
// draws end at the cursor.
func (p *replayPage) moveCursor(d int) {
	p.cursor = min(max(p.cursor+d, 0), len(p.replay)-1)
	p.limit = p.cursor + 1
}

func (p *replayPage) ShortHelp() []key.Binding { return nil }

func (p *replayPage) FullHelp() []help.Group {
	km := &p.keys.Replay
	g := []help.Group{{Title: "Replay", Bindings: []key.Binding{km.Back, km.Forward, km.Start, km.End}}}
	if p.groups.active() {
		t := &p.keys.Table
		sort := p.keys.Sort
		sort.SetHelp("</>", "sort requests by the next/previous column")
		g = append(g, help.Group{Title: "Tables", Bindings: []key.Binding{t.Up, t.Down, t.PageUp, t.PageDown, sort}})
	}
	return g
}
