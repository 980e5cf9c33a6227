package promtest

import (
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"
)

// Where Debian's redis-server and prometheus-redis-exporter packages put
// the binaries.
const (
	RedisServerPath   = "/usr/bin/redis-server"
	RedisExporterPath = "/usr/bin/prometheus-redis-exporter"
)

// Redis is a running redis-server, stopped when its test ends.
type Redis struct {
	Addr string // host:port
	proc *process
}

// StartRedis starts redis-server on a free loopback port with nothing on
// disk (no RDB snapshots, no append-only file) plus args, and waits until it
// accepts connections. It is stopped when the test ends. It fails the test
// when the binary is missing or does not start.
func StartRedis(t testing.TB, args ...string) *Redis {
	t.Helper()
	bin := findBinary(t, "redis-server", RedisServerPath, "redis-server")
	dir := t.TempDir()
	for attempt := 1; ; attempt++ {
		addr := FreeAddr(t)
		host, port, _ := net.SplitHostPort(addr)
		proc, err := start("redis-server", bin, dir, filepath.Join(dir, fmt.Sprintf("redis-%d.log", attempt)), append([]string{
			"--port", port, "--bind", host, "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no",
		}, args...))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proc.stop)
		err = proc.waitFor(func() error { return ping(addr) }, StartTimeout)
		if err == nil {
			return &Redis{Addr: addr, proc: proc}
		}
		proc.stop()
		if attempt < startAttempts && proc.portTaken() {
			continue
		}
		t.Fatalf("start redis-server: %v\nlog:\n%s", err, proc.log())
	}
}

// ping sends Redis a PING in RESP and wants +PONG back.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	buf := make([]byte, 7)
	if _, err := c.Read(buf); err != nil {
		return err
	}
	if string(buf) != "+PONG\r\n" {
		return fmt.Errorf("PING answered %q", buf)
	}
	return nil
}

// Log returns the end of the server's log, for failure messages.
func (r *Redis) Log() string { return r.proc.log() }

// Exporter is a running Prometheus exporter, stopped when its test ends.
type Exporter struct {
	Addr       string // host:port
	MetricsURL string // http://Addr/metrics
	proc       *process
}

// Log returns the end of the exporter's log, for failure messages.
func (e *Exporter) Log() string { return e.proc.log() }

// StartRedisExporter starts prometheus-redis-exporter for the Redis at
// redisAddr on a free loopback port and waits until it answers. It is
// stopped when the test ends.
func StartRedisExporter(t testing.TB, redisAddr string) *Exporter {
	t.Helper()
	bin := findBinary(t, "prometheus-redis-exporter", RedisExporterPath, "prometheus-redis-exporter")
	return startExporter(t, "redis_exporter", func(addr string) []string {
		return []string{bin, "-redis.addr", "redis://" + redisAddr, "-web.listen-address", addr}
	}, nil)
}

// startExporter starts the exporter command that argv gives for a listen
// address, with env added to the test's environment, retrying on a fresh
// port when the chosen one was taken.
func startExporter(t testing.TB, name string, argv func(addr string) []string, env []string) *Exporter {
	t.Helper()
	dir := t.TempDir()
	client := newHTTPClient()
	t.Cleanup(client.CloseIdleConnections)
	for attempt := 1; ; attempt++ {
		addr := FreeAddr(t)
		args := argv(addr)
		cmd := newCmd(dir, args[0], args[1:], env)
		proc, err := startCmd(name, cmd, filepath.Join(dir, fmt.Sprintf("%s-%d.log", name, attempt)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proc.stop)
		err = proc.waitHTTP(client, "http://"+addr+"/metrics", StartTimeout)
		if err == nil {
			return &Exporter{Addr: addr, MetricsURL: "http://" + addr + "/metrics", proc: proc}
		}
		proc.stop()
		if attempt < startAttempts && proc.portTaken() {
			continue
		}
		t.Fatalf("start %s: %v\nlog:\n%s", name, err, proc.log())
	}
}
