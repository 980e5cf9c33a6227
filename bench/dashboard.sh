#!/usr/bin/env bash
# dashboard.sh [SECONDS]: the dashboard-at-rest benchmark. Runs perftop, btop
# and htop side by side in 120x40 terminals, measures each one's CPU, memory
# and bytes written to its terminal over SECONDS (default 60) after a warm-up,
# then times their first frames (bench/firstframe). One command prints every
# figure of the README's Performance section. See bench/README.md.
#
# Environment:
#   TOOLS="perftop btop htop"  the tools to run (any subset, any order)
#   PERFTOP_ARGS="..."         extra flags for perftop (after --interval 1s)
#   PERFTOP_BIN=path           measure this perftop binary instead of building one
#   WARMUP=5                   seconds before the window starts
#   FIRSTFRAME_RUNS=20         first-frame runs per tool; 0 skips them
#
# Needs Linux (/proc), Go, and tmux, btop and htop: the ones missing are
# installed with apt-get (as root, or through sudo).
set -euo pipefail

window=${1:-60}
warmup=${WARMUP:-5}
tools=${TOOLS:-perftop btop htop}
ff_runs=${FIRSTFRAME_RUNS:-20}
read -r -a perftop_extra <<<"${PERFTOP_ARGS:-}"
cols=120
rows=40

# The budgets of the issue for perftop at a 1 s refresh.
budget_cpu=0.3 # % of one core
budget_rss=25  # MiB
budget_kbs=3   # KB/s (1 KB = 1000 bytes) written to the terminal

die() {
	echo "dashboard.sh: $*" >&2
	exit 1
}

[[ $window =~ ^[0-9]+$ && $window -gt 0 ]] || die "SECONDS must be a positive whole number, got '$window'"
[[ $warmup =~ ^[0-9]+$ ]] || die "WARMUP must be a whole number of seconds, got '$warmup'"
for t in $tools; do
	case $t in
	perftop | btop | htop) ;;
	*) die "unknown tool '$t' in TOOLS: want perftop, btop or htop" ;;
	esac
