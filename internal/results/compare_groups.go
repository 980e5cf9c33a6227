package results

import (
	"fmt"
	"io"
	"math"

	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/units"
)

// NameDelta is one request name of two runs: its deltas, or Only "before"
// or "after" when one run alone sent it.
type NameDelta struct {
	Name   string
	Only   string
	Deltas []Delta
}

// CompareNames compares the runs name by name, in the before run's order
// and then the after run's new names. A name's latency changes are judged
// against noise by their histograms' confidence intervals (it has no
// timeline of its own), else by the 1% rule.
func CompareNames(before, after *File) []NameDelta {
	var out []NameDelta
	mb, ma := before.Measured(), after.Measured()
	for i := range before.ByName {
		g := &before.ByName[i]
		h := after.Group(g.Name)
		if h == nil {
			out = append(out, NameDelta{Name: g.Name, Only: "before"})
			continue
		}
		hb, _ := g.Histogram() // a bad histogram only loses its noise test
		ha, _ := h.Histogram()
		out = append(out, NameDelta{Name: g.Name, Deltas: deltas(mb.ByName[g.Name], ma.ByName[g.Name], func(d *Delta) {
			if d.Name == "max" {
				d.Noise = "one request"
				return
			}
			judgeIntervals(hb, ha, d)
		})})
	}
	for _, g := range after.ByName {
		if before.Group(g.Name) == nil {
			out = append(out, NameDelta{Name: g.Name, Only: "after"})
		}
	}
	return out
}

// SplitDelta is one split header's values in two runs, for the whole run
// (Name "") or one request name.
type SplitDelta struct {
	Header, Name string
	Values       []SplitValueDelta
}

// SplitValueDelta is one value's share and latency before and after; a
// value one run lacks has a zero share and no latency (NaN) there.
type SplitValueDelta struct {
	Value                       string
	ShareBefore                 float64
	ShareAfter                  float64
	P50Before, P50After         float64
	P99Before, P99After         float64
	AnswersBefore, AnswersAfter int64
}

// CompareSplits puts the runs' splits side by side: the whole run's, then
// each name's present in both, by header; values in the after run's order
// (most answers first), then those only the before run had.
func CompareSplits(before, after *File) []SplitDelta {
	var out []SplitDelta
	pair := func(name string, b, a []Split) {
		for _, sa := range a {
			for _, sb := range b {
				if sb.Header == sa.Header {
					out = append(out, splitDelta(name, sb, sa))
				}
			}
		}
	}
	pair("", before.Splits, after.Splits)
	for _, g := range after.ByName {
		if h := before.Group(g.Name); h != nil {
			pair(g.Name, h.Splits, g.Splits)
		}
	}
	return out
}

func splitDelta(name string, b, a Split) SplitDelta {
	d := SplitDelta{Header: a.Header, Name: name}
	find := func(s Split, v string) (SplitValue, bool) {
		for _, x := range s.Values {
			if x.Value == v {
				return x, true
			}
		}
		return SplitValue{}, false
	}
	add := func(v string) {
		x, okb := find(b, v)
		y, oka := find(a, v)
		vd := SplitValueDelta{Value: v, ShareBefore: x.Share, ShareAfter: y.Share, AnswersBefore: x.Answers, AnswersAfter: y.Answers,
			P50Before: math.NaN(), P50After: math.NaN(), P99Before: math.NaN(), P99After: math.NaN()}
		if okb && x.Latency.Count > 0 {
			vd.P50Before, vd.P99Before = x.Latency.P50, x.Latency.P99
		}
		if oka && y.Latency.Count > 0 {
			vd.P50After, vd.P99After = y.Latency.P50, y.Latency.P99
		}
		d.Values = append(d.Values, vd)
	}
	for _, v := range a.Values {
		add(v.Value)
	}
	for _, v := range b.Values {
		if _, ok := find(a, v.Value); !ok {
			add(v.Value)
		}
	}
	return d
}

// relText is a delta's relative change, "+10.0%", or "new" from zero.
func relText(d Delta) string {
	if math.IsNaN(d.Rel) {
		if d.Abs == 0 {
			return "0%"
		}
		return "new"
	}
	return fmt.Sprintf("%+.1f%%", d.Rel*100)
}

