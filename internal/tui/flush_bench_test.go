package tui

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
)

// restFrames returns n overview frames a second apart, as the dashboard draws
// them at rest: a store filled with ten minutes of samples, then one more
// sample before each frame.
func restFrames(n, w, h int) []string { return restFramesTheme(n, w, h, themes.Dark) }

func restFramesTheme(n, w, h int, theme string) []string {
	st := fakeStore(600)
	m := newTestModel(st, theme)
	m.SetSize(w, h)
	frames := make([]string, 0, n)
	var b metrics.Batch
	for i := 600; i < 600+n; i++ {
		t := fakeT0.Add(time.Duration(i) * time.Second)
		host := fakeHost(t, i)
		b.Reset(t)
		b.Add(metrics.KeyCPUTotal, host.CPU.TotalPercent)
		for c, v := range host.CPU.PerCorePercent {
			b.Add(metrics.KeyCPUCore(c), v)
		}
		b.Add(metrics.KeyMemUsed, host.Memory.UsedPercent)
		b.Add(metrics.KeyNetRx, host.Network[0].RxBytesPerSec)
		b.Add(metrics.KeyDiskRead, host.Disks[0].ReadBytesPerSec)
		st.Write(&b)
		st.SetHost(host)
		m.refresh()
		frames = append(frames, m.Frame())
	}
	return frames
}

// BenchmarkFlush is what Bubble Tea's renderer does with each new frame, done
// here through Ultraviolet's public API as bubbletea's cursedRenderer.flush
// does it (the cell buffer cleared, the frame parsed into it, the changed
// cells diffed against the screen and written): for perftop at rest this is
// the most expensive part of a refresh, so the frame's shape (how many
// style changes it carries) is measured here, not guessed. It reports the
// bytes written to the terminal per frame.
func BenchmarkFlush(b *testing.B) {
	for _, sz := range [][2]int{{120, 40}, {200, 60}} {
		b.Run(sizeName(sz), func(b *testing.B) {
			frames := restFramesTheme(16, sz[0], sz[1], flushTheme)
			var out countWriter
			scr := uv.NewTerminalRenderer(&out, []string{"TERM=xterm-256color"})
			scr.SetColorProfile(colorprofile.ANSI256)
			scr.SetFullscreen(true)
			scr.SetRelativeCursor(false)
			scr.SetScrollOptim(true)
			scr.Resize(sz[0], sz[1])
			buf := uv.NewScreenBuffer(sz[0], sz[1])
			flush := func(f string) {
				buf.Clear()
				uv.NewStyledString(f).Draw(buf, buf.Bounds())
				scr.Render(buf.RenderBuffer)
				if err := scr.Flush(); err != nil {
					b.Fatal(err)
				}
			}
			flush(frames[0])
			out.n = 0
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				flush(frames[i%len(frames)])
			}
			b.ReportMetric(float64(out.n)/float64(i), "B/frame")
			b.ReportMetric(float64(strings.Count(frames[0], "\x1b")), "escapes")
		})
	}
}

// countWriter counts the bytes written to it.
type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)

var flushTheme = themes.Dark
