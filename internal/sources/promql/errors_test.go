package promql

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/config"
)

func TestExplain(t *testing.T) {
	c := &Client{host: "h:9090", timeout: 2 * time.Second}
	refused := &url.Error{Op: "Post", URL: "http://h:9090/api/v1/query_range", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	tests := []struct {
		name     string
		err      error
		wantMsg  string
		wantDown bool
	}{
		{"parse error passes through", &v1.Error{Type: v1.ErrBadData, Msg: `invalid parameter "query": 1:5: parse error: unclosed left parenthesis`},
			`invalid parameter "query": 1:5: parse error: unclosed left parenthesis`, false},
		{"execution error", &v1.Error{Type: v1.ErrExec, Msg: "many-to-many matching not allowed"}, "many-to-many matching not allowed", false},
		{"server timeout in a 503 body", &v1.Error{Type: v1.ErrServer, Msg: "server error: 503", Detail: `{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}`},
			"query timed out on the server: query timed out in expression evaluation", false},
		{"server unavailable in a 503 body", &v1.Error{Type: v1.ErrServer, Msg: "server error: 503", Detail: `{"status":"error","errorType":"unavailable","error":"TSDB not ready"}`},
			"h:9090 unavailable: TSDB not ready", true},
		{"proxy error", &v1.Error{Type: v1.ErrServer, Msg: "server error: 502", Detail: "<html>bad gateway</html>"}, "h:9090 answered HTTP 502", true},
		{"rate limited", &v1.Error{Type: v1.ErrClient, Msg: "client error: 429"}, "h:9090 answered HTTP 429", true},
		{"not an API", &v1.Error{Type: v1.ErrBadResponse, Msg: "invalid character '<'"}, "h:9090 did not answer like a Prometheus API: invalid character '<'", true},
		{"unauthorized", fmt.Errorf("wrapped: %w", ErrUnauthorized), ErrUnauthorized.Error(), true},
		{"forbidden", ErrForbidden, ErrForbidden.Error(), true},
		{"not found", ErrNotFound, ErrNotFound.Error(), true},
		{"refused", refused, "cannot reach h:9090: connection refused", true},
		{"reset", &url.Error{Op: "Post", URL: "u", Err: syscall.ECONNRESET}, "connection to h:9090 reset", true},
		{"no such host", &url.Error{Op: "Post", URL: "u", Err: &net.DNSError{Name: "nope.invalid", Err: "no such host", IsNotFound: true}}, "cannot resolve nope.invalid: no such host", true},
		{"our deadline", &url.Error{Op: "Post", URL: "u", Err: context.DeadlineExceeded}, "no answer from h:9090 within 2s", true},
		{"other transport error", &url.Error{Op: "Post", URL: "http://h:9090/api/v1/query", Err: errors.New("tls: handshake failure")}, "h:9090: tls: handshake failure", true},
		{"already explained", &Error{Msg: "x"}, "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.explain(tt.err)
			if got.Msg != tt.wantMsg || got.Down != tt.wantDown {
				t.Errorf("explain(%v) = %q, down %v; want %q, down %v", tt.err, got.Msg, got.Down, tt.wantMsg, tt.wantDown)
			}
			if !errors.Is(got, tt.err) && !errors.As(tt.err, new(*Error)) {
				t.Errorf("explain(%v) does not wrap its cause", tt.err)
			}
		})
	}
}

// apiServer starts an HTTP server whose handler h plays the Prometheus API.
func apiServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// queryOnce runs one instant query of "up" through Query.
func queryOnce(t *testing.T, o ClientOptions) (Snapshot, error) {
	t.Helper()
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	snaps, err := Query(context.Background(), c, []Panel{{Title: "up", Expr: "up"}}, time.Time{})
	return snaps[0], err
}

const okVector = `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up"},"value":[1700000000,"1"]}]}}`

