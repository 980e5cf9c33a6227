package results

import (
	"bytes"
	"html/template"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// realisticFile is a run as a team would attach it: two minutes of open
// loop with a slow spell, a few 503s and timeouts, the server's side from
// --prom and the host's, SLOs met and breached.
func realisticFile(t testing.TB) *File {
	f := fullFile(t)
	f.ClosedLoop = false
	h := metrics.NewLatencyHistogram()
	f.Timeline = nil
	for s := 1; s <= 120; s++ {
		slow := s >= 70 && s < 85
		p50, p99 := 0.012+0.002*math.Sin(float64(s)/7), 0.045+0.01*math.Cos(float64(s)/5)
		errs := int64(s % 3)
		if slow {
			p50, p99, errs = 0.09, 0.41, 40
		}
		for i := 0; i < 50; i++ {
			_ = h.RecordValue(int64(p50*1e6) + int64(i*i*int(p99*1e6-p50*1e6))/2500)
		}
		cpu, mem := 35+10*math.Sin(float64(s)/9), 61+float64(s)/60
		rx, tx := 3.2e6+4e5*math.Sin(float64(s)/4), 1.1e6
		srps, serr, sp99 := 498.0, float64(errs)/500, p99*0.8
		f.Timeline = append(f.Timeline, TimelinePoint{Seconds: float64(s), Requests: 500, Errors: errs, RPS: 500, P50: p50, P99: p99, InFlight: int64(6 + s%4),
			HostCPU: &cpu, HostMemory: &mem, NetRx: &rx, NetTx: &tx, ServerRPS: &srps, ServerErrorRatio: &serr, ServerP99: &sp99})
	}
	if err := f.EncodeHistogram(h); err != nil {
		t.Fatal(err)
	}
	q := func(p float64) float64 { return float64(h.ValueAtQuantile(p)) / 1e6 }
	f.Latency = LatencySummary{Count: h.TotalCount(), Min: float64(h.Min()) / 1e6, Mean: h.Mean() / 1e6, P50: q(50), P90: q(90), P95: q(95), P99: q(99), P999: q(99.9), Max: float64(h.Max()) / 1e6}
	svc := f.Latency
	svc.P99, svc.P999, svc.Max = svc.P99*0.9, svc.P999*0.9, svc.Max*0.9
	f.Service = &svc
	f.Requests, f.Errors, f.DurationSeconds, f.ThroughputRPS, f.RequestRateRPS, f.BytesReceived = 60000, 760, 120, 499.2, 500, 60000*2300
	f.StatusCodes = map[string]int64{"200": 59240, "503": 600, "429": 60}
	f.ErrorsByKind = map[string]int64{"status_5xx": 600, "status_4xx": 60, "timeout": 100}
	f.ErrorMessages = []ErrorMessage{{Kind: "status_5xx", Message: "503 Service Unavailable", Count: 600},
		{Kind: "timeout", Message: "no answer within 10s (the timeout)", Count: 100}}
	f.Phases = map[string]LatencySummary{"dns": {Count: 40, Min: 0.0001, Mean: 0.0003, P50: 0.0002, P90: 0.0005, P95: 0.0006, P99: 0.0011, P999: 0.0012, Max: 0.0012},
		"connect": {Count: 40, Min: 0.0002, Mean: 0.0005, P50: 0.0004, P90: 0.0008, P95: 0.0009, P99: 0.0014, P999: 0.0015, Max: 0.0015},
		"ttfb":    f.Latency}
	f.SLOs = Judge(mustSLOs(t, "p99<100ms,p50<50ms,error_rate<1%,throughput>450"), f.Measured())
	f.EndedAt = f.StartedAt.Add(120 * time.Second)
	return f
}

func htmlOf(t *testing.T, f *File) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHTMLReportHolds: the page of a full run has every SLO with its mark
// and value, every status code and error, the phases, the settings, the
// mix, and the charts of both sides.
func TestHTMLReportHolds(t *testing.T) {
	f := realisticFile(t)
	page := htmlOf(t, f)
	for _, v := range f.SLOs {
		mark := `<td class="fail"><span aria-hidden="true">✗</span> fail</td>`
		if v.Met {
			mark = `<td class="pass"><span aria-hidden="true">✓</span> pass</td>`
		}
		row := "<tr><td><code>" + template.HTMLEscapeString(v.Text) + `</code></td><td class="num">` + measuredText(v) + "</td>" + mark + "</tr>"
		if !strings.Contains(page, row) {
			t.Errorf("no SLO row %s", row)
		}
	}
	if strings.Contains(page, "BREACHED") {
		t.Error("an SLO is BREACHED, not ✗ fail")
	}
	for _, want := range []string{
		`<tr><td>200 <span class="note">OK</span></td><td class="num">59240</td><td class="num">98.7%</td></tr>`,
		`<tr><td>503 <span class="note">Service Unavailable</span></td><td class="num">600</td><td class="num">1.00%</td></tr>`,
		`<tr><td>timeout</td><td class="num">100</td><td class="num">0.17%</td></tr>`,
		`<td><code>no answer within 10s (the timeout)</code></td><td class="num">100</td>`,
		"<tr><td>dns</td>", "<tr><td>connect</td>", "<tr><td>from actual send</td>",
		"Stress test:</strong> held at 400, broke at 500",
		"2026-11-25 11:00:00 UTC", "2026-11-25 11:02:00 UTC", `<span class="badge good">completed</span>`,
		"<dt>stages</dt><dd>30s to 100, 1m to 0.50 (rate)</dd>", "<dt>transport</dt><dd>fast-http1, HTTP/2, event loops</dd>",
		"<td>Authorization</td>", "2 (66.7%)", "Results per request of the mix are not in this file",
		"<li>cpu 35% avg, 45% max</li>", "Request rate, server and client", "p99, server and client", "Network",
		">1m40s</text>", ">2m</text>", ">400ms</text>", ">99.9%</text>", " MiB/s</text>", " req/s</text>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if n := strings.Count(page, "<svg"); n != 4+2+3+2 {
		t.Errorf("%d charts, want 11: four over time, two distributions, three of the server, two of the host", n)
	}
	if strings.Contains(page, `class="empty">not recorded`) {
		t.Error("something is not recorded in a file that has everything")
	}
}

// svgs are the page's charts.
func svgs(page string) []string {
	var out []string
	for rest := page; ; {
		i := strings.Index(rest, "<svg")
		if i < 0 {
			return out
		}
		j := strings.Index(rest[i:], "</svg>")
		out = append(out, rest[i:i+j])
		rest = rest[i+j:]
	}
}

// TestHTMLNonFinite: NaN and infinite values, in the summary, the SLOs and
// the timeline, leave gaps or "no answers", never a NaN coordinate.
func TestHTMLNonFinite(t *testing.T) {
	f := noAnswers(t, math.NaN(), math.Inf(1))
	nan, inf := math.NaN(), math.Inf(1)
	f.Timeline[5].RPS, f.Timeline[6].P99, f.Timeline[7].Seconds = inf, inf, nan
	f.Timeline[8].HostCPU, f.Timeline[9].HostCPU, f.Timeline[9].NetRx = &nan, &inf, &inf
	f.DurationSeconds, f.ThroughputRPS = nan, inf
	page := htmlOf(t, f)
	charts := svgs(page)
	if len(charts) < 6 {
		t.Fatalf("%d charts", len(charts))
	}
	for _, c := range charts {
		if strings.Contains(c, "NaN") || strings.Contains(c, "Inf") {
			t.Errorf("a non-finite number in a chart:\n%s", c)
		}
	}
	if !strings.Contains(page, "no answers") {
		t.Error(`no "no answers" for a run without answers`)
	}
}

// TestHTMLWithoutData: a file without a timeline or a histogram, and one
// of a single point, render with what they have and say what they lack.
func TestHTMLWithoutData(t *testing.T) {
	bare := htmlOf(t, &File{SchemaVersion: SchemaVersion, Result: &Result{}})
	for _, want := range []string{"no timeline recorded", "this results file has no latency histogram", "--prom URL",
		"this results file has no host columns", "no targets recorded", `<td colspan="8" class="empty">no answers</td>`} {
		if !strings.Contains(bare, want) {
			t.Errorf("a bare file's page lacks %q", want)
		}
	}
	if strings.Contains(bare, "<svg") {
		t.Error("charts of nothing")
	}
	one := htmlOf(t, &File{SchemaVersion: SchemaVersion, Result: &Result{Requests: 3, Errors: 3,
		Timeline: []TimelinePoint{{Seconds: 0.4, Requests: 3, Errors: 3, RPS: 7.5}}}})
	if n := strings.Count(one, "<circle"); n != 3 { // throughput, in flight, error rate
		t.Errorf("a one-point timeline draws %d dots, want 3", n)
	}
	if !strings.Contains(one, `<p class="empty">no answers</p>`) {
		t.Error("a timeline without answers charts their latency")
	}
}

func TestChartTimeline(t *testing.T) {
	pt := func(s float64, reqs int64) TimelinePoint { return TimelinePoint{Seconds: s, Requests: reqs} }
	for _, tt := range []struct {
		name string
		in   []TimelinePoint
		want int
	}{
		{"the empty remainder", []TimelinePoint{pt(1, 5), pt(2, 5), pt(2.007, 0)}, 2},
		{"a stalled second", []TimelinePoint{pt(1, 5), pt(2, 5), pt(3, 0)}, 3},
		{"answers in the remainder", []TimelinePoint{pt(1, 5), pt(2, 5), pt(2.007, 1)}, 3},
		{"one point", []TimelinePoint{pt(0.01, 0)}, 1},
		{"none", nil, 0},
	} {
		if got := len(chartTimeline(tt.in)); got != tt.want {
			t.Errorf("%s: %d points, want %d", tt.name, got, tt.want)
		}
	}
}

func TestAxes(t *testing.T) {
	labels := func(ts []tick) string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Label)
		}
		return strings.Join(out, " ")
	}
	for _, tt := range []struct {
		end  float64
		want string
	}{
		{5.007, "0s 1s 2s 3s 4s 5s"},
		{60, "0s 10s 20s 30s 40s 50s 1m"},
		{120, "0s 20s 40s 1m 1m20s 1m40s 2m"},
		{3600, "0s 10m 20m 30m 40m 50m 1h"},
		{0.4, "0s 0.1s 0.2s 0.3s 0.4s"},
		{0, "0s 0.2s 0.4s 0.6s 0.8s 1.0s"},
	} {
		if _, ts := timeAxis(tt.end); labels(ts) != tt.want {
			t.Errorf("timeAxis(%g): %s, want %s", tt.end, labels(ts), tt.want)
		}
	}
	for _, tt := range []struct {
		kind axisKind
		hi   float64
		want string
	}{
		{kindSeconds, 0.0071, "0ms 2ms 4ms 6ms 8ms"},
		{kindSeconds, 0.00045, "0µs 200µs 400µs 600µs"},
		{kindSeconds, 2.2, "0s 1s 2s 3s"},
		{kindRate, 499.5, "0 req/s 200 req/s 400 req/s 600 req/s"},
		{kindRate, 45000, "0k req/s 20k req/s 40k req/s 60k req/s"},
		{kindPercent, 0.3, "0% 0.1% 0.2% 0.3%"},
		{kindBytesRate, 4.1 * 1024 * 1024, "0 MiB/s 2 MiB/s 4 MiB/s 6 MiB/s"},
		{kindCount, 9, "0 3 6 9"},
		{kindCount, 0, "0 1"},
		{kindSeconds, math.NaN(), "0µs 0.25µs 0.50µs 0.75µs 1.00µs"},
	} {
		if _, ts := valueAxis(tt.kind, tt.hi); labels(ts) != tt.want {
			t.Errorf("valueAxis(%d, %g): %s, want %s", tt.kind, tt.hi, labels(ts), tt.want)
		}
	}
}

