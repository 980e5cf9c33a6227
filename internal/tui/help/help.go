// Package help draws the key help overlay that `?` opens, from the same
// key.Bindings the dashboard matches keys with, so help never drifts from
// behaviour.
package help

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Group is a titled column of bindings.
type Group struct {
	Title    string
	Bindings []key.Binding
}

// Styles are the styles the help view uses.
type Styles struct {
	Title, Key, Desc lipgloss.Style
}

// View renders the groups one after another as "key  description" lines,
// flowing into as many columns as fit in w x h. Disabled bindings are left
// out.
func View(groups []Group, st Styles, w, h int) string {
	var blocks [][]string
	keyW := 0
	for _, g := range groups {
		for _, b := range g.Bindings {
			if b.Enabled() {
				keyW = max(keyW, ansi.StringWidth(b.Help().Key))
			}
		}
	}
	for _, g := range groups {
		lines := []string{st.Title.Render(g.Title)}
		for _, b := range g.Bindings {
			if !b.Enabled() {
				continue
			}
			k := b.Help().Key
			lines = append(lines, st.Key.Render(k+strings.Repeat(" ", keyW-ansi.StringWidth(k)))+"  "+st.Desc.Render(b.Help().Desc))
		}
		blocks = append(blocks, append(lines, ""))
	}
	// Flow the groups down columns of height h.
	var cols [][]string
	var cur []string
	for _, bl := range blocks {
		if len(cur) > 0 && len(cur)+len(bl) > h {
			cols = append(cols, cur)
			cur = nil
		}
		cur = append(cur, bl...)
	}
	if len(cur) > 0 {
		cols = append(cols, cur)
	}
	colW := 0
	for _, c := range cols {
		for _, l := range c {
			colW = max(colW, ansi.StringWidth(l))
		}
	}
	colW += 4
	var out strings.Builder
	for row := 0; row < h; row++ {
		if row > 0 {
			out.WriteByte('\n')
		}
		var line strings.Builder
		for _, c := range cols {
			cell := ""
			if row < len(c) {
				cell = c[row]
			}
			line.WriteString(cell + strings.Repeat(" ", max(colW-ansi.StringWidth(cell), 0)))
		}
		out.WriteString(ansi.Truncate(line.String(), w, ""))
	}
	return out.String()
}
