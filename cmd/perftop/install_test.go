package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"
)

const modulePath = "github.com/perftop/perftop"

// TestInstall installs perftop the way its users do,
//
//	go install github.com/perftop/perftop/cmd/perftop@VERSION
//
// from a module proxy that serves this checkout as VERSION, then runs the
// installed `perftop version`. It proves that the module zips and builds
// as a dependency (no replace or exclude directives, which go install
// pkg@version refuses; no file the module zip format rejects; no package
// that only builds inside the checkout) and that the binary reports the
// version it was installed at. The go command works offline: the proxy is
// a directory, and every dependency comes from the module cache's download
// directory, which is itself a proxy and holds every module the build of
// this test needed.
func TestInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles perftop from a module zip; skipped with -short")
	}
	goCmd := goTool(t)
	genv := goEnv(t, goCmd, "GOMOD", "GOMODCACHE", "GOCACHE")
	if genv["GOMOD"] == "" || genv["GOMOD"] == os.DevNull {
		t.Fatalf("go env GOMOD is %q: not inside the perftop module", genv["GOMOD"])
	}
	root := filepath.Dir(genv["GOMOD"])
	gomod, err := os.ReadFile(genv["GOMOD"])
	if err != nil {
		t.Fatal(err)
	}
	checkInstallable(t, genv["GOMOD"], gomod)

	// A pseudo-version, as go install ...@master would resolve to; the
	// revision is not a real commit, and nothing checks it.
	ver := module.PseudoVersion("v0", "", time.Now().UTC().Truncate(time.Second), "000000000000")
	proxy := moduleProxy(t, root, ver, gomod)

	gobin := t.TempDir()
	env := offlineEnv(t, genv, proxy, gobin)
	// Module cache files are read-only; go clean -modcache removes them
	// (this runs before t.TempDir's own removal of the directory).
	t.Cleanup(func() {
		clean := exec.Command(goCmd, "clean", "-modcache")
		clean.Env = env
		if out, err := clean.CombinedOutput(); err != nil {
			t.Errorf("go clean -modcache: %v\n%s", err, out)
		}
	})

	target := modulePath + "/cmd/perftop@" + ver
	install := exec.Command(goCmd, "install", target)
	install.Dir = t.TempDir() // outside the checkout, as a user would be
	install.Env = env
	start := time.Now()
	out, err := install.CombinedOutput()
	if err != nil {
		t.Fatalf("go install %s: %v\n%s", target, err, out)
	}
	t.Logf("go install %s: %v", target, time.Since(start).Round(time.Millisecond))

	exe := filepath.Join(gobin, "perftop")
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	versionCmd := exec.Command(exe, "version")
	versionCmd.Env = env
	var stdout, stderr bytes.Buffer
	versionCmd.Stdout, versionCmd.Stderr = &stdout, &stderr
	if err := versionCmd.Run(); err != nil {
		t.Fatalf("perftop version: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	first, _, _ := strings.Cut(stdout.String(), "\n")
	if want := "perftop " + ver; first != want {
		t.Errorf("perftop version printed %q first, want %q; all of it:\n%s", first, want, stdout.String())
	}
}

// checkInstallable fails with the offending lines when go.mod has replace
// or exclude directives: go install pkg@version refuses such a module, so
// users could not install perftop that way. It says so before a longer go
// install does, in words that name the fix.
func checkInstallable(t *testing.T, path string, data []byte) {
	t.Helper()
	bad, err := installBlockers(path, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("go install %s/cmd/perftop@version refuses a module whose go.mod has replace or exclude directives; "+
			"remove them (upstream the fix, or require a version that has it):\n%s", modulePath, strings.Join(bad, "\n"))
	}
}

// installBlockers lists go.mod's replace and exclude directives, one a line
// with its position.
func installBlockers(path string, data []byte) ([]string, error) {
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		return nil, err
	}
	if f.Module == nil || f.Module.Mod.Path != modulePath {
		return nil, fmt.Errorf("%s: module path is not %s", path, modulePath)
	}
	var bad []string
	for _, r := range f.Replace {
		bad = append(bad, fmt.Sprintf("%s:%d: replace %s => %s", path, r.Syntax.Start.Line, r.Old, r.New))
	}
	for _, x := range f.Exclude {
		bad = append(bad, fmt.Sprintf("%s:%d: exclude %s", path, x.Syntax.Start.Line, x.Mod))
	}
	return bad, nil
}

func TestInstallBlockers(t *testing.T) {
	const gomod = `module github.com/perftop/perftop

go 1.26.8

require github.com/mattn/go-runewidth v0.0.30

replace github.com/mattn/go-runewidth => ./third_party/go-runewidth

exclude golang.org/x/sys v0.48.0
`
	bad, err := installBlockers("go.mod", []byte(gomod))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"go.mod:7: replace github.com/mattn/go-runewidth => ./third_party/go-runewidth",
		"go.mod:9: exclude golang.org/x/sys@v0.48.0",
	}
	if strings.Join(bad, "\n") != strings.Join(want, "\n") {
		t.Errorf("installBlockers = %q, want %q", bad, want)
	}
	if bad, err := installBlockers("go.mod", []byte("module github.com/perftop/perftop\n\ngo 1.26.8\n")); err != nil || len(bad) != 0 {
		t.Errorf("a clean go.mod: %q, %v", bad, err)
	}
}