// TestAxesOfExtremes: absurd spans (a hostile file's) give a few ticks,
// finite, and never an endless loop.
func TestAxesOfExtremes(t *testing.T) {
	for _, v := range []float64{1e-300, 5e-324, 1e300, math.MaxFloat64, -5, math.Inf(1), math.NaN(), 1e7} {
		for _, ts := range [][]tick{second(timeAxis(v)), second(valueAxis(kindSeconds, v)), second(valueAxis(kindBytesRate, v)), second(valueAxis(kindCount, v))} {
			if len(ts) < 2 || len(ts) > maxTicks+1 {
				t.Errorf("%g: %d ticks", v, len(ts))
			}
			for _, tk := range ts {
				if !finite(tk.Pos) || strings.Contains(tk.Label, "NaN") || strings.Contains(tk.Label, "Inf") {
					t.Errorf("%g: tick %+v", v, tk)
				}
			}
		}
	}
}

func second[A, B any](_ A, b B) B { return b }

// TestHTMLClosedLoopCorrected: a closed-loop run's latency is named for
// what it is, corrected for stalls and as measured, not by send times.
func TestHTMLClosedLoopCorrected(t *testing.T) {
	f := fixture(t)
	f.Settings.Mode, f.ClosedLoop = "closed", true
	svc := f.Latency
	svc.P99 /= 10
	f.Service = &svc
	var b strings.Builder
	if err := WriteHTML(&b, f); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"<tr><td>corrected</td>", "<tr><td>as measured</td>", "corrected for stalls", "p99 as measured"} {
		if !strings.Contains(page, want) {
			t.Errorf("closed-loop page lacks %q", want)
		}
	}
	if strings.Contains(page, "from intended send</td>") {
		t.Error("a closed loop's latency named from the intended send")
	}
}
