package load

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"time"
)

// dialer opens connections for the fast path: TCP (resolving the host
// itself, to time DNS apart from connect) or a Unix socket, then TLS.
type dialer struct {
	network string // "tcp" or "unix"
	host    string // host to resolve, or the socket path
	port    string
	tls     *tls.Config // nil for plain HTTP
	resolve func(ctx context.Context, host string) ([]net.IPAddr, error)
	// live, when set, tracks the connections dial returns, so that the
	// engine's cut reaches reads blocked on them (stop.go). The event
	// loops call connect: they own their descriptors and cut them off
	// themselves.
	live *liveConns
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

// dial connects and reports the phases it went through; the connection is
// tracked in d.live when set.
func (d *dialer) dial(ctx context.Context, ph *Phases) (net.Conn, error) {
	nc, err := d.connect(ctx, ph)
	if err != nil || d.live == nil {
		return nc, err
	}
	return d.live.track(nc), nil
}

// connect opens a connection (TCP and TLS, or a Unix socket) and reports
// the phases it went through.
func (d *dialer) connect(ctx context.Context, ph *Phases) (net.Conn, error) {
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
