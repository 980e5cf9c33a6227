package system

import (
	"context"
	"os"
	"time"

	"github.com/shirou/gopsutil/v4/disk"
)

// partReader reads one part at a time; GopsutilReader and, on Linux,
// ProcReader are partReaders, and readParts is the Read they share.
type partReader interface {
	readCPU(ctx context.Context, dst *CPURaw)
	readMemory(ctx context.Context, parts Parts, dst *Raw)
	readLoad(ctx context.Context, dst *LoadRaw)
	readDisks(ctx context.Context, dst *DisksRaw)
	readNetwork(ctx context.Context, dst *NetworkRaw)
	readProcesses(ctx context.Context, dst *ProcessesRaw)
}

// readParts is Reader.Read for a partReader: it stamps dst and reads each
// part of parts. The host name and filesystems come from the same calls on
// every system.
func readParts(ctx context.Context, r partReader, parts Parts, dst *Raw) {
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
