package load

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// The HTTP/1.1 fast path. net/http costs about twice wrk's CPU per request
// on loopback (allocations, header maps, goroutines per connection); for the
// common case — plain keep-alive requests with no redirects or proxies —
// perftop writes each request from bytes serialised once and reads only what
// it needs of the response: the status, the framing, and the body length.

// wireRequest is a request serialised once and written as is.
type wireRequest struct {
	raw  []byte
	head bool // a HEAD request: the response has no body
}

// serialise renders r as HTTP/1.1 bytes for the given Host header value.
func serialise(r Request, host, userAgent string, keepAlive bool) wireRequest {
	var b bytes.Buffer
	uri := r.URL.RequestURI()
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", r.Method, uri, host)
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", userAgent)
	}
	h.Del("Host")
	h.Del("Content-Length")
	if len(r.Body) > 0 || r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
		h.Set("Content-Length", strconv.Itoa(len(r.Body)))
	}
	if !keepAlive {
		h.Set("Connection", "close")
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.Write(r.Body)
	return wireRequest{raw: b.Bytes(), head: r.Method == http.MethodHead}
}

// dialer opens connections for the fast path: TCP (resolving the host
// itself, to time DNS apart from connect) or a Unix socket, then TLS.
type dialer struct {
	network string // "tcp" or "unix"
	host    string // host to resolve, or the socket path
	port    string
	tls     *tls.Config // nil for plain HTTP
	resolve func(ctx context.Context, host string) ([]net.IPAddr, error)
}

