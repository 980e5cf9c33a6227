package promtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// PythonPath is Debian's Python, which python3-prometheus-client installs
// into (a python3 earlier in PATH, such as pyenv's, may not have it).
const PythonPath = "/usr/bin/python3"

// pythonApp is a service instrumented with the official Python client, as
// its README shows: a labelled request counter, a latency histogram, an
// in-progress gauge and an info metric, moving all the time (20 requests a
// second, 1 in 10 a 500, each 20 ms). The client serves OpenMetrics 0.0.1 to
// a scraper that asks for it, the text format otherwise.
const pythonApp = `
import sys, threading, time
from prometheus_client import Counter, Gauge, Histogram, Info, start_http_server
requests = Counter('http_requests', 'HTTP requests handled.', ['method', 'code'])
latency = Histogram('http_request_duration_seconds', 'HTTP request latency.', unit='seconds')
in_progress = Gauge('http_requests_in_progress', 'HTTP requests in progress.')
Info('app', 'The application.').info({'version': '1.2.3'})
start_http_server(int(sys.argv[1]), addr='127.0.0.1')
n = 0
while True:
    n += 1
    in_progress.set(n % 3)
    requests.labels('GET', '500' if n % 10 == 0 else '200').inc()
    latency.observe(0.02)
    time.sleep(0.05)
`

// PythonClient is a running service instrumented with the official
// Python client, stopped when its test ends.
type PythonClient struct {
	Addr, MetricsURL string
	proc             *process
}

// StartPythonClient starts pythonApp on a free loopback port and waits
// until it answers. It fails the test when Python or its client library
// is missing.
func StartPythonClient(t testing.TB) *PythonClient {
	t.Helper()
	bin := PythonPath
	if _, err := os.Stat(bin); err != nil {
		bin = findBinary(t, "python3", PythonPath, "python3-prometheus-client")
	}
	if out, err := exec.Command(bin, "-c", "import prometheus_client").CombinedOutput(); err != nil {
		t.Fatalf("%s has no prometheus_client: run `make test`, which installs the test dependencies (.ci/deps), or `apt-get install python3-prometheus-client`: %v %s", bin, err, out)
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "app.py")
	if err := os.WriteFile(script, []byte(pythonApp), 0o644); err != nil {
		t.Fatal(err)
	}
	client := newHTTPClient()
	t.Cleanup(client.CloseIdleConnections)
	for attempt := 1; ; attempt++ {
		addr := FreeAddr(t)
		_, port, _ := net.SplitHostPort(addr)
		proc, err := start("python", bin, dir, filepath.Join(dir, fmt.Sprintf("python-%d.log", attempt)), []string{script, port})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proc.stop)
		err = proc.waitHTTP(client, "http://"+addr+"/metrics", StartTimeout)
		if err == nil {
			return &PythonClient{Addr: addr, MetricsURL: "http://" + addr + "/metrics", proc: proc}
		}
		proc.stop()
		if attempt < startAttempts && proc.portTaken() {
			continue
		}
		t.Fatalf("start the Python client: %v\nlog:\n%s", err, proc.log())
	}
}

// Log returns the end of the service's log, for failure messages.
func (p *PythonClient) Log() string { return p.proc.log() }
