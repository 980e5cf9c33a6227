package prom

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
)

const protoType = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"

// delimited frames msgs as a delimited protobuf body.
func delimited(msgs ...[]byte) []byte {
	var b []byte
	for _, m := range msgs {
		b = protowire.AppendVarint(b, uint64(len(m)))
		b = append(b, m...)
	}
	return b
}

// pbFamilyMsg is a MetricFamily message named name, with help text, n
// series and labels labels a="" on each, written field by field: a body as
// dense as protobuf allows.
func pbFamilyMsg(name string, help int, n, labels int) []byte {
	return pbFamilyLabels(name, help, n, labels, "a")
}

// pbFamilyLabels is pbFamilyMsg with labels of another name; "" makes each
// label two bytes, the densest, and invalid once decoded.
func pbFamilyLabels(name string, help int, n, labels int, labelName string) []byte {
	var label []byte
	if labelName != "" {
		label = protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), labelName)
	}
	var metric []byte
	for range labels {
		metric = protowire.AppendTag(metric, 1, protowire.BytesType)
		metric = protowire.AppendBytes(metric, label)
	}
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendString(b, name)
	if help > 0 {
		b = protowire.AppendTag(b, 2, protowire.BytesType)
		b = protowire.AppendString(b, strings.Repeat("h", help))
	}
	for range n {
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendBytes(b, metric)
	}
	return b
}

// target serves what write writes, with content type ctype.
func target(t *testing.T, ctype string, write func(w http.ResponseWriter)) string {
	return serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		write(w)
	})
}

// writerOnly makes an io.Writer the http.ResponseWriter that forever takes.
type writerOnly struct{ io.Writer }

func (writerOnly) Header() http.Header { return http.Header{} }
func (writerOnly) WriteHeader(int)     {}

// forever writes chunk until the client hangs up.
func forever(prefix, chunk []byte) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if _, err := w.Write(prefix); err != nil {
			return
		}
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

// chunked writes body in two flushed parts, so that it has no length.
func chunked(body []byte) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Write(body[:len(body)/2])
		w.(http.Flusher).Flush()
		w.Write(body[len(body)/2:])
	}
}

func whole(body []byte) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) { w.Write(body) }
}

type hostileCase struct {
	name   string
	ctype  string
	write  func(w http.ResponseWriter)
	body   int64 // the body limit, default DefaultBodyLimit
	want   string
	peak   uint64 // heap bounds
	total  uint64
	noErr  bool
	series int
}

// runHostile scrapes each case's target once and checks the error and the
// heap the scrape took.
func runHostile(t *testing.T, tests []hostileCase) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := target(t, tt.ctype, tt.write)
			lim := limits{body: DefaultBodyLimit, series: DefaultSeriesLimit, labels: DefaultLabelLimit, timeout: time.Minute}
			if tt.body > 0 {
				lim.body = tt.body
			}
			c := &http.Client{Transport: &http.Transport{}}
			defer c.CloseIdleConnections()
			var exp *Exposition
			var err error
			u := watchHeap(func() { exp, err = fetch(context.Background(), c, url, lim) })
			switch {
			case tt.noErr && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tt.noErr && exp.Series != tt.series:
				t.Errorf("%d series, want %d", exp.Series, tt.series)
			case !tt.noErr && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if err != nil {
				t.Logf("error: %v", err)
				checkPrintable(t, "error", err.Error())
			}
			checkHeap(t, u, tt.peak, tt.total)
		})
	}
}

