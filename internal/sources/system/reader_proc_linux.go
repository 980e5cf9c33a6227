//go:build linux

package system

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// ProcReader reads the local host from /proc itself, with one pread(2) per
// file on descriptors kept open between reads, because every system call
// counts when a tick must cost a few hundred microseconds: gopsutil opens,
// reads, rereads and closes each file, looks up udev serial numbers and
// labels for every block device, and its process API reads several files
// per process where one read of /proc/[pid]/stat does (BenchmarkReaders
// compares the two; the README's Performance section has the figures).
// gopsutil still lists the mounted filesystems.
//
// Its system calls are the ordinary, scheduler-aware ones of x/sys/unix: a
// read of a process's /proc files can block while that process holds its
// memory lock, and a call the Go scheduler does not know about would hold
// the only P of a GOMAXPROCS=1 dashboard for as long, freezing its keys.
//
// The zero value reads /proc and is ready to use; Close it when done. A
// ProcReader reuses its buffers between calls, so it is not safe for
// concurrent use: give each goroutine its own.
type ProcReader struct {
	st procState // buffers and open files
}

var _ Reader = (*ProcReader)(nil)

// NewProcReader returns a reader of the proc filesystem mounted at root, as
// node_exporter's --path.procfs: "" or "/proc" is this host's; a host's /proc
// mounted into a container elsewhere (say /host/proc) reads that host.
func NewProcReader(root string) *ProcReader {
	return &ProcReader{st: procState{root: root}}
}

// Read implements Reader.
func (r *ProcReader) Read(ctx context.Context, parts Parts, dst *Raw) {
	readParts(ctx, r, parts, dst)
}

// Close releases what the reader keeps open between reads: a few /proc files
// and the stat files of up to a few hundred processes. The reader stays
// usable: the next Read opens what it needs again. Close always returns nil.
func (r *ProcReader) Close() error {
	r.st.close()
	return nil
}

func (r *ProcReader) root() string {
	if r.st.root == "" {
		return "/proc"
	}
	return r.st.root
}

func (r *ProcReader) readCPU(_ context.Context, dst *CPURaw) {
	s := &r.st
	s.setup()
	data, err := s.readPath(&s.stat, r.root(), "stat")
	if err != nil {
		dst.Total, dst.Cores, dst.Err = CPUTimes{}, dst.Cores[:0], err
		return
	}
	parseCPUStat(data, s.tick, dst)
}

func (r *ProcReader) readMemory(_ context.Context, parts Parts, dst *Raw) {
	s := &r.st
	data, err := s.readPath(&s.meminfo, r.root(), "meminfo")
	m, sw := MemoryRaw{Err: err}, SwapRaw{Err: err}
	if err == nil {
		m, sw = parseMeminfo(data)
	}
	if parts.Has(PartMemory) {
		dst.Memory = m
	}
	if parts.Has(PartSwap) {
		dst.Swap = sw
	}
}

func (r *ProcReader) readLoad(_ context.Context, dst *LoadRaw) {
	s := &r.st
	data, err := s.readPath(&s.loadavg, r.root(), "loadavg")
	if err != nil {
		*dst = LoadRaw{Err: err}
		return
	}
	*dst = parseLoadavg(data)
}

func (r *ProcReader) readNetwork(_ context.Context, dst *NetworkRaw) {
	s := &r.st
	dst.T = time.Now()
	data, err := s.readPath(&s.netdev, r.root(), "net/dev")
	if dst.Err = err; err != nil {
		dst.Interfaces = dst.Interfaces[:0]
		return
	}
	dst.Interfaces = parseNetDev(data, dst.Interfaces)
}

func (r *ProcReader) readDisks(_ context.Context, dst *DisksRaw) {
	s := &r.st
	dst.T = time.Now()
	data, err := s.readPath(&s.diskstats, r.root(), "diskstats")
	if dst.Err = err; err != nil {
		dst.Devices = dst.Devices[:0]
		return
	}
	dst.Devices = parseDiskstats(data, dst.Devices)
}

func (r *ProcReader) readProcesses(ctx context.Context, dst *ProcessesRaw) {
	s := &r.st
	s.setup()
	if s.names == nil || len(s.names) > maxInternedNames {
		s.names = make(map[string]string)
	}
	dst.T = time.Now()
	dst.List = dst.List[:0]
	root := r.root()
	pids, err := s.listPIDs(root)
	if dst.Err = err; err != nil {
		return
	}
	s.pass++
	for i, pid := range pids {
		if i%64 == 0 {
			if dst.Err = ctx.Err(); dst.Err != nil {
				return
			}
		}
		if p, ok := r.readProcess(root, pid); ok {
			dst.List = append(dst.List, p)
		}
	}
	s.sweep()
	// /proc lists processes by PID already; a fake tree in a test may not.
	slices.SortFunc(dst.List, func(a, b ProcSample) int { return cmp.Compare(a.PID, b.PID) })
}

// readProcess reads one /proc/[pid]/stat. It reports false for a process that
// exited since it was listed, or whose line does not parse.
func (r *ProcReader) readProcess(root string, pid int32) (ProcSample, bool) {
	s := &r.st
	fd, data, user, ok := s.readKept(pid)
	if !ok {
		s.path = append(s.path[:0], root...)
		s.path = append(s.path, '/')
		s.path = strconv.AppendInt(s.path, int64(pid), 10)
		s.path = append(s.path, "/stat"...)
		var err error
		if fd, err = openProc(string(s.path)); err != nil {
			return ProcSample{}, false
		}
		if data, err = s.read(fd, ""); err != nil {
			closeProc(fd)
			return ProcSample{}, false
		}
		if len(s.kept) < s.maxKept {
			s.kept[pid] = keptFile{fd: fd, pass: s.pass}
		} else {
			defer closeProc(fd)
		}
	}
	st, err := parseStat(data)
	if err != nil {
		return ProcSample{}, false
	}
	name, ok := s.names[string(st.Comm)]
	if !ok {
		name = string(st.Comm)
		s.names[name] = name
	}
	if user == "" || (uint32(pid)+s.pass)%userRefresh == 0 {
		// The files of /proc/[pid] belong to the process's effective
		// user, so fstat on the open file tells it.
		var sys unix.Stat_t
		if unix.Fstat(fd, &sys) == nil {
			user = s.userName(sys.Uid)
			if k, ok := s.kept[pid]; ok {
				k.user = user
				s.kept[pid] = k
			}
		}
	}
	return ProcSample{
		PID:     pid,
		Start:   st.Start,
		Name:    name,
		Command: s.command(root, pid, st.Start, name),
		User:    user,
		State:   st.State,
		Threads: st.Threads,
		CPU:     time.Duration(st.UTime+st.STime) * s.tick,
		RSS:     st.RSSPages * s.pageSize,
	}, true
}
