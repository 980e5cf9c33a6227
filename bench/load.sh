#!/usr/bin/env bash
# load.sh [SECONDS] [CONCURRENCY]: the load-engine benchmark. Starts the
# loopback target (bench/target) once, then runs perftop headless and its
# peers (wrk, ab, hey, bombardier, vegeta) against it in turn, each a closed
# loop of CONCURRENCY (default 50) connections for SECONDS (default 8), and
# prints each one's achieved req/s and CPU microseconds per request, its own
# and the target's, with the ratios to wrk. See bench/README.md.
#
# Environment:
#   TOOLS="wrk ab hey bombardier vegeta perftop perftop-goroutines perftop-nethttp perftop-tui"
#                          the tools to run (any subset, any order);
#                          perftop-nethttp is perftop with --net-http;
#                          perftop-goroutines is perftop with --no-event-loop
#                          perftop-3 is perftop sending three requests (the URL,
#                          with ?b and ?c: three names), perftop-split the same
#                          with --split-by X-Cache --split-by Server (issue 14:
#                          within 3% of perftop-3)
#                          (a goroutine per worker instead of event loops);
#                          perftop-tui is perftop with its live dashboard, in a
#                          120x40 tmux terminal (the issue: within 5% of headless)
#   ROUNDS=2               how many times the whole list runs (see "order")
#   PERFTOP_BIN=path       measure this perftop binary instead of building one
#   WARMUP=2               seconds of unmeasured load before the first round
#   PAUSE=1                seconds of rest between two runs
#   TARGET=bench           bench: the loopback target (bench/target);
#                          nginx: nginx (Debian package, apt-get when missing)
#                          started by the script with its own configuration,
#                          one process, on 127.0.0.1:NGINX_PORT, serving a
#                          35-byte static file at /ok.json
#   NGINX_PORT=18481       nginx's port (TARGET=nginx)
#   URL_PATH=/             the path to load: /slow?ms=10 is a slow endpoint
#                          (TARGET=bench); /ok.json by default with nginx
#   HEY_VERSION=v0.1.5 BOMBARDIER_VERSION=v1.2.6 VEGETA_VERSION=v12.13.0
#                          the versions `go install` fetches ("latest" works)
#
# Needs Linux (/proc), Go, GNU time and jq; wrk and ab come from apt-get (as
# root, or through sudo) when missing, hey, bombardier and vegeta from
# `go install` into the temp dir. A peer that can't be installed is skipped,
# with a note, and the others still run.
set -euo pipefail

secs=${1:-8}
conc=${2:-50}
tools=${TOOLS:-wrk ab hey bombardier vegeta perftop perftop-goroutines perftop-nethttp perftop-tui}
rounds=${ROUNDS:-2}
warmup=${WARMUP:-2}
rest=${PAUSE:-1}
target_kind=${TARGET:-bench}
nginx_port=${NGINX_PORT:-18481}
declare -A gomod=(
	[hey]=github.com/rakyll/hey@${HEY_VERSION:-v0.1.5}
	[bombardier]=github.com/codesenberg/bombardier@${BOMBARDIER_VERSION:-v1.2.6}
	[vegeta]=github.com/tsenart/vegeta/v12@${VEGETA_VERSION:-v12.13.0}
)

# The goal of the issue for perftop against wrk on the same run.
goal_rps=1.00 # perftop's req/s at least this times wrk's
goal_cpu=1.00 # perftop's generator CPU per request at most this times wrk's

die() {
	echo "load.sh: $*" >&2
	exit 1
}
note() { echo "load.sh: $*" >&2; }

[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] || die "SECONDS must be a positive whole number, got '$secs'"
[[ $conc =~ ^[0-9]+$ && $conc -gt 0 ]] || die "CONCURRENCY must be a positive whole number, got '$conc'"
[[ $rounds =~ ^[0-9]+$ && $rounds -gt 0 ]] || die "ROUNDS must be a positive whole number, got '$rounds'"
[[ $warmup =~ ^[0-9]+$ ]] || die "WARMUP must be a whole number of seconds, got '$warmup'"
[[ $rest =~ ^[0-9]+$ ]] || die "PAUSE must be a whole number of seconds, got '$rest'"
for t in $tools; do
	case $t in
	wrk | ab | hey | bombardier | vegeta | perftop | perftop-nethttp | perftop-goroutines | perftop-tui | perftop-3 | perftop-split) ;;
	*) die "unknown tool '$t' in TOOLS: want wrk, ab, hey, bombardier, vegeta, perftop, perftop-nethttp, perftop-goroutines, perftop-tui, perftop-3 or perftop-split" ;;
	esac
