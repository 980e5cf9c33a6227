//go:build linux

// Command firstframe measures how long perftop, btop and htop take from exec
// to their first frame on a fresh pseudo-terminal, side by side.
//
// Each run opens a new pty of -cols x -rows, starts the tool on it with a
// fresh HOME (default configuration), TERM=xterm-256color and a UTF-8 locale,
// and reads the pty until the tool's marker text (a word of its first frame)
// has been written; the time from just before exec to then is the first-frame
// time. It then sends "q" and waits for the tool to exit, killing it after 5 s.
// Runs are interleaved (perftop, btop, htop, perftop, ...) so the noise of a
// shared machine falls on every tool alike.
//
// Terminal queries (DA1, DECRQM, OSC 11, ...) are recorded but never
// answered: a tool that waits for the replies shows it in its time, and the
// report lists the queries each tool sent.
//
//	go run ./bench/firstframe -n 20
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// options are the command line.
type options struct {
	perftop     string
	perftopArgs string
	n           int
	tools       string
	cols, rows  int
	marker      string
	btopMarker  string
	htopMarker  string
	timeout     time.Duration
	budget      time.Duration
	dump        string
	tsv         string
}

func main() {
	var o options
	flag.StringVar(&o.perftop, "perftop", "", "perftop `binary` (default ./perftop, else built from this module into a temp dir)")
	flag.StringVar(&o.perftopArgs, "perftop-args", "--interval 1s", "perftop's `flags`, split on spaces")
	flag.IntVar(&o.n, "n", 20, "runs per tool")
	flag.StringVar(&o.tools, "tools", "perftop,btop,htop", "comma-separated `tools` to time")
	flag.IntVar(&o.cols, "cols", 120, "terminal columns")
	flag.IntVar(&o.rows, "rows", 40, "terminal rows")
	flag.StringVar(&o.marker, "marker", "Overview", "`text` of perftop's first frame (its first tab title)")
	flag.StringVar(&o.btopMarker, "btop-marker", "Program:", "`text` of btop's first frame with data (its process list header; \"proc\" times its empty box skeleton)")
	flag.StringVar(&o.htopMarker, "htop-marker", "Load average", "`text` of htop's first frame")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "give up on a run's first frame after this long")
	flag.DurationVar(&o.budget, "budget", 150*time.Millisecond, "perftop's first-frame budget")
	flag.StringVar(&o.dump, "dump", "", "write each tool's raw output of its first run to `dir`/<tool>.out")
	flag.StringVar(&o.tsv, "tsv", "", "also write `file`: tool, ok runs, runs, median, p90 (ms), tab-separated")
	flag.Parse()
	if err := run(o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "firstframe: "+err.Error())
		os.Exit(1)
	}
}

func run(o options, stdout, stderr io.Writer) error {
	if o.n < 1 || o.cols < 1 || o.rows < 1 {
		return errors.New("-n, -cols and -rows must be positive")
	}
	tools, cleanup, err := resolveTools(o, stderr)
	defer cleanup()
	if err != nil {
		return err
	}
	if len(tools) == 0 {
		return errors.New("no tool to time")
	}

	runs := make([][]result, len(tools))
	failures := make([][]string, len(tools))
	for i := 0; i < o.n; i++ {
		for k, t := range tools {
			r, err := runOnce(t, o.cols, o.rows, o.timeout)
			if i == 0 && o.dump != "" {
				if werr := os.WriteFile(filepath.Join(o.dump, t.name+".out"), r.out, 0o644); werr != nil {
					return werr
				}
			}
			if err != nil {
				failures[k] = append(failures[k], fmt.Sprintf("run %d: %v", i+1, err))
			}
			runs[k] = append(runs[k], r)
		}
	}
	report(stdout, o, tools, runs, failures)
	if o.tsv != "" {
		return writeTSV(o.tsv, tools, runs)
	}
	return nil
}

