package results

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"

	"github.com/perftop/perftop/internal/metrics"
)

// groupOf is a request name with n requests around p50 (seconds), its
// histogram encoded.
func groupOf(t testing.TB, name string, n, errs int64, p50 float64, splits ...Split) RequestGroup {
	h := metrics.NewLatencyHistogram()
	for i := int64(0); i < n-errs; i++ {
		_ = h.RecordValue(int64(p50*1e6) + i%(int64(p50*1e6)/2+1))
	}
	g := RequestGroup{
		Name: name, Requests: n, Errors: errs, ErrorsByKind: map[string]int64{}, BytesReceived: n * 11, RequestRateRPS: float64(n) / 60,
		Latency: summaryOf(h), Splits: splits,
	}
	if errs > 0 {
		g.ErrorsByKind["status_5xx"] = errs
	}
	if err := g.EncodeGroupHistogram(h); err != nil {
		t.Fatal(err)
	}
	return g
}

func summaryOf(h *hdrhistogram.Histogram) LatencySummary {
	s := func(us int64) float64 { return float64(us) / 1e6 }
	return LatencySummary{Count: h.TotalCount(), Min: s(h.Min()), Mean: h.Mean() / 1e6, P50: s(h.ValueAtQuantile(50)), P90: s(h.ValueAtQuantile(90)),
		P95: s(h.ValueAtQuantile(95)), P99: s(h.ValueAtQuantile(99)), P999: s(h.ValueAtQuantile(99.9)), Max: s(h.Max())}
}

// cacheSplit is X-Cache answers, hit of them HIT.
func cacheSplit(answers int64, hit float64) Split {
	h := int64(float64(answers) * hit)
	return Split{Header: "X-Cache", Values: []SplitValue{
		{Value: "HIT", Answers: h, Share: float64(h) / float64(answers), Latency: LatencySummary{Count: h, Min: 0.0004, Mean: 0.0012, P50: 0.0011, P90: 0.0015, P95: 0.0017, P99: 0.0021, P999: 0.003, Max: 0.004}},
		{Value: "MISS", Answers: answers - h, Errors: 3, Share: float64(answers-h) / float64(answers), Latency: LatencySummary{Count: answers - h, Min: 0.05, Mean: 0.052, P50: 0.051, P90: 0.055, P95: 0.058, P99: 0.061, P999: 0.08, Max: 0.09}},
	}}
}

// withGroups is f as a scenario of two names split by X-Cache: its
// counts sum to f's.
func withGroups(t testing.TB, f *File) *File {
	f.ByName = []RequestGroup{
		groupOf(t, "list items", 22500, 0, 0.002, cacheSplit(22500, 0.9)),
		groupOf(t, "add item", 7500, 30, 0.03, cacheSplit(7470, 0.5)),
	}
	f.Splits = []Split{cacheSplit(29970, 0.8)}
	f.Settings.SplitBy, f.Settings.SplitMax = []string{"X-Cache"}, 64
	return f
}

// TestReportByName: every format has the per-name table and the splits,
// with the hit ratio; golden files.
func TestReportByName(t *testing.T) {
	f := withGroups(t, fixture(t))
	var text, md, js bytes.Buffer
	WriteText(&text, f, f.Targets())
	WriteMarkdown(&md, f)
	if err := WriteJSON(&js, f); err != nil {
		t.Fatal(err)
	}
	golden(t, "report_names.txt", text.String())
	golden(t, "report_names.md", md.String())
	for _, want := range []string{"\nby name\n", "list items", "add item", "split by X-Cache: hit ratio 80.0%", "split by X-Cache of add item: hit ratio 50.0%"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text: no %q", want)
		}
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, f); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"By request name", "<td>add item</td>", "hit ratio 80.0%", "<code>MISS</code>"} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("html: no %q", want)
		}
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, js.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	g := got.Group("add item")
	h, err := g.Histogram()
	if err != nil || h == nil || h.TotalCount() != g.Latency.Count || len(got.Splits) != 1 || got.Splits[0].Values[1].Value != "MISS" {
		t.Fatalf("round trip: %v, %+v", err, got.ByName)
	}
	var reqs int64
	for _, g := range got.ByName {
		reqs += g.Requests
	}
	if reqs != got.Requests {
		t.Errorf("names sum to %d of %d", reqs, got.Requests)
	}
}

