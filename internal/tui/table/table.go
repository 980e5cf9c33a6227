// Package table is a scrollable, filterable table of text rows with a cursor,
// for the process, disk and network lists. It keeps the cursor on the same
// row (by its first cell) when rows are replaced every refresh.
package table

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/perftop/perftop/internal/themes"
	"github.com/perftop/perftop/internal/tui/cells"
)

// Column describes one column. A Width of 0 makes the column share the space
// the fixed columns leave.
type Column struct {
	Title string
	Width int
	Right bool // right-align, for numbers
	// HideBelow hides the column when the table is narrower than this, so
	// narrow terminals keep the columns that matter.
	HideBelow int
	// Flex is a flexible column's share of the space left, against the
	// other flexible columns'; 0 counts as 1.
	Flex int
}

// KeyMap is the table's key bindings; they feed the help view.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
}

// DefaultKeyMap returns arrows and vi keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first row")),
		Bottom:   key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last row")),
	}
}

// Styles are the styles a table uses.
type Styles struct {
	Header, Cell, Selected, Muted themes.Paint
}

// Model is a table. The zero value is an empty table with no columns; a Model
// is not safe for concurrent use.
type Model struct {
	Keys    KeyMap
	cols    []Column
	rows    [][]string
	shown   []int // indices into rows that pass the filter
	filter  string
	cursor  int // index into shown
	key     int // the column that tells rows apart (SetKeyColumn)
	offset  int // first shown row on screen
	width   int
	height  int // rows on screen, header included
	focused bool

	// The last View, reused while nothing it depends on changed: at rest
	// the process table changes every other refresh.
	rowsRev uint64 // counts SetRows and SetFilter
	viewKey viewKey
	view    string
}

// viewKey is everything View's output depends on besides the rows.
type viewKey struct {
	rowsRev                       uint64
	cursor, offset, width, height int
	focused                       bool
	st                            Styles
	valid                         bool
}

// New returns a table with the given columns.
func New(cols ...Column) Model {
	return Model{Keys: DefaultKeyMap(), cols: cols, focused: true}
}

// SetSize sets the table's size in cells, header included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.clamp()
}

// SetKeyColumn names the column that tells rows apart (0, the first, by
// default): SetRows keeps the cursor on the row with the same key.
func (m *Model) SetKeyColumn(i int) { m.key = i }

// SetRows replaces the rows, keeping the cursor on the row whose key cell
// matches the old cursor row's, so a refresh does not move the selection.
func (m *Model) SetRows(rows [][]string) {
	sel, ok := m.Selected()
	m.rows = rows
	m.rowsRev++
	m.apply()
	if k := m.key; ok && len(sel) > k {
		for i, r := range m.shown {
			if len(m.rows[r]) > k && m.rows[r][k] == sel[k] {
				m.cursor = i
				break
			}
		}
	}
	m.clamp()
}

// SetFilter shows only rows with a cell containing f, ignoring case.
func (m *Model) SetFilter(f string) {
	m.filter = strings.ToLower(f)
	m.rowsRev++
	m.apply()
	m.cursor, m.offset = 0, 0
}

// Filter returns the current filter.
func (m *Model) Filter() string { return m.filter }

// Len returns the number of rows that pass the filter, and the total.
func (m *Model) Len() (shown, total int) { return len(m.shown), len(m.rows) }

// Selected returns the row under the cursor.
func (m *Model) Selected() ([]string, bool) {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return nil, false
	}
	return m.rows[m.shown[m.cursor]], true
}

func (m *Model) apply() {
	m.shown = m.shown[:0]
	for i, r := range m.rows {
		if m.filter == "" || matches(r, m.filter) {
			m.shown = append(m.shown, i)
		}
	}
}

func matches(row []string, f string) bool {
	for _, c := range row {
		if strings.Contains(strings.ToLower(c), f) {
			return true
		}
	}
	return false
}

func (m *Model) visible() int { return max(m.height-1, 0) }

func (m *Model) clamp() {
	m.cursor = min(max(m.cursor, 0), max(len(m.shown)-1, 0))
	v := m.visible()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if v > 0 && m.cursor >= m.offset+v {
		m.offset = m.cursor - v + 1
	}
	m.offset = min(max(m.offset, 0), max(len(m.shown)-v, 0))
}

// Update moves the cursor on key presses.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(k, m.Keys.Up):
		m.cursor--
	case key.Matches(k, m.Keys.Down):
		m.cursor++
	case key.Matches(k, m.Keys.PageUp):
		m.cursor -= max(m.visible()-1, 1)
	case key.Matches(k, m.Keys.PageDown):
		m.cursor += max(m.visible()-1, 1)
	case key.Matches(k, m.Keys.Top):
		m.cursor = 0
	case key.Matches(k, m.Keys.Bottom):
		m.cursor = len(m.shown) - 1
	}
	m.clamp()
	return m, nil
}

// widths resolves flexible columns against the table width; one space
// separates columns. A hidden column gets -1.
func (m *Model) widths() []int {
	out := make([]int, len(m.cols))
	fixed, flex := -1, 0
	for i, c := range m.cols {
		if m.width < c.HideBelow {
			out[i] = -1
			continue
		}
		out[i] = c.Width
		fixed += c.Width + 1
		if c.Width == 0 {
			flex += max(c.Flex, 1)
		}
	}
	if flex > 0 {
		left := max(m.width-fixed, 0)
		given, last := 0, -1
		for i, c := range m.cols {
			if c.Width == 0 && out[i] == 0 {
				out[i] = max(left*max(c.Flex, 1)/flex, 4)
				given += out[i]
				last = i
			}
		}
		if last >= 0 && given < left { // the rounding's remainder to the last
			out[last] += left - given
		}
	}
	return out
}

// View renders the header and the visible rows in exactly the table's size.
func (m *Model) View(st Styles) string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	key := viewKey{m.rowsRev, m.cursor, m.offset, m.width, m.height, m.focused, st, true}
	if key == m.viewKey {
		return m.view
	}
	m.view, m.viewKey = m.render(st), key
	return m.view
}

func (m *Model) render(st Styles) string {
	ws := m.widths()
	var b strings.Builder
	header, cell, selected, muted := st.Header, st.Cell, st.Selected, st.Muted
	b.WriteString(header.S(m.line(ws, func(i int) string { return m.cols[i].Title })))
	for i := 0; i < m.visible(); i++ {
		b.WriteByte('\n')
		idx := m.offset + i
		if idx >= len(m.shown) {
			msg := ""
			if len(m.shown) == 0 && i == 0 && len(m.rows) > 0 {
				msg = "no rows match /" + m.filter
			}
			b.WriteString(muted.S(cells.FitPad(msg, m.width)))
			continue
		}
		row := m.rows[m.shown[idx]]
		line := m.line(ws, func(c int) string {
			if c < len(row) {
				return row[c]
			}
			return ""
		})
		if idx == m.cursor && m.focused {
			b.WriteString(selected.S(line))
		} else {
			b.WriteString(cell.S(line))
		}
	}
	return b.String()
}

// line lays out one row's cells in their columns, exactly m.width cells.
func (m *Model) line(ws []int, cell func(int) string) string {
	var b strings.Builder
	first := true
	for i, w := range ws {
		if w < 0 {
			continue
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		s := cells.Fit(cell(i), w)
		gap := strings.Repeat(" ", w-cells.Width(s))
		if m.cols[i].Right {
			b.WriteString(gap + s)
		} else {
			b.WriteString(s + gap)
		}
	}
	return cells.FitPad(b.String(), m.width)
}
