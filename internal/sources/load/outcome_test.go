package load

import (
	"context"
	"crypto/tls"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// path is one way the engine sends: the event loops, the goroutine
// workers (keep-alive, not, TLS), the open loop, net/http, HTTP/2.
type path struct {
	name   string
	secure bool // the target speaks TLS
	opts   func(o *Options)
}

var paths = []path{
	{name: "event-loop", opts: func(o *Options) {}},
	{name: "goroutines", opts: func(o *Options) { o.Client.NoEventLoop = true }},
	{name: "no-keepalive", opts: func(o *Options) { o.Client.NoKeepAlive = true }},
	{name: "tls", secure: true, opts: func(o *Options) { o.Client.Insecure = true }},
	{name: "open-loop", opts: func(o *Options) { o.Rate, o.Concurrency = 200, 0 }},
	{name: "open-goroutines", opts: func(o *Options) { o.Rate, o.Concurrency, o.Client.NoEventLoop = 200, 0, true }},
	{name: "net-http", opts: func(o *Options) { o.Client.NetHTTP = true }},
	{name: "http2", secure: true, opts: func(o *Options) { o.Client.HTTP2, o.Client.Insecure = true, true }},
}

func (p path) scheme() string {
	if p.secure {
		return "https"
	}
	return "http"
}

// options are o for path p.
func (p path) options(o Options) Options {
	p.opts(&o)
	return o
}

// checkEngine checks that the engine took the path it was set up for.
func (p path) checkEngine(t *testing.T, e *Engine) {
	t.Helper()
	wantLoop := (p.name == "event-loop" || p.name == "open-loop") && runtime.GOOS == "linux"
	wantFast := p.name != "net-http" && p.name != "http2"
	if e.EventLoop() != wantLoop || e.FastPath() != wantFast {
		t.Fatalf("event loop %v, fast path %v", e.EventLoop(), e.FastPath())
	}
}

// checkAccounting holds a finished run to its outcomes: every request sent
// was counted once, as an answer (a status) or a failure (a kind); errors
// are the kinds' sum; latency is over the answers only; nothing is left in
// flight, open or running; each kind's messages are within their caps and
// their counts within the kind's.
func checkAccounting(t *testing.T, e *Engine, res *Result) {
	t.Helper()
	var c counters
	c.sum(e.shards)
	var answers, transport, failures int64
	for _, n := range res.StatusCodes {
		answers += n
	}
	for k, n := range res.ErrorsByKind {
		failures += n
		if k != KindStatus4xx.String() && k != KindStatus5xx.String() {
			transport += n
		}
	}
	switch {
	case c.started != res.Requests || c.finished != res.Requests:
		t.Fatalf("%d requests sent, %d finished, %d counted", c.started, c.finished, res.Requests)
	case answers+transport != res.Requests:
		t.Fatalf("%d answers and %d failures for %d requests: status %v, errors %v",
			answers, transport, res.Requests, res.StatusCodes, res.ErrorsByKind)
	case failures != res.Errors:
		t.Fatalf("%d errors, by kind %v", res.Errors, res.ErrorsByKind)
	case res.Service == nil || res.Service.Count != answers:
		t.Fatalf("service latency of %+v requests, %d answered", res.Service, answers)
	case res.Latency.Count < answers || res.LatencyHistogram.TotalCount() != res.Latency.Count,
		!res.ClosedLoop && res.Latency.Count != answers:
		// The closed loop's correction adds samples, never requests.
		t.Fatalf("latency of %d requests, %d answered", res.Latency.Count, answers)
	case res.Phases["ttfb"].Count > answers || res.Phases["connect"].Count > answers:
		t.Fatalf("phases of failures counted: %+v", res.Phases)
	case e.workers.Load() != 0:
		t.Fatalf("%d workers after the run", e.workers.Load())
	}
	if e.FastPath() && e.conns.Load() != 0 {
		t.Fatalf("%d connections open after the run", e.conns.Load())
	}
	perKind := map[string]int64{}
	distinct := map[string]int{}
	for i, m := range res.ErrorMessages {
		perKind[m.Kind] += m.Count
		distinct[m.Kind]++
		if i > 0 && m.Count > res.ErrorMessages[i-1].Count {
			t.Fatalf("messages not most frequent first: %+v", res.ErrorMessages)
		}
		if m.Message == "" || len(m.Message) > maxMessageLen || strings.ContainsAny(m.Message, "\r\n\x1b") {
			t.Fatalf("message %q", m.Message)
		}
	}
	for k, n := range perKind {
		if n > res.ErrorsByKind[k] || distinct[k] > maxMessages {
			t.Fatalf("%d messages counting %d %s failures of %d", distinct[k], n, k, res.ErrorsByKind[k])
		}
	}
}

// messageOf is the first message of kind k, or "".
func messageOf(res *Result, k Kind) string {
	for _, m := range res.ErrorMessages {
		if m.Kind == k.String() {
			return m.Message
		}
	}
	return ""
}

// runOutcome runs o, set up for path p, with the engine's dialers'
// resolver replaced when resolve is set, and checks the accounting.
func runOutcome(t *testing.T, p path, o Options, resolve func(context.Context, string) ([]net.IPAddr, error)) (*Result, *metrics.Store) {
	t.Helper()
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if resolve != nil {
		for _, d := range e.fast.dialers {
			d.resolve = resolve
		}
	}
	st := metrics.NewStore(0)
	res, err := e.Run(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	p.checkEngine(t, e)
	checkAccounting(t, e, res)
	var sn metrics.Snapshot
	st.Snapshot(&sn)
	if lt := sn.LoadTest; lt == nil || lt.Requests != res.Requests || lt.Errors != res.Errors || len(lt.ErrorMessages) != len(res.ErrorMessages) {
		t.Fatalf("the Store's load test %+v, result %+v", sn.LoadTest, res)
	}
	return res, st
}

// TestOutcomes: each outcome on each path. Every request of a run meets
// the same target, so every one has the same outcome: an answer with its
// status, or a failure of one kind with its message. (Interrupted is
// TestStopIsBounded's.)
//
// It is longer than a function should be because most of it is the table
// of outcomes, each a target and what every request meets there.
func TestOutcomes(t *testing.T) {
	noSuchHost := func(_ context.Context, host string) ([]net.IPAddr, error) {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	rawTLS := func(t *testing.T, p path) *tls.Config {
		switch {
		case !p.secure:
			return nil
		case p.name == "http2":
			return serverTLS(t, "h2") // the client speaks HTTP/2 to it
		}
		return serverTLS(t)
	}
	raw := func(serve func(net.Conn)) func(t *testing.T, p path) string {
		return func(t *testing.T, p path) string { return tcpServer(t, rawTLS(t, p), serve) }
	}
	tests := []struct {
		name    string
		target  func(t *testing.T, p path) string
		want    Kind   // every request's kind: KindNone, 4xx or 5xx are answers
		status  string // answers: every request's status
		timeout time.Duration
		resolve func(context.Context, string) ([]net.IPAddr, error)
		skip    func(p path) bool
		// orOnHTTP2 is a kind some requests may have instead over HTTP/2,
		// where requests share a connection: the first to see it fail
		// fails as want, the others may find it closed.
		orOnHTTP2 Kind
	}{
		{name: "answer", target: func(t *testing.T, p path) string { return httpServer(t, p.secure, answers(200, 0)) }, status: "200"},
		{name: "status 4xx", target: func(t *testing.T, p path) string { return httpServer(t, p.secure, answers(404, 0)) }, want: KindStatus4xx, status: "404"},
		{name: "status 5xx", target: func(t *testing.T, p path) string { return httpServer(t, p.secure, answers(503, 0)) }, want: KindStatus5xx, status: "503"},
		{
			name: "timeout", want: KindTimeout, timeout: 100 * time.Millisecond,
			target: func(t *testing.T, p path) string {
				if p.secure {
					return httpServer(t, true, stalls) // handshakes, then never answers
				}
				return tcpServer(t, nil, silent)
			},
		},
		{name: "refused", want: KindRefused, target: func(t *testing.T, p path) string { return deadURL(t, p.scheme()) }},
		{name: "reset", want: KindReset, target: raw(resets), orOnHTTP2: KindClosed},
		{name: "closed", want: KindClosed, target: raw(hangsUp)},
		{name: "protocol", want: KindProtocol, target: raw(babbles), orOnHTTP2: KindClosed},
		{
			name: "tls", want: KindTLS, skip: func(p path) bool { return !p.secure },
			target: func(t *testing.T, p path) string { return httpServer(t, true, answers(200, 0)) },
		},
		{
			name: "dns", want: KindDNS, resolve: noSuchHost,
			skip:   func(p path) bool { return p.name == "net-http" || p.name == "http2" }, // its resolver is the system's
			target: func(t *testing.T, p path) string { return p.scheme() + "://nowhere.invalid:1/" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range paths {
				if tt.skip != nil && tt.skip(p) {
					continue
				}
				t.Run(p.name, func(t *testing.T) {
					t.Parallel()
					o := p.options(Options{Requests: []Request{req(t, tt.target(t, p))}, Concurrency: 2, MaxRequests: 8, Client: ClientOptions{Timeout: tt.timeout}})
					if tt.want == KindTLS {
						o.Client.Insecure = false
					}
					res, _ := runOutcome(t, p, o, tt.resolve)
					if res.Requests != 8 {
						t.Fatalf("%d requests, want 8", res.Requests)
					}
					if tt.status != "" {
						if res.StatusCodes[tt.status] != res.Requests {
							t.Fatalf("status %v, errors %v, want all %s", res.StatusCodes, res.ErrorsByKind, tt.status)
						}
						if tt.want != KindNone && res.ErrorsByKind[tt.want.String()] != res.Requests {
							t.Fatalf("errors %v, want all %v", res.ErrorsByKind, tt.want)
						}
						return
					}
					got := res.ErrorsByKind[tt.want.String()]
					if p.name == "http2" && tt.orOnHTTP2 != KindNone && got > 0 {
						got += res.ErrorsByKind[tt.orOnHTTP2.String()]
					}
					if got != res.Requests {
						t.Fatalf("errors %v (%v), status %v, want all %v", res.ErrorsByKind, res.ErrorMessages, res.StatusCodes, tt.want)
					}
					if messageOf(res, tt.want) == "" {
						t.Fatalf("no message for %v: %+v", tt.want, res.ErrorMessages)
					}
				})
			}
		})
	}
}

// stopTargets are servers that accept and never answer, for path p: a
// silent TCP server, and over TLS one that handshakes and never answers
// (net/http, HTTP/2 included) and one that never handshakes.
func stopTargets(t *testing.T, p path) map[string]string {
	if !p.secure {
		return map[string]string{"silent": tcpServer(t, nil, silent)}
	}
	return map[string]string{
		"silent":       httpServer(t, true, stalls),
		"no handshake": strings.Replace(tcpServer(t, nil, silent), "http:", "https:", 1),
	}
}

// TestStopIsBounded: against servers that never answer, with a request
// timeout of 30s, each path stops on time however the test ends: its
// duration, Stop (s, q, Ctrl-C, SIGTERM) after the grace period, Abort (a
// second Ctrl-C) at once. Every request sent is counted, interrupted.
func TestStopIsBounded(t *testing.T) {
	const grace = 500 * time.Millisecond
	ends := []struct {
		name   string
		o      Options
		stop   func(e *Engine)
		within time.Duration
	}{
		{name: "duration", o: Options{Duration: time.Second, Grace: grace}, within: 5 * time.Second},
		{name: "stop", o: Options{Grace: grace}, stop: (*Engine).Stop, within: 3 * time.Second},
		// The grace period is not waited for.
		{name: "abort", o: Options{Grace: time.Minute}, stop: (*Engine).Abort, within: 2 * time.Second},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			for name, u := range stopTargets(t, p) {
				for _, end := range ends {
					t.Run(name+"/"+end.name, func(t *testing.T) {
						o := end.o
						o.Requests, o.Concurrency = []Request{req(t, u)}, 4
						o.Client.Timeout = 30 * time.Second
						o = p.options(o)
						o.Rate /= 4 // open loop: 50 a second
						e, err := New(o)
						if err != nil {
							t.Fatal(err)
						}
						start := time.Now()
						if end.stop != nil {
							time.AfterFunc(300*time.Millisecond, func() { end.stop(e) })
						}
						res, err := e.Run(context.Background(), metrics.NewStore(0))
						if err != nil {
							t.Fatal(err)
						}
						if took := time.Since(start); took > end.within {
							t.Fatalf("Run took %v", took)
						}
						checkAccounting(t, e, res)
						if res.Requests == 0 || res.ErrorsByKind[KindInterrupted.String()] != res.Requests || res.Errors != res.Requests {
							t.Fatalf("%d requests, errors %v", res.Requests, res.ErrorsByKind)
						}
						if messageOf(res, KindInterrupted) != errInterrupted.Error() {
							t.Fatalf("messages %+v", res.ErrorMessages)
						}
						if end.name != "duration" && !e.Stopped() {
							t.Fatal("not reported as stopped")
						}
					})
				}
			}
		})
	}
}

// TestGraceLetsAnswersIn: a stop waits for the answers of requests in
// flight, within the grace period: they are answers, not interruptions.
func TestGraceLetsAnswersIn(t *testing.T) {
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			u := httpServer(t, p.secure, answers(200, 300*time.Millisecond))
			o := p.options(Options{Requests: []Request{req(t, u)}, Concurrency: 4, Duration: 500 * time.Millisecond, Grace: 6 * time.Second})
			o.Rate /= 10
			e, err := New(o)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res, err := e.Run(context.Background(), metrics.NewStore(0))
			if err != nil {
				t.Fatal(err)
			}
			// About 0.8s: the answers, not the grace period (a loaded
			// machine stretches it, hence the room).
			if took := time.Since(start); took > 4*time.Second {
				t.Fatalf("Run took %v: the stop waited for more than the answers", took)
			}
			checkAccounting(t, e, res)
			if res.Requests == 0 || res.Errors != 0 || res.StatusCodes["200"] != res.Requests {
				t.Fatalf("%d requests, status %v, errors %v", res.Requests, res.StatusCodes, res.ErrorsByKind)
			}
		})
	}
}

