package results

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/units"
)

// WriteHTML writes a run's report as one self-contained page, to attach to
// a pull request: the run's header, summary cards, SLOs, status codes and
// errors, latency and its phases, charts over time (inline SVG, see
// htmlchart.go), the latency histogram and percentile spectrum, the
// server's and the host's side, the settings and the request mix. It has
// no scripts and no external assets; it fits any width, prints, and
// follows the reader's light or dark preference.
//
// Text from the file is cleaned as WriteText cleans it (printable.Line),
// then escaped by html/template. A histogram that cannot be decoded leaves
// its charts out, with the reason.
func WriteHTML(w io.Writer, f *File) error {
	return htmlPage.Execute(w, newHTMLReport(f))
}

// htmlReport is everything the page shows, cleaned and formatted.
type htmlReport struct {
	Title, Targets, Shape, Verdict, Version string
	Meta                                    []keyValue
	Stopped                                 keyValue // Key: the badge's class
	Cards                                   []card
	SLOs                                    []sloRow
	Stress                                  string
	Latency                                 []latencyRow
	LatencyNotes                            []string
	Status, Kinds                           []countRow
	Messages                                []ErrorMessage
	Over                                    []svgChart
	Dist                                    []svgChart
	DistNote                                string
	Server, Host                            side
	Settings                                []keyValue
	Mix                                     []mixRow
	ClosedLoop                              bool
	ByName                                  []nameRow
	Splits                                  []splitTable
	MixNote                                 string
}

type keyValue struct{ Key, Value string }

// card is one number of the summary, with a line under it.
type card struct{ Label, Value, Note string }

type sloRow struct {
	Text, Measured string
	Met            bool
}

type latencyRow struct {
	Name  string
	Count int64
	Cells []string // min mean p50 p90 p95 p99 p99.9 max
}

type countRow struct {
	Key, Meaning string
	Count        int64
	Share        string
}

// side is the server's or the host's section: its summary line and charts,
// or why there are none.
type side struct {
	Facts       []string // sideLine's parts
	NotRecorded string
	Charts      []svgChart
}

type mixRow struct {
	Name, Method, URL, Share, Headers, Extra string
	Weight                                   int
}

func newHTMLReport(f *File) htmlReport {
	r := f.Result
	tl := chartTimeline(r.Timeline)
	rep := htmlReport{
		Title:        "perftop report: " + f.Targets(),
		Targets:      orNotRecorded(f.Targets()),
		Shape:        runShape(f.Settings),
		Verdict:      r.Verdict(),
		Meta:         meta(f),
		Stopped:      keyValue{stoppedClass(f.Stopped), orNotRecorded(printable.Line(f.Stopped))},
		Cards:        cards(f),
		SLOs:         sloRows(f.SLOs),
		Latency:      latencyRows(r),
		LatencyNotes: latencyNotes(r),
		Status:       statusRows(r),
		Kinds:        countRows(r.ErrorsByKind, r.Requests, nil),
		Over:         overTime(tl),
		Server:       serverSide(tl),
		Host:         hostSide(tl),
		Settings:     settingsRows(f.Settings),
		Mix:          mixRows(f.Settings.Targets),
		ClosedLoop:   r.ClosedLoop,
		ByName:       nameRows(r),
		Splits:       splitTables(r),
		MixNote:      mixNote(f),
		Version:      orNotRecorded(printable.Line(f.Version)),
	}
	for _, m := range r.ErrorMessages {
		rep.Messages = append(rep.Messages, ErrorMessage{printable.Line(m.Kind), printable.Line(m.Message), m.Count})
	}
	if f.Stress != nil {
		rep.Stress = stressLine(f.Stress)
	}
	rep.Dist, rep.DistNote = distribution(f)
	return rep
}

