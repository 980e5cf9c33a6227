// Package themes turns colour palettes into the Lip Gloss styles the dashboard
// draws with: the built-in themes, user theme files, and the monochrome theme
// used when colour is off (NO_COLOR, --no-color, TERM=dumb, or a terminal
// without colours).
//
// Themes are values; nothing here is global. Build a Styles with NewStyles and
// pass it to the views.
package themes

import (
	"fmt"
	"image/color"
	"sort"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
)

// Theme is a named palette. A Theme with Mono set draws without colour, using
// bold, faint and reverse video to tell things apart.
type Theme struct {
	Name        string
	Description string
	Mono        bool

	Text      color.Color // ordinary text
	Muted     color.Color // labels, axes, secondary numbers
	Accent    color.Color // titles, keys in help, the active tab
	Border    color.Color // panel borders
	OK        color.Color // healthy levels (gauges below the warn threshold)
	Warn      color.Color // levels worth watching
	Crit      color.Color // saturated levels and errors
	GaugeFill color.Color // the unfilled part of a gauge
	SelectFg  color.Color // selected table row
	SelectBg  color.Color
	Series    []color.Color // chart lines, in order
	// Background, when set, is the terminal's background while perftop
	// runs (OSC 11, restored at exit), so that a theme made for a light
	// background is readable on a dark terminal too; nil keeps the
	// terminal's own.
	Background color.Color
}

// Names of the built-in themes.
const (
	Dark         = "dark"
	Light        = "light"
	HighContrast = "high-contrast"
	Monochrome   = "mono"
)

// Builtins returns the built-in themes, the default (dark) first.
func Builtins() []Theme {
	return []Theme{
		{
			Name: Dark, Description: "the default: soft colours on a dark background",
			Text: hex("#d0d0d0"), Muted: hex("#808080"), Accent: hex("#5fafff"), Border: hex("#4e4e4e"),
			OK: hex("#87d75f"), Warn: hex("#ffaf00"), Crit: hex("#ff5f5f"), GaugeFill: hex("#3a3a3a"),
			SelectFg: hex("#000000"), SelectBg: hex("#5fafff"),
			Series: []color.Color{hex("#5fafff"), hex("#87d75f"), hex("#ffaf00"), hex("#ff5f87"), hex("#af87ff"), hex("#5fd7d7")},
		},
		{
			Name: Light, Description: "dark colours for a light background",
			Text: hex("#1c1c1c"), Muted: hex("#6c6c6c"), Accent: hex("#005fd7"), Border: hex("#a8a8a8"),
			OK: hex("#008700"), Warn: hex("#af5f00"), Crit: hex("#d70000"), GaugeFill: hex("#d0d0d0"),
			SelectFg: hex("#ffffff"), SelectBg: hex("#005fd7"),
			Series:     []color.Color{hex("#005fd7"), hex("#008700"), hex("#af5f00"), hex("#d7005f"), hex("#5f00af"), hex("#008787")},
			Background: hex("#fafafa"),
		},
		{
			// Only the 16 base ANSI colours, at full intensity: readable on any
			// background and in low-vision settings, and identical in every
			// terminal, since the terminal's own palette decides their shade.
			Name: HighContrast, Description: "bright base colours, bold text, for any background",
			Text: ansi(15), Muted: ansi(7), Accent: ansi(14), Border: ansi(15),
			OK: ansi(10), Warn: ansi(11), Crit: ansi(9), GaugeFill: ansi(8),
			SelectFg: ansi(0), SelectBg: ansi(11),
			Series: []color.Color{ansi(14), ansi(10), ansi(11), ansi(13), ansi(9), ansi(12)},
		},
		{
			Name: Monochrome, Description: "no colour; used for NO_COLOR, --no-color and TERM=dumb", Mono: true,
		},
	}
}

// Set is a list of themes looked up by name: the built-ins plus user themes.
type Set []Theme

// DefaultSet returns the built-in themes.
func DefaultSet() Set { return Set(Builtins()) }

// Find returns the theme called name.
func (s Set) Find(name string) (Theme, bool) {
	for _, t := range s {
		if strings.EqualFold(t.Name, name) {
			return t, true
		}
	}
	return Theme{}, false
}

// Names returns the theme names in the set's order.
func (s Set) Names() []string {
	out := make([]string, len(s))
	for i, t := range s {
		out[i] = t.Name
	}
	return out
}

// Next returns the theme after name, wrapping around, for the `t` key.
func (s Set) Next(name string) Theme {
	for i, t := range s {
		if strings.EqualFold(t.Name, name) {
			return s[(i+1)%len(s)]
		}
	}
	return s[0]
}

// With returns the set with user themes added; a user theme replaces a
// built-in of the same name.
func (s Set) With(user []Theme) Set {
	out := append(Set(nil), s...)
	sort.SliceStable(user, func(i, j int) bool { return user[i].Name < user[j].Name })
	for _, u := range user {
		replaced := false
		for i := range out {
			if strings.EqualFold(out[i].Name, u.Name) {
				out[i], replaced = u, true
			}
		}
		if !replaced {
			out = append(out, u)
		}
	}
	return out
}

func hex(s string) color.Color { return lipgloss.Color(s) }

func ansi(i int) color.Color { return lipgloss.ANSIColor(uint8(i)) }

// ParseColor reads a theme colour: "#rrggbb", "#rgb", or an ANSI palette index
// 0-255.
func ParseColor(s string) (color.Color, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "#") {
		h := s[1:]
		if (len(h) == 6 || len(h) == 3) && isHex(h) {
			return lipgloss.Color(s), nil
		}
		return nil, fmt.Errorf("invalid colour %q: want #rrggbb, #rgb or 0-255", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 255 {
		return nil, fmt.Errorf("invalid colour %q: want #rrggbb, #rgb or 0-255", s)
	}
	return ansi(n), nil
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}