// TestRefusedBackoff: against a dead port the closed loop's workers back
// off, on event loops and goroutines alike: 50 workers for 2s make a few
// hundred attempts (each about 11: 1ms, 2ms, ... 1s apart), not tens of
// thousands. The open loop keeps its schedule: its rate is its attempts.
func TestRefusedBackoff(t *testing.T) {
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			o := p.options(Options{Requests: []Request{req(t, deadURL(t, p.scheme()))}, Concurrency: 50, Duration: 2 * time.Second})
			if o.Rate > 0 {
				o.Rate = 100
			}
			res, _ := runOutcome(t, p, o, nil)
			refused := res.ErrorsByKind[KindRefused.String()]
			t.Logf("%d attempts in %.1fs", refused, res.DurationSeconds)
			if refused != res.Requests || res.Latency.Count != 0 {
				t.Fatalf("errors %v, latency %+v", res.ErrorsByKind, res.Latency)
			}
			lo, hi := int64(50), int64(700)
			if o.Rate > 0 {
				// 100 a second for as long as it ran: a loaded machine
				// sees the end of the 2s late, and the schedule goes on
				// until it does.
				lo, hi = 150, int64(o.Rate*res.DurationSeconds*1.05)+5
			}
			if refused < lo || refused > hi {
				t.Fatalf("%d attempts, want %d to %d", refused, lo, hi)
			}
		})
	}
}

// TestRefusedBackoffResets: an answer ends the backoff. One worker walks
// a mix of a dead port and a live server; each refusal waits 1ms only.
func TestRefusedBackoffResets(t *testing.T) {
	workerKinds(t, func(t *testing.T, noLoop bool) {
		live, dead := req(t, httpServer(t, false, answers(200, 0))), req(t, deadURL(t, "http"))
		start := time.Now()
		res, _ := run(t, Options{Requests: []Request{live, dead}, Concurrency: 1, MaxRequests: 200, Client: ClientOptions{NoEventLoop: noLoop}})
		if res.StatusCodes["200"] != 100 || res.ErrorsByKind[KindRefused.String()] != 100 {
			t.Fatalf("status %v, errors %v", res.StatusCodes, res.ErrorsByKind)
		}
		// Grown across the answers, the waits would add up to a minute
		// and more.
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("200 requests took %v: the backoff grew across answers", took)
		}
	})
}
