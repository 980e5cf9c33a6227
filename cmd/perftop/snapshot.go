package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/perftop/perftop/internal/crash"
	"github.com/perftop/perftop/internal/jsonfloat"
	"github.com/perftop/perftop/internal/metrics"
	"github.com/perftop/perftop/internal/printable"
	"github.com/perftop/perftop/internal/session"
	"github.com/perftop/perftop/internal/sources/prom"
	"github.com/perftop/perftop/internal/sources/promql"
	"github.com/perftop/perftop/internal/sources/system"
	"github.com/perftop/perftop/internal/units"
)

func newSnapshotCmd(e *env, cf *configFlags) *cobra.Command {
	var asJSON bool
	var top int
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Print one sample of everything the dashboard shows, then exit",
		Long: `snapshot takes two samples one interval apart and prints what the dashboard
would show: as aligned text, or as JSON for scripts (like top -b -n 1).

JSON field names are stable: cpu.total_percent, cpu.per_core_percent[],
memory.{total,used,available}_bytes, swap.*, load.{1,5,15}, disks[] (name,
read_bytes_per_sec, write_bytes_per_sec, ...), filesystems[] (mount,
total_bytes, used_bytes, ...), network[] (name, rx_bytes_per_sec,
tx_bytes_per_sec, ...), processes.top[]. Rates are per second, sizes in
bytes. A part the system would not give has an "error" (or
"<part>_error") field with the reason; the other parts are still valid.
A number that is not one (NaN) or is infinite is the string "NaN", "+Inf"
or "-Inf", as in Prometheus's HTTP API.`,
		Example: `  perftop snapshot
  perftop snapshot --json | jq '.memory.available_bytes'
  perftop snapshot --json --interval 250ms --top 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := cf.load(cmd, e.getenv)
			if err != nil {
				return err
			}
			if top < 0 {
				return usagef("invalid --top %d: must be 0 or more", top)
			}
			snap, err := takeSnapshot(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			snap.Processes.Top = snap.Processes.Top[:min(top, len(snap.Processes.Top))]
			if asJSON {
				return writeSnapshotJSON(e.stdout, snap)
			}
			if err := writeSnapshotText(e.stdout, snap.Host, cfg.Interval); err != nil {
				return err
			}
			for _, h := range snap.Hosts {
				fmt.Fprintf(e.stdout, "\nNODE %s  %s\n", h.Name, h.URL)
				if h.Error != "" {
					fmt.Fprintf(e.stdout, "down: %s\n", printable.Line(h.Error))
					continue
				}
				if err := writeSnapshotText(e.stdout, h.Host, cfg.Interval); err != nil {
					return err
				}
			}
			writePromText(e.stdout, snap)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of text")
	cmd.Flags().IntVar(&top, "top", 15, "show the `n` busiest processes")
	return cmd
}

// snapshot is what `perftop snapshot` prints: the host's fields at the top
// level, then the scraped targets and the PromQL panels when asked for.
type snapshot struct {
	metrics.Host
	Hosts   []remoteHost          `json:"hosts,omitempty"`
	Fleet   *metrics.Fleet        `json:"fleet,omitempty"`
	Prom    []*metrics.PromTarget `json:"prom,omitempty"`
	Queries []promql.Snapshot     `json:"queries,omitempty"`
}

// writeSnapshotJSON prints snap as indented JSON: the raw data, strings
// JSON-escaped, and a non-finite float as "NaN", "+Inf" or "-Inf" rather
// than an error that prints nothing (encoding/json's).
func writeSnapshotJSON(w io.Writer, snap *snapshot) error {
	enc := jsonfloat.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonView(snap))
}

// remoteHost is a --node host in snapshot --json: its name, the URL it
// was read from, and the host in the local host's schema, or the error
// that kept it from being read.
type remoteHost struct {
	Name  string `json:"name"`
	URL   string `json:"url"`
	Error string `json:"error,omitempty"`
	metrics.Host
}

// snapshotJSON is what snapshot --json prints.
type snapshotJSON struct {
	metrics.Host
	Hosts   []remoteHost      `json:"hosts,omitempty"`
	Fleet   *metrics.Fleet    `json:"fleet,omitempty"`
	Prom    []promJSON        `json:"prom,omitempty"`
	Queries []promql.Snapshot `json:"queries,omitempty"`
}

func jsonView(snap *snapshot) snapshotJSON {
	out := snapshotJSON{Host: snap.Host, Hosts: snap.Hosts, Fleet: snap.Fleet, Queries: snap.Queries}
	for _, t := range snap.Prom {
		out.Prom = append(out.Prom, promJSON{PromTarget: t, RED: redJSONOf(t.RED)})
	}
	return out
}

// promJSON is a target in snapshot --json: its RED signals are null where
// the target has no such metric (the dashboard says "not found"), not 0.
type promJSON struct {
	*metrics.PromTarget
	RED redJSON `json:"red"`
}

type redJSON struct {
	RequestMetric  string           `json:"request_metric,omitempty"`
	RequestRate    *float64         `json:"request_rate"`
	ErrorRatio     *float64         `json:"error_ratio"`
	LatencyMetric  string           `json:"latency_metric,omitempty"`
	Latency        *metrics.Latency `json:"latency_seconds"`
	InFlightMetric string           `json:"in_flight_metric,omitempty"`
	InFlight       *float64         `json:"in_flight"`
	CPUPercent     *float64         `json:"process_cpu_percent"`
	RSSBytes       *float64         `json:"process_resident_memory_bytes"`
	Goroutines     *float64         `json:"go_goroutines"`
}

func redJSONOf(r metrics.RED) redJSON {
	if1 := func(ok bool, v float64) *float64 {
		if !ok {
			return nil
		}
		return &v
	}
	out := redJSON{RequestMetric: r.RequestMetric, LatencyMetric: r.LatencyMetric, InFlightMetric: r.InFlightMetric,
		RequestRate: if1(r.HasRequests, r.RequestRate), ErrorRatio: if1(r.HasErrors, r.ErrorRatio), InFlight: if1(r.HasInFlight, r.InFlight),
		CPUPercent: if1(r.HasProcess, r.CPUPercent), RSSBytes: if1(r.HasProcess, r.RSSBytes), Goroutines: if1(r.HasGoroutines, r.Goroutines)}
	if r.HasLatency {
		out.Latency = &r.Latency
	}
	return out
}

// takeSnapshot samples the host and scrapes every --prom target over the
// same interval, then runs the --query panels once.
func takeSnapshot(ctx context.Context, cfg config) (*snapshot, error) {
	snap := &snapshot{Prom: make([]*metrics.PromTarget, len(cfg.prom.targets))}
	var wg sync.WaitGroup
	for i, o := range cfg.prom.targets {
		wg.Add(1)
		go func() {
			defer crash.Recover()
			defer wg.Done()
			snap.Prom[i] = prom.Snapshot(ctx, o, cfg.Interval)
		}()
	}
	snap.Hosts = make([]remoteHost, len(cfg.prom.nodes))
	for i, n := range cfg.prom.nodes {
		wg.Add(1)
		go func() {
			defer crash.Recover()
			defer wg.Done()
			h, err := system.Snapshot(ctx, session.NodeReader(n), cfg.Interval)
			shown := n.URL
			if u, err := url.Parse(n.URL); err == nil && n.URL != "" {
				shown = u.Redacted() // a password in the URL stays out of the output
			}
			snap.Hosts[i] = remoteHost{Name: n.Name, URL: shown, Host: h}
			if err != nil {
				snap.Hosts[i].Error = err.Error()
			}
		}()
	}
	reader := system.NewLocalReader(cfg.procfs)
	if c, ok := reader.(io.Closer); ok {
		defer c.Close()
	}
	h, err := system.Snapshot(ctx, reader, cfg.Interval)
	wg.Wait()
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	snap.Host = h
	if o := cfg.prom.fleet; o != nil {
		c, err := promql.NewClient(o.ClientOptions)
		if err != nil {
			return nil, usagef("--prom-server: %v", err)
		}
		defer c.CloseIdleConnections()
		snap.Fleet = promql.FleetOnce(ctx, c, o.Window, time.Now())
	}
	if o := cfg.prom.server; o != nil {
		c, err := promql.NewClient(o.ClientOptions)
		if err != nil {
			return nil, usagef("--prom-server: %v", err)
		}
		defer c.CloseIdleConnections()
		qs, err := promql.Query(ctx, c, o.Panels, time.Time{})
		if err != nil && qs == nil {
			return nil, fmt.Errorf("--prom-server: %w", err)
		}
		snap.Queries = qs // a server that is down is reported in each query's error
	}
	return snap, nil
}

// writePromText prints the targets and queries of a snapshot as text;
// what the targets and the server said is printed on one line without
// control characters (printable.Line).
func writePromText(w io.Writer, snap *snapshot) {
	line := printable.Line
	for _, t := range snap.Prom {
		fmt.Fprintf(w, "\nPROM %s\n", line(t.URL))
		if !t.Up {
			fmt.Fprintf(w, "down: %s\n", line(t.Error))
			continue
		}
		r := t.RED
		fmt.Fprintf(w, "up  %d series  scraped in %s  %s\n", t.Series, units.Seconds(t.ScrapeSeconds), line(t.Format))
		if r.HasRequests {
			fmt.Fprintf(w, "requests  %s/s  errors %s  (%s)\n", units.Count(r.RequestRate), units.Percent(r.ErrorRatio*100), line(r.RequestMetric))
		}
		if r.HasLatency {
			fmt.Fprintf(w, "latency   p50 %s  p90 %s  p99 %s  (%s)\n", units.Seconds(r.Latency.P50), units.Seconds(r.Latency.P90), units.Seconds(r.Latency.P99), line(r.LatencyMetric))
		}
		if r.HasInFlight {
			fmt.Fprintf(w, "in flight %s  (%s)\n", units.Count(r.InFlight), line(r.InFlightMetric))
		}
		if r.HasProcess {
			fmt.Fprintf(w, "process   CPU %.1f%%  RSS %s\n", r.CPUPercent, units.Bytes(r.RSSBytes))
		}
	}
	for _, q := range snap.Queries {
		fmt.Fprintf(w, "\nQUERY %s: %s\n", line(q.Title), line(q.Expr))
		if q.Error != "" {
			fmt.Fprintf(w, "error: %s\n", line(q.Error))
		}
		for _, s := range q.Series {
			fmt.Fprintf(w, "%v  %s\n", float64(s.Value), line(s.Name)+labelsText(s.Labels))
		}
	}
}

func labelsText(l map[string]string) string {
	if len(l) == 0 {
		return ""
	}
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = printable.Line(k) + "=" + strconv.Quote(l[k])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// writeSnapshotText prints h as aligned sections, one table per part. The
// host's own names (processes, devices, mounts) and errors are printed on
// one line without control characters or tabs (printable.Line): a process
// can name itself anything.
func writeSnapshotText(w io.Writer, h metrics.Host, interval time.Duration) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	line := printable.Line
	na := func(err string) string { return "n/a: " + line(err) }

	p("host\t%s\t%s\tinterval %s\n", line(h.Hostname), h.Time.Format(time.RFC3339), interval)
	if h.CPU.Error != "" {
		p("cpu\t%s\n", na(h.CPU.Error))
	} else {
		p("cpu\t%s\tuser %s  system %s  iowait %s  steal %s\n", units.Percent(h.CPU.TotalPercent),
			units.Percent(h.CPU.UserPercent), units.Percent(h.CPU.SystemPercent),
			units.Percent(h.CPU.IOWaitPercent), units.Percent(h.CPU.StealPercent))
		cores := make([]string, len(h.CPU.PerCorePercent))
		for i, c := range h.CPU.PerCorePercent {
			cores[i] = fmt.Sprintf("%d:%s", i, units.Percent(c))
		}
		p("cores\t%d\t%s\n", len(cores), strings.Join(cores, "  "))
	}
	if h.Load.Error != "" {
		p("load\t%s\n", na(h.Load.Error))
	} else {
		p("load\t%.2f %.2f %.2f\n", h.Load.Load1, h.Load.Load5, h.Load.Load15)
	}
	if m := h.Memory; m.Error != "" {
		p("memory\t%s\n", na(m.Error))
	} else {
		p("memory\t%s\tused %s (%s)  available %s  cached %s  free %s\n", units.Bytes(float64(m.TotalBytes)),
			units.Bytes(float64(m.UsedBytes)), units.Percent(m.UsedPercent), units.Bytes(float64(m.AvailableBytes)),
			units.Bytes(float64(m.CachedBytes+m.BuffersBytes)), units.Bytes(float64(m.FreeBytes)))
	}
	if s := h.Swap; s.Error != "" {
		p("swap\t%s\n", na(s.Error))
	} else {
		p("swap\t%s\tused %s (%s)\n", units.Bytes(float64(s.TotalBytes)), units.Bytes(float64(s.UsedBytes)), units.Percent(s.UsedPercent))
	}
	if err := tw.Flush(); err != nil {
		return err
	}

	section := func(header string, errMsg string, rows func()) {
		fmt.Fprintln(w)
		if errMsg != "" {
			fmt.Fprintf(w, "%s\n%s\n", strings.Fields(header)[0], na(errMsg))
			return
		}
		fmt.Fprint(tw, header+"\n")
		rows()
		_ = tw.Flush()
	}
	section("DISK\tREAD/s\tWRITE/s\tR IOPS\tW IOPS\tBUSY", h.DisksError, func() {
		for _, d := range h.Disks {
			p("%s\t%s\t%s\t%s\t%s\t%s\n", line(d.Name), units.BytesRate(d.ReadBytesPerSec), units.BytesRate(d.WriteBytesPerSec),
				units.Count(d.ReadIOPS), units.Count(d.WriteIOPS), units.Percent(d.BusyPercent))
		}
	})
	section("FILESYSTEM\tTYPE\tSIZE\tUSED\tUSE%\tDEVICE", h.FSError, func() {
		for _, f := range h.Filesystems {
			p("%s\t%s\t%s\t%s\t%s\t%s\n", line(f.Mount), line(f.Type), units.Bytes(float64(f.TotalBytes)),
				units.Bytes(float64(f.UsedBytes)), units.Percent(f.UsedPercent), line(f.Device))
		}
	})
	section("INTERFACE\tRX/s\tTX/s\tRX pkt/s\tTX pkt/s\tERRORS\tDROPS", h.NetError, func() {
		for _, n := range h.Network {
			p("%s\t%s\t%s\t%s\t%s\t%d\t%d\n", line(n.Name), units.BytesRate(n.RxBytesPerSec), units.BytesRate(n.TxBytesPerSec),
				units.Count(n.RxPacketsPerSec), units.Count(n.TxPacketsPerSec), n.RxErrors+n.TxErrors, n.RxDrops+n.TxDrops)
		}
	})
	section(fmt.Sprintf("PID\tNAME\tSTATE\tTHREADS\tCPU%%\tMEM%%\tRSS\t(%d processes)", h.Processes.Total), h.Processes.Error, func() {
		for _, pr := range h.Processes.Top {
			p("%d\t%s\t%s\t%d\t%.1f\t%.1f\t%s\t\n", pr.PID, line(pr.Name), line(pr.State), pr.Threads, pr.CPUPercent, pr.MemPercent, units.Bytes(float64(pr.RSSBytes)))
		}
	})
	return nil
}
