package cells

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestWidthMatchesAnsi(t *testing.T) {
	for _, s := range []string{
		"", "abc", "\x1b[38;2;1;2;3mred\x1b[m", "╭─ CPU ─╮", "⣿⣀ ⠉", "█▌··", "µs ↓1 KiB/s ↑2", "日本語", "e\u0301", "🙂 ok",
		"\x1b]8;;http://x\x07link\x1b]8;;\x07", "tab\there", "…",
	} {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Errorf("Width(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	}
}

func BenchmarkWidth(b *testing.B) {
	line := "\x1b[38;2;95;175;255m⣿⣿⣿⣀⣀⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉⠉\x1b[m│ 12.3% load 0.52"
	b.Run("panel", func(b *testing.B) {
		for b.Loop() {
			_ = Width(line)
		}
	})
	b.Run("ansi", func(b *testing.B) {
		for b.Loop() {
			_ = ansi.StringWidth(line)
		}
	})
}

func TestFitAndPad(t *testing.T) {
	tests := []struct {
		fn   func(string, int) string
		in   string
		w    int
		want string
	}{
		{Fit, "hello", 10, "hello"}, {Fit, "hello world", 6, "hello…"},
		{FitPad, "ab", 4, "ab  "}, {FitPad, "abcdef", 4, "abc…"},
		{PadLeft, "7", 3, "  7"}, {PadLeft, "1234", 3, "1234"},
		{Pad, "abc", 2, "ab"}, {Pad, "\x1b[1mab\x1b[m", 4, "\x1b[1mab\x1b[m  "},
	}
	for _, tt := range tests {
		if got := tt.fn(tt.in, tt.w); got != tt.want {
			t.Errorf("(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
	}
}
