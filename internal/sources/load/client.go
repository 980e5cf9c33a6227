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
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ClientOptions are the request options of a test.
type ClientOptions struct {
	Timeout      time.Duration
	HTTP2        bool
	Insecure     bool // skip TLS verification
	NoKeepAlive  bool
	MaxRedirects int    // 0: a redirect is the answer; N: N followed, then a failure (KindRedirects)
	UnixSocket   string // dial this socket instead of the URL's host
	Host         string // Host header override
	UserAgent    string
	// NetHTTP forces the net/http path even where the fast path applies.
	NetHTTP bool
	// NoEventLoop runs closed-loop workers as goroutines even where event
	// loops apply: for comparison.
	NoEventLoop bool
	// Keys draws a key for each request, substituted where it says {key}
	// (keys.go).
	Keys KeyOptions
}

// errRedirects is --max-redirects redirects followed and the answer still a
// redirect; Classify counts it as KindRedirects.
var errRedirects = errors.New("too many redirects")

// sender sends one request for one worker. Each worker owns its sender.
type sender interface {
	send(ctx context.Context, i int, deadline time.Time, ph *Phases) (status int, n int64, err error)
	// capture is the last answer's values of the --split-by headers; nil
	// without splits.
	capture() *headerCapture
	close()
}

// useFastPath reports whether every request can go through the HTTP/1.1
// fast path: no HTTP/2, no redirects to follow, no proxy in the
// environment. Anything else takes net/http, which handles it all.
func useFastPath(reqs []Request, o ClientOptions) bool {
	if o.NetHTTP || o.HTTP2 || o.MaxRedirects > 0 {
		return false
	}
	for _, r := range reqs {
		hr := &http.Request{URL: r.URL, Header: http.Header{}}
		if p, err := http.ProxyFromEnvironment(hr); err != nil || p != nil {
			return false
		}
	}
	return true
}

// fastSenders builds the fast path's shared parts: one dialer per distinct
// host and the serialised requests.
type fastShared struct {
	dialers []*dialer
	target  []int // request index -> dialer index
	wires   []wireRequest
	keyed   []*keyedWire // per request, nil where it says no {key}; nil without keys
	keys    *keySource
	keep    bool
	conns   *atomic.Int64
	splits  []SplitBy
}

func newFastShared(reqs []Request, o ClientOptions, conns *atomic.Int64, splits []SplitBy) *fastShared {
	fs := &fastShared{keep: !o.NoKeepAlive, conns: conns, keys: newKeySource(o.Keys), splits: splits}
	byHost := map[string]int{}
	tlsCfg := &tls.Config{InsecureSkipVerify: o.Insecure} //nolint:gosec // only with --insecure
	for _, r := range reqs {
		key := r.URL.Scheme + "://" + r.URL.Host
		di, ok := byHost[key]
		if !ok {
			di = len(fs.dialers)
			byHost[key] = di
			fs.dialers = append(fs.dialers, newDialer(r.URL, o.UnixSocket, tlsCfg))
		}
		fs.target = append(fs.target, di)
		host := r.URL.Host
		if o.Host != "" {
			host = o.Host
		}
		fs.wires = append(fs.wires, serialise(r, host, o.UserAgent, !o.NoKeepAlive))
		if fs.keys != nil {
			fs.keyed = append(fs.keyed, newKeyedWire(r, host, o.UserAgent, !o.NoKeepAlive))
		}
	}
	return fs
}

// fastSender is one worker's connections, one per host.
type fastSender struct {
	sh    *fastShared
	conns []h1Conn
	// With keys: this worker's draws, and the buffer its keyed requests
	// are filled into, grown once to the longest key and reused.
	keys *keyer
	buf  []byte
	wire wireRequest
	hc   *headerCapture // every connection's parser captures into it
}

func (fs *fastShared) newSender() *fastSender {
	s := &fastSender{sh: fs, conns: make([]h1Conn, len(fs.dialers)), keys: fs.keys.keyer(), hc: newHeaderCapture(fs.splits)}
	if s.keys != nil { // the buffer at its longest once, not grown on the hot path
		n := 0
		for _, k := range fs.keyed {
			if k != nil {
				n = max(n, k.maxLen(fs.keys.o.N))
			}
		}
		s.buf = make([]byte, 0, n)
	}
	for i := range s.conns {
		s.conns[i] = h1Conn{d: fs.dialers[i], keepAlive: fs.keep}
		s.conns[i].rr.p.cap = s.hc
	}
	return s
}

func (s *fastSender) capture() *headerCapture { return s.hc }

func (s *fastSender) send(ctx context.Context, i int, deadline time.Time, ph *Phases) (int, int64, error) {
	c := &s.conns[s.sh.target[i]]
	had := c.nc != nil
	w := &s.sh.wires[i]
	if s.keys != nil && s.sh.keyed[i] != nil {
		s.buf = s.sh.keyed[i].fill(s.buf, s.keys.key())
		s.wire = wireRequest{raw: s.buf, head: w.head}
		w = &s.wire
	}
	status, n, err := c.Do(ctx, w, deadline, ph)
	switch has := c.nc != nil; {
	case has && !had:
		s.sh.conns.Add(1)
	case !has && had:
		s.sh.conns.Add(-1)
	}
	return status, n, err
}

func (s *fastSender) close() {
	for i := range s.conns {
		if s.conns[i].nc != nil {
			s.conns[i].Close()
			s.sh.conns.Add(-1)
		}
	}
}

// stdShared is the net/http path: one client for every worker.
type stdShared struct {
	client *http.Client
	reqs   []Request
	keyed  []bool // per request: it says {key}
	keys   *keySource
	host   string
	ua     string
	splits []SplitBy
}

