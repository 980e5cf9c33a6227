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
// then the left ones from the last: an item shows whole or not at all (a
// single item wider than w is cut).
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
		line = wholeItems(nonEmpty(left), w)
	}
	return bar.S(line)
}

// wholeItems is as many of items, from the first, as fit whole in w cells,
// padded to w.
func wholeItems(items []string, w int) string {
	if len(items) == 0 {
		return strings.Repeat(" ", w)
	}
	line := items[0]
	if cells.Width(line) > w {
		return ansi.Truncate(line, w, "…")
	}
	for _, it := range items[1:] {
		if cells.Width(line)+2+cells.Width(it) > w {
			break
		}
		line += "  " + it
	}
	return line + strings.Repeat(" ", w-cells.Width(line))
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
