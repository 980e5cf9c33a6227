//go:build unix

package serve

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// openPrivate opens a keys file that nobody but its owner can change, as
// sshd's StrictModes requires: the file and every directory above it (to
// the root, symbolic links resolved) must belong to the user running
// perftop or to root and not be writable by group or others. A directory
// writable by others passes only when it is sticky, like /tmp: there
// nobody can rename or remove what is not theirs.
func openPrivate(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	switch {
	case err != nil:
	case !st.Mode().IsRegular():
		err = fmt.Errorf("%s is not a regular file", path)
	default:
		err = checkPrivate(path, st)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	real, err := filepath.EvalSymlinks(path)
	if err == nil {
		real, err = filepath.Abs(real)
	}
	for dir := filepath.Dir(real); err == nil; dir = filepath.Dir(dir) {
		var st fs.FileInfo
		if st, err = os.Stat(dir); err == nil {
			err = checkPrivate(dir, st)
		}
		if dir == filepath.Dir(dir) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func checkPrivate(name string, st fs.FileInfo) error {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && sys.Uid != 0 && int(sys.Uid) != os.Getuid() {
		return fmt.Errorf("%s belongs to uid %d, neither to you (uid %d) nor to root: refused, as sshd's StrictModes would", name, sys.Uid, os.Getuid())
	}
	perm := st.Mode().Perm()
	if perm&0o022 != 0 && !(st.IsDir() && st.Mode()&fs.ModeSticky != 0) {
		return fmt.Errorf("%s is writable by group or others (mode %04o): refused, as sshd's StrictModes would (chmod go-w %s)", name, perm, name)
	}
	return nil
}
