package load

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// The HTTP/1.1 fast path. net/http costs more CPU per request than wrk
// (allocations, header maps, goroutines per connection; bench/README.md has
// the figures); for the common case — plain keep-alive requests with no
// redirects or proxies — perftop writes each request from bytes serialised
// once and reads only what it needs of the response: the status, the
// framing, and the body length, through respParser (h1parse.go).

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
	// Bytes after the answer: the server sent what nobody asked for (a
	// body longer than its Content-Length, say), as the start of no
	// response the closed loop will ask for. The connection cannot be
	// trusted with the next request; the event loops close it too, and
	// net/http drops a connection with an unsolicited response.
	if err != nil || !keep || !c.keepAlive || c.rr.buffered() > 0 {
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

// buffered is how many bytes are read and not yet parsed.
func (rr *respReader) buffered() int { return rr.w - rr.r }

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
