package results

import (
	"os"
	"path/filepath"
	"testing"
)

// hourRun is a results file of a one-hour run: 3,600 timeline entries and a
// full latency histogram.
func hourRun(b testing.TB) *File {
	f := fixture(b)
	f.Timeline = f.Timeline[:0]
	for s := 1; s <= 3600; s++ {
		f.Timeline = append(f.Timeline, TimelinePoint{Seconds: float64(s), Requests: 500 + int64(s%7), Errors: int64(s % 3),
			RPS: 500.25, P50: 0.0031 + float64(s%11)/1e5, P99: 0.0071 + float64(s%13)/1e4, InFlight: int64(s % 9)})
	}
	return f
}

// BenchmarkHourFile writes and reads a one-hour results file and reports
// its size: the budget is under 50 ms each and under 1 MiB.
func BenchmarkHourFile(b *testing.B) {
	f := hourRun(b)
	h, err := f.Histogram()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "hour.json")
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := f.EncodeHistogram(h); err != nil {
				b.Fatal(err)
			}
			if err := WriteFile(path, f); err != nil {
				b.Fatal(err)
			}
		}
		st, _ := os.Stat(path)
		b.ReportMetric(float64(st.Size())/(1<<10), "KiB")
	})
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			rf, err := ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := rf.Histogram(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkTimelineAppend is what streaming the timeline costs the engine:
// one append a second (a write; a sync at most once a second).
func BenchmarkTimelineAppend(b *testing.B) {
	tl, err := CreateTimeline(filepath.Join(b.TempDir(), "t.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	defer tl.Close()
	p := TimelinePoint{Seconds: 1, Requests: 500, RPS: 500, P50: 0.003, P99: 0.007}
	b.ReportAllocs()
	for b.Loop() {
		tl.Append(p)
	}
}