// utc writes a time of the run in UTC, or says it was not recorded.
func utc(t time.Time) string {
	if t.IsZero() {
		return "not recorded"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func meta(f *File) []keyValue {
	return []keyValue{
		{"started", utc(f.StartedAt)},
		{"ended", utc(f.EndedAt)},
		{"duration", durationText(f.DurationSeconds)},
		{"perftop", orNotRecorded(printable.Line(f.Version))},
	}
}

func orNotRecorded(s string) string {
	if s == "" {
		return "not recorded"
	}
	return s
}

// durationText writes a run's or a setting's length: 850ms, 12.5s, 1m,
// 1h2m30s.
func durationText(s float64) string {
	switch {
	case !finite(s) || s < 0 || s > 1e9:
		return "-"
	case s < 60:
		return units.Duration(secondsDuration(s))
	}
	return timeLabel(s, 1)
}

// stoppedClass colours how the run ended: completed is good, broke and
// aborted are findings, anything else (stopped) is neutral.
func stoppedClass(stopped string) string {
	switch stopped {
	case "completed":
		return "good"
	case "broke", "aborted":
		return "bad"
	}
	return "neutral"
}

// sharePercent writes a percentage with two decimals (98.7% from ten up),
// and small shares with two significant digits, so that they are not
// rounded to nothing: 0.0012%.
func sharePercent(p float64) string {
	switch {
	case !finite(p):
		return "-"
	case p == 0:
		return "0%"
	case p >= 10:
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	case p >= 0.01:
		return strconv.FormatFloat(p, 'f', 2, 64) + "%"
	}
	return strconv.FormatFloat(p, 'g', 2, 64) + "%"
}

// share is n of all as a percentage, "-" of nothing.
func share(n, all int64) string {
	if all <= 0 {
		return "-"
	}
	return sharePercent(float64(n) / float64(all) * 100)
}

// latencyText is a summary's value, "no answers" when it has none.
func latencyText(l LatencySummary, v float64) string {
	if l.Count == 0 {
		return "no answers"
	}
	return units.Seconds(v)
}

func cards(f *File) []card {
	r, l := f.Result, f.Latency
	cs := []card{
		{"requests", strconv.FormatInt(r.Requests, 10), "in " + durationText(r.DurationSeconds)},
		{"throughput", units.Count(r.ThroughputRPS) + " req/s", "answered"},
		{"error rate", share(r.Errors, r.Requests), fmt.Sprintf("%d errors", r.Errors)},
		{"p50", latencyText(l, l.P50), "median latency"},
		{"p90", latencyText(l, l.P90), ""},
		{"p99", latencyText(l, l.P99), ""},
		{"p99.9", latencyText(l, l.P999), ""},
		{"max", latencyText(l, l.Max), ""},
		{"received", units.Bytes(float64(r.BytesReceived)), "response bytes"},
	}
	if r.RequestRateRPS > r.ThroughputRPS*1.001 {
		cs[1].Note = fmt.Sprintf("answered; %s req/s attempted", units.Count(r.RequestRateRPS))
	}
	if r.ClosedLoop && r.Service != nil {
		cs[3].Note = "corrected for stalls"
		cs = append(cs, card{"p99 as measured", latencyText(*r.Service, r.Service.P99), "each request's own time"})
	}
	if f.Settings.Mode == "open" {
		cs[3].Note = "from the intended send"
		if s := r.Service; s != nil {
			cs = append(cs, card{"service p99", latencyText(*s, s.P99), "from the actual send"})
		}
		cs = append(cs, card{"late sends", strconv.FormatInt(r.LateSends, 10), "started over " + units.Duration(r.LateAfter()) + " late"})
		if d := r.SchedulingDelay; d != nil && d.Count > 0 {
			cs = append(cs, card{"scheduling p99", units.Seconds(d.P99), "perftop's own delay behind the intended send"})
		}
	}
	return cs
}

func sloRows(vs []Verdict) []sloRow {
	rows := make([]sloRow, len(vs))
	for i, v := range vs {
		rows[i] = sloRow{Text: printable.Line(v.Text), Measured: measuredText(v), Met: v.Met}
	}
	return rows
}

// measuredText is an SLO's measured value; an error rate with the digits
// that small objectives (error_rate<0.05%) need.
func measuredText(v Verdict) string {
	if v.Metric == "error_rate" && !math.IsNaN(v.Value) {
		return sharePercent(v.Value * 100)
	}
	return FormatValue(v.Metric, v.Value)
}

// phaseNames are the request phases a results file can hold, in order.
var phaseNames = []string{"dns", "connect", "tls", "ttfb"}

// latencyRows are the whole run's latency, open loop's service latency,
// and the request phases that were measured.
func latencyRows(r *Result) []latencyRow {
	name, service := "latency", "from actual send"
	switch {
	case r.Service != nil && r.ClosedLoop:
		name, service = "corrected", "as measured"
	case r.Service != nil:
		name = "from intended send"
	}
	rows := []latencyRow{latencyRowOf(name, r.Latency)}
	if r.Service != nil {
		rows = append(rows, latencyRowOf(service, *r.Service))
	}
	for _, p := range phaseNames {
		if ph := r.Phases[p]; ph.Count > 0 {
			rows = append(rows, latencyRowOf(p, ph))
		}
	}
	return rows
}

// latencyNotes say what the latency table's rows measure.
func latencyNotes(r *Result) []string {
	var notes []string
	switch {
	case r.Service != nil && r.ClosedLoop:
		notes = append(notes, "Corrected: the closed loop's latency with the requests a stalled connection could not send counted, as wrk counts them (coordinated omission), so a stall shows in the tail. As measured: each request's own time.")
	case r.Service != nil:
		notes = append(notes, "From intended send: from the time the schedule meant to send each request, so the queue behind a stalled server counts (no coordinated omission). From actual send: the service's own time.")
	}
	for _, p := range phaseNames {
		if r.Phases[p].Count > 0 {
			notes = append(notes, "dns, connect, tls and ttfb (time to the first byte) are the phases of the requests that went through them.")
			break
		}
	}
	return notes
}

// latencyRowOf is a summary's row; without cells when it has no answers.
func latencyRowOf(name string, l LatencySummary) latencyRow {
	row := latencyRow{Name: name, Count: l.Count}
	if l.Count == 0 {
		return row
	}
	for _, v := range []float64{l.Min, l.Mean, l.P50, l.P90, l.P95, l.P99, l.P999, l.Max} {
		row.Cells = append(row.Cells, latencyText(l, v))
	}
	return row
}

// statusRows are the status codes with their reason phrases.
func statusRows(r *Result) []countRow {
	return countRows(r.StatusCodes, r.Requests, func(code string) string {
		n, err := strconv.Atoi(code)
		if err != nil {
			return ""
		}
		return http.StatusText(n)
	})
}

// countRows lists counts by key, in key order, each with its share of all.
func countRows(counts map[string]int64, all int64, meaning func(string) string) []countRow {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rows := make([]countRow, len(keys))
	for i, k := range keys {
		rows[i] = countRow{Key: printable.Line(k), Count: counts[k], Share: share(counts[k], all)}
		if meaning != nil {
			rows[i].Meaning = meaning(k)
		}
	}
	return rows
}

// distribution is the latency histogram and spectrum, or why not.
func distribution(f *File) ([]svgChart, string) {
	h, err := f.Histogram()
	switch {
	case err != nil:
		return nil, "unreadable " + printable.Line(err.Error())
	case h == nil:
		return nil, "not recorded: this results file has no latency histogram"
	}
	return []svgChart{histogramChart(h), spectrumChart(h)}, ""
}

func settingsRows(s Settings) []keyValue {
	rows := []keyValue{{"load", runShape(s)}}
	add := func(k, v string) { rows = append(rows, keyValue{k, v}) }
	if s.MaxInFlight > 0 {
		add("max in flight", strconv.Itoa(s.MaxInFlight))
	}
	if s.DurationSeconds > 0 {
		add("duration", durationText(s.DurationSeconds))
	}
	if s.Requests > 0 {
		add("requests", strconv.FormatInt(s.Requests, 10))
	}
	if len(s.Stages) > 0 {
		add("stages", stagesText(s))
	}
	add("timeout", durationText(s.TimeoutSeconds))
	add("transport", transportText(s))
	add("keep-alive", yesNo(s.KeepAlive))
	add("TLS verification", yesNo(!s.Insecure))
	add("redirects followed", strconv.Itoa(s.MaxRedirects))
	if s.Host != "" {
		add("Host header", printable.Line(s.Host))
	}
	if s.UnixSocket != "" {
		add("unix socket", printable.Line(s.UnixSocket))
	}
	return rows
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func transportText(s Settings) string {
	t := printable.Line(s.Transport)
	if s.HTTP2 {
		t += ", HTTP/2"
	}
	if s.EventLoop {
		t += ", event loops"
	}
	return t
}

// stagesText lists a staged test's legs: "30s to 100, 1m to 0.5 (rate)".
func stagesText(s Settings) string {
	parts := make([]string, len(s.Stages))
	for i, st := range s.Stages {
		parts[i] = durationText(st.Duration.Seconds()) + " to " + units.Count(st.Target)
	}
	return strings.Join(parts, ", ") + " (" + printable.Line(s.StagesOf) + ")"
}

func mixRows(ts []Target) []mixRow {
	total := 0
	for _, t := range ts {
		total += max(t.Weight, 0)
	}
	rows := make([]mixRow, len(ts))
	for i, t := range ts {
		names := make([]string, len(t.HeaderNames))
		for j, h := range t.HeaderNames {
			names[j] = printable.Line(h)
		}
		rows[i] = mixRow{Name: printable.Line(t.Name), Method: printable.Line(t.Method), URL: printable.Line(t.URL),
			Weight: t.Weight, Share: share(int64(max(t.Weight, 0)), int64(total)), Headers: strings.Join(names, ", "), Extra: targetExtra(t)}
	}
	return rows
}

// targetExtra is a target's body and think time, when it has them.
func targetExtra(t Target) string {
	var parts []string
	if t.BodyBytes > 0 {
		parts = append(parts, "body "+units.Bytes(float64(t.BodyBytes)))
	}
	if t.ThinkSeconds > 0 {
		parts = append(parts, "think "+units.Seconds(t.ThinkSeconds))
	}
	return strings.Join(parts, ", ")
}

//go:embed html.tmpl
var htmlTemplate string

// htmlPage is the report's template; "n" writes a view box coordinate,
// "plot" is the plot area's.
var htmlPage = template.Must(template.New("report").Funcs(template.FuncMap{"n": coord, "plot": plot}).Parse(htmlTemplate))
