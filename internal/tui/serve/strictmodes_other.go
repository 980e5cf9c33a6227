//go:build !unix

package serve

import "os"

// openPrivate opens a keys file. Outside Unix, permissions are access
// control lists that perftop does not inspect.
func openPrivate(path string) (*os.File, error) { return os.Open(path) }
