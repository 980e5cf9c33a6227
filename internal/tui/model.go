// Package tui is perftop's Bubble Tea v2 dashboard. The root model owns the
// layout, the global keys, the tab bar, the status bar and the redraw
// cycle; each screen is a Component that draws itself with the widget
// packages (chart, gauge, table, panel) and handles its own keys. Modes
// (local, remote viewer, read-only, replay) are data the components are
// built with, not branches in the root.
//
// The model reads data only through metrics.Store snapshots, taken when the
// store signals a change, so sources never touch the model and the model is
// only changed inside Update.
package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/panel"
)

// Minimum terminal size; below it the dashboard says so instead of drawing a
// broken layout.
const (
	MinWidth  = 60
	MinHeight = 15
)

// Options configure a dashboard.
type Options struct {
	Store  *metrics.Store
	Themes themes.Set // nil means the built-ins
	Theme  string     // initial theme; "" means the set's first
	// NoColor draws in the monochrome theme for good: t does not cycle
	// (NO_COLOR, --no-color, TERM=dumb, a terminal without colours).
	NoColor bool
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
	// Profile adds the Profile screen: the target's profiling (--pprof).
	Profile bool
	// Fleet adds the Fleet screen: the runners a Prometheus server scrapes.
	Fleet bool
	// Nodes are the remote hosts the host screens can show besides this
	// one (h switches), by the names their series are under
	// (metrics.HostKey).
	Nodes []string
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
	// OnFirstFrame, when set, is called once, when the first frame of the
	// terminal's size has been rendered: the session starts a load test
	// then, so that the dashboard's own start does not take the CPU from
	// the test's first requests.
	OnFirstFrame func()
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
	sh      *shared
	store   *metrics.Store
	ctx     context.Context
	themes  themes.Set
	viewers func() []string
	noColor bool   // the theme is monochrome for good
	first   func() // Options.OnFirstFrame, until it is called

	screens  []screen
	active   int
	display  *displayControls // the display's pause and interval; not among the controls during a load test
	controls []controller     // keys for every screen, before the root's: the controls, the target switch
	data     []dataSetter     // refreshed from each snapshot
	short    []key.Binding    // the root's key line hints

	w, h     int
	showHelp bool

	frame     string // the last rendered frame, reused until something changes
	dirty     bool
	frameSize int // bytes of the last frame written whole, to size the next
}

// dataMsg says the store has new data.
type dataMsg struct{}

// New returns a dashboard over o.Store.
func New(o Options) *Model {
	set := o.Themes
	if len(set) == 0 {
		set = themes.DefaultSet()
	}
	th, ok := set.Find(o.Theme)
	if !ok {
		th = set[0]
	}
	if o.NoColor {
		th, _ = themes.DefaultSet().Find(themes.Monochrome)
	}
	m := &Model{store: o.Store, ctx: o.Context, themes: set, viewers: o.Viewers, dirty: true, noColor: o.NoColor, first: o.OnFirstFrame}
	if m.ctx == nil {
		m.ctx = context.Background()
	}
	m.sh = &shared{st: themes.NewStyles(th), keys: newKeyMap(o), vals: map[string][]float64{}, times: map[string][]float64{}, promURLs: o.PromTargets, nodes: o.Nodes}
	if o.Store != nil {
		m.sh.capacity = o.Store.Capacity()
	}
	k := &m.sh.keys
	k.Theme.SetEnabled(!o.NoColor)
	m.short = []key.Binding{shortHelp(k.Help, "?", "help"), shortHelp(k.Quit, "q", "quit"), shortHelp(k.Next, "tab", "screens")}
	m.display = newDisplayControls(m.sh, o.Interval, o.SetInterval, m.refresh)
	m.assemble(o)
	m.refresh()
	return m
}

// assemble builds the screens o asks for, in tab order, and picks the
// controls: the display's, or a load test's, whose screen comes first.
func (m *Model) assemble(o Options) {
	host := newHostView(m.sh)
	pins := &pinBoard{}
	m.data = []dataSetter{host}
	m.screens = hostScreens(host, pins)
	var targetSwitch []controller
	if len(o.PromTargets) > 0 {
		p := newPromPage(m.sh, pins, o.Watch)
		m.screens = append(m.screens, screen{promScreen, p}, screen{stackScreen, &stackPage{shared: m.sh}})
		m.data = append(m.data, p)
		targetSwitch = append(targetSwitch, p)
	}
	if o.PromQL {
		m.screens = append(m.screens, screen{promQLScreen, &promQLPage{shared: m.sh}})
	}
	if o.Replay != nil {
		rp := newReplayPage(m.sh, o.Replay)
		m.screens = []screen{{replayScreen, rp}}
		m.data = append(m.data, rp)
	}
	if o.Fleet {
		fp := newFleetPage(m.sh)
		m.screens = append([]screen{{fleetScreen, fp}}, m.screens...) // a fleet watcher's first view
		m.data = append(m.data, fp)
	}
	if o.Profile {
		pp := newProfilePage(m.sh)
		m.screens = append([]screen{{profileScreen, pp}}, m.screens...)
		m.data = append(m.data, pp)
	}
	if o.Load != nil {
		lp := newLoadPage(m.sh, o.Load, o.Remote, o.ReadOnly)
		m.screens = append([]screen{{loadScreen, lp}}, m.screens...)
		m.data = append(m.data, lp)
		m.controls = append([]controller{lp}, targetSwitch...)
	} else {
		m.controls = append([]controller{m.display}, targetSwitch...)
	}
}

