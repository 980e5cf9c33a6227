package tui

import (
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/units"
)

// Intervals are the refresh intervals +/- step through.
var Intervals = []time.Duration{
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second,
}

// displayControls are the controls when no load test runs, the root's own:
// p holds the screen at one moment while the data keeps coming, + and -
// step the refresh interval through Intervals.
type displayControls struct {
	sh       *shared
	paused   bool
	interval time.Duration
	label    string              // the interval as the key line shows it
	set      func(time.Duration) // nil: the interval is fixed
	refresh  func()              // takes a snapshot, for a resume
	pause    [2][]key.Binding    // the key line's pause hint, running and paused
	step     []key.Binding       // the key line's interval hint
}

var _ controller = (*displayControls)(nil)

func newDisplayControls(sh *shared, interval time.Duration, set func(time.Duration), refresh func()) *displayControls {
	d := &displayControls{sh: sh, interval: interval, set: set, refresh: refresh}
	d.pause[0] = []key.Binding{shortHelp(sh.keys.Pause, "p", "pause")}
	d.pause[1] = []key.Binding{shortHelp(sh.keys.Pause, "p", "resume")}
	d.setLabel()
	return d
}

func (d *displayControls) setLabel() {
	d.label = units.Duration(d.interval)
	d.step = []key.Binding{shortHelp(d.sh.keys.Slower, "+/-", d.label)}
}

func (d *displayControls) control(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := &d.sh.keys
	switch {
	case key.Matches(msg, k.Pause):
		d.paused = !d.paused
		if !d.paused {
			d.refresh()
		}
	case key.Matches(msg, k.Slower):
		d.stepInterval(+1)
	case key.Matches(msg, k.Faster):
		d.stepInterval(-1)
	default:
		return nil, false
	}
	return nil, true
}

// controlHints shows pause or resume, and the interval: with its keys when
// they can change it, as a note when it is fixed.
func (d *displayControls) controlHints(line []string) []string {
	p := 0
	if d.paused {
		p = 1
	}
	line = d.sh.hints(line, d.pause[p])
	if d.sh.keys.Slower.Enabled() {
		return d.sh.hints(line, d.step)
	}
	return append(line, d.sh.st.P.Muted.S("every "+d.label))
}

// stepInterval moves to the next longer (dir > 0) or shorter interval in
// Intervals, from wherever the current one is, listed or not.
func (d *displayControls) stepInterval(dir int) {
	if d.set == nil {
		return
	}
	next := d.interval
	if dir > 0 {
		for _, iv := range Intervals {
			if iv > d.interval {
				next = iv
				break
			}
		}
	} else {
		for _, iv := range slices.Backward(Intervals) {
			if iv < d.interval {
				next = iv
				break
			}
		}
	}
	d.interval = next
	d.setLabel()
	d.set(d.interval)
}
