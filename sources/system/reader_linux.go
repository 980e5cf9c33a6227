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

func (r *GopsutilReader) root() string {
	if r.os.root == "" {
		return "/proc"
	}
	return r.os.root
}

func (r *GopsutilReader) readCPU(_ context.Context, dst *CPURaw) {
	s := &r.os
	s.setup()
	data, err := s.readPath(&s.stat, r.root(), "stat")
	if err != nil {
		dst.Total, dst.Cores, dst.Err = CPUTimes{}, dst.Cores[:0], err
		return
	}
	parseCPUStat(data, s.tick, dst)
}

func (r *GopsutilReader) readMemory(_ context.Context, parts Parts, dst *Raw) {
	s := &r.os
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

func (r *GopsutilReader) readLoad(_ context.Context, dst *LoadRaw) {
	s := &r.os
	data, err := s.readPath(&s.loadavg, r.root(), "loadavg")
	if err != nil {
		*dst = LoadRaw{Err: err}
		return
	}
	*dst = parseLoadavg(data)
}

func (r *GopsutilReader) readNetwork(_ context.Context, dst *NetworkRaw) {
	s := &r.os
	dst.T = time.Now()
	data, err := s.readPath(&s.netdev, r.root(), "net/dev")
	if dst.Err = err; err != nil {
		dst.Interfaces = dst.Interfaces[:0]
		return
	}
	dst.Interfaces = parseNetDev(data, dst.Interfaces)
}

func (r *GopsutilReader) readDisks(_ context.Context, dst *DisksRaw) {
	s := &r.os
	dst.T = time.Now()
	data, err := s.readPath(&s.diskstats, r.root(), "diskstats")
	if dst.Err = err; err != nil {
		dst.Devices = dst.Devices[:0]
		return
	}
	dst.Devices = parseDiskstats(data, dst.Devices)
}

func (r *GopsutilReader) readProcesses(ctx context.Context, dst *ProcessesRaw) {
	s := &r.os
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
func (r *GopsutilReader) readProcess(root string, pid int32) (ProcSample, bool) {
	s := &r.os
	fd, data, user, ok := s.readKept(pid)
	if !ok {
		s.path = append(s.path[:0], root...)
		s.path = append(s.path, '/')
		s.path = strconv.AppendInt(s.path, int64(pid), 10)
		s.path = append(s.path, "/stat"...)
		var err error
		if fd, err = rawOpen(string(s.path)); err != nil {
			return ProcSample{}, false
		}
		if data, err = s.read(fd, ""); err != nil {
			rawClose(fd)
			return ProcSample{}, false
		}
		if len(s.kept) < s.maxKept {
			s.kept[pid] = keptFile{fd: fd, pass: s.pass}
		} else {
			defer rawClose(fd)
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
		if rawFstat(fd, &sys) == nil {
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
		User:    user,
		State:   st.State,
		Threads: st.Threads,
		CPU:     time.Duration(st.UTime+st.STime) * s.tick,
		RSS:     st.RSSPages * s.pageSize,
	}, true
}
