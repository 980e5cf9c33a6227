// Package panel draws the bordered, titled boxes the dashboard is made of,
// clipping and padding their contents to an exact size so that a layout
// never shifts when a number grows a digit.
package panel

import (
	"strings"

	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/cells"
)

// Styles are the styles a panel uses, as precomputed escape codes.
type Styles struct {
	Border themes.Paint
	Title  themes.Paint
	Info   themes.Paint // the right-hand note in the top border
}

// Render draws body inside a rounded box of exactly w x h cells with title
// in the top border and info right-aligned after it. Body lines longer than
// w-2 cells are cut; missing lines are blank. Below 2x2 nothing fits and
// Render returns h blank lines of width w.
func Render(st Styles, title, info, body string, w, h int) string {
	if w < 2 || h < 2 {
		return Blank(w, h)
	}
	inner := w - 2
	var b strings.Builder
	// The body plus the padding and borders: a frame's panels are most of
	// what it allocates, so each is built in one allocation.
	b.Grow(len(body) + h*(w+2*len(st.Border.Prefix)+2*len(st.Border.Suffix)+8) + 2*w*3 + len(title) + len(info) + 64)

	border, titlePaint, infoPaint := st.Border, st.Title, st.Info

	// Top border: ╭─ title ─── info ─╮
	title = cells.Fit(title, max(inner-3, 0))
	used := 0
	b.WriteString(border.S("╭"))
	if title != "" && inner >= 4 {
		b.WriteString(border.S("─") + " " + titlePaint.S(title) + " ")
		used = 3 + cells.Width(title)
	}
	// The info is a number or says one: it shows whole or not at all
	// (panels offer shorter forms that fit, fitInfo).
	if info != "" {
		if room := inner - used - 3; room >= cells.Width(info) {
			fill := inner - used - cells.Width(info) - 3
			b.WriteString(border.S(strings.Repeat("─", fill)) + " " + infoPaint.S(info) + " " + border.S("─"))
			used = inner
		}
	}
	b.WriteString(border.S(strings.Repeat("─", max(inner-used, 0)) + "╮"))

	lines := strings.Split(body, "\n")
	side := border.S("│")
	for i := 0; i < h-2; i++ {
		b.WriteByte('\n')
		b.WriteString(side)
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString(cells.Pad(line, inner))
		b.WriteString(side)
	}
	b.WriteByte('\n')
	b.WriteString(border.S("╰" + strings.Repeat("─", inner) + "╯"))
	return b.String()
}

// Blank returns h lines of w spaces.
func Blank(w, h int) string {
	if h <= 0 {
		return ""
	}
	line := strings.Repeat(" ", max(w, 0))
	return strings.TrimSuffix(strings.Repeat(line+"\n", h), "\n")
}

// Block pads every line of s to w cells and s to h lines, so blocks can be
// joined side by side.
func Block(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		line := ""
		if i < len(lines) {
			line = lines[i]
		}
		b.WriteString(cells.Pad(line, w))
	}
	return b.String()
}

// Row joins blocks of the same height side by side.
func Row(blocks ...string) string {
	if len(blocks) == 0 {
		return ""
	}
	var b strings.Builder
	n := len(blocks)
	for _, bl := range blocks {
		n += len(bl)
	}
	b.Grow(n)
	WriteRow(&b, blocks...)
	return b.String()
}

// WriteRow writes blocks of the same height side by side to b, as Row
// returns them: a screen built in one builder copies each panel once
// instead of once per level of joining.
func WriteRow(b *strings.Builder, blocks ...string) {
	split := make([][]string, len(blocks))
	h := 0
	for i, bl := range blocks {
		split[i] = strings.Split(bl, "\n")
		h = max(h, len(split[i]))
	}
	for r := 0; r < h; r++ {
		if r > 0 {
			b.WriteByte('\n')
		}
		for _, lines := range split {
			if r < len(lines) {
				b.WriteString(lines[r])
			}
		}
	}
}

// Split divides total cells into n parts as evenly as possible, the larger
// parts first.
func Split(total, n int) []int {
	if n <= 0 {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = total / n
		if i < total%n {
			out[i]++
		}
	}
	return out
}
