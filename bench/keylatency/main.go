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
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// spec is how to toggle one tool's screen and how to tell its two states apart.
type spec struct {
	open, close      string // tmux key names that open and close the overlay
	openMarker       string // text only on the open screen
	closedMarker     string // text only on the closed screen
	openDescription  string
	closeDescription string
}

// specs are the tools this harness knows. The markers were read off 120x40
// captures of perftop, htop 3.2 and btop 1.2: perftop's help overlay covers
// the whole body (its Memory box included), htop's help replaces the whole
// screen, and btop's help box hides the header of its process list.
var specs = map[string]spec{
	"perftop": {open: "?", close: "?", openMarker: "show/hide this help", closedMarker: "╭─ Memory ",
		openDescription: "help overlay", closeDescription: "Overview screen"},
	"htop": {open: "h", close: "h", openMarker: "Press any key to return", closedMarker: "Load average",
		openDescription: "help screen", closeDescription: "main screen"},
	"btop": {open: "h", close: "h", openMarker: "Shows this window", closedMarker: "Program:",
		openDescription: "help box", closeDescription: "main screen"},
}

type state int

const (
	stateUnknown state = iota
	stateClosed
	stateOpen
)

func (s state) String() string {
	return [...]string{"unknown", "closed", "open"}[s]
}

// classify says which state a captured screen shows: its marker present and
// the other state's absent, else unknown (a screen half redrawn).
func classify(sp spec, screen string) state {
	o, c := strings.Contains(screen, sp.openMarker), strings.Contains(screen, sp.closedMarker)
	switch {
	case o && !c:
		return stateOpen
	case c && !o:
		return stateClosed
	}
	return stateUnknown
}

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

// tool is one attached tool and what was measured on it.
type tool struct {
	name               string
	sp                 spec
	c                  *client
	st                 state
	open               []time.Duration // latencies of opening presses
	shut               []time.Duration // of closing presses
	all                []time.Duration
	rtt                []time.Duration // matching capture's reply minus the latency: the cost of looking
	noOutput, timeouts int
	failures           []string
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

// setUp finds the pane, checks its size and brings the tool to its closed
// state, so the first press opens.
func (t *tool) setUp(o options) error {
	lines, err := t.c.run("display-message -p -t "+quoteArg(o.session)+" '#{pane_id}'", o.attachDeadline)
	if err != nil {
		return err
	}
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "%") {
		return fmt.Errorf("no pane id from display-message: %q", lines)
	}
	t.c.pane = lines[0]
	if err := t.checkSize(o); err != nil {
		return err
	}
	t.st, err = t.settled(o)
	if err != nil {
		return err
	}
	if t.st == stateOpen {
		r, err := t.c.press(t.sp.close, t.sp, stateClosed, o.timeout, o.poll)
		if err != nil {
			return err
		}
		if !r.ok {
			return fmt.Errorf("screen still shows %q %s after %q", t.sp.openMarker, o.timeout, t.sp.close)
		}
		t.st = stateClosed
	}
	return nil
}

// settled captures the pane until it is in a known state, for at most
// -timeout: a screen can be caught half redrawn.
func (t *tool) settled(o options) (state, error) {
	deadline := time.Now().Add(o.timeout)
	var screen []string
	for {
		var err error
		screen, err = t.c.run("capture-pane -p -t "+t.c.pane, o.timeout)
		if err != nil {
			return stateUnknown, err
		}
		if st := classify(t.sp, strings.Join(screen, "\n")); st != stateUnknown {
			return st, nil
		}
		if time.Now().After(deadline) {
			return stateUnknown, fmt.Errorf("screen shows neither %q nor %q (alone):\n%s",
				t.sp.openMarker, t.sp.closedMarker, strings.Join(screen, "\n"))
		}
		time.Sleep(o.poll)
	}
}

