package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/perftop/perftop/internal/tui/help"
	"github.com/perftop/perftop/internal/tui/panel"
	"github.com/perftop/perftop/internal/tui/statusbar"
)

// topBar shows the screens as tabs, and what is being watched.
func (m *Model) topBar() string {
	p := &m.sh.st.P
	left := []string{p.Accent.S(" perftop")}
	full := 9
	for _, s := range m.screens {
		full += len(s.id.String()) + 5
	}
	for i, s := range m.screens {
		label := " " + strconv.Itoa(i+1) + " " + s.id.String() + " "
		if full > m.w-22 && i != m.active {
			label = " " + strconv.Itoa(i+1) + " " // narrow: only the active tab is named
		}
		if i == m.active {
			left = append(left, p.TabActive.S(label))
		} else {
			left = append(left, p.TabInactive.S(label))
		}
	}
	var right []string
	if m.display.paused {
		right = append(right, p.Warn.S("PAUSED"))
	}
	h := m.sh.snap.Host
	if h.Hostname != "" {
		right = append(right, p.Muted.S(h.Hostname))
	}
	if !h.Time.IsZero() {
		right = append(right, p.Text.S(h.Time.Format("15:04:05")+" "))
	}
	return statusbar.Render(m.w, left, right, p.StatusBar)
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
