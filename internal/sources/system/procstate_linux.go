//go:build linux

package system

import (
	"bytes"
	"io/fs"
	"os"
	"os/user"
	"slices"
	"strconv"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"golang.org/x/sys/unix"
)

// maxInternedNames bounds the process-name table; past it the table starts
// over, which only costs the allocations it normally saves.
const maxInternedNames = 4096

// maxKeptFiles bounds the /proc/[pid]/stat files kept open between reads.
// The load generator in the same process needs descriptors more; processes
// beyond the bound are opened and closed on every read.
const maxKeptFiles = 256

// userRefresh is how many passes a kept process's user name is trusted for.
// fstat on a /proc file costs half as much as reading it, and a process
// rarely changes user after it started; when it does, the name catches up
// within this many passes.
const userRefresh = 8

// cmdRefresh is how many passes a process's command line is trusted for:
// it is read when the process is first seen, and again this often, since a
// process may rewrite it (nginx's "worker process", postgres's status).
const cmdRefresh = 64

// maxCommand bounds the command line kept per process, in bytes: wider than
// any screen, and bounded however many processes there are (10,000 at most
// hold 10 MiB at worst; a host's are some kilobytes).
const maxCommand = 1 << 10

// procState holds ProcReader's buffers, reused on every call so a
// steady reading allocates only for processes it has not seen before.
//
// It also keeps the files it reads open: a pread(2) at offset 0 makes procfs
// generate a file afresh, for a third of the cost of open, read and close.
// A kept /proc/[pid]/stat of a process that exited fails with ESRCH, even if
// its PID was reused, so it cannot show another process.
type procState struct {
	root     string            // "" means /proc; tests point it at a fake tree
	users    map[uint32]string // user names by uid, cached for the reader's life
	buf      []byte            // the file read last
	dents    []byte            // getdents64 records of /proc
	pids     []int32
	path     []byte            // the /proc/[pid]/stat path being built
	names    map[string]string // process names, interned
	kept     map[int32]keptFile
	cmds     map[int32]command // command lines by PID, of the processes the last pass listed
	cmdBuf   []byte
	maxKept  int
	pass     uint32 // counts process reads, to find files of exited processes
	pageSize uint64
	tick     time.Duration // one clock tick of /proc times (USER_HZ)

	stat, meminfo, loadavg, netdev, diskstats keptPath
}

// keptFile is an open /proc/[pid]/stat, the last pass that listed it and the
// process's user name.
type keptFile struct {
	fd   int
	pass uint32
	user string
}

// command is a process's command line as last read, the start time of the
// process it was read from (a reused PID is another process), and the last
// pass that listed it.
type command struct {
	start uint64
	pass  uint32
	text  string
}

// command returns the command line of process pid, started at start: its
// arguments joined by spaces, or [name] for a kernel thread, which has none.
func (s *procState) command(root string, pid int32, start uint64, name string) string {
	c, ok := s.cmds[pid]
	if !ok || c.start != start || (uint32(pid)+s.pass)%cmdRefresh == 0 {
		b, ok := s.readCommand(root, pid)
		switch {
		case !ok:
			c = command{start: start} // gone, or not ours to read: try again next time
		case len(b) == 0:
			c = command{start: start, text: "[" + name + "]"}
		case c.start != start || string(b) != c.text: // the same: no new string
			c = command{start: start, text: string(b)}
		}
	}
	c.pass = s.pass
	if s.cmds == nil {
		s.cmds = make(map[int32]command)
	}
	s.cmds[pid] = c
	return c.text
}

// readCommand reads /proc/[pid]/cmdline, NULs made spaces, into a reused
// buffer: empty for a kernel thread (or a zombie); false when the file
// cannot be read.
func (s *procState) readCommand(root string, pid int32) ([]byte, bool) {
	s.path = append(s.path[:0], root...)
	s.path = append(s.path, '/')
	s.path = strconv.AppendInt(s.path, int64(pid), 10)
	s.path = append(s.path, "/cmdline"...)
	fd, err := openProc(string(s.path))
	if err != nil {
		return nil, false
	}
	defer closeProc(fd)
	if s.cmdBuf == nil {
		s.cmdBuf = make([]byte, maxCommand)
	}
	n, err := unix.Pread(fd, s.cmdBuf, 0)
	for err == unix.EINTR {
		n, err = unix.Pread(fd, s.cmdBuf, 0)
	}
	if err != nil {
		return nil, false
	}
	b := bytes.TrimRight(s.cmdBuf[:n], "\x00")
	for i, c := range b {
		if c == 0 {
			b[i] = ' '
		}
	}
	return b, true
}