func newStdShared(reqs []Request, o ClientOptions, maxConns int, conns *atomic.Int64, splits []SplitBy) *stdShared {
	d := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: maxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableKeepAlives:   o.NoKeepAlive,
		DisableCompression:  true,
		TLSClientConfig:     &tls.Config{InsecureSkipVerify: o.Insecure}, //nolint:gosec // only with --insecure
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if o.UnixSocket != "" {
				network, addr = "unix", o.UnixSocket
			}
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			conns.Add(1)
			return &countedConn{Conn: c, conns: conns}, nil
		},
	}
	if o.HTTP2 {
		// HTTP/2 over TLS by ALPN, and cleartext HTTP/2 (h2c) for http://.
		tr.ForceAttemptHTTP2 = true
		p := new(http.Protocols)
		p.SetHTTP2(true)
		p.SetUnencryptedHTTP2(true)
		tr.Protocols = p
	}
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(_ *http.Request, via []*http.Request) error {
			switch {
			case o.MaxRedirects <= 0:
				return http.ErrUseLastResponse // the redirect is the answer
			case len(via) > o.MaxRedirects:
				// The limit followed and still redirected: a failure, as
				// curl's --max-redirs is (exit 47).
				return fmt.Errorf("%w (limit %d)", errRedirects, o.MaxRedirects)
			}
			return nil
		},
	}
	sh := &stdShared{client: client, reqs: reqs, host: o.Host, ua: o.UserAgent, keys: newKeySource(o.Keys), splits: splits}
	for _, r := range reqs {
		sh.keyed = append(sh.keyed, sh.keys != nil && HasKey(r))
	}
	return sh
}

// countedConn keeps the open-connections gauge right when net/http closes.
type countedConn struct {
	net.Conn
	conns  *atomic.Int64
	closed atomic.Bool
}

func (c *countedConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.conns.Add(-1)
	}
	return c.Conn.Close()
}

// stdSender times one worker's requests with httptrace. net/http calls the
// trace hooks from its own goroutines (HTTP/2 writes and reads on separate
// ones), hence the lock.
type stdSender struct {
	sh    *stdShared
	mu    sync.Mutex // guards ph's fields and t
	ph    Phases
	t     traceTimes
	trace *httptrace.ClientTrace
	keys  *keyer // this worker's draws, with keys
	hc    *headerCapture
}

type traceTimes struct{ dns, connect, tls, wrote time.Time }

func (sh *stdShared) newSender() *stdSender {
	s := &stdSender{sh: sh, keys: sh.keys.keyer(), hc: newHeaderCapture(sh.splits)}
	at := func(f func(now time.Time)) {
		now := time.Now()
		s.mu.Lock()
		f(now)
		s.mu.Unlock()
	}
	s.trace = &httptrace.ClientTrace{
		DNSStart:     func(httptrace.DNSStartInfo) { at(func(now time.Time) { s.t.dns = now }) },
		DNSDone:      func(httptrace.DNSDoneInfo) { at(func(now time.Time) { s.ph.DNS = now.Sub(s.t.dns) }) },
		ConnectStart: func(string, string) { at(func(now time.Time) { s.t.connect = now }) },
		ConnectDone: func(string, string, error) {
			at(func(now time.Time) { s.ph.Connect, s.ph.NewConn = now.Sub(s.t.connect), true })
		},
		TLSHandshakeStart: func() { at(func(now time.Time) { s.t.tls = now }) },
		TLSHandshakeDone:  func(tls.ConnectionState, error) { at(func(now time.Time) { s.ph.TLS = now.Sub(s.t.tls) }) },
		WroteRequest:      func(httptrace.WroteRequestInfo) { at(func(now time.Time) { s.t.wrote = now }) },
		GotFirstResponseByte: func() {
			at(func(now time.Time) {
				if !s.t.wrote.IsZero() {
					s.ph.TTFB = now.Sub(s.t.wrote)
				}
			})
		},
	}
	return s
}

func (s *stdSender) send(ctx context.Context, i int, deadline time.Time, ph *Phases) (int, int64, error) {
	r := &s.sh.reqs[i]
	s.mu.Lock()
	s.ph, s.t = Phases{}, traceTimes{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		*ph = s.ph
		s.mu.Unlock()
	}()
	ctx, cancel := context.WithDeadline(httptrace.WithClientTrace(ctx, s.trace), deadline)
	defer cancel()
	target, header, payload := "", r.Header, r.Body
	if s.sh.keyed[i] {
		// net/http builds a request for every send anyway: substituting
		// the key allocates here, unlike on the fast path.
		target, header, payload = withKey(r, s.keys.key())
	} else {
		target = r.URL.String()
	}
	var body io.Reader
	if len(payload) > 0 {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target, body)
	if err != nil {
		return 0, 0, fmt.Errorf("build request: %w", err)
	}
	req.Header = header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", s.sh.ua)
	}
	if s.sh.host != "" {
		req.Host = s.sh.host
	}
	resp, err := s.sh.client.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) && errors.Is(err, context.DeadlineExceeded) {
			return 0, 0, context.DeadlineExceeded
		}
		return 0, 0, err
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		// net/http hands over the connection as the body, which would be
		// read to its close: refused as on the fast path (h1parse.go).
		resp.Body.Close()
		return 0, 0, fmt.Errorf("101 switching protocols: %w", errProtocol)
	}
	if s.hc != nil {
		s.hc.clear()
		for i, name := range s.hc.names {
			if v := resp.Header.Values(name); len(v) > 0 {
				s.hc.set(i, []byte(strings.TrimSpace(v[0])))
			}
		}
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, n, err
}

func (s *stdSender) capture() *headerCapture { return s.hc }

func (s *stdSender) close() {}