// TestHostileProtobuf feeds protobuf bodies built to exhaust memory: length
// prefixes of 2^50 and 2^40 bytes, which made expfmt's decoder panic in
// makeslice or run out of memory, lengths past the end of the body, bodies
// that stream messages near the limit forever, and messages as dense as
// the wire format allows. Each fails with its reason, within a small
// multiple of the body limit of heap.
func TestHostileProtobuf(t *testing.T) {
	good := delimited(pbFamilyMsg("up", 10, 1, 0))
	const mib = 1 << 20
	near := pbFamilyMsg("big", 9*mib, 0, 0) // a message of 9 MiB
	small := pbFamilyMsg("small", 60<<10, 0, 0)
	runHostile(t, []hostileCase{
		{name: "length prefix of 2^50", ctype: protoType, write: whole(append(protowire.AppendVarint(nil, 1<<50), make([]byte, 1024)...)),
			want: "parse error: protobuf message of 1125899906842624 bytes exceeds the 10 MiB limit", peak: mib, total: mib},
		{name: "length prefix of 2^40 after a good message", ctype: protoType, write: chunked(append(good, protowire.AppendVarint(nil, 1<<40)...)),
			want: "protobuf message of 1099511627776 bytes exceeds the 10 MiB limit", peak: mib, total: mib},
		{name: "length past the end of the body", ctype: protoType, write: whole(append(protowire.AppendVarint(good, 9*mib), make([]byte, 100)...)),
			want: "protobuf message of 9437184 bytes, but the body has 100 bytes left", peak: mib, total: mib},
		{name: "length past the end of a body of unknown length", ctype: protoType, write: chunked(append(protowire.AppendVarint(good, 9*mib), make([]byte, 100)...)),
			want: "protobuf message of 9437184 bytes cut short after 100", peak: 10 * mib, total: 10 * mib},
		{name: "length past the body limit", ctype: protoType, write: chunked(delimited(near, near)),
			want: "body larger than 10 MiB limit", peak: 25 * mib, total: 25 * mib},
		{name: "messages near the limit forever", ctype: protoType, write: forever(nil, delimited(near)),
			want: "body larger than 10 MiB limit", peak: 25 * mib, total: 25 * mib},
		{name: "small messages forever", ctype: protoType, write: forever(nil, delimited(small)),
			want: "body larger than 10 MiB limit", peak: 25 * mib, total: 30 * mib},
		{name: "5 million empty series", ctype: protoType, write: whole(delimited(pbFamilyMsg("m", 0, 5e6, 0))),
			want: "more than 100000 series", peak: 15 * mib, total: 15 * mib},
		{name: "a series with 2 million labels", ctype: protoType, write: whole(delimited(pbFamilyMsg("m", 0, 1, 2e6))),
			want: "a series with more than 128 labels", peak: 15 * mib, total: 15 * mib},
		{name: "dense series in one message", ctype: protoType, body: mib, write: whole(delimited(pbFamilyLabels("m", 0, 3000, 128, ""))),
			want: "exposition too dense", peak: 2 * mib, total: 2 * mib},
		{name: "dense series in many messages", ctype: protoType, body: mib, write: forever(nil, delimited(pbFamilyMsg("m", 0, 100, 120))),
			want: "exposition too dense", peak: 2 * decodedFactor * mib, total: 2 * decodedFactor * mib},
		{name: "a message of exactly the limit", ctype: protoType, body: int64(len(delimited(small))), write: whole(delimited(small)),
			noErr: true, peak: mib, total: mib},
	})
}

// TestHostileText feeds text bodies built to exhaust memory or time: one
// huge line, a huge label count, and lines as dense as the format allows.
func TestHostileText(t *testing.T) {
	const mib = 1 << 20
	labels := func(n int) []byte {
		var b bytes.Buffer
		b.WriteString("m{")
		for i := range n {
			fmt.Fprintf(&b, "a%d=\"\",", i)
		}
		b.WriteString("} 1\n")
		return b.Bytes()
	}
	text := "text/plain; version=0.0.4"
	runHostile(t, []hostileCase{
		{name: "a HELP line of 10 MiB", ctype: text, write: whole([]byte("# HELP m " + strings.Repeat("x", 10*mib-20) + "\nm 1\n")),
			noErr: true, series: 1, peak: 5 * 10 * mib, total: 6 * 10 * mib},
		{name: "a label value of 10 MiB", ctype: text, write: whole([]byte(`m{a="` + strings.Repeat("x", 10*mib-20) + "\"} 1\n")),
			noErr: true, series: 1, peak: 6 * 10 * mib, total: 7 * 10 * mib},
		{name: "a line of 100,000 labels", ctype: text, write: whole(labels(100_000)),
			want: "a series with more than 128 labels", peak: mib, total: mib},
		{name: "tiny series", ctype: text, body: mib, write: whole(bytes.Repeat([]byte("m 1\n"), mib/4)),
			want: "exposition too dense", peak: 2 * decodedFactor * mib, total: 3 * decodedFactor * mib},
		// expfmt's garbage (a map per label) takes the peak above the
		// estimate of what it keeps.
		{name: "20 labels a line", ctype: text, body: mib, write: forever(nil, labels(20)),
			want: "exposition too dense", peak: 4 * decodedFactor * mib, total: 10 * decodedFactor * mib},
		{name: "a line past the body limit", ctype: text, body: mib, write: forever([]byte("# HELP m "), []byte("xxxxxxxx")),
			want: "body larger than 1 MiB limit", peak: 6 * mib, total: 8 * mib},
		{name: "a gzip bomb", ctype: text, write: func(w http.ResponseWriter) {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			defer zw.Close()
			forever([]byte("# HELP m "), bytes.Repeat([]byte("x"), 64<<10))(writerOnly{zw})
		}, want: "body larger than 10 MiB limit", peak: 6 * 10 * mib, total: 8 * 10 * mib},
	})
}
