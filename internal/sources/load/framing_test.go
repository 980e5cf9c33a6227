package load

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rawScript is a loopback server that writes raw bytes: for the n-th
// request on a connection (from 1) it reads the request head and body and
// calls answer, which writes whatever it likes to the connection. The
// connection is closed when answer returns false.
func rawScript(t testing.TB, answer func(w io.Writer, n int) bool) string {
	t.Helper()
	return tcpServer(t, nil, func(c net.Conn) {
		br := newLineReader(c)
		for n := 1; ; n++ {
			length, err := br.requestHead()
			if err != nil {
				return
			}
			if _, err := io.CopyN(io.Discard, br, length); err != nil || !answer(c, n) {
				return
			}
		}
	})
}

// say is an answer that writes s and keeps the connection; sayClose closes
// it after.
func say(s string) func(io.Writer, int) bool {
	return func(w io.Writer, _ int) bool {
		_, err := io.WriteString(w, s)
		return err == nil
	}
}

func sayClose(s string) func(io.Writer, int) bool {
	return func(w io.Writer, _ int) bool {
		_, _ = io.WriteString(w, s)
		return false
	}
}

// sayForever writes head, then s again and again until the client gives
// up on the connection.
func sayForever(head, s string) func(io.Writer, int) bool {
	return func(w io.Writer, _ int) bool {
		if _, err := io.WriteString(w, head); err != nil {
			return false
		}
		for {
			if _, err := io.WriteString(w, s); err != nil {
				return false
			}
		}
	}
}

// answered checks that every request was answered with code, body bytes
// each, on kept-alive connections (at most one per worker) or on one
// connection each.
func answered(code string, body int64, kept bool) func(t *testing.T, res *Result) {
	return func(t *testing.T, res *Result) {
		t.Helper()
		if res.Errors != 0 || res.StatusCodes[code] != res.Requests {
			t.Fatalf("errors %v, status %v of %d, want all %s", res.ErrorsByKind, res.StatusCodes, res.Requests, code)
		}
		if res.BytesReceived != body*res.Requests {
			t.Fatalf("%d body bytes for %d requests, want %d each", res.BytesReceived, res.Requests, body)
		}
		got := res.Phases["connect"].Count
		if kept && (got < 1 || got > framingWorkers) || !kept && got != res.Requests {
			t.Fatalf("%d connections for %d requests from %d workers, kept alive %v", got, res.Requests, framingWorkers, kept)
		}
	}
}

// framingWorkers is how many closed-loop workers TestFraming runs.
const framingWorkers = 2

// failed checks that every request failed as kind, none by its timeout.
func failed(kind Kind) func(t *testing.T, res *Result) {
	return func(t *testing.T, res *Result) {
		t.Helper()
		if res.ErrorsByKind[kind.String()] != res.Requests || len(res.StatusCodes) != 0 {
			t.Fatalf("errors %v, status %v of %d, want all %v", res.ErrorsByKind, res.StatusCodes, res.Requests, kind)
		}
	}
}

// TestFraming: servers that write RFC 9112's corner cases as raw bytes,
// each run through the engine on event loops and on goroutines with the
// same outcome.
//
// Most of its length is the table: each server's bytes next to what they
// must come to.
func TestFraming(t *testing.T) {
	const ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	const chunkedOK = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
	tests := []struct {
		name   string
		answer func(w io.Writer, n int) bool
		check  func(t *testing.T, res *Result)
	}{
		{"100 continue, then the answer", say("HTTP/1.1 100 Continue\r\n\r\n" + ok), answered("200", 2, true)},
		{
			"102 and 103 early hints, then a chunked answer",
			say("HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n" + chunkedOK),
			answered("200", 2, true),
		},
		{"101 switching protocols", say("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"), failed(KindProtocol)},
		{"100 continue forever", sayForever("", "HTTP/1.1 100 Continue\r\n\r\n"), failed(KindProtocol)},
		{"conflicting content-length", say("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nokk"), failed(KindProtocol)},
		{"content-length list that conflicts", say("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nokk"), failed(KindProtocol)},
		{"repeated content-length", say("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2, 2\r\n\r\nok"), answered("200", 2, true)},
		{"header lines forever", sayForever("HTTP/1.1 200 OK\r\n", "X-Padding: a\r\n"), failed(KindProtocol)},
		{"long header lines forever", sayForever("HTTP/1.1 200 OK\r\n", "X-Padding: "+strings.Repeat("a", 8000)+"\r\n"), failed(KindProtocol)},
		{
			// Transfer-Encoding frames the body; the connection is closed
			// by the client although the server keeps it.
			"transfer-encoding and content-length",
			say("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"),
			answered("200", 2, false),
		},
		{"chunked in capitals, after another coding", say("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n2\r\nok\r\n0\r\n\r\n"), answered("200", 2, true)},
		{
			// Not the final coding: the body is everything to the close.
			"chunked, then gzip",
			sayClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nok\r\n0\r\n\r\n"),
			answered("200", 12, false),
		},
		{
			// Once the substring match of old: not chunked, so to the close.
			"a coding that contains chunked",
			sayClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: notchunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"),
			answered("200", 12, false),
		},
		{
			// Bytes beyond the answer: the connection is not reused.
			"body longer than content-length",
			say("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"),
			answered("200", 2, false),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			workerKinds(t, func(t *testing.T, noLoop bool) {
				u := rawScript(t, tt.answer)
				start := time.Now()
				e, res, _ := runEngine(t, Options{
					Requests: []Request{req(t, u)}, Concurrency: framingWorkers, MaxRequests: 20,
					Client: ClientOptions{NoEventLoop: noLoop, Timeout: 5 * time.Second},
				})
				if e.EventLoop() == noLoop && runtime.GOOS == "linux" {
					t.Fatalf("EventLoop() = %v", e.EventLoop())
				}
				if res.Requests != 20 {
					t.Fatalf("%d requests, want 20", res.Requests)
				}
				if took := time.Since(start); took > 4*time.Second {
					t.Fatalf("took %v: requests waited for their timeout", took)
				}
				if e.conns.Load() != 0 {
					t.Fatalf("%d connections open after the run", e.conns.Load())
				}
				tt.check(t, res)
			})
		})
	}
}

