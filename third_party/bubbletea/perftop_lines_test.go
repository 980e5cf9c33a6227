package tea

import (
	"io"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// flushBoth flushes frame through r, which draws changed lines only, and
// through full, which draws every frame whole as upstream does, and fails
// when their cell buffers differ.
func flushBoth(t *testing.T, r, full *cursedRenderer, frame string) {
	t.Helper()
	v := NewView(frame)
	v.AltScreen = true
	r.render(v)
	if err := r.flush(false); err != nil {
		t.Fatal(err)
	}
	full.lines.invalidate()
	full.render(v)
	if err := full.flush(false); err != nil {
		t.Fatal(err)
	}
	full.lines.invalidate()
	if !reflect.DeepEqual(r.cellbuf.Lines, full.cellbuf.Lines) {
		t.Fatalf("cells differ after frame %q:\nby line:\n%s\nwhole:\n%s", frame, r.cellbuf.Render(), full.cellbuf.Render())
	}
}

func newTestRenderers(w, h int) (r, full *cursedRenderer) {
	return newCursedRenderer(io.Discard, []string{"TERM=xterm-256color"}, w, h),
		newCursedRenderer(io.Discard, []string{"TERM=xterm-256color"}, w, h)
}

// TestLineCacheMatchesWholeDraw draws real perftop frames, then frames
// mutated line by line with everything the line path must refuse, and
// checks that drawing by line leaves the same cells as drawing whole.
func TestLineCacheMatchesWholeDraw(t *testing.T) {
	data, err := os.ReadFile("testdata/perftop-frames.txt")
	if err != nil {
		t.Fatal(err)
	}
	frames := strings.Split(string(data), "\x00")
	r, full := newTestRenderers(120, 40)
	for _, f := range frames {
		flushBoth(t, r, full, f)
	}

	// Pieces the line path takes (some of them only to hand to
	// StyledString), and pieces that send the whole frame the upstream way.
	clean := []string{
		"plain", "\x1b[31mred\x1b[m", "\x1b[1;32mbold green\x1b[0m", "\x1b[m", "│box│", "⣿⡀braille",
		"·", "\x1b[38;2;1;2;3mtrue\x1b[m", "", "║═╬", "░▒▓█", "→↓", "édith", "\x1b[7m\x1b[2mrev\x1b[m",
		"\x1b[1;38;5;208mx\x1b[m", "\x1b[4:3mcurly\x1b[m", "wide 漢字", "e\u0301", "·\u0301", "a\u200d",
		"©\ufe0f", "soft\u00adhyphen", "▶\u200d▶", "x👍🏽", "  spaces  ",
	}
	odd := []string{
		"\x1b[31munreset ", "\u0301mark", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "tab\there", "cr\rx",
		"\x1b[2Jerase", "漢", "\x1b[1;38;5;208mx\x1b[22;39m",
	}
	for _, method := range []ansi.Method{ansi.WcWidth, ansi.GraphemeWidth} {
		r, full = newTestRenderers(30, 6)
		r.setWidthMethod(method)
		full.setWidthMethod(method)
		randomFrames(t, r, full, clean, odd)
	}
}

// randomFrames flushes frames of six lines, a few lines changed each time.
func randomFrames(t *testing.T, r, full *cursedRenderer, clean, odd []string) {
	rng := rand.New(rand.NewPCG(1, 2))
	lines := make([]string, 6)
	for step := 0; step < 4000; step++ {
		for n := rng.IntN(3); n >= 0; n-- {
			var b strings.Builder
			for k := rng.IntN(4); k >= 0; k-- {
				if rng.IntN(12) == 0 {
					b.WriteString(odd[rng.IntN(len(odd))])
				} else {
					b.WriteString(clean[rng.IntN(len(clean))])
				}
			}
			lines[rng.IntN(len(lines))] = b.String()
		}
		flushBoth(t, r, full, strings.Join(lines, "\n"))
	}
}

func TestIndependentLines(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want bool
	}{
		{"a\nb", true},
		{"\x1b[31ma\x1b[m\n\x1b[1mb\x1b[0m\n", true},
		{"\x1b[31ma\nb", false},       // the pen runs into the next line
		{"a\n\x1b[31mb", true},        // the last line may end styled
		{"a\n\u0301b", false},         // a mark that would join the line above
		{"a\n\x1b[31m\u0301b", false}, // even after a sequence
		{"a\n│b\n⣿c", true},           // box drawing and braille start lines
		{"\x1b]8;;x\x07a\x1b]8;;\x07", false},
		{"a\rb", false},
		{"a\tb", false},
		{"\x1b[2Ja", false},
		{"\x1b[", false},
		{"\xff", false},
	} {
		if got := independentLines(tt.s); got != tt.want {
			t.Errorf("independentLines(%q) = %v, want %v", tt.s, got, tt.want)
		}
	}
}

// FuzzLineCache draws two frames one after the other by line and whole.
func FuzzLineCache(f *testing.F) {
	f.Add("a\nb\nc", "a\nx\nc")
	f.Add("\x1b[31ma\x1b[m\nb", "\x1b[31ma\nb")
	f.Add("│ab│\n⣿", "│a漢│\n\u0301")
	f.Fuzz(func(t *testing.T, a, b string) {
		r, full := newTestRenderers(12, 4)
		flushBoth(t, r, full, a)
		flushBoth(t, r, full, b)
		flushBoth(t, r, full, a)
	})
}
