package promtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Debian's nginx and prometheus-nginx-exporter packages put their
// programs here.
const (
	NginxPath         = "/usr/sbin/nginx"
	NginxExporterPath = "/usr/bin/prometheus-nginx-exporter"
)

// Nginx is a running nginx serving "ok" at / and its stub_status, stopped
// when its test ends.
type Nginx struct {
	URL       string // http://host:port
	StatusURL string // its stub_status

	proc *process
}

// nginxConfig is a foreground nginx with every path in dir: one worker,
// "ok" at /, stub_status at /stub_status.
func nginxConfig(dir, addr string) string {
	return fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen %[2]s;
    location = /stub_status { stub_status; }
    location / { return 200 "ok\n"; }
  }
}
`, dir, addr)
}

// StartNginx starts nginx with a configuration of its own on a free
// loopback port, and waits until it answers. It fails the test when the
// binary is missing or nginx does not start.
func StartNginx(t testing.TB) *Nginx {
	t.Helper()
	bin := findBinary(t, "nginx", NginxPath, "nginx")
	dir := t.TempDir()
	client := newHTTPClient()
	t.Cleanup(client.CloseIdleConnections)
	for attempt := 1; ; attempt++ {
		addr := FreeAddr(t)
		cfg := filepath.Join(dir, fmt.Sprintf("nginx-%d.conf", attempt))
		if err := os.WriteFile(cfg, []byte(nginxConfig(dir, addr)), 0o644); err != nil {
			t.Fatal(err)
		}
		// -e: the error log before the configuration is read (nginx
		// otherwise opens /var/log/nginx/error.log first).
		proc, err := start("nginx", bin, dir, filepath.Join(dir, fmt.Sprintf("nginx-%d.log", attempt)),
			[]string{"-c", cfg, "-p", dir, "-e", filepath.Join(dir, "error.log")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proc.stop)
		err = proc.waitHTTP(client, "http://"+addr+"/", StartTimeout)
		if err == nil {
			return &Nginx{URL: "http://" + addr, StatusURL: "http://" + addr + "/stub_status", proc: proc}
		}
		proc.stop()
		if attempt < startAttempts && proc.portTaken() {
			continue
		}
		t.Fatalf("start nginx: %v\nlog:\n%s", err, proc.log())
	}
}

// NginxExporter is a running nginx-prometheus-exporter.
type NginxExporter struct {
	MetricsURL string
	proc       *process
}

// StartNginxExporter starts nginx-prometheus-exporter for the stub_status
// at statusURL on a free loopback port, and waits until it answers.
func StartNginxExporter(t testing.TB, statusURL string) *NginxExporter {
	t.Helper()
	bin := findBinary(t, "prometheus-nginx-exporter", NginxExporterPath, "prometheus-nginx-exporter")
	dir := t.TempDir()
	client := newHTTPClient()
	t.Cleanup(client.CloseIdleConnections)
	for attempt := 1; ; attempt++ {
		addr := FreeAddr(t)
		proc, err := start("nginx-exporter", bin, dir, filepath.Join(dir, fmt.Sprintf("exporter-%d.log", attempt)),
			[]string{"-nginx.scrape-uri", statusURL, "-web.listen-address", addr})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(proc.stop)
		err = proc.waitHTTP(client, "http://"+addr+"/metrics", StartTimeout)
		if err == nil {
			return &NginxExporter{MetricsURL: "http://" + addr + "/metrics", proc: proc}
		}
		proc.stop()
		if attempt < startAttempts && proc.portTaken() {
			continue
		}
		t.Fatalf("start nginx-prometheus-exporter: %v\nlog:\n%s", err, proc.log())
	}
}
