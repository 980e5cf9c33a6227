package main

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestBlockedProcReadKeepsKeys: a read of /proc can block in the kernel (a
// process holding its memory lock); here every file of the proc filesystem
// the dashboard reads is a FIFO that no one writes. The dashboard runs with
// one P (it watches only the host), so a read the Go scheduler did not know
// about would hold that P and freeze the keys. They must keep working, and
// quitting must not wait for the stuck read.
func TestBlockedProcReadKeepsKeys(t *testing.T) {
	bin := binary(t)
	root := t.TempDir()
	for _, name := range []string{"stat", "meminfo", "loadavg", "diskstats"} {
		if err := syscall.Mkfifo(filepath.Join(root, name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tm := newTerm(t, 120, 40, []string{"TERM=xterm-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()}, bin+" --procfs "+root)
	tm.waitText("Overview")
	tm.keys("?")
	tm.waitText("show/hide this help")
	tm.keys("Escape")
	tm.waitGone("show/hide this help")
	tm.keys("2")
	tm.waitText("2 CPU")
	tm.keys("q")
	if s := tm.waitText("perftop-exit="); !strings.Contains(s, "perftop-exit=0") {
		t.Errorf("exit status:\n%s", s)
	}
}
