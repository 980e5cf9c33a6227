package prom

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/prometheus/common/expfmt"
)

// estimate is what the guards estimate body to decode to.
func estimate(t *testing.T, body []byte, format expfmt.Format) int64 {
	t.Helper()
	if format.FormatType() != expfmt.TypeProtoDelim {
		g := &textGuard{r: bytes.NewReader(body), maxLabels: 1 << 40, budget: 1 << 62}
		if _, err := io.Copy(io.Discard, g); err != nil {
			t.Fatal(err)
		}
		return g.cost
	}
	pr := newProtoReader(&countingReader{r: bytes.NewReader(body)}, 1<<40, int64(len(body)))
	var cost int64
	for {
		msg, err := pr.next()
		if errors.Is(err, io.EOF) {
			return cost
		}
		if err != nil {
			t.Fatal(err)
		}
		c, err := costFamily(msg, 1<<40)
		if err != nil {
			t.Fatal(err)
		}
		cost += c.bytes
	}
}

// retained is the heap that the decoded body holds.
func retained(t *testing.T, body []byte, format expfmt.Format) int64 {
	t.Helper()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	exp, err := readExposition(bytes.NewReader(body), format, -1, limits{body: 1 << 40, series: 1 << 40, labels: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(exp)
	return int64(after.HeapAlloc) - int64(before.HeapAlloc)
}

// TestDecodedSize checks the estimates against the heap that decoded
// bodies really hold: never below it, for real expositions and for the
// densest possible, and well within the budget for real ones. It logs the
// ratios to the body's size that the comment on decodedFactor quotes.
func TestDecodedSize(t *testing.T) {
	text, pb := expfmt.NewFormat(expfmt.TypeTextPlain), expfmt.NewFormat(expfmt.TypeProtoDelim)
	tests := []struct {
		name string
		text []byte
		real bool
	}{
		{"node_exporter", nodeExporter(t), true},
		{"a service with 100k series", synthetic(100_000), true},
		{"100k series of 5 labels in 10 MiB", atLimits(), true},
		{"tiny series", bytes.Repeat([]byte("m 1\n"), 100_000), false},
		{"one label each", bytes.Repeat([]byte("m{a=\"\"} 1\n"), 100_000), false},
	}
	check := func(t *testing.T, name string, body []byte, format expfmt.Format, real bool) {
		t.Helper()
		est, got := estimate(t, body, format), retained(t, body, format)
		size := float64(len(body))
		t.Logf("%-9s %8d bytes: estimate %5.1fx, retained %5.1fx", name, len(body), float64(est)/size, float64(got)/size)
		if est < got && !raceEnabled { // the race detector's heap is larger
			t.Errorf("%s: estimate %d below the %d bytes retained", name, est, got)
		}
		if real && est > decodedFactor*DefaultBodyLimit*2/3 {
			t.Errorf("%s: estimate %d over two thirds of the default budget", name, est)
		}
		if real && len(body) > DefaultBodyLimit {
			t.Errorf("%s: %d bytes, over the default body limit", name, len(body))
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, "text", tt.text, text, tt.real)
			var b bytes.Buffer
			enc := expfmt.NewEncoder(&b, pb)
			for _, f := range decode(t, tt.text, text) {
				if err := enc.Encode(f); err != nil {
					t.Fatal(err)
				}
			}
			check(t, "protobuf", b.Bytes(), pb, tt.real)
		})
	}
	t.Run("empty series", func(t *testing.T) {
		check(t, "protobuf", delimited(pbFamilyMsg("m", 0, 500_000, 0)), pb, false)
	})
}

// atLimits is an exposition at both default limits: 100,000 series (less a
// few, for the process's own) in just under 10 MiB, each with 5 labels.
func atLimits() []byte {
	var b bytes.Buffer
	b.WriteString("# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\n")
	for i := range DefaultSeriesLimit - 10 {
		fmt.Fprintf(&b, "http_requests_total{code=\"%d\",handler=\"/h%d\",instance=\"10.0.%d.%d:80\",job=\"api\",method=\"get\"} %d\n",
			200+i%5, i, i/256%256, i%256, i)
	}
	return b.Bytes()
}
