package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/perftop/perftop/results"
)

func newReportCmd(e *env) *cobra.Command {
	var format string
	var percentiles bool
	cmd := &cobra.Command{
		Use:   "report FILE",
		Short: "Print a results file as text, markdown, JSON, CSV or HTML",
		Long: `report reads a results file written by perftop run -o and prints it:
text is the summary; markdown a table ready for a pull request; json the
file itself; csv the timeline, a row a second; html a single self-contained
page (inline SVG, no scripts) with latency over time, throughput, error rate
and the percentile distribution. --percentiles prints the whole percentile
spectrum from the stored HdrHistogram instead.`,
		Example: `  perftop report results.json
  perftop report results.json --format markdown >> $GITHUB_STEP_SUMMARY
  perftop report results.json --format html > report.html
  perftop report results.json --percentiles`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(results.Formats, format) {
				return usagef("invalid --format %q: want %s", format, strings.Join(results.Formats, ", "))
			}
			f, err := results.ReadFile(args[0])
			if err != nil {
				return usageError{err}
			}
			if percentiles {
				return results.WritePercentiles(e.stdout, f)
			}
			switch format {
			case "markdown":
				results.WriteMarkdown(e.stdout, f)
			case "json":
				return results.WriteJSON(e.stdout, f)
			case "csv":
				return results.WriteCSV(e.stdout, f)
			case "html":
				return results.WriteHTML(e.stdout, f)
			default:
				results.WriteText(e.stdout, f, f.Targets())
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown, json, csv or html")
	cmd.Flags().BoolVar(&percentiles, "percentiles", false, "print the full percentile distribution")
	return cmd
}
