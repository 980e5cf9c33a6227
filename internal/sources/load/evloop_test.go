package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// workerKinds runs a test both ways a closed loop can run: on event loops
// (where the platform has them) and as goroutines. Both must give the same
// results.
func workerKinds(t *testing.T, f func(t *testing.T, noLoop bool)) {
	for _, noLoop := range []bool{false, true} {
		t.Run(fmt.Sprintf("goroutines=%v", noLoop), func(t *testing.T) { f(t, noLoop) })
	}
}

func TestEventLoopIsUsed(t *testing.T) {
	srv, _ := target(t)
	e, res, _ := runEngine(t, Options{Requests: []Request{req(t, srv.URL+"/ok")}, Concurrency: 4, MaxRequests: 100})
	if want := runtime.GOOS == "linux"; e.EventLoop() != want {
		t.Fatalf("EventLoop() = %v on %s", e.EventLoop(), runtime.GOOS)
	}
	if res.Requests != 100 || res.Errors != 0 {
		t.Fatalf("%d requests, %d errors", res.Requests, res.Errors)
	}
	e, _, _ = runEngine(t, Options{Requests: []Request{req(t, srv.URL+"/ok")}, Concurrency: 4, MaxRequests: 10, Client: ClientOptions{NoEventLoop: true}})
	if e.EventLoop() {
		t.Fatal("NoEventLoop ran event loops")
	}
	r := req(t, srv.URL+"/ok")
	r.Think = time.Millisecond
	if e, _, _ = runEngine(t, Options{Requests: []Request{r}, Concurrency: 1, MaxRequests: 2}); e.EventLoop() {
		t.Fatal("think times ran on event loops")
	}
}

