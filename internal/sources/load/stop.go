package load

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Stopping. Stop (s, q, Ctrl-C, SIGTERM, Run's context) and the end of the
// duration, the request budget or the stages end sending at once; Run then
// waits up to Options.Grace for the requests in flight and cuts off what
// is left, counted interrupted. Abort (a second Ctrl-C) cuts them off at
// once. Every path can be cut off:
//
//   - event loops see the cut after their next epoll_wait (at most evTick)
//     and count what they have out as interrupted;
//   - dials, TLS handshakes and net/http requests (HTTP/1.1 and HTTP/2)
//     run under hardCtx, which the cut cancels;
//   - the fast path's goroutine workers block in reads and writes that no
//     context reaches: their connections are tracked (liveConns) and the
//     cut sets their deadlines in the past.
//
// A worker that sees its request fail once the cut is made counts it
// interrupted, whatever error the cut caused.

// Stop ends sending; Run then waits for requests in flight up to the grace
// period, counts what is still in flight as interrupted and returns. It is
// safe to call more than once, from any goroutine.
func (e *Engine) Stop() {
	if !e.stopping.Load() { // a test that already ended is not stopped early
		e.stoppedEarly.Store(true)
	}
	e.end()
}

// Abort stops at once: sending ends as with Stop, and the requests in
// flight are cut off now, without the grace period, and counted
// interrupted. Run still returns a complete result. It is safe to call
// more than once, from any goroutine, and after Stop.
func (e *Engine) Abort() {
	e.Stop()
	e.interrupt()
}

// Stopped reports whether the test was stopped (Stop, Abort, or Run's
// context) before its duration, request budget or stages ran out.
func (e *Engine) Stopped() bool { return e.stoppedEarly.Load() }

// end stops sending: the test is over, by Stop or by its own limits.
func (e *Engine) end() {
	e.stopOnce.Do(func() {
		e.stopping.Store(true)
		close(e.stopCh)
		e.mu.Lock()
		if e.paused.Load() {
			e.paused.Store(false)
			e.pausedFor += time.Since(e.pausedAt)
			close(e.resume)
		}
		e.mu.Unlock()
	})
}

// interrupt cuts off every request in flight: the flag first, so that a
// worker whose request fails by the cut finds it set, then the context,
// then the fast path's blocking connections.
func (e *Engine) interrupt() {
	e.live.cutAll()
	e.hardStop()
}

// cutting reports whether requests in flight are being cut off.
func (e *Engine) cutting() bool { return e.live.cut.Load() }

// past is a deadline that has passed: a read or write blocked on a
// connection given it returns at once.
var past = time.Unix(1, 0)

// liveConns are the open connections of the fast path's goroutine
// workers, so that the cut can reach reads and writes blocked on them.
// Tracking costs a lock when a connection opens and when it closes, and
// two atomic loads per request. Its zero value is ready.
type liveConns struct {
	mu  sync.Mutex // guards set; cut is stored under it
	set map[*liveConn]struct{}
	cut atomic.Bool
}

// liveConn is a tracked connection: the cut's deadline overrides any the
// worker sets.
type liveConn struct {
	net.Conn
	reg *liveConns
}

// track registers c until it is closed. A connection opened after the cut
// is cut at once.
func (r *liveConns) track(c net.Conn) net.Conn {
	lc := &liveConn{Conn: c, reg: r}
	r.mu.Lock()
	if r.set == nil {
		r.set = map[*liveConn]struct{}{}
	}
	r.set[lc] = struct{}{}
	cut := r.cut.Load()
	r.mu.Unlock()
	if cut {
		_ = c.SetDeadline(past)
	}
	return lc
}

// cutAll sets every tracked connection's deadline in the past, and every
// later one's.
func (r *liveConns) cutAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cut.Store(true)
	for c := range r.set {
		_ = c.Conn.SetDeadline(past)
	}
}

// SetDeadline sets t unless the cut was made; so do SetReadDeadline and
// SetWriteDeadline.
func (c *liveConn) SetDeadline(t time.Time) error { return c.deadline(c.Conn.SetDeadline, t) }

// SetReadDeadline: see SetDeadline.
func (c *liveConn) SetReadDeadline(t time.Time) error { return c.deadline(c.Conn.SetReadDeadline, t) }

// SetWriteDeadline: see SetDeadline.
func (c *liveConn) SetWriteDeadline(t time.Time) error { return c.deadline(c.Conn.SetWriteDeadline, t) }

// deadline calls set with t, or with past once the cut is made. The cut
// may come between the first check and the call, after cutAll set its
// deadline: the second check puts it back.
func (c *liveConn) deadline(set func(time.Time) error, t time.Time) error {
	if c.reg.cut.Load() {
		t = past
	}
	err := set(t)
	if c.reg.cut.Load() {
		return set(past)
	}
	return err
}

// Close stops tracking c and closes it.
func (c *liveConn) Close() error {
	c.reg.mu.Lock()
	delete(c.reg.set, c)
	c.reg.mu.Unlock()
	return c.Conn.Close()
}
