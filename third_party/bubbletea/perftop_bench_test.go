package tea

import (
	"os"
	"strings"
	"testing"
)

// BenchmarkFlushDashboard flushes a sequence of real perftop frames
// (120x40, one second apart, at rest), as the dashboard does once per
// refresh: what the renderer costs per frame after the first (perftop patch).
func BenchmarkFlushDashboard(b *testing.B) {
	for _, scroll := range []bool{true, false} {
		name := "scroll-optim"
		if !scroll {
			name = "no-scroll-optim" // WithoutScrollOptimization, as perftop runs
		}
		b.Run(name, func(b *testing.B) { benchmarkFlush(b, scroll) })
	}
}

func benchmarkFlush(b *testing.B, scroll bool) {
	data, err := os.ReadFile("testdata/perftop-frames.txt")
	if err != nil {
		b.Fatal(err)
	}
	frames := strings.Split(string(data), "\x00")
	var out countWriter
	r := newCursedRenderer(&out, []string{"TERM=xterm-256color"}, 120, 40)
	r.setSyncdUpdates(true)
	r.setScrollOptim(scroll)
	v := NewView(frames[0])
	v.AltScreen = true
	r.render(v)
	_ = r.flush(false)
	out = 0
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
	b.ReportMetric(float64(out)/float64(b.N), "bytes/frame")
}

// countWriter counts the bytes written to it.
type countWriter int

func (c *countWriter) Write(p []byte) (int, error) {
	*c += countWriter(len(p))
	return len(p), nil
}