// TestCompareByName: per-name deltas, a name in one run only said so, and
// the split's shares and latency before and after; golden files.
func TestCompareByName(t *testing.T) {
	before, after := withGroups(t, fixture(t)), withGroups(t, fixture(t))
	after.ByName[1] = groupOf(t, "add item", 7500, 300, 0.045, cacheSplit(7200, 0.7))
	after.ByName = append(after.ByName, groupOf(t, "delete item", 600, 0, 0.01))
	before.ByName = append(before.ByName, groupOf(t, "old report", 100, 0, 0.2))
	after.Splits = []Split{cacheSplit(29970, 0.85)}
	names := CompareNames(before, after)
	if len(names) != 4 || names[2].Only != "before" || names[3].Only != "after" || names[3].Name != "delete item" {
		t.Fatalf("names %+v", names)
	}
	for _, d := range names[1].Deltas {
		if (d.Name == "p50" || d.Name == "error_rate") && !d.Worse {
			t.Errorf("add item %s: %+v; want worse", d.Name, d)
		}
	}
	for _, d := range names[0].Deltas {
		if d.Better || d.Worse {
			t.Errorf("list items %s unchanged: %+v", d.Name, d)
		}
	}
	var text, md bytes.Buffer
	WriteComparison(&text, before, after, Compare(before, after), false, Painter{})
	WriteComparison(&md, before, after, Compare(before, after), true, Painter{})
	golden(t, "compare_names.txt", text.String())
	golden(t, "compare_names.md", md.String())
	if !strings.Contains(text.String(), "old report: only in the before run") || !strings.Contains(text.String(), "split by X-Cache of add item") {
		t.Errorf("compare:\n%s", text.String())
	}
}

// TestSLOByName: an SLO names a request by what comes before the last
// colon ahead of its comparison, spaces and URLs included, and is judged
// on that request alone.
func TestSLOByName(t *testing.T) {
	slos, err := ParseSLOs("add item:p99<300ms, GET http://h:8080/x:error_rate<1%,p99<10ms")
	if err != nil {
		t.Fatal(err)
	}
	if slos[0].Name != "add item" || slos[0].Metric != "p99" || slos[1].Name != "GET http://h:8080/x" || slos[1].Metric != "error_rate" || slos[2].Name != "" {
		t.Fatalf("parsed %+v", slos)
	}
	for _, bad := range []string{":p99<1s", "add item:p98<1s", "add item:"} {
		if _, err := ParseSLOs(bad); err == nil {
			t.Errorf("ParseSLOs(%q) accepted", bad)
		}
	}
	f := withGroups(t, fixture(t))
	vs := Judge(mustSLOs(t, "add item:p50<10ms,list items:p50<10ms,add item:error_rate<1%,nobody:p99<1s"), f.Measured())
	if vs[0].Met || !vs[1].Met || !vs[2].Met || vs[3].Met || !math.IsNaN(vs[3].Value) {
		t.Errorf("verdicts %+v", vs)
	}
	one := fixture(t) // a run of one request: its totals are the request's
	if v := Judge(mustSLOs(t, "api:p99<10ms"), one.Measured()); !v[0].Met {
		t.Errorf("one request: %+v", v)
	}
}

// TestHitRatio: a cache's values give a hit ratio, of the answers that
// carry the header; a balancer's do not.
func TestHitRatio(t *testing.T) {
	vals := func(vs ...any) Split {
		s := Split{Header: "X-Cache"}
		for i := 0; i < len(vs); i += 2 {
			s.Values = append(s.Values, SplitValue{Value: vs[i].(string), Answers: int64(vs[i+1].(int))})
		}
		return s
	}
	for _, tt := range []struct {
		s    Split
		want float64
		ok   bool
	}{
		{vals("HIT from n1", 3, "MISS from n1", 1), 0.75, true},
		{vals("TCP_MEM_HIT", 1, "TCP_MISS", 1, "(none)", 8), 0.5, true},
		{vals("MISS", 5), 0, true},
		{vals("node-1", 5, "node-2", 5), 0, false},
		{vals("(none)", 5), 0, false},
	} {
		if got, ok := tt.s.HitRatio(); got != tt.want || ok != tt.ok {
			t.Errorf("%+v: %v %v; want %v %v", tt.s.Values, got, ok, tt.want, tt.ok)
		}
	}
}

// TestGateByName: a gate naming a request is judged on that name alone,
// and fails as missing when one run lacks the name.
func TestGateByName(t *testing.T) {
	before, after := withGroups(t, fixture(t)), withGroups(t, fixture(t))
	after.ByName[1] = groupOf(t, "add item", 7500, 30, 0.045, cacheSplit(7470, 0.5))
	gates, err := ParseGates("add item:p50>+10%, list items:p50>+10%, gone:p99>+10%, p50>+10%")
	if err != nil {
		t.Fatal(err)
	}
	failed := Failed(gates, Compare(before, after), CompareNames(before, after)...)
	var got []string
	for _, f := range failed {
		got = append(got, f.String())
	}
	if len(failed) != 2 || failed[0].Name != "add item" || !failed[1].Missing || failed[1].String() != "gone:p99>+10% (gone is not in both runs)" {
		t.Errorf("failed %q", got)
	}
	for _, bad := range []string{":p99>+10%", "add item:server_p99>+10%", "add item:p98>+1%"} {
		if _, err := ParseGates(bad); err == nil {
			t.Errorf("ParseGates(%q) accepted", bad)
		}
	}
}
