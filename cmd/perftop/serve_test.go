package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestServeWithOpenSSH watches a headless test over SSH with the real
// OpenSSH client in a real terminal: the load screen, read-only, and
// leaving does not stop the test.
func TestServeWithOpenSSH(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Fatal("the OpenSSH client is required (make test installs openssh-client): ", err)
	}
	dir := t.TempDir()
	key := filepath.Join(dir, "id")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v %s", err, out)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	srv := testTarget(t)
	cmd := exec.Command(binary(t), "run", "--headless", "-d", "2m", "-r", "20", "--serve-ssh", addr,
		"--authorized-keys", key+".pub", srv.URL+"/")
	cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+dir)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sc := bufio.NewScanner(stderr)
	if !sc.Scan() { // the test runs, and the server listens
		t.Fatal("no progress")
	}
	go io.Copy(io.Discard, stderr)

	tm := newTerm(t, 120, 40, []string{"TERM=xterm-256color"},
		"ssh -tt -p "+port+" -i "+key+" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR watcher@127.0.0.1")
	s := tm.waitText("╭─ Latency")
	if !strings.Contains(s, "read-only") || !strings.Contains(s, "1 Load") {
		t.Errorf("viewer screen:\n%s", s)
	}
	tm.keys("p") // read-only: nothing happens to the test
	tm.keys("q")
	tm.waitText("perftop-exit=")
	if err := cmd.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatal("the test stopped when the viewer left")
	}
	log, _ := os.ReadFile(filepath.Join(dir, "ssh.log"))
	if !strings.Contains(string(log), "login watcher@") || !strings.Contains(string(log), "logout watcher@") {
		t.Errorf("ssh log:\n%s", log)
	}
}

func TestServeUsageErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.keys")
	writeFile(t, empty, "# nobody yet\n")
	hostKeyDir := t.TempDir()
	writeFile(t, filepath.Join(hostKeyDir, "ssh_host_ed25519_key"), "x")
	if err := os.Chmod(filepath.Join(hostKeyDir, "ssh_host_ed25519_key"), 0o644); err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "ok.keys")
	writeFile(t, keys, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHq2aIf/pP7Q8bLLNwGlRZq1vCIfnu1cQ2n4xwP9dVx9 a@b\n")
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no address", nil, []string{"serve"}, "serve needs --ssh ADDR"},
		{"any key off loopback", nil, []string{"serve", "--ssh", "0.0.0.0:2222", "--ssh-allow-any-key"}, "--ssh-allow-any-key is refused on 0.0.0.0:2222"},
		{"missing keys", nil, []string{"serve", "--ssh", "127.0.0.1:0", "--authorized-keys", filepath.Join(dir, "nope")}, "--authorized-keys: open"},
		{"no keys", nil, []string{"serve", "--ssh", "127.0.0.1:0", "--authorized-keys", empty}, "has no public keys"},
		{"bad address", nil, []string{"serve", "--ssh", "2222"}, `invalid SSH address "2222"`},
		{"open host key", map[string]string{"PERFTOP_CONFIG_DIR": hostKeyDir}, []string{"serve", "--ssh", "127.0.0.1:0", "--authorized-keys", keys}, "has permissions 0644: must be 0600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.env, tt.args...)
			if code != exitUsage || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	code, _, stderr := runCLI(t, nil, "serve", "--ssh", l.Addr().String(), "--authorized-keys", keys)
	if code != exitUsage || !strings.Contains(stderr, "is already in use") {
		t.Fatalf("address in use: exit %d %q; want 2", code, stderr)
	}
	// --metrics-addr on a port in use is the same mistake.
	code, _, stderr = runCLI(t, nil, "run", "--headless", "-n", "1", "--metrics-addr", l.Addr().String(), "http://"+l.Addr().String()+"/")
	if code != exitUsage || !strings.Contains(stderr, "--metrics-addr") || !strings.Contains(stderr, "address already in use") {
		t.Fatalf("--metrics-addr in use: exit %d %q; want 2", code, stderr)
	}
}
