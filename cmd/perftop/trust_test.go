package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// silentServer accepts connections and never answers.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String() + "/"
}

// deadPort is an address nothing listens on.
func deadPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/"
}

// runBinary runs the real binary to its end and returns its exit code,
// stdout, stderr and how long it took.
func runBinary(t *testing.T, args ...string) (code int, stdout, stderr string, took time.Duration) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	took = time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String(), took
}

// resultsOf reads the fields of a results file the trust tests look at.
type trustResults struct {
	Requests      int64                 `json:"requests"`
	Errors        int64                 `json:"errors"`
	ErrorsByKind  map[string]int64      `json:"errors_by_kind"`
	Latency       struct{ Count int64 } `json:"latency_seconds"`
	ErrorMessages []struct {
		Kind, Message string
		Count         int64
	} `json:"error_messages"`
	SLOs []struct {
		Text string
		Met  bool
	} `json:"slos"`
}

func readTrust(t *testing.T, path string) trustResults {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r trustResults
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, raw)
	}
	return r
}

// TestSilentServerFailsTheRun: a server that accepts and never answers, in
// closed and open loop: every request sent is counted (interrupted at the
// stop), the error rate is 100%, latency has no answers, the SLOs are
// breached (exit 3), and compare calls it worse.
func TestSilentServerFailsTheRun(t *testing.T) {
	silent := silentServer(t)
	dir := t.TempDir()
	okFile := filepath.Join(dir, "ok.json")
	if code, out, errs, _ := runBinary(t, "run", "--headless", "-c", "4", "-d", "1s", "-o", okFile, testTarget(t).URL+"/"); code != 0 {
		t.Fatalf("baseline: exit %d\n%s%s", code, out, errs)
	}
	for _, mode := range [][]string{{"-c", "20"}, {"-r", "100"}} {
		t.Run(mode[0], func(t *testing.T) {
			out := filepath.Join(dir, "silent"+mode[0]+".json")
			args := append([]string{"run", "--headless", "-d", "2s", "--grace", "500ms", "--slo", "p99<200ms,error_rate<1%", "-o", out}, mode...)
			code, stdout, stderr, took := runBinary(t, append(args, silent)...)
			if code != exitGate {
				t.Fatalf("exit %d, want %d (SLOs breached)\n%s%s", code, exitGate, stdout, stderr)
			}
			if took > 10*time.Second {
				t.Errorf("the run took %v: the stop is not bounded by --grace", took)
			}
			r := readTrust(t, out)
			if r.Requests == 0 || r.Errors != r.Requests || r.Latency.Count != 0 || r.ErrorsByKind["interrupted"] == 0 {
				t.Errorf("results: %+v", r)
			}
			for _, s := range r.SLOs {
				if s.Met {
					t.Errorf("SLO %s met against a silent server", s.Text)
				}
			}
			if !strings.Contains(stdout, "target not answering") || !strings.Contains(stdout, "no answers") {
				t.Errorf("summary does not say the target did not answer:\n%s", stdout)
			}
			code, cmp, _, _ := runBinary(t, "compare", okFile, out, "--fail-if", "p99>+10%,error_rate>+1%")
			if code != exitGate || strings.Contains(cmp, "better") {
				t.Errorf("compare ok → silent: exit %d\n%s", code, cmp)
			}
		})
	}
}

// TestDeadPort: nothing listens: no latency is made of refused connects,
// the workers back off (attempts bounded), the summary says so in one line
// at the top and the run exits 1.
func TestDeadPort(t *testing.T) {
	out := filepath.Join(t.TempDir(), "dead.json")
	code, stdout, stderr, _ := runBinary(t, "run", "--headless", "-c", "50", "-d", "2s", "-o", out, deadPort(t))
	if code != exitFailure {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitFailure, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[1], "target unreachable: 100% of attempts refused") {
		t.Errorf("the verdict is not at the top of the summary:\n%s", stdout)
	}
	if !strings.Contains(stderr, "perftop: target unreachable") {
		t.Errorf("stderr lacks the verdict:\n%s", stderr)
	}
	r := readTrust(t, out)
	if r.Latency.Count != 0 || r.ErrorsByKind["connection_refused"] != r.Requests {
		t.Errorf("results: %+v", r)
	}
	// Backoff from 1 ms to 1 s: 50 workers make a few hundred attempts in
	// 2 s, not the tens of thousands of a worker that redials at once.
	if r.Requests > 2000 {
		t.Errorf("%d attempts in 2 s against a dead port: no backoff", r.Requests)
	}
}

// TestSecondInterruptAborts: a headless run against a silent server with
// a long grace: the first SIGINT stops sending and waits, the second cuts
// the requests in flight off at once; the file is complete and counts them
// interrupted.
func TestSecondInterruptAborts(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run.json")
	cmd := exec.Command(binary(t), "run", "--headless", "-c", "5", "-d", "1m", "--grace", "1m", "--timeout", "30s", "-o", out, silentServer(t))
	cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+t.TempDir())
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	time.Sleep(1500 * time.Millisecond) // the workers have sent and wait
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		t.Fatalf("exited on the first SIGINT with a 1m grace: %v", err)
	case <-time.After(time.Second):
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the second SIGINT did not end the run")
	}
	r := readTrust(t, out)
	if r.Requests == 0 || r.ErrorsByKind["interrupted"] != r.Requests {
		t.Errorf("results after two SIGINTs: %+v", r)
	}
}

// TestErrorMessagesInFile: a TLS target with a certificate perftop does not
// trust: the failures say why, in the summary and in the file.
func TestErrorMessagesInFile(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshakes fail by design
	srv.TLS = &tls.Config{}
	srv.StartTLS()
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "tls.json")
	_, stdout, _, _ := runBinary(t, "run", "--headless", "-c", "2", "-d", "1s", "-o", out, srv.URL+"/")
	r := readTrust(t, out)
	found := false
	for _, m := range r.ErrorMessages {
		if m.Kind == "tls" && strings.Contains(m.Message, "certificate") && m.Count > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("error_messages lack the certificate failure: %+v", r.ErrorMessages)
	}
	if !strings.Contains(stdout, "certificate") {
		t.Errorf("the summary does not say why:\n%s", stdout)
	}
}
