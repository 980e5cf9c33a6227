package panel

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name        string
		title, info string
		body        string
		w, h        int
		want        string
	}{
		{
			name: "title and info", title: "CPU", info: "12%", body: "a\nbb", w: 16, h: 4,
			want: "╭─ CPU ── 12% ─╮\n│a             │\n│bb            │\n╰──────────────╯",
		},
		{
			name: "body cut and padded", title: "Net", body: "0123456789abcdef\nx\ny\nz", w: 8, h: 4,
			want: "╭─ Net ╮\n│012345│\n│x     │\n╰──────╯",
		},
		{
			name: "long title cut", title: "Processes and more", w: 12, h: 2,
			want: "╭─ Proces… ╮\n╰──────────╯",
		},
		{name: "too small", title: "x", w: 3, h: 1, want: "   "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Render(Styles{}, tt.title, tt.info, tt.body, tt.w, tt.h)
			if got != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
			}
			for i, l := range strings.Split(got, "\n") {
				if w := ansi.StringWidth(l); w != tt.w {
					t.Errorf("line %d is %d wide, want %d", i, w, tt.w)
				}
			}
		})
	}
}

func TestSplit(t *testing.T) {
	if got := Split(10, 3); got[0] != 4 || got[1] != 3 || got[2] != 3 {
		t.Errorf("Split(10,3) = %v", got)
	}
	if Split(5, 0) != nil {
		t.Errorf("Split(5,0) not nil")
	}
}

func TestBlockAndRow(t *testing.T) {
	got := Row(Block("ab\nc", 3, 3), Block("x", 2, 3))
	want := "ab x \nc    \n     "
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
