package themes

import (
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"
)

// Styles is a theme turned into Lip Gloss styles, built once per theme change
// and passed by value to every view. Its zero value renders plain text.
type Styles struct {
	Theme Theme

	Text, Muted, Accent, Title lipgloss.Style
	Border                     lipgloss.Style // panel borders (foreground only)
	OK, Warn, Crit             lipgloss.Style
	GaugeEmpty                 lipgloss.Style
	Selected                   lipgloss.Style // the cursor row of a table
	TabActive, TabInactive     lipgloss.Style
	StatusBar                  lipgloss.Style
	HelpKey, HelpDesc          lipgloss.Style
	Series                     []lipgloss.Style

	// P holds the same styles as escape codes, for drawing code that styles
	// many short runs: Style.Render measures and splits its input at every
	// call, which profiling showed to be a third of a frame's cost.
	P Paints
}

// Paints are Styles' styles as escape codes, computed once per theme.
type Paints struct {
	Text, Muted, Accent, Title Paint
	Border                     Paint
	OK, Warn, Crit             Paint
	GaugeEmpty                 Paint
	Selected                   Paint
	TabActive, TabInactive     Paint
	StatusBar                  Paint
	HelpKey, HelpDesc          Paint
	Series                     []Paint
}

// withPaints fills s.P from s's styles.
func (s Styles) withPaints() Styles {
	s.P = Paints{
		Text: NewPaint(s.Text), Muted: NewPaint(s.Muted), Accent: NewPaint(s.Accent), Title: NewPaint(s.Title),
		Border: NewPaint(s.Border), OK: NewPaint(s.OK), Warn: NewPaint(s.Warn), Crit: NewPaint(s.Crit),
		GaugeEmpty: NewPaint(s.GaugeEmpty), Selected: NewPaint(s.Selected),
		TabActive: NewPaint(s.TabActive), TabInactive: NewPaint(s.TabInactive), StatusBar: NewPaint(s.StatusBar),
		HelpKey: NewPaint(s.HelpKey), HelpDesc: NewPaint(s.HelpDesc),
	}
	for _, l := range s.Series {
		s.P.Series = append(s.P.Series, NewPaint(l))
	}
	return s
}

// NewStyles builds the styles for t.
func NewStyles(t Theme) Styles {
	if t.Mono {
		return monoStyles(t)
	}
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s := Styles{
		Theme:       t,
		Text:        fg(t.Text),
		Muted:       fg(t.Muted),
		Accent:      fg(t.Accent).Bold(true),
		Title:       fg(t.Accent).Bold(true),
		Border:      fg(t.Border),
		OK:          fg(t.OK),
		Warn:        fg(t.Warn),
		Crit:        fg(t.Crit).Bold(true),
		GaugeEmpty:  fg(t.GaugeFill),
		Selected:    lipgloss.NewStyle().Foreground(t.SelectFg).Background(t.SelectBg),
		TabActive:   lipgloss.NewStyle().Foreground(t.SelectFg).Background(t.SelectBg).Bold(true),
		TabInactive: fg(t.Muted),
		StatusBar:   fg(t.Muted),
		HelpKey:     fg(t.Accent).Bold(true),
		HelpDesc:    fg(t.Muted),
	}
	for _, c := range t.Series {
		s.Series = append(s.Series, lipgloss.NewStyle().Foreground(c))
	}
	return s.withPaints()
}

// monoStyles tells things apart without colour: bold for what matters,
// faint for what does not, reverse video for selection.
func monoStyles(t Theme) Styles {
	plain := lipgloss.NewStyle()
	s := Styles{
		Theme:       t,
		Text:        plain,
		Muted:       plain.Faint(true),
		Accent:      plain.Bold(true),
		Title:       plain.Bold(true),
		Border:      plain,
		OK:          plain,
		Warn:        plain.Bold(true),
		Crit:        plain.Bold(true).Underline(true),
		GaugeEmpty:  plain.Faint(true),
		Selected:    plain.Reverse(true),
		TabActive:   plain.Reverse(true).Bold(true),
		TabInactive: plain,
		StatusBar:   plain,
		HelpKey:     plain.Bold(true),
		HelpDesc:    plain,
		Series:      []lipgloss.Style{plain},
	}
	return s.withPaints()
}

// Line returns the style of chart line i, cycling through the palette.
func (s Styles) Line(i int) lipgloss.Style {
	if len(s.Series) == 0 {
		return s.Text
	}
	return s.Series[i%len(s.Series)]
}

// Line returns the paint of chart line i, cycling through the palette.
func (p Paints) Line(i int) Paint {
	if len(p.Series) == 0 {
		return p.Text
	}
	return p.Series[i%len(p.Series)]
}

// Level returns OK, Warn or Crit for a value against two thresholds, the
// colour a gauge or a percentage takes.
func (s Styles) Level(v, warn, crit float64) lipgloss.Style {
	switch {
	case v >= crit:
		return s.Crit
	case v >= warn:
		return s.Warn
	default:
		return s.OK
	}
}

// Codes returns the escape sequences s puts before and after text. Drawing
// code that styles many short runs (chart cells, borders, gauge bars) wraps
// them in these directly: Style.Render measures and splits its input on
// every call, which profiling showed to be half of a frame's cost.
func Codes(s lipgloss.Style) (prefix, suffix string) {
	const marker = "\u2588"
	out := s.Render(marker)
	i := strings.Index(out, marker)
	if i < 0 {
		return "", ""
	}
	return out[:i], out[i+len(marker):]
}

// Paint wraps text in a style's escape sequences without Style.Render's
// measuring; it is only for single-line text with no escapes of its own.
type Paint struct{ Prefix, Suffix string }

// NewPaint precomputes the codes of s.
func NewPaint(s lipgloss.Style) Paint {
	p, q := Codes(s)
	return Paint{Prefix: p, Suffix: q}
}

// S returns text wrapped in the paint's codes.
func (p Paint) S(text string) string {
	if p.Prefix == "" && p.Suffix == "" {
		return text
	}
	return p.Prefix + text + p.Suffix
}
