package system

import (
	"context"
	"time"
)

// Parts is a set of the parts of a host reading. The sampler asks for the
// cheap parts every tick and for the expensive ones (the process table,
// filesystem usage) less often. The zero value is the empty set.
type Parts uint16

// The parts a Reader can read.
const (
	PartCPU Parts = 1 << iota
	PartMemory
	PartSwap
	PartLoad
	PartDisks
	PartFilesystems
	PartNetwork
	PartProcesses
	PartHostname
)

// FastParts are the parts the sampler reads on every tick: each is one small
// file or system call.
const FastParts = PartCPU | PartMemory | PartSwap | PartLoad | PartDisks | PartNetwork

// AllParts is every part a Reader can read.
const AllParts = FastParts | PartFilesystems | PartProcesses | PartHostname

// Has reports whether every part of q is in p.
func (p Parts) Has(q Parts) bool { return p&q == q }

// Reader reads the host's cumulative counters and levels. Read overwrites the
// parts of dst named by parts, reusing dst's slices so that a steady sampler
// allocates little, sets dst.Parts to parts and dst.Time to the start of the
// reading, and leaves the other parts alone. A part that cannot be read gets
// its own Err; the other parts are still read.
//
// The sampler calls Read from one goroutine at a time.
type Reader interface {
	Read(ctx context.Context, parts Parts, dst *Raw)
}

// ReaderFunc adapts a function to a Reader.
type ReaderFunc func(ctx context.Context, parts Parts, dst *Raw)

// Read calls f(ctx, parts, dst).
func (f ReaderFunc) Read(ctx context.Context, parts Parts, dst *Raw) { f(ctx, parts, dst) }

var _ Reader = ReaderFunc(nil)

// Raw is one reading of the host: cumulative counters, from which Derive
// computes rates, and levels, which it passes on. Only the parts in Parts are
// valid. The zero value is an empty reading.
type Raw struct {
	Parts       Parts
	Time        time.Time
	Hostname    string
	CPU         CPURaw
	Memory      MemoryRaw
	Swap        SwapRaw
	Load        LoadRaw
	Disks       DisksRaw
	Filesystems FilesystemsRaw
	Network     NetworkRaw
	Processes   ProcessesRaw
}

// CPURaw is the time all CPUs together, and each core, have spent in each
// state since boot.
type CPURaw struct {
	Total CPUTimes
	Cores []CPUTimes
	Err   error
}

// CPUTimes is cumulative CPU time in seconds per state, as in /proc/stat.
// Guest time is left out because the kernel already counts it in User.
type CPUTimes struct {
	User, Nice, System, Idle, IOWait, IRQ, SoftIRQ, Steal float64
}

// MemoryRaw is physical memory in bytes, as in /proc/meminfo. Cached
// includes reclaimable slab, as free(1) counts it.
type MemoryRaw struct {
	Total, Available, Free, Cached, Buffers uint64
	Err                                     error
}

// SwapRaw is swap space in bytes.
type SwapRaw struct {
	Total, Free uint64
	Err         error
}

// LoadRaw is the kernel's load average.
type LoadRaw struct {
	Load1, Load5, Load15 float64
	Err                  error
}

// DisksRaw is every block device's cumulative I/O counters, read at T.
// Devices holds every device the kernel lists, in the order to show them;
// Derive drops virtual devices and partitions.
type DisksRaw struct {
	T       time.Time
	Devices []DiskCounters
	Err     error
}

// DiskCounters is one block device's I/O since boot. IOTime is the time the
// device had at least one request in flight, from which busy percent follows.
type DiskCounters struct {
	Name                  string
	ReadBytes, WriteBytes uint64
	Reads, Writes         uint64
	IOTime                time.Duration
}

// FilesystemsRaw is the usage of the mounted real filesystems.
type FilesystemsRaw struct {
	List []FilesystemUsage
	Err  error
}

// FilesystemUsage is one mounted filesystem's size in bytes. Avail is what an
// unprivileged user may still write, which is less than Total-Used by the
// blocks reserved for root; df computes its percent from it.
type FilesystemUsage struct {
	Mount, Device, Type string
	Total, Used, Avail  uint64
}

// NetworkRaw is every network interface's cumulative counters, read at T.
type NetworkRaw struct {
	T          time.Time
	Interfaces []NetCounters
	Err        error
}

// NetCounters is one network interface's traffic since it came up.
type NetCounters struct {
	Name                 string
	RxBytes, TxBytes     uint64
	RxPackets, TxPackets uint64
	RxErrors, TxErrors   uint64
	RxDrops, TxDrops     uint64
}

// ProcessesRaw is the process table read at T. List is sorted by PID, which
// lets Derive match two readings without a map (it sorts a copy otherwise).
type ProcessesRaw struct {
	T    time.Time
	List []ProcSample
	Err  error
}

// ProcSample is one process's cumulative CPU time and its resident memory.
// Start (the start time in clock ticks since boot, or any value that differs
// between two processes that shared a PID) tells a reused PID from the
// process that had it before.
type ProcSample struct {
	PID     int32
	Start   uint64
	Name    string
	Command string // the command line, "" where the reader does not read it
	User    string
	State   byte
	Threads int32
	CPU     time.Duration // user + system
	RSS     uint64        // bytes
}
