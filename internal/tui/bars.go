package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/perftop/perftop/internal/tui/statusbar"
)

// topBar shows the screens as tabs, and what is being watched.
func (m *Model) topBar() string {
	left := []string{m.st.P.Accent.S(" perftop")}
	full := 9
	for _, s := range m.screens {
		full += len(s.title) + 5
	}
	for i, s := range m.screens {
		label := " " + strconv.Itoa(i+1) + " " + s.title + " "
		if full > m.w-22 && i != m.active {
			label = " " + strconv.Itoa(i+1) + " " // narrow: only the active tab is named
		}
		if i == m.active {
			left = append(left, m.st.P.TabActive.S(label))
		} else {
			left = append(left, m.st.P.TabInactive.S(label))
		}
	}
	var right []string
	if m.paused {
		right = append(right, m.st.P.Warn.S("PAUSED"))
	}
	h := m.snap.Host
	if h.Hostname != "" {
		right = append(right, m.st.P.Muted.S(h.Hostname))
	}
	if !h.Time.IsZero() {
		right = append(right, m.st.P.Text.S(h.Time.Format("15:04:05")+" "))
	}
	return statusbar.Render(m.w, left, right, m.st.P.StatusBar)
}

// bottomBar shows the filter being typed, or key hints and source health.
func (m *Model) bottomBar() string {
	if m.filtering {
		prompt := m.st.P.Accent.S(" /") + m.st.P.Text.S(m.filter+"█")
		hint := m.st.P.Muted.S("enter keep · esc clear")
		return statusbar.Render(m.w, []string{prompt}, []string{hint + " "}, m.st.P.StatusBar)
	}
	hint := func(k, d string) string { return m.st.P.HelpKey.S(k) + " " + m.st.P.HelpDesc.S(d) }
	left := []string{" " + hint("?", "help"), hint("q", "quit"), hint("tab", "screens")}
	switch {
	case m.o.Load != nil && m.o.ReadOnly:
		left = append(left, m.st.P.Warn.S("read-only"))
	case m.o.Load != nil:
		left = append(left, hint("s", "stop"), hint("p", "pause load"), hint("+/-", "load ±10%"))
	case m.paused:
		left = append(left, hint("p", "resume"))
	default:
		left = append(left, hint("p", "pause"))
	}
	switch {
	case m.o.Load != nil:
	case m.keys.Slower.Enabled():
		left = append(left, hint("+/-", m.durationLabel()))
	default:
		left = append(left, m.st.P.Muted.S("every "+m.durationLabel()))
	}
	left = append(left, hint("t", m.st.Theme.Name))
	if t := m.screens[m.active].table; t != nil {
		if f := t.Filter(); f != "" {
			left = append(left, m.st.P.Warn.S("/"+f))
		} else {
			left = append(left, hint("/", "filter"))
		}
	}
	var right []string
	if m.o.Viewers != nil {
		if vs := m.o.Viewers(); len(vs) > 0 {
			right = append(right, m.st.Accent.Render(fmt.Sprintf("%d watching", len(vs)))+" "+m.st.Muted.Render(strings.Join(vs, " ")))
		}
	}
	for _, name := range sortedKeys(m.snap.Health) {
		h := m.snap.Health[name]
		if !h.Up {
			msg := name + " down"
			if h.LastError != "" {
				msg += ": " + h.LastError
			}
			right = append(right, m.st.Crit.Render(msg))
		}
	}
	if len(right) > 0 {
		right[len(right)-1] += " "
	}
	return statusbar.Render(m.w, left, right, m.st.P.StatusBar)
}
