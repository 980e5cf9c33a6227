package promtest

import "syscall"

// sysProcAttr kills a child with the test binary, so a crashed test leaves
// no server behind.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
