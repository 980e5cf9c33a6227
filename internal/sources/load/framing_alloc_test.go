package load

import (
	"bytes"
	"context"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/perftop/perftop/internal/metrics"
)

// cannedServer answers each request on a keep-alive connection with
// answer, allocating nothing per request, so that the allocations counted
// are the client's. It returns the server's host:port.
func cannedServer(t testing.TB, answer string) string {
	t.Helper()
	resp := []byte(answer)
	u := tcpServer(t, nil, func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			// One request per read from a closed loop's client.
			if bytes.Contains(buf[:n], []byte("\r\n\r\n")) {
				if _, err := c.Write(resp); err != nil {
					return
				}
			}
		}
	})
	return strings.TrimSuffix(strings.TrimPrefix(u, "http://"), "/")
}

// TestFramingAllocatesNothing extends the fast path's zero-allocation
// tests to chunked answers and interim responses: one connection's
// requests, then whole runs on event loops and on goroutines, whose
// allocations must not grow with their requests.
func TestFramingAllocatesNothing(t *testing.T) {
	answers := map[string]string{
		"chunked":      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n{\"ok\":true}\r\n0\r\n\r\n",
		"100 continue": "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			u := "http://" + cannedServer(t, answer) + "/"
			t.Run("h1Conn", func(t *testing.T) {
				c, w := h1For(t, u, nil, true)
				defer c.Close()
				var ph Phases
				do := func() {
					if status, n, err := c.Do(context.Background(), &w, time.Now().Add(5*time.Second), &ph); err != nil || status != 200 || n != 11 {
						t.Fatalf("status %d, %d bytes, %v", status, n, err)
					}
				}
				do() // the first request dials
				if allocs := testing.AllocsPerRun(200, do); allocs != 0 {
					t.Fatalf("%v allocations per request", allocs)
				}
			})
			workerKinds(t, func(t *testing.T, noLoop bool) {
				mallocs := func(n int64) uint64 {
					// No collection before the end (Interval): its allocations
					// grow with time, and a loaded machine stretches the run.
					e, err := New(Options{Requests: []Request{req(t, u)}, Concurrency: 8, MaxRequests: n, Interval: time.Hour, Client: ClientOptions{NoEventLoop: noLoop}})
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
					return after.Mallocs - before.Mallocs
				}
				small, large := mallocs(2000), mallocs(20000)
				perRequest := (float64(large) - float64(small)) / 18000
				t.Logf("%d allocations for 2,000 requests, %d for 20,000: %.4f per request", small, large, perRequest)
				if perRequest > 0.02 {
					t.Fatalf("%.4f allocations per request", perRequest)
				}
			})
		})
	}
}
