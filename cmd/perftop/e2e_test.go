package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	buildDir  string
	binPath   string
	buildErr  error
)

// binary builds perftop once for the end-to-end tests.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "perftop-e2e-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(buildDir, "perftop")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// term is a real terminal: a tmux session on a private server, so the test
// sees exactly what a user would, escape sequences, alternate screen and all.
type term struct {
	t      *testing.T
	socket string
	target string
}

// newTerm starts command in a detached w x h tmux session. The pane stays
// after the command exits, so the test can read its exit status and the
// restored screen.
func newTerm(t *testing.T, w, h int, env []string, command string) *term {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is required for the terminal tests (make test installs it): ", err)
	}
	tm := &term{t: t, socket: fmt.Sprintf("perftop-test-%d-%d", os.Getpid(), time.Now().UnixNano()), target: "e2e"}
	args := []string{"new-session", "-d", "-s", tm.target, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	// The shell prints the exit status, then keeps the pane open.
	args = append(args, fmt.Sprintf("%s; echo \"perftop-exit=$?\"; exec cat", command))
	tm.tmux(args...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *term) tmux(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket, "-f", "/dev/null"}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *term) screen() string { return tm.tmux("capture-pane", "-p", "-t", tm.target) }

func (tm *term) screenEscaped() string { return tm.tmux("capture-pane", "-p", "-e", "-t", tm.target) }

func (tm *term) keys(keys ...string) {
	tm.tmux(append([]string{"send-keys", "-t", tm.target}, keys...)...)
}

func (tm *term) display(format string) string {
	return strings.TrimSpace(tm.tmux("display-message", "-p", "-t", tm.target, format))
}