// absText is a delta's absolute change in its unit, signed.
func absText(d Delta) string {
	s := formatDelta(d.Name, math.Abs(d.Abs))
	if d.Abs < 0 {
		return "-" + s
	}
	return "+" + s
}

// mark is what a delta's row says of it.
func mark(d Delta, markdown bool) string {
	switch {
	case d.Noise != "" && markdown:
		return "≈ " + d.Noise
	case d.Noise != "":
		return d.Noise
	case d.Better && markdown:
		return "✅ better"
	case d.Worse && markdown:
		return "❌ worse"
	case d.Better:
		return "better"
	case d.Worse:
		return "worse"
	}
	return ""
}

// writeNameDeltas prints the per-name comparison: a block per name.
func writeNameDeltas(w io.Writer, names []NameDelta, markdown bool, paint Painter) {
	if len(names) == 0 {
		return
	}
	if markdown {
		fmt.Fprintln(w, "\n#### by name\n\n| name | | before | after | change | |\n| --- | --- | ---: | ---: | ---: | --- |")
	} else {
		fmt.Fprintln(w, "\nby name")
	}
	for _, nd := range names {
		name := printable.Line(nd.Name)
		if nd.Only != "" {
			if markdown {
				fmt.Fprintf(w, "| %s | only in the %s run | | | | |\n", mdText(name), nd.Only)
			} else {
				fmt.Fprintf(w, "  %s: only in the %s run\n", name, nd.Only)
			}
			continue
		}
		if !markdown {
			fmt.Fprintf(w, "  %s\n", name)
		}
		for i, d := range nd.Deltas {
			if markdown {
				label := ""
				if i == 0 {
					label = mdText(name)
				}
				fmt.Fprintf(w, "| %s | %s | %s | %s | %s (%s) | %s |\n", label, d.Name, formatDelta(d.Name, d.Before), formatDelta(d.Name, d.After), absText(d), relText(d), mark(d, true))
				continue
			}
			line := fmt.Sprintf("    %-12s %12s %12s %12s %9s", d.Name, formatDelta(d.Name, d.Before), formatDelta(d.Name, d.After), absText(d), relText(d))
			if m := mark(d, false); m != "" {
				line += "  " + m
			}
			switch {
			case d.Better && paint.Better != nil && d.Noise == "":
				line = paint.Better(line)
			case d.Worse && paint.Worse != nil && d.Noise == "":
				line = paint.Worse(line)
			}
			fmt.Fprintln(w, line)
		}
	}
}

// writeSplitDeltas prints each split's values, share and latency, before
// and after.
func writeSplitDeltas(w io.Writer, splits []SplitDelta, markdown bool) {
	lat := func(v float64) string {
		if math.IsNaN(v) {
			return "-"
		}
		return units.Seconds(v)
	}
	for _, sd := range splits {
		title := "split by " + printable.Line(sd.Header)
		if sd.Name != "" {
			title += " of " + printable.Line(sd.Name)
		}
		if markdown {
			fmt.Fprintf(w, "\n#### %s\n\n| value | share before | share after | p50 before | p50 after | p99 before | p99 after |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n", mdText(title))
		} else {
			fmt.Fprintf(w, "\n%s\n  %-20s %13s %12s %11s %10s %11s %10s\n", title, "value", "share before", "share after", "p50 before", "p50 after", "p99 before", "p99 after")
		}
		for _, v := range sd.Values {
			value := printable.Cut(printable.Line(v.Value), 20)
			if markdown {
				fmt.Fprintf(w, "| %s | %.1f%% | %.1f%% | %s | %s | %s | %s |\n", mdText(value), v.ShareBefore*100, v.ShareAfter*100,
					lat(v.P50Before), lat(v.P50After), lat(v.P99Before), lat(v.P99After))
				continue
			}
			fmt.Fprintf(w, "  %-20s %12.1f%% %11.1f%% %11s %10s %11s %10s\n", value, v.ShareBefore*100, v.ShareAfter*100,
				lat(v.P50Before), lat(v.P50After), lat(v.P99Before), lat(v.P99After))
		}
	}
}
