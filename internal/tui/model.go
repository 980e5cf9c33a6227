// Package tui is perftop's Bubble Tea v2 dashboard: the root model owns the
// layout, the global keys and the redraw cycle, and delegates drawing to the
// component packages (chart, gauge, table, panel, statusbar, help).
//
// The model reads data only through metrics.Store snapshots, taken when the
// store signals a change, so sources never touch the model and the model is
// only changed inside Update.
package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/help"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/tui/table"
	"github.com/perftop/perftop/internal/units"
)

// Minimum terminal size; below it the dashboard says so instead of drawing a
// broken layout.
const (
	MinWidth  = 60
	MinHeight = 15
)

// Intervals are the refresh intervals +/- step through.
var Intervals = []time.Duration{
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second,
}

// Options configure a dashboard.
type Options struct {
	Store  *metrics.Store
	Themes themes.Set // nil means the built-ins
	Theme  string     // initial theme; "" means the set's first
	// Interval is the refresh interval shown in the status bar.
	Interval time.Duration
	// SetInterval is called when the user changes the interval with +/-;
	// nil disables those keys.
	SetInterval func(time.Duration)
	// Context ends the model's wait for new data; nil means Background.
	Context context.Context
	// PromTargets are the scraped targets' URLs, in the order the
	// Prometheus screen shows them; any adds the screen.
	PromTargets []string
	// Watch tells the scraper of url which families to chart: the metric
	// browser's open chart and the pinned ones. nil disables enter and space
	// in the browser.
	Watch func(url string, families []string)
	// PromQL adds the PromQL screen, which shows the Store's PromQL
	// results.
	PromQL bool
	// Replay, when set, replays a finished run's timeline on the load
	// screen: left and right move through it.
	Replay []metrics.TimelinePoint
	// Remote is a viewer over SSH: quitting leaves without stopping a test.
	Remote bool
	// ReadOnly shows a load test without steering it: p, + , - and s do
	// nothing and the help line says so.
	ReadOnly bool
	// Viewers, when set, lists who watches over SSH, for the status bar.
	Viewers func() []string
	// Load, when set, is a running load test: the dashboard opens on its
	// screen and p, + and - steer it instead of the display.
	Load LoadControl
}

// LoadControl steers a running load test from the keyboard.
type LoadControl interface {
	TogglePause()
	Scale(factor float64)
	Stop()
}

// Model is the root dashboard model. Create it with New; it is used by one
// Bubble Tea program at a time.
type Model struct {
	o        Options
	ctx      context.Context
	keys     KeyMap
	themes   themes.Set
	st       themes.Styles
	interval time.Duration

	snap    metrics.Snapshot
	host    hostView
	load    loadView
	prom    promView
	screens []screen
	active  int

	w, h      int
	paused    bool
	showHelp  bool
	filtering bool
	filter    string

	cursor int // replay: the timeline entry shown

	frame     string // the last rendered frame, reused until something changes
	dirty     bool
	frameSize int // bytes of the last frame written whole, to size the next
}

// screen is one page of the dashboard, drawn by view, or written straight
// into the frame by draw. table, when set, is what the table keys and the
// filter act on.
type screen struct {
	title string
	view  func(m *Model, w, h int) string
	draw  func(m *Model, b *strings.Builder, w, h int)
	table *table.Model
}

// dataMsg says the store has new data.
type dataMsg struct{}

