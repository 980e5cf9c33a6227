package main

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"

	"github.com/prometheus/common/model"

	"github.com/perftop/perftop/internal/sources/promtest"
)

// TestSnapshotNodes: snapshot --node reads a remote host from a real
// node_exporter into hosts[], in the local host's schema; a node that is
// down is an error in words there, and a URL without a scheme is a usage
// error.
func TestSnapshotNodes(t *testing.T) {
	ne := promtest.StartNodeExporter(t)
	down := "http://" + promtest.FreeAddr(t) + "/metrics"
	code, out, errOut := runCLI(t, nil, "snapshot", "--json", "--interval", "300ms", "--node", ne.MetricsURL, "--node", down)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var snap struct {
		Hosts []struct {
			Name, URL, Error string
			Hostname         string `json:"hostname"`
			CPU              struct {
				PerCore []float64 `json:"per_core_percent"`
			} `json:"cpu"`
			Memory struct {
				Total uint64 `json:"total_bytes"`
			} `json:"memory"`
		} `json:"hosts"`
		Memory struct {
			Total uint64 `json:"total_bytes"`
		} `json:"memory"`
	}
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(snap.Hosts) != 2 {
		t.Fatalf("%d hosts, want 2:\n%s", len(snap.Hosts), out)
	}
	h := snap.Hosts[0]
	// The exporter runs on this machine: it must agree with the local reader.
	if h.Error != "" || h.Name != ne.Addr || len(h.CPU.PerCore) != runtime.NumCPU() || h.Memory.Total != snap.Memory.Total || h.Hostname == "" {
		t.Errorf("node %+v: want %s, %d cores, memory %d", h, ne.Addr, runtime.NumCPU(), snap.Memory.Total)
	}
	if d := snap.Hosts[1]; !strings.Contains(d.Error, "refused") {
		t.Errorf("down node: error %q, want connection refused", d.Error)
	}
	code, _, errOut = runCLI(t, nil, "snapshot", "--node", "127.0.0.1:9100/metrics")
	if code != 2 || !strings.Contains(errOut, "http://127.0.0.1:9100") {
		t.Errorf("--node without a scheme: exit %d, %q; want 2 and a hint", code, errOut)
	}
}

// TestSnapshotHostQuery: --host-query reads a node from the Prometheus
// server that scrapes its node_exporter, and agrees with the node read
// directly: the same cores and memory; its CPU from two of the server's
// scrapes.
func TestSnapshotHostQuery(t *testing.T) {
	ne := promtest.StartNodeExporter(t)
	prom := promtest.StartPrometheus(t, ne.MetricsURL)
	prom.WaitFor(t, `count_over_time(node_load1{instance="`+ne.Addr+`"}[1m])`, func(v model.Vector) bool {
		return len(v) == 1 && v[0].Value >= 2
	})
	code, out, errOut := runCLI(t, nil, "snapshot", "--json", "--interval", "300ms", "--prom-server", prom.URL, "--host-query", ne.Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var snap struct {
		Hosts []struct {
			Name, Error string
			CPU         struct {
				Total   float64   `json:"total_percent"`
				PerCore []float64 `json:"per_core_percent"`
			} `json:"cpu"`
			Memory struct {
				Total uint64 `json:"total_bytes"`
			} `json:"memory"`
		} `json:"hosts"`
		Memory struct {
			Total uint64 `json:"total_bytes"`
		} `json:"memory"`
	}
	if err := json.Unmarshal([]byte(out), &snap); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(snap.Hosts) != 1 {
		t.Fatalf("hosts %+v", snap.Hosts)
	}
	h := snap.Hosts[0]
	if h.Error != "" || h.Name != ne.Addr || len(h.CPU.PerCore) != runtime.NumCPU() || h.Memory.Total != snap.Memory.Total || h.CPU.Total <= 0 {
		t.Errorf("host %+v: want %s, %d cores, CPU over 0%%, memory %d", h, ne.Addr, runtime.NumCPU(), snap.Memory.Total)
	}
	code, _, errOut = runCLI(t, nil, "snapshot", "--host-query", ne.Addr)
	if code != 2 || !strings.Contains(errOut, "--host-query needs --prom-server") {
		t.Errorf("--host-query without a server: exit %d %q", code, errOut)
	}
}
