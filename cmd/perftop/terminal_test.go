package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunRedirectedStdout: `perftop run URL > out.txt` runs headless by
// itself, says so on stderr, ends at -d, and the file holds the summary
// without a single escape sequence.
func TestRunRedirectedStdout(t *testing.T) {
	srv := testTarget(t)
	dir := t.TempDir()
	out, err := os.Create(filepath.Join(dir, "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(binary(t), "run", "-d", "1s", "-c", "2", srv.URL+"/")
	cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+dir, "TERM=xterm-256color")
	cmd.Stdout = out
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("perftop run > file: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "stdout is not a terminal: running headless") {
		t.Errorf("stderr does not say headless was chosen:\n%s", stderr.String())
	}
	got, err := os.ReadFile(out.Name())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.IndexByte(got, 0x1b) >= 0 {
		t.Errorf("escape bytes in the redirected stdout:\n%q", got)
	}
	if !bytes.Contains(got, []byte("latency")) || !bytes.Contains(got, []byte("completed)")) {
		t.Errorf("no summary in the redirected stdout:\n%s", got)
	}
}

// TestNeedsTerminal: the dashboard and report --tui cannot draw into a
// pipe: exit 2 with one line that says what to use instead.
func TestNeedsTerminal(t *testing.T) {
	dir := t.TempDir()
	file := resultsFile(t, dir, "run.json", 100, 0.01)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "the dashboard needs a terminal, and stdout is not one; try perftop snapshot"},
		{[]string{"report", "--tui", file}, "report --tui needs a terminal, and stdout is not one; try perftop report " + file},
	} {
		cmd := exec.Command(binary(t), tt.args...)
		cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+dir)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		if code != exitUsage {
			t.Errorf("perftop %v: exit %d, want %d", tt.args, code, exitUsage)
		}
		if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
			t.Errorf("perftop %v: stderr %q, want one line with %q", tt.args, stderr.String(), tt.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("perftop %v wrote to stdout: %q", tt.args, stdout.String())
		}
	}
}

// TestRunDashboardHangup: the terminal of a running test goes away
// (SIGHUP, as when an SSH session drops): the results file is written,
// complete and valid.
func TestRunDashboardHangup(t *testing.T) {
	srv := testTarget(t)
	out := filepath.Join(t.TempDir(), "run.json")
	tm := newTerm(t, 120, 40, []string{"TERM=xterm-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()},
		binary(t)+" run -d 5m -c 2 -o "+out+" "+srv.URL+"/")
	tm.waitText("╭─ Latency")
	tm.waitText("200 ")
	pid := tm.display("#{pane_pid}")
	if o, err := exec.Command("pkill", "-HUP", "-P", pid, "-f", "perftop").CombinedOutput(); err != nil {
		t.Fatalf("pkill: %v %s", err, o)
	}
	tm.waitText("perftop-exit=0")
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("no results file after SIGHUP: %v", err)
	}
	var doc struct {
		Requests int64  `json:"requests"`
		Stopped  string `json:"stopped"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Requests == 0 || doc.Stopped != "stopped" {
		t.Errorf("results after SIGHUP: %+v, %v", doc, err)
	}
}

// TestSuspendResume: ctrl+z in the dashboard and kill -TSTP from outside
// both hand the terminal back to the shell (main screen, line mode); after
// fg the dashboard redraws and takes keys without Enter.
func TestSuspendResume(t *testing.T) {
	tm := newTerm(t, 120, 40, []string{"TERM=xterm-256color", "PERFTOP_CONFIG_DIR=" + t.TempDir()},
		"bash --norc --noprofile -i")
	tm.keys("-l", "PS1='shell$ '")
	tm.keys("Enter")
	tm.waitText("shell$")
	tm.keys("-l", binary(t)+" --interval 200ms")
	tm.keys("Enter")
	tm.waitText("╭─ Processes")
	for _, how := range []string{"ctrl+z", "kill -TSTP"} {
		if how == "ctrl+z" {
			tm.keys("C-z")
		} else {
			// perftop is the interactive shell's child, not the pane's;
			// the binary's path is this test run's own.
			if o, err := exec.Command("pkill", "-TSTP", "-f", binary(t)+" --interval").CombinedOutput(); err != nil {
				t.Fatalf("pkill: %v %s", err, o)
			}
		}
		tm.waitFor("the shell after "+how, func(s string) bool {
			return strings.Contains(s, "Stopped") && !strings.Contains(s, "╭─ Processes")
		})
		if tm.display("#{alternate_on}") != "0" {
			t.Errorf("after %s: the terminal is still on the alternate screen", how)
		}
		tm.keys("-l", "clear; fg")
		tm.keys("Enter")
		tm.waitText("╭─ Processes")
		tm.keys("2") // no Enter: raw mode is back
		tm.waitGone("╭─ Processes")
		tm.keys("1")
		tm.waitText("╭─ Processes")
	}
	tm.keys("q")
	tm.waitFor("the shell after q", func(s string) bool {
		return !strings.Contains(s, "╭─ Processes") && strings.HasSuffix(strings.TrimSpace(s), "shell$")
	})
}