// New returns a dashboard over o.Store.
func New(o Options) *Model {
	m := &Model{o: o, keys: DefaultKeyMap(), themes: o.Themes, interval: o.Interval, dirty: true}
	if len(m.themes) == 0 {
		m.themes = themes.DefaultSet()
	}
	m.ctx = o.Context
	if m.ctx == nil {
		m.ctx = context.Background()
	}
	th, ok := m.themes.Find(o.Theme)
	if !ok {
		th = m.themes[0]
	}
	m.st = themes.NewStyles(th)
	m.host = newHostView()
	m.prom = newPromView()
	m.screens = []screen{
		{title: "Overview", draw: (*Model).overview, table: &m.host.procs},
		{title: "CPU", view: (*Model).cpuScreen},
		{title: "Memory", view: (*Model).memScreen},
		{title: "Disk", view: (*Model).diskScreen, table: &m.host.disks},
		{title: "Network", view: (*Model).netScreen, table: &m.host.nets},
		{title: "Processes", view: (*Model).procScreen, table: &m.host.procs},
	}
	if len(o.PromTargets) == 0 {
		m.keys.Open.SetEnabled(false)
		m.keys.Switch.SetEnabled(false)
		m.keys.Pin.SetEnabled(false)
	} else {
		m.screens = append(m.screens, screen{title: "Prometheus", view: (*Model).promScreen, table: &m.prom.browser})
	}
	if o.PromQL {
		m.screens = append(m.screens, screen{title: "PromQL", view: (*Model).queryScreen})
	}
	if o.Replay != nil {
		m.screens = []screen{{title: "Replay", view: (*Model).loadScreen}}
		m.cursor = len(o.Replay) - 1
		m.host.limit = len(o.Replay)
	}
	if o.Load != nil {
		m.screens = append([]screen{{title: "Load", view: (*Model).loadScreen}}, m.screens...)
		m.keys = loadKeyMap(m.keys)
	} else {
		m.keys.Stop.SetEnabled(false)
	}
	if o.Remote {
		m.keys.Quit.SetHelp("q/ctrl+c", "leave (the test goes on)")
	}
	if o.ReadOnly { // the help lists no controls, and the keys do nothing
		for _, b := range []*key.Binding{&m.keys.Stop, &m.keys.Pause, &m.keys.Slower, &m.keys.Faster} {
			b.SetEnabled(false)
		}
	}
	if !m.keysEnabled() && o.Load == nil {
		m.keys.Slower.SetEnabled(false)
		m.keys.Faster.SetEnabled(false)
	}
	m.refresh()
	return m
}

func (m *Model) keysEnabled() bool { return m.o.SetInterval != nil }

// Init starts waiting for data.
func (m *Model) Init() tea.Cmd { return m.wait() }

