package system

// ProcFSSupported tells whether a proc filesystem can be named for
// NewLocalReader and Options.ProcFS on this system.
const ProcFSSupported = true

// NewLocalReader returns the reader of this host: on Linux a ProcReader of
// the proc filesystem at procfs ("" is /proc). Close it (it is an io.Closer)
// when done.
func NewLocalReader(procfs string) Reader { return NewProcReader(procfs) }
