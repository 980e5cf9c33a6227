// Package statusbar draws the one-line bars at the top and bottom of the
// dashboard: items on the left, items on the right, cut to fit the width.
package statusbar

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/cells"
)

// Render lays out left items from the left edge and right items against the
// right edge, in exactly w cells. Items are already styled; gap separates
// items. When everything does not fit, the right items are dropped first,
// then the left ones are cut.
func Render(w int, left, right []string, bar themes.Paint) string {
	if w <= 0 {
		return ""
	}
	l := strings.Join(nonEmpty(left), "  ")
	r := strings.Join(nonEmpty(right), "  ")
	lw, rw := cells.Width(l), cells.Width(r)
	var line string
	switch {
	case lw+rw+2 <= w:
		line = l + strings.Repeat(" ", w-lw-rw) + r
	case lw <= w:
		line = l + strings.Repeat(" ", w-lw)
	default:
		line = ansi.Truncate(l, w, "…")
	}
	return bar.S(line)
}

func nonEmpty(items []string) []string {
	out := items[:0:0]
	for _, s := range items {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
