// Command sshviewers measures what watching over SSH costs, for the figures
// of serving the dashboard: the bytes a second each viewer receives at a
// 1 s refresh in a 120x40 terminal, the load engine's throughput with 16
// viewers attached against none in the same run, and perftop's memory per
// extra viewer.
//
//	go run ./bench/sshviewers [-viewers 16] [-seconds 10] [-rounds 2]
//
// It builds perftop and bench/target, starts the target, then alternates
// rounds of `perftop run --headless -c 50 --serve-ssh` with no viewers and
// with N viewers (Go SSH clients with a pty, reading everything), so both
// see the same machine.
package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

func main() {
	viewers := flag.Int("viewers", 16, "viewers attached in the loaded rounds")
	seconds := flag.Int("seconds", 10, "length of each test")
	rounds := flag.Int("rounds", 2, "rounds of (none, N viewers)")
	conc := flag.Int("c", 50, "closed-loop connections")
	flag.Parse()
	if err := run(*viewers, *seconds, *rounds, *conc); err != nil {
		fmt.Fprintln(os.Stderr, "sshviewers:", err)
		os.Exit(1)
	}
}

func run(nViewers, seconds, rounds, conc int) error {
	work, err := os.MkdirTemp("", "perftop-sshviewers-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	root, err := repoRoot()
	if err != nil {
		return err
	}
	for _, b := range []string{"perftop:./cmd/perftop", "target:./bench/target"} {
		name, pkg, _ := strings.Cut(b, ":")
		cmd := exec.Command("go", "build", "-o", filepath.Join(work, name), pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", name, err, out)
		}
	}
	target := exec.Command(filepath.Join(work, "target"), "-addr", "127.0.0.1:0")
	tout, _ := target.StdoutPipe()
	if err := target.Start(); err != nil {
		return err
	}
	defer func() { _ = target.Process.Kill(); _ = target.Wait() }()
	line, err := bufio.NewReader(tout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("target: %w", err)
	}
	url := "http://" + strings.TrimSpace(line) + "/"

	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := gossh.NewSignerFromKey(priv)
	keys := filepath.Join(work, "keys")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		return err
	}

	fmt.Printf("machine: %d CPUs, %s\n", runtime.NumCPU(), time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("each round: perftop run --headless -c %d -d %ds --serve-ssh, viewers in a 120x40 pty at a 1 s refresh\n\n", conc, seconds)
	type result struct{ rps, bytesPerViewer, rssMiB float64 }
	var none, loaded []result
	for r := 0; r < rounds; r++ {
		for _, n := range []int{0, nViewers} {
			rps, bps, rss, err := round(work, url, keys, signer, n, seconds, conc)
			if err != nil {
				return err
			}
			fmt.Printf("round %d  viewers %2d  %8.0f req/s  %6.0f bytes/s per viewer  RSS %.1f MiB\n", r+1, n, rps, bps, rss)
			if n == 0 {
				none = append(none, result{rps, bps, rss})
			} else {
				loaded = append(loaded, result{rps, bps, rss})
			}
		}
	}
	best := func(rs []result) result {
		b := rs[0]
		for _, r := range rs[1:] {
			if r.rps > b.rps {
				b = r
			}
		}
		return b
	}
	b0, bn := best(none), best(loaded)
	var bytes float64
	for _, r := range loaded {
		bytes += r.bytesPerViewer
	}
	bytes /= float64(len(loaded))
	fmt.Printf("\nbytes per viewer: %.0f B/s (%.2f KB/s; budget under 3 KB/s)\n", bytes, bytes/1000)
	fmt.Printf("throughput with %d viewers: %.3fx of none (best rounds %.0f vs %.0f req/s; budget within 5%%)\n", nViewers, bn.rps/b0.rps, bn.rps, b0.rps)
	fmt.Printf("memory: %.1f MiB with none, %.1f MiB with %d: %.2f MiB per extra viewer\n", b0.rssMiB, bn.rssMiB, nViewers, (bn.rssMiB-b0.rssMiB)/float64(nViewers))
	return nil
}

// round runs one test with n viewers and returns the engine's throughput,
// the bytes a second each viewer received over the middle of the test, and
// perftop's RSS near the end.
func round(work, url, keys string, signer gossh.Signer, n, seconds, conc int) (rps, perViewer, rssMiB float64, err error) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	out := filepath.Join(work, fmt.Sprintf("r-%d.json", n))
	cmd := exec.Command(filepath.Join(work, "perftop"), "run", "--headless", "-c", strconv.Itoa(conc), "-d", fmt.Sprintf("%ds", seconds),
		"--serve-ssh", addr, "--authorized-keys", keys, "-o", out, url)
	cmd.Env = append(os.Environ(), "PERFTOP_CONFIG_DIR="+filepath.Join(work, "cfg"))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		return 0, 0, 0, err
	}
	sc := bufio.NewScanner(stderr)
	sc.Scan() // running
	go func() { _, _ = io.Copy(io.Discard, stderr) }()

	var total atomic.Int64
	var wg sync.WaitGroup
	clients := make([]*gossh.Client, 0, n)
	for i := 0; i < n; i++ {
		c, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "bench", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey()})
		if err != nil {
			return 0, 0, 0, fmt.Errorf("viewer %d: %w", i, err)
		}
		clients = append(clients, c)
		s, _ := c.NewSession()
		_ = s.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{})
		o, _ := s.StdoutPipe()
		_ = s.Shell()
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 32<<10)
			for {
				k, err := o.Read(buf)
				total.Add(int64(k))
				if err != nil {
					return
				}
			}
		}()
	}
	// Measure the steady state: skip the first frames, count the middle.
	time.Sleep(time.Duration(seconds) * time.Second / 4)
	b0 := total.Load()
	window := time.Duration(seconds) * time.Second / 2
	time.Sleep(window)
	b1 := total.Load()
	rss := rssOf(cmd.Process.Pid)
	for _, c := range clients {
		c.Close()
	}
	wg.Wait()
	if err := cmd.Wait(); err != nil {
		return 0, 0, 0, fmt.Errorf("perftop: %w", err)
	}
	var res struct {
		Throughput float64 `json:"throughput_rps"`
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		return 0, 0, 0, err
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return 0, 0, 0, err
	}
	if n > 0 {
		perViewer = float64(b1-b0) / window.Seconds() / float64(n)
	}
	return res.Throughput, perViewer, rss, nil
}

func rssOf(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", err
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}
