//go:build unix

package session

import (
	"bytes"
	"context"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
)

// hangupSignals end a headless run as SIGINT and SIGTERM do: SIGHUP comes
// when the terminal closes, an SSH session drops or tmux kills its session,
// and the results must still be written.
var hangupSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// jobControl handles, for one dashboard program, the signals Bubble Tea
// leaves to their default action: SIGHUP quits the program (so a run still
// stops cleanly and writes its results), and SIGTSTP (kill -TSTP, or the
// dashboard's own ctrl+z, which arrives as tea.SuspendMsg) suspends it with
// the terminal restored first; after fg it redraws in raw mode, as htop
// and vim do.
//
// Bubble Tea's own suspend stops the process by sending SIGTSTP to it, which
// works only while nobody handles SIGTSTP; perftop handles it (to restore
// the terminal when the signal comes from outside), and once os/signal has
// caught a signal, signal.Reset leaves the runtime's handler in place, which
// ignores it. So perftop suspends through the program's filter instead, and
// stops with SIGSTOP, which nothing catches: the shell sees the job stopped
// as after ctrl+z ("Stopped (signal)"), and fg continues it.
type jobControl struct {
	p    *tea.Program
	hup  chan os.Signal
	tstp chan os.Signal
}

func newJobControl() *jobControl {
	j := &jobControl{hup: make(chan os.Signal, 1), tstp: make(chan os.Signal, 1)}
	signal.Notify(j.hup, syscall.SIGHUP)
	signal.Notify(j.tstp, syscall.SIGTSTP)
	return j
}

// filter is the program's message filter: it runs a suspend itself.
func (j *jobControl) filter(_ tea.Model, msg tea.Msg) tea.Msg {
	if _, ok := msg.(tea.SuspendMsg); ok {
		j.suspend()
		return nil
	}
	return msg
}

// suspend gives the terminal back, stops the process group as the shell's
// ctrl+z would, and once continued takes the terminal again and repaints
// it whole. It runs on the program's event loop, which waits meanwhile.
func (j *jobControl) suspend() {
	cont := make(chan os.Signal, 1)
	signal.Notify(cont, syscall.SIGCONT)
	defer signal.Stop(cont)
	_ = j.p.ReleaseTerminal()
	waitRendererStopped()
	_ = syscall.Kill(0, syscall.SIGSTOP)
	<-cont // fg, bg or kill -CONT
	_ = j.p.RestoreTerminal()
	go j.p.Send(tea.ClearScreen()) // the shell drew over the screen meanwhile
}

// run turns the signals into the program's messages until ctx ends.
func (j *jobControl) run(ctx context.Context) {
	defer signal.Stop(j.hup)
	defer signal.Stop(j.tstp)
	for {
		select {
		case <-ctx.Done():
			return
		case <-j.hup:
			j.p.Quit()
		case <-j.tstp:
			j.p.Send(tea.SuspendMsg{})
		}
	}
}

// rendererLoop is the frame loop Bubble Tea starts for each run of its
// renderer, as it appears in a goroutine's stack.
const rendererLoop = "bubbletea/v2.(*Program).startRenderer.func1"

// waitRendererStopped waits, at most half a second, until the renderer's
// frame loop that ReleaseTerminal stopped has returned. Bubble Tea v2.1.1's
// loop stops the program's one ticker after it is told to stop; frozen by
// SIGSTOP in between, it could run after RestoreTerminal had reset that
// ticker for the new loop, which then never ticked: after fg the dashboard
// stayed blank for good (1 suspend in 60 under load, in
// TestSuspendResume). Reading the stacks costs a millisecond, once per
// suspend.
func waitRendererStopped() {
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(500 * time.Millisecond); time.Now().Before(deadline); {
		n := runtime.Stack(buf, true)
		if n < len(buf) && !bytes.Contains(buf[:n], []byte(rendererLoop)) {
			return
		}
		if n == len(buf) {
			buf = make([]byte, 2*len(buf))
			continue
		}
		time.Sleep(time.Millisecond)
	}
}
