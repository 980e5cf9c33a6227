package load

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"
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
				checkRunAllocs(t, Options{Requests: []Request{req(t, u)}, Concurrency: 8, Client: ClientOptions{NoEventLoop: noLoop}}, nil)
			})
		})
	}
}
