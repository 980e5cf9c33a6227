package system

import (
	"context"
	"os"
	"time"

	"github.com/shirou/gopsutil/v4/disk"
)

// GopsutilReader reads the local host. On Linux it reads /proc itself, with
// one pread(2) per file on descriptors kept open between reads, because every
// system call counts when a tick must cost a few hundred microseconds:
// gopsutil opens, reads, rereads and closes each file, takes twice as long for
// /proc/stat, /proc/meminfo, /proc/loadavg and /proc/net/dev in a benchmark
// loop and five times as long at one reading a second, looks up udev serial
// numbers and labels for every block device, and its process API takes 50
// times as long as one read of /proc/[pid]/stat per process. gopsutil still
// lists the mounted filesystems everywhere, and reads every part on other
// systems.
//
// The zero value is ready to use; Close it when done. A GopsutilReader reuses
// its buffers between calls, so it is not safe for concurrent use: give each
// goroutine its own.
type GopsutilReader struct {
	os osState // the per-OS readers' buffers and open files
}

var _ Reader = (*GopsutilReader)(nil)

// NewGopsutilReader returns a reader of the local host.
func NewGopsutilReader() *GopsutilReader { return &GopsutilReader{} }

// Close releases what the reader keeps open between reads (on Linux, a few
// /proc files and the stat files of up to a few hundred processes). The
// reader stays usable: the next Read opens what it needs again. Close always
// returns nil.
func (r *GopsutilReader) Close() error {
	r.os.close()
	return nil
}

// Read implements Reader.
func (r *GopsutilReader) Read(ctx context.Context, parts Parts, dst *Raw) {
	dst.Parts = parts
	dst.Time = time.Now()
	if parts.Has(PartHostname) {
		// os.Hostname is one uname(2); gopsutil's host.Info reads a dozen files.
		dst.Hostname, _ = os.Hostname()
	}
	if parts.Has(PartCPU) {
		r.readCPU(ctx, &dst.CPU)
	}
	if parts&(PartMemory|PartSwap) != 0 {
		r.readMemory(ctx, parts, dst)
	}
	if parts.Has(PartLoad) {
		r.readLoad(ctx, &dst.Load)
	}
	if parts.Has(PartDisks) {
		r.readDisks(ctx, &dst.Disks)
	}
	if parts.Has(PartNetwork) {
		r.readNetwork(ctx, &dst.Network)
	}
	if parts.Has(PartFilesystems) {
		readFilesystems(ctx, &dst.Filesystems)
	}
	if parts.Has(PartProcesses) {
		r.readProcesses(ctx, &dst.Processes)
	}
}

// readFilesystems lists every mount and filters it with selectMounts rather
// than asking gopsutil for "real" filesystems only, which would drop the
// overlay that is the root filesystem of a container.
func readFilesystems(ctx context.Context, dst *FilesystemsRaw) {
	dst.List = dst.List[:0]
	mounts, err := disk.PartitionsWithContext(ctx, true)
	if dst.Err = err; err != nil {
		return
	}
	for _, m := range mounts {
		dst.List = append(dst.List, FilesystemUsage{Mount: m.Mountpoint, Device: m.Device, Type: m.Fstype})
	}
	dst.List = selectMounts(dst.List)
	kept := dst.List[:0]
	for _, f := range dst.List {
		u, err := disk.UsageWithContext(ctx, f.Mount)
		if err != nil || u.Total == 0 {
			continue // unmounted since, or not ours to look at
		}
		f.Total, f.Used, f.Avail = u.Total, u.Used, u.Free
		kept = append(kept, f)
	}
	dst.List = kept
}
