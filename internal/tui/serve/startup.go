package serve

import (
	"net"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// gate holds the connections that have not logged in yet, as sshd's
// LoginGraceTime and MaxStartups do: at most max at once (more are closed
// as they arrive, before the SSH version is sent), each for at most grace
// (then it is closed). A connection leaves the gate when it authenticates
// or closes. Its methods may be called from any goroutine.
type gate struct {
	max   int
	grace time.Duration
	logf  func(format string, args ...any)

	mu      sync.Mutex // guards the fields below
	pending map[*startConn]struct{}
	closed  bool
	refused int       // connections refused since the last refusal logged
	logged  time.Time // when a refusal was last logged
}

// refusalLogEvery bounds the log lines of refused connections: a flood of
// connections writes one line a second, with the number refused.
const refusalLogEvery = time.Second

// startConn is a connection in the gate.
type startConn struct {
	net.Conn
	g     *gate
	timer *time.Timer
}

type startKey struct{}

// admit is the server's ConnCallback: the connection joins the gate, or
// is closed (nil) when max are already logging in.
func (g *gate) admit(ctx ssh.Context, c net.Conn) net.Conn {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || len(g.pending) >= g.max {
		g.refused++
		if now := time.Now(); now.Sub(g.logged) >= refusalLogEvery {
			g.logf("refused %s: %d connections are logging in already (%d refused since the last line)", clean(c.RemoteAddr().String()), g.max, g.refused)
			g.refused, g.logged = 0, now
		}
		return nil
	}
	sc := &startConn{Conn: c, g: g}
	sc.timer = time.AfterFunc(g.grace, sc.expire)
	g.pending[sc] = struct{}{}
	ctx.SetValue(startKey{}, sc)
	return sc
}

// config is the server's ServerConfigCallback: a connection leaves the
// gate once it has authenticated (AuthLogCallback reports every attempt
// after its signature was checked; a public key query does not count).
func (g *gate) config(ctx ssh.Context) *gossh.ServerConfig {
	sc, _ := ctx.Value(startKey{}).(*startConn)
	return &gossh.ServerConfig{
		AuthLogCallback: func(_ gossh.ConnMetadata, _ string, err error) {
			if err == nil && sc != nil {
				g.leave(sc)
			}
		},
	}
}

// leave takes sc out of the gate; it reports whether sc was still in.
func (g *gate) leave(sc *startConn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.pending[sc]; !ok {
		return false
	}
	delete(g.pending, sc)
	sc.timer.Stop()
	return true
}

// expire closes a connection still in the gate after the grace time.
func (sc *startConn) expire() {
	if sc.g.leave(sc) {
		sc.g.logf("closed %s: not logged in within %s", clean(sc.RemoteAddr().String()), sc.g.grace)
		sc.Conn.Close()
	}
}

// Close closes the connection, taking it out of the gate.
func (sc *startConn) Close() error {
	sc.g.leave(sc)
	return sc.Conn.Close()
}

// close closes every connection in the gate and refuses new ones: the
// SSH server's Close only reaches connections that have logged in.
func (g *gate) close() {
	g.mu.Lock()
	g.closed = true
	var cs []*startConn
	for sc := range g.pending {
		cs = append(cs, sc)
		delete(g.pending, sc)
		sc.timer.Stop()
	}
	g.mu.Unlock()
	for _, sc := range cs {
		sc.Conn.Close()
	}
}

// inGate is the number of connections logging in.
func (g *gate) inGate() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.pending)
}
