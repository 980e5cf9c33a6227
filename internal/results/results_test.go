package results

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

func TestWriteReadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.json")
	f := &File{
		SchemaVersion: SchemaVersion, Tool: "perftop", Version: "test", StartedAt: time.Unix(0, 0).UTC(), Stopped: "completed",
		Settings: Settings{Mode: "closed", Concurrency: 5, Targets: []Target{{Method: "GET", URL: "http://x/", Weight: 1}}},
		Result:   &Result{Requests: 10, StatusCodes: map[string]int64{"200": 10}, Timeline: []TimelinePoint{{Seconds: 1, Requests: 10}}},
	}
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Requests != 10 || got.Settings.Concurrency != 5 || got.StatusCodes["200"] != 10 {
		t.Fatalf("round trip: %+v", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}
}

func TestReadFileRejects(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, body, want string
	}{
		{"garbage", "not json", "not a perftop results file"},
		{"truncated", `{"schema_version": 1, "requests": 3`, "not a perftop results file"},
		{"no version", `{"requests": 3}`, "no schema_version"},
		{"newer", `{"schema_version": 99, "requests": 3}`, "newer than this perftop's 1"},
		{"no result", `{"schema_version": 1}`, "no results"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".json")
			if err := os.WriteFile(path, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ReadFile(path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWriteFileToMissingDir(t *testing.T) {
	err := WriteFile(filepath.Join(t.TempDir(), "nope", "run.json"), &File{Result: &Result{}})
	if err == nil || !strings.Contains(err.Error(), "write results") {
		t.Fatalf("err = %v", err)
	}
}

func TestHistogramRoundTrip(t *testing.T) {
	h := metrics.NewLatencyHistogram()
	for i := int64(1); i <= 10000; i++ {
		_ = h.RecordValue(i * 7)
	}
	f := &File{SchemaVersion: SchemaVersion, Result: &Result{Requests: 10000}}
	if err := f.EncodeHistogram(h); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	back, err := got.Histogram()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []float64{50, 99, 99.9} {
		if a, b := h.ValueAtQuantile(q), back.ValueAtQuantile(q); a != b {
			t.Errorf("p%v: %d before, %d after the file", q, a, b)
		}
	}
	if back.TotalCount() != 10000 {
		t.Errorf("count %d", back.TotalCount())
	}
}