// keptPath is a /proc file kept open between reads.
type keptPath struct {
	fd   int
	open bool
}

func (s *procState) setup() {
	if s.tick != 0 {
		return
	}
	s.pageSize = uint64(os.Getpagesize())
	s.tick = time.Second / time.Duration(max(1, int64(cpu.ClocksPerSec)))
	s.kept = make(map[int32]keptFile)
	s.maxKept = maxKeptFiles
	var lim unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Cur < 8*maxKeptFiles {
		s.maxKept = int(lim.Cur / 8)
	}
}

// close closes every kept file.
func (s *procState) close() {
	for pid, k := range s.kept {
		closeProc(k.fd)
		delete(s.kept, pid)
	}
	for _, k := range []*keptPath{&s.stat, &s.meminfo, &s.loadavg, &s.netdev, &s.diskstats} {
		if k.open {
			closeProc(k.fd)
			k.open = false
		}
	}
}

// readPath reads the file root/name, opening it on first use and keeping it
// open. After a failure the file is closed, to be opened afresh next time.
func (s *procState) readPath(k *keptPath, root, name string) ([]byte, error) {
	if !k.open {
		path := root + "/" + name
		fd, err := openProc(path)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: path, Err: err}
		}
		k.fd, k.open = fd, true
	}
	data, err := s.read(k.fd, "")
	if err != nil {
		closeProc(k.fd)
		k.open = false
		return nil, &fs.PathError{Op: "read", Path: root + "/" + name, Err: err}
	}
	return data, nil
}

// readKept reads the kept stat file of pid, if there is one. A file that
// fails belongs to a process that exited; it is closed, and false tells the
// caller to open the PID afresh, in case it was reused.
func (s *procState) readKept(pid int32) (fd int, data []byte, user string, ok bool) {
	k, ok := s.kept[pid]
	if !ok {
		return -1, nil, "", false
	}
	data, err := s.read(k.fd, "")
	if err != nil || len(data) == 0 {
		closeProc(k.fd)
		delete(s.kept, pid)
		return -1, nil, "", false
	}
	k.pass = s.pass
	s.kept[pid] = k
	return k.fd, data, k.user, true
}

// sweep closes the kept files of processes the current pass did not list.
func (s *procState) sweep() {
	for pid, k := range s.kept {
		if k.pass != s.pass {
			closeProc(k.fd)
			delete(s.kept, pid)
		}
	}
	for pid, c := range s.cmds {
		if c.pass != s.pass {
			delete(s.cmds, pid)
		}
	}
}

// listPIDs lists the process directories of root with getdents64, parsing
// the records in place instead of building a string per entry.
func (s *procState) listPIDs(root string) ([]int32, error) {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: root, Err: err}
	}
	defer closeProc(fd)
	if s.dents == nil {
		s.dents = make([]byte, 16<<10)
	}
	s.pids = s.pids[:0]
	for {
		n, err := unix.Getdents(fd, s.dents)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "getdents", Path: root, Err: err}
		}
		if n <= 0 {
			return s.pids, nil
		}
		s.pids = parseDirents(s.dents[:n], s.pids)
	}
}

// read reads fd from its start to its end into the reused buffer. A procfs
// file answers a read with all it has unless the buffer fills up, so a short
// read is taken as the end, which saves the read(2) that would return 0.
func (s *procState) read(fd int, path string) ([]byte, error) {
	if s.buf == nil {
		s.buf = make([]byte, 4<<10)
	}
	n := 0
	for {
		m, err := unix.Pread(fd, s.buf[n:], int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		n += m
		if m == 0 || n < len(s.buf) {
			return s.buf[:n], nil
		}
		s.buf = slices.Grow(s.buf, len(s.buf))[:2*len(s.buf)]
	}
}

// userName returns the name of the user with uid, looked up once: user
// databases do not change under a running dashboard often enough to matter.
func (s *procState) userName(uid uint32) string {
	if name, ok := s.users[uid]; ok {
		return name
	}
	id := strconv.FormatUint(uint64(uid), 10)
	name := id
	if u, err := user.LookupId(id); err == nil {
		name = u.Username
	}
	if s.users == nil {
		s.users = make(map[uint32]string)
	}
	s.users[uid] = name
	return name
}

// openProc opens a /proc file read-only and close-on-exec.
func openProc(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// closeProc closes fd; errors are of no use for read-only procfs files.
func closeProc(fd int) { _ = unix.Close(fd) }
