package promtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// HAProxyPath is where Debian's haproxy package puts the load balancer.
const HAProxyPath = "/usr/sbin/haproxy"

// Server is one server of the HAProxy backend.
type Server struct {
	Addr   string // host:port
	Weight int    // 1 when 0
}

// HAProxy is a running HAProxy, stopped when its test ends.
type HAProxy struct {
	// URL is the frontend that balances over the servers, http://host:port.
	URL string
	// MetricsURL is its built-in Prometheus endpoint.
	MetricsURL string

	proc *process
}

// haproxyConfig balances frontend "fe" over backend "be" round-robin by
// weight, its servers named s1, s2... and health-checked, and serves the
// built-in Prometheus exporter on its own frontend.
func haproxyConfig(front, metrics string, servers []Server) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
  maxconn 256
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
frontend prometheus
  bind %s
  http-request use-service prometheus-exporter if { path /metrics }
frontend fe
  bind %s
  default_backend be
backend be
  balance roundrobin
`, metrics, front)
	for i, s := range servers {
		w := max(s.Weight, 1)
		fmt.Fprintf(&b, "  server s%d %s weight %d check inter 1s\n", i+1, s.Addr, w)
	}
	return b.String()
}

// StartHAProxy starts haproxy in the foreground with a configuration of its
// own (haproxyConfig) on two free loopback ports, and waits until its
// Prometheus endpoint answers. It is stopped when the test ends. It fails
// the test when the binary is missing or does not start.
func StartHAProxy(t testing.TB, servers ...Server) *HAProxy {
	t.Helper()
	bin := findBinary(t, "haproxy", HAProxyPath, "haproxy")
	dir := t.TempDir()
	client := newHTTPClient()
	t.Cleanup(client.CloseIdleConnections)
	for attempt := 1; ; attempt++ {
		front, metrics := FreeAddr(t), FreeAddr(t)
		cfg := filepath.Join(dir, fmt.Sprintf("haproxy-%d.cfg", attempt))
		if err := os.WriteFile(cfg, []byte(haproxyConfig(front, metrics, servers)), 0o644); err != nil {
			t.Fatal(err)
		}
		// -db: stay in the foreground, no daemon to chase.
		proc, err := start("haproxy", bin, dir, filepath.Join(dir, fmt.Sprintf("haproxy-%d.log", attempt)), []string{"-db", "-f", cfg})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proc.stop)
		err = proc.waitHTTP(client, "http://"+metrics+"/metrics", StartTimeout)
		if err == nil {
			return &HAProxy{URL: "http://" + front, MetricsURL: "http://" + metrics + "/metrics", proc: proc}
		}
		proc.stop()
		if attempt < startAttempts && proc.portTaken() {
			continue
		}
		t.Fatalf("start haproxy: %v\nlog:\n%s", err, proc.log())
	}
}

// Log returns the end of HAProxy's log, for failure messages.
func (h *HAProxy) Log() string { return h.proc.log() }
