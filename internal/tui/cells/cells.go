// Package cells measures and fits styled text in terminal cells. Its Width
// is exact like ansi.StringWidth but takes a fast path for the text a
// dashboard is made of, which profiling showed to matter: measuring every
// line of every frame with full grapheme segmentation was a fifth of the
// cost of drawing one.
package cells

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Pad cuts or pads a styled line to exactly w cells.
func Pad(s string, w int) string {
	n := Width(s)
	switch {
	case n > w:
		return ansi.Truncate(s, w, "")
	case n < w:
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// Width returns the cells s takes on screen, ignoring escape sequences. The
// dashboard's lines are ASCII, box drawing, block elements and braille, all
// one cell wide, and are measured here by counting runes; anything else goes
// to ansi.StringWidth's full grapheme segmentation, which costs ten times
// more and used to be a fifth of a frame.
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			// CSI (ESC [ ... final byte) and OSC (ESC ] ... BEL or ST).
			if i+1 < len(s) && s[i+1] == '[' {
				i += 2
				for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
					i++
				}
				i++
				continue
			}
			return ansi.StringWidth(s)
		case c < 0x20 || c == 0x7f:
			return ansi.StringWidth(s)
		case c < 0x80:
			n++
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrow(r) {
				return ansi.StringWidth(s)
			}
			n++
			i += size
		}
	}
	return n
}

// narrow reports runes known to take one cell and never to combine.
func narrow(r rune) bool {
	switch {
	case r >= 0xa0 && r < 0x300: // Latin-1 and Latin Extended
		return true
	case r >= 0x2010 && r <= 0x2027: // dashes, quotes, bullet, ellipsis
		return true
	case r >= 0x2190 && r <= 0x21ff: // arrows
		return true
	case r >= 0x2500 && r <= 0x25ff: // box drawing, block elements, shapes
		return true
	case r >= 0x2800 && r <= 0x28ff: // braille
		return true
	}
	return false
}

// Fit cuts s to w cells, ending it with an ellipsis when it was cut.
func Fit(s string, w int) string {
	if Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, max(w, 0), "…")
}

// FitPad cuts s to w cells with an ellipsis, or pads it with spaces to w.
func FitPad(s string, w int) string {
	n := Width(s)
	if n > w {
		return ansi.Truncate(s, max(w, 0), "…")
	}
	return s + strings.Repeat(" ", w-n)
}

// PadLeft right-aligns s in w cells; longer strings are returned whole.
func PadLeft(s string, w int) string {
	n := Width(s)
	if n >= w {
		return s
	}
	return strings.Repeat(" ", w-n) + s
}
