package tea

import (
	"strings"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
)

// perftop patch: redraw only the lines of a frame that changed.
//
// Upstream, every flush clears the cell buffer, parses the whole frame into
// it (grapheme segmentation per cell) and hands the renderer every line to
// diff. A dashboard at rest changes a few dozen cells a second, so most of
// that work finds nothing: it was about a quarter of perftop's CPU at rest.
// Here the frame is split into lines and only the lines whose text changed
// are cleared, parsed and marked for the renderer; the cells of the others
// are already right.
//
// That holds only when a line's cells depend on its text alone. The parser
// carries the pen (SGR state) from one line to the next, so the patch takes
// this path only for frames in which every line ends with the pen reset and
// which use nothing but SGR sequences and plain text (no hyperlinks, no
// other sequences, no control characters, no line starting with a mark that
// would join the line above). Any other frame, a resize, a reset or a
// change of width method goes through the upstream full redraw.

// lineCache is the frame last drawn into the cell buffer, by line; nil when
// the next frame must be drawn whole.
type lineCache struct {
	lines []string
	ss    uv.StyledString
}

// invalidate makes the next flush draw the whole frame.
func (c *lineCache) invalidate() { c.lines = nil }

// drawChanged draws the lines of content that differ from the last frame
// into buf and reports true, or reports false, drawing nothing, when the
// frame cannot be drawn by line (see above) and must be drawn whole.
func (c *lineCache) drawChanged(buf *uv.ScreenBuffer, content string) bool {
	if c.lines == nil || strings.Count(content, "\n")+1 != len(c.lines) || len(c.lines) > buf.Height() {
		return false
	}
	if !independentLines(content) {
		return false
	}
	w := buf.Width()
	for i := 0; len(content) > 0 || i < len(c.lines); i++ {
		line := content
		if j := strings.IndexByte(content, '\n'); j >= 0 {
			line, content = content[:j], content[j+1:]
		} else {
			content = ""
		}
		if line == c.lines[i] {
			continue
		}
		// Touch the whole row as the upstream Clear does: the renderer
		// then diffs it against the screen like any redrawn row.
		buf.TouchLine(0, i, w)
		c.ss.Text = line
		c.ss.Draw(buf, uv.Rect(0, i, w, 1))
		c.lines[i] = line
	}
	return true
}

// remember records content as drawn whole into the buffer, so the next
// frame can be drawn by line if both frames allow it.
func (c *lineCache) remember(content string, height int) {
	c.invalidate()
	if strings.Count(content, "\n")+1 > height || !independentLines(content) {
		return
	}
	c.lines = strings.Split(content, "\n")
}

// independentLines reports whether every line of s can be drawn on its own:
// only plain text and SGR sequences, every line but the last ending with
// the pen reset (or setting no style at all), no line starting with a
// character that could combine with the line above.
func independentLines(s string) bool {
	reset := true // the pen at the start of the current line
	lineStart := true
	for i := 0; i < len(s); {
		b := s[i]
		switch {
		case b == '\n':
			if !reset {
				return false
			}
			lineStart = true
			i++
			continue
		case b == 0x1b:
			// Only CSI parameters then 'm': an SGR.
			j := i + 1
			if j >= len(s) || s[j] != '[' {
				return false
			}
			j++
			start := j
			for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
				j++
			}
			if j >= len(s) || s[j] != 'm' {
				return false
			}
			params := s[start:j]
			reset = params == "" || params == "0"
			i = j + 1
			continue // a sequence does not end the line's start
		case b < 0x20 || b == 0x7f:
			return false
		case b < 0x80:
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || (r >= 0x80 && r < 0xa0) {
				return false // invalid UTF-8 or C1 controls
			}
			if lineStart && !standalone(r) {
				return false
			}
			i += n
		}
		lineStart = false
	}
	return true
}

// standalone reports runes known to start a grapheme cluster of their own:
// Latin-1 and box drawing, block elements, shapes and braille, which are
// what a dashboard's lines start with.
func standalone(r rune) bool {
	switch {
	case r >= 0xa1 && r <= 0xff && r != 0xad:
		return true
	case r >= 0x2500 && r <= 0x25ff, r >= 0x2800 && r <= 0x28ff:
		return true
	}
	return false
}
