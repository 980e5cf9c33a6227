package promtest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Timeouts of the helpers. They are generous because the test machine may be
// small and busy; a helper returns as soon as its condition holds.
const (
	// StartTimeout bounds the wait for a started binary to answer.
	StartTimeout = 30 * time.Second
	// WaitTimeout bounds the wait for a condition on a running server.
	WaitTimeout = 30 * time.Second
	// stopTimeout bounds the wait for a process to exit after SIGTERM,
	// before it is killed.
	stopTimeout = 15 * time.Second
	pollEvery   = 50 * time.Millisecond
	// startAttempts is how often a start is tried on a fresh port when the
	// free port was taken between choosing and binding it.
	startAttempts = 3
)

// findBinary returns the path of a test dependency, or fails the test with
// what to do about it.
func findBinary(t testing.TB, name, path, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(path); err == nil {
		return p
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	t.Fatalf("%s not found (looked for %s and in PATH): run `make test`, which installs the test dependencies (.ci/deps), or `apt-get install %s`", name, path, pkg)
	return ""
}

// FreeAddr returns a loopback address with a port that was free a moment
// ago, for a server that the test starts next (a runner's --metrics-addr, a
// Prometheus target that is not up yet).
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	return addr
}

// process is a started binary whose output goes to a log file.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited
	err     error         // the process's exit status; read after done
}

// start runs path with args in dir, its output appended to logPath.
func start(name, path, dir, logPath string, args []string) (*process, error) {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	return startCmd(name, cmd, logPath)
}

// startCmd starts cmd (its path, arguments, directory, environment and
// credentials set) with its output appended to logPath.
func startCmd(name string, cmd *exec.Cmd, logPath string) (*process, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	defer logf.Close()                  // the child has its own copy
	cmd.Stdout, cmd.Stderr = logf, logf // *os.File: no copying goroutines
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// stop ends the process with SIGTERM, and SIGKILL if it lingers, and waits
// for it.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// log returns the end of the process's output, for failure messages.
func (p *process) log() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	const tail = 4000
	if len(b) > tail {
		b = b[len(b)-tail:]
	}
	return string(b)
}

// errExited says the process ended before it answered.
var errExited = errors.New("exited before it was ready")

// waitHTTP polls url until it answers 200, the process exits or timeout
// passes. Waiting on an external process has no channel to wait on: polling
// with a deadline is the honest way.
func (p *process) waitHTTP(client *http.Client, url string, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	last := errors.New("no answer yet")
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s", url, resp.Status)
		}
		last = err
		select {
		case <-p.done:
			return fmt.Errorf("%s %w (%v)", p.name, errExited, p.err)
		case <-deadline.C:
			return fmt.Errorf("%s not ready after %v: %w", p.name, timeout, last)
		case <-tick.C:
		}
	}
}

// portTaken reports whether a start failed because the chosen port was
// taken in the meantime, which is worth another try on a fresh port. Go
// servers say "address already in use", HAProxy, Redis and PostgreSQL
// "Address already in use".
func (p *process) portTaken() bool {
	return strings.Contains(strings.ToLower(p.log()), "address already in use")
}

// waitFor polls ready until it returns nil, the process exits or timeout
// passes: for servers that answer no HTTP (Redis, PostgreSQL).
func (p *process) waitFor(ready func() error, timeout time.Duration) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		last := ready()
		if last == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s %w (%v)", p.name, errExited, p.err)
		case <-deadline.C:
			return fmt.Errorf("%s not ready after %v: %w", p.name, timeout, last)
		case <-tick.C:
		}
	}
}

// unavailable ends a test whose component cannot run on this machine (not
// a missing binary, which always fails: see the package comment): a skip
// that says why on a developer's machine, a failure where CI is set, since
// a skipped test in CI would pass while proving nothing.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s (not skipped: CI is set)", msg)
	}
	t.Skip(msg)
}

// newHTTPClient returns a client of its own, so that closing its idle
// connections at cleanup leaves no goroutine behind.
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 4}, // no proxy: loopback only
		Timeout:   10 * time.Second,
	}
}

// newCmd is path with args in dir, with env added to the test's own
// environment.
func newCmd(dir, path string, args, env []string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	return cmd
}
