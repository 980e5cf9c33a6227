package promql

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// panicky is a transport that panics on its first calls, as decoding a
// server's answer might.
type panicky struct {
	panics int32
	n      atomic.Int32
}

func (p *panicky) RoundTrip(r *http.Request) (*http.Response, error) {
	if p.n.Add(1) <= p.panics {
		panic("boom \x1b[2J")
	}
	return http.DefaultTransport.RoundTrip(r)
}

func (p *panicky) CloseIdleConnections() {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

// TestSourceRecoversPanics: a round that panics marks the server down,
// "crashed: ...", and it is retried after the backoff; a snapshot that
// panics says so too.
func TestSourceRecoversPanics(t *testing.T) {
	var ok atomic.Bool
	ok.Store(true)
	srv := apiServer(t, fakeAPI(&ok))
	src, err := New(Options{
		ClientOptions: ClientOptions{Server: srv.URL, HTTPClient: &http.Client{Transport: &panicky{panics: 2}}},
		Panels:        []Panel{{Title: "up", Expr: "up"}, {Title: "up2", Expr: "up"}},
		Interval:      metrics.MinInterval,
		MinBackoff:    10 * time.Millisecond,
		MaxBackoff:    20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	st := metrics.NewStore(10)
	start(t, src, st)
	const want = "crashed: boom [2J"
	res, _ := waitFor(t, st, src, "a crash", func(res []metrics.PromQLResult, h metrics.Health) bool {
		return !h.Up && h.LastError == want && !h.NextRetry.IsZero()
	})
	if res[0].Err != want || res[1].Err != want {
		t.Errorf("panels after a crash: %q, %q; want %q", res[0].Err, res[1].Err, want)
	}
	waitFor(t, st, src, "recovery", func(res []metrics.PromQLResult, h metrics.Health) bool { return h.Up && len(res[0].Series) == 1 })

	c, err := NewClient(ClientOptions{Server: srv.URL, HTTPClient: &http.Client{Transport: &panicky{panics: 1 << 30}}})
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := Query(context.Background(), c, []Panel{{Expr: "up"}}, time.Time{})
	var e *Error
	if !errors.As(err, &e) || !e.Down || e.Msg != want || snaps[0].Error != want {
		t.Errorf("snapshot that panics: %v, %+v", err, snaps)
	}
}

// escapes is what a hostile server puts in its words: an OSC 52 that
// writes the clipboard, a screen clear, a bell, a newline, a C1 CSI.
const escapes = "\x1b]52;c;aGk=\x07 \x1b[2J\n\u009b31m"

// TestServerWordsPrintable answers with label names, label values,
// warnings and an error message that carry terminal escapes: whatever
// reaches a panel or a snapshot is one printable line.
func TestServerWordsPrintable(t *testing.T) {
	answer := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		b, _ := json.Marshal(v)
		w.Write(b)
	}
	srv := apiServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("query") == "bad" {
			w.WriteHeader(http.StatusBadRequest)
			answer(w, map[string]any{"status": "error", "errorType": "bad_data", "error": "parse error " + escapes})
			return
		}
		typ, point := "matrix", "values"
		if r.URL.Path == "/api/v1/query" {
			typ, point = "vector", "value"
		}
		var p any = [][]any{{1700000000, "1"}}
		if point == "value" {
			p = []any{1700000000, "1"}
		}
		answer(w, map[string]any{"status": "success", "warnings": []string{"warned " + escapes}, "data": map[string]any{
			"resultType": typ,
			"result":     []any{map[string]any{"metric": map[string]string{"__name__": "m" + escapes, "a" + escapes: "v" + escapes}, point: p}},
		}})
	})
	panels := []Panel{{Title: "esc", Expr: "esc"}, {Title: "bad", Expr: "bad"}}
	src, err := New(Options{ClientOptions: ClientOptions{Server: srv.URL}, Panels: panels})
	if err != nil {
		t.Fatal(err)
	}
	defer src.client.CloseIdleConnections()
	src.round(context.Background(), time.Now())
	res := src.Results()
	if len(res[0].Series) != 1 || len(res[0].Warnings) != 1 || res[1].Err == "" {
		t.Fatalf("results %+v", res)
	}
	s := res[0].Series[0]
	checkPrintable(t, "series labels", s.Labels)
	for k, v := range s.Metric {
		checkPrintable(t, "label name", k)
		checkPrintable(t, "label value", v)
	}
	checkPrintable(t, "warning", res[0].Warnings[0])
	checkPrintable(t, "error", res[1].Err)
	if want := "parse error ]52;c;aGk= [2J 31m"; res[1].Err != want {
		t.Errorf("error %q, want %q", res[1].Err, want)
	}

	snaps, err := Query(context.Background(), src.client, panels, time.Time{})
	if err != nil || len(snaps[0].Series) != 1 {
		t.Fatalf("snapshot: %v, %+v", err, snaps)
	}
	checkPrintable(t, "snapshot name", snaps[0].Series[0].Name)
	for k, v := range snaps[0].Series[0].Labels {
		checkPrintable(t, "snapshot label name", k)
		checkPrintable(t, "snapshot label value", v)
	}
	checkPrintable(t, "snapshot warning", snaps[0].Warnings[0])
	checkPrintable(t, "snapshot error", snaps[1].Error)
}
