package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/tui/help"
)

// Component is one screen of the dashboard (soft-serve's
// pkg/ui/common.Component). The root sends every component its size and the
// screen shown the keys the root does not take; components read their data
// from the state they share with the root (see shared), refreshed for every
// screen at once so that switching screens shows the same moment.
//
// Update returns only a command: components are pointers changed in place,
// so the root's list never needs them back.
type Component interface {
	Update(msg tea.Msg) tea.Cmd
	// View draws the screen in exactly the size of the last SetSize.
	View() string
	SetSize(width, height int)
	// ShortHelp is the screen's hints for the key line, the bindings' help
	// cut short.
	ShortHelp() []key.Binding
	// FullHelp is the screen's keys for the help view, in groups the root
	// merges by title with its own and every other screen's.
	FullHelp() []help.Group
}

// drawer is a component that can write itself straight into the frame: the
// overview is drawn at every refresh at rest, and writing it into the
// frame's builder copies each panel once instead of once per join
// (BenchmarkFrame).
type drawer interface {
	Draw(b *strings.Builder)
}

// noter is a component with a note after its hints in the key line, styled
// its own way: the filter in effect, a read-only viewer.
type noter interface {
	keyNote() string
}

// filterer is a component with a filter line: while the user types it, it
// takes every key and the key line shows it instead of the hints.
type filterer interface {
	filterLine() (line string, editing bool)
}

// controller is a component whose keys work on every screen, ahead of the
// root's: the controls (the display's pause and interval, or a load test's
// pause, scale and stop) and the Prometheus target switch, which picks the
// target the Load screen's server line shows too.
type controller interface {
	control(msg tea.KeyPressMsg) (cmd tea.Cmd, handled bool)
	// controlHints appends the controls' items to the key line, which shows
	// them on every screen.
	controlHints(line []string) []string
}

// dataSetter is state derived from each snapshot (the host tables, the
// Prometheus tables), shared by the screens that draw it; the root refreshes
// it once per snapshot so that a table's cursor follows every refresh
// whichever screen is shown.
type dataSetter interface {
	setData()
}

// screenID names a screen; the tab bar shows its String.
type screenID int

const (
	overviewScreen screenID = iota
	cpuScreen
	memoryScreen
	diskScreen
	networkScreen
	processesScreen
	loadScreen
	promScreen
	promQLScreen
	replayScreen
	profileScreen
	stackScreen
	fleetScreen
)

var screenTitles = [...]string{
	overviewScreen:  "Overview",
	cpuScreen:       "CPU",
	memoryScreen:    "Memory",
	diskScreen:      "Disk",
	networkScreen:   "Network",
	processesScreen: "Processes",
	loadScreen:      "Load",
	promScreen:      "Prometheus",
	promQLScreen:    "PromQL",
	replayScreen:    "Replay",
	profileScreen:   "Profile",
	stackScreen:     "Stack",
	fleetScreen:     "Fleet",
}

func (id screenID) String() string { return screenTitles[id] }

// screenShort are the titles the tab bar uses when the whole ones do not
// fit: at most four letters, and distinct.
var screenShort = [...]string{
	overviewScreen:  "Over",
	cpuScreen:       "CPU",
	memoryScreen:    "Mem",
	diskScreen:      "Disk",
	networkScreen:   "Net",
	processesScreen: "Proc",
	loadScreen:      "Load",
	promScreen:      "Prom",
	promQLScreen:    "PQL",
	replayScreen:    "Rply",
	profileScreen:   "Prof",
	stackScreen:     "Stck",
	fleetScreen:     "Flt",
}

// short is the screen's title in a narrow tab bar.
func (id screenID) short() string { return screenShort[id] }

// screen is a tab: its ID and its component.
type screen struct {
	id screenID
	Component
}

// noKeys is embedded by components without keys of their own.
type noKeys struct{}

func (noKeys) Update(tea.Msg) tea.Cmd   { return nil }
func (noKeys) ShortHelp() []key.Binding { return nil }
func (noKeys) FullHelp() []help.Group   { return nil }

// size is embedded by components that draw at the size they were given.
type size struct{ w, h int }

func (s *size) SetSize(w, h int) { s.w, s.h = w, h }
