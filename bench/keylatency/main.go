// Command keylatency measures how long perftop, htop and btop take from a key
// press to the screen that key brings, each tool already running in the
// pane of its own tmux server (bench/dashboard.sh starts them).
//
// It attaches to each server as a control-mode client (tmux -C attach),
// which has no terminal of its own: it sends commands on tmux's stdin and
// reads the replies (%begin ... %end blocks) and the panes' output
// (%output notifications) on its stdout. A control client without a size
// does not resize the window; the pane size is checked before and after.
//
// A press is "send-keys KEY" to the pane. From the moment the command is
// written, the pane is captured (capture-pane -p) at every %output
// notification, and every -poll as a fallback, until the captured screen is
// in the state the key brings: each tool has a key that opens an overlay and
// closes it again, and two marker texts, one only on the open screen and one
// only on the closed one. The periodic refresh never toggles a marker, so a
// refresh that happens to come just after the key cannot pass for its answer.
// The latency is the time from writing send-keys to the arrival of the last
// %output before the matching capture's reply: tmux parses what a pane writes
// before it notifies control clients, and writes a command's reply after the
// notifications of what it had read until then, so that %output carried the
// bytes that completed the new screen (or came after them: an upper bound).
//
// Presses are interleaved (perftop, htop, btop, perftop, ...) and spaced by
// a random -gap .. -gap-max, so they do not phase-lock with the tools'
// refresh of 1 s or 2 s and only one tool is probed at a time.
//
//	keylatency -tool perftop=/tmp/x/perftop.sock -tool htop=/tmp/x/htop.sock -n 60
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

// listFlag collects repeated NAME=VALUE flags in order.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

type options struct {
	tools          listFlag
	keys           listFlag
	session        string
	n, warmup      int
	gap, gapMax    time.Duration
	timeout, poll  time.Duration
	cols, rows     int
	tsv            string
	verbose        bool
	attachDeadline time.Duration
}

func main() {
	var o options
	flag.Var(&o.tools, "tool", "`NAME=SOCKET`: a tool (perftop, htop, btop) and its tmux server's socket; repeat, in order")
	flag.Var(&o.keys, "keys", "`NAME=OPEN,CLOSE`: tmux key names that open and close the tool's overlay (default perftop=?,? htop=h,h btop=h,h)")
	flag.StringVar(&o.session, "session", "bench", "tmux session holding the tool's pane")
	flag.IntVar(&o.n, "n", 60, "measured presses per tool")
	flag.IntVar(&o.warmup, "warmup", 2, "unmeasured presses per tool first (they also check the markers)")
	flag.DurationVar(&o.gap, "gap", 150*time.Millisecond, "shortest pause after a press")
	flag.DurationVar(&o.gapMax, "gap-max", 400*time.Millisecond, "longest pause after a press (uniformly random in between)")
	flag.DurationVar(&o.timeout, "timeout", 3*time.Second, "give up on a press after this long")
	flag.DurationVar(&o.poll, "poll", 5*time.Millisecond, "capture the pane this often when no %output comes")
	flag.IntVar(&o.cols, "cols", 120, "expected pane width")
	flag.IntVar(&o.rows, "rows", 40, "expected pane height")
	flag.StringVar(&o.tsv, "tsv", "", "also write `file`: tool, ok, presses, median, p90, max (ms), tab-separated")
	flag.BoolVar(&o.verbose, "v", false, "print every press on stderr")
	flag.Parse()
	o.attachDeadline = 5 * time.Second
	if err := run(o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "keylatency: "+err.Error())
		os.Exit(1)
	}
}

func run(o options, stdout, stderr io.Writer) error {
	if o.n < 1 || o.warmup < 0 || o.gap < 0 || o.gapMax < o.gap || o.poll <= 0 || o.timeout <= 0 {
		return errors.New("need -n >= 1, -warmup >= 0, 0 <= -gap <= -gap-max, -poll > 0, -timeout > 0")
	}
	if len(o.tools) == 0 {
		return errors.New("no -tool NAME=SOCKET given")
	}
	custom := map[string]bool{}
	for _, k := range o.keys {
		name, keys, ok := strings.Cut(k, "=")
		open, shut, ok2 := strings.Cut(keys, ",")
		sp, known := specs[name]
		if !ok || !ok2 || !known || open == "" || shut == "" {
			return fmt.Errorf("bad -keys %q: want NAME=OPEN,CLOSE for perftop, htop or btop", k)
		}
		sp.open, sp.close = open, shut
		specs[name] = sp
		custom[name] = true
	}

	var tools []*tool
	defer func() {
		for _, t := range tools {
			t.c.close()
		}
	}()
	for _, a := range o.tools {
		name, sock, ok := strings.Cut(a, "=")
		sp, known := specs[name]
		if !ok || !known || sock == "" {
			return fmt.Errorf("bad -tool %q: want NAME=SOCKET, NAME perftop, htop or btop", a)
		}
		c, err := attach(sock, o.session)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		t := &tool{name: name, sp: sp, c: c}
		tools = append(tools, t)
		if err := t.setUp(o); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}

	for i := 0; i < o.warmup+o.n; i++ {
		for _, t := range tools {
			if err := t.pressOnce(o, i >= o.warmup, stderr); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			time.Sleep(o.gap + rand.N(o.gapMax-o.gap+1))
		}
	}

	// Leave every tool on its main screen, as it was found (unmeasured).
	for _, t := range tools {
		if t.st == stateOpen {
			if _, err := t.c.press(t.sp.close, t.sp, stateClosed, o.timeout, o.poll); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
	}
	for _, t := range tools {
		if err := t.checkSize(o); err != nil {
			return fmt.Errorf("%s after the presses: %w", t.name, err)
		}
	}
	report(stdout, o, tools, custom)
	if o.tsv != "" {
		var b strings.Builder
		for _, t := range tools {
			fmt.Fprintf(&b, "%s\t%d\t%d\t%s\t%s\t%s\n", t.name, len(t.all), o.n,
				ms(quantile(t.all, 0.5)), ms(quantile(t.all, 0.9)), ms(quantile(t.all, 1)))
		}
		if err := os.WriteFile(o.tsv, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
