package statusbar

import (
	"testing"

	"github.com/perftop/perftop/internal/themes"
)

func TestRender(t *testing.T) {
	plain := themes.Paint{}
	tests := []struct {
		name        string
		w           int
		left, right []string
		want        string
	}{
		{"both fit", 20, []string{"a", "b"}, []string{"z"}, "a  b               z"},
		{"right dropped", 8, []string{"left"}, []string{"right"}, "left    "},
		{"one item too wide is cut", 5, []string{"abcdefgh"}, nil, "abcd…"},
		{"items that do not fit are left out whole", 14, []string{"q quit", "p pause", "/ filter"}, nil, "q quit        "},
		{"as many as fit", 15, []string{"q quit", "p pause", "/ filter"}, nil, "q quit  p pause"},
		{"empty items skipped", 10, []string{"", "x", ""}, []string{""}, "x         "},
		{"zero width", 0, []string{"x"}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(tt.w, tt.left, tt.right, plain); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
