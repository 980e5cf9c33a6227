package promql

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
)

// answerClient is an api.Client whose every answer is body, with status.
type answerClient struct {
	status int
	body   []byte
}

func (c answerClient) URL(ep string, _ map[string]string) *url.URL {
	return &url.URL{Scheme: "http", Host: "fuzz:9090", Path: ep}
}

func (c answerClient) Do(context.Context, *http.Request) (*http.Response, []byte, error) {
	return &http.Response{StatusCode: c.status, Header: http.Header{}}, c.body, nil
}

// FuzzRangeAnswer feeds a server's answer through client_golang's decoding
// and perftop's conversion, for a range query and an instant one: errors
// are fine; panics, more series or points than the panel holds, and words
// that are not one printable line are not.
func FuzzRangeAnswer(f *testing.F) {
	f.Add(200, matrixAnswer(3, 2))
	f.Add(200, matrixAnswer(12, 20))
	f.Add(200, []byte(`{"status":"success","warnings":["w\u001b[2J"],"data":{"resultType":"matrix","result":[{"metric":{"a\u001b":"\u009b31m"},"values":[[1,"NaN"],[2,"+Inf"]]}]}}`))
	f.Add(200, []byte(`{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"1"]}]}}`))
	f.Add(400, []byte(`{"status":"error","errorType":"bad_data","error":"parse error \u001b]52;c;aGk=\u0007"}`))
	f.Add(503, []byte(`{"status":"error","errorType":"timeout","error":"slow"}`))
	const maxSeries, maxPoints = 10, 11
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		c := &Client{api: v1.NewAPI(statusClient{answerClient{status: status, body: body}}), host: "fuzz:9090", timeout: time.Second}
		m, warns, err := c.queryRange(context.Background(), "x", v1.Range{Start: time.Unix(0, 0), End: time.Unix(10, 0), Step: time.Second})
		for _, w := range warnings(warns) {
			checkPrintable(t, "warning", w)
		}
		if err != nil {
			checkPrintable(t, "error", c.explain(err).Msg)
		} else {
			series, hidden := fromMatrix(m, maxSeries, maxPoints)
			if len(series) > maxSeries || len(series)+hidden != len(m) {
				t.Fatalf("%d series, %d hidden, of %d", len(series), hidden, len(m))
			}
			for _, s := range series {
				if len(s.Points) > maxPoints {
					t.Fatalf("series %s: %d points", s.Labels, len(s.Points))
				}
				checkPrintable(t, "labels", s.Labels)
				for k, v := range s.Metric {
					checkPrintable(t, "label name", k)
					checkPrintable(t, "label value", v)
				}
			}
		}
		snaps, _ := Query(context.Background(), c, []Panel{{Expr: "x"}}, time.Unix(10, 0))
		checkPrintable(t, "snapshot error", snaps[0].Error)
		for _, s := range snaps[0].Series {
			checkPrintable(t, "name", s.Name)
		}
	})
}