func (t *tool) checkSize(o options) error {
	lines, err := t.c.run("display-message -p -t "+t.c.pane+" '#{pane_width}x#{pane_height}'", o.attachDeadline)
	if err != nil {
		return err
	}
	if want := fmt.Sprintf("%dx%d", o.cols, o.rows); len(lines) != 1 || lines[0] != want {
		return fmt.Errorf("pane is %q, want %s", strings.Join(lines, " "), want)
	}
	return nil
}

// pressOnce presses the key that toggles the tool's state and records the
// latency when measured is set. A press whose screen never changes is a
// failure; the state is then read off the screen again.
func (t *tool) pressOnce(o options, measured bool, stderr io.Writer) error {
	want, key := stateOpen, t.sp.open
	if t.st == stateOpen {
		want, key = stateClosed, t.sp.close
	}
	r, err := t.c.press(key, t.sp, want, o.timeout, o.poll)
	if err != nil {
		return err
	}
	if o.verbose {
		fmt.Fprintf(stderr, "%-8s %-6s %q: ok %v, %s ms (reply %s ms, %d captures, via %%output %v)\n",
			t.name, want, key, r.ok, ms(r.latency), ms(r.reply), r.captures, r.viaOutput)
	}
	if !r.ok {
		if measured {
			t.timeouts++
			t.failures = append(t.failures, fmt.Sprintf("%q did not bring the %s screen within %s", key, want, o.timeout))
		}
		t.st, err = t.settled(o)
		return err
	}
	t.st = want
	if !measured {
		return nil
	}
	t.all = append(t.all, r.latency)
	t.rtt = append(t.rtt, r.reply-r.latency)
	if want == stateOpen {
		t.open = append(t.open, r.latency)
	} else {
		t.shut = append(t.shut, r.latency)
	}
	if !r.viaOutput {
		t.noOutput++
	}
	return nil
}

// --- the control client -------------------------------------------------------

// tag says what a command sent was, so its reply can be told apart; press
// numbers the presses so a late reply to an earlier one is ignored.
type tag struct {
	kind  string // "sync", "key", "capture"
	press int
}

// timedEvent is an event with the time its last line was read.
type timedEvent struct {
	event
	at  time.Time
	tag tag // evReply of this client's command: what it answered
}

type client struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	events  chan timedEvent
	pending []tag // commands sent and not yet answered, in order
	pane    string
	presses int
	stderr  *lockedBuffer
}

// lockedBuffer keeps tmux's stderr: exec copies into it from a goroutine of
// its own while an error path may read it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// attach starts a control-mode client of the tmux server at sock.
func attach(sock, session string) (*client, error) {
	cmd := exec.Command("tmux", "-S", sock, "-C", "attach-session", "-t", session)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &client{cmd: cmd, stdin: stdin, events: make(chan timedEvent, 1<<14), stderr: &lockedBuffer{}}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("tmux -C attach: %w", err)
	}
	go func() {
		defer close(c.events)
		var p parser
		r := bufio.NewReaderSize(stdout, 64<<10)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				if ev := p.feed(strings.TrimSuffix(line, "\n")); ev.kind != evNone {
					c.events <- timedEvent{event: ev, at: time.Now()}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return c, nil
}

// close detaches (end of stdin ends a control client) and waits a little.
func (c *client) close() {
	_ = c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
}

func (c *client) send(t tag, command string) error {
	c.pending = append(c.pending, t)
	_, err := io.WriteString(c.stdin, command+"\n")
	return err
}

// next returns the next event, with the tag of the command a reply answers;
// replies to commands of others (the attach itself) are skipped. ok is false
// when the deadline passed first.
func (c *client) next(deadline <-chan time.Time) (ev timedEvent, ok bool, err error) {
	for {
		select {
		case raw, open := <-c.events:
			ev, keep, err := c.handle(raw, open)
			if err != nil || keep {
				return ev, keep, err
			}
		case <-deadline:
			return ev, false, nil
		}
	}
}

// handle takes one event off the channel: keep is false for an event to
// skip, a reply to a command another client sent.
func (c *client) handle(ev timedEvent, open bool) (_ timedEvent, keep bool, err error) {
	if !open {
		return ev, false, fmt.Errorf("control client exited: %s", strings.TrimSpace(c.stderr.String()))
	}
	switch ev.kind {
	case evExit:
		return ev, false, errors.New("control client detached (%exit)")
	case evReply:
		if !ev.mine {
			return ev, false, nil
		}
		if len(c.pending) == 0 {
			return ev, false, fmt.Errorf("reply %s to no command of ours", ev.num)
		}
		ev.tag, c.pending = c.pending[0], c.pending[1:]
	}
	return ev, true, nil
}

// run sends a command and returns its output, skipping whatever else comes.
func (c *client) run(command string, timeout time.Duration) ([]string, error) {
	c.presses++
	t := tag{kind: "sync", press: -c.presses}
	if err := c.send(t, command); err != nil {
		return nil, err
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		ev, ok, err := c.next(timer.C)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("no reply to %q within %s", command, timeout)
		}
		if ev.kind == evReply && ev.tag == t {
			if ev.err {
				return nil, fmt.Errorf("%s: %s", command, strings.Join(ev.lines, " "))
			}
			return ev.lines, nil
		}
	}
}

