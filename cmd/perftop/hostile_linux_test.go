package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSnapshotHostileProcessName: a busy process whose executable is named
// with an OSC 52 sequence (set the terminal's clipboard) shows in the real
// binary's snapshot, text and JSON, with its controls made spaces, and
// nothing the terminal would obey reaches stdout.
func TestSnapshotHostileProcessName(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to copy")
	}
	bin, err := os.ReadFile(sh)
	if err != nil {
		t.Fatal(err)
	}
	name := "\x1b]52;c;eA==\x07x" // 12 bytes: the whole comm
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	busy := exec.Command(path, "-c", "while :; do :; done")
	if err := busy.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { busy.Process.Kill(); busy.Wait() }()
	for _, format := range []string{"", "--json"} {
		args := []string{"snapshot", "--interval", "500ms"}
		if format != "" {
			args = append(args, format)
		}
		out, err := exec.Command(binary(t), args...).Output()
		if err != nil {
			t.Fatalf("snapshot %s: %v", format, err)
		}
		noControls(t, "snapshot "+format, string(out))
		if !strings.Contains(string(out), "]52;c;eA== x") {
			t.Errorf("snapshot %s: the busy process ]52;c;eA== x is not listed:\n%s", format, out)
		}
	}
}
