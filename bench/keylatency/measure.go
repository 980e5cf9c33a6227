package main

import (
	"fmt"
	"io"
	"strings"
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
