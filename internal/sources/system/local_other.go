//go:build !linux

package system

// ProcFSSupported tells whether a proc filesystem can be named for
// NewLocalReader and Options.ProcFS on this system.
const ProcFSSupported = false

// NewLocalReader returns the reader of this host: a GopsutilReader where
// there is no ProcReader (systems without Linux's /proc, so procfs is
// ignored: callers check ProcFSSupported).
func NewLocalReader(string) Reader { return GopsutilReader{} }
