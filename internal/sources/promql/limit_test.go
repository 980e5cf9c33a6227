package promql

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/metrics"
)

const (
	mib        = 1 << 20
	answerHead = `{"status":"success","data":{"resultType":"matrix","result":[`
	answerTail = `]}}`
)

// matrixAnswer is a range query's answer: n series m{i="…"} with points
// points each, values i.
func matrixAnswer(n, points int) []byte {
	var b bytes.Buffer
	b.WriteString(answerHead)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"metric":{"__name__":"m","i":"%06d"},"values":[`, i)
		for j := range points {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `[%d,"%d"]`, 1700000000+j, i)
		}
		b.WriteString("]}")
	}
	b.WriteString(answerTail)
	return b.Bytes()
}

// byQuery answers each query with its handler; "up" with one series.
func byQuery(answers map[string]func(w http.ResponseWriter)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if a := answers[r.FormValue("query")]; a != nil {
			a(w)
			return
		}
		w.Write(matrixAnswer(1, 2))
	}
}

// forever writes head, then chunk until the client hangs up.
func forever(head string, chunk []byte) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		if _, err := w.Write([]byte(head)); err != nil {
			return
		}
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

// oneRound runs one round of a Source for panels "big" and "up" against
// srv within the heap watcher.
func oneRound(t *testing.T, o Options) ([]metrics.PromQLResult, *Error, heapUse) {
	t.Helper()
	o.Panels = []Panel{{Title: "big", Expr: "big"}, {Title: "up", Expr: "up"}}
	src, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	defer src.client.CloseIdleConnections()
	var down *Error
	u := watchHeap(func() { down, _ = src.round(context.Background(), time.Now()) })
	return src.Results(), down, u
}

// TestAnswerLimit answers a panel with more than the body limit: a stream
// of JSON that never ends (which took perftop to 2.1 GB), an answer that
// says it is 1 GiB, a gzip bomb. The panel says so, the other panel and
// the server's health are unaffected, and the heap stays within a small
// multiple of the limit.
func TestAnswerLimit(t *testing.T) {
	series := []byte(strings.Repeat(`{"metric":{"__name__":"up","job":"x"},"values":[[1700000000,"1"]]},`, 1000))
	// 32 MiB of JSON, mostly spaces, in 32 KiB of gzip: compressed once,
	// outside the heap watcher.
	var bomb bytes.Buffer
	zw := gzip.NewWriter(&bomb)
	zw.Write([]byte(answerHead))
	spaces := bytes.Repeat([]byte(" "), mib)
	for range 32 {
		zw.Write(spaces)
	}
	zw.Close()
	gzipped := func(w http.ResponseWriter) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb.Bytes())
	}
	tests := []struct {
		name        string
		answer      func(w http.ResponseWriter)
		o           ClientOptions
		want        string
		peak, total uint64
	}{
		// client_golang reads into a bytes.Buffer, which doubles: 64 MiB
		// are allocated on the way to 16.
		{name: "JSON forever", answer: forever(answerHead, series), want: "answer larger than 16 MiB limit", peak: 5 * 16 * mib, total: 6 * 16 * mib},
		{name: "JSON forever, a 1 MiB limit", answer: forever(answerHead, series), o: ClientOptions{BodyLimit: mib},
			want: "answer larger than 1 MiB limit", peak: 5 * mib, total: 6 * mib},
		{name: "says 1 GiB", answer: func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "1073741824")
			forever(answerHead, series)(w)
		}, want: "answer larger than 16 MiB limit", peak: mib, total: mib},
		{name: "gzip bomb", answer: gzipped, o: ClientOptions{HTTPClient: &http.Client{Transport: &http.Transport{}}},
			want: "answer larger than 16 MiB limit", peak: 5 * 16 * mib, total: 6 * 16 * mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := apiServer(t, byQuery(map[string]func(http.ResponseWriter){"big": tt.answer}))
			tt.o.Server = srv.URL
			res, down, u := oneRound(t, Options{ClientOptions: tt.o})
			if tt.o.HTTPClient != nil {
				tt.o.HTTPClient.CloseIdleConnections()
			}
			if res[0].Err != tt.want || down != nil {
				t.Errorf("big panel: %q, down %v; want %q, not down", res[0].Err, down, tt.want)
			}
			if res[1].Err != "" || len(res[1].Series) != 1 {
				t.Errorf("the other panel: %+v", res[1])
			}
			checkHeap(t, u, tt.peak, tt.total)
		})
	}
}

// TestManySeries answers a panel with 100,000 series (which cost 526 MB a
// round when every series was converted before the cap): only the
// panel's 10 are converted, at most window/step+1 points each.
func TestManySeries(t *testing.T) {
	small := matrixAnswer(100_000, 2) // 7.6 MB
	large := matrixAnswer(100_000, 10)
	long := matrixAnswer(3, 50)
	tests := []struct {
		name        string
		answer      []byte
		window      time.Duration
		series      int
		hidden      int
		points      int
		err         string
		peak, total uint64
	}{
		// Most of it is client_golang's decoding into a model.Matrix.
		{name: "100k series", answer: small, window: time.Minute, series: DefaultMaxSeries, hidden: 100_000 - DefaultMaxSeries, points: 2,
			peak: 20 * uint64(len(small)), total: 30 * uint64(len(small))},
		{name: "100k series of 10 points, over the limit", answer: large, window: time.Minute, err: "answer larger than 16 MiB limit",
			peak: 5 * 16 * mib, total: 6 * 16 * mib},
		{name: "more points than the window holds", answer: long, window: 10 * time.Second, series: 3, points: 11, peak: mib, total: mib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := apiServer(t, byQuery(map[string]func(http.ResponseWriter){"big": func(w http.ResponseWriter) { w.Write(tt.answer) }}))
			res, _, u := oneRound(t, Options{ClientOptions: ClientOptions{Server: srv.URL}, Window: tt.window, Interval: time.Second})
			big := res[0]
			if big.Err != tt.err || len(big.Series) != tt.series || big.Hidden != tt.hidden {
				t.Fatalf("panel: err %q, %d series, %d hidden; want %q, %d, %d", big.Err, len(big.Series), big.Hidden, tt.err, tt.series, tt.hidden)
			}
			for k, s := range big.Series {
				if len(s.Points) != tt.points {
					t.Errorf("series %s: %d points, want %d", s.Labels, len(s.Points), tt.points)
				}
				if p, _ := s.Last(); tt.series == DefaultMaxSeries && p.V != float64(100_000-DefaultMaxSeries+k) {
					t.Errorf("series %d = %s, last %v: want the highest values in label order", k, s.Labels, p.V)
				}
			}
			if tt.points == 11 && big.Series[0].Points[0].T.Unix() != 1700000039 {
				t.Errorf("first point kept %v, want the newest 11", big.Series[0].Points[0].T.Unix())
			}
			checkHeap(t, u, tt.peak, tt.total)
		})
	}
}

// TestFromMatrixConvertsOnlyKept: capping 100,000 series to 10 converts 10
// and formats the labels of few others.
func TestFromMatrixConvertsOnlyKept(t *testing.T) {
	m := make(model.Matrix, 100_000)
	for i := range m {
		vals := make([]model.SamplePair, 10)
		for j := range vals {
			vals[j] = model.SamplePair{Timestamp: model.Time(1000 * j), Value: model.SampleValue(i)}
		}
		m[i] = &model.SampleStream{Metric: model.Metric{"__name__": "m", "i": model.LabelValue(fmt.Sprint(i))}, Values: vals}
	}
	var got []metrics.PromQLSeries
	var hidden int
	u := watchHeap(func() { got, hidden = fromMatrix(m, 10, 5) })
	if len(got) != 10 || hidden != len(m)-10 || len(got[0].Points) != 5 || got[0].Metric["i"] != "99990" {
		t.Fatalf("got %d series (first %+v), %d hidden", len(got), got[0], hidden)
	}
	checkHeap(t, u, mib, mib)
}
