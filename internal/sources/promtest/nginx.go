package promtest

import (
	"fmt"
	"os"
	"os/user"
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

// nginxHead is the start of every test nginx's configuration: in the
// foreground, one worker, every path in dir, then the http block's common
// lines; extra goes first (a user directive) and the server blocks after.
func nginxHead(dir, extra string, conns int) string {
	return fmt.Sprintf(`daemon off;
worker_processes 1;
%[2]spid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections %[3]d; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
`, dir, extra, conns)
}

// nginxConfig is a foreground nginx with every path in dir: one worker,
// "ok" at /, stub_status at /stub_status.
func nginxConfig(dir, addr string) string {
	return nginxHead(dir, "", 256) + fmt.Sprintf(`  server {
    listen %[1]s;
    location = /stub_status { stub_status; }
    location / { return 200 "ok\n"; }
  }
}
`, addr)
}

// StartNginx starts nginx with a configuration of its own on a free
// loopback port, and waits until it answers. It fails the test when the
// binary is missing or nginx does not start.
func StartNginx(t testing.TB) *Nginx {
	t.Helper()
	return startNginx(t, nginxConfig)
}

// nginxCacheConfig is a foreground nginx with every path in dir caching
// what upstream (host:port) answers with 200, for ten minutes, keyed by the
// URL, and saying HIT or MISS in X-Cache ($upstream_cache_status).
func nginxCacheConfig(upstream string) func(dir, addr string) string {
	return func(dir, addr string) string {
		// user: run as root (as the tests may be), nginx's workers would
		// be nobody, who cannot write the cache in the test's directory;
		// as anyone else the directive is ignored.
		return nginxHead(dir, "user "+currentUser()+";\n", 512) + fmt.Sprintf(`  proxy_cache_path %[1]s/cache levels=1:2 keys_zone=perftop:4m max_size=64m inactive=10m use_temp_path=off;
  upstream backend { server %[3]s; keepalive 32; }
  server {
    listen %[2]s;
    location = /stub_status { stub_status; }
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache perftop;
      proxy_cache_key $request_uri;
      proxy_cache_valid 200 10m;
      proxy_cache_lock on;
      add_header X-Cache $upstream_cache_status always;
    }
  }
}
`, dir, addr, upstream)
	}
}

// StartNginxCache starts nginx as a cache (proxy_cache) in front of
// upstream, host:port, on a free loopback port with its own configuration
// and cache directory, and waits until it answers. Its answers say HIT or
// MISS in X-Cache.
func StartNginxCache(t testing.TB, upstream string) *Nginx {
	t.Helper()
	return startNginx(t, nginxCacheConfig(upstream))
}

// currentUser is the name of the user the test runs as, for nginx's user
// directive.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "nobody"
}

func startNginx(t testing.TB, config func(dir, addr string) string) *Nginx {
	bin := findBinary(t, "nginx", NginxPath, "nginx")
	dir := t.TempDir()
	client := newHTTPClient()
	t.Cleanup(client.CloseIdleConnections)
	for attempt := 1; ; attempt++ {
		addr := FreeAddr(t)
		cfg := filepath.Join(dir, fmt.Sprintf("nginx-%d.conf", attempt))
		if err := os.WriteFile(cfg, []byte(config(dir, addr)), 0o644); err != nil {
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
		err = proc.waitHTTP(client, "http://"+addr+"/stub_status", StartTimeout)
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
