package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/jsonfloat"
	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/units"
)

// Formats are the report formats `perftop report --format` takes.
var Formats = []string{"text", "markdown", "json", "csv", "html"}

// WriteMarkdown prints a run as tables ready for a pull request. Text from
// the file is on one line without control characters, and cannot end a
// table cell or a code span early or open raw HTML.
func WriteMarkdown(w io.Writer, f *File) {
	r := f.Result
	fmt.Fprintf(w, "### perftop run: %s\n\n", mdText(f.Targets()))
	fmt.Fprintf(w, "%s, %s, %s, %s\n\n", mdText(printable.Line(f.Settings.Mode))+" loop", units.Duration(secondsDuration(r.DurationSeconds)), mdText(printable.Line(f.Stopped)), f.StartedAt.Format("2006-01-02 15:04 MST"))
	fmt.Fprintln(w, "| requests | throughput | errors | p50 | p90 | p99 | p99.9 | max |")
	fmt.Fprintln(w, "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	l := r.Latency
	fmt.Fprintf(w, "| %d | %s req/s | %s | %s | %s | %s | %s | %s |\n", r.Requests, units.Count(r.ThroughputRPS), errorPercent(r.Requests, r.Errors),
		units.Seconds(l.P50), units.Seconds(l.P90), units.Seconds(l.P99), units.Seconds(l.P999), units.Seconds(l.Max))
	if v := r.Service; v != nil && r.ClosedLoop {
		fmt.Fprintf(w, "\nlatency corrected for coordinated omission, as wrk corrects it; as measured: p50 %s, p99 %s, max %s\n",
			units.Seconds(v.P50), units.Seconds(v.P99), units.Seconds(v.Max))
	}
	if len(f.SLOs) > 0 {
		fmt.Fprintln(w, "\n| SLO | measured | |")
		fmt.Fprintln(w, "| --- | ---: | --- |")
		for _, v := range f.SLOs {
			mark := "✅ met"
			if !v.Met {
				mark = "❌ breached"
			}
			fmt.Fprintf(w, "| %s | %s | %s |\n", codeCell(v.Text), FormatValue(v.Metric, v.Value), mark)
		}
	}
	if len(r.StatusCodes) > 0 || len(r.ErrorsByKind) > 0 {
		fmt.Fprintf(w, "\nstatus: %s", mdText(statusLine(r.StatusCodes)))
		if len(r.ErrorsByKind) > 0 {
			fmt.Fprintf(w, "; failures%s", mdText(kinds(r.ErrorsByKind)))
		}
		fmt.Fprintln(w)
	}
	writeMarkdownGroups(w, r)
}

// codeCell is s as a code span in a table cell: one clean line, fenced by
// more backticks than it holds in a row, its pipes escaped (GitHub ends a
// cell at a pipe even in a code span).
func codeCell(s string) string {
	s = printable.Line(s)
	longest, run := 0, 0
	for i := range len(s) {
		if s[i] != '`' {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + strings.ReplaceAll(s, "|", `\|`) + fence
}

// mdText is text already clean (one line, no control characters) as
// markdown text: its pipes escaped, so that it cannot end a table cell,
// and its less-than signs, so that it cannot open raw HTML.
func mdText(s string) string { return mdEscaper.Replace(s) }

var mdEscaper = strings.NewReplacer("|", `\|`, "<", "&lt;")

// WriteCSV prints the timeline, one row a second: numbers only, nothing
// from the file's text.
func WriteCSV(w io.Writer, f *File) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"t_seconds", "requests", "errors", "rps", "p50_seconds", "p99_seconds", "in_flight"})
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	for _, p := range f.Timeline {
		_ = cw.Write([]string{g(p.Seconds), strconv.FormatInt(p.Requests, 10), strconv.FormatInt(p.Errors, 10),
			g(p.RPS), g(p.P50), g(p.P99), strconv.FormatInt(p.InFlight, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON prints the results file as it is, as WriteFile writes it:
// strings JSON-escaped, non-finite floats as "NaN", "+Inf" or "-Inf".
func WriteJSON(w io.Writer, f *File) error {
	enc := jsonfloat.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// WritePercentiles prints the whole percentile spectrum from the stored
// HDR histogram, like wrk2's detailed distribution.
func WritePercentiles(w io.Writer, f *File) error {
	h, err := f.Histogram()
	if err != nil {
		return err
	}
	if h == nil {
		return fmt.Errorf("no latency histogram in this results file")
	}
	fmt.Fprintf(w, "%12s %12s %10s %12s\n", "latency", "percentile", "count", "1/(1-p)")
	for _, b := range h.CumulativeDistributionWithTicks(5) {
		inv := "inf"
		if b.Quantile < 100 {
			inv = strconv.FormatFloat(1/(1-b.Quantile/100), 'f', 2, 64)
		}
		fmt.Fprintf(w, "%12s %11.5f%% %10d %12s\n", units.Seconds(float64(b.ValueAt)/1e6), b.Quantile, b.Count, inv)
	}
	return nil
}

func errorPercent(reqs, errs int64) string {
	if reqs == 0 {
		return "0"
	}
	return fmt.Sprintf("%d (%.2f%%)", errs, float64(errs)/float64(reqs)*100)
}

func secondsDuration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
