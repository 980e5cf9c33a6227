//go:build linux

package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a new pseudo-terminal of cols x rows. The master is
// non-blocking so that reads honour deadlines and Close unblocks them; the
// slave is for the child's stdin, stdout and stderr.
func openPTY(cols, rows int) (master, slave *os.File, err error) {
	mfd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/ptmx: %w", err)
	}
	fail := func(err error) (*os.File, *os.File, error) {
		unix.Close(mfd)
		return nil, nil, err
	}
	if err := unix.IoctlSetPointerInt(mfd, unix.TIOCSPTLCK, 0); err != nil {
		return fail(fmt.Errorf("unlock pty: %w", err))
	}
	n, err := unix.IoctlGetUint32(mfd, unix.TIOCGPTN)
	if err != nil {
		return fail(fmt.Errorf("pty number: %w", err))
	}
	name := fmt.Sprintf("/dev/pts/%d", n)
	sfd, err := unix.Open(name, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("open %s: %w", name, err))
	}
	ws := &unix.Winsize{Col: uint16(cols), Row: uint16(rows)}
	if err := unix.IoctlSetWinsize(sfd, unix.TIOCSWINSZ, ws); err != nil {
		unix.Close(sfd)
		return fail(fmt.Errorf("set window size: %w", err))
	}
	if err := unix.SetNonblock(mfd, true); err != nil {
		unix.Close(sfd)
		return fail(fmt.Errorf("set pty master non-blocking: %w", err))
	}
	return os.NewFile(uintptr(mfd), "/dev/ptmx"), os.NewFile(uintptr(sfd), name), nil
}

// tool is one program to time: how to start it and what text on the screen
// says its first frame is there.
type tool struct {
	name   string
	path   string
	args   []string
	marker string
}

// result is what one start of a tool measured.
type result struct {
	firstFrame  time.Duration // exec to marker; 0 when the marker never came
	quit        time.Duration // from sending "q" to the exit
	killed      bool          // did not quit within the timeout
	exitedEarly bool          // exited before the marker appeared
	queries     []string      // terminal queries seen before the marker, unanswered
	out         []byte        // everything the tool wrote
}

// timing limits for one run.
const quitTimeout = 5 * time.Second

// runOnce starts t on a fresh cols x rows pty with a fresh HOME, waits for the
// marker (at most timeout), sends "q" and waits for the exit, killing the
// tool's session if it does not quit. Terminal queries are never answered: a
// tool that waits for replies shows it in its first-frame time.
func runOnce(t tool, cols, rows int, timeout time.Duration) (result, error) {
	var r result
	master, slave, err := openPTY(cols, rows)
	if err != nil {
		return r, err
	}
	defer master.Close()

	home, err := os.MkdirTemp("", "firstframe-home-")
	if err != nil {
		slave.Close()
		return r, err
	}
	defer os.RemoveAll(home)

	cmd := exec.Command(t.path, t.args...)
	cmd.Env = childEnv(home)
	cmd.Dir = home
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}

	found := make(chan time.Duration, 1)
	readerDone := make(chan struct{})
	var out []byte // owned by the reader until readerDone is closed
	markerAt := -1 // len(out) when the marker was seen; reader-owned too

	start := time.Now()
	if err := cmd.Start(); err != nil {
		slave.Close()
		return r, fmt.Errorf("start %s: %w", t.path, err)
	}
	slave.Close() // the child has its copies; the master sees EIO once they close

	go func() {
		defer close(readerDone)
		buf := make([]byte, 64<<10)
		for {
			n, err := master.Read(buf)
			if n > 0 {
				out = append(out, buf[:n]...)
				if markerAt < 0 {
					if markerAt = markerIndex(out, t.marker); markerAt >= 0 {
						found <- time.Since(start)
					}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	done := false
	select {
	case r.firstFrame = <-found:
	case <-exited:
		r.exitedEarly, done = true, true
	case <-timer.C:
	}

	if !done {
		quitStart := time.Now()
		_, _ = master.Write([]byte("q"))
		select {
		case <-exited:
			r.quit = time.Since(quitStart)
		case <-time.After(quitTimeout):
			r.killed = true
			_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL) // its whole session
			<-exited
		}
	}
	// The tool is gone; drain what is left, but do not wait for a stray
	// grandchild that still holds the slave open.
	_ = master.SetReadDeadline(time.Now().Add(time.Second))
	<-readerDone
	r.out = out
	if r.firstFrame == 0 && !r.exitedEarly {
		// The marker may have arrived just as the timer fired.
		select {
		case r.firstFrame = <-found:
		default:
		}
	}
	if markerAt < 0 {
		markerAt = len(out)
	}
	r.queries = terminalQueries(out[:markerAt])
	if r.firstFrame == 0 {
		if r.exitedEarly {
			return r, errors.New("exited before the marker appeared")
		}
		if len(r.queries) > 0 {
			return r, fmt.Errorf("marker %q not seen within %s; it sent %s, which this harness never answers: is it waiting for a reply?",
				t.marker, timeout, strings.Join(r.queries, ", "))
		}
		return r, fmt.Errorf("marker %q not seen within %s", t.marker, timeout)
	}
	return r, nil
}

// childEnv is the same environment for every tool: a fresh HOME and config
// dir (no user configuration, tools' defaults), a 256-colour xterm and UTF-8.
func childEnv(home string) []string {
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + home + "/.config",
		"XDG_CACHE_HOME=" + home + "/.cache",
		"XDG_STATE_HOME=" + home + "/.local/state",
		"PERFTOP_CONFIG_DIR=" + home + "/.config/perftop",
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"LC_ALL=C.UTF-8",
	}
	if p := os.Getenv("PATH"); p != "" {
		env = append(env, "PATH="+p)
	}
	return env
}