// TestVersionFromBuildInfo covers what perftop version reports for each
// way of building it.
func TestVersionFromBuildInfo(t *testing.T) {
	const pseudo = "v0.0.0-20261201000000-000000000000"
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "8f2680cccab031c7fb9d07f401f499f699a696da"}}
	tests := []struct {
		name    string
		ldflags string
		info    *debug.BuildInfo
		want    string
	}{
		{"go install pkg@version", "", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.2.3"}}, "v1.2.3"},
		{"go install pkg@commit", "", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: pseudo}}, pseudo},
		{"ldflags override", "1.0.0", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v1.2.3"}}, "1.0.0"},
		{"go build -buildvcs=false", "", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}}, "dev"},
		{"go build in a checkout", "", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "v0.0.0-20261201094038-8f2680cccab0+dirty"}, Settings: vcs}, "dev"},
		{"ldflags in a checkout", "1.0.0", &debug.BuildInfo{Main: debug.Module{Path: modulePath, Version: "(devel)"}, Settings: vcs}, "1.0.0"},
		{"test binary", "", &debug.BuildInfo{}, "dev"},
		{"no build info", "", nil, "dev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := versionOf(tt.ldflags, tt.info); got != tt.want {
				t.Errorf("versionOf(%q, ...) = %q, want %q", tt.ldflags, got, tt.want)
			}
		})
	}
}

// goTool is the go command of the toolchain running the test.
func goTool(t *testing.T) string {
	t.Helper()
	exe := "go"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if p := filepath.Join(runtime.GOROOT(), "bin", exe); fileExists(p) {
		return p
	}
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	return p
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// goEnv reads go env values as the user's go command sees them.
func goEnv(t *testing.T, goCmd string, keys ...string) map[string]string {
	t.Helper()
	out, err := exec.Command(goCmd, append([]string{"env", "-json"}, keys...)...).Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("go env -json: %v\n%s", err, out)
	}
	return m
}

// installEnv is the environment with set's variables replaced.
func installEnv(set map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			env = append(env, kv)
		}
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// fileURL is the file:// URL of an absolute path, as GOPROXY takes it.
func fileURL(p string) string {
	s := filepath.ToSlash(p)
	if !strings.HasPrefix(s, "/") {
		s = "/" + s // C:/x is file:///C:/x
	}
	return "file://" + s
}

// moduleProxy lays out a file:// module proxy in a temporary directory
// that serves the checkout at root as perftop's version ver, and returns it.
func moduleProxy(t *testing.T, root, ver string, gomod []byte) string {
	mod := module.Version{Path: modulePath, Version: ver}
	modTime, err := module.PseudoVersionTime(ver)
	if err != nil {
		t.Fatal(err)
	}

	// The proxy: github.com/perftop/perftop/@v/{list,VER.info,VER.mod,VER.zip}.
	proxy := t.TempDir()
	escaped, err := module.EscapePath(modulePath)
	if err != nil {
		t.Fatal(err)
	}
	vdir := filepath.Join(proxy, filepath.FromSlash(escaped), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		t.Fatal(err)
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{ver, modTime})
	if err != nil {
		t.Fatal(err)
	}
	var zipBuf bytes.Buffer
	if err := modzip.CreateFromDir(&zipBuf, mod, root); err != nil {
		t.Fatalf("module zip of %s: %v", root, err)
	}
	for name, data := range map[string][]byte{
		"list":        []byte(ver + "\n"),
		ver + ".info": info,
		ver + ".mod":  gomod,
		ver + ".zip":  zipBuf.Bytes(),
	} {
		if err := os.WriteFile(filepath.Join(vdir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return proxy
}

// offlineEnv is the go command's environment for installing from proxy
// and the module cache's download directory alone, into gobin, with the
// user's go env file and GOFLAGS out of the way.
func offlineEnv(t *testing.T, genv map[string]string, proxy, gobin string) []string {
	modcache := t.TempDir()
	return installEnv(map[string]string{
		// The user's go env file (go env -w) would otherwise still apply:
		// an empty variable in the environment does not override it, so
		// GOFLAGS= alone would leave e.g. a -mod or -buildvcs flag set there.
		"GOENV":   "off",
		"GOFLAGS": "",
		"GOBIN":   gobin,
		"GOPROXY": fileURL(proxy) + "," + fileURL(filepath.Join(genv["GOMODCACHE"], "cache", "download")),
		// A module cache of its own, so the user's gains nothing from
		// this test; the build cache is shared (GOENV=off would lose a
		// GOCACHE set with go env -w, so it is passed on).
		"GOMODCACHE": modcache,
		"GOCACHE":    genv["GOCACHE"],
		// Neither file proxy can serve the checksum database, so with
		// checking on the go command asks sum.golang.org itself, which
		// needs the network and does not know perftop at a made-up
		// pseudo-version. GONOSUMDB=github.com/perftop/perftop is not
		// enough: go install pkg@version has no main module, so it checks
		// every dependency against the database, not against perftop's
		// go.sum. The dependencies come from the user's module cache,
		// which checked them when it downloaded them.
		"GOSUMDB":   "off",
		"GONOSUMDB": "", "GONOPROXY": "", "GOPRIVATE": "", "GOINSECURE": "",
		"GOWORK":      "off",
		"GOTOOLCHAIN": "local",
		"GOOS":        "", "GOARCH": "",
	})
}
