package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/perftop/perftop/internal/tui/help"
	"github.com/perftop/perftop/internal/tui/table"
)

// KeyMap holds the dashboard's global key bindings. The same bindings drive
// the help view, so what `?` shows is what the keys do.
type KeyMap struct {
	Quit, Help, Next, Prev, Screen, Pause, Slower, Faster, Theme, Filter, Escape, Stop key.Binding
	Open, Switch, Pin                                                                  key.Binding
	Table                                                                              table.KeyMap
}

// DefaultKeyMap returns the bindings documented in the README.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q/ctrl+c", "quit")),
		Help:   key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "show/hide this help")),
		Next:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Screen: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "go to screen")),
		Pause:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume the display")),
		Slower: key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "longer refresh interval")),
		Faster: key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "shorter refresh interval")),
		Theme:  key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "next theme")),
		Filter: key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter the table")),
		Escape: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close help, clear filter")),
		Stop:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop the test, print the summary")),
		Open:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "chart the metric family (Prometheus)")),
		Switch: key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[ ]", "previous/next Prometheus target")),
		Pin:    key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pin/unpin the family to the overview")),
		Table:  table.DefaultKeyMap(),
	}
}

// loadKeyMap turns the display keys into test controls: during a load
// test, p, + and - steer the load, and s stops it.
func loadKeyMap(k KeyMap) KeyMap {
	k.Quit.SetHelp("q/ctrl+c", "stop the test and quit")
	k.Pause.SetHelp("p", "pause/resume the load")
	k.Slower = key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "raise the rate (or workers) 10%"))
	k.Faster = key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "lower the rate (or workers) 10%"))
	return k
}

func (k KeyMap) groups() []help.Group {
	return []help.Group{
		{Title: "General", Bindings: []key.Binding{k.Quit, k.Stop, k.Help, k.Pause, k.Slower, k.Faster, k.Theme}},
		{Title: "Screens", Bindings: []key.Binding{k.Next, k.Prev, k.Screen, k.Switch}},
		{Title: "Tables", Bindings: []key.Binding{k.Table.Up, k.Table.Down, k.Table.PageUp, k.Table.PageDown, k.Table.Top, k.Table.Bottom, k.Filter, k.Open, k.Pin, k.Escape}},
	}
}