// wait returns a command that delivers a dataMsg at the store's next
// write. Sources publish each sample in one Store.Update, so one write is
// one whole sample and one frame.
func (m *Model) wait() tea.Cmd {
	ch, ctx := m.o.Store.Changed(), m.ctx
	return func() tea.Msg {
		select {
		case <-ch:
			return dataMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

// refresh takes a snapshot and hands it to the views.
func (m *Model) refresh() {
	m.o.Store.Snapshot(&m.snap)
	m.host.setData(&m.snap)
	m.setPromData()
	m.dirty = true
}

// Update handles data, resizes and keys.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case dataMsg:
		if !m.paused {
			m.refresh()
		}
		return m, m.wait()
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.dirty = true
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	m.dirty = true
	if m.filtering {
		m.filterKey(msg)
		return nil
	}
	k := m.keys
	switch {
	case m.o.Replay != nil && (msg.String() == "left" || msg.String() == "h"):
		m.moveCursor(-1)
	case m.o.Replay != nil && (msg.String() == "right" || msg.String() == "l"):
		m.moveCursor(+1)
	case m.o.Replay != nil && msg.String() == "home":
		m.moveCursor(-len(m.o.Replay))
	case m.o.Replay != nil && msg.String() == "end":
		m.moveCursor(len(m.o.Replay))
	case key.Matches(msg, k.Quit):
		if m.o.Load != nil && !m.o.Remote {
			m.o.Load.Stop()
		}
		return tea.Quit
	case key.Matches(msg, k.Stop):
		m.o.Load.Stop()
		if m.o.Remote {
			return nil // the controller stays to watch the end
		}
		return tea.Quit
	case m.o.Load != nil && key.Matches(msg, k.Pause):
		m.o.Load.TogglePause()
	case m.o.Load != nil && key.Matches(msg, k.Slower):
		m.o.Load.Scale(1.1)
	case m.o.Load != nil && key.Matches(msg, k.Faster):
		m.o.Load.Scale(1 / 1.1)
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
	case key.Matches(msg, k.Escape):
		if m.screens[m.active].title == "Prometheus" && m.prom.watched != "" {
			m.unwatch()
		}
		m.showHelp = false
		if t := m.screens[m.active].table; t != nil && t.Filter() != "" {
			t.SetFilter("")
		}
	case key.Matches(msg, k.Next):
		m.active = (m.active + 1) % len(m.screens)
	case key.Matches(msg, k.Prev):
		m.active = (m.active + len(m.screens) - 1) % len(m.screens)
	case key.Matches(msg, k.Screen):
		if i := int(msg.Code - '1'); i >= 0 && i < len(m.screens) {
			m.active = i
		}
	case key.Matches(msg, k.Pause):
		m.paused = !m.paused
		if !m.paused {
			m.refresh()
		}
	case key.Matches(msg, k.Slower):
		m.stepInterval(+1)
	case key.Matches(msg, k.Faster):
		m.stepInterval(-1)
	case key.Matches(msg, k.Theme):
		m.st = themes.NewStyles(m.themes.Next(m.st.Theme.Name))
	case m.screens[m.active].title == "Prometheus" && key.Matches(msg, k.Open):
		m.watchSelected()
	case m.screens[m.active].title == "Prometheus" && key.Matches(msg, k.Pin):
		m.togglePin()
	case key.Matches(msg, k.Switch):
		if msg.String() == "]" {
			m.prom.target++
		} else if m.prom.target > 0 {
			m.prom.target--
		}
		m.setPromData()
	case key.Matches(msg, k.Filter):
		if t := m.screens[m.active].table; t != nil {
			m.filtering, m.filter = true, t.Filter()
		}
	default:
		if t := m.screens[m.active].table; t != nil {
			*t, _ = t.Update(msg)
		}
	}
	return nil
}

// moveCursor moves the replay through the timeline; the charts end at the
// cursor, so moving left rewinds them.
func (m *Model) moveCursor(d int) {
	m.cursor = min(max(m.cursor+d, 0), len(m.o.Replay)-1)
	m.host.limit = m.cursor + 1
}

// filterKey edits the filter line; the table follows as the user types.
func (m *Model) filterKey(msg tea.KeyPressMsg) {
	t := m.screens[m.active].table
	switch msg.String() {
	case "esc":
		m.filtering, m.filter = false, ""
	case "enter":
		m.filtering = false
	case "backspace":
		if r := []rune(m.filter); len(r) > 0 {
			m.filter = string(r[:len(r)-1])
		}
	case "ctrl+c":
		m.filtering, m.filter = false, ""
	default:
		if msg.Text != "" {
			m.filter += msg.Text
		}
	}
	if t != nil {
		t.SetFilter(m.filter)
	}
}

// stepInterval moves to the next longer (dir > 0) or shorter interval in
// Intervals, from wherever the current one is, listed or not.
func (m *Model) stepInterval(dir int) {
	if m.o.SetInterval == nil {
		return
	}
	next := m.interval
	if dir > 0 {
		for _, d := range Intervals {
			if d > m.interval {
				next = d
				break
			}
		}
	} else {
		for _, d := range slices.Backward(Intervals) {
			if d < m.interval {
				next = d
				break
			}
		}
	}
	m.interval = next
	m.o.SetInterval(m.interval)
}

// View returns the cached frame, redrawing it only when something changed.
func (m *Model) View() tea.View {
	if m.dirty {
		m.frame = m.render()
		m.dirty = false
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "perftop"
	return v
}

// Frame renders the whole screen at the current size; tests and benchmarks
// call it directly.
func (m *Model) Frame() string { return m.render() }

func (m *Model) render() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	if m.w < MinWidth || m.h < MinHeight {
		msg := fmt.Sprintf("terminal too small: need %dx%d, have %dx%d", MinWidth, MinHeight, m.w, m.h)
		return panel.Block(cells.Fit(msg, m.w), m.w, m.h)
	}
	body := m.h - 2
	// Screens draw exactly w x body cells (TestResizeKeepsFrameExact holds
	// them to it), so the frame is joined without re-measuring every line.
	top, bottom := m.topBar(), m.bottomBar()
	s := m.screens[m.active]
	if m.showHelp || s.draw == nil {
		var content string
		if m.showHelp {
			content = m.helpView(m.w, body)
		} else {
			content = s.view(m, m.w, body)
		}
		return top + "\n" + content + "\n" + bottom
	}
	var b strings.Builder
	b.Grow(m.frameSize + m.frameSize/8) // the frame's size changes little between frames
	b.WriteString(top)
	b.WriteByte('\n')
	s.draw(m, &b, m.w, body)
	b.WriteByte('\n')
	b.WriteString(bottom)
	m.frameSize = b.Len()
	return b.String()
}

func (m *Model) helpView(w, h int) string {
	st := help.Styles{Title: m.st.Title, Key: m.st.HelpKey, Desc: m.st.HelpDesc}
	body := help.View(m.keys.groups(), st, w-4, h-2)
	return panel.Render(m.panelStyles(), "Keys", "esc to close", body, w, h)
}

func (m *Model) panelStyles() panel.Styles {
	return panel.Styles{Border: m.st.P.Border, Title: m.st.P.Title, Info: m.st.P.Muted}
}

// SetSize sets the terminal size without a WindowSizeMsg, for tests.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.dirty = true
}

// Interval returns the refresh interval currently shown.
func (m *Model) Interval() time.Duration { return m.interval }

// durationLabel is the interval as the status bar shows it.
func (m *Model) durationLabel() string { return units.Duration(m.interval) }
