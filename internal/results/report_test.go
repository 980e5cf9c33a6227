package results

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/perftop/perftop/internal/metrics"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		_ = os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./results -update)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; if intended, go test ./results -update\n--- got\n%s", name, got)
	}
}

// fixture is a fixed, plausible run: 60 s open loop at 500/s.
func fixture(t testing.TB) *File {
	h := metrics.NewLatencyHistogram()
	for i := int64(0); i < 30000; i++ {
		_ = h.RecordValue(1000 + i%5000 + (i%997)*(i%3)) // 1 to ~8 ms, a tail
	}
	r := &Result{
		Requests: 30000, Errors: 30, DurationSeconds: 60, ThroughputRPS: 499.5, RequestRateRPS: 500,
		Latency:      LatencySummary{Count: 30000, Min: 0.001, Mean: 0.0035, P50: 0.0033, P90: 0.0055, P95: 0.0061, P99: 0.0071, P999: 0.0078, Max: 0.0079},
		StatusCodes:  map[string]int64{"200": 29970, "503": 30},
		ErrorsByKind: map[string]int64{"status_5xx": 30},
		Phases:       map[string]LatencySummary{"connect": {Count: 12, P50: 0.0002, P99: 0.0009}},
	}
	for s := 1; s <= 60; s++ {
		r.Timeline = append(r.Timeline, TimelinePoint{Seconds: float64(s), Requests: 500, Errors: int64(s % 2), RPS: 500, P50: 0.003 + float64(s%5)/1e4, P99: 0.007, InFlight: 2})
	}
	f := &File{
		SchemaVersion: SchemaVersion, Tool: "perftop", Version: "test", Stopped: "completed",
		StartedAt: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), EndedAt: time.Date(2026, 11, 25, 12, 1, 0, 0, time.UTC),
		Settings: Settings{Mode: "open", Rate: 500, DurationSeconds: 60, TimeoutSeconds: 10, KeepAlive: true, Transport: "fast-http1",
			Targets: []Target{{Method: "GET", URL: "http://localhost:8080/api", Weight: 1}}},
		Result: r,
	}
	f.SLOs = Judge(mustSLOs(t, "p99<10ms,error_rate<0.05%"), Measured{Latency: map[string]float64{"p99": r.Latency.P99}, ErrorRate: 0.001})
	if err := f.EncodeHistogram(h); err != nil {
		t.Fatal(err)
	}
	return f
}

func mustSLOs(t testing.TB, s string) []SLO {
	slos, err := ParseSLOs(s)
	if err != nil {
		t.Fatal(err)
	}
	return slos
}

func TestReportFormats(t *testing.T) {
	f := fixture(t)
	tests := []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"report.txt", func(b *bytes.Buffer) error { WriteText(b, f, f.Targets()); return nil }},
		{"report.md", func(b *bytes.Buffer) error { WriteMarkdown(b, f); return nil }},
		{"report.csv", func(b *bytes.Buffer) error { return WriteCSV(b, f) }},
		{"percentiles.txt", func(b *bytes.Buffer) error { return WritePercentiles(b, f) }},
		{"report.html", func(b *bytes.Buffer) error { return WriteHTML(b, f) }},
		{"report.json", func(b *bytes.Buffer) error { return WriteJSON(b, f) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, b.String())
		})
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, f); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, banned := range []string{"<script", "src=", "href=", "@import", "url("} {
		if strings.Contains(page, banned) {
			t.Errorf("the HTML report is not self-contained: %q", banned)
		}
	}
	if strings.Count(page, "<svg") != 6 { // four over time, the histogram and the spectrum
		t.Errorf("want 6 charts, got %d", strings.Count(page, "<svg"))
	}
}

func TestReportJSONRoundTrip(t *testing.T) {
	f := fixture(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, f); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil || got.Requests != 30000 || len(got.Timeline) != 60 || got.LatencyHDR == "" {
		t.Fatalf("round trip: %v %+v", err, got)
	}
}

// FuzzReadFile: truncated, corrupted, huge or foreign files give errors,
// never panics; a file that reads prints in every format, with no control
// characters but in the JSON. testdata/fuzz/FuzzReadFile holds files
// whose histograms crashed the HDR decoder.
func FuzzReadFile(f *testing.F) {
	var b bytes.Buffer
	_ = WriteJSON(&b, fixture(f))
	f.Add(b.Bytes())
	f.Add(b.Bytes()[:b.Len()/2])
	f.Add([]byte(`{"schema_version": 2}`))
	f.Add([]byte(`{"schema_version": 1, "requests": 1, "latency_histogram_hdr": "HISTFAAAAB"}`))
	b.Reset()
	_ = WriteJSON(&b, hostileFile(f))
	f.Add(b.Bytes())
	b.Reset()
	_ = WriteJSON(&b, noAnswers(f, math.NaN(), math.Inf(-1)))
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		rf, err := parseFile("fuzz.json", data) // ReadFile without the disk
		if err != nil {
			return
		}
		_, _ = rf.Histogram()
		var out bytes.Buffer
		WriteText(&out, rf, rf.Targets())
		WriteMarkdown(&out, rf)
		_ = WriteCSV(&out, rf)
		_ = WriteHTML(&out, rf)
		_ = WritePercentiles(&out, rf)
		WriteComparison(&out, rf, rf, Compare(rf, rf), false, Painter{})
		WriteComparison(&out, rf, rf, Compare(rf, rf), true, Painter{})
		if c := controls(out.String()); len(c) > 0 {
			t.Fatalf("control characters %q in\n%s", c, out.String())
		}
		if err := WriteJSON(&out, rf); err != nil {
			t.Fatalf("report --format json: %v", err)
		}
	})
}

