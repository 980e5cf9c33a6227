package main

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/results"
	"github.com/perftop/perftop/internal/session"
	"github.com/perftop/perftop/internal/sources/load"
)

func newReportCmd(e *env, cf *configFlags) *cobra.Command {
	var format string
	maxSize := byteSize(results.MaxFileSize)
	var percentiles, replay bool
	cmd := &cobra.Command{
		Use:   "report FILE",
		Short: "Print a results file as text, markdown, JSON, CSV or HTML",
		Long: `report reads a results file written by perftop run -o and prints it:
text is the summary; markdown a table ready for a pull request; json the
file itself; csv the timeline, a row a second; html a single self-contained
page (inline SVG, no scripts) with latency over time, throughput, error rate
and the percentile distribution. --percentiles prints the whole percentile
spectrum from the stored HdrHistogram instead.

A results file is data from anywhere: one larger than 256 MiB is refused,
text from it is printed on one line without control characters, and a
latency histogram that cannot be decoded is reported as such, the rest of
the file printed (--percentiles, which needs it, fails).`,
		Example: `  perftop report results.json
  perftop report results.json --format markdown >> $GITHUB_STEP_SUMMARY
  perftop report results.json --format html > report.html
  perftop report results.json --percentiles
  perftop report results.json --tui`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(results.Formats, format) {
				return usagef("invalid --format %q: want %s", format, strings.Join(results.Formats, ", "))
			}
			f, err := results.ReadFileLimit(args[0], int64(maxSize))
			if err != nil {
				return usageError{err}
			}
			if percentiles {
				return results.WritePercentiles(e.stdout, f)
			}
			if replay {
				cfg, err := cf.load(cmd, e.getenv)
				if err != nil {
					return err
				}
				if s := noTerminal(e.stdout); s != "" {
					return usagef("report --tui needs a terminal, and %s is not one; try perftop report %s", s, args[0])
				}
				return replayRun(cmd.Context(), cfg, f, e)
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
				results.WriteTextWidth(e.stdout, f, f.Targets(), terminalWidth(e.stdout))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, markdown, json, csv or html")
	cmd.Flags().Var(&maxSize, "max-file-size", "largest results file to read")
	cmd.Flags().BoolVar(&percentiles, "percentiles", false, "print the full percentile distribution")
	cmd.Flags().BoolVar(&replay, "tui", false, "replay the run in the dashboard; left and right move through time")
	return cmd
}

// replayRun shows a finished run on the load screen: the timeline as the
// charts' series, the totals and the histogram as the final state.
func replayRun(ctx context.Context, cfg config, f *results.File, e *env) error {
	r := f.Result
	lt := &metrics.LoadTest{
		Mode: metrics.LoopMode(f.Settings.Mode), State: metrics.TestDone, Started: f.StartedAt, Elapsed: time.Duration(r.DurationSeconds * float64(time.Second)),
		Planned: time.Duration(r.DurationSeconds * float64(time.Second)), Target: f.Settings.Rate, Workers: f.Settings.Concurrency,
		Requests: r.Requests, Errors: r.Errors, LateSends: r.LateSends, LateAfter: r.LateAfter(),
		StatusCodes: map[int]int64{}, ErrorsByKind: r.ErrorsByKind,
		Latency: metrics.Quantiles{Min: r.Latency.Min, Mean: r.Latency.Mean, P50: r.Latency.P50, P90: r.Latency.P90,
			P95: r.Latency.P95, P99: r.Latency.P99, P999: r.Latency.P999, Max: r.Latency.Max},
	}
	if s := r.Service; s != nil {
		lt.Service = metrics.Quantiles{Min: s.Min, Mean: s.Mean, P50: s.P50, P90: s.P90, P95: s.P95, P99: s.P99, P999: s.P999, Max: s.Max}
	}
	for code, n := range r.StatusCodes {
		if c, err := strconv.Atoi(code); err == nil {
			lt.StatusCodes[c] = n
		}
	}
	lt.ByName, lt.Splits = replayGroups(r)
	if h, err := f.Histogram(); err != nil {
		fmt.Fprintf(e.stderr, "perftop: unreadable %s; replaying without it\n", printable.Line(err.Error()))
	} else if h != nil {
		lt.Histogram = load.Buckets(h, 24)
	}
	timeline := make([]metrics.TimelinePoint, len(r.Timeline))
	for i, p := range r.Timeline {
		timeline[i] = metrics.TimelinePoint{Seconds: p.Seconds, Requests: p.Requests, Errors: p.Errors, RPS: p.RPS, P50: p.P50, P99: p.P99, InFlight: p.InFlight,
			HostCPU: orNaN(p.HostCPU), HostMemory: orNaN(p.HostMemory), NetRx: orNaN(p.NetRx), NetTx: orNaN(p.NetTx),
			ServerRPS: orNaN(p.ServerRPS), ServerErrorRatio: orNaN(p.ServerErrorRatio), ServerP99: orNaN(p.ServerP99)}
	}
	sc := sessionConfig(cfg, e)
	sc.Prom, sc.PromQL, sc.SSH = nil, nil, nil // a replay shows the file, nothing live
	sc.History = len(timeline)
	sess, err := session.New(sc)
	if err != nil {
		return err
	}
	return sess.Replay(ctx, lt, timeline)
}

// replayGroups are a results file's request names and splits as the load
// screen shows them: the whole run's (a file keeps no interval of them),
// their text made printable, as a file can come from anywhere.
func replayGroups(r *results.Result) ([]metrics.RequestGroup, []metrics.Split) {
	q := func(l results.LatencySummary) metrics.Quantiles {
		return metrics.Quantiles{Min: l.Min, Mean: l.Mean, P50: l.P50, P90: l.P90, P95: l.P95, P99: l.P99, P999: l.P999, Max: l.Max}
	}
	splits := func(sps []results.Split) []metrics.Split {
		var out []metrics.Split
		for _, sp := range sps {
			s := metrics.Split{Header: printable.Line(sp.Header)}
			for _, v := range sp.Values {
				s.Values = append(s.Values, metrics.SplitValue{Value: printable.Line(v.Value), Answers: v.Answers, Share: v.Share, Latency: q(v.Latency)})
			}
			out = append(out, s)
		}
		return out
	}
	var byName []metrics.RequestGroup
	for _, g := range r.ByName {
		kinds := map[string]int64{}
		for k, n := range g.ErrorsByKind {
			kinds[printable.Line(k)] = n
		}
		byName = append(byName, metrics.RequestGroup{
			Name: printable.Line(g.Name), Requests: g.Requests, Errors: g.Errors, ErrorsByKind: kinds,
			BytesIn: g.BytesReceived, RPS: g.RequestRateRPS, Latency: q(g.Latency), Splits: splits(g.Splits),
		})
	}
	return byName, splits(r.Splits)
}

// orNaN is a timeline field's value, NaN when it was not recorded.
func orNaN(v *float64) float64 {
	if v == nil {
		return math.NaN()
	}
	return *v
}
