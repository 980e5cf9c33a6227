package tui

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/perftop/perftop/internal/tui/cells"
	"github.com/perftop/perftop/internal/tui/help"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/tui/statusbar"
)

// topBar shows the screens as tabs, and what is being watched.
func (m *Model) topBar() string {
	p := &m.sh.st.P
	h := m.sh.snap.Host
	hostItem := p.Muted.S(h.Hostname)
	if name := m.sh.hostName(); name != "" && m.screens[m.active].id <= processesScreen {
		// A remote host on the host screens: say which, loudly.
		h = *m.sh.hostSample()
		hostItem = p.Warn.S("host " + cmp.Or(h.Hostname, name))
	}
	// The tabs' names come first: the host, then the time, give way to
	// them when the bar is short.
	var right, names []string
	var pad, fit, brand bool
	for _, show := range [][2]bool{{true, true}, {false, true}, {false, false}} {
		right = right[:0]
		if m.display.paused {
			right = append(right, p.Warn.S("PAUSED"))
		}
		if h.Hostname != "" && show[0] {
			right = append(right, hostItem)
		}
		if !h.Time.IsZero() && show[1] {
			right = append(right, p.Text.S(h.Time.Format("15:04:05")+" "))
		}
		rw := 0
		for _, r := range right {
			rw += cells.Width(r) + 2 // statusbar joins items with two spaces
		}
		// "perftop" goes only once the host and the time have gone.
		if names, pad, brand, fit = m.tabNames(m.w-rw, !show[0] && !show[1]); fit {
			break
		}
	}
	left := []string{p.Accent.S(" perftop")}
	if !brand {
		left = []string{""} // the tabs start at the edge, after a space
	}
	for i, name := range names {
		label := strconv.Itoa(i+1) + " " + name
		if pad {
			label = " " + label + " "
		}
		if i == m.active {
			left = append(left, p.TabActive.S(label))
		} else {
			left = append(left, p.TabInactive.S(label))
		}
	}
	return statusbar.Render(m.w, left, right, p.StatusBar)
}

// tabNames are the screens' titles in a tab bar of width w, whether the
// tabs are padded and whether "perftop" leads them: the widest naming that
// fits, of every title whole (padded), the active one whole and the others
// short, every title short, every title short without "perftop"; where
// even that does not fit, the active title short and the others their
// numbers alone.
func (m *Model) tabNames(w int, unbranded bool) (names []string, pad, brand, fit bool) {
	namings := []func(i int, s screen) string{
		func(_ int, s screen) string { return s.id.String() },
		func(i int, s screen) string {
			if i == m.active {
				return s.id.String()
			}
			return s.id.short()
		},
		func(_ int, s screen) string { return s.id.short() },
		func(_ int, s screen) string { return s.id.short() }, // and no "perftop"
		func(i int, s screen) string {
			if i == m.active {
				return s.id.short()
			}
			return ""
		},
	}
	for k, name := range namings {
		pad, brand := k == 0, k < 3
		if !brand && !unbranded {
			continue
		}
		n := len(" perftop")
		if !brand {
			n = -1 // one space at the edge instead of two between
		}
		names = names[:0]
		for i, s := range m.screens {
			names = append(names, name(i, s))
			n += 2 + len(strconv.Itoa(i+1)) + 1 + len(names[i]) // two spaces join the tabs
			if pad {
				n += 2
			}
		}
		if n <= w {
			return names, pad, brand, k < len(namings)-1
		}
	}
	return names, false, false, false
}

// bottomBar shows the filter being typed, or the key line and source
// health. The key line is the root's hints, the controls', the theme, then
// the screen's own (its ShortHelp and note).
func (m *Model) bottomBar() string {
	st := &m.sh.st
	s := m.screens[m.active].Component
	if f, ok := s.(filterer); ok {
		if line, editing := f.filterLine(); editing {
			prompt := st.P.Accent.S(" /") + st.P.Text.S(line+"█")
			hint := st.P.Muted.S("enter keep · esc clear")
			return statusbar.Render(m.w, []string{prompt}, []string{hint + " "}, st.P.StatusBar)
		}
	}
	left := make([]string, 0, 12)
	left = m.sh.hints(left, m.short)
	left[0] = " " + left[0]
	for _, c := range m.controls {
		left = c.controlHints(left)
	}
	if m.noColor {
		left = append(left, st.P.Muted.S("mono (no colour)"))
	} else {
		left = append(left, m.sh.hint("t", st.Theme.Name))
	}
	left = m.sh.hints(left, s.ShortHelp())
	if n, ok := s.(noter); ok {
		if note := n.keyNote(); note != "" {
			left = append(left, note)
		}
	}
	var right []string
	if m.viewers != nil {
		if vs := m.viewers(); len(vs) > 0 {
			right = append(right, st.Accent.Render(fmt.Sprintf("%d watching", len(vs)))+" "+st.Muted.Render(strings.Join(vs, " ")))
		}
	}
	for _, name := range sortedKeys(m.sh.snap.Health) {
		h := m.sh.snap.Health[name]
		if !h.Up {
			msg := name + " down"
			if h.LastError != "" {
				msg += ": " + h.LastError
			}
			right = append(right, st.Crit.Render(msg))
		}
	}
	if len(right) > 0 {
		right[len(right)-1] += " "
	}
	return statusbar.Render(m.w, left, right, st.P.StatusBar)
}

// helpView lists every key of the dashboard: the root's and the controls',
// then each screen's FullHelp, merged by group so that keys several screens
// share are listed once.
func (m *Model) helpView(w, h int) string {
	head, tail := m.sh.keys.rootHelp()
	groups := head
	for _, s := range m.screens {
		for _, g := range s.FullHelp() {
			groups = mergeHelp(groups, g)
		}
	}
	groups = mergeHelp(groups, tail)
	st := help.Styles{Title: m.sh.st.Title, Key: m.sh.st.HelpKey, Desc: m.sh.st.HelpDesc}
	body := help.View(groups, st, w-4, h-2)
	return panel.Render(m.sh.panelStyles(), "Keys", "esc to close", body, w, h)
}