// writeTSV writes each tool's first-frame median and p90, for scripts
// (bench/dashboard.sh) that judge them.
func writeTSV(path string, tools []tool, runs [][]result) error {
	var b strings.Builder
	for k, t := range tools {
		var ff []time.Duration
		for _, r := range runs[k] {
			if r.firstFrame > 0 {
				ff = append(ff, r.firstFrame)
			}
		}
		fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%s\n", t.name, len(ff), len(runs[k]), ms(quantile(ff, 0.5)), ms(quantile(ff, 0.9)))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// resolveTools finds the binaries of the tools asked for. A peer that is not
// installed is skipped with a note; perftop is built when no binary is given.
func resolveTools(o options, stderr io.Writer) ([]tool, func(), error) {
	cleanup := func() {}
	var tools []tool
	for _, name := range strings.Split(o.tools, ",") {
		switch name = strings.TrimSpace(name); name {
		case "":
		case "perftop":
			path, clean, err := perftopBinary(o.perftop, stderr)
			cleanup = clean
			if err != nil {
				return nil, cleanup, err
			}
			tools = append(tools, tool{name: name, path: path, args: strings.Fields(o.perftopArgs), marker: o.marker})
		case "btop", "htop":
			path, err := exec.LookPath(name)
			if err != nil {
				fmt.Fprintf(stderr, "firstframe: %s not installed, skipped (apt-get install %s)\n", name, name)
				continue
			}
			t := tool{name: name, path: path, marker: o.btopMarker} // btop: default config, 2 s refresh
			if name == "htop" {
				t.args, t.marker = []string{"-d", "10"}, o.htopMarker
			}
			tools = append(tools, t)
		default:
			return nil, cleanup, fmt.Errorf("unknown tool %q: want perftop, btop or htop", name)
		}
	}
	return tools, cleanup, nil
}

// perftopBinary returns path if set, else ./perftop if it exists, else a
// fresh build of this module's cmd/perftop in a temp dir.
func perftopBinary(path string, stderr io.Writer) (string, func(), error) {
	nop := func() {}
	if path != "" {
		abs, err := filepath.Abs(path)
		return abs, nop, err
	}
	if fi, err := os.Stat("perftop"); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		abs, err := filepath.Abs("perftop")
		return abs, nop, err
	}
	dir, err := os.MkdirTemp("", "firstframe-bin-")
	if err != nil {
		return "", nop, err
	}
	clean := func() { os.RemoveAll(dir) }
	bin := filepath.Join(dir, "perftop")
	fmt.Fprintln(stderr, "firstframe: building perftop")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/perftop/perftop/cmd/perftop")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", clean, fmt.Errorf("build perftop (or pass -perftop PATH): %w", err)
	}
	return bin, clean, nil
}

// report prints the table, perftop's budget line and what each tool asked
// the terminal.
func report(w io.Writer, o options, tools []tool, runs [][]result, failures [][]string) {
	fmt.Fprintf(w, "first frame: exec to marker text on a %dx%d pty (TERM=xterm-256color, fresh HOME, terminal queries unanswered)\n", o.cols, o.rows)
	fmt.Fprintf(w, "%d runs per tool, interleaved; times in ms\n\n", o.n)
	const row = "%-8s  %-14s  %5s  %7s  %7s  %7s  %7s  %11s\n"
	fmt.Fprintf(w, row, "tool", "marker", "ok", "min", "median", "p90", "max", "quit median")
	var perftop []time.Duration
	for k, t := range tools {
		var ff, quit []time.Duration
		for _, r := range runs[k] {
			if r.firstFrame > 0 {
				ff = append(ff, r.firstFrame)
			}
			if r.quit > 0 {
				quit = append(quit, r.quit)
			}
		}
		if t.name == "perftop" {
			perftop = ff
		}
		fmt.Fprintf(w, row, t.name, strconv.Quote(t.marker), fmt.Sprintf("%d/%d", len(ff), len(runs[k])),
			ms(quantile(ff, 0)), ms(quantile(ff, 0.5)), ms(quantile(ff, 0.9)), ms(quantile(ff, 1)), ms(quantile(quit, 0.5)))
	}

	if slices.ContainsFunc(tools, func(t tool) bool { return t.name == "perftop" }) {
		fmt.Fprintln(w)
		med, p90 := quantile(perftop, 0.5), quantile(perftop, 0.9)
		switch {
		case len(perftop) == 0:
			fmt.Fprintf(w, "perftop budget %s: NO FIRST FRAME SEEN\n", ms(o.budget))
		case p90 <= o.budget:
			fmt.Fprintf(w, "perftop budget %s ms: median %s, p90 %s: within budget\n", ms(o.budget), ms(med), ms(p90))
		case med <= o.budget:
			fmt.Fprintf(w, "perftop budget %s ms: median %s within, but p90 %s OVER BUDGET by %s ms\n",
				ms(o.budget), ms(med), ms(p90), ms(p90-o.budget))
		default:
			fmt.Fprintf(w, "perftop budget %s ms: OVER BUDGET: median %s (+%s ms), p90 %s (+%s ms)\n",
				ms(o.budget), ms(med), ms(med-o.budget), ms(p90), ms(p90-o.budget))
		}
	}

	fmt.Fprintln(w)
	for k, t := range tools {
		var qs []string
		for _, r := range runs[k] {
			for _, q := range r.queries {
				if !slices.Contains(qs, q) {
					qs = append(qs, q)
				}
			}
		}
		if len(qs) == 0 {
			qs = []string{"none"}
		}
		fmt.Fprintf(w, "%s: terminal queries before its first frame: %s\n", t.name, strings.Join(qs, ", "))
		killed := 0
		for _, r := range runs[k] {
			if r.killed {
				killed++
			}
		}
		if killed > 0 {
			fmt.Fprintf(w, "%s: did not quit on \"q\" within %s in %d runs (killed)\n", t.name, quitTimeout, killed)
		}
		for _, f := range failures[k] {
			fmt.Fprintf(w, "%s: %s\n", t.name, f)
		}
	}
}

// quantile returns the q-quantile of ds by nearest rank (0 is the minimum,
// 1 the maximum), or 0 for no data.
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
