package system

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
)

// The parsers in this file and parse_proc.go read the Linux /proc files the
// lean readers use. They work on bytes the caller owns and reuses, allocate
// nothing but new names, and never panic on malformed input (each has a fuzz
// test). They build on every system, so their tests run everywhere.

// errStatFormat is returned for a /proc/[pid]/stat line that cannot be parsed.
var errStatFormat = errors.New("malformed /proc/[pid]/stat line")

// procStat is the part of a /proc/[pid]/stat line the process table shows.
// Times are in clock ticks, RSS in pages.
type procStat struct {
	PID      int32
	Comm     []byte // aliases the parsed line
	State    byte
	UTime    uint64
	STime    uint64
	Threads  int32
	Start    uint64
	RSSPages uint64
}

// Field numbers after the command, counting the state as 0; see proc(5).
const (
	statState   = 0
	statUTime   = 11
	statSTime   = 12
	statThreads = 17
	statStart   = 19
	statRSS     = 21
)

// parseStat parses a /proc/[pid]/stat line. The command name may contain
// spaces and parentheses, so it runs from the first '(' to the last ')'.
func parseStat(b []byte) (procStat, error) {
	var s procStat
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 1 || end < open {
		return s, errStatFormat
	}
	pid, ok := parseUint(bytes.TrimSpace(b[:open]))
	if !ok || pid > math.MaxInt32 {
		return s, errStatFormat
	}
	s.PID = int32(pid)
	s.Comm = b[open+1 : end]
	rest := b[end+1:]
	field, i := 0, 0
	for ; field <= statRSS; field++ {
		var f []byte
		if f, i = nextField(rest, i); f == nil {
			return procStat{}, errStatFormat
		}
		switch field {
		case statState:
			s.State = f[0]
		case statUTime:
			s.UTime, ok = parseUint(f)
		case statSTime:
			s.STime, ok = parseUint(f)
		case statThreads:
			var n uint64
			n, ok = parseUint(f)
			s.Threads = int32(min(n, math.MaxInt32))
		case statStart:
			s.Start, ok = parseUint(f)
		case statRSS:
			// rss is signed in the kernel's format; a negative one means none.
			if len(f) > 1 && f[0] == '-' {
				_, ok = parseUint(f[1:])
			} else {
				s.RSSPages, ok = parseUint(f)
			}
		}
		if !ok {
			return procStat{}, errStatFormat
		}
	}
	return s, nil
}

// nextField returns the next space-separated field of b from index i and the
// index after it, or nil at the end of b.
func nextField(b []byte, i int) (field []byte, next int) {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	start := i
	for i < len(b) && !isSpace(b[i]) {
		i++
	}
	if start == i {
		return nil, i
	}
	return b[start:i], i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// parseUint parses a decimal number, refusing signs, overflow and emptiness.
func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if n > (math.MaxUint64-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	return n, true
}

// direntHeader is the size of linux_dirent64 before its name: inode (8),
// offset (8), record length (2) and type (1).
const direntHeader = 19

// parseDirents appends to dst the PIDs named by the linux_dirent64 records
// that getdents64(2) wrote into buf, skipping every entry of /proc that is not
// a process directory.
func parseDirents(buf []byte, dst []int32) []int32 {
	for len(buf) >= direntHeader {
		reclen := int(binary.NativeEndian.Uint16(buf[16:18]))
		if reclen <= direntHeader || reclen > len(buf) {
			break
		}
		name := buf[direntHeader:reclen]
		if nul := bytes.IndexByte(name, 0); nul >= 0 {
			name = name[:nul]
		}
		if pid, ok := parseUint(name); ok && pid > 0 && pid <= math.MaxInt32 {
			dst = append(dst, int32(pid))
		}
		buf = buf[reclen:]
	}
	return dst
}
