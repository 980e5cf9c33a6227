package prom

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/perftop/perftop/internal/metrics"
)

// runScraper runs s until the test ends and returns a function that waits
// for the target's state to satisfy ok.
func runScraper(t *testing.T, s *Scraper) func(what string, ok func(*metrics.PromTarget, metrics.Health) bool) {
	st := metrics.NewStore(0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx, st); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return func(what string, ok func(*metrics.PromTarget, metrics.Health) bool) {
		t.Helper()
		deadline := time.After(20 * time.Second)
		for {
			ch := st.Changed()
			var sn metrics.Snapshot
			st.Snapshot(&sn)
			if pt := sn.Prom[s.URL()]; pt != nil && ok(pt, sn.Health[s.Name()]) {
				return
			}
			select {
			case <-ch:
			case <-deadline:
				t.Fatalf("no %s: %+v, health %+v", what, sn.Prom[s.URL()], sn.Health[s.Name()])
			}
		}
	}
}

// panicky is a transport that panics on its first calls, as a scrape's
// code might on a target's input.
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

// TestScraperRecoversPanics: a scrape that panics marks the target down,
// "crashed: ...", and the target is scraped again after the backoff, not
// left up with stale data.
func TestScraperRecoversPanics(t *testing.T) {
	url := serve(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, exposition(1, 0, 1, 0, 0, [4]int{1, 1, 1, 1}))
	})
	tr := &panicky{panics: 2}
	c := &http.Client{Transport: tr}
	defer http.DefaultTransport.(*http.Transport).CloseIdleConnections()
	wait := runScraper(t, New(Options{URL: url, Interval: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, Client: c}))
	wait("a crash", func(pt *metrics.PromTarget, h metrics.Health) bool {
		return !pt.Up && pt.Error == "crashed: boom [2J" && h.LastError == pt.Error && !h.NextRetry.IsZero()
	})
	wait("recovery", func(pt *metrics.PromTarget, h metrics.Health) bool { return pt.Up && h.Up && pt.Series == 8 })

	snap := Snapshot(context.Background(), Options{URL: url, Client: &http.Client{Transport: &panicky{panics: 1 << 30}}}, time.Millisecond)
	if snap.Up || snap.Error != "crashed: boom [2J" {
		t.Errorf("snapshot of a scrape that panics: %+v", snap)
	}
}

// TestScraperHostileAfterGoodScrapes: a target that answers three good
// scrapes and then a length prefix of 2^50 bytes, which crashed the
// dashboard, is down with the reason and comes back up.
func TestScraperHostileAfterGoodScrapes(t *testing.T) {
	var good bytes.Buffer
	enc := expfmt.NewEncoder(&good, expfmt.NewFormat(expfmt.TypeProtoDelim))
	for _, f := range parse(t, exposition(1, 0, 1, 0, 0, [4]int{1, 1, 1, 1})) {
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
	}
	var n atomic.Int32
	url := target(t, protoType, func(w http.ResponseWriter) {
		if k := n.Add(1); k > 3 && k <= 5 {
			w.Write(protowire.AppendVarint(nil, 1<<50))
			return
		}
		w.Write(good.Bytes())
	})
	wait := runScraper(t, New(Options{URL: url, Interval: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}))
	wait("down", func(pt *metrics.PromTarget, h metrics.Health) bool {
		return !pt.Up && pt.Error == "parse error: protobuf message of 1125899906842624 bytes exceeds the 10 MiB limit" && len(pt.Families) == 6
	})
	wait("up again", func(pt *metrics.PromTarget, h metrics.Health) bool { return pt.Up && n.Load() > 5 })

	snap := Snapshot(context.Background(), Options{URL: target(t, protoType, whole(protowire.AppendVarint(nil, 1<<40)))}, time.Millisecond)
	if snap.Up || !strings.Contains(snap.Error, "protobuf message of 1099511627776 bytes exceeds the 10 MiB limit") {
		t.Errorf("snapshot of a length prefix of 2^40: %+v", snap)
	}
}

// escapes is what a hostile target puts in its words: an OSC 52 that
// writes the clipboard, a screen clear, a bell, a newline, a C1 CSI.
const escapes = "\x1b]52;c;aGk=\x07 \x1b[2J\n\u009b31m"

// TestTargetWordsPrintable scrapes a target whose HELP text and label
// values carry terminal escapes, in text and protobuf, and one whose reason
// phrase does: whatever reaches the target's state or its error is one
// printable line.
func TestTargetWordsPrintable(t *testing.T) {
	escaped := strings.ReplaceAll(escapes, "\n", `\n`) // a newline as the text format writes it
	text := "# HELP http_requests_total Requests " + escaped + " served.\n# TYPE http_requests_total counter\n" +
		`http_requests_total{code="500",handler="/api` + escaped + `"} 5` + "\n"
	var pb bytes.Buffer
	enc := expfmt.NewEncoder(&pb, expfmt.NewFormat(expfmt.TypeProtoDelim))
	for _, f := range parse(t, text) {
		if err := enc.Encode(f); err != nil {
			t.Fatal(err)
		}
	}
	badName := delimited(pbFamilyMsg("m"+escapes, 0, 1, 0))
	tests := []struct {
		name, ctype string
		body        []byte
	}{
		{"text", "text/plain; version=0.0.4", []byte(text)},
		{"protobuf", protoType, pb.Bytes()},
		{"protobuf name", protoType, badName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt := Snapshot(context.Background(), Options{URL: target(t, tt.ctype, whole(tt.body))}, time.Millisecond)
			checkPrintable(t, "error", pt.Error)
			if tt.name == "protobuf name" {
				if !strings.Contains(pt.Error, `invalid metric name "m\x1b]52;c;aGk=\a \x1b[2J\n\u009b31m"`) {
					t.Errorf("error %q, want the name quoted", pt.Error)
				}
				return
			}
			if !pt.Up || len(pt.Families) != 1 || len(pt.Breakdown) != 1 {
				t.Fatalf("scrape: %+v", pt)
			}
			checkPrintable(t, "help", pt.Families[0].Help)
			checkPrintable(t, "family", pt.Families[0].Name)
			checkPrintable(t, "breakdown value", pt.Breakdown[0].Value)
			checkPrintable(t, "request metric", pt.RED.RequestMetric)
			if want := "Requests ]52;c;aGk= [2J 31m served."; pt.Families[0].Help != want {
				t.Errorf("help %q, want %q", pt.Families[0].Help, want)
			}
		})
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			fmt.Fprint(c, "HTTP/1.1 500 Oops "+strings.ReplaceAll(escapes, "\n", "")+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			c.Close()
		}
	}()
	pt := Snapshot(context.Background(), Options{URL: "http://" + l.Addr().String() + "/metrics"}, time.Millisecond)
	checkPrintable(t, "reason phrase error", pt.Error)
	if !strings.HasPrefix(pt.Error, "HTTP 500 Oops ]52;c;aGk=") {
		t.Errorf("reason phrase error %q", pt.Error)
	}
}
