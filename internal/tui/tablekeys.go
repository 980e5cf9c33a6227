package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/tui/help"
	"github.com/perftop/perftop/internal/tui/table"
)

// tableKeys are the keys of a screen's table, for the component that shows
// it: the cursor keys move it, / opens its filter line, which takes every key
// until enter keeps or esc clears it, and esc clears a filter in effect.
// The zero value is a screen without a table: it has no keys.
type tableKeys struct {
	t       *table.Model
	sh      *shared
	editing bool   // the filter line is open
	typed   string // what it holds
	short   []key.Binding
}

func newTableKeys(t *table.Model, sh *shared) tableKeys {
	return tableKeys{t: t, sh: sh, short: []key.Binding{shortHelp(sh.keys.Filter, "/", "filter")}}
}

// update handles a key the root passed on.
func (f *tableKeys) update(msg tea.KeyPressMsg) {
	switch {
	case f.t == nil:
	case f.editing:
		f.edit(msg)
	case key.Matches(msg, f.sh.keys.Filter):
		f.editing, f.typed = true, f.t.Filter()
	case key.Matches(msg, f.sh.keys.Escape):
		if f.t.Filter() != "" {
			f.t.SetFilter("")
		}
	default:
		*f.t, _ = f.t.Update(msg)
	}
}

// edit edits the filter line; the table follows as the user types.
func (f *tableKeys) edit(msg tea.KeyPressMsg) {
	switch msg.String() {
	case "esc":
		f.editing, f.typed = false, ""
	case "enter":
		f.editing = false
	case "backspace":
		if r := []rune(f.typed); len(r) > 0 {
			f.typed = string(r[:len(r)-1])
		}
	case "ctrl+c":
		f.editing, f.typed = false, ""
	default:
		if msg.Text != "" {
			f.typed += msg.Text
		}
	}
	f.t.SetFilter(f.typed)
}

func (f *tableKeys) filterLine() (string, bool) { return f.typed, f.editing }

// ShortHelp offers the filter until one is in effect; keyNote then shows it.
func (f *tableKeys) ShortHelp() []key.Binding {
	if f.t == nil || f.t.Filter() != "" {
		return nil
	}
	return f.short
}

func (f *tableKeys) keyNote() string {
	if f.t == nil || f.t.Filter() == "" {
		return ""
	}
	return f.sh.st.P.Warn.S("/" + f.t.Filter())
}

func (f *tableKeys) FullHelp() []help.Group {
	if f.t == nil {
		return nil
	}
	return f.sh.keys.tableHelp()
}