// Init starts waiting for data.
func (m *Model) Init() tea.Cmd { return m.wait() }

// wait returns a command that delivers a dataMsg at the store's next
// write. Sources publish each sample in one Store.Update, so one write is
// one whole sample and one frame.
func (m *Model) wait() tea.Cmd {
	ch, ctx := m.store.Changed(), m.ctx
	return func() tea.Msg {
		select {
		case <-ch:
			return dataMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

// refresh takes a snapshot and refreshes what every screen derives from it.
func (m *Model) refresh() {
	m.store.Snapshot(&m.sh.snap)
	for _, d := range m.data {
		d.setData()
	}
	m.dirty = true
}

// Update handles data, resizes and the global keys; the screen shown gets
// every other key and message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case dataMsg:
		if !m.display.paused {
			m.refresh()
		}
		return m, m.wait()
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, m.screens[m.active].Update(msg)
}

// key routes a key press: to the screen's filter line while one is open,
// then to the controls, then to the root's own keys; the rest, and esc
// after it has closed the help, go to the screen shown.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	m.dirty = true
	s := m.screens[m.active]
	if m.typing() {
		return s.Update(msg)
	}
	for _, c := range m.controls {
		if cmd, ok := c.control(msg); ok {
			return cmd
		}
	}
	k := &m.sh.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Suspend):
		return tea.Suspend
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
	case key.Matches(msg, k.Escape):
		m.showHelp = false
		return s.Update(msg)
	case key.Matches(msg, k.Next):
		m.active = (m.active + 1) % len(m.screens)
	case key.Matches(msg, k.Prev):
		m.active = (m.active + len(m.screens) - 1) % len(m.screens)
	case key.Matches(msg, k.Screen):
		if i := int(msg.Code - '1'); i >= 0 && i < len(m.screens) {
			m.active = i
		}
	case key.Matches(msg, k.Hosts):
		m.sh.node = (m.sh.node + 1) % (len(m.sh.nodes) + 1)
		for _, d := range m.data {
			d.setData()
		}
	case key.Matches(msg, k.Theme):
		if !m.noColor {
			m.sh.st = themes.NewStyles(m.themes.Next(m.sh.st.Theme.Name))
		}
	default:
		return s.Update(msg)
	}
	return nil
}

// typing reports whether the screen shown has its filter line open.
func (m *Model) typing() bool {
	f, ok := m.screens[m.active].Component.(filterer)
	if !ok {
		return false
	}
	_, editing := f.filterLine()
	return editing
}

// View returns the cached frame, redrawing it only when something changed.
func (m *Model) View() tea.View {
	if m.dirty {
		m.frame = m.render()
		m.dirty = false
	}
	if m.first != nil && m.frame != "" {
		f := m.first
		m.first = nil
		f()
	}
	v := tea.NewView(m.frame)
	v.AltScreen = true
	v.WindowTitle = "perftop"
	v.BackgroundColor = m.sh.st.Theme.Background // nil: the terminal's own
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
	// Screens draw exactly w x (h-2) cells (TestResizeKeepsFrameExact holds
	// them to it), so the frame is joined without re-measuring every line.
	top, bottom := m.topBar(), m.bottomBar()
	s := m.screens[m.active]
	d, fast := s.Component.(drawer)
	if m.showHelp || !fast {
		var content string
		if m.showHelp {
			content = m.helpView(m.w, m.h-2)
		} else {
			content = s.View()
		}
		return top + "\n" + content + "\n" + bottom
	}
	var b strings.Builder
	b.Grow(m.frameSize + m.frameSize/8) // the frame's size changes little between frames
	b.WriteString(top)
	b.WriteByte('\n')
	d.Draw(&b)
	b.WriteByte('\n')
	b.WriteString(bottom)
	m.frameSize = b.Len()
	return b.String()
}

// SetSize sets the terminal size, as a WindowSizeMsg does: every screen gets
// the room between the tab bar and the status bar.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.dirty = true
	for _, s := range m.screens {
		s.SetSize(w, max(h-2, 0))
	}
}

// Interval returns the refresh interval currently shown.
func (m *Model) Interval() time.Duration { return m.display.interval }
