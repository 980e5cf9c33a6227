package system

import (
	"bytes"
	"errors"
	"math"
	"time"
)

// Errors for /proc files that lack what every Linux writes in them.
var (
	errNoCPULine   = errors.New("no cpu line in /proc/stat")
	errNoMemTotal  = errors.New("no MemTotal in /proc/meminfo")
	errLoadavgForm = errors.New("malformed /proc/loadavg")
)

// maxCPUs bounds the core numbers parseCPUStat accepts (the kernel's own
// limit), so a garbled line cannot make it allocate without end.
const maxCPUs = 8192

// nextLine splits the first line of data, without its newline, from the rest.
func nextLine(data []byte) (line, rest []byte) {
	if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
		return data[:nl], data[nl+1:]
	}
	return data, nil
}

// parseCPUStat parses the cpu lines of /proc/stat, whose times are in clock
// ticks of tick each, into dst, reusing dst.Cores. Core i goes to Cores[i]
// whatever the order, and an offline core's place stays zero, so a core keeps
// its series when another goes offline.
func parseCPUStat(data []byte, tick time.Duration, dst *CPURaw) {
	dst.Total, dst.Cores, dst.Err = CPUTimes{}, dst.Cores[:0], errNoCPULine
	for len(data) > 0 {
		var line []byte
		line, data = nextLine(data)
		name, i := nextField(line, 0)
		if len(name) < 3 || string(name[:3]) != "cpu" {
			continue
		}
		var v [8]float64 // user nice system idle iowait irq softirq steal
		n := 0
		for ; n < len(v); n++ {
			f, next := nextField(line, i)
			t, ok := parseUint(f)
			if !ok {
				break
			}
			v[n], i = float64(t)*tick.Seconds(), next
		}
		if n < 4 { // user, nice, system and idle are there since Linux 1.0
			continue
		}
		times := CPUTimes{User: v[0], Nice: v[1], System: v[2], Idle: v[3],
			IOWait: v[4], IRQ: v[5], SoftIRQ: v[6], Steal: v[7]}
		if len(name) == 3 {
			dst.Total, dst.Err = times, nil
			continue
		}
		core, ok := parseUint(name[3:])
		if !ok || core >= maxCPUs {
			continue
		}
		for uint64(len(dst.Cores)) <= core {
			dst.Cores = append(dst.Cores, CPUTimes{})
		}
		dst.Cores[core] = times
	}
}

// parseMeminfo parses /proc/meminfo. Cached includes reclaimable slab, as
// free(1) counts it. Kernels before 3.14 give no MemAvailable; free memory
// plus page cache and buffers stands in for it there.
func parseMeminfo(data []byte) (MemoryRaw, SwapRaw) {
	var m MemoryRaw
	var s SwapRaw
	var reclaimable uint64
	haveTotal, haveAvail := false, false
	for len(data) > 0 {
		var line []byte
		line, data = nextLine(data)
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		f, _ := nextField(line, colon+1)
		kb, ok := parseUint(f)
		if !ok || kb > math.MaxUint64/1024 {
			continue
		}
		v := kb * 1024
		switch string(line[:colon]) {
		case "MemTotal":
			m.Total, haveTotal = v, true
		case "MemFree":
			m.Free = v
		case "MemAvailable":
			m.Available, haveAvail = v, true
		case "Buffers":
			m.Buffers = v
		case "Cached":
			m.Cached = v
		case "SReclaimable":
			reclaimable = v
		case "SwapTotal":
			s.Total = v
		case "SwapFree":
			s.Free = v
		}
	}
	m.Cached += reclaimable
	if !haveAvail {
		m.Available = m.Free + m.Cached + m.Buffers
	}
	if !haveTotal {
		m = MemoryRaw{Err: errNoMemTotal}
		s = SwapRaw{Err: errNoMemTotal}
	}
	return m, s
}

