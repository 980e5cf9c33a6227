// Command perftop is top for performance work: a live terminal dashboard of
// the host (and, as it grows, Prometheus targets and load tests), with a batch
// mode for scripts.
//
// This package is the only place that reads flags, environment variables and
// the config file; it wires the sources, the store and the dashboard.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/yamlfile"
)

// Exit codes, the same for every subcommand.
const (
	exitOK      = 0
	exitFailure = 1 // something went wrong at run time
	exitUsage   = 2 // bad flag, file or argument
	exitGate    = 3 // an SLO or a regression gate failed
)

// gateError is a run that worked but missed its SLOs: exit code 3.
type gateError struct{ msg string }

func (e gateError) Error() string { return e.msg }

// usageError is a mistake in how perftop was called: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run executes perftop with args and returns the exit code. Everything it
// needs from the process (output, environment) is passed in, so tests can run
// it in-process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	root := newRootCmd(&env{stdout: stdout, stderr: stderr, getenv: getenv})
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "perftop: "+printable.Line(err.Error()))
	var ge gateError
	if errors.As(err, &ge) {
		return exitGate
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) || isListenError(err) {
		return exitUsage
	}
	return exitFailure
}

// env is what the commands take from the process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// flagError is a flag mistake as a usage error, with a hint where one
// helps: the nearest flag for an unknown one, the unit for a duration
// given without one.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if m := unknownFlagRE.FindStringSubmatch(msg); m != nil {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if near := yamlfile.Nearest(m[1], names); near != "" {
			return usagef("%s (did you mean --%s?)", msg, near)
		}
	}
	if m := unitlessRE.FindStringSubmatch(msg); m != nil {
		return usagef("%s (did you mean %ss?)", msg, m[1])
	}
	return usageError{err}
}

var (
	unknownFlagRE = regexp.MustCompile(`^unknown flag: --([A-Za-z0-9-]+)`)
	unitlessRE    = regexp.MustCompile(`missing unit in duration "([0-9.]+)"`)
)

// isListenError reports a failure to listen on an address the user gave
// (--metrics-addr, --ssh, --serve-ssh): taken, or not this machine's. It
// comes before anything starts, and is a usage mistake.
func isListenError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "listen"
}

// isCobraUsage recognises the errors cobra itself returns for bad commands
// and arguments, which it does not type.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires ", "invalid argument", "flag needs an argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRootCmd(e *env) *cobra.Command {
	cf := &configFlags{}
	root := &cobra.Command{
		Use:   "perftop",
		Short: "top for performance work: a live dashboard of your host",
		Long: `perftop shows, live in your terminal, what matters while you measure:
CPU (total and per core), load, memory and swap, disk and network I/O,
filesystems and the busiest processes. It works locally, over SSH and in
tmux, in colour or without.

Keys: q quit, ? help, tab/1-9 screens, p pause, +/- refresh interval,
t theme, / filter tables, arrows or j/k to move.`,
		Example: `  perftop                         # the dashboard, refreshed every second
  perftop --interval 500ms        # refresh twice a second
  perftop --theme light           # for a light terminal background
  NO_COLOR=1 perftop              # monochrome
  perftop snapshot --json | jq .cpu.total_percent`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := cf.load(cmd, e.getenv)
			if err != nil {
				return err
			}
			if s := noTerminal(e.stdout); s != "" {
				return usagef("the dashboard needs a terminal, and %s is not one; try perftop snapshot (or perftop serve --ssh ADDR)", s)
			}
			return runDashboard(cmd.Context(), cfg, e)
		},
	}
	root.SetFlagErrorFunc(flagError)
	root.Version = version
	root.SetVersionTemplate(versionText())
	cf.register(root)
	root.AddCommand(newRunCmd(e, cf), newServeCmd(e, cf), newReportCmd(e, cf), newCompareCmd(e), newSnapshotCmd(e, cf), newThemesCmd(e, cf), newVersionCmd(e))
	return root
}
