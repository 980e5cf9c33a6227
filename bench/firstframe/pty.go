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

	cmd, start, err := startTool(t, home, slave)
	if err != nil {
		return r, err
	}
	rd := readScreen(master, t.marker, start)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	r.firstFrame, r.exitedEarly = waitFirstFrame(rd.found, exited, timeout)
	if !r.exitedEarly {
		r.quit, r.killed = sendQuit(master, cmd, exited)
	}
	rd.finish(master)
	r.out = rd.out
	if r.firstFrame == 0 && !r.exitedEarly {
		// The marker may have arrived just as the timer fired.
		select {
		case r.firstFrame = <-rd.found:
		default:
		}
	}
	r.queries = terminalQueries(rd.beforeMarker())
	return r, r.check(t, timeout)
}

// startTool execs t with the pty's slave as its stdin, stdout and stderr and
// as the controlling terminal of a session of its own, in home, and returns
// the time just before the exec. It closes slave either way: the child has
// its copies, and the master sees EIO once they close.
func startTool(t tool, home string, slave *os.File) (*exec.Cmd, time.Time, error) {
	defer slave.Close()
	cmd := exec.Command(t.path, t.args...)
	cmd.Env = childEnv(home)
	cmd.Dir = home
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, start, fmt.Errorf("start %s: %w", t.path, err)
	}
	return cmd, start, nil
}

// screenReader keeps everything the tool writes to the pty master, and
// watches it for the marker.
type screenReader struct {
	found    chan time.Duration // the time from start to the marker, once
	done     chan struct{}      // closed when the reader has stopped
	out      []byte             // owned by the reader until done is closed
	markerAt int                // len(out) when the marker was seen, else -1; reader-owned too
}

// readScreen reads master until it fails, in a goroutine of its own.
func readScreen(master *os.File, marker string, start time.Time) *screenReader {
	rd := &screenReader{found: make(chan time.Duration, 1), done: make(chan struct{}), markerAt: -1}
	go func() {
		defer close(rd.done)
		buf := make([]byte, 64<<10)
		for {
			n, err := master.Read(buf)
			if n > 0 {
				rd.out = append(rd.out, buf[:n]...)
				if rd.markerAt < 0 {
					if rd.markerAt = markerIndex(rd.out, marker); rd.markerAt >= 0 {
						rd.found <- time.Since(start)
					}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return rd
}

// finish waits for the reader once the tool is gone: it drains what is
// left, but does not wait for a stray grandchild that still holds the slave
// open.
func (rd *screenReader) finish(master *os.File) {
	_ = master.SetReadDeadline(time.Now().Add(time.Second))
	<-rd.done
}

// beforeMarker is what the tool wrote before the marker, or everything when
// the marker never came. Only after finish.
func (rd *screenReader) beforeMarker() []byte {
	if rd.markerAt < 0 {
		return rd.out
	}
	return rd.out[:rd.markerAt]
}

// waitFirstFrame waits for the marker, the tool's exit or the timeout,
// whichever comes first; exitedEarly says the tool exited first.
func waitFirstFrame(found <-chan time.Duration, exited <-chan error, timeout time.Duration) (firstFrame time.Duration, exitedEarly bool) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case firstFrame = <-found:
	case <-exited:
		exitedEarly = true
	case <-timer.C:
	}
	return firstFrame, exitedEarly
}

// sendQuit sends "q" and waits for the exit, killing the tool's whole session
// when it has not quit within quitTimeout.
func sendQuit(master *os.File, cmd *exec.Cmd, exited <-chan error) (took time.Duration, killed bool) {
	quitStart := time.Now()
	_, _ = master.Write([]byte("q"))
	select {
	case <-exited:
		return time.Since(quitStart), false
	case <-time.After(quitTimeout):
		_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL) // its whole session
		<-exited
		return 0, true
	}
}

// check says why a run has no first-frame time: the tool exited first, or
// the marker did not come in time (naming the terminal queries the tool
// sent, which may be what it waits on).
func (r result) check(t tool, timeout time.Duration) error {
	if r.firstFrame != 0 {
		return nil
	}
	if r.exitedEarly {
		return errors.New("exited before the marker appeared")
	}
	if len(r.queries) > 0 {
		return fmt.Errorf("marker %q not seen within %s; it sent %s, which this harness never answers: is it waiting for a reply?",
			t.marker, timeout, strings.Join(r.queries, ", "))
	}
	return fmt.Errorf("marker %q not seen within %s", t.marker, timeout)
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