// TestHTTPErrors drives the client against servers that fail in the ways a
// real deployment does, and checks the words the user reads.
func TestHTTPErrors(t *testing.T) {
	const secret = "s3cret-token"
	bearer := func(next http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer "+secret {
				http.Error(w, "Unauthorized", http.StatusUnauthorized)
				return
			}
			next(w, r)
		}
	}
	ok := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, okVector)
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongFile := filepath.Join(t.TempDir(), "wrong")
	if err := os.WriteFile(wrongFile, []byte("wrong-"+secret), 0o600); err != nil {
		t.Fatal(err)
	}
	withToken := func(file string) *config.HTTPClientConfig {
		cfg := config.DefaultHTTPClientConfig
		cfg.Authorization = &config.Authorization{Type: "Bearer", CredentialsFile: file}
		return &cfg
	}
	tests := []struct {
		name     string
		handler  http.HandlerFunc
		opts     ClientOptions
		wantErr  error  // errors.Is the returned error
		wantMsg  string // the snapshot's error contains it
		wantDown bool
	}{
		{name: "no token", handler: bearer(ok), wantErr: ErrUnauthorized, wantMsg: "unauthorized (401): check the bearer token", wantDown: true},
		{name: "wrong token file", handler: bearer(ok), opts: ClientOptions{HTTPConfig: withToken(wrongFile)}, wantErr: ErrUnauthorized, wantMsg: "unauthorized", wantDown: true},
		{name: "token file", handler: bearer(ok), opts: ClientOptions{HTTPConfig: withToken(tokenFile)}},
		{name: "forbidden", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) }, wantErr: ErrForbidden, wantMsg: "forbidden (403)", wantDown: true},
		{name: "wrong path", handler: http.NotFound, wantErr: ErrNotFound, wantMsg: "check the server URL", wantDown: true},
		{name: "bad gateway", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "bad gateway", http.StatusBadGateway) }, wantMsg: "answered HTTP 502", wantDown: true},
		{name: "not prometheus", handler: func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>hello</html>") }, wantMsg: "did not answer like a Prometheus API", wantDown: true},
		{name: "server timeout", handler: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"status":"error","errorType":"timeout","error":"query timed out in query execution"}`)
		}, wantMsg: "query timed out on the server: query timed out in query execution"},
		{name: "no answer in time", handler: func(w http.ResponseWriter, r *http.Request) {
			// The server notices a closed connection only once the body is read.
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		},
			opts: ClientOptions{Timeout: 200 * time.Millisecond}, wantMsg: "within 200ms", wantDown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := apiServer(t, tt.handler)
			o := tt.opts
			o.Server = srv.URL
			snap, err := queryOnce(t, o)
			if tt.wantMsg == "" {
				if err != nil || snap.Error != "" || len(snap.Series) != 1 {
					t.Fatalf("got %+v, %v; want one series", snap, err)
				}
				return
			}
			if !strings.Contains(snap.Error, tt.wantMsg) {
				t.Errorf("error %q, want it to contain %q", snap.Error, tt.wantMsg)
			}
			if strings.Contains(snap.Error, secret) || (err != nil && strings.Contains(err.Error(), secret)) {
				t.Errorf("error %q reveals the token", snap.Error)
			}
			if gotDown := err != nil; gotDown != tt.wantDown {
				t.Errorf("Query error = %v, want one %v", err, tt.wantDown)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Query error = %v, want errors.Is %v", err, tt.wantErr)
			}
		})
	}
}

// TestConnectionRefused asks a port nobody listens on.
func TestConnectionRefused(t *testing.T) {
	addr := closedAddr(t)
	snap, err := queryOnce(t, ClientOptions{Server: "http://" + addr})
	want := "cannot reach " + addr + ": connection refused"
	var e *Error
	if !errors.As(err, &e) || !e.Down || e.Msg != want || snap.Error != want {
		t.Errorf("got %q, %v; want %q, down", snap.Error, err, want)
	}
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestNewClient(t *testing.T) {
	tests := []struct {
		name    string
		opts    ClientOptions
		wantErr string
	}{
		{"ok", ClientOptions{Server: "http://localhost:9090"}, ""},
		{"path prefix", ClientOptions{Server: "https://h/prometheus/"}, ""},
		{"no scheme", ClientOptions{Server: "localhost:9090"}, "want http://host:port"},
		{"no host", ClientOptions{Server: "http://"}, "want http://host:port"},
		{"bad URL hides the password", ClientOptions{Server: "http://user:hunter2@h:99999999999/%zz"}, "prometheus server URL"},
		{"password redacted", ClientOptions{Server: "ftp://user:hunter2@h/"}, "ftp://user:xxxxx@h/"},
		{"bad http config", ClientOptions{Server: "http://h", HTTPConfig: &config.HTTPClientConfig{
			BearerToken: "a", BasicAuth: &config.BasicAuth{Username: "u"}}}, "prometheus http config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.opts)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				c.CloseIdleConnections()
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("err = %v reveals the password", err)
			}
		})
	}
}
