package tui

import (
	"strconv"
	"testing"

	"github.com/perftop/perftop/internal/themes"
)

// BenchmarkFrame renders a full overview frame, the work done once per
// refresh at rest, at the two sizes the README quotes.
func BenchmarkFrame(b *testing.B) {
	for _, sz := range [][2]int{{120, 40}, {200, 60}} {
		b.Run(strconv.Itoa(sz[0])+"x"+strconv.Itoa(sz[1]), func(b *testing.B) {
			st := fakeStore(600)
			m := newTestModel(st, themes.Dark)
			m.SetSize(sz[0], sz[1])
			b.ReportAllocs()
			for b.Loop() {
				_ = m.Frame()
			}
		})
	}
}

// BenchmarkRefresh is a whole refresh: snapshot the store, rebuild the
// tables, render the frame.
func BenchmarkRefresh(b *testing.B) {
	st := fakeStore(600)
	m := newTestModel(st, themes.Dark)
	m.SetSize(120, 40)
	b.ReportAllocs()
	for b.Loop() {
		m.refresh()
		_ = m.View()
	}
}
