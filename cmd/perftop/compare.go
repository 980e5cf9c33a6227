package main

import (
	"os"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/cobra"

	"github.com/perftop/perftop/internal/results"
)

func newCompareCmd(e *env) *cobra.Command {
	var format, failIf string
	maxSize := byteSize(results.MaxFileSize)
	cmd := &cobra.Command{
		Use:   "compare BEFORE AFTER",
		Short: "Compare two results files, and fail on a regression",
		Long: `compare puts two runs side by side: throughput, error rate and latency
percentiles, with the absolute and relative change, marked better or worse
(changes under 1% are noise). Runs with different settings get a warning
naming the settings. --fail-if exits with code 3 when a change passes a
limit, for CI: p99>+10% fails when p99 grew more than 10%, throughput<-5%
when throughput fell more than 5%. When both runs recorded them, the
server's numbers (server_rps, server_error_rate, server_p99: from --prom;
server_host_cpu, server_host_memory: from --node) and the host's
(host_cpu, host_memory, net_rx, net_tx) follow, as means of
their seconds; gates can name them, and a gate on a number a run lacks
fails.`,
		Example: `  perftop compare baseline.json results.json
  perftop compare baseline.json results.json --format markdown
  perftop compare baseline.json results.json --fail-if 'p99>+10%,throughput<-5%'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "markdown" {
				return usagef("invalid --format %q: want text or markdown", format)
			}
			var gates []results.Gate
			if failIf != "" {
				var err error
				if gates, err = results.ParseGates(failIf); err != nil {
					return usagef("invalid --fail-if: %v", err)
				}
			}
			before, err := results.ReadFileLimit(args[0], int64(maxSize))
			if err != nil {
				return usageError{err}
			}
			after, err := results.ReadFileLimit(args[1], int64(maxSize))
			if err != nil {
				return usageError{err}
			}
			deltas := results.Compare(before, after)
			results.WriteComparison(e.stdout, before, after, deltas, format == "markdown", painter(e))
			if failed := results.Failed(gates, deltas, results.CompareNames(before, after)...); len(failed) > 0 {
				names := make([]string, len(failed))
				for i, g := range failed {
					names[i] = g.String()
				}
				return gateError{"regression: " + strings.Join(names, ", ")}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or markdown")
	cmd.Flags().Var(&maxSize, "max-file-size", "largest results file to read")
	cmd.Flags().StringVar(&failIf, "fail-if", "", "regression limits, e.g. `'p99>+10%,throughput<-5%'`; 'add item:p99>+10%' judges one request name; a breach exits 3")
	return cmd
}

// painter colours better and worse lines when stdout is a colour terminal
// and colour is not turned off.
func painter(e *env) results.Painter {
	if e.getenv("NO_COLOR") != "" || e.stdout != os.Stdout {
		return results.Painter{}
	}
	if p := colorprofile.Detect(os.Stdout, os.Environ()); p < colorprofile.ANSI {
		return results.Painter{}
	}
	green := lipgloss.NewStyle().Foreground(lipgloss.Color("2"))
	red := lipgloss.NewStyle().Foreground(lipgloss.Color("1"))
	return results.Painter{
		Better: func(s string) string { return lipgloss.Sprint(green.Render(s)) },
		Worse:  func(s string) string { return lipgloss.Sprint(red.Render(s)) },
	}
}
