package tui

import (
	"charm.land/bubbles/v2/key"

	"github.com/perftop/perftop/internal/tui/help"
	"github.com/perftop/perftop/internal/tui/table"
)

// KeyMap holds the dashboard's key bindings, one map for the root and every
// screen (soft-serve's keymap): each component matches the bindings it owns,
// and the same bindings drive the help view, so what `?` shows is what the
// keys do.
type KeyMap struct {
	Quit, Suspend, Help, Next, Prev, Screen, Pause, Slower, Faster, Theme, Filter, Escape, Stop key.Binding
	Open, Switch, Pin, Sort, Zoom, Hosts, Peek                                                  key.Binding
	Table                                                                                       table.KeyMap
	Replay                                                                                      ReplayKeyMap
}

// ReplayKeyMap moves through a finished run's timeline.
type ReplayKeyMap struct {
	Back, Forward, Start, End key.Binding
}

// DefaultKeyMap returns the bindings documented in the README.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit: key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q/ctrl+c", "quit")),
		// ctrl+z in raw mode is a key, not the terminal's SIGTSTP: suspend
		// as the shell would, the terminal restored until fg.
		Suspend: key.NewBinding(key.WithKeys("ctrl+z"), key.WithHelp("ctrl+z", "suspend (fg resumes)")),
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "show/hide this help")),
		Next:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:    key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Screen:  key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "go to screen")),
		Pause:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume the display")),
		Slower:  key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "longer refresh interval")),
		Faster:  key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "shorter refresh interval")),
		Theme:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "next theme")),
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter the table")),
		Sort:    key.NewBinding(key.WithKeys(">", "<"), key.WithHelp("</>", "sort processes by the next/previous column")),
		Peek:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "callers and callees of the function (esc back)")),
		Hosts:   key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "host screens: next host (this one, then each --node)")),
		Zoom:    key.NewBinding(key.WithKeys("z", "Z"), key.WithHelp("z/Z", "host charts: longer/shorter window (1m 5m 15m 1h)")),
		Escape:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close help, clear filter")),
		Stop:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop the test, print the summary")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "chart the metric family (Prometheus)")),
		Switch:  key.NewBinding(key.WithKeys("[", "]"), key.WithHelp("[ ]", "previous/next Prometheus target")),
		Pin:     key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pin/unpin the family to the overview")),
		Table:   table.DefaultKeyMap(),
		Replay: ReplayKeyMap{
			Back:    key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "back one sample")),
			Forward: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "forward one sample")),
			Start:   key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "start of the run")),
			End:     key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "end of the run")),
		},
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

// newKeyMap is the key map for o's mode: the bindings a mode has no use for
// are disabled, so they neither match nor show in the help, and the rest say
// what they do in it.
func newKeyMap(o Options) KeyMap {
	k := DefaultKeyMap()
	if len(o.Nodes) == 0 || o.Replay != nil {
		k.Hosts.SetEnabled(false)
	}
	if len(o.PromTargets) == 0 {
		k.Open.SetEnabled(false)
		k.Switch.SetEnabled(false)
		k.Pin.SetEnabled(false)
	}
	if o.Load != nil {
		k = loadKeyMap(k)
	} else {
		k.Stop.SetEnabled(false)
	}
	if o.Remote {
		k.Quit.SetHelp("q/ctrl+c", "leave (the test goes on)")
		k.Suspend.SetEnabled(false) // it would stop the server, not the viewer
	}
	if o.ReadOnly { // the help lists no controls, and the keys do nothing
		for _, b := range []*key.Binding{&k.Stop, &k.Pause, &k.Slower, &k.Faster} {
			b.SetEnabled(false)
		}
	}
	if o.SetInterval == nil && o.Load == nil {
		k.Slower.SetEnabled(false)
		k.Faster.SetEnabled(false)
	}
	return k
}

// tableHelp is the help of a screen whose table the table keys move and /
// filters.
func (k *KeyMap) tableHelp() []help.Group {
	t := k.Table
	return []help.Group{{Title: "Tables", Bindings: []key.Binding{t.Up, t.Down, t.PageUp, t.PageDown, t.Top, t.Bottom, k.Filter, k.Sort}}}
}

// rootHelp is the root's part of the help view: its own keys and the
// controls (the display's or the load test's) in General, the screen keys,
// and esc, which closes the help and reaches the screen shown, last.
func (k *KeyMap) rootHelp() (head []help.Group, tail help.Group) {
	return []help.Group{
		{Title: "General", Bindings: []key.Binding{k.Quit, k.Suspend, k.Stop, k.Help, k.Pause, k.Slower, k.Faster, k.Theme}},
		{Title: "Screens", Bindings: []key.Binding{k.Next, k.Prev, k.Screen, k.Hosts}},
	}, help.Group{Title: "Tables", Bindings: []key.Binding{k.Escape}}
}

// mergeHelp adds g to groups: into the group of the same title, leaving out
// bindings it already lists (the host screens share their table's keys), or
// as a new group at the end.
func mergeHelp(groups []help.Group, g help.Group) []help.Group {
	for i := range groups {
		if groups[i].Title != g.Title {
			continue
		}
		for _, b := range g.Bindings {
			if !hasBinding(groups[i].Bindings, b) {
				groups[i].Bindings = append(groups[i].Bindings, b)
			}
		}
		return groups
	}
	return append(groups, help.Group{Title: g.Title, Bindings: append([]key.Binding(nil), g.Bindings...)})
}

func hasBinding(bs []key.Binding, b key.Binding) bool {
	for _, c := range bs {
		if c.Help() == b.Help() {
			return true
		}
	}
	return false
}