done
[[ -r /proc/self/io ]] || die "needs Linux with /proc/PID/io"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/perftop-bench.XXXXXX")
sockets=()
sleeper=""
cleanup() {
	local s
	[[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null || true
	for s in "${sockets[@]}"; do
		tmux -S "$s" kill-server 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# pause SECONDS: sleep, but let a signal to this script end it at once.
pause() {
	sleep "$1" &
	sleeper=$!
	wait "$sleeper"
	sleeper=""
}

# --- dependencies -----------------------------------------------------------
need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
for t in $tools; do
	if [[ $t != perftop ]] && ! command -v "$t" >/dev/null 2>&1; then
		need+=("$t")
	fi
done
if ((${#need[@]} > 0)); then
	sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "needs ${need[*]}: install them, or run as root"
		sudo=(sudo)
	fi
	echo "installing ${need[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi

perftop_bin=$work/perftop
if [[ " $tools " == *" perftop "* ]]; then
	if [[ -n ${PERFTOP_BIN:-} ]]; then
		perftop_bin=$(realpath "$PERFTOP_BIN")
		[[ -x $perftop_bin ]] || die "PERFTOP_BIN=$PERFTOP_BIN is not an executable"
	else
		echo "building perftop" >&2
		(cd "$repo" && go build -o "$perftop_bin" ./cmd/perftop)
	fi
fi
if ((ff_runs > 0)); then
	echo "building bench/firstframe" >&2
	(cd "$repo" && go build -o "$work/firstframe" ./bench/firstframe)
fi

# --- the terminals ----------------------------------------------------------
# All three tools run at once, each in its own tmux server, rather than one
# after the other: this machine is shared and noisy (other builds come and
# go), and what a dashboard costs depends on what it shows (how many
# processes, how much of each chart moves). Run together, the tools see the
# same machine over the same window, so their ratios mean something even
# when the absolute numbers drift between runs. The price is small and the
# same for each: every tool lists the other two among its processes, and they
# share the CPU, which at well under 1% of a core each does not matter.
# Separate servers keep one tool's output from being processed by the
# server another tool's terminal lives in, and let each be torn down alone.
cat >"$work/tmux.conf" <<'EOF'
set -g default-terminal "xterm-256color"
set -g status off
set -g remain-on-exit on
set -g history-limit 0
EOF

declare -A pid exe cmdline refresh marker
refresh=([perftop]=1s [btop]=2s [htop]=1s)
# PERFTOP_ARGS may change perftop's refresh: the last --interval wins.
for ((i = 0; i < ${#perftop_extra[@]}; i++)); do
	case ${perftop_extra[i]} in
	--interval=*) refresh[perftop]=${perftop_extra[i]#--interval=} ;;
	--interval) refresh[perftop]=${perftop_extra[i + 1]:-1s} ;;
	esac
done
marker=([perftop]=Overview [btop]=cpu [htop]="Load average")

start_tool() { # start_tool NAME ARGS...: NAME exec'd as the pane's process
	local name=$1 home=$work/home-$1 sock=$work/$1.sock cmd
	shift
	mkdir -p "$home/.config" "$home/.cache"
	# Same environment for every tool: fresh HOME and config dirs (btop and
	# htop write their default config there; nothing of the user's is read),
	# a 256-colour xterm and a UTF-8 locale. `exec env` keeps the pane's pid
	# as the tool's pid.
	printf -v cmd '%q ' exec env -i "PATH=$PATH" "HOME=$home" "XDG_CONFIG_HOME=$home/.config" \
		"XDG_CACHE_HOME=$home/.cache" "PERFTOP_CONFIG_DIR=$home/.config/perftop" \
		TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 "$@"
	sockets+=("$sock")
	tmux -S "$sock" -f "$work/tmux.conf" new-session -d -s bench -x "$cols" -y "$rows" "$cmd"
	pid[$name]=$(tmux -S "$sock" list-panes -t bench -F '#{pane_pid}')
	exe[$name]=$(realpath "$1")
}

for t in $tools; do
	case $t in
	perftop) start_tool perftop "$perftop_bin" --interval 1s "${perftop_extra[@]}" ;;
	btop) start_tool btop "$(command -v btop)" ;; # default config: update_ms 2000
	htop) start_tool htop "$(command -v htop)" -d 10 ;;
	esac
done
cmdline[perftop]="perftop --interval 1s${PERFTOP_ARGS:+ $PERFTOP_ARGS}"
cmdline[btop]="btop"
cmdline[htop]="htop -d 10"

pause "$warmup"

# check_tool NAME: the pane is alive, 120x40, runs the tool and shows its screen.
check_tool() {
	local name=$1 sock=$work/$1.sock p=${pid[$1]} info running
	info=$(tmux -S "$sock" list-panes -t bench -F '#{pane_dead} #{pane_width}x#{pane_height}')
	if [[ $info != "0 ${cols}x${rows}" ]]; then
		echo "dashboard.sh: $name is not running in a ${cols}x${rows} pane (dead, size: $info); its screen:" >&2
		tmux -S "$sock" capture-pane -p -t bench >&2 || true
		exit 1
	fi
	running=$(readlink "/proc/$p/exe" || true)
	[[ $running == "${exe[$name]}" ]] || die "pane pid $p of $name runs '$running', not ${exe[$name]}"
	if ! tmux -S "$sock" capture-pane -p -t bench | grep -q "${marker[$name]}"; then
		echo "dashboard.sh: warning: $name's screen does not show '${marker[$name]}':" >&2
		tmux -S "$sock" capture-pane -p -t bench >&2 || true
	fi
}
for t in $tools; do check_tool "$t"; done

# --- the measurement ----------------------------------------------------------
# ticks PID: utime+stime (fields 14 and 15 of /proc/PID/stat, all threads), in
# clock ticks. The fields are counted after the ")" that ends the command name.
ticks() {
	local stat f
	stat=$(<"/proc/$1/stat")
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}
# wchar PID: bytes passed to write(2) and friends by the process, all threads.
wchar() { awk '$1 == "wchar:" { print $2 }' "/proc/$1/io"; }
# ctxsw PID: context switches of all its threads (each one is a wake-up).
ctxsw() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'; }
# status_kib PID FIELD: a field of /proc/PID/status, in KiB.
status_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# busy: jiffies of all CPUs (busy, total) from /proc/stat, for the noise line.
busy() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }

clk_tck=$(getconf CLK_TCK)
declare -A t0 k0 w0 c0 t1 k1 w1 c1 rss hwm
started=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
load0=$(cut -d' ' -f1-3 /proc/loadavg)
read -r busy0 total0 < <(busy)
for t in $tools; do
	p=${pid[$t]}
	t0[$t]=$EPOCHREALTIME k0[$t]=$(ticks "$p") w0[$t]=$(wchar "$p") c0[$t]=$(ctxsw "$p")
done
echo "measuring for ${window}s after a ${warmup}s warm-up: $tools" >&2
pause "$window"
for t in $tools; do
	p=${pid[$t]}
	[[ -d /proc/$p ]] || die "$t (pid $p) exited during the window"
	t1[$t]=$EPOCHREALTIME k1[$t]=$(ticks "$p") w1[$t]=$(wchar "$p") c1[$t]=$(ctxsw "$p")
	rss[$t]=$(status_kib "$p" VmRSS) hwm[$t]=$(status_kib "$p" VmHWM)
done
read -r busy1 total1 < <(busy)
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the report ---------------------------------------------------------------
model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "dashboard at rest: ${cols}x${rows} tmux panes, TERM=xterm-256color, every tool over the same window"
echo "date:    $started"
echo "machine: $(nproc) CPUs, ${model:-unknown model}, Linux $(uname -r)"
versions=""
for t in $tools; do
	case $t in
	perftop) v="perftop $("$perftop_bin" version 2>/dev/null | awk 'NR == 1 { print $2 }')" ;;
	btop) v="btop $(btop --version 2>/dev/null | awk '{ print $NF }')" ;;
	htop) v=$(htop --version 2>/dev/null | head -n1) ;;
	esac
	versions+="$v, "
done
echo "tools:   $versions$(tmux -V)"
awk -v b0="$busy0" -v b1="$busy1" -v t0="$total0" -v t1="$total1" -v l0="$load0" -v l1="$load1" -v n="$(nproc)" \
	'BEGIN { printf "noise:   the whole machine was %.1f%% busy (of %d CPUs) during the window; load %s -> %s\n", (b1 - b0) / (t1 - t0) * 100, n, l0, l1 }'
awk -v w="$window" -v wu="$warmup" -v hz="$clk_tck" 'BEGIN {
	printf "window:  %ds after a %ds warm-up; CPU from utime+stime in clock ticks of %.0f ms, so the resolution is %.4f%% of a core\n", w, wu, 1000 / hz, 100 / hz / w }'
