package results

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"github.com/perftop/perftop/internal/units"
)

// WriteHTML writes a single self-contained page: inline SVG charts of
// latency over time, throughput and error rate, and the percentile
// distribution; no scripts, no external assets. Text from the file is
// cleaned as WriteText cleans it, then HTML-escaped by html/template. A
// histogram that cannot be decoded leaves its chart empty, with the
// reason under it.
func WriteHTML(w io.Writer, f *File) error {
	r := f.Result
	var p50, p99, rps, errPct, t []float64
	for _, p := range r.Timeline {
		t = append(t, p.Seconds)
		p50 = append(p50, p.P50*1e3)
		p99 = append(p99, p.P99*1e3)
		rps = append(rps, p.RPS)
		e := 0.0
		if p.Requests > 0 {
			e = float64(p.Errors) / float64(p.Requests) * 100
		}
		errPct = append(errPct, e)
	}
	var dq, dv []float64
	var note string
	h, err := f.Histogram()
	if err != nil {
		note = "unreadable " + err.Error()
	} else if h != nil {
		for _, b := range h.CumulativeDistributionWithTicks(5) {
			if b.Quantile >= 100 {
				break
			}
			dq = append(dq, math.Log10(1/(1-b.Quantile/100)))
			dv = append(dv, float64(b.ValueAt)/1e3)
		}
	}
	var text strings.Builder
	WriteText(&text, f, f.Targets())
	page := struct {
		Title, Summary, Note                    string
		Latency, Throughput, Errors, Percentile template.HTML
	}{
		Title:      "perftop run: " + f.Targets(),
		Summary:    text.String(),
		Latency:    svgChart("latency over time (ms)", "s", t, []series{{"p50", "#1f77b4", p50}, {"p99", "#d62728", p99}}),
		Throughput: svgChart("throughput (req/s)", "s", t, []series{{"req/s", "#2ca02c", rps}}),
		Errors:     svgChart("error rate (%)", "s", t, []series{{"errors", "#d62728", errPct}}),
		Note:       note,
		Percentile: svgChart("latency by percentile (ms); x: 1/(1-p), log scale: 1=90%, 2=99%, 3=99.9%", "", dq, []series{{"latency", "#9467bd", dv}}),
	}
	return htmlPage.Execute(w, page)
}

type series struct {
	name, color string
	ys          []float64
}

// svgChart draws lines over x in a 640x220 box with min/max labels.
func svgChart(title, xunit string, xs []float64, ss []series) template.HTML {
	const W, H, L, B = 640.0, 220.0, 60.0, 30.0
	var b strings.Builder
	fmt.Fprintf(&b, `<figure><figcaption>%s</figcaption><svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f">`, template.HTMLEscapeString(title), W, H, W, H)
	if len(xs) < 2 {
		b.WriteString(`<text x="10" y="20">no data</text></svg></figure>`)
		return template.HTML(b.String())
	}
	xmin, xmax := xs[0], xs[len(xs)-1]
	ymax := 0.0
	for _, s := range ss {
		for _, y := range s.ys {
			if !math.IsNaN(y) {
				ymax = math.Max(ymax, y)
			}
		}
	}
	if ymax == 0 {
		ymax = 1
	}
	if xmax == xmin {
		xmax = xmin + 1
	}
	px := func(x float64) float64 { return L + (x-xmin)/(xmax-xmin)*(W-L-10) }
	py := func(y float64) float64 { return H - B - y/ymax*(H-B-10) }
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#888"/>`, L, H-B, W-10, H-B)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="10" x2="%.0f" y2="%.0f" stroke="#888"/>`, L, L, H-B)
	fmt.Fprintf(&b, `<text x="%.0f" y="15" text-anchor="end" font-size="11">%s</text>`, L-4, units.Count(ymax))
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end" font-size="11">0</text>`, L-4, H-B)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="11">%s%s</text>`, L, H-10, units.Count(xmin), xunit)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end" font-size="11">%s%s</text>`, W-10, H-10, units.Count(xmax), xunit)
	for i, s := range ss {
		var pts []string
		for j, y := range s.ys {
			if j < len(xs) && !math.IsNaN(y) && !math.IsInf(y, 0) {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(xs[j]), py(y)))
			}
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>`, s.color, strings.Join(pts, " "))
		fmt.Fprintf(&b, `<text x="%.0f" y="%d" fill="%s" font-size="11">%s</text>`, W-120, 20+14*i, s.color, template.HTMLEscapeString(s.name))
	}
	b.WriteString(`</svg></figure>`)
	return template.HTML(b.String())
}

var htmlPage = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}pre{background:#f4f4f4;padding:1em;overflow-x:auto}figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.3em}</style>
</head><body>
<h1>{{.Title}}</h1>
<pre>{{.Summary}}</pre>
{{.Latency}}
{{.Throughput}}
{{.Errors}}
{{.Percentile}}{{with .Note}}<p>{{.}}</p>{{end}}
</body></html>
`))
