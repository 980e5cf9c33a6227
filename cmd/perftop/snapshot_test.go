package main

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/sources/promql"
)

// osc52 asks a terminal to set the clipboard, then forges a line and a
// column.
const osc52 = "\x1b]52;c;cm0gLXJmIH4=\x07\n\t\r\u009b2J"

// noControls fails when out holds anything a terminal would obey.
func noControls(t *testing.T, what, out string) {
	t.Helper()
	for _, r := range out {
		if r != '\n' && (unicode.IsControl(r) || r == 0x7f) {
			t.Errorf("%s: control character %q in\n%s", what, r, out)
			return
		}
	}
}

// hostileHost is a host whose every name is hostile: a process can name
// itself anything, and so can a user, a mount, a device.
func hostileHost(f float64) metrics.Host {
	h := func(s string) string { return s + osc52 }
	return metrics.Host{
		Time: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC), Hostname: h("box"),
		CPU:         metrics.CPU{TotalPercent: f, PerCorePercent: []float64{f, 1}},
		Load:        metrics.Load{Load1: f},
		Memory:      metrics.Memory{TotalBytes: 1 << 30, UsedPercent: f},
		Swap:        metrics.Swap{Error: h("no swap")},
		Disks:       []metrics.DiskIO{{Name: h("sda"), BusyPercent: f}},
		Filesystems: []metrics.Filesystem{{Mount: h("/mnt"), Device: h("/dev/x"), Type: h("ext4"), UsedPercent: f}},
		Network:     []metrics.NetIO{{Name: h("eth0"), RxBytesPerSec: f}},
		Processes: metrics.Processes{Total: 1, Top: []metrics.Process{
			{PID: 42, Name: h("evil"), User: h("mallory"), State: h("R"), CPUPercent: f, Command: h("evil --x")}}},
	}
}

func hostileSnapshot(f float64) *snapshot {
	h := func(s string) string { return s + osc52 }
	return &snapshot{
		Host: hostileHost(f),
		Prom: []*metrics.PromTarget{
			{URL: h("http://t/metrics"), Up: true, Format: h("text"), ScrapeSeconds: f,
				RED: metrics.RED{HasRequests: true, HasLatency: true, HasInFlight: true, RequestMetric: h("http_requests_total"),
					LatencyMetric: h("http_duration"), InFlightMetric: h("inflight"), Latency: metrics.Latency{P99: f}, RequestRate: f},
				Breakdown: []metrics.BreakdownRow{{Label: h("handler"), Value: h("/x"), Rate: f}}},
			{URL: h("http://down/"), Error: h("connection refused")},
		},
		Queries: []promql.Snapshot{{Title: h("title"), Expr: h("up"), Error: h("bad"),
			Series: []promql.Sample{{Name: h("up"), Labels: map[string]string{h("job"): h("x")}, Value: promql.Value(f)}}}},
	}
}

// TestSnapshotTextHostile: snapshot's text is one clean line per row,
// whatever the host and the targets call things.
func TestSnapshotTextHostile(t *testing.T) {
	snap := hostileSnapshot(12.5)
	var b bytes.Buffer
	if err := writeSnapshotText(&b, snap.Host, time.Second); err != nil {
		t.Fatal(err)
	}
	writePromText(&b, snap)
	out := b.String()
	noControls(t, "snapshot text", out)
	for _, want := range []string{"evil ]52;c;cm0gLXJmIH4= 2J", "/mnt ]52", "eth0 ]52", "down: connection refused ]52", `job ]52;c;cm0gLXJmIH4= 2J="x\x1b]52`} {
		if !strings.Contains(out, want) {
			t.Errorf("%q missing:\n%s", want, out)
		}
	}
	// Every process row is one line: a name cannot forge another.
	if n := strings.Count(out, "42  "); n != 1 {
		t.Errorf("%d process rows:\n%s", n, out)
	}
}

// TestSnapshotJSONNonFinite: a NaN or an infinity anywhere in the snapshot
// prints as a string, the rest as encoding/json prints it, and the raw
// strings are JSON-escaped (no ESC byte).
func TestSnapshotJSONNonFinite(t *testing.T) {
	var std bytes.Buffer
	enc := json.NewEncoder(&std)
	enc.SetIndent("", "  ")
	if err := enc.Encode(jsonView(hostileSnapshot(7.25))); err != nil {
		t.Fatal(err)
	}
	var same bytes.Buffer
	if err := writeSnapshotJSON(&same, hostileSnapshot(7.25)); err != nil || same.String() != std.String() {
		t.Fatalf("finite data differs from encoding/json: %v\n%s", err, same.String())
	}
	if err := json.NewEncoder(&bytes.Buffer{}).Encode(jsonView(hostileSnapshot(math.NaN()))); err == nil {
		t.Fatal("encoding/json took a NaN: the test proves nothing")
	}
	for _, nf := range []struct {
		f float64
		s string
	}{{math.NaN(), `"NaN"`}, {math.Inf(1), `"+Inf"`}, {math.Inf(-1), `"-Inf"`}} {
		var b bytes.Buffer
		if err := writeSnapshotJSON(&b, hostileSnapshot(nf.f)); err != nil {
			t.Fatalf("%v: %v", nf.f, err)
		}
		if want := strings.ReplaceAll(std.String(), "7.25", nf.s); b.String() != want {
			t.Errorf("%v:\n got %s\nwant %s", nf.f, b.String(), want)
		}
		if strings.Contains(b.String(), "\x1b") || !strings.Contains(b.String(), `evil\u001b]52`) {
			t.Errorf("strings not JSON-escaped:\n%s", b.String())
		}
	}
}

// TestSnapshotJSONNotFound: a RED signal the target has no metric for is
// null in snapshot --json, not a 0 that reads as "measured zero".
func TestSnapshotJSONNotFound(t *testing.T) {
	snap := &snapshot{Prom: []*metrics.PromTarget{{URL: "http://t/metrics", Up: true,
		RED: metrics.RED{HasRequests: true, RequestRate: 5, RequestMetric: "http_requests_total"}}}}
	var b bytes.Buffer
	if err := writeSnapshotJSON(&b, snap); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Prom []struct {
			RED map[string]any `json:"red"`
		} `json:"prom"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || len(doc.Prom) != 1 {
		t.Fatalf("%v\n%s", err, b.String())
	}
	red := doc.Prom[0].RED
	if red["request_rate"] != 5.0 {
		t.Errorf("request_rate %v; want 5", red["request_rate"])
	}
	for _, k := range []string{"error_ratio", "latency_seconds", "in_flight", "process_cpu_percent", "process_resident_memory_bytes", "go_goroutines"} {
		if v, ok := red[k]; !ok || v != nil {
			t.Errorf("%s: %v (present %v); want null", k, v, ok)
		}
	}
}
