package system

import "fmt"

// Series keys the host source writes into the metrics.Store, one point per
// sample. Rates are per second, shares in percent.
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