// TestSummaryAfterLiveChanges: a run whose rate or workers were changed
// with +/- says both, the start's and the end's.
func TestSummaryAfterLiveChanges(t *testing.T) {
	f := fixture(t)
	f.Settings.ScaleAtEnd = 1.21
	var b bytes.Buffer
	WriteText(&b, f, f.Targets())
	if !strings.Contains(b.String(), "open loop, 500 req/s at the start, 605 req/s at the end (+/-)") {
		t.Errorf("open loop:\n%s", b.String())
	}
	f.Settings.Mode, f.Settings.Concurrency, f.Settings.ScaleAtEnd = "closed", 50, 0.81
	b.Reset()
	WriteText(&b, f, f.Targets())
	if !strings.Contains(b.String(), "closed loop, 50 workers at the start, 41 at the end (+/-)") {
		t.Errorf("closed loop:\n%s", b.String())
	}
	data, err := encodeFile(f)
	if err != nil || !strings.Contains(string(data), `"scale_at_end": 0.81`) {
		t.Fatalf("file: %v %s", err, data)
	}
}

// TestSummaryOfClosedLoopLatency: a closed-loop run's summary says which
// latency is corrected for coordinated omission and which is as measured;
// a file from before the correction (no service latency) keeps the old
// note, its latency being as measured.
func TestSummaryOfClosedLoopLatency(t *testing.T) {
	f := fixture(t)
	f.Settings.Mode, f.Settings.Concurrency, f.ClosedLoop = "closed", 10, true
	f.Service = &LatencySummary{Count: 30000, Min: 0.00002, Mean: 0.0003, P50: 0.0002, P90: 0.0004, P95: 0.0006, P99: 0.0028, P999: 0.0053, Max: 0.302}
	var b bytes.Buffer
	WriteText(&b, f, f.Targets())
	for _, want := range []string{
		"\n  service   min 20.0µs  mean 300µs  p50 200µs  p90 400µs  p95 600µs  p99 2.80ms  p99.9 5.30ms  max 302ms (as measured)\n",
		"\nnote        closed loop: latency is corrected for coordinated omission as wrk does",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in\n%s", want, b.String())
		}
	}
	b.Reset()
	WriteMarkdown(&b, f)
	if want := "\nlatency corrected for coordinated omission, as wrk corrects it; as measured: p50 200µs, p99 2.80ms, max 302ms\n"; !strings.Contains(b.String(), want) {
		t.Errorf("markdown: missing %q in\n%s", want, b.String())
	}
	f.Service = nil
	b.Reset()
	WriteText(&b, f, f.Targets())
	if s := b.String(); strings.Contains(s, "service") || !strings.Contains(s, "the tail is milder") {
		t.Errorf("a file from before the correction:\n%s", s)
	}
}

// TestWriteTextWidth: at 80 columns no line of the summary is wider, the
// lines it breaks go on indented under the figures, and the words are the
// one-line summary's, in order; a word wider than a line is cut, not lost.
func TestWriteTextWidth(t *testing.T) {
	f := fixture(t)
	f.Result.Service = &f.Result.Latency
	f.Result.ErrorMessages = []ErrorMessage{{Kind: "transport", Message: strings.Repeat("x", 150), Count: 3}}
	var flat, wrapped bytes.Buffer
	WriteText(&flat, f, f.Targets())
	WriteTextWidth(&wrapped, f, f.Targets(), 80)
	if !strings.Contains(flat.String(), strings.Repeat("x", 150)) {
		t.Fatalf("the fixture's long message is not in the summary:\n%s", flat.String())
	}
	broken := 0
	for _, l := range strings.Split(strings.TrimSuffix(wrapped.String(), "\n"), "\n") {
		if n := utf8.RuneCountInString(l); n > 80 {
			t.Errorf("%d columns: %q", n, l)
		}
		if strings.HasPrefix(l, strings.Repeat(" ", 12)) {
			broken++
		}
	}
	if broken == 0 {
		t.Errorf("nothing was broken at 80 columns:\n%s", wrapped.String())
	}
	joined := strings.ReplaceAll(strings.Join(strings.Fields(wrapped.String()), ""), " ", "")
	if want := strings.Join(strings.Fields(flat.String()), ""); joined != want {
		t.Errorf("the wrapped summary's text differs from the one-line summary's:\n%s\n---\n%s", wrapped.String(), flat.String())
	}
	// A terminal one column wider than the indent: a rune a line, to the end.
	var narrow bytes.Buffer
	WriteTextWidth(&narrow, f, f.Targets(), 13)
	for _, l := range strings.Split(narrow.String(), "\n") {
		if strings.HasPrefix(l, "            ") && utf8.RuneCountInString(l) > 13 {
			t.Fatalf("%q is wider than 13 columns", l)
		}
	}
}
