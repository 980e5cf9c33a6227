//go:build !linux

package promtest

import "syscall"

// sysProcAttr has no parent-death signal outside Linux; Cleanup still stops
// the child.
func sysProcAttr() *syscall.SysProcAttr { return nil }
