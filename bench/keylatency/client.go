package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"
)

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
