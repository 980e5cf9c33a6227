package system

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

const statFile = `cpu  62734 10 30156 417996 501 3 1012 7 5 0
cpu0 31000 0 14877 209747 97 0 433 0 0 0
cpu1 31733 10 15279 208248 404 3 579 7 5 0
intr 1 2 3
ctxt 123
`

func TestParseCPUStat(t *testing.T) {
	const tick = 10 * time.Millisecond
	cpu := func(v ...float64) CPUTimes {
		var c [8]float64
		for i := range v {
			c[i] = v[i] / 100
		}
		return CPUTimes{c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]}
	}
	tests := []struct {
		name string
		data string
		dst  []CPUTimes
		want CPURaw
	}{
		{"real", statFile, nil, CPURaw{
			Total: cpu(62734, 10, 30156, 417996, 501, 3, 1012, 7),
			Cores: []CPUTimes{cpu(31000, 0, 14877, 209747, 97, 0, 433, 0), cpu(31733, 10, 15279, 208248, 404, 3, 579, 7)},
		}},
		{"reuses cores", statFile, make([]CPUTimes, 8), CPURaw{
			Total: cpu(62734, 10, 30156, 417996, 501, 3, 1012, 7),
			Cores: []CPUTimes{cpu(31000, 0, 14877, 209747, 97, 0, 433, 0), cpu(31733, 10, 15279, 208248, 404, 3, 579, 7)},
		}},
		{"old kernel, offline core", "cpu 4 3 2 1\ncpu0 2 1 1 1\ncpu2 2 2 1 0\n", nil, CPURaw{
			Total: cpu(4, 3, 2, 1),
			Cores: []CPUTimes{cpu(2, 1, 1, 1), {}, cpu(2, 2, 1)},
		}},
		{"garbage lines skipped", "cpu 1 2 3 4\ncpu9999999 1 2 3 4\ncpux 1 2 3 4\ncpu0 1 2\n", nil, CPURaw{Total: cpu(1, 2, 3, 4), Cores: []CPUTimes{}}},
		{"no total", "cpu0 1 2 3 4\n", nil, CPURaw{Cores: []CPUTimes{cpu(1, 2, 3, 4)}, Err: errNoCPULine}},
		{"empty", "", nil, CPURaw{Err: errNoCPULine}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CPURaw{Cores: tc.dst}
			parseCPUStat([]byte(tc.data), tick, &got)
			if len(got.Cores) == 0 && len(tc.want.Cores) == 0 {
				got.Cores, tc.want.Cores = nil, nil
			}
			check(t, got, tc.want)
		})
	}
}

func FuzzParseCPUStat(f *testing.F) {
	f.Add([]byte(statFile))
	f.Add([]byte("cpu 1 2 3 4\ncpu8191 1 2 3 4 5 6 7 8 9 10 11\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		var got CPURaw
		parseCPUStat(b, 10*time.Millisecond, &got)
		if len(got.Cores) > maxCPUs {
			t.Errorf("%d cores from %q", len(got.Cores), b)
		}
	})
}

const meminfo = `MemTotal:       24683620 kB
MemFree:        24000104 kB
MemAvailable:   24345080 kB
Buffers:            6424 kB
Cached:           509992 kB
SwapCached:            0 kB
SwapTotal:       1048572 kB
SwapFree:         524288 kB
SReclaimable:      88296 kB
HugePages_Total:       0
`

func TestParseMeminfo(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantMem  MemoryRaw
		wantSwap SwapRaw
	}{
		{"real", meminfo,
			MemoryRaw{Total: 24683620 << 10, Free: 24000104 << 10, Available: 24345080 << 10, Buffers: 6424 << 10, Cached: (509992 + 88296) << 10},
			SwapRaw{Total: 1048572 << 10, Free: 524288 << 10}},
		{"no MemAvailable before Linux 3.14", "MemTotal: 100 kB\nMemFree: 10 kB\nBuffers: 5 kB\nCached: 20 kB\n",
			MemoryRaw{Total: 100 << 10, Free: 10 << 10, Available: 35 << 10, Buffers: 5 << 10, Cached: 20 << 10},
			SwapRaw{}},
		{"odd lines skipped", "MemTotal: 100 kB\nMemFree: x kB\nnonsense\nMemAvailable: 99999999999999999999 kB\n",
			MemoryRaw{Total: 100 << 10}, SwapRaw{}},
		{"no MemTotal", "MemFree: 10 kB\n", MemoryRaw{Err: errNoMemTotal}, SwapRaw{Err: errNoMemTotal}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, s := parseMeminfo([]byte(tc.data))
			check(t, m, tc.wantMem)
			check(t, s, tc.wantSwap)
		})
	}
}

func FuzzParseMeminfo(f *testing.F) {
	f.Add([]byte(meminfo))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, _ := parseMeminfo(b); m.Err == nil && !bytes.Contains(b, []byte("MemTotal")) {
			t.Errorf("parseMeminfo(%q) found a total that is not there: %+v", b, m)
		}
	})
}