echo "KB/s:    wchar of /proc/PID/io: every byte the tool passed to write(2), which for these tools is its terminal"
echo

rows_file=$work/rows
: >"$rows_file"
for t in $tools; do
	awk -v name="$t" -v ref="${refresh[$t]}" -v hz="$clk_tck" \
		-v t0="${t0[$t]}" -v t1="${t1[$t]}" -v k0="${k0[$t]}" -v k1="${k1[$t]}" \
		-v w0="${w0[$t]}" -v w1="${w1[$t]}" -v c0="${c0[$t]}" -v c1="${c1[$t]}" \
		-v rss="${rss[$t]}" -v hwm="${hwm[$t]}" 'BEGIN {
		s = t1 - t0
		printf "%s %s %.3f %.1f %.1f %.2f %.1f %d %.1f\n", name, ref, (k1 - k0) / hz / s * 100, rss / 1024, hwm / 1024, (w1 - w0) / s / 1000, (c1 - c0) / s, k1 - k0, s
	}' >>"$rows_file"
done

fmt='%-8s %7s %9s %8s %12s %8s %10s %7s\n'
# shellcheck disable=SC2059 # the format is ours
printf "$fmt" tool refresh "CPU %" "RSS MiB" "max RSS MiB" "KB/s" "wakeups/s" ticks
while read -r name ref cpu r h kbs cs tk _; do
	# shellcheck disable=SC2059
	printf "$fmt" "$name" "$ref" "$cpu" "$r" "$h" "$kbs" "$cs" "$tk"
done <"$rows_file"
echo "(CPU % of one core; RSS at the end of the window, max RSS = VmHWM; wakeups/s = context switches of all threads)"
for t in $tools; do echo "  $t: ${cmdline[$t]}"; done

if grep -q '^perftop ' "$rows_file"; then
	echo
	awk -v bc="$budget_cpu" -v br="$budget_rss" -v bk="$budget_kbs" -v order="$tools" '
	{ cpu[$1] = $3; rss[$1] = $4; kbs[$1] = $6 }
	function ratio(a, b) { return b > 0 ? sprintf("%.2fx", a / b) : "n/a" }
	function check(what, v, b, unit) {
		if (v < b) printf "  %-28s %8.3f %-6s budget < %s: ok (%.0f%% of it)\n", what, v, unit, b, v / b * 100
		else       printf "  %-28s %8.3f %-6s budget < %s: OVER by %.3f %s (%.0f%% of it)\n", what, v, unit, b, v - b, unit, v / b * 100
	}
	END {
		print "perftop against its budget (at a 1 s refresh):"
		check("CPU % of a core", cpu["perftop"], bc, "%")
		check("RSS", rss["perftop"], br, "MiB")
		check("written to the terminal", kbs["perftop"], bk, "KB/s")
		n = split(order, peers, " ")
		for (i = 1; i <= n; i++) if ((peer = peers[i]) != "perftop")
			printf "perftop / %s: CPU %s, RSS %s, KB/s %s\n", peer, ratio(cpu["perftop"], cpu[peer]), ratio(rss["perftop"], rss[peer]), ratio(kbs["perftop"], kbs[peer])
	}' "$rows_file"
fi

# Stop the dashboards before timing first frames, so they do not compete.
for s in "${sockets[@]}"; do tmux -S "$s" kill-server 2>/dev/null || true; done
sockets=()

if ((ff_runs > 0)); then
	echo
	ff_tools=$(echo "$tools" | tr -s ' ' ',')
	"$work/firstframe" -perftop "$perftop_bin" -perftop-args "--interval 1s${PERFTOP_ARGS:+ $PERFTOP_ARGS}" \
		-n "$ff_runs" -tools "$ff_tools" -cols "$cols" -rows "$rows"
fi