// TestInterimLatency: the latency of a request answered after a 100
// Continue runs to the final answer; its time to first byte is the 100's.
func TestInterimLatency(t *testing.T) {
	const wait = 30 * time.Millisecond
	workerKinds(t, func(t *testing.T, noLoop bool) {
		u := rawScript(t, func(w io.Writer, _ int) bool {
			if _, err := io.WriteString(w, "HTTP/1.1 100 Continue\r\n\r\n"); err != nil {
				return false
			}
			time.Sleep(wait) // the server's behaviour under test
			_, err := io.WriteString(w, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			return err == nil
		})
		_, res, _ := runEngine(t, Options{
			Requests: []Request{req(t, u)}, Concurrency: 2, MaxRequests: 10,
			Client: ClientOptions{NoEventLoop: noLoop},
		})
		if res.Errors != 0 || res.StatusCodes["200"] != 10 {
			t.Fatalf("errors %v, status %v", res.ErrorsByKind, res.StatusCodes)
		}
		if res.Latency.Min < wait.Seconds() {
			t.Fatalf("latency min %.4fs: the 100 Continue was taken for the answer", res.Latency.Min)
		}
		if ttfb := res.Phases["ttfb"]; ttfb.Count != 10 || ttfb.P50 > res.Latency.P50-wait.Seconds()/2 {
			t.Fatalf("ttfb %+v for latency p50 %.4fs: not the first byte's", ttfb, res.Latency.P50)
		}
	})
}

// TestRedirectLimit: with --max-redirects N, N redirects are followed, and
// a redirect after them is a failure of kind redirects, as curl's exit 47.
// Without the option, a redirect is the answer, on net/http as on the fast
// path.
func TestRedirectLimit(t *testing.T) {
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/two", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/one", http.StatusMovedPermanently) })
	mux.HandleFunc("/one", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusSeeOther) })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	tests := []struct {
		path    string
		max     int
		netHTTP bool
		status  string // every request answered with this
		kind    Kind   // or failed as this
	}{
		{path: "/two", max: 2, status: "200"},
		{path: "/two", max: 1, kind: KindRedirects},
		{path: "/loop", max: 3, kind: KindRedirects},
		{path: "/two", max: 0, status: "301"},
		{path: "/two", max: 0, netHTTP: true, status: "301"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s max=%d nethttp=%v", tt.path, tt.max, tt.netHTTP), func(t *testing.T) {
			hits.Store(0)
			res, _ := run(t, Options{
				Requests: []Request{req(t, srv.URL+tt.path)}, Concurrency: 2, MaxRequests: 10,
				Client: ClientOptions{MaxRedirects: tt.max, NetHTTP: tt.netHTTP},
			})
			if tt.kind != KindNone {
				failed(tt.kind)(t, res)
			} else if res.Errors != 0 || res.StatusCodes[tt.status] != 10 {
				t.Fatalf("errors %v, status %v, want all %s", res.ErrorsByKind, res.StatusCodes, tt.status)
			}
			if tt.path == "/loop" && hits.Load() != int64(10*(tt.max+1)) {
				t.Fatalf("%d requests reached the loop, want %d", hits.Load(), 10*(tt.max+1))
			}
		})
	}
}

// TestNetHTTPSwitchingProtocols: net/http hands a 101's connection over as
// its body; the net/http path fails it as protocol, as the fast path does,
// instead of reading it to the timeout.
func TestNetHTTPSwitchingProtocols(t *testing.T) {
	u := rawScript(t, say("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"))
	res, _ := run(t, Options{
		Requests: []Request{req(t, u)}, Concurrency: 2, MaxRequests: 10,
		Client: ClientOptions{NetHTTP: true, Timeout: 5 * time.Second},
	})
	failed(KindProtocol)(t, res)
}