func TestParseLoadavg(t *testing.T) {
	tests := []struct {
		data string
		want LoadRaw
	}{
		{"1.05 1.56 1.11 1/93 26341\n", LoadRaw{Load1: 1.05, Load5: 1.56, Load15: 1.11}},
		{"0.00 12 100.5 1/93 26341", LoadRaw{Load1: 0, Load5: 12, Load15: 100.5}},
		{"1.05 1.56", LoadRaw{Err: errLoadavgForm}},
		{"1.05 -1.56 1.11", LoadRaw{Err: errLoadavgForm}},
		{"1. 1.56 1.11", LoadRaw{Err: errLoadavgForm}},
		{"", LoadRaw{Err: errLoadavgForm}},
	}
	for _, tc := range tests {
		t.Run(tc.data, func(t *testing.T) {
			check(t, parseLoadavg([]byte(tc.data)), tc.want)
		})
	}
}

func FuzzParseLoadavg(f *testing.F) {
	f.Add([]byte("1.05 1.56 1.11 1/93 26341\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if l := parseLoadavg(b); l.Err == nil && (l.Load1 < 0 || l.Load5 < 0 || l.Load15 < 0) {
			t.Errorf("parseLoadavg(%q) = %+v", b, l)
		}
	})
}

const netDev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
  eth0: 54110449    4352    1    2    0     0          0         0   452741    4273    3    4    0     0       0          0
eth1:18446744073709551615 1 0 0 0 0 0 0 7 1 0 0 0 0 0 0
  bad: 1 2 3
`

func TestParseNetDev(t *testing.T) {
	want := []NetCounters{
		{Name: "lo", RxBytes: 3193, RxPackets: 29, TxBytes: 3193, TxPackets: 29},
		{Name: "eth0", RxBytes: 54110449, RxPackets: 4352, RxErrors: 1, RxDrops: 2, TxBytes: 452741, TxPackets: 4273, TxErrors: 3, TxDrops: 4},
		{Name: "eth1", RxBytes: 1<<64 - 1, RxPackets: 1, TxBytes: 7, TxPackets: 1},
	}
	tests := []struct {
		name string
		dst  []NetCounters
	}{
		{"fresh", nil},
		{"reused", []NetCounters{{Name: "lo"}, {Name: "wlan0"}, {Name: "eth1"}, {Name: "extra"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := parseNetDev([]byte(netDev), tc.dst); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
	steady := parseNetDev([]byte(netDev), nil)
	if allocs := testing.AllocsPerRun(10, func() { steady = parseNetDev([]byte(netDev), steady) }); allocs != 0 {
		t.Errorf("steady parse allocates %v times, want 0", allocs)
	}
}

func FuzzParseNetDev(f *testing.F) {
	f.Add([]byte(netDev))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, n := range parseNetDev(b, nil) {
			if n.Name == "" {
				t.Errorf("parseNetDev(%q) gave an unnamed interface", b)
			}
		}
	})
}

const diskstats = `   7       0 loop0 10 0 20 0 0 0 0 0 0 4 0 0 0 0 0 0 0
 254       0 vda 19675 5780 1149386 8810 2112 13318 928976 1404 0 3128 10797 3770 72 85728 581 3 1
 254       1 vda1 100 0 200 1 0 0 0 0 0 2 1
 bad line
 8 0 sdb 1 2 x 4 5 6 7 8 9 10 11
 253 0 dm-0 1 0 8 0 2 0 16 0 0 1 1`

func TestParseDiskstats(t *testing.T) {
	want := []DiskCounters{
		{Name: "loop0", Reads: 10, ReadBytes: 20 * 512, IOTime: 4 * time.Millisecond},
		{Name: "vda", Reads: 19675, ReadBytes: 1149386 * 512, Writes: 2112, WriteBytes: 928976 * 512, IOTime: 3128 * time.Millisecond},
		{Name: "vda1", Reads: 100, ReadBytes: 200 * 512, IOTime: 2 * time.Millisecond},
		{Name: "dm-0", Reads: 1, ReadBytes: 8 * 512, Writes: 2, WriteBytes: 16 * 512, IOTime: time.Millisecond},
	}
	tests := []struct {
		name string
		dst  []DiskCounters
	}{
		{"fresh", nil},
		{"reused", []DiskCounters{{Name: "loop0"}, {Name: "other"}, {Name: "vda1"}, {Name: "dm-0"}, {Name: "extra"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parseDiskstats([]byte(diskstats), tc.dst)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestParseDiskstatsReusesNames(t *testing.T) {
	first := parseDiskstats([]byte(diskstats), nil)
	before := first[1].Name
	allocs := testing.AllocsPerRun(10, func() { first = parseDiskstats([]byte(diskstats), first) })
	if allocs != 0 {
		t.Errorf("steady parse allocates %v times, want 0", allocs)
	}
	if first[1].Name != before {
		t.Errorf("name changed to %q", first[1].Name)
	}
}

func FuzzParseDiskstats(f *testing.F) {
	f.Add([]byte(diskstats))
	f.Add([]byte(" 1 2 a 1 2 3 4 5 6 7 8 9 10 18446744073709551615\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, d := range parseDiskstats(b, nil) {
			if d.Name == "" || d.IOTime < 0 {
				t.Errorf("parseDiskstats(%q) gave %+v", b, d)
			}
		}
	})
}
