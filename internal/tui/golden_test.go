package tui

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/themes"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s; if the change is intended, run go test ./tui -update\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// checkFrame asserts the invariants of every frame: exactly h lines of
// exactly w cells.
func checkFrame(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Fatalf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func newTestModel(st *metrics.Store, theme string) *Model {
	return New(Options{Store: st, Theme: theme, Interval: time.Second, SetInterval: func(time.Duration) {}})
}

// TestGoldenScreens renders every screen and the help at both reference
// sizes, as plain text.
func TestGoldenScreens(t *testing.T) {
	sizes := [][2]int{{80, 24}, {160, 48}}
	for _, sz := range sizes {
		m := newTestModel(fakeStore(300), themes.Dark)
		m.SetSize(sz[0], sz[1])
		for i, s := range m.screens {
			m.active = i
			name := strings.ToLower(s.id.String()) + "-" + sizeName(sz)
			t.Run(name, func(t *testing.T) {
				frame := m.Frame()
				checkFrame(t, frame, sz[0], sz[1])
				golden(t, name, ansi.Strip(frame))
			})
		}
		m.active, m.showHelp = 0, true
		t.Run("help-"+sizeName(sz), func(t *testing.T) {
			frame := m.Frame()
			checkFrame(t, frame, sz[0], sz[1])
			golden(t, "help-"+sizeName(sz), ansi.Strip(frame))
		})
	}
}

// TestGoldenColourProfiles renders the overview as each colour profile
// would send it to the terminal: Bubble Tea downsamples the same frame with
// the same colorprofile writer.
func TestGoldenColourProfiles(t *testing.T) {
	profiles := []struct {
		name    string
		profile colorprofile.Profile
		theme   string
	}{
		{"truecolor", colorprofile.TrueColor, themes.Dark},
		{"256", colorprofile.ANSI256, themes.Dark},
		{"16", colorprofile.ANSI, themes.HighContrast},
		{"mono", colorprofile.Ascii, themes.Monochrome},
	}
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		for _, p := range profiles {
			name := "overview-" + p.name + "-" + sizeName(sz)
			t.Run(name, func(t *testing.T) {
				m := newTestModel(fakeStore(300), p.theme)
				m.SetSize(sz[0], sz[1])
				var buf bytes.Buffer
				w := &colorprofile.Writer{Forward: &buf, Profile: p.profile}
				if _, err := w.WriteString(m.Frame()); err != nil {
					t.Fatal(err)
				}
				out := buf.String()
				checkFrame(t, out, sz[0], sz[1])
				if p.profile == colorprofile.Ascii && strings.Contains(out, "38;") {
					t.Errorf("monochrome output sets a foreground colour")
				}
				golden(t, name, out)
			})
		}
	}
}

func sizeName(sz [2]int) string {
	return strconv.Itoa(sz[0]) + "x" + strconv.Itoa(sz[1])
}
