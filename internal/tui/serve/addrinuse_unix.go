//go:build unix

package serve

import "syscall"

var errAddrInUse = syscall.EADDRINUSE
