package results

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// osc52 asks a terminal to set the clipboard; then a newline, a tab, a
// carriage return and a C1 CSI, to forge lines and columns.
const osc52 = "\x1b]52;c;cm0gLXJmIH4=\x07\n\t\r\u009b2J"

// hostileFile is a results file whose every string carries osc52.
func hostileFile(t testing.TB) *File {
	f := fullFile(t)
	h := func(s string) string { return s + osc52 + s }
	f.Stopped = h("stopped")
	s := &f.Settings
	s.Mode, s.Profile, s.StagesOf, s.Transport = h("open"), h("stress"), h("rate"), h("net/http")
	for i := range s.Targets {
		tg := &s.Targets[i]
		tg.Name, tg.Method, tg.URL = h("api"), h("GET"), h("http://svc/<script>alert(1)</script>|`x`")
		tg.HeaderNames = []string{h("X-Header")}
	}
	f.StatusCodes = map[string]int64{h("200"): 5}
	f.ErrorsByKind = map[string]int64{h("timeout"): 9}
	f.Phases = map[string]LatencySummary{h("connect"): {Count: 1}}
	f.ErrorMessages = []ErrorMessage{{Kind: h("tls"), Message: h("x509"), Count: 1}}
	f.Stress.BrokeBecause = h("p99 breached")
	f.ByName = []RequestGroup{{Name: h("add <b>item</b>|`"), Requests: 5, ErrorsByKind: map[string]int64{h("timeout"): 1},
		Splits: []Split{{Header: h("X-Cache"), Values: []SplitValue{{Value: h("HIT|`<i>"), Answers: 4, Share: 1}}}}}}
	f.Splits = f.ByName[0].Splits
	for i := range f.SLOs {
		f.SLOs[i].Text = h("p99<10ms|`")
		f.SLOs[i].Metric = h("p99")
	}
	return f
}

// controls finds what a terminal would obey: any C0 or C1 control but the
// newlines the formats write themselves.
func controls(s string) []rune {
	var out []rune
	for _, r := range s {
		if r != '\n' && (unicode.IsControl(r) || r == 0x7f) {
			out = append(out, r)
		}
	}
	return out
}

func TestHostileStrings(t *testing.T) {
	f := hostileFile(t)
	g := fixture(t)
	for name, write := range map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { WriteText(b, f, f.Targets()); return nil },
		"markdown": func(b *bytes.Buffer) error { WriteMarkdown(b, f); return nil },
		"csv":      func(b *bytes.Buffer) error { return WriteCSV(b, f) },
		"html":     func(b *bytes.Buffer) error { return WriteHTML(b, f) },
		"json":     func(b *bytes.Buffer) error { return WriteJSON(b, f) },
		"compare": func(b *bytes.Buffer) error {
			WriteComparison(b, g, f, Compare(g, f), false, Painter{})
			return nil
		},
		"compare markdown": func(b *bytes.Buffer) error {
			WriteComparison(b, f, g, Compare(f, g), true, Painter{})
			return nil
		},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := write(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			c := controls(out)
			if name == "json" { // C1 controls are JSON as they are: encoding/json's bytes
				c = slices.DeleteFunc(c, func(r rune) bool { return r >= 0x80 })
			}
			if len(c) > 0 || strings.Contains(out, "\x1b") {
				t.Errorf("control characters %q in\n%s", c, out)
			}
			if !strings.Contains(out, "http://svc/") && name != "csv" {
				t.Errorf("the target is missing:\n%s", out)
			}
			switch name {
			case "html":
				if strings.Contains(out, "<script") || !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
					t.Errorf("not HTML-escaped:\n%s", out)
				}
			case "json":
				if !strings.Contains(out, `\u001b]52;c;`) {
					t.Errorf("JSON lost the raw data:\n%s", out)
				}
			case "markdown", "compare markdown":
				if strings.Contains(out, "<script") {
					t.Errorf("raw HTML in markdown:\n%s", out)
				}
				for _, line := range strings.Split(out, "\n") {
					if strings.HasPrefix(line, "| ``") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 4 {
						t.Errorf("an SLO text breaks its table row: %s", line)
					}
				}
			}
		})
	}
}

func TestCodeCell(t *testing.T) {
	for in, want := range map[string]string{
		"p99<10ms": "`p99<10ms`", "a`b": "``a`b``", "`x``": "``` `x`` ```", "a|b": "`a\\|b`", "x\x1b]52;\ny": "`x ]52; y`",
	} {
		if got := codeCell(in); got != want {
			t.Errorf("codeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestUnreadableHistogram: the reports that can do without the histogram
// say it is unreadable and print the rest; --percentiles cannot.
func TestUnreadableHistogram(t *testing.T) {
	f := fixture(t)
	f.LatencyHDR = hostileHistograms()["negative length"].text
	var b bytes.Buffer
	if err := WriteHTML(&b, f); err != nil {
		t.Fatal(err)
	}
	if page := b.String(); !strings.Contains(page, `<p class="empty">unreadable latency histogram: compressed length -5`) || strings.Count(page, "<svg") != 4 {
		t.Errorf("html:\n%s", page)
	}
	err := WritePercentiles(&b, f)
	if err == nil || !strings.HasPrefix(err.Error(), "latency histogram: compressed length -5") {
		t.Errorf("percentiles: %v", err)
	}
}
