# nginx.sh: sourced by bench/load.sh and bench/open.sh. start_nginx starts
# nginx as a benchmark target with its own configuration in $work/nginx, on
# 127.0.0.1:$nginx_port, serving $nginx_body at /ok.json, and waits until
# $url_path answers. It sets target_pid and addr; die is the caller's.
# nginx runs as one process (master_process off), so that its CPU is one
# /proc/PID/stat, with logging off and keep-alive without limits.
start_nginx() {
	local d=$work/nginx bin
	bin=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
	mkdir -p "$d/www" "$d/tmp"
	printf '%s' "$nginx_body" >"$d/www/ok.json"
	cat >"$d/nginx.conf" <<-NGINX
		worker_processes 1;
		master_process off;
		daemon off;
		pid $d/nginx.pid;
		error_log $d/error.log warn;
		events { worker_connections 4096; use epoll; }
		http {
			access_log off;
			default_type application/json;
			keepalive_requests 100000000;
			keepalive_timeout 120s;
			client_body_temp_path $d/tmp/body;
			proxy_temp_path $d/tmp/proxy;
			fastcgi_temp_path $d/tmp/fastcgi;
			uwsgi_temp_path $d/tmp/uwsgi;
			scgi_temp_path $d/tmp/scgi;
			server { listen 127.0.0.1:$nginx_port; root $d/www; }
		}
	NGINX
	"$bin" -p "$d" -c "$d/nginx.conf" -e "$d/error.log" >"$work/target.out" 2>"$work/target.err" &
	target_pid=$!
	addr=127.0.0.1:$nginx_port
	for _ in $(seq 50); do
		kill -0 "$target_pid" 2>/dev/null || die "nginx exited: $(cat "$work/target.err" "$d/error.log" 2>/dev/null)"
		curl -fsS "http://$addr$url_path" >/dev/null 2>&1 && return
		sleep 0.1
	done
	die "nginx did not answer on $addr in 5 s"
}
