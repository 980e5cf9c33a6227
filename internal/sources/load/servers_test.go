package load

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Loopback servers that misbehave in one way each, for the outcome tests:
// plain TCP or TLS, every connection handed to a script.

// tcpServer accepts connections on 127.0.0.1, over TLS when cfg is set
// (the handshake done before serve), and hands each to serve. It returns
// the server's URL; at cleanup it closes the listener and every
// connection and waits for serve to return.
func tcpServer(t testing.TB, cfg *tls.Config, serve func(c net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex // guards conns and closed
	conns := map[net.Conn]bool{}
	closed := false // a connection accepted after the cleanup began is closed at once
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if closed {
				mu.Unlock()
				c.Close()
				return
			}
			conns[c] = true
			wg.Add(1)
			mu.Unlock()
			go func() {
				defer wg.Done()
				defer c.Close()
				if cfg == nil {
					serve(c)
					return
				}
				tc := tls.Server(c, cfg)
				if err := tc.Handshake(); err != nil {
					return
				}
				serve(tc)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		closed = true
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	scheme := "http"
	if cfg != nil {
		scheme = "https"
	}
	return scheme + "://" + l.Addr().String() + "/"
}

// silent reads whatever comes and never answers.
func silent(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

// resets reads the request head and resets the connection.
func resets(c net.Conn) {
	if _, err := newLineReader(c).requestHead(); err != nil {
		return
	}
	nc := c
	if tc, ok := c.(*tls.Conn); ok {
		nc = tc.NetConn()
	}
	_ = nc.(*net.TCPConn).SetLinger(0) // close sends RST
	nc.Close()                         // under TLS, before a close_notify
}

// hangsUp reads the request head and closes the connection unanswered:
// its sending side, so that what the client still sends (HTTP/2 does) is
// read rather than answered by a reset.
func hangsUp(c net.Conn) {
	if _, err := newLineReader(c).requestHead(); err != nil {
		return
	}
	nc := c
	if tc, ok := c.(*tls.Conn); ok {
		_ = tc.CloseWrite() // close_notify
		nc = tc.NetConn()
	}
	_ = nc.(*net.TCPConn).CloseWrite()
	_, _ = io.Copy(io.Discard, c)
}

// babbles answers every request with what is not HTTP.
func babbles(c net.Conn) {
	br := newLineReader(c)
	for {
		if _, err := br.requestHead(); err != nil {
			return
		}
		if _, err := io.WriteString(c, "SSH-2.0-OpenSSH_9.2\r\n"); err != nil {
			return
		}
	}
}

// serverTLS is a server certificate (httptest's, which nothing trusts)
// for the raw TLS servers, offering protos by ALPN.
func serverTLS(t testing.TB, protos ...string) *tls.Config {
	t.Helper()
	s := httptest.NewUnstartedServer(http.NotFoundHandler())
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	cfg := s.TLS.Clone()
	s.Close()
	cfg.NextProtos = protos
	return cfg
}

// httpServer is a net/http server with handler h, over TLS with HTTP/2
// when secure.
func httpServer(t testing.TB, secure bool, h http.HandlerFunc) string {
	t.Helper()
	s := httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are the point
	if secure {
		s.EnableHTTP2 = true
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s.URL + "/"
}

// stalls is a handler that never answers: it waits until the client goes
// away.
func stalls(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

// deadURL is the address of a listener that was closed: connects are
// refused.
func deadURL(t testing.TB, scheme string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return scheme + "://" + addr + "/"
}

// answers is a handler that answers status with a short body after delay.
func answers(status int, delay time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "ok")
	}
}

// lineReader reads HTTP request heads for scriptedServer and the servers
// above.
type lineReader struct {
	c   net.Conn
	buf []byte
}

func newLineReader(c net.Conn) *lineReader { return &lineReader{c: c} }

func (r *lineReader) Read(p []byte) (int, error) {
	if len(r.buf) > 0 {
		n := copy(p, r.buf)
		r.buf = r.buf[n:]
		return n, nil
	}
	return r.c.Read(p)
}

// requestHead reads up to the empty line and returns the Content-Length.
func (r *lineReader) requestHead() (int64, error) {
	tmp := make([]byte, 4096)
	for {
		if i := bytes.Index(r.buf, []byte("\r\n\r\n")); i >= 0 {
			head := string(r.buf[:i])
			r.buf = r.buf[i+4:]
			var length int64
			for _, line := range strings.Split(head, "\r\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "content-length") {
					fmt.Sscan(strings.TrimSpace(v), &length)
				}
			}
			return length, nil
		}
		n, err := r.c.Read(tmp)
		if err != nil {
			return 0, err
		}
		r.buf = append(r.buf, tmp[:n]...)
	}
}