// newDialer returns the fast path's dialer for u: TCP to its host and port
// (80 or 443 by default), or the Unix socket when one is given. For https,
// tlsCfg is cloned and set to verify u's host and to speak HTTP/1.1.
func newDialer(u *url.URL, unixSocket string, tlsCfg *tls.Config) *dialer {
	d := &dialer{network: "tcp", host: u.Hostname(), port: u.Port(), resolve: net.DefaultResolver.LookupIPAddr}
	if d.port == "" {
		d.port = "80"
		if u.Scheme == "https" {
			d.port = "443"
		}
	}
	if unixSocket != "" {
		d.network, d.host = "unix", unixSocket
	}
	if u.Scheme == "https" {
		cfg := &tls.Config{}
		if tlsCfg != nil {
			cfg = tlsCfg.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		d.tls = cfg
	}
	return d
}

// dial connects and reports the phases it went through.
func (d *dialer) dial(ctx context.Context, ph *Phases) (net.Conn, error) {
	addr := d.host
	if d.network == "tcp" {
		ip := net.ParseIP(d.host)
		if ip == nil {
			t := time.Now()
			ips, err := d.resolve(ctx, d.host)
			ph.DNS = time.Since(t)
			if err != nil {
				return nil, err
			}
			if len(ips) == 0 {
				return nil, &net.DNSError{Err: "no addresses", Name: d.host, IsNotFound: true}
			}
			ip = ips[0].IP
		}
		addr = net.JoinHostPort(ip.String(), d.port)
	}
	t := time.Now()
	var nd net.Dialer
	nc, err := nd.DialContext(ctx, d.network, addr)
	ph.Connect = time.Since(t)
	if err != nil {
		return nil, err
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	if d.tls == nil {
		return nc, nil
	}
	t = time.Now()
	tc := tls.Client(nc, d.tls)
	err = tc.HandshakeContext(ctx)
	ph.TLS = time.Since(t)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return tc, nil
}

// h1Conn is one worker's keep-alive connection. It is used by one goroutine
// at a time.
type h1Conn struct {
	d         *dialer
	keepAlive bool
	nc        net.Conn
	rr        respReader
}

// errStale is a reused connection the server had already closed; the
// request is retried once on a fresh one, as net/http does.
var errStale = errors.New("stale keep-alive connection")

// Do sends w and reads the response, within deadline. It returns the status
// code and the bytes of response body read.
func (c *h1Conn) Do(ctx context.Context, w *wireRequest, deadline time.Time, ph *Phases) (int, int64, error) {
	status, n, err := c.try(ctx, w, deadline, ph)
	if errors.Is(err, errStale) {
		status, n, err = c.try(ctx, w, deadline, ph)
	}
	return status, n, err
}

func (c *h1Conn) try(ctx context.Context, w *wireRequest, deadline time.Time, ph *Phases) (int, int64, error) {
	reused := c.nc != nil
	if !reused {
		dctx, cancel := context.WithDeadline(ctx, deadline)
		nc, err := c.d.dial(dctx, ph)
		cancel()
		if err != nil {
			return 0, 0, err
		}
		c.nc = nc
		c.rr.reset(nc)
		ph.NewConn = true
	}
	if err := c.nc.SetDeadline(deadline); err != nil {
		c.Close()
		return 0, 0, err
	}
	start := time.Now()
	if _, err := c.nc.Write(w.raw); err != nil {
		c.Close()
		if reused && !errors.Is(err, os.ErrDeadlineExceeded) {
			return 0, 0, errStale
		}
		return 0, 0, err
	}
	if err := c.rr.wait(); err != nil {
		c.Close()
		// The server closed the idle connection (EOF), or reset it when
		// the request reached a socket it had closed.
		if reused && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) {
			return 0, 0, errStale
		}
		return 0, 0, err
	}
	ph.TTFB = time.Since(start)
	status, n, keep, err := c.rr.readResponse(w.head)
	if err != nil || !keep || !c.keepAlive {
		c.Close()
	}
	return status, n, err
}

// Close drops the connection; the next Do dials a new one.
func (c *h1Conn) Close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// respReader is the blocking side of respParser, for the goroutine workers:
// it reads from the connection into its buffer and feeds the parser until it
// reports a complete response. Bytes that come after a response stay
// buffered as the start of the next one.
type respReader struct {
	rd   io.Reader
	buf  []byte
	r, w int   // buf[r:w] is read and not yet parsed
	err  error // a read's error, held back until the bytes it came with are parsed
	p    respParser
}

// respBufSize is the blocking reader's buffer, one per connection.
const respBufSize = 16 << 10

// reset points rr at a new connection, dropping whatever was buffered.
func (rr *respReader) reset(rd io.Reader) {
	if rr.buf == nil {
		rr.buf = make([]byte, respBufSize)
	}
	rr.rd, rr.r, rr.w, rr.err = rd, 0, 0, nil
}

// wait blocks until some byte of the response is buffered: the first
// byte, whose arrival is the time to first byte.
func (rr *respReader) wait() error {
	if rr.r < rr.w {
		return nil
	}
	return rr.fill()
}

// fill reads into the buffer once it is all parsed, retrying empty reads
// as bufio.Reader does.
func (rr *respReader) fill() error {
	if err := rr.err; err != nil {
		rr.err = nil
		return err
	}
	rr.r, rr.w = 0, 0
	for range 100 {
		n, err := rr.rd.Read(rr.buf)
		if n > 0 {
			rr.w, rr.err = n, err
			return nil
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

// readResponse reads one HTTP/1.1 response, discarding the body. keep says
// whether the connection can carry another request.
func (rr *respReader) readResponse(head bool) (status int, n int64, keep bool, err error) {
	p := &rr.p
	p.reset(head)
	for {
		if rr.r == rr.w {
			if err := rr.fill(); err != nil {
				if errors.Is(err, io.EOF) {
					var done bool
					if done, err = p.eof(); done {
						return p.status, p.n, false, nil
					}
				}
				return p.status, p.n, false, err
			}
		}
		done, extra, err := p.feed(rr.buf[rr.r:rr.w])
		rr.r = rr.w - extra
		switch {
		case err != nil:
			return p.status, p.n, false, err
		case done:
			return p.status, p.n, p.keep(), nil
		}
	}
}

// parseStatusLine parses "HTTP/1.1 200 OK\r\n". keep is the version's
// default: HTTP/1.1 keeps the connection alive, 1.0 does not.
func parseStatusLine(line []byte) (status int, keep bool, err error) {
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, false, fmt.Errorf("status line %q: %w", trimCRLF(line), errProtocol)
	}
	status = int(atoi3(line[9:12]))
	if status < 100 || (len(line) > 12 && line[12] != ' ' && line[12] != '\r' && line[12] != '\n') {
		return 0, false, fmt.Errorf("status line %q: %w", trimCRLF(line), errProtocol)
	}
	return status, line[7] == '1', nil
}

// framing is what the headers say about the body and the connection.
type framing struct {
	length  int64 // Content-Length, -1 when absent
	chunked bool
	keep    bool
}

// header takes one header line (without its CRLF) into f.
func (f *framing) header(h []byte) error {
	colon := bytes.IndexByte(h, ':')
	if colon <= 0 {
		return fmt.Errorf("header line %q: %w", h, errProtocol)
	}
	name, value := h[:colon], bytes.TrimSpace(h[colon+1:])
	switch {
	case asciiEqualFold(name, "content-length"):
		v, ok := parseLength(value)
		if !ok {
			return fmt.Errorf("content-length %q: %w", value, errProtocol)
		}
		f.length = v
	case asciiEqualFold(name, "transfer-encoding"):
		f.chunked = bytes.Contains(bytes.ToLower(value), []byte("chunked"))
	case asciiEqualFold(name, "connection"):
		switch {
		case asciiEqualFold(value, "close"):
			f.keep = false
		case asciiEqualFold(value, "keep-alive"):
			f.keep = true
		}
	}
	return nil
}

// hasBody says whether a response of this status to this method has a body.
func hasBody(status int, head bool) bool {
	return !head && status != 204 && status != 304 && status >= 200
}

func trimCRLF(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func atoi3(b []byte) int64 {
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func parseLength(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func parseHex(b []byte) (int64, bool) {
	if i := bytes.IndexByte(b, ';'); i >= 0 { // chunk extensions
		b = b[:i]
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			n = n<<4 | int64(c-'0')
		case c >= 'a' && c <= 'f':
			n = n<<4 | int64(c-'a'+10)
		case c >= 'A' && c <= 'F':
			n = n<<4 | int64(c-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}

// asciiEqualFold compares b with a lower-case ASCII string, ignoring case.
func asciiEqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
