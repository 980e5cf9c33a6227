package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
)

// report prints one row per tool, then the markers and anything odd.
func report(w io.Writer, o options, tools []*tool, custom map[string]bool) {
	fmt.Fprintf(w, "key-press latency: tmux send-keys to the pane showing the new screen (%dx%d; control-mode client captures the pane at each %%output and every %s)\n",
		o.cols, o.rows, o.poll)
	fmt.Fprintf(w, "%d presses per tool after %d warm-up, interleaved, %s-%s apart (random), opening and closing in turn; times in ms\n\n",
		o.n, o.warmup, o.gap, o.gapMax)
	const row = "%-8s  %-10s  %5s  %6s  %6s  %6s  %6s  %8s  %9s  %9s\n"
	fmt.Fprintf(w, row, "tool", "keys", "ok", "min", "median", "p90", "max", "open med", "close med", "look med")
	for _, t := range tools {
		fmt.Fprintf(w, row, t.name, t.sp.open+" / "+t.sp.close, fmt.Sprintf("%d/%d", len(t.all), o.n),
			ms(quantile(t.all, 0)), ms(quantile(t.all, 0.5)), ms(quantile(t.all, 0.9)), ms(quantile(t.all, 1)),
			ms(quantile(t.open, 0.5)), ms(quantile(t.shut, 0.5)), ms(quantile(t.rtt, 0.5)))
	}
	fmt.Fprintf(w, "(look med: from that %%output to the matching capture's reply, the cost of looking, not counted)\n")
	for _, t := range tools {
		note := ""
		if custom[t.name] {
			note = " (keys from -keys)"
		}
		fmt.Fprintf(w, "  %s: %q opens its %s (marker %s), %q closes it (the %s, marker %s)%s\n", t.name,
			t.sp.open, t.sp.openDescription, strconv.Quote(t.sp.openMarker), t.sp.close, t.sp.closeDescription,
			strconv.Quote(t.sp.closedMarker), note)
	}
	for _, t := range tools {
		if t.noOutput > 0 {
			fmt.Fprintf(w, "%s: %d presses matched before any %%output was seen (timed to the capture's reply)\n", t.name, t.noOutput)
		}
		for _, f := range t.failures {
			fmt.Fprintf(w, "%s: %s\n", t.name, f)
		}
	}
}

// quantile returns the q-quantile of ds by nearest rank (0 is the minimum,
// 1 the maximum), or 0 for no data. The same as bench/firstframe's.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// ms formats d in milliseconds with one decimal, or "-" for no data.
func ms(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond))
}
