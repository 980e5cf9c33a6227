package prom

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// nodeExporter is a real node_exporter 1.5.0 exposition (505 series, 57 KB),
// captured from the Debian package on the project's machine.
func nodeExporter(b testing.TB) []byte {
	data, err := os.ReadFile("testdata/node_exporter.txt")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// decode reads data as a scrape does, within the default limits.
func decode(b testing.TB, data []byte, format expfmt.Format) []*dto.MetricFamily {
	lim := limits{body: DefaultBodyLimit, series: DefaultSeriesLimit, labels: DefaultLabelLimit}
	exp, err := readExposition(bytes.NewReader(data), format, int64(len(data)), lim)
	if err != nil {
		b.Fatal(err)
	}
	return exp.Families
}

// BenchmarkNodeExporter compares, in one run, expfmt's TextParser alone
// with perftop's whole scrape-and-derive of the same exposition (decode,
// rates, quantiles, RED, families), and derivation alone.
func BenchmarkNodeExporter(b *testing.B) {
	data := nodeExporter(b)
	text := expfmt.NewFormat(expfmt.TypeTextPlain)
	series := 0
	for _, f := range decode(b, data, text) {
		series += len(f.GetMetric())
	}
	b.Run("parse-only", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p := expfmt.NewTextParser(model.UTF8Validation)
			if _, err := p.TextToMetricFamilies(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("scrape-and-derive", func(b *testing.B) {
		d := newDeriver(Config{})
		t := t0
		b.ReportAllocs()
		for b.Loop() {
			fams := decode(b, data, text)
			t = t.Add(time.Second)
			d.derive(t, fams)
			_ = families(fams)
		}
	})
	// node_exporter answers perftop's Accept header with delimited
	// protobuf, so this is what a real scrape of it costs.
	var pb bytes.Buffer
	enc := expfmt.NewEncoder(&pb, expfmt.NewFormat(expfmt.TypeProtoDelim))
	for _, f := range decode(b, data, text) {
		if err := enc.Encode(f); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("scrape-and-derive-protobuf", func(b *testing.B) {
		d := newDeriver(Config{})
		t := t0
		b.ReportAllocs()
		for b.Loop() {
			fams := decode(b, pb.Bytes(), expfmt.NewFormat(expfmt.TypeProtoDelim))
			t = t.Add(time.Second)
			d.derive(t, fams)
			_ = families(fams)
		}
	})
	b.Run("derive-only", func(b *testing.B) {
		fams := decode(b, data, text)
		d := newDeriver(Config{})
		t := t0
		d.derive(t, fams)
		b.ReportAllocs()
		for b.Loop() {
			t = t.Add(time.Second)
			d.derive(t, fams)
		}
		b.ReportMetric(float64(series), "series")
	})
}

// synthetic renders n series of a service: a request counter by handler
// and code, and a latency histogram by handler.
func synthetic(n int) []byte {
	var sb strings.Builder
	sb.WriteString("# TYPE http_requests_total counter\n")
	handlers := n / 2
	for i := 0; i < handlers; i++ {
		fmt.Fprintf(&sb, "http_requests_total{handler=\"/h%d\",code=\"200\"} %d\n", i, i*7)
	}
	sb.WriteString("# TYPE http_request_duration_seconds histogram\n")
	for i := 0; i < n-handlers; i += 6 {
		for _, le := range []string{"0.01", "0.1", "1", "+Inf"} {
			fmt.Fprintf(&sb, "http_request_duration_seconds_bucket{handler=\"/h%d\",le=\"%s\"} %d\n", i, le, i)
		}
		fmt.Fprintf(&sb, "http_request_duration_seconds_sum{handler=\"/h%d\"} 1\nhttp_request_duration_seconds_count{handler=\"/h%d\"} %d\n", i, i, i)
	}
	return []byte(sb.String())
}

// BenchmarkLarge scrapes and derives a synthetic 100k-series exposition in
// the text format and as delimited protobuf, side by side, and reports the
// heap it takes.
func BenchmarkLarge(b *testing.B) {
	text := synthetic(100_000)
	fams := decode(b, text, expfmt.NewFormat(expfmt.TypeTextPlain))
	var pb bytes.Buffer
	enc := expfmt.NewEncoder(&pb, expfmt.NewFormat(expfmt.TypeProtoDelim))
	for _, f := range fams {
		if err := enc.Encode(f); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name   string
		data   []byte
		format expfmt.Format
	}{
		{"text", text, expfmt.NewFormat(expfmt.TypeTextPlain)},
		{"protobuf", pb.Bytes(), expfmt.NewFormat(expfmt.TypeProtoDelim)},
	} {
		b.Run(c.name, func(b *testing.B) {
			d := newDeriver(Config{})
			t := t0
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var peak uint64
			b.ReportAllocs()
			for b.Loop() {
				t = t.Add(time.Second)
				f := decode(b, c.data, c.format)
				d.derive(t, f)
				runtime.ReadMemStats(&after)
				peak = max(peak, after.HeapInuse)
			}
			b.ReportMetric(float64(len(c.data))/1e6, "MB")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}