// parseLoadavg parses the three averages of /proc/loadavg.
func parseLoadavg(data []byte) LoadRaw {
	var l LoadRaw
	i := 0
	for _, dst := range []*float64{&l.Load1, &l.Load5, &l.Load15} {
		var f []byte
		f, i = nextField(data, i)
		v, ok := parseDecimal(f)
		if !ok {
			return LoadRaw{Err: errLoadavgForm}
		}
		*dst = v
	}
	return l
}

// parseDecimal parses an unsigned decimal such as 0.52 or 12, the format of
// /proc/loadavg, without strconv's string.
func parseDecimal(b []byte) (float64, bool) {
	whole, frac := b, []byte(nil)
	if dot := bytes.IndexByte(b, '.'); dot >= 0 {
		whole, frac = b[:dot], b[dot+1:]
		if len(frac) == 0 || len(frac) > 9 {
			return 0, false
		}
	}
	w, ok := parseUint(whole)
	if !ok {
		return 0, false
	}
	v := float64(w)
	if frac != nil {
		f, ok := parseUint(frac)
		if !ok {
			return 0, false
		}
		v += float64(f) / math.Pow10(len(frac))
	}
	return v, true
}

// parseNetDev parses /proc/net/dev into dst's storage. As in parseDiskstats,
// an interface at the same place as last time keeps its name string.
func parseNetDev(data []byte, dst []NetCounters) []NetCounters {
	out := dst[:0]
next:
	for len(data) > 0 {
		var line []byte
		line, data = nextLine(data)
		// name: rx bytes packets errs drop fifo frame compressed multicast
		//       tx bytes packets errs drop fifo colls carrier compressed
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			continue // the two header lines
		}
		name := bytes.TrimSpace(line[:colon])
		var v [12]uint64
		i := colon + 1
		for k := range v {
			var f []byte
			var ok bool
			f, i = nextField(line, i)
			if v[k], ok = parseUint(f); !ok {
				continue next
			}
		}
		if len(name) == 0 {
			continue
		}
		n := NetCounters{
			RxBytes: v[0], RxPackets: v[1], RxErrors: v[2], RxDrops: v[3],
			TxBytes: v[8], TxPackets: v[9], TxErrors: v[10], TxDrops: v[11],
		}
		if k := len(out); k < len(dst) && dst[k].Name == string(name) {
			n.Name = dst[k].Name
		} else {
			n.Name = string(name)
		}
		out = append(out, n)
	}
	return out
}

// diskSectorSize is the unit of /proc/diskstats' sector counts, whatever the
// device's own sector size.
const diskSectorSize = 512

// parseDiskstats parses /proc/diskstats into dst's storage and returns the
// devices in the kernel's order. A device keeps dst's name string when it is
// at the same place as last time, so a steady reading allocates nothing.
// Malformed lines are skipped: one odd device must not hide the others.
func parseDiskstats(data []byte, dst []DiskCounters) []DiskCounters {
	out := dst[:0]
next:
	for len(data) > 0 {
		var line []byte
		line, data = nextLine(data)
		// major minor name reads merged sectors ms writes merged sectors ms
		// in-flight io_ms weighted_ms [discard and flush fields]
		var f [13][]byte
		i := 0
		for n := range f {
			if f[n], i = nextField(line, i); f[n] == nil {
				continue next
			}
		}
		var v [13]uint64
		for k := 3; k < len(f); k++ {
			var ok bool
			if v[k], ok = parseUint(f[k]); !ok {
				continue next
			}
		}
		d := DiskCounters{
			Reads:      v[3],
			ReadBytes:  v[5] * diskSectorSize,
			Writes:     v[7],
			WriteBytes: v[9] * diskSectorSize,
			IOTime:     time.Duration(min(v[12], math.MaxInt64/uint64(time.Millisecond))) * time.Millisecond,
		}
		if k := len(out); k < len(dst) && dst[k].Name == string(f[2]) {
			d.Name = dst[k].Name
		} else {
			d.Name = string(f[2])
		}
		out = append(out, d)
	}
	return out
}