done
[[ $target_kind == bench || $target_kind == nginx ]] || die "TARGET must be bench or nginx, got '$target_kind'"
[[ $nginx_port =~ ^[0-9]+$ ]] || die "NGINX_PORT must be a port number, got '$nginx_port'"
url_path=${URL_PATH:-/}
[[ $target_kind == bench || -n ${URL_PATH:-} ]] || url_path=/ok.json
[[ $url_path == /* ]] || die "URL_PATH must start with /, got '$url_path'"
[[ -r /proc/self/stat ]] || die "needs Linux with /proc"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_work load
run_pid=""
sleeper=""
# bench_cleanup_extra runs before common.sh stops the target: the generator
# under GNU time first (time ignores SIGINT and would leave it running),
# then time.
bench_cleanup_extra() {
	[[ -z ${autogroup_was:-} ]] || echo "$autogroup_was" >/proc/sys/kernel/sched_autogroup_enabled 2>/dev/null || true
	if [[ -n $run_pid ]]; then
		pkill -TERM -P "$run_pid" 2>/dev/null || true
		kill "$run_pid" 2>/dev/null || true
	fi
	[[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null || true
}

# pause SECONDS: sleep, but let a signal to this script end it at once.
pause() {
	sleep "$1" &
	sleeper=$!
	wait "$sleeper"
	sleeper=""
}

# --- dependencies -----------------------------------------------------------
# GNU time (the generator's CPU) and jq (the JSON reports) are required; wrk
# and ab are peers, skipped if apt can't bring them.
need=() peers=()
[[ -x /usr/bin/time ]] || need+=(time)
command -v jq >/dev/null 2>&1 || need+=(jq)
[[ " $tools " != *" perftop-tui "* ]] || command -v tmux >/dev/null 2>&1 || need+=(tmux)
[[ " $tools " != *" wrk "* ]] || command -v wrk >/dev/null 2>&1 || peers+=(wrk)
[[ " $tools " != *" ab "* ]] || command -v ab >/dev/null 2>&1 || peers+=(apache2-utils)
[[ $target_kind != nginx ]] || command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
if ((${#need[@]} + ${#peers[@]} > 0)); then
	sudo=()
	if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then sudo=(sudo); fi
	echo "installing ${need[*]} ${peers[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq || true
	if ((${#need[@]} > 0)); then
		"${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null || die "needs ${need[*]}: install them, or run as root"
	fi
	for p in "${peers[@]}"; do
		"${sudo[@]}" apt-get install -y -qq "$p" >/dev/null || note "apt-get install $p failed"
	done
fi

declare -A skipped
for t in wrk ab; do
	if [[ " $tools " == *" $t "* ]] && ! command -v "$t" >/dev/null 2>&1; then
		skipped[$t]="not installed (apt-get install ${t/ab/apache2-utils} failed)"
	fi
done

mkdir -p "$work/bin"
for t in hey bombardier vegeta; do
	[[ " $tools " == *" $t "* ]] || continue
	echo "installing ${gomod[$t]}" >&2
	# From the temp dir, so the module's go.mod plays no part.
	if ! (cd "$work" && GOBIN=$work/bin GOFLAGS='' go install "${gomod[$t]}") >"$work/install-$t.log" 2>&1; then
		skipped[$t]="not installed (go install ${gomod[$t]} failed: $(tail -n1 "$work/install-$t.log" | tr -s "\t " " "))"
		note "$t: ${skipped[$t]}"
	fi
done

perftop_bin=$work/perftop
if [[ -n ${PERFTOP_BIN:-} ]]; then
	perftop_bin=$(realpath "$PERFTOP_BIN")
	[[ -x $perftop_bin ]] || die "PERFTOP_BIN=$PERFTOP_BIN is not an executable"
else
	echo "building perftop" >&2
	(cd "$repo" && go build -o "$perftop_bin" ./cmd/perftop)
fi
# Linux shares CPU between sessions' scheduling autogroups first, then
# between the threads in each (/proc/sys/kernel/sched_autogroup_enabled).
# perftop-tui runs in a tmux session of its own, so with autogroups on it
# would get half the machine against the target and the other tools whatever
# they needed: an unfair comparison (measured: headless perftop in tmux ran
# 20% slower than outside it). The benchmark turns autogroups off while it
# runs, when it may, and turns them back on at exit.
autogroup_file=/proc/sys/kernel/sched_autogroup_enabled
autogroup_was=""
if [[ -w $autogroup_file ]] && [[ $(<"$autogroup_file") == 1 ]]; then
	autogroup_was=1
	echo 0 >"$autogroup_file"
elif [[ -r $autogroup_file ]] && [[ $(<"$autogroup_file") == 1 ]]; then
	note "scheduler autogroups are on and cannot be turned off: perftop-tui runs in another session than the target, so its row is not comparable"
fi

if [[ $target_kind == bench ]]; then
	echo "building bench/target" >&2
	(cd "$repo" && go build -o "$work/target" ./bench/target)
fi

# --- the target ---------------------------------------------------------------
# shellcheck source=bench/nginx.sh
source "$repo/bench/nginx.sh"
nginx_body='{"ok":true,"from":"nginx","n":1234}' # 35 bytes, as in the issue
addr=""
if [[ $target_kind == nginx ]]; then
	command -v curl >/dev/null 2>&1 || die "TARGET=nginx needs curl"
	start_nginx
else
	"$work/target" -addr 127.0.0.1:0 >"$work/target.out" 2>"$work/target.err" &
	target_pid=$!
	for _ in $(seq 50); do
		addr=$(head -n1 "$work/target.out" 2>/dev/null || true)
		[[ -z $addr ]] || break
		kill -0 "$target_pid" 2>/dev/null || die "the target exited: $(cat "$work/target.err")"
		sleep 0.1
	done
	[[ -n $addr ]] || die "the target printed no address in 5 s"
fi
url=http://$addr$url_path
want='{"ok":true}'
[[ $target_kind == bench ]] || want=$nginx_body
if command -v curl >/dev/null 2>&1; then
	[[ $(curl -fsS "$url" 2>/dev/null || true) == "$want" ]] || die "the target at $url does not answer $want"
fi
echo "GET $url" >"$work/vegeta.targets"
sep='?' # how perftop-3 and perftop-split make the URL's two variants
[[ $url != *\?* ]] || sep='&'

# --- the runs -----------------------------------------------------------------
# command_of TOOL OUT: sets cmd to the command line that runs TOOL, its
# report in OUT. Every tool is a closed loop of $conc connections for $secs s:
#   wrk        -t2: one thread per core of the reference machine.
#   ab         -t limits the time; -n after it, as -t resets -n to 50000.
#   vegeta     -rate=0 sends as fast as the workers allow, which needs
#              -max-workers: each worker sends its next request when the last
#              one is answered, a closed loop like the others; -workers starts
#              all of them at once instead of ramping up from 10. Its results
#              go to a file, read by `vegeta report` after the run, so that
#              decoding them does not compete for the cores during it.
cmd=()
command_of() {
	local b=$work/bin
	case $1 in
	wrk) cmd=(wrk -t2 -c"$conc" -d"${secs}s" "$url") ;;
	ab) cmd=(ab -k -c "$conc" -t "$secs" -n 100000000 "$url") ;;
	hey) cmd=("$b/hey" -c "$conc" -z "${secs}s" "$url") ;;
	bombardier) cmd=("$b/bombardier" -c "$conc" -d "${secs}s" -o json -p r "$url") ;;
	vegeta) cmd=("$b/vegeta" attack -rate=0 -max-workers="$conc" -workers="$conc" -duration="${secs}s" -targets="$work/vegeta.targets" -output="$2.bin") ;;
	perftop) cmd=("$perftop_bin" run --headless -c "$conc" -d "${secs}s" -o "$2.json" "$url") ;;
	perftop-nethttp) cmd=("$perftop_bin" run --headless --net-http -c "$conc" -d "${secs}s" -o "$2.json" "$url") ;;
	perftop-goroutines) cmd=("$perftop_bin" run --headless --no-event-loop -c "$conc" -d "${secs}s" -o "$2.json" "$url") ;;
	perftop-3) cmd=("$perftop_bin" run --headless -c "$conc" -d "${secs}s" -o "$2.json" "$url" "$url$sep"b "$url$sep"c) ;;
	perftop-split) cmd=("$perftop_bin" run --headless -c "$conc" -d "${secs}s" -o "$2.json" --split-by X-Cache --split-by Server "$url" "$url$sep"b "$url$sep"c) ;;
	perftop-tui) cmd=("$work/tui-run.sh" "$perftop_bin" "$conc" "$secs" "$2" "$url") ;;
	esac
}

# parse TOOL OUT: "requests errors req/s transport" from TOOL's own report.
# requests counts responses of any status, errors the failed ones (non-2xx
# and transport errors) where the tool says; req/s is the tool's own figure.
parse() {
	local out=$2
	case $1 in
	wrk)
		awk '/ requests in / { n = $1 }
			/^Requests\/sec:/ { r = $2 }
			/Socket errors:/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 }
			/Non-2xx or 3xx responses:/ { e += $NF }
			END { print n + 0, e + 0, r + 0, "-" }' "$out"
		;;
	ab)
		awk -F': *' '/^Complete requests/ { n = $2 }
			/^Failed requests/ { e += $2 }
			/^Non-2xx responses/ { e += $2 }
			/^Requests per second/ { split($2, a, " "); r = a[1] }
			END { print n + 0, e + 0, r + 0, "-" }' "$out"
		;;
	hey)
		awk '/Requests\/sec:/ { r = $2 }
			/^Status code distribution:/ { s = 1; next }
			/^Error distribution:/ { s = 2; next }
			s == 1 && /^ *\[[0-9]+\]/ { n += $2; if ($1 !~ /^\[2/) e += $2 }
			s == 2 && /^ *\[[0-9]+\]/ { gsub(/[][]/, "", $1); e += $1 }
			END { print n + 0, e + 0, r + 0, "-" }' "$out"
		;;
	bombardier)
		# rps.mean is the mean of per-second samples; total / time is
		# the same rate the other tools report.
		jq -r '.result | (.req1xx + .req2xx + .req3xx + .req4xx + .req5xx) as $n
			| "\($n) \(.req4xx + .req5xx + .others) \($n / .timeTakenSeconds) -"' "$out"
		;;
	vegeta)
		# requests / (duration + wait): the answers over the whole run.
		jq -r '"\(.requests) \(.requests - ([.status_codes | to_entries[] | select(.key | startswith("2")) | .value] | add // 0))" +
			" \(.requests / ((.duration + .wait) / 1e9)) -"' "$out"
		;;
	perftop | perftop-nethttp | perftop-goroutines | perftop-tui | perftop-3 | perftop-split)
		jq -r '"\(.requests) \(.errors) \(.throughput_rps) \(.settings.transport)"' "$out.json"
		;;
	esac
}

# ticks PID: utime+stime (fields 14 and 15 of /proc/PID/stat, all threads), in
# clock ticks. The fields are counted after the ")" that ends the command name.
ticks() {
	local stat f
	stat=$(<"/proc/$1/stat")
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}
# busy: jiffies of all CPUs (busy, total) from /proc/stat.
busy() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }
clk_tck=$(getconf CLK_TCK)

# measure TOOL ROUND: one run; appends a line to $work/runs:
# tool round req/s requests errors gen_us/req target_us/req others% transport
# idle% voluntary_cs/1000req involuntary_cs/1000req
measure() {
	local tool=$1 round=$2 out=$work/out-$1-$2 k0 k1 b0 b1 t0 t1 rc=0 u s vcs ics
	command_of "$tool" "$out"
	k0=$(ticks "$target_pid")
	read -r b0 t0 < <(busy)
	# GNU time reports the generator's user and system CPU from the
	# rusage of its exit (all threads and children), to 10 ms, and its
	# voluntary (%w: it waited) and involuntary (%c: preempted) context
	# switches.
	/usr/bin/time -o "$out.time" -f '%U %S %w %c' "${cmd[@]}" >"$out" 2>"$out.err" &
	run_pid=$!
	wait "$run_pid" || rc=$?
	run_pid=""
	read -r b1 t1 < <(busy)
	[[ -d /proc/$target_pid ]] || die "the target exited during the $tool run: $(cat "$work/target.err")"
	k1=$(ticks "$target_pid")
	if [[ $tool == vegeta && $rc -eq 0 ]]; then
		"$work/bin/vegeta" report -type=json "$out.bin" >"$out" 2>>"$out.err" || rc=$?
	fi
	local parsed=""
	((rc != 0)) || parsed=$(parse "$tool" "$out" 2>>"$out.err") || parsed=""
	local n e r tr
	read -r n e r tr <<<"${parsed:-0 0 0 -}"
	if ((rc != 0)) || [[ -z $parsed || $n == 0 ]]; then
		note "$tool (round $round) failed (exit $rc): $(tail -n3 "$out.err" 2>/dev/null | tr '\n' ' ')"
		echo "$tool $round 0 0 0 0 0 0 $tr 0 0 0" >>"$work/runs"
		return
	fi
	# perftop-tui runs inside tmux, so GNU time ran there too (see tui-run.sh).
	[[ $tool != perftop-tui ]] || cp "$out.inner.time" "$out.time"
	read -r u s vcs ics <"$out.time"
	awk -v tool="$tool" -v round="$round" -v n="$n" -v e="$e" -v r="$r" -v tr="$tr" \
		-v u="$u" -v s="$s" -v vcs="${vcs:-0}" -v ics="${ics:-0}" -v k="$((k1 - k0))" -v hz="$clk_tck" \
		-v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN {
		gen = (u + s) * 1e6 / n
		tgt = k * 1e6 / hz / n
		# what the rest of the machine used meanwhile, in % of all CPUs
		other = (b - k - (u + s) * hz) / t * 100
		if (other < 0) other = 0
		idle = (t - b) / t * 100
		printf "%s %d %.0f %d %d %.2f %.2f %.1f %s %.1f %.1f %.2f\n", tool, round, r, n, e, gen, tgt, other, tr, idle, vcs * 1000 / n, ics * 1000 / n
	}' >>"$work/runs"
	tail -n1 "$work/runs" | awk '{ printf "  round %d  %-18s %8s req/s  %9s requests  gen %6s us/req  target %6s us/req  others %5s%%\n", $2, $1, $3, $4, $6, $7, $8 }' >&2
}

# tui-run.sh PERFTOP CONC SECS OUT URL: perftop run with its dashboard in a
# detached 120x40 tmux terminal, timed by GNU time inside it (the dashboard is
# not a child of this script). When the screen says the test is done it
# sends q, which writes OUT.json and prints the summary.
cat >"$work/tui-run.sh" <<'TUI'
#!/usr/bin/env bash
set -euo pipefail
bin=$1 conc=$2 secs=$3 out=$4 url=$5
sock=$out.tmux
tmux -S "$sock" -f /dev/null new-session -d -x 120 -y 40 \
	"TERM=xterm-256color /usr/bin/time -o '$out.inner.time' -f '%U %S %w %c' '$bin' run -c $conc -d ${secs}s -o '$out.json' '$url'; tmux -S '$sock' wait-for -S done"
# Not polling while the test runs: each look at the screen costs CPU the
# test would otherwise have.
sleep "$secs"
until tmux -S "$sock" capture-pane -p 2>/dev/null | grep -q 'state     done'; do sleep 0.2; done
tmux -S "$sock" send-keys q
tmux -S "$sock" wait-for done
tmux -S "$sock" kill-server 2>/dev/null || true
TUI
chmod +x "$work/tui-run.sh"

runnable=()
for t in $tools; do [[ -n ${skipped[$t]:-} ]] || runnable+=("$t"); done
((${#runnable[@]} > 0)) || die "no tool to run: ${skipped[*]}"

if ((warmup > 0)); then
	# Unmeasured: the target's heap, goroutine stacks and connection state
	# settle before the first run, which would otherwise pay for them.
	echo "warming up the target for ${warmup}s" >&2
	"$perftop_bin" run --headless -c "$conc" -d "${warmup}s" "$url" >/dev/null 2>&1 || true
fi

# Order: the list runs forward in odd rounds and backward in even ones
# (ABC CBA ...), so a machine that gets busier or quieter over the minutes
# of the benchmark favours no tool, and no tool always runs right after the
# same neighbour. Each tool's row is its best round (highest req/s, and the
# CPU figures of that same run): on a shared machine other work only ever
# takes from a run, so the best of the rounds is the one least disturbed.
# Every round is listed too, to show the spread.
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$work/runs"
echo "running ${runnable[*]}: ${rounds} round(s) of ${secs}s each, c=${conc}, against $url" >&2
for ((r = 1; r <= rounds; r++)); do
	order=("${runnable[@]}")
	if ((r % 2 == 0)); then
		order=()
		for ((i = ${#runnable[@]} - 1; i >= 0; i--)); do order+=("${runnable[i]}"); done
	fi
	for t in "${order[@]}"; do
		measure "$t" "$r"
		((rest == 0)) || pause "$rest"
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the report ---------------------------------------------------------------
model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
versions=""
for t in "${runnable[@]}"; do
	case $t in
	wrk) v=$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $1, $2 }') ;; # -v exits 1
	ab) v="ab $(ab -V 2>&1 | awk 'NR == 1 { for (i = 1; i < NF; i++) if ($i == "Version") print $(i + 1) }' | tr -d ,)" ;;
	hey | bombardier | vegeta) v="$t ${gomod[$t]##*@}" ;;
	perftop) v="perftop $("$perftop_bin" version 2>/dev/null | awk 'NR == 1 { print $2 }')" ;;
	*) continue ;;
	esac
	versions+="$v, "
done
echo
served="bench/target"
[[ $target_kind == bench ]] || served="nginx $(nginx -v 2>&1 | awk -F/ '{ print $2 }'), one process, a 35-byte file"
echo "load engine: closed loop, c=$conc, ${secs}s per run, GET $url ($served, keep-alive), target and generator on the same CPUs"
echo "date:    $started"
echo "machine: $(nproc) CPUs, ${model:-unknown model}, Linux $(uname -r), $(go version | awk '{ print $3 }')"
echo "tools:   ${versions%, }"
echo "order:   $rounds round(s), forward then backward; each row is the tool's best round by req/s; load $load0 -> $load1"
for t in "${!skipped[@]}"; do echo "skipped: $t: ${skipped[$t]}"; done
echo

echo "every run (others = CPU the rest of the machine used meanwhile, % of all $(nproc) CPUs):"
awk '{ printf "  round %d  %-18s %8d req/s  %9d requests  %6d errors  gen %7.2f us/req  target %7.2f us/req  others %5.1f%%  idle %4.1f%%  cs/1000 req %6.1f vol %6.2f invol%s\n",
	$2, $1, $3, $4, $5, $6, $7, $8, $10, $11, $12, $9 == "-" ? "" : "  " $9 }' "$work/runs"
echo "(idle: all CPUs' idle time during the run; cs: the generator's context switches, voluntary and involuntary, per 1000 requests)"
echo

awk -v order="${runnable[*]}" -v gr="$goal_rps" -v gc="$goal_cpu" '
	# the best round of each tool by req/s
	$3 > best[$1] + 0 { best[$1] = $3; n[$1] = $4; e[$1] = $5; gen[$1] = $6; tgt[$1] = $7; tr[$1] = $9 }
	{ all[$1] = all[$1] (all[$1] == "" ? "" : " ") $3; rps[$1, $2] = $3; cpu[$1, $2] = $6; if ($2 > rounds) rounds = $2 }
	function ratio(a, b) { return b > 0 && a > 0 ? sprintf("%.2fx", a / b) : "n/a" }
	# median(v, m): the median of v[1..m], which it sorts.
	function median(v, m,    a, b, x) {
		for (a = 2; a <= m; a++) for (b = a; b > 1 && v[b] < v[b - 1]; b--) { x = v[b]; v[b] = v[b - 1]; v[b - 1] = x }
		return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
	}
	END {
		fmt = "%-18s %9s %10s %7s %12s %12s %10s %10s  %s\n"
		printf fmt, "tool", "req/s", "requests", "errors", "gen us/req", "tgt us/req", "req/s/wrk", "cpu/wrk", "req/s of each round"
		k = split(order, tools, " ")
		for (i = 1; i <= k; i++) {
			t = tools[i]
			if (best[t] == 0) { printf fmt, t, "failed", "", "", "", "", "", "", all[t]; continue }
			printf fmt, t, best[t], n[t], e[t], sprintf("%.2f", gen[t]), sprintf("%.2f", tgt[t]),
				ratio(best[t], best["wrk"]), ratio(gen[t], gen["wrk"]), all[t]
		}
		print "(gen = the generator'"'"'s user+sys CPU, tgt = the target'"'"'s, per request; cpu/wrk compares gen)"
		if (best["perftop"] > 0) {
			print ""
			if (tr["perftop"] != "fast-http1") printf "warning: perftop used transport %s, not fast-http1\n", tr["perftop"]
			if (e["perftop"] > 0) printf "warning: perftop counted %d errors\n", e["perftop"]
			if (best["wrk"] > 0) {
				# Best rounds may come from different minutes of a noisy
				# machine; the ratio within each round is the steadier view,
				# and the goal is judged on the median of those ratios.
				m = 0; list = ""; clist = ""
				for (r = 1; r <= rounds; r++) if (rps["perftop", r] > 0 && rps["wrk", r] > 0) {
					q[++m] = rps["perftop", r] / rps["wrk", r]; list = list sprintf(" %.2f", q[m])
					c[m] = cpu["perftop", r] / cpu["wrk", r]; clist = clist sprintf(" %.2f", c[m])
				}
				rr = best["perftop"] / best["wrk"]; cr = gen["perftop"] / gen["wrk"]; of = "best rounds"
				if (m > 1) {
					printf "perftop / wrk round by round: throughput%s; median %.2fx\n", list, median(q, m)
					printf "perftop / wrk round by round: CPU per request%s; median %.2fx\n", clist, median(c, m)
					rr = median(q, m); cr = median(c, m); of = "medians of " m " rounds"
				}
				printf "perftop / wrk (%s): throughput %.2fx (goal >= %.2fx: %s), CPU per request %.2fx (goal <= %.2fx: %s)\n",
					of, rr, gr, (rr >= gr ? "ok" : "MISSED"), cr, gc, (cr <= gc ? "ok" : "MISSED")
			}
			for (i = 1; i <= k; i++) if ((t = tools[i]) != "perftop" && t != "wrk" && best[t] > 0)
				printf "perftop / %s: throughput %s, CPU per request %s\n", t, ratio(best["perftop"], best[t]), ratio(gen["perftop"], gen[t])
		}
		# What the per-request groups and two split headers cost (issue 14):
		# the same three requests with and without --split-by.
		if (best["perftop-split"] > 0 && best["perftop-3"] > 0) {
			m = 0; list = ""
			for (r = 1; r <= rounds; r++) if (rps["perftop-split", r] > 0 && rps["perftop-3", r] > 0) {
				q[++m] = rps["perftop-split", r] / rps["perftop-3", r]; list = list sprintf(" %.2f", q[m])
			}
			printf "perftop-split / perftop-3: throughput %s, CPU per request %s; round by round%s; median %.2fx (goal >= 0.97x)\n",
				ratio(best["perftop-split"], best["perftop-3"]), ratio(gen["perftop-split"], gen["perftop-3"]), list, (m > 0 ? median(q, m) : 0)
		}
	}' "$work/runs"
echo
for t in "${runnable[@]}"; do
	command_of "$t" "$work/OUT"
	c=${cmd[*]}
	c=${c//$work\/bin\//}
	c=${c//$perftop_bin/perftop}
	echo "  $t: ${c//$work\//}"
done
