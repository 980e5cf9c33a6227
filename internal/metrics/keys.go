package metrics

import (
	"fmt"
	"time"
)

// Series keys: every source writes its series into the Store under these,
// and every screen reads them back, so that the screens need not know the
// sources. Rates are per second, shares in percent, latencies in seconds.

// The host's series, one point per sample.
const (
	KeyCPUTotal     = "host.cpu.total_percent"
	KeyMemUsed      = "host.memory.used_percent"
	KeySwapUsed     = "host.swap.used_percent"
	KeyLoad1        = "host.load.1"
	KeyDiskRead     = "host.disk.read_bytes_per_sec"  // all devices
	KeyDiskWrite    = "host.disk.write_bytes_per_sec" // all devices
	KeyNetRx        = "host.net.rx_bytes_per_sec"     // all interfaces
	KeyNetTx        = "host.net.tx_bytes_per_sec"     // all interfaces
	KeyProcessCount = "host.processes.total"
)

// KeyCPUCore is the series key of core i's busy percent.
func KeyCPUCore(i int) string { return fmt.Sprintf("host.cpu.core.%d.percent", i) }

// KeyNetIface is the series key of one interface's rx or tx bytes per second;
// dir is "rx" or "tx".
func KeyNetIface(name, dir string) string {
	return "host.net." + name + "." + dir + "_bytes_per_sec"
}

// KeyDiskDevice is the series key of one device's read or write bytes per
// second; dir is "read" or "write".
func KeyDiskDevice(name, dir string) string {
	return "host.disk." + name + "." + dir + "_bytes_per_sec"
}

// A load test's series, one point per collection interval.
const (
	KeyLoadRPS       = "load.rps"
	KeyLoadTarget    = "load.target"
	KeyLoadErrorPct  = "load.error_percent"
	KeyLoadP50       = "load.latency.p50"
	KeyLoadP90       = "load.latency.p90"
	KeyLoadP99       = "load.latency.p99"
	KeyLoadP999      = "load.latency.p999"
	KeyLoadInFlight  = "load.in_flight"
	KeyLoadLateSends = "load.late_sends_per_sec"

	// The service's side as a results file recorded it (server_* of its
	// timeline), for a replay.
	KeyServerRPS        = "server.rps"
	KeyServerErrorRatio = "server.error_ratio"
	KeyServerP99        = "server.p99"
)

// A scraped target's series, each under PromKey(url, name).
const (
	PromRPS        = "rps"
	PromErrorRatio = "error_ratio"
	PromP50        = "p50"
	PromP90        = "p90"
	PromP99        = "p99"
	PromInFlight   = "in_flight"
	PromCPU        = "cpu_percent"
	PromRSS        = "rss_bytes"
)

// PromKey returns the Store key of one of a scraped target's series.
func PromKey(url, name string) string { return "prom." + url + "." + name }

// PromWatchKey is the Store key of a watched family's series: what is
// "value" (its rate or value), "p50" or "p99".
func PromWatchKey(url, family, what string) string {
	return PromKey(url, "watch."+family+"."+what)
}

// MinInterval is the shortest refresh interval of any source: below it,
// sampling /proc, scraping and querying cost more than the numbers are
// worth, and a screen cannot show them anyway.
const MinInterval = 100 * time.Millisecond

// HostKey is the Store key of a host series (KeyCPUTotal, KeyCPUCore(i),
// ...) of the remote host name; "" is this host, whose keys are unprefixed.
func HostKey(name, key string) string {
	if name == "" {
		return key
	}
	return "host." + name + "/" + key
}
