package tea

import (
	"io"
	"os"
	"strings"
	"testing"
)

// BenchmarkFlushDashboard flushes a sequence of real perftop frames
// (120x40, one second apart, at rest), as the dashboard does once per
// refresh: what the renderer costs per frame after the first (perftop patch).
func BenchmarkFlushDashboard(b *testing.B) {
	data, err := os.ReadFile("testdata/perftop-frames.txt")
	if err != nil {
		b.Fatal(err)
	}
	frames := strings.Split(string(data), "\x00")
	r := newCursedRenderer(io.Discard, []string{"TERM=xterm-256color"}, 120, 40)
	r.setSyncdUpdates(true)
	v := NewView(frames[0])
	v.AltScreen = true
	r.render(v)
	_ = r.flush(false)
	b.ReportAllocs()
	// Back and forth through the frames, so every step is one second's
	// change, as at rest.
	i, step := 0, 1
	for b.Loop() {
		if i+step < 0 || i+step >= len(frames) {
			step = -step
		}
		i += step
		v.SetContent(frames[i])
		r.render(v)
		_ = r.flush(false)
	}
}
