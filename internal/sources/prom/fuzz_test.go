package prom

import (
	"bytes"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/encoding/protowire"
)

// fuzzLimits keep a fuzzed body small, so that every limit is reached.
var fuzzLimits = limits{body: 64 << 10, series: 1000, labels: 16}

// FuzzDecode feeds a body through each format's decoder within
// fuzzLimits, then through the derivation and the family list: errors are
// fine; panics, a limit exceeded and words that are not one printable line
// are not. The corpus in testdata/fuzz/FuzzDecode holds the length
// prefixes of 2^50 and 2^40 bytes that made expfmt's protobuf decoder
// panic and run out of memory.
func FuzzDecode(f *testing.F) {
	var good bytes.Buffer
	enc := expfmt.NewEncoder(&good, expfmt.NewFormat(expfmt.TypeProtoDelim))
	for _, fam := range parse(f, exposition(1, 2, 3, 4, 5, [4]int{1, 2, 3, 4})) {
		if err := enc.Encode(fam); err != nil {
			f.Fatal(err)
		}
	}
	f.Add(good.Bytes())
	f.Add([]byte(exposition(1, 2, 3, 4, 5, [4]int{1, 2, 3, 4})))
	f.Add(delimited(pbFamilyMsg("m", 10, 3, 2)))
	f.Add(append(good.Bytes(), protowire.AppendVarint(nil, 1<<50)...))
	formats := []expfmt.Format{
		expfmt.NewFormat(expfmt.TypeProtoDelim),
		expfmt.NewFormat(expfmt.TypeTextPlain),
		expfmt.NewFormat(expfmt.TypeOpenMetrics),
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, format := range formats {
			for _, size := range []int64{-1, int64(len(body))} {
				exp, err := readExposition(bytes.NewReader(body), format, size, fuzzLimits)
				if err != nil {
					checkPrintable(t, "error", err.Error())
					continue
				}
				if int64(exp.Series) > fuzzLimits.series || exp.Bytes > fuzzLimits.body {
					t.Fatalf("%s: %d series, %d bytes: over the limits", format, exp.Series, exp.Bytes)
				}
				for _, mf := range exp.Families {
					for _, m := range mf.GetMetric() {
						if int64(len(m.GetLabel())) > fuzzLimits.labels {
							t.Fatalf("%s: a series with %d labels", format, len(m.GetLabel()))
						}
					}
				}
				d := newDeriver(Config{})
				d.watch = []string{"m", "http_requests_total"}
				d.derive(t0, exp.Families)
				red, rows := d.derive(t0.Add(time.Second), exp.Families)
				for _, fi := range families(exp.Families) {
					checkPrintable(t, "family", fi.Name)
					checkPrintable(t, "help", fi.Help)
				}
				for _, r := range rows {
					checkPrintable(t, "breakdown", r.Value)
				}
				checkPrintable(t, "request metric", red.RequestMetric)
			}
		}
	})
}
