package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/perftop/perftop/metrics"
	"github.com/perftop/perftop/sources/system"
	"github.com/perftop/perftop/tui/units"
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
"<part>_error") field with the reason; the other parts are still valid.`,
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
			h, err := system.Snapshot(cmd.Context(), nil, cfg.Interval)
			if err != nil {
				return fmt.Errorf("snapshot: %w", err)
			}
			h.Processes.Top = h.Processes.Top[:min(top, len(h.Processes.Top))]
			if asJSON {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(h)
			}
			return writeSnapshotText(e.stdout, h, cfg.Interval)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of text")
	cmd.Flags().IntVar(&top, "top", 15, "show the `n` busiest processes")
	return cmd
}

// writeSnapshotText prints h as aligned sections, one table per part.
func writeSnapshotText(w io.Writer, h metrics.Host, interval time.Duration) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	na := func(err string) string { return "n/a: " + err }

	p("host\t%s\t%s\tinterval %s\n", h.Hostname, h.Time.Format(time.RFC3339), interval)
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
			p("%s\t%s\t%s\t%s\t%s\t%s\n", d.Name, units.BytesRate(d.ReadBytesPerSec), units.BytesRate(d.WriteBytesPerSec),
				units.Count(d.ReadIOPS), units.Count(d.WriteIOPS), units.Percent(d.BusyPercent))
		}
	})
	section("FILESYSTEM\tTYPE\tSIZE\tUSED\tUSE%\tDEVICE", h.FSError, func() {
		for _, f := range h.Filesystems {
			p("%s\t%s\t%s\t%s\t%s\t%s\n", f.Mount, f.Type, units.Bytes(float64(f.TotalBytes)),
				units.Bytes(float64(f.UsedBytes)), units.Percent(f.UsedPercent), f.Device)
		}
	})
	section("INTERFACE\tRX/s\tTX/s\tRX pkt/s\tTX pkt/s\tERRORS\tDROPS", h.NetError, func() {
		for _, n := range h.Network {
			p("%s\t%s\t%s\t%s\t%s\t%d\t%d\n", n.Name, units.BytesRate(n.RxBytesPerSec), units.BytesRate(n.TxBytesPerSec),
				units.Count(n.RxPacketsPerSec), units.Count(n.TxPacketsPerSec), n.RxErrors+n.TxErrors, n.RxDrops+n.TxDrops)
		}
	})
	section(fmt.Sprintf("PID\tNAME\tSTATE\tTHREADS\tCPU%%\tMEM%%\tRSS\t(%d processes)", h.Processes.Total), h.Processes.Error, func() {
		for _, pr := range h.Processes.Top {
			p("%d\t%s\t%s\t%d\t%.1f\t%.1f\t%s\t\n", pr.PID, pr.Name, pr.State, pr.Threads, pr.CPUPercent, pr.MemPercent, units.Bytes(float64(pr.RSSBytes)))
		}
	})
	return nil
}