// waitFor polls the screen until cond holds. It waits on what the terminal
// shows, not on a fixed delay; the deadline only bounds a failing test.
func (tm *term) waitFor(what string, cond func(screen string) bool) string {
	tm.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		s := tm.screen()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("timed out waiting for %s; screen:\n%s", what, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tm *term) waitText(text string) string {
	tm.t.Helper()
	return tm.waitFor(fmt.Sprintf("%q", text), func(s string) bool { return strings.Contains(s, text) })
}

func (tm *term) waitGone(text string) string {
	tm.t.Helper()
	return tm.waitFor(fmt.Sprintf("%q to go", text), func(s string) bool { return !strings.Contains(s, text) })
}

// TestDashboardInTerminal drives the real binary in a real terminal: first
// frame, screens, help, theme, pause, resize, too small, and a clean quit
// that restores the terminal.
func TestDashboardInTerminal(t *testing.T) {
	bin := binary(t)
	tm := newTerm(t, 120, 40, []string{"TERM=xterm-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()}, bin+" --interval 200ms")

	s := tm.waitText("╭─ Processes")
	for _, want := range []string{"Overview", "╭─ CPU", "╭─ Memory", "╭─ Network", "╭─ Disk", "? help"} {
		if !strings.Contains(s, want) {
			t.Errorf("first frame lacks %q", want)
		}
	}
	if tm.display("#{alternate_on}") != "1" {
		t.Error("dashboard is not on the alternate screen")
	}

	tm.keys("2")
	s = tm.waitGone("╭─ Processes")
	if !strings.Contains(s, "usr ") {
		t.Errorf("CPU screen lacks the breakdown:\n%s", s)
	}
	tm.keys("Tab")
	tm.waitText("╭─ Memory")
	tm.keys("6")
	tm.waitText("processes by CPU")

	tm.keys("?")
	tm.waitText("show/hide this help")
	tm.keys("Escape")
	tm.waitGone("show/hide this help")

	tm.keys("t")
	tm.waitText("t light")
	tm.keys("p")
	tm.waitText("PAUSED")
	tm.keys("p")
	tm.waitGone("PAUSED")
	tm.keys("+")
	tm.waitText("+/- 250ms")

	tm.keys("/")
	tm.keys("-l", "perftop")
	tm.waitText("/perftop█")
	tm.keys("Enter")
	tm.waitText("match /perftop")

	tm.tmux("resize-window", "-t", tm.target, "-x", "70", "-y", "20")
	s = tm.waitFor("a 70x20 frame", func(s string) bool {
		lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
		return len(lines) == 20 && strings.HasPrefix(lines[19], " ? help") && strings.Contains(lines[0], "perftop")
	})
	tm.tmux("resize-window", "-t", tm.target, "-x", "50", "-y", "12")
	tm.waitText("terminal too small: need 60x15, have 50x12")
	tm.tmux("resize-window", "-t", tm.target, "-x", "100", "-y", "30")
	tm.waitText("╭─ Processes")

	tm.keys("q")
	s = tm.waitText("perftop-exit=")
	if !strings.Contains(s, "perftop-exit=0") {
		t.Errorf("exit status:\n%s", s)
	}
	if strings.Contains(s, "╭─") {
		t.Errorf("dashboard left on screen after quit:\n%s", s)
	}
	if tm.display("#{alternate_on}") != "0" {
		t.Error("terminal left on the alternate screen")
	}
	if tm.display("#{cursor_flag}") != "1" {
		t.Error("cursor left hidden")
	}
}

// sgrColour matches a select-graphic-rendition sequence that sets a colour
// (30-38, 40-48, 90-97, 100-107); 39 and 49 only reset to the default.
var sgrColour = regexp.MustCompile(`\x1b\[(?:[0-9]+;)*(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9]+)*m`)

// TestNoColorInTerminal: any non-empty NO_COLOR, --no-color and TERM=dumb
// draw without colour (bold and reverse allowed).
func TestNoColorInTerminal(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		args string
	}{
		{"NO_COLOR=yes-please", []string{"TERM=screen-256color", "NO_COLOR=yes-please"}, ""},
		{"--no-color", []string{"TERM=xterm-256color"}, " --no-color"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := append(tt.env, "PERFTOP_CONFIG_DIR="+t.TempDir())
			tm := newTerm(t, 100, 30, env, binary(t)+tt.args)
			tm.waitText("╭─ Processes")
			if esc := tm.screenEscaped(); sgrColour.MatchString(esc) {
				t.Errorf("colour escape %q in a no-colour screen", sgrColour.FindString(esc))
			}
			if !strings.Contains(tm.screen(), "mono (no colour)") {
				t.Error("monochrome theme not selected")
			}
			// t does not cycle out of monochrome: the colours stay off.
			tm.keys("t")
			tm.keys("?")
			tm.waitText("show/hide this help")
			if esc := tm.screenEscaped(); sgrColour.MatchString(esc) || !strings.Contains(tm.screen(), "mono (no colour)") {
				t.Errorf("after t: colour %q, or the theme changed:\n%s", sgrColour.FindString(esc), tm.screen())
			}
			tm.keys("q")
			tm.waitText("perftop-exit=0")
		})
	}
}

// TestColourInTerminal is the control for TestNoColorInTerminal: the same
// check does find colour in a normal 256-colour run.
func TestColourInTerminal(t *testing.T) {
	tm := newTerm(t, 100, 30, []string{"TERM=screen-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()}, binary(t))
	tm.waitText("╭─ Processes")
	if !sgrColour.MatchString(tm.screenEscaped()) {
		t.Error("no colour in a 256-colour terminal")
	}
	tm.keys("C-c")
	tm.waitText("perftop-exit=0")
}

// TestSignalsRestoreTerminal: SIGTERM and SIGINT quit cleanly, exit 0, and
// leave the terminal as they found it.
func TestSignalsRestoreTerminal(t *testing.T) {
	for _, sig := range []string{"TERM", "INT"} {
		t.Run(sig, func(t *testing.T) {
			tm := newTerm(t, 100, 30, []string{"TERM=xterm-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()}, binary(t))
			tm.waitText("╭─ Processes")
			pid := tm.display("#{pane_pid}")
			out, err := exec.Command("pkill", "-"+sig, "-P", pid, "-f", "perftop").CombinedOutput()
			if err != nil {
				t.Fatalf("pkill: %v %s", err, out)
			}
			s := tm.waitText("perftop-exit=")
			if !strings.Contains(s, "perftop-exit=0") {
				t.Errorf("SIG%s exit status:\n%s", sig, s)
			}
			if tm.display("#{alternate_on}") != "0" || tm.display("#{cursor_flag}") != "1" {
				t.Errorf("SIG%s left the terminal in the alternate screen or without a cursor", sig)
			}
		})
	}
}
