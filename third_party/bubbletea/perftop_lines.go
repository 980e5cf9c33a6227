package tea

import (
	"strings"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
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
//
// A changed line is drawn by drawLine, which does what uv.StyledString.Draw
// does for the row but skips grapheme segmentation for the text a dashboard
// is made of (ASCII, Latin-1, box drawing, blocks, shapes, braille, each a
// cluster of its own); a line with anything else goes to StyledString.

// lineCache is the frame last drawn into the cell buffer, by line; nil when
// the next frame must be drawn whole.
type lineCache struct {
	lines  []string
	ss     uv.StyledString
	sgr    map[string]ansi.Params // parsed SGR parameters, by their text
	widths map[rune]int           // cells of a standalone rune, for the width method in use
	parser *ansi.Parser
}

// invalidate makes the next flush draw the whole frame.
func (c *lineCache) invalidate() {
	c.lines = nil
	clear(c.widths) // the width method may have changed
}

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
		if !c.drawLine(buf, line, i, w) {
			c.ss.Text = line
			c.ss.Draw(buf, uv.Rect(0, i, w, 1)) // clears the row first
		}
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

// maxCachedSGR bounds the parsed SGR table; past it the table starts over.
const maxCachedSGR = 512

// drawLine draws line into row y of buf, w cells wide, leaving the cells
// uv.StyledString.Draw would, for a line that independentLines accepted.
// It reports false, part drawn, at anything but SGR sequences, ASCII and
// one-cell standalone runes followed by ASCII, a sequence, another standalone
// rune or the end: the caller then draws the row with StyledString, which
// clears it first.
//
// The caller has marked the whole row touched, so cells are set without
// RenderBuffer's comparison with the old cell. StyledString clears the row
// and then prints; printing one-cell runes from the left and then clearing
// the rest leaves the same cells, wide cells of the old row included (a
// wide cell's head is always overwritten before its continuation).
func (c *lineCache) drawLine(buf *uv.ScreenBuffer, line string, y, w int) bool {
	cells := buf.RenderBuffer.Buffer
	var cell uv.Cell
	var style uv.Style
	x := 0
	for i := 0; i < len(line); {
		b := line[i]
		n := 1
		switch {
		case b == 0x1b: // ESC [ params m, as independentLines checked
			j := i + 2
			for line[j] != 'm' {
				j++
			}
			params, ok := c.sgrParams(line[i : j+1])
			if !ok {
				return false
			}
			uv.ReadStyle(params, &style)
			i = j + 1
			continue
		case b >= 0x20 && b < 0x7f:
			cell = uv.Cell{Content: line[i : i+1], Width: 1, Style: style}
		default:
			r, size := utf8.DecodeRuneInString(line[i:])
			if !standalone(r) {
				return false
			}
			n = size
			cell = uv.Cell{Content: line[i : i+n], Width: c.width(buf, line[i:i+n], r), Style: style}
			if cell.Width != 1 {
				return false
			}
		}
		// The cluster must end here: the next rune starts one of its own.
		if next := i + n; next < len(line) && line[next] >= 0x80 {
			if r, _ := utf8.DecodeRuneInString(line[next:]); !standalone(r) {
				return false
			}
		}
		if x < w {
			cells.SetCell(x, y, &cell)
		}
		x++
		i += n
	}
	for ; x < w; x++ {
		cells.SetCell(x, y, nil)
	}
	return true
}

// sgrParams parses an SGR sequence, once per distinct sequence.
func (c *lineCache) sgrParams(seq string) (ansi.Params, bool) {
	if p, ok := c.sgr[seq]; ok {
		return p, true
	}
	if c.parser == nil {
		c.parser = ansi.NewParser()
	}
	c.parser.Reset()
	_, _, n, _ := ansi.DecodeSequence(seq, ansi.NormalState, c.parser)
	if n != len(seq) || c.parser.Command() != 'm' {
		return nil, false
	}
	p := append(ansi.Params(nil), c.parser.Params()...)
	if c.sgr == nil || len(c.sgr) >= maxCachedSGR {
		c.sgr = make(map[string]ansi.Params)
	}
	c.sgr[seq] = p
	return p, true
}

// width returns the cells of the standalone rune r, written s, as the
// buffer's width method measures it, once per rune.
func (c *lineCache) width(buf *uv.ScreenBuffer, s string, r rune) int {
	if w, ok := c.widths[r]; ok {
		return w
	}
	var w int
	if buf.Method == ansi.GraphemeWidth {
		_, w, _, _ = ansi.DecodeSequence(s, ansi.NormalState, nil)
	} else {
		_, w, _, _ = ansi.DecodeSequenceWc(s, ansi.NormalState, nil)
	}
	if c.widths == nil {
		c.widths = make(map[rune]int)
	}
	c.widths[r] = w
	return w
}
