package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestCrossBuild builds perftop, without cgo, for each platform a release
// ships to: the files behind build constraints (Linux's /proc readers and
// the fallbacks elsewhere, Unix and Windows variants) and every dependency
// must add up to a complete program on each. Nothing is run. Cold, each platform compiles every
// dependency anew; the shared build cache makes later runs quick, and the
// builds run one at a time so as not to fight over the CPUs.
func TestCrossBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles perftop six times; skipped with -short")
	}
	goCmd := goTool(t)
	gomod := goEnv(t, goCmd, "GOMOD")["GOMOD"]
	if gomod == "" || gomod == os.DevNull {
		t.Fatalf("go env GOMOD is %q: not inside the perftop module", gomod)
	}
	root := filepath.Dir(gomod)
	for _, p := range []struct{ goos, goarch string }{
		{"linux", "amd64"},
		{"linux", "arm64"},
		{"darwin", "amd64"},
		{"darwin", "arm64"},
		{"freebsd", "amd64"},
		{"windows", "amd64"},
	} {
		t.Run(p.goos+"/"+p.goarch, func(t *testing.T) {
			build := exec.Command(goCmd, "build", "-o", os.DevNull, "./cmd/perftop")
			build.Dir = root
			build.Env = installEnv(map[string]string{"GOOS": p.goos, "GOARCH": p.goarch, "CGO_ENABLED": "0"})
			start := time.Now()
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("GOOS=%s GOARCH=%s CGO_ENABLED=0 go build ./cmd/perftop: %v\n%s", p.goos, p.goarch, err, out)
			}
			t.Logf("built in %v", time.Since(start).Round(time.Millisecond))
		})
	}
}
