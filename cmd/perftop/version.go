package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at build time: go build -ldflags "-X main.version=1.2.3 -X main.commit=abc123".
// Left unset, init sets version from what the go command recorded, and
// buildCommit reads the revision it recorded.
var (
	version = ""
	commit  = ""
)

func init() {
	info, _ := debug.ReadBuildInfo()
	version = versionOf(version, info)
}

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print perftop's version, commit and Go version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprint(e.stdout, versionText())
			return nil
		},
	}
}

// versionText is what `perftop version` and `perftop --version` print.
func versionText() string {
	return fmt.Sprintf("perftop %s\ncommit  %s\ngo      %s %s/%s\n", version, buildCommit(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// versionOf is the -ldflags version, else the module version that
// `go install github.com/perftop/perftop/cmd/perftop@v1.2.3` recorded in
// info (nil when there is none), else "dev". The go command records the module
// version of a build from the module cache (go install pkg@version, go run
// pkg@version) as Main.Version. Since Go 1.24 it also records one for a
// build in a git checkout, derived from the checkout (a pseudo-version such
// as v0.0.0-20261201094038-8f2680cccab0+dirty, or a tag); that build stays
// "dev", as before, and its commit line names the revision. A checkout build
// is the one with vcs.* settings: a module cache has no VCS.
func versionOf(ldflags string, info *debug.BuildInfo) string {
	if ldflags != "" {
		return ldflags
	}
	if info == nil || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return "dev"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs" {
			return "dev"
		}
	}
	return info.Main.Version
}

// buildCommit is the -ldflags commit, else the VCS revision Go recorded.
func buildCommit() string {
	if commit != "" {
		return commit
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return "unknown"
}
