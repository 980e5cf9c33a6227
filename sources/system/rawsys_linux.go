//go:build linux

package system

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The /proc readers make their system calls raw, bypassing the Go
// scheduler's syscall bookkeeping. That bookkeeping wakes the runtime's
// sysmon thread whenever it sleeps, and a woken sysmon polls every 20 µs
// until the process goes idle again: at rest that was two thirds of the
// dashboard's wake-ups and an eighth of its CPU. Calls on procfs files never
// block for long (they generate a few KB in the kernel), so holding on to
// the P for their duration costs the other goroutines nothing noticeable.

// rawOpen opens path read-only and close-on-exec.
func rawOpen(path string) (int, error) { return rawOpenFlags(path, unix.O_RDONLY|unix.O_CLOEXEC) }

// rawOpenDir opens the directory path for rawGetdents.
func rawOpenDir(path string) (int, error) {
	return rawOpenFlags(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
}

func rawOpenFlags(path string, flags int) (int, error) {
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return -1, err
	}
	dirfd := unix.AT_FDCWD
	for {
		fd, _, errno := unix.RawSyscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(flags), 0, 0, 0)
		switch errno {
		case 0:
			return int(fd), nil
		case unix.EINTR:
			continue
		}
		return -1, errno
	}
}

// rawClose closes fd; errors are of no use for read-only procfs files.
func rawClose(fd int) {
	unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
}

// rawPread reads into b from offset off of fd.
func rawPread(fd int, b []byte, off int64) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if unsafe.Sizeof(uintptr(0)) < 8 {
		// 32-bit ABIs split the 64-bit offset over two registers, some
		// (arm) on an aligned pair: leave that to x/sys.
		return unix.Pread(fd, b, off)
	}
	n, _, errno := unix.RawSyscall6(unix.SYS_PREAD64, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(off), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// rawGetdents reads directory records of fd into b.
func rawGetdents(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, unix.EINVAL
	}
	n, _, errno := unix.RawSyscall(unix.SYS_GETDENTS64, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// rawFstat is fstat(2) on fd.
func rawFstat(fd int, st *unix.Stat_t) error {
	if _, _, errno := unix.RawSyscall(unix.SYS_FSTAT, uintptr(fd), uintptr(unsafe.Pointer(st)), 0); errno != 0 {
		return errno
	}
	return nil
}