// scriptedServer answers every request on a connection with respond(n), n
// counting the connection's requests from 1, after reading the request
// head and any Content-Length body; it closes the connection when respond
// says so.
func scriptedServer(t *testing.T, respond func(n int) (answer string, close bool)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	conns := make(chan net.Conn, 1024)
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
			go func() {
				defer c.Close()
				br := newLineReader(c)
				for n := 1; ; n++ {
					length, err := br.requestHead()
					if err != nil {
						return
					}
					if _, err := io.CopyN(io.Discard, br, length); err != nil {
						return
					}
					answer, closeIt := respond(n)
					if _, err := io.WriteString(c, answer); err != nil || closeIt {
						return
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		close(conns)
		for c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String() + "/"
}

// TestClosedLoopConnectionEdges: servers that close kept-alive connections,
// send large or chunked bodies, take large request bodies or never answer.
// Each case runs on event loops and on goroutines, with the same results.
//
// It is longer than a function should be because most of it is the table of
// cases, each a server's script and its checks, read side by side.
func TestClosedLoopConnectionEdges(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	chunked := "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"100000\r\n" + big + "\r\n1\r\ny\r\n0\r\n\r\n"
	ok := "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
	tests := []struct {
		name     string
		respond  func(n int) (string, bool)
		body     []byte
		requests int64
		timeout  time.Duration
		duration time.Duration // instead of a request budget
		check    func(t *testing.T, res *Result)
	}{
		{
			// No Connection: close: the client finds out when it
			// reuses the connection, retries once and counts nothing.
			name:    "server closes after each answer",
			respond: func(int) (string, bool) { return ok, true },
			check: func(t *testing.T, res *Result) {
				if res.Errors != 0 || res.StatusCodes["200"] != res.Requests {
					t.Fatalf("errors %v, status %v", res.ErrorsByKind, res.StatusCodes)
				}
				if res.Phases["connect"].Count != res.Requests {
					t.Fatalf("%d connects for %d requests", res.Phases["connect"].Count, res.Requests)
				}
			},
		},
		{
			name: "connection: close",
			respond: func(int) (string, bool) {
				return "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", true
			},
			check: func(t *testing.T, res *Result) {
				if res.Errors != 0 || res.Phases["connect"].Count != res.Requests {
					t.Fatalf("errors %v, %d connects", res.ErrorsByKind, res.Phases["connect"].Count)
				}
			},
		},
		{
			name:    "megabyte bodies",
			respond: func(n int) (string, bool) { return "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + big, false },
			check: func(t *testing.T, res *Result) {
				if res.Errors != 0 || res.BytesReceived != res.Requests<<20 {
					t.Fatalf("errors %v, %d bytes for %d requests", res.ErrorsByKind, res.BytesReceived, res.Requests)
				}
			},
		},
		{
			name:    "chunked megabyte bodies",
			respond: func(n int) (string, bool) { return chunked, false },
			check: func(t *testing.T, res *Result) {
				if res.Errors != 0 || res.BytesReceived != res.Requests*(1<<20+1) {
					t.Fatalf("errors %v, %d bytes for %d requests", res.ErrorsByKind, res.BytesReceived, res.Requests)
				}
				if res.Phases["connect"].Count != 2 {
					t.Fatalf("%d connects: kept-alive connections not reused", res.Phases["connect"].Count)
				}
			},
		},
		{
			// Larger than the socket buffers: written in parts.
			name:    "4 MiB request bodies",
			respond: func(int) (string, bool) { return ok, false },
			body:    bytes.Repeat([]byte("b"), 4<<20),
			check: func(t *testing.T, res *Result) {
				if res.Errors != 0 || res.StatusCodes["200"] != res.Requests {
					t.Fatalf("errors %v, status %v", res.ErrorsByKind, res.StatusCodes)
				}
			},
		},
		{
			name:    "garbage answers",
			respond: func(int) (string, bool) { return "SSH-2.0-OpenSSH_9.2\r\n", false },
			check: func(t *testing.T, res *Result) {
				if res.ErrorsByKind["protocol"] != res.Requests {
					t.Fatalf("errors %v of %d", res.ErrorsByKind, res.Requests)
				}
			},
		},
		{
			// The second answer on each connection never comes.
			name: "silence times out",
			respond: func(n int) (string, bool) {
				if n > 1 {
					return "", false
				}
				return ok, false
			},
			requests: 6,
			timeout:  50 * time.Millisecond,
			check: func(t *testing.T, res *Result) {
				if res.ErrorsByKind["timeout"] == 0 || res.StatusCodes["200"] == 0 ||
					res.ErrorsByKind["timeout"]+res.StatusCodes["200"] != res.Requests {
					t.Fatalf("errors %v, status %v of %d", res.ErrorsByKind, res.StatusCodes, res.Requests)
				}
			},
		},
		{
			// The second answer never comes, and the test stops before
			// the 30s timeout: cut off after the grace period.
			name: "silence until the stop is interrupted",
			respond: func(n int) (string, bool) {
				if n > 1 {
					return "", false
				}
				return ok, false
			},
			duration: 300 * time.Millisecond,
			timeout:  30 * time.Second,
			check: func(t *testing.T, res *Result) {
				if res.ErrorsByKind["interrupted"] != 2 || res.StatusCodes["200"] != 2 || res.Requests != 4 {
					t.Fatalf("errors %v, status %v of %d", res.ErrorsByKind, res.StatusCodes, res.Requests)
				}
			},
		},
		{
			// Each connection's answers stop after its fifth request.
			name: "server closes instead of answering",
			respond: func(n int) (string, bool) {
				if n > 5 {
					return "", true
				}
				return ok, false
			},
			check: func(t *testing.T, res *Result) {
				// Five answers a connection, then its close is an
				// idle close to the client, which retries once on a
				// new connection, whose first request is answered.
				if res.Errors != 0 || res.StatusCodes["200"] != res.Requests {
					t.Fatalf("errors %v, status %v of %d", res.ErrorsByKind, res.StatusCodes, res.Requests)
				}
			},
		},
		{
			name:    "server closes every connection unanswered",
			respond: func(n int) (string, bool) { return "", true },
			check: func(t *testing.T, res *Result) {
				if res.ErrorsByKind["connection_closed"] != res.Requests {
					t.Fatalf("errors %v, status %v of %d", res.ErrorsByKind, res.StatusCodes, res.Requests)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			workerKinds(t, func(t *testing.T, noLoop bool) {
				u := scriptedServer(t, tt.respond)
				r := req(t, u)
				if tt.body != nil {
					r.Method, r.Body = "POST", tt.body
				}
				n := tt.requests
				if n == 0 && tt.duration == 0 {
					n = 40
				}
				e, res, _ := runEngine(t, Options{
					Requests: []Request{r}, Concurrency: 2, MaxRequests: n, Duration: tt.duration, Grace: 200 * time.Millisecond,
					Client: ClientOptions{NoEventLoop: noLoop, Timeout: tt.timeout},
				})
				if e.EventLoop() == noLoop && runtime.GOOS == "linux" {
					t.Fatalf("EventLoop() = %v", e.EventLoop())
				}
				if n > 0 && res.Requests != n {
					t.Fatalf("%d requests, want %d", res.Requests, n)
				}
				checkAccounting(t, e, res)
				tt.check(t, res)
			})
		})
	}
}

// TestClosedLoopStepsAndHosts: workers follow stages up and down, and each
// request goes to its own host, on event loops as on goroutines.
func TestClosedLoopStepsAndHosts(t *testing.T) {
	workerKinds(t, func(t *testing.T, noLoop bool) {
		a, hitsA := target(t)
		b, hitsB := target(t)
		e, res, _ := runEngine(t, Options{
			Requests: []Request{req(t, a.URL+"/ok"), req(t, b.URL+"/ok")},
			Stages:   []Stage{{Duration: 300 * time.Millisecond, Target: 6}, {Duration: 300 * time.Millisecond, Target: 0}},
			Interval: 50 * time.Millisecond,
			Client:   ClientOptions{NoEventLoop: noLoop},
		})
		if e.EventLoop() == noLoop && runtime.GOOS == "linux" {
			t.Fatalf("EventLoop() = %v", e.EventLoop())
		}
		if res.Errors != 0 || res.Requests == 0 {
			t.Fatalf("%d requests, errors %v", res.Requests, res.ErrorsByKind)
		}
		// Weighted alike, the two hosts share the requests within one
		// per worker (each worker walks the schedule from its own place).
		if d := hitsA.Load() - hitsB.Load(); d < -6 || d > 6 {
			t.Fatalf("hosts got %d and %d requests", hitsA.Load(), hitsB.Load())
		}
		if e.workers.Load() != 0 || e.conns.Load() != 0 {
			t.Fatalf("after the run: %d workers, %d connections", e.workers.Load(), e.conns.Load())
		}
	})
}

// BenchmarkClosedLoop is a whole closed-loop run of b.N requests from 8
// workers against a loopback server that allocates nothing: on event loops
// and on goroutines. allocs/op is the run's fixed cost spread over b.N
// requests: it falls to zero as b.N grows when the hot path allocates
// nothing.
func BenchmarkClosedLoop(b *testing.B) {
	addr := rawServer(b)
	for _, noLoop := range []bool{false, true} {
		name := "event-loop"
		if noLoop {
			name = "goroutines"
		}
		b.Run(name, func(b *testing.B) {
			e, err := New(Options{
				Requests: []Request{req(b, "http://"+addr+"/")}, Concurrency: 8, MaxRequests: int64(b.N),
				Client: ClientOptions{NoEventLoop: noLoop},
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			res, err := e.Run(context.Background(), metrics.NewStore(0))
			if err != nil || res.Errors != 0 {
				b.Fatalf("%v, errors %v", err, res.ErrorsByKind)
			}
		})
	}
}

// TestEventLoopAllocatesNothing: the allocations of a whole run do not grow
// with its requests, in closed loop and in open loop. Two runs of 2,000 and
// 20,000 requests; the difference per extra request must be nil (a little
// slack for the collector's ticks, which depend on how long the runs take).
func TestEventLoopAllocatesNothing(t *testing.T) {
	t.Run("closed", func(t *testing.T) { eventLoopAllocs(t, Options{Concurrency: 8}) })
	// In open loop at most 16 connects go out at once (dialsAtOnce), and a
	// short run may end before a larger pool has grown: the runs compared
	// must open the same connections, whose dials allocate.
	t.Run("open", func(t *testing.T) { eventLoopAllocs(t, Options{Rate: 40000, MaxInFlight: 16}) })
}

func eventLoopAllocs(t *testing.T, o Options) {
	o.Requests = []Request{req(t, "http://"+rawServer(t)+"/")}
	checkRunAllocs(t, o, func(e *Engine, _ *Result) {
		if !e.EventLoop() && runtime.GOOS == "linux" {
			t.Fatal("not on the event loops")
		}
	})
}

// checkRunAllocs runs o (its MaxRequests and Interval set here) for 2,000
// and for 20,000 requests, every one answered, and fails when the extra
// requests allocate: more than 0.02 allocations each (a little slack for
// the collector's ticks, which depend on how long the runs take). check,
// when set, holds each run to more.
func checkRunAllocs(t *testing.T, o Options, check func(*Engine, *Result)) {
	t.Helper()
	mallocs := func(n int64) uint64 {
		// No collection before the end (Interval): its allocations grow
		// with time, and a loaded machine stretches the run.
		o.MaxRequests, o.Interval = n, time.Hour
		e, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, err := e.Run(context.Background(), metrics.NewStore(0))
		runtime.ReadMemStats(&after)
		if err != nil || res.Requests != n || res.Errors != 0 {
			t.Fatalf("%v: %d requests, errors %v", err, res.Requests, res.ErrorsByKind)
		}
		if check != nil {
			check(e, res)
		}
		return after.Mallocs - before.Mallocs
	}
	small, large := mallocs(2000), mallocs(20000)
	perRequest := (float64(large) - float64(small)) / 18000
	t.Logf("%d allocations for 2,000 requests, %d for 20,000: %.4f per request", small, large, perRequest)
	if perRequest > 0.02 {
		t.Fatalf("%.4f allocations per request", perRequest)
	}
}

// TestClosedLoopUnixSocket: --unix-socket on event loops and on goroutines.
func TestClosedLoopUnixSocket(t *testing.T) {
	workerKinds(t, func(t *testing.T, noLoop bool) {
		sock := filepath.Join(t.TempDir(), "s.sock")
		l, err := net.Listen("unix", sock)
		if err != nil {
			t.Skip("no unix sockets here:", err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Host) })}
		done := make(chan struct{})
		go func() { defer close(done); _ = srv.Serve(l) }()
		defer func() { srv.Close(); <-done }()
		e, res, _ := runEngine(t, Options{
			Requests: []Request{req(t, "http://api.local/x")}, Concurrency: 3, MaxRequests: 90,
			Client: ClientOptions{UnixSocket: sock, NoEventLoop: noLoop},
		})
		if e.EventLoop() == noLoop && runtime.GOOS == "linux" {
			t.Fatalf("EventLoop() = %v", e.EventLoop())
		}
		if res.Errors != 0 || res.StatusCodes["200"] != 90 || res.BytesReceived != 90*int64(len("api.local")) {
			t.Fatalf("errors %v, status %v, %d bytes", res.ErrorsByKind, res.StatusCodes, res.BytesReceived)
		}
	})
}
