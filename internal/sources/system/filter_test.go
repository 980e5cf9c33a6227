package system

import (
	"reflect"
	"testing"
)

func disks(names ...string) []DiskCounters {
	ds := make([]DiskCounters, len(names))
	for i, n := range names {
		ds[i].Name = n
	}
	return ds
}

func TestKeepDisk(t *testing.T) {
	tests := []struct {
		name   string
		listed []string
		want   []string
	}{
		{"virtual devices", []string{"loop0", "loop12", "ram0", "zram0", "fd0", "sr0", "vda"}, []string{"vda"}},
		{"partitions of listed disks", []string{"sda", "sda1", "sda2", "vda", "vda1", "xvda", "xvda1"}, []string{"sda", "vda", "xvda"}},
		{"p separator after a digit", []string{"nvme0n1", "nvme0n1p1", "nvme0n1p12", "mmcblk0", "mmcblk0p1"}, []string{"nvme0n1", "mmcblk0"}},
		{"stacked devices stay", []string{"sda", "sda1", "dm-0", "dm-1", "md0", "md127"}, []string{"sda", "dm-0", "dm-1", "md0", "md127"}},
		{"partition without its disk stays", []string{"sda1", "nvme0n1p1"}, []string{"sda1", "nvme0n1p1"}},
		{"similar names are not partitions", []string{"sda", "sdaa", "dm-1", "dm-10", "nvme0n1", "nvme0n10", "md1", "md10"},
			[]string{"sda", "sdaa", "dm-1", "dm-10", "nvme0n1", "nvme0n10", "md1", "md10"}},
		{"empty name", []string{""}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			all := disks(tc.listed...)
			var got []string
			for _, d := range all {
				if keepDisk(d.Name, all) {
					got = append(got, d.Name)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("kept %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSelectMounts(t *testing.T) {
	m := func(dev, mount, typ string) FilesystemUsage {
		return FilesystemUsage{Device: dev, Mount: mount, Type: typ}
	}
	tests := []struct {
		name string
		in   []FilesystemUsage
		want []FilesystemUsage
	}{
		{
			"host",
			[]FilesystemUsage{
				m("/dev/sda2", "/", "ext4"), m("proc", "/proc", "proc"), m("sysfs", "/sys", "sysfs"),
				m("tmpfs", "/run", "tmpfs"), m("devtmpfs", "/dev", "devtmpfs"), m("/dev/sda1", "/boot/efi", "vfat"),
				m("/dev/loop3", "/snap/core/1", "squashfs"), m("cgroup2", "/sys/fs/cgroup", "cgroup2"),
				m("nas:/export", "/mnt/nas", "nfs4"), m("overlay", "/var/lib/docker/overlay2/x/merged", "overlay"),
			},
			[]FilesystemUsage{m("/dev/sda2", "/", "ext4"), m("/dev/sda1", "/boot/efi", "vfat"), m("nas:/export", "/mnt/nas", "nfs4")},
		},
		{
			"container root is an overlay",
			[]FilesystemUsage{m("overlay", "/", "overlay"), m("/dev/vda", "/etc/hosts", "ext4"), m("/dev/vda", "/etc/resolv.conf", "ext4")},
			[]FilesystemUsage{m("overlay", "/", "overlay"), m("/dev/vda", "/etc/hosts", "ext4")},
		},
		{
			"device once, at its shortest mount",
			[]FilesystemUsage{m("/dev/sdb1", "/srv/data/sub", "btrfs"), m("/dev/sda1", "/", "xfs"), m("/dev/sdb1", "/srv", "btrfs")},
			[]FilesystemUsage{m("/dev/sdb1", "/srv", "btrfs"), m("/dev/sda1", "/", "xfs")},
		},
		{"empty type", []FilesystemUsage{m("x", "/x", "")}, []FilesystemUsage{}},
		{"nothing", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := selectMounts(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestNetIdle(t *testing.T) {
	tests := []struct {
		nic  NetCounters
		want bool
	}{
		{NetCounters{Name: "lo", RxBytes: 10}, false},
		{NetCounters{Name: "lo0"}, true},
		{NetCounters{Name: "eth0", RxBytes: 10}, false},
		{NetCounters{Name: "eth1", TxPackets: 1}, false},
		{NetCounters{Name: "ifb0"}, true},
		{NetCounters{Name: "local0", RxBytes: 1}, false},
	}
	for _, tc := range tests {
		t.Run(tc.nic.Name, func(t *testing.T) {
			if got := netIdle(&tc.nic); got != tc.want {
				t.Errorf("netIdle(%+v) = %v, want %v", tc.nic, got, tc.want)
			}
		})
	}
}
