package metrics

import "time"

// Host is one derived sample of the local machine: what the dashboard shows and
// what `perftop snapshot --json` prints. Its JSON field names are a documented,
// stable interface; rates are per second, sizes in bytes, shares in percent.
//
// Each part carries its own Error: a part the kernel or container refuses is
// reported as unavailable, with the reason, while the others stay valid.
type Host struct {
	Time        time.Time    `json:"time"`
	Hostname    string       `json:"hostname,omitempty"`
	CPU         CPU          `json:"cpu"`
	Load        Load         `json:"load"`
	Memory      Memory       `json:"memory"`
	Swap        Swap         `json:"swap"`
	Disks       []DiskIO     `json:"disks"`
	DisksError  string       `json:"disks_error,omitempty"`
	Filesystems []Filesystem `json:"filesystems"`
	FSError     string       `json:"filesystems_error,omitempty"`
	Network     []NetIO      `json:"network"`
	NetError    string       `json:"network_error,omitempty"`
	Processes   Processes    `json:"processes"`
}

// CPU is the share of CPU time spent busy since the previous sample.
// UserPercent includes nice time, SystemPercent includes irq and softirq,
// and TotalPercent is user + system + steal: iowait counts as idle, as in
// htop and btop, because a core waiting on I/O could run something else.
type CPU struct {
	TotalPercent   float64   `json:"total_percent"`
	UserPercent    float64   `json:"user_percent"`
	SystemPercent  float64   `json:"system_percent"`
	IOWaitPercent  float64   `json:"iowait_percent"`
	StealPercent   float64   `json:"steal_percent"`
	PerCorePercent []float64 `json:"per_core_percent"`
	Error          string    `json:"error,omitempty"`
}

// Load is the kernel's load average over 1, 5 and 15 minutes.
type Load struct {
	Load1  float64 `json:"1"`
	Load5  float64 `json:"5"`
	Load15 float64 `json:"15"`
	Error  string  `json:"error,omitempty"`
}

// Memory is physical memory. UsedBytes is TotalBytes - AvailableBytes, as
// free(1) counts it since procps 4; AvailableBytes is the kernel's estimate
// of what can be allocated without swapping.
type Memory struct {
	TotalBytes     uint64  `json:"total_bytes"`
	UsedBytes      uint64  `json:"used_bytes"`
	AvailableBytes uint64  `json:"available_bytes"`
	CachedBytes    uint64  `json:"cached_bytes"`
	BuffersBytes   uint64  `json:"buffers_bytes"`
	FreeBytes      uint64  `json:"free_bytes"`
	UsedPercent    float64 `json:"used_percent"`
	Error          string  `json:"error,omitempty"`
}

// Swap is swap space; all zero on a machine without swap.
type Swap struct {
	TotalBytes  uint64  `json:"total_bytes"`
	UsedBytes   uint64  `json:"used_bytes"`
	FreeBytes   uint64  `json:"free_bytes"`
	UsedPercent float64 `json:"used_percent"`
	Error       string  `json:"error,omitempty"`
}

// DiskIO is one block device's throughput since the previous sample.
type DiskIO struct {
	Name             string  `json:"name"`
	ReadBytesPerSec  float64 `json:"read_bytes_per_sec"`
	WriteBytesPerSec float64 `json:"write_bytes_per_sec"`
	ReadIOPS         float64 `json:"read_iops"`
	WriteIOPS        float64 `json:"write_iops"`
	BusyPercent      float64 `json:"busy_percent"`
}

// Filesystem is the usage of one mounted filesystem. Usage is read every
// few seconds, so it may be older than Host.Time.
type Filesystem struct {
	Mount       string  `json:"mount"`
	Device      string  `json:"device"`
	Type        string  `json:"type"`
	TotalBytes  uint64  `json:"total_bytes"`
	UsedBytes   uint64  `json:"used_bytes"`
	UsedPercent float64 `json:"used_percent"`
}

// NetIO is one network interface's traffic since the previous sample, plus
// its cumulative error and drop counts (non-zero ones are worth a look).
type NetIO struct {
	Name              string  `json:"name"`
	RxBytesPerSec     float64 `json:"rx_bytes_per_sec"`
	TxBytesPerSec     float64 `json:"tx_bytes_per_sec"`
	RxPacketsPerSec   float64 `json:"rx_packets_per_sec"`
	TxPacketsPerSec   float64 `json:"tx_packets_per_sec"`
	RxErrors          uint64  `json:"rx_errors"`
	TxErrors          uint64  `json:"tx_errors"`
	RxDrops           uint64  `json:"rx_drops"`
	TxDrops           uint64  `json:"tx_drops"`
	ErrorsDropsPerSec float64 `json:"errors_drops_per_sec"`
}

// Processes is the process table: the busiest processes first. It is read
// less often than the rest, so Time may be older than Host.Time.
type Processes struct {
	Total int       `json:"total"`
	Top   []Process `json:"top"`
	Time  time.Time `json:"time"`
	Error string    `json:"error,omitempty"`
}

// Process is one process's CPU share (100 = one full core, as top shows it)
// and resident memory. State is the kernel's one-letter state: R running,
// S sleeping, D uninterruptible, Z zombie, I idle kernel thread.
type Process struct {
	PID        int32   `json:"pid"`
	Name       string  `json:"name"`
	User       string  `json:"user,omitempty"`
	State      string  `json:"state"`
	Threads    int32   `json:"threads"`
	CPUPercent float64 `json:"cpu_percent"`
	RSSBytes   uint64  `json:"rss_bytes"`
	MemPercent float64 `json:"mem_percent"`
	Command    string  `json:"command,omitempty"`
}
