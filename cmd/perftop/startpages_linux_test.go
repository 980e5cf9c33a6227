package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// rssFile is the process's resident file-backed memory in KiB.
func rssFile(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Skip("no RssFile in /proc/self/status")
	return 0
}

// TestDropStartupPages: the binary's code and read-only data leave the
// resident set, and the program goes on running (the pages come back as
// they are used).
func TestDropStartupPages(t *testing.T) {
	before := rssFile(t)
	dropStartupPages()
	after := rssFile(t)
	t.Logf("RssFile %d KiB -> %d KiB", before, after)
	if after >= before {
		t.Fatalf("RssFile %d KiB after dropping, %d before", after, before)
	}
	// Code that start-up ran and the drop unmapped still works.
	var stdout, stderr strings.Builder
	if code := run(t.Context(), []string{"version"}, &stdout, &stderr, func(string) string { return "" }); code != 0 || !strings.Contains(stdout.String(), "perftop") {
		t.Fatalf("perftop version after the drop: exit %d, %q %q", code, stdout.String(), stderr.String())
	}
}
