package promtest

import (
	"fmt"
	"path/filepath"
	"testing"
)

// NodeExporterPath is where Debian's prometheus-node-exporter package puts
// the exporter.
const NodeExporterPath = "/usr/bin/prometheus-node-exporter"

// NodeExporter is a running node_exporter, stopped when its test ends.
type NodeExporter struct {
	// Addr is the exporter's host:port.
	Addr string
	// MetricsURL is its metrics endpoint, http://Addr/metrics.
	MetricsURL string

	proc *process
}

// StartNodeExporter starts the node_exporter binary on a free loopback port,
// with its default collectors plus args, and waits until it answers. It is
// stopped (SIGTERM, then waited for) when the test ends. It fails the test
// when the binary is missing or the exporter does not start.
func StartNodeExporter(t testing.TB, args ...string) *NodeExporter {
	t.Helper()
	bin := findBinary(t, "prometheus-node-exporter", NodeExporterPath, "prometheus-node-exporter")
	dir := t.TempDir()
	client := newHTTPClient()
	t.Cleanup(client.CloseIdleConnections)
	for attempt := 1; ; attempt++ {
		addr := FreeAddr(t)
		proc, err := start("node_exporter", bin, dir, filepath.Join(dir, fmt.Sprintf("node_exporter-%d.log", attempt)),
			append([]string{"--web.listen-address=" + addr}, args...))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proc.stop)
		err = proc.waitHTTP(client, "http://"+addr+"/", StartTimeout)
		if err == nil {
			return &NodeExporter{Addr: addr, MetricsURL: "http://" + addr + "/metrics", proc: proc}
		}
		proc.stop()
		if attempt < startAttempts && proc.portTaken() {
			continue
		}
		t.Fatalf("start node_exporter: %v\nlog:\n%s", err, proc.log())
	}
}

// Log returns the end of the exporter's log, for failure messages.
func (n *NodeExporter) Log() string { return n.proc.log() }
