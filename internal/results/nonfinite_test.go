package results

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/jsonfloat"
)

// fullFile is a results file with every field set.
func fullFile(t testing.TB) *File {
	f := fixture(t)
	svc := f.Latency
	f.Service = &svc
	f.ErrorMessages = []ErrorMessage{{Kind: "status_5xx", Message: "503 Service Unavailable <&>", Count: 30}}
	f.LateSends, f.ClosedLoop, f.BytesReceived = 7, true, 1<<40
	f.Stress = &Stress{LastGoodLevel: 400, BrokeAtLevel: 500, BrokeBecause: "p99<10ms breached"}
	f.Settings = Settings{Mode: "open", Concurrency: 3, Rate: 500.5, MaxInFlight: 9, DurationSeconds: 60, Requests: 30000,
		Stages: []Stage{{Duration: 30 * time.Second, Target: 100}, {Duration: time.Minute, Target: 0.5}}, StagesOf: "rate", Profile: "stress",
		Targets: []Target{{Name: "api", Method: "POST", URL: "http://u@svc/api?q=<1>&r=2", Weight: 2, HeaderNames: []string{"Authorization"}, BodyBytes: 3, ThinkSeconds: 0.25},
			{Method: "GET", URL: "http://svc/", Weight: 1}},
		TimeoutSeconds: 10, HTTP2: true, Insecure: true, KeepAlive: true, MaxRedirects: 3, UnixSocket: "/run/svc.sock", Host: "svc.example",
		Transport: "fast-http1", EventLoop: true}
	f.StartedAt = time.Date(2026, 11, 25, 12, 0, 0, 123456789, time.FixedZone("CET", 3600))
	return f
}

// TestJSONIsEncodingJSON: what perftop writes of finite data is
// encoding/json's bytes, so no results file changes.
func TestJSONIsEncodingJSON(t *testing.T) {
	f := fullFile(t)
	want, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, append(want, '\n')) {
		t.Errorf("WriteFile differs from encoding/json:\n%s", got)
	}
	var out, std bytes.Buffer
	_ = WriteJSON(&out, f)
	enc := json.NewEncoder(&std)
	enc.SetIndent("", "  ")
	_ = enc.Encode(f)
	if out.String() != std.String() {
		t.Errorf("WriteJSON differs from encoding/json:\n%s", out.String())
	}
	line, _ := jsonfloat.Marshal(f.Timeline[0])
	if stdLine, _ := json.Marshal(f.Timeline[0]); !bytes.Equal(line, stdLine) {
		t.Errorf("timeline line %s, encoding/json %s", line, stdLine)
	}
}

// noAnswers is a run in which nothing was answered: its SLO verdicts are
// NaN (nan), and so is a timeline point; a stress level is inf.
func noAnswers(t testing.TB, nan, inf float64) *File {
	f := fullFile(t)
	f.Latency = LatencySummary{}
	f.SLOs = Judge(mustSLOs(t, "p99<10ms,throughput>1"), f.Measured())
	f.SLOs[0].Value = nan // Judge's own NaN
	f.Timeline[3].P50, f.Timeline[3].P99 = nan, nan
	f.Stress.BrokeAtLevel = inf
	return f
}

// TestNonFiniteRoundTrip: a NaN or an infinity is written as a string, the
// rest as encoding/json writes it, and read back.
func TestNonFiniteRoundTrip(t *testing.T) {
	f := noAnswers(t, math.NaN(), math.Inf(1))
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	// The same file with 7.25 where the NaNs were and 7.125 for the +Inf,
	// numbers the file has nowhere else.
	std, err := json.MarshalIndent(noAnswers(t, 7.25, 7.125), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(std), "7.25"); n != 3 {
		t.Fatalf("7.25 %d times", n)
	}
	want := strings.ReplaceAll(strings.ReplaceAll(string(std), "7.25", `"NaN"`), "7.125", `"+Inf"`)
	if string(got) != want+"\n" {
		t.Errorf("written:\n%s\nwant:\n%s", got, want)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(back.SLOs[0].Value) || !math.IsNaN(back.Timeline[3].P50) || !math.IsInf(back.Stress.BrokeAtLevel, 1) || back.Timeline[4].P50 != f.Timeline[4].P50 {
		t.Errorf("read back: %+v %+v %+v", back.SLOs, back.Timeline[3], back.Stress)
	}
	var text bytes.Buffer
	WriteText(&text, back, back.Targets())
	if !strings.Contains(text.String(), "BREACHED measured no answers") {
		t.Errorf("text:\n%s", text.String())
	}
	var js bytes.Buffer
	if err := WriteJSON(&js, back); err != nil || js.String() != string(got) {
		t.Errorf("report --format json: %v\n%s", err, js.String())
	}
}

// TestTimelineNonFinite: a NaN does not stop the stream.
func TestTimelineNonFinite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.jsonl")
	tl, err := CreateTimeline(path)
	if err != nil {
		t.Fatal(err)
	}
	tl.Append(TimelinePoint{Seconds: 1, P50: math.NaN(), P99: math.Inf(1)})
	tl.Append(TimelinePoint{Seconds: 2, P50: 0.001})
	if err := tl.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := `{"t":1,"requests":0,"errors":0,"rps":0,"p50":"NaN","p99":"+Inf","in_flight":0}` + "\n" +
		`{"t":2,"requests":0,"errors":0,"rps":0,"p50":0.001,"p99":0,"in_flight":0}` + "\n"
	if string(b) != want {
		t.Fatalf("got\n%s", b)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		var p TimelinePoint
		if err := jsonfloat.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzFileRoundTrip: a results file with any floats in its SLOs and
// timeline comes back as it went.
func FuzzFileRoundTrip(f *testing.F) {
	f.Add(math.Float64bits(math.NaN()), math.Float64bits(math.Inf(-1)), "p99<10ms")
	f.Add(math.Float64bits(1e-7), math.Float64bits(-0.0), "\x1b]52;c;aGk=\x07")
	f.Fuzz(func(t *testing.T, a, b uint64, text string) {
		fa, fb := math.Float64frombits(a), math.Float64frombits(b)
		file := minimal()
		file.SLOs = []Verdict{{SLO: SLO{Metric: "p99", Op: "<", Threshold: fb, Text: text}, Value: fa}}
		file.Timeline = []TimelinePoint{{Seconds: fb, P50: fa, P99: fb}}
		data, err := encodeFile(file) // WriteFile and ReadFile without the disk
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseFile("r.json", data)
		if err != nil {
			t.Fatal(err)
		}
		same := func(x, y float64) bool {
			return x == y && math.Signbit(x) == math.Signbit(y) || math.IsNaN(x) && math.IsNaN(y)
		}
		if v := back.SLOs[0]; !same(v.Value, fa) || !same(v.Threshold, fb) || !same(back.Timeline[0].P50, fa) || !same(back.Timeline[0].P99, fb) {
			t.Fatalf("%v %v came back as %+v %+v", fa, fb, v, back.Timeline[0])
		}
	})
}
