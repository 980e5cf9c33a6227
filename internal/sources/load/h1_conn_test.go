package load

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func h1For(t *testing.T, rawURL string, tlsCfg *tls.Config, keepAlive bool) (*h1Conn, wireRequest) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	d := newDialer(u, "", tlsCfg)
	w := serialise(Request{Method: "GET", URL: u}, u.Host, "perftop/test", keepAlive)
	return &h1Conn{d: d, keepAlive: keepAlive}, w
}

func TestH1ConnAgainstServer(t *testing.T) {
	var conns atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"ok":true}`) })
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 3; i++ {
			fmt.Fprint(w, strings.Repeat("x", 1000))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", 503) })
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	tests := []struct {
		path   string
		status int
		n      int64
	}{
		{"/ok", 200, 11}, {"/chunked", 200, 3000}, {"/fail", 503, 5}, {"/missing", 404, 19},
	}
	c, _ := h1For(t, srv.URL, nil, true)
	defer c.Close()
	for i := 0; i < 3; i++ {
		for _, tt := range tests {
			u, _ := url.Parse(srv.URL + tt.path)
			w := serialise(Request{Method: "GET", URL: u}, u.Host, "perftop/test", true)
			var ph Phases
			status, n, err := c.Do(context.Background(), &w, time.Now().Add(5*time.Second), &ph)
			if err != nil || status != tt.status || n != tt.n {
				t.Fatalf("%s: status %d, %d bytes, %v; want %d, %d", tt.path, status, n, err, tt.status, tt.n)
			}
			if ph.TTFB <= 0 {
				t.Errorf("%s: no TTFB", tt.path)
			}
		}
	}
	if got := conns.Load(); got != 1 {
		t.Errorf("%d connections for 12 keep-alive requests, want 1", got)
	}
}

func TestH1ConnTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "secure") }))
	defer srv.Close()
	cfg := srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	c, w := h1For(t, srv.URL, cfg, true) // httptest's certificate is for 127.0.0.1 and example.com
	defer c.Close()
	var ph Phases
	status, n, err := c.Do(context.Background(), &w, time.Now().Add(5*time.Second), &ph)
	if err != nil || status != 200 || n != 6 {
		t.Fatalf("status %d, %d bytes, %v", status, n, err)
	}
	if !ph.NewConn || ph.TLS <= 0 || ph.Connect <= 0 {
		t.Errorf("phases of a new TLS connection: %+v", ph)
	}

	// Verification is on by default: an unknown CA is a TLS failure.
	c2, w2 := h1For(t, srv.URL, &tls.Config{}, true)
	defer c2.Close()
	_, _, err = c2.Do(context.Background(), &w2, time.Now().Add(5*time.Second), &ph)
	if Classify(err) != KindTLS {
		t.Fatalf("untrusted certificate: %v (%v), want a TLS failure", err, Classify(err))
	}
}

// TestH1ConnStaleRetry: a server that closes idle keep-alive connections
// costs nothing but a new connection; the request is not counted as failed.
func TestH1ConnStaleRetry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer srv.Close()
	c, w := h1For(t, srv.URL, nil, true)
	defer c.Close()
	var ph Phases
	if _, _, err := c.Do(context.Background(), &w, time.Now().Add(5*time.Second), &ph); err != nil {
		t.Fatal(err)
	}
	srv.CloseClientConnections()
	ph = Phases{}
	status, _, err := c.Do(context.Background(), &w, time.Now().Add(5*time.Second), &ph)
	if err != nil || status != 200 || !ph.NewConn {
		t.Fatalf("after the server closed the idle connection: %d %v, new conn %v", status, err, ph.NewConn)
	}
}

func TestH1ConnFailures(t *testing.T) {
	// Nothing listening: refused.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c, w := h1For(t, "http://"+addr+"/", nil, true)
	var ph Phases
	if _, _, err := c.Do(context.Background(), &w, time.Now().Add(2*time.Second), &ph); Classify(err) != KindRefused {
		t.Errorf("closed port: %v (%v)", err, Classify(err))
	}

	// A server that never answers: timeout.
	hang, _ := net.Listen("tcp", "127.0.0.1:0")
	defer hang.Close()
	go func() {
		for {
			conn, err := hang.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	c, w = h1For(t, "http://"+hang.Addr().String()+"/", nil, true)
	if _, _, err := c.Do(context.Background(), &w, time.Now().Add(50*time.Millisecond), &ph); Classify(err) != KindTimeout {
		t.Errorf("silent server: %v (%v)", err, Classify(err))
	}
	c.Close()

	// A server that answers garbage: protocol.
	junk, _ := net.Listen("tcp", "127.0.0.1:0")
	defer junk.Close()
	go func() {
		for {
			conn, err := junk.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = conn.Read(buf)
			_, _ = conn.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n"))
			conn.Close()
		}
	}()
	c, w = h1For(t, "http://"+junk.Addr().String()+"/", nil, true)
	if _, _, err := c.Do(context.Background(), &w, time.Now().Add(2*time.Second), &ph); Classify(err) != KindProtocol {
		t.Errorf("garbage server: %v (%v)", err, Classify(err))
	}

	// A name that does not resolve: dns.
	c, w = h1For(t, "http://no-such-host.invalid/", nil, true)
	if _, _, err := c.Do(context.Background(), &w, time.Now().Add(5*time.Second), &ph); Classify(err) != KindDNS && Classify(err) != KindTimeout {
		t.Errorf("unresolvable host: %v (%v)", err, Classify(err))
	}
}

func TestH1ConnUnixSocket(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "s.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skip("no unix sockets here:", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Host) })}
	go srv.Serve(l)
	defer srv.Close()
	u, _ := url.Parse("http://api.local/x")
	c := &h1Conn{d: newDialer(u, sock, nil), keepAlive: true}
	defer c.Close()
	w := serialise(Request{Method: "GET", URL: u}, "api.local", "perftop/test", true)
	var ph Phases
	status, n, err := c.Do(context.Background(), &w, time.Now().Add(5*time.Second), &ph)
	if err != nil || status != 200 || n != int64(len("api.local")) {
		t.Fatalf("unix socket: %d %d %v", status, n, err)
	}
	_ = os.Remove(sock)
}
