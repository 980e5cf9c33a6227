package load

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/perftop/perftop/internal/metrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// target is a loopback test server with the endpoints the tests need.
func target(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"ok":true}`)
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) { hits.Add(1); http.Error(w, "no", 503) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &hits
}

func req(t testing.TB, raw string) Request {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return Request{Method: "GET", URL: u, Weight: 1}
}

func run(t *testing.T, o Options) (*Result, *metrics.Store) {
	t.Helper()
	_, res, st := runEngine(t, o)
	return res, st
}

// runEngine runs a test to its end and returns the engine too.
func runEngine(t *testing.T, o Options) (*Engine, *Result, *metrics.Store) {
	t.Helper()
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	st := metrics.NewStore(0)
	res, err := e.Run(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return e, res, st
}

func TestClosedLoopRequestBudget(t *testing.T) {
	for _, netHTTP := range []bool{false, true} {
		t.Run(fmt.Sprintf("nethttp=%v", netHTTP), func(t *testing.T) {
			srv, hits := target(t)
			res, st := run(t, Options{
				Requests:    []Request{req(t, srv.URL+"/ok")},
				Concurrency: 8, MaxRequests: 500,
				Client: ClientOptions{NetHTTP: netHTTP},
			})
			if res.Requests != 500 || hits.Load() != 500 {
				t.Fatalf("result %d requests, server saw %d, want 500", res.Requests, hits.Load())
			}
			if res.Errors != 0 || res.StatusCodes["200"] != 500 {
				t.Fatalf("errors %d, status %v", res.Errors, res.StatusCodes)
			}
			// The correction adds samples for any answer slower than
			// twice its worker's pace: at least the 500 answers.
			if !res.ClosedLoop || res.Latency.Count < 500 || res.Latency.P50 <= 0 || res.Latency.Max < res.Latency.P99 {
				t.Fatalf("latency %+v", res.Latency)
			}
			if res.Service == nil || res.Service.Count != 500 {
				t.Fatalf("service latency %+v", res.Service)
			}
			if res.Phases["connect"].Count == 0 || res.Phases["ttfb"].Count != 500 {
				t.Errorf("phases %+v", res.Phases)
			}
			var sn metrics.Snapshot
			st.Snapshot(&sn)
			if sn.LoadTest == nil || sn.LoadTest.State != "done" || sn.LoadTest.Requests != 500 {
				t.Fatalf("store state %+v", sn.LoadTest)
			}
		})
	}
}

func TestErrorsAreCountedNotFatal(t *testing.T) {
	srv, _ := target(t)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadURL := "http://" + dead.Addr().String() + "/"
	dead.Close()
	ok, fail, down := req(t, srv.URL+"/ok"), req(t, srv.URL+"/fail"), req(t, deadURL)
	// One worker walks the mix in order, so each request gets exactly a third.
	res, _ := run(t, Options{Requests: []Request{ok, fail, down}, Concurrency: 1, MaxRequests: 300})
	if res.Requests != 300 {
		t.Fatalf("%d requests, want 300", res.Requests)
	}
	if res.ErrorsByKind["status_5xx"] != 100 || res.ErrorsByKind["connection_refused"] != 100 || res.Errors != 200 {
		t.Fatalf("errors %d by kind %v", res.Errors, res.ErrorsByKind)
	}
	if res.StatusCodes["503"] != 100 || res.StatusCodes["200"] != 100 {
		t.Fatalf("status codes %v", res.StatusCodes)
	}
	// Throughput counts the 200 answers that came back, not the refusals.
	if want := res.ThroughputRPS / res.RequestRateRPS; want < 0.66 || want > 0.67 {
		t.Fatalf("throughput %v of a request rate %v: the refused third counted", res.ThroughputRPS, res.RequestRateRPS)
	}
}

func TestRedirects(t *testing.T) {
	srv, hits := target(t)
	res, _ := run(t, Options{Requests: []Request{req(t, srv.URL+"/redirect")}, Concurrency: 1, MaxRequests: 10})
	if res.StatusCodes["302"] != 10 || hits.Load() != 0 {
		t.Fatalf("default: a redirect is a response; got %v, %d hits", res.StatusCodes, hits.Load())
	}
	res, _ = run(t, Options{Requests: []Request{req(t, srv.URL+"/redirect")}, Concurrency: 1, MaxRequests: 10, Client: ClientOptions{MaxRedirects: 1}})
	if res.StatusCodes["200"] != 10 || hits.Load() != 10 {
		t.Fatalf("--max-redirects 1: got %v, %d hits", res.StatusCodes, hits.Load())
	}
}

// TestOpenLoopNoCoordinatedOmission: the server stalls every request for
// 300ms once a second. At a constant rate with few requests allowed in
// flight, sends queue behind the stall; measured from their intended time,
// the tail shows the stall, and the late sends are counted.
func TestOpenLoopNoCoordinatedOmission(t *testing.T) {
	start := time.Now()
	const period, stall = time.Second, 300 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in := time.Since(start) % period; in < stall {
			time.Sleep(stall - in) // the server's behaviour under test
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	res, _ := run(t, Options{
		Requests: []Request{req(t, srv.URL)}, Rate: 200, MaxInFlight: 4, Duration: 2500 * time.Millisecond,
	})
	if res.ClosedLoop || res.Service == nil {
		t.Fatal("not an open-loop result")
	}
	if res.Latency.P99 < 0.15 {
		t.Errorf("p99 %.3fs hides a 300ms stall", res.Latency.P99)
	}
	if res.LateSends == 0 {
		t.Error("no late sends counted behind the stall")
	}
	// About a third of the sends fall in a stall and wait for it: from
	// their intended time they are slow; from their actual send they are not.
	if res.Latency.P90 < 0.05 || res.Latency.P90 < 2*res.Service.P90 {
		t.Errorf("corrected p90 %.3fs, uncorrected %.3fs: the queueing behind the stall is hidden", res.Latency.P90, res.Service.P90)
	}
	if res.Requests < 300 {
		t.Errorf("only %d requests at 200/s for 2.5s", res.Requests)
	}
}

func TestStopDuringTest(t *testing.T) {
	srv, _ := target(t)
	e, err := New(Options{Requests: []Request{req(t, srv.URL+"/ok")}, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	st := metrics.NewStore(0)
	ch := st.Changed()
	done := make(chan *Result)
	go func() {
		res, _ := e.Run(context.Background(), st)
		done <- res
	}()
	<-ch // the test is publishing
	e.Pause()
	e.Resume()
	e.Scale(2)
	e.Stop()
	res := <-done
	if res.Errors != 0 {
		t.Fatalf("errors after a clean stop: %v", res.ErrorsByKind)
	}
}

func TestStopAfterTheEndIsNotAStop(t *testing.T) {
	srv, _ := target(t)
	e, _ := New(Options{Requests: []Request{req(t, srv.URL+"/ok")}, Concurrency: 1, MaxRequests: 5})
	if _, err := e.Run(context.Background(), metrics.NewStore(0)); err != nil {
		t.Fatal(err)
	}
	e.Stop() // the dashboard's q after the test finished
	if e.Stopped() {
		t.Fatal("a finished test reported as stopped early")
	}
}

func TestContextCancelStops(t *testing.T) {
	srv, _ := target(t)
	e, _ := New(Options{Requests: []Request{req(t, srv.URL+"/ok")}, Rate: 100})
	ctx, cancel := context.WithCancel(context.Background())
	st := metrics.NewStore(0)
	ch := st.Changed()
	done := make(chan *Result)
	go func() {
		res, _ := e.Run(ctx, st)
		done <- res
	}()
	<-ch
	cancel()
	if res := <-done; res == nil {
		t.Fatal("no result after cancel")
	}
}

func TestNewRejects(t *testing.T) {
	u, _ := url.Parse("http://localhost/")
	tests := []struct {
		name string
		o    Options
	}{
		{"no requests", Options{}},
		{"negative rate", Options{Requests: []Request{{URL: u}}, Rate: -1}},
		{"negative concurrency", Options{Requests: []Request{{URL: u}}, Concurrency: -2}},
	}
	for _, tt := range tests {
		if _, err := New(tt.o); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}

// TestTLSAndHTTP2 runs against a real TLS server: HTTP/1.1 on the fast path
// with --insecure, then HTTP/2 through net/http; the server says which
// protocol it saw.
func TestTLSAndHTTP2(t *testing.T) {
	var h1, h2 atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			h2.Add(1)
		} else {
			h1.Add(1)
		}
		fmt.Fprint(w, "ok")
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()

	res, _ := run(t, Options{Requests: []Request{req(t, srv.URL+"/")}, Concurrency: 2, MaxRequests: 50, Client: ClientOptions{Insecure: true}})
	if res.Errors != 0 || h1.Load() != 50 || res.Phases["tls"].Count == 0 {
		t.Fatalf("https fast path: errors %v, %d HTTP/1.1 requests, tls phases %+v", res.ErrorsByKind, h1.Load(), res.Phases["tls"])
	}
	res, _ = run(t, Options{Requests: []Request{req(t, srv.URL+"/")}, Concurrency: 2, MaxRequests: 50, Client: ClientOptions{Insecure: true, HTTP2: true}})
	if res.Errors != 0 || h2.Load() != 50 {
		t.Fatalf("--http2: errors %v, %d HTTP/2 requests", res.ErrorsByKind, h2.Load())
	}
	// Verification stays on without --insecure: every request fails as tls.
	res, _ = run(t, Options{Requests: []Request{req(t, srv.URL+"/")}, Concurrency: 1, MaxRequests: 5})
	if res.ErrorsByKind["tls"] != 5 {
		t.Fatalf("untrusted certificate: %v", res.ErrorsByKind)
	}
}

// TestTargetGoesDownMidTest: the server dies while the test runs; the
// failures are counted by kind, the workers back off from the refusals
// instead of spinning on them, and the test runs to its end.
func TestTargetGoesDownMidTest(t *testing.T) {
	workerKinds(t, func(t *testing.T, noLoop bool) {
		var n atomic.Int64
		var srv *httptest.Server
		// Unstarted until srv is set: the handler reads it.
		srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 100 {
				go srv.CloseClientConnections()
				go srv.Listener.Close()
			}
			fmt.Fprint(w, "ok")
		}))
		srv.Start()
		defer srv.Close()
		e, res, _ := runEngine(t, Options{
			Requests: []Request{req(t, srv.URL+"/")}, Concurrency: 2, Duration: time.Second,
			Client: ClientOptions{NoEventLoop: noLoop},
		})
		checkAccounting(t, e, res)
		down := res.ErrorsByKind["connection_refused"] + res.ErrorsByKind["connection_reset"] + res.ErrorsByKind["connection_closed"]
		if res.StatusCodes["200"] < 99 || down == 0 || down+res.StatusCodes["200"] != res.Requests {
			t.Fatalf("status %v, errors %v", res.StatusCodes, res.ErrorsByKind)
		}
		// Two workers backing off from 1ms doubling: about 10 attempts
		// each in the second, not thousands.
		if refused := res.ErrorsByKind["connection_refused"]; refused > 40 {
			t.Fatalf("%d refused attempts in a second from 2 workers", refused)
		}
	})
}

// TestTimelineEndsWithoutAnEmptyRemainder: a run's timeline does not end in
// a point with nothing finished in it (the few milliseconds after the last
// tick), which reports charted as a fall to zero.
func TestTimelineEndsWithoutAnEmptyRemainder(t *testing.T) {
	srv, _ := target(t)
	res, _ := run(t, Options{Requests: []Request{req(t, srv.URL+"/ok")}, Concurrency: 2,
		Duration: 550 * time.Millisecond, Interval: 100 * time.Millisecond})
	tl := res.Timeline
	if len(tl) == 0 { // a loaded machine may miss ticks, so not necessarily 5
		t.Fatal("no timeline")
	}
	if last := tl[len(tl)-1]; last.Requests == 0 {
		t.Errorf("the timeline ends in an empty point %+v", last)
	}
}

func TestTimelineKeeps(t *testing.T) {
	const iv = time.Second
	for _, tt := range []struct {
		dt                 time.Duration
		state              metrics.TestState
		finished, inFlight int64
		want               bool
	}{
		{iv, metrics.TestRunning, 0, 0, true},      // a stalled second stays
		{iv / 2, metrics.TestStopping, 0, 3, true}, // half an interval is one: the stop waits for answers
		{iv, metrics.TestStopping, 0, 0, false},    // a slow stop with nothing left to answer
		{iv / 2, metrics.TestStopping, 2, 0, true},
		{7 * time.Millisecond, metrics.TestRunning, 5, 0, false},
		{7 * time.Millisecond, metrics.TestDone, 0, 0, false}, // the empty remainder
		{7 * time.Millisecond, metrics.TestDone, 3, 0, true},  // answers in the remainder
		{iv, metrics.TestDone, 0, 0, false},                   // nothing was in flight at the stop
	} {
		if got := timelineKeeps(tt.dt, iv, tt.state, tt.finished, tt.inFlight); got != tt.want {
			t.Errorf("timelineKeeps(%v, %v, %d, %d) = %v, want %v", tt.dt, tt.state, tt.finished, tt.inFlight, got, tt.want)
		}
	}
}