// drain handles what came in since the last press without waiting: old
// output, and late replies to an earlier press (they pop their commands).
func (c *client) drain() error {
	for {
		select {
		case raw, open := <-c.events:
			if _, _, err := c.handle(raw, open); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// pressResult is one press: ok when the screen reached the state wanted.
type pressResult struct {
	ok        bool
	latency   time.Duration // send-keys written to the last %output before the matching capture's reply
	reply     time.Duration // send-keys written to that reply
	viaOutput bool          // a %output came after the key (else latency = reply)
	captures  int
}

// press sends key and captures the pane at every %output of it (one capture
// in flight at a time; output meanwhile asks for another) and every poll,
// until the screen is in state want or timeout passes.
func (c *client) press(key string, sp spec, want state, timeout, poll time.Duration) (pressResult, error) {
	var r pressResult
	if err := c.drain(); err != nil {
		return r, err
	}
	c.presses++
	id := c.presses
	sent := time.Now()
	if err := c.send(tag{"key", id}, "send-keys -t "+c.pane+" "+quoteArg(key)); err != nil {
		return r, err
	}
	var lastOut, issued time.Time
	inFlight, dirty := false, false
	capture := func() error {
		inFlight, dirty, issued = true, false, time.Now()
		r.captures++
		return c.send(tag{"capture", id}, "capture-pane -p -t "+c.pane)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		var ev timedEvent
		select {
		case now := <-ticker.C:
			if !inFlight && now.Sub(issued) >= poll {
				if err := capture(); err != nil {
					return r, err
				}
			}
			continue
		case <-timer.C:
			return r, nil
		case raw, open := <-c.events:
			var keep bool
			var err error
			if ev, keep, err = c.handle(raw, open); err != nil {
				return r, err
			} else if !keep {
				continue
			}
		}
		switch {
		case ev.kind == evOutput && ev.pane == c.pane && !ev.at.Before(sent):
			lastOut = ev.at
			if inFlight {
				dirty = true
			} else if err := capture(); err != nil {
				return r, err
			}
		case ev.kind == evReply && ev.tag.press == id && ev.tag.kind == "key" && ev.err:
			return r, fmt.Errorf("send-keys %q: %s", key, strings.Join(ev.lines, " "))
		case ev.kind == evReply && ev.tag.press == id && ev.tag.kind == "capture":
			inFlight = false
			if ev.err {
				return r, fmt.Errorf("capture-pane: %s", strings.Join(ev.lines, " "))
			}
			if classify(sp, strings.Join(ev.lines, "\n")) == want {
				r.ok, r.reply = true, ev.at.Sub(sent)
				r.latency, r.viaOutput = r.reply, !lastOut.IsZero()
				if r.viaOutput {
					r.latency = lastOut.Sub(sent)
				}
				return r, nil
			}
			if dirty {
				if err := capture(); err != nil {
					return r, err
				}
			}
		}
	}
}
