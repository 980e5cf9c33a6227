package system

import "strings"

// virtualDiskPrefixes name block devices that hold no data worth a panel:
// loop devices (snaps, images), RAM disks, compressed swap in RAM, floppies
// and optical drives.
var virtualDiskPrefixes = [...]string{"loop", "ram", "zram", "fd", "sr"}

// keepDisk reports whether the device called name belongs in the disk panel,
// given all the devices listed with it. Partitions are dropped when their
// whole disk is listed, so each byte is counted once; device-mapper and md
// devices stay, as they are what filesystems sit on.
func keepDisk(name string, all []DiskCounters) bool {
	if name == "" {
		return false
	}
	for _, p := range virtualDiskPrefixes {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for i := range all {
		if isPartitionOf(name, all[i].Name) {
			return false
		}
	}
	return true
}

// stackedDisk reports whether a device sits on other listed devices
// (device-mapper, software RAID), so that its bytes are counted in theirs
// already and must stay out of the all-disks total.
func stackedDisk(name string) bool {
	return strings.HasPrefix(name, "dm-") || strings.HasPrefix(name, "md")
}

// isPartitionOf reports whether part names a partition of the whole disk
// called disk: sda1 of sda, and, when the disk's name ends in a digit, the
// kernel's "p" separator: nvme0n1p1 of nvme0n1, mmcblk0p2 of mmcblk0.
func isPartitionOf(part, disk string) bool {
	if disk == "" || len(part) <= len(disk) || !strings.HasPrefix(part, disk) {
		return false
	}
	rest := part[len(disk):]
	if last := disk[len(disk)-1]; last >= '0' && last <= '9' {
		if rest[0] != 'p' {
			return false
		}
		rest = rest[1:]
	}
	return rest != "" && allDigits(rest)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// pseudoFS reports whether a filesystem type has no disk space of its own to
// report: kernel interfaces, memory-backed mounts and read-only images (a
// squashfs snap is always 100% full, which says nothing).
func pseudoFS(fstype string) bool {
	switch fstype {
	case "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs",
		"debugfs", "devfs", "devpts", "devtmpfs", "efivarfs", "fusectl",
		"fuse.gvfsd-fuse", "fuse.lxcfs", "fuse.portal", "fuse.snapfuse",
		"hugetlbfs", "mqueue", "nfsd", "nsfs", "proc", "pstore", "ramfs",
		"rpc_pipefs", "securityfs", "selinuxfs", "squashfs", "sysfs", "tmpfs",
		"tracefs":
		return true
	}
	return false
}

// keepFilesystem reports whether a mount belongs in the filesystem panel.
// An overlay is kept only as "/": in a container it is the root filesystem,
// while elsewhere overlays are layers of the same disk shown already.
func keepFilesystem(fstype, mount string) bool {
	if fstype == "overlay" {
		return mount == "/"
	}
	return fstype != "" && !pseudoFS(fstype)
}

// selectMounts keeps the mounts that belong in the filesystem panel, each
// device once, at its shortest mount point: bind mounts and btrfs subvolumes
// repeat a device that already has a line. It filters ms in place and keeps
// the order of the first mount of each device.
func selectMounts(ms []FilesystemUsage) []FilesystemUsage {
	out := ms[:0]
next:
	for _, m := range ms {
		if !keepFilesystem(m.Type, m.Mount) {
			continue
		}
		for i := range out {
			if out[i].Device == m.Device {
				if len(m.Mount) < len(out[i].Mount) {
					out[i] = m
				}
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// netIdle reports an interface that never moved a byte: it goes to the end
// of the network panel.
func netIdle(n *NetCounters) bool {
	return n.RxBytes == 0 && n.TxBytes == 0 && n.RxPackets == 0 && n.TxPackets == 0
}
