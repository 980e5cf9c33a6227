package table

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/themes"
)

func rows(n int) [][]string {
	out := make([][]string, n)
	for i := range out {
		out[i] = []string{string(rune('a' + i)), strings.Repeat("x", i)}
	}
	return out
}

func press(m Model, keys ...string) Model {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "end":
			msg = tea.KeyPressMsg{Code: tea.KeyEnd}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		m, _ = m.Update(msg)
	}
	return m
}

func TestCursorAndScroll(t *testing.T) {
	tests := []struct {
		name       string
		keys       []string
		wantSel    string
		wantOffset int
	}{
		{"start", nil, "a", 0},
		{"down twice", []string{"down", "j"}, "c", 0},
		{"scrolls", []string{"j", "j", "j", "j"}, "e", 2},
		{"end", []string{"end"}, "j", 7},
		{"top after end", []string{"G", "g"}, "a", 0},
		{"cannot go above first", []string{"up", "k"}, "a", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Column{Title: "ID", Width: 2}, Column{Title: "X"})
			m.SetSize(20, 4) // header + 3 rows
			m.SetRows(rows(10))
			m = press(m, tt.keys...)
			sel, _ := m.Selected()
			if sel[0] != tt.wantSel || m.offset != tt.wantOffset {
				t.Fatalf("selected %q offset %d, want %q and %d", sel[0], m.offset, tt.wantSel, tt.wantOffset)
			}
		})
	}
}

func TestSetRowsKeepsSelection(t *testing.T) {
	m := New(Column{Title: "ID", Width: 2})
	m.SetSize(10, 5)
	m.SetRows(rows(5))
	m = press(m, "j", "j") // on "c"
	reordered := [][]string{{"e"}, {"c"}, {"a"}}
	m.SetRows(reordered)
	if sel, _ := m.Selected(); sel[0] != "c" {
		t.Fatalf("selection moved to %q", sel[0])
	}
	m.SetRows([][]string{{"z"}})
	if sel, _ := m.Selected(); sel[0] != "z" {
		t.Fatalf("selection %q after its row vanished", sel[0])
	}
}

func TestFilter(t *testing.T) {
	m := New(Column{Title: "NAME", Width: 8}, Column{Title: "CMD", Width: 8})
	m.SetSize(30, 5)
	m.SetRows([][]string{{"nginx", "worker"}, {"postgres", "writer"}, {"NGINX", "master"}})
	m.SetFilter("nginx")
	if shown, total := m.Len(); shown != 2 || total != 3 {
		t.Fatalf("Len = %d, %d", shown, total)
	}
	m.SetFilter("zzz")
	out := ansi.Strip(m.View(Styles{}))
	if !strings.Contains(out, "no rows match /zzz") {
		t.Fatalf("view %q", out)
	}
	m.SetFilter("")
	if shown, _ := m.Len(); shown != 3 {
		t.Fatalf("clearing the filter shows %d rows", shown)
	}
}

func TestView(t *testing.T) {
	m := New(Column{Title: "PID", Width: 5, Right: true}, Column{Title: "NAME"}, Column{Title: "CPU%", Width: 5, Right: true})
	m.SetSize(24, 4)
	m.SetRows([][]string{{"1", "init", "0.0"}, {"4242", "a-very-long-process-name", "99.5"}})
	got := m.View(Styles{})
	want := "  PID NAME          CPU%\n" +
		"    1 init           0.0\n" +
		" 4242 a-very-long…  99.5\n" +
		"                        "
	if got != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
	for _, l := range strings.Split(got, "\n") {
		if ansi.StringWidth(l) != 24 {
			t.Errorf("line %q is %d wide", l, ansi.StringWidth(l))
		}
	}
}

func TestHideBelow(t *testing.T) {
	m := New(Column{Title: "PID", Width: 5, Right: true}, Column{Title: "NAME"}, Column{Title: "THR", Width: 3, Right: true, HideBelow: 30})
	m.SetRows([][]string{{"1", "init", "4"}})
	m.SetSize(20, 2)
	if got, want := m.View(Styles{}), "  PID NAME          \n    1 init          "; got != want {
		t.Errorf("narrow: got %q, want %q", got, want)
	}
	m.SetSize(30, 2)
	if got := m.View(Styles{}); !strings.Contains(got, "THR") {
		t.Errorf("wide: THR hidden: %q", got)
	}
}

// TestViewCacheFollowsChanges: View reuses its last output, so every change
// that shows must reach it: rows, filter, cursor, size and styles.
func TestViewCacheFollowsChanges(t *testing.T) {
	m := New(Column{Title: "NAME", Width: 8}, Column{Title: "CPU", Width: 4, Right: true})
	m.SetSize(13, 3)
	m.SetRows([][]string{{"a", "1"}, {"b", "2"}})
	sel := themes.NewPaint(lipgloss.NewStyle().Reverse(true))
	st := Styles{Selected: sel}
	steps := []struct {
		name   string
		change func()
		st     Styles
	}{
		{"rows", func() { m.SetRows([][]string{{"a", "9"}, {"b", "2"}}) }, st},
		{"cursor", func() { m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyDown}) }, st},
		{"filter", func() { m.SetFilter("a") }, st},
		{"size", func() { m.SetSize(14, 3) }, st},
		{"styles", func() {}, Styles{}},
	}
	last := m.View(st)
	for _, s := range steps {
		s.change()
		got := m.View(s.st)
		if got == last {
			t.Errorf("%s: view unchanged: %q", s.name, got)
		}
		fresh := m
		fresh.viewKey = viewKey{}
		if want := fresh.View(s.st); got != want {
			t.Errorf("%s: cached view %q, drawn afresh %q", s.name, got, want)
		}
		last = got
	}
}
