package printable

import (
	"testing"
	"unicode"
)

func TestLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"connection refused", "connection refused"},
		{"  two\nlines\t and  tabs ", "two lines and tabs"},
		{"HTTP 500 Oops\x1b]52;c;aGVsbG8=\x07", "HTTP 500 Oops ]52;c;aGVsbG8="},
		{"bell\x07inside", "bell inside"},
		{"c1 \u009b31m red", "c1 31m red"},
		{"bad \xff utf-8", "bad \ufffd utf-8"},
		{"é and 日本", "é and 日本"},
		{"nbsp\u00a0kept apart", "nbsp kept apart"},
		{" lead", "lead"},
		{"trail ", "trail"},
	}
	for _, tt := range tests {
		if got := Line(tt.in); got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLineAllocatesNothingWhenClean(t *testing.T) {
	s := "parse error at line 17: unexpected end of input"
	if n := testing.AllocsPerRun(100, func() { _ = Line(s) }); n != 0 {
		t.Errorf("Line of a clean string allocates %v times", n)
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "a b", "\x1b[31mred", "x\ny", "\xff", " \u2028 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Line(s)
		for _, r := range got {
			if unicode.IsControl(r) || (unicode.IsSpace(r) && r != ' ') {
				t.Fatalf("Line(%q) = %q keeps %U", s, got, r)
			}
		}
		if Line(got) != got {
			t.Fatalf("Line is not idempotent on %q: %q then %q", s, got, Line(got))
		}
	})
}

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{{"short", 10, "short"}, {"exactly", 7, "exactly"}, {"abcdef", 3, "abc…"}, {"héllo", 2, "h…"}, {"⛄⛄", 4, "⛄…"}, {"⛄", 1, "…"}} {
		if got := Cut(tt.in, tt.n); got != tt.want {
			t.Errorf("Cut(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
