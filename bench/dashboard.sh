#!/usr/bin/env bash
# dashboard.sh [SECONDS]: the dashboard-at-rest benchmark. Runs perftop, btop
# and htop side by side in 120x40 terminals, measures each one's CPU, memory
# and bytes written to its terminal over SECONDS (default 60) after a warm-up,
# then, with the tools still running, their key-press latency
# (bench/keylatency), then times their first frames (bench/firstframe). One
# command prints every figure of the README's Performance section. See
# bench/README.md.
#
# Environment:
#   TOOLS="perftop btop htop"  the tools to run (any subset, any order)
#   PERFTOP_ARGS="..."         extra flags for perftop (after --interval 1s)
#   PERFTOP_BIN=path           measure this perftop binary instead of building one
#   WARMUP=5                   seconds before the window starts
#   FIRSTFRAME_RUNS=20         first-frame runs per tool; 0 skips them
#   KEY_PRESSES=60             measured key presses per tool; 0 skips them
#   ROUNDS=1                   how many times the whole measurement runs
#   PROCESSES=N                first start idle processes (sleep) until the
#                              machine has N, for a workstation-sized process
#                              table: htop reads every process every refresh,
#                              perftop every 2 s, so the ratio depends on it
#
# Needs Linux (/proc), Go, and tmux, btop and htop: the ones missing are
# installed with apt-get (as root, or through sudo).
set -euo pipefail

window=${1:-60}
warmup=${WARMUP:-5}
tools=${TOOLS:-perftop btop htop}
ff_runs=${FIRSTFRAME_RUNS:-20}
key_presses=${KEY_PRESSES:-60}
rounds=${ROUNDS:-1}
processes=${PROCESSES:-0}
read -r -a perftop_extra <<<"${PERFTOP_ARGS:-}"
cols=120
rows=40

# perftop's budgets. CPU is judged against the peers measured in the same
# round, not against a fixed figure, because on this shared machine the
# absolute numbers drift with what else runs: at most htop's CPU (both
# refresh every second), and at most btop's CPU per refresh (btop redraws
# every 2 s, so at 1 s perftop may use up to twice btop's CPU %).
budget_key_p90=60    # ms, key press to the changed screen, p90
budget_ff_median=150 # ms, exec to the first frame, median
budget_anon=16       # MiB of RssAnon: what the process itself allocated
budget_kbs=3         # KB/s (1 KB = 1000 bytes) written to the terminal

die() {
	echo "dashboard.sh: $*" >&2
	exit 1
}

[[ $window =~ ^[0-9]+$ && $window -gt 0 ]] || die "SECONDS must be a positive whole number, got '$window'"
[[ $warmup =~ ^[0-9]+$ ]] || die "WARMUP must be a whole number of seconds, got '$warmup'"
[[ $ff_runs =~ ^[0-9]+$ ]] || die "FIRSTFRAME_RUNS must be a whole number, got '$ff_runs'"
[[ $key_presses =~ ^[0-9]+$ ]] || die "KEY_PRESSES must be a whole number, got '$key_presses'"
[[ $rounds =~ ^[0-9]+$ && $rounds -gt 0 ]] || die "ROUNDS must be a positive whole number, got '$rounds'"
[[ $processes =~ ^[0-9]+$ ]] || die "PROCESSES must be a whole number, got '$processes'"
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
idlers=()
cleanup() {
	local s
	[[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null || true
	((${#idlers[@]} == 0)) || kill "${idlers[@]}" 2>/dev/null || true
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
if ((key_presses > 0)); then
	echo "building bench/keylatency" >&2
	(cd "$repo" && go build -o "$work/keylatency" ./bench/keylatency)
fi

# --- the process table ---------------------------------------------------------
# A quiet VM lists about 70 processes, a workstation several hundred. What a
# dashboard costs grows with the process table (htop reads every process at
# every refresh), so PROCESSES=N makes the table N long with idle sleeps,
# killed on exit, to measure the tools on a realistic one.
nprocs() { find /proc -maxdepth 1 -name '[0-9]*' | wc -l; }
if ((processes > 0)); then
	have=$(nprocs)
	for ((i = have; i < processes; i++)); do
		sleep 86400 &
		idlers+=($!)
	done
	echo "processes: $(nprocs) (started ${#idlers[@]} idle ones)" >&2
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

declare -A pid exe cmdline refresh marker sock
refresh=([perftop]=1s [btop]=2s [htop]=1s)
# PERFTOP_ARGS may change perftop's refresh: the last --interval wins.
for ((i = 0; i < ${#perftop_extra[@]}; i++)); do
	case ${perftop_extra[i]} in
	--interval=*) refresh[perftop]=${perftop_extra[i]#--interval=} ;;
	--interval) refresh[perftop]=${perftop_extra[i + 1]:-1s} ;;
	esac
done
marker=([perftop]=Overview [btop]=cpu [htop]="Load average")
cmdline[perftop]="perftop --interval 1s${PERFTOP_ARGS:+ $PERFTOP_ARGS}"
cmdline[btop]="btop"
cmdline[htop]="htop -d 10"

# secs DURATION: a Go duration (1s, 500ms, 1m30s) in seconds, for CPU per
# refresh; empty when it is not one.
secs() {
	awk -v d="$1" 'BEGIN {
		split("h m s ms us µs ns", u, " "); split("3600 60 1 0.001 0.000001 0.000001 0.000000001", f, " ")
		t = 0
		while (d != "" && match(d, /^[0-9.]+/)) {
			n = substr(d, 1, RLENGTH); d = substr(d, RLENGTH + 1); k = 0
			for (i = 7; i >= 1; i--) if (substr(d, 1, length(u[i])) == u[i] && (k == 0 || length(u[i]) > length(u[k]))) k = i
			if (k == 0) exit
			t += n * f[k]; d = substr(d, length(u[k]) + 1)
		}
		if (d == "" && t > 0) print t
	}'
}

start_tool() { # start_tool DIR NAME ARGS...: NAME exec'd as the pane's process, its socket and HOME in DIR
	local dir=$1 name=$2 home=$1/home-$2 cmd
	shift 2
	mkdir -p "$home/.config" "$home/.cache"
	# Same environment for every tool: fresh HOME and config dirs (btop and
	# htop write their default config there; nothing of the user's is read),
	# a 256-colour xterm and a UTF-8 locale. `exec env` keeps the pane's pid
	# as the tool's pid.
	printf -v cmd '%q ' exec env -i "PATH=$PATH" "HOME=$home" "XDG_CONFIG_HOME=$home/.config" \
		"XDG_CACHE_HOME=$home/.cache" "PERFTOP_CONFIG_DIR=$home/.config/perftop" \
		TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 "$@"
	sock[$name]=$dir/$name.sock
	sockets+=("${sock[$name]}")
	tmux -S "${sock[$name]}" -f "$work/tmux.conf" new-session -d -s bench -x "$cols" -y "$rows" "$cmd"
	# The key presses attach a control-mode client to the server. With
	# window-size manual the window keeps the size new-session gave it,
	# whatever clients attach (keylatency checks the pane is still 120x40).
	# It is set here, not in tmux.conf: with it in the file, tmux 3.3a exits
	# at once ("server exited unexpectedly") when it starts the session.
	tmux -S "${sock[$name]}" set-option -g window-size manual
	pid[$name]=$(tmux -S "${sock[$name]}" list-panes -t bench -F '#{pane_pid}')
	exe[$name]=$(realpath "$1")
}

stop_tools() {
	local s
	for s in "${sockets[@]}"; do tmux -S "$s" kill-server 2>/dev/null || true; done
	sockets=()
}

# check_tool NAME: the pane is alive, 120x40, runs the tool and shows its screen.
check_tool() {
	local name=$1 s=${sock[$1]} p=${pid[$1]} info running
	info=$(tmux -S "$s" list-panes -t bench -F '#{pane_dead} #{pane_width}x#{pane_height}')
	if [[ $info != "0 ${cols}x${rows}" ]]; then
		echo "dashboard.sh: $name is not running in a ${cols}x${rows} pane (dead, size: $info); its screen:" >&2
		tmux -S "$s" capture-pane -p -t bench >&2 || true
		exit 1
	fi
	running=$(readlink "/proc/$p/exe" || true)
	[[ $running == "${exe[$name]}" ]] || die "pane pid $p of $name runs '$running', not ${exe[$name]}"
	if ! tmux -S "$s" capture-pane -p -t bench | grep -q "${marker[$name]}"; then
		echo "dashboard.sh: warning: $name's screen does not show '${marker[$name]}':" >&2
		tmux -S "$s" capture-pane -p -t bench >&2 || true
	fi
}

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
# pss_kib PID: proportional set size, in KiB: each page the process maps,
# divided by the number of processes mapping it (shared libraries and the
# page cache of its binary count in part). "-" when smaps_rollup is missing
# (Linux < 4.14) or unreadable.
pss_kib() { awk '$1 == "Pss:" { print $2; f = 1 } END { if (!f) print "-" }' "/proc/$1/smaps_rollup" 2>/dev/null || echo -; }
# busy: jiffies of all CPUs (busy, total) from /proc/stat, for the noise line.
busy() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }' /proc/stat; }
# tsv_field FILE TOOL N: field N of TOOL's line of a keylatency or firstframe
# -tsv file, or "-".
tsv_field() { awk -F'\t' -v t="$2" -v n="$3" '$1 == t { v = $n } END { print (v == "" ? "-" : v) }' "$1" 2>/dev/null || echo -; }

clk_tck=$(getconf CLK_TCK)
declare -A t0 k0 w0 c0 t1 k1 w1 c1 anon pss hwm

# --- the header, once ---------------------------------------------------------
model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
echo
echo "dashboard at rest: ${cols}x${rows} tmux panes, TERM=xterm-256color, every tool over the same window"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "machine: $(nproc) CPUs, ${model:-unknown model}, Linux $(uname -r)"
echo "procs:   $(nprocs) processes on the machine (PROCESSES=${processes})"
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
for t in $tools; do echo "  $t: ${cmdline[$t]}"; done
awk -v w="$window" -v wu="$warmup" -v hz="$clk_tck" 'BEGIN {
	printf "window:  %ds after a %ds warm-up; CPU from utime+stime in clock ticks of %.0f ms, so the resolution is %.4f%% of a core\n", w, wu, 1000 / hz, 100 / hz / w }'
echo "memory:  RssAnon of /proc/PID/status and Pss of /proc/PID/smaps_rollup at the end of the window; max RSS = VmHWM"
echo "KB/s:    wchar of /proc/PID/io: every byte the tool passed to write(2), which for these tools is its terminal"
echo "rounds:  $rounds, each with fresh tool processes: warm-up, the window, then $key_presses key presses per tool with all still running, then $ff_runs first frames per tool"

summary=$work/summary
: >"$summary"

# run_round N: one whole measurement. Each round starts fresh tool processes
# rather than keeping the same ones: the first-frame runs want the
# dashboards stopped so they do not compete with them, and a fresh start
# samples what depends on it (the memory a tool settles at) anew each round.
run_round() {
	local r=$1 dir=$work/round-$1 t p s load0 load1 busy0 busy1 total0 total1 args
	mkdir -p "$dir"
	echo
	echo "=== round $r of $rounds"
	for t in $tools; do
		case $t in
		perftop) start_tool "$dir" perftop "$perftop_bin" --interval 1s "${perftop_extra[@]}" ;;
		btop) start_tool "$dir" btop "$(command -v btop)" ;; # default config: update_ms 2000
		htop) start_tool "$dir" htop "$(command -v htop)" -d 10 ;;
		esac
	done
	pause "$warmup"
	for t in $tools; do check_tool "$t"; done

	# The CPU window: nothing but the tools' own refresh happens in it.
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	read -r busy0 total0 < <(busy)
	for t in $tools; do
		p=${pid[$t]}
		t0[$t]=$EPOCHREALTIME k0[$t]=$(ticks "$p") w0[$t]=$(wchar "$p") c0[$t]=$(ctxsw "$p")
	done
	echo "round $r: measuring for ${window}s after a ${warmup}s warm-up: $tools" >&2
	pause "$window"
	for t in $tools; do
		p=${pid[$t]}
		[[ -d /proc/$p ]] || die "$t (pid $p) exited during the window"
		t1[$t]=$EPOCHREALTIME k1[$t]=$(ticks "$p") w1[$t]=$(wchar "$p") c1[$t]=$(ctxsw "$p")
		anon[$t]=$(status_kib "$p" RssAnon) pss[$t]=$(pss_kib "$p") hwm[$t]=$(status_kib "$p" VmHWM)
	done
	read -r busy1 total1 < <(busy)
	load1=$(cut -d' ' -f1-3 /proc/loadavg)
	awk -v b0="$busy0" -v b1="$busy1" -v t0="$total0" -v t1="$total1" -v l0="$load0" -v l1="$load1" -v n="$(nproc)" \
		'BEGIN { printf "noise:   the whole machine was %.1f%% busy (of %d CPUs) during the window; load %s -> %s\n", (b1 - b0) / (t1 - t0) * 100, n, l0, l1 }'

	# The key presses come after the window, because capturing the panes
	# costs the tools (and tmux) CPU, and while all the tools still run, so
	# each answers its keys on the same busy machine as in the window.
	if ((key_presses > 0)); then
		echo "round $r: $key_presses key presses per tool" >&2
		args=()
		for t in $tools; do args+=(-tool "$t=${sock[$t]}"); done
		echo
		"$work/keylatency" "${args[@]}" -n "$key_presses" -cols "$cols" -rows "$rows" -tsv "$dir/keys.tsv"
		for t in $tools; do check_tool "$t"; done
	fi

	# Stop the dashboards before timing first frames, so they do not compete.
	stop_tools
	if ((ff_runs > 0)); then
		echo "round $r: $ff_runs first frames per tool" >&2
		echo
		"$work/firstframe" -perftop "$perftop_bin" -perftop-args "--interval 1s${PERFTOP_ARGS:+ $PERFTOP_ARGS}" \
			-n "$ff_runs" -tools "$(echo "$tools" | tr -s ' ' ',')" -cols "$cols" -rows "$rows" -tsv "$dir/ff.tsv"
	fi

	: >"$dir/rows"
	for t in $tools; do
		awk -v name="$t" -v ref="${refresh[$t]}" -v refs="$(secs "${refresh[$t]}")" -v hz="$clk_tck" \
			-v t0="${t0[$t]}" -v t1="${t1[$t]}" -v k0="${k0[$t]}" -v k1="${k1[$t]}" \
			-v w0="${w0[$t]}" -v w1="${w1[$t]}" -v c0="${c0[$t]}" -v c1="${c1[$t]}" \
			-v anon="${anon[$t]}" -v pss="${pss[$t]}" -v hwm="${hwm[$t]}" \
			-v kp50="$(tsv_field "$dir/keys.tsv" "$t" 4)" -v kp90="$(tsv_field "$dir/keys.tsv" "$t" 5)" \
			-v fmed="$(tsv_field "$dir/ff.tsv" "$t" 4)" -v fp90="$(tsv_field "$dir/ff.tsv" "$t" 5)" 'BEGIN {
			s = t1 - t0
			printf "%s %s %s %.3f %.1f %s %.1f %.2f %.1f %d %s %s %s %s\n", name, ref, (refs == "" ? "-" : refs),
				(k1 - k0) / hz / s * 100, anon / 1024, (pss == "-" ? "-" : sprintf("%.1f", pss / 1024)), hwm / 1024,
				(w1 - w0) / s / 1000, (c1 - c0) / s, k1 - k0, kp50, kp90, fmed, fp90
		}' >>"$dir/rows"
	done

	echo
	echo "round $r of $rounds:"
	fmt='%-8s %7s %7s %11s %7s %11s %6s %9s %5s %7s %7s %9s %7s\n'
	# shellcheck disable=SC2059 # the format is ours
	printf "$fmt" tool refresh "CPU %" "RssAnon MiB" "PSS MiB" "max RSS MiB" "KB/s" wakeups/s ticks "key p50" "key p90" "1st med" "1st p90"
	while read -r name ref _ cpu an ps h kbs cs tk kp50 kp90 fmed fp90; do
		# shellcheck disable=SC2059
		printf "$fmt" "$name" "$ref" "$cpu" "$an" "$ps" "$h" "$kbs" "$cs" "$tk" "$kp50" "$kp90" "$fmed" "$fp90"
	done <"$dir/rows"
	echo "(CPU % of one core; memory at the end of the window; wakeups/s = context switches of all threads;"
	echo " key = send-keys to the changed screen, ms; 1st = exec to the first frame, ms)"

	if grep -q '^perftop ' "$dir/rows"; then
		echo
		awk -v round="$r" -v bkey="$budget_key_p90" -v bff="$budget_ff_median" -v ban="$budget_anon" -v bk="$budget_kbs" \
			-v order="$tools" -v summary="$summary" '
		{ ref[$1] = $2; refs[$1] = $3; cpu[$1] = $4; an[$1] = $5; ps[$1] = $6; kbs[$1] = $8; k50[$1] = $11; k90[$1] = $12; ff[$1] = $13; seen[$1] = 1 }
		function num(v) { return v != "-" && v != "" }
		function ratio(a, b) { return num(a) && num(b) && b > 0 ? sprintf("%.2fx", a / b) : "n/a" }
		# line: what, the value, the budget, and ok or OVER: within when v <= b
		# (strict: v < b), with v as a share of b.
		function line(what, v, unit, b, bdesc, strict) {
			if (!num(v) || !num(b) || b + 0 <= 0) {
				printf "  %-24s %12s  %-38s n/a%s\n", what, (num(v) ? v " " unit : "-"), bdesc, (num(b) && b + 0 <= 0 ? " (no budget: the peer used no measurable CPU)" : "")
				return
			}
			if (strict ? v + 0 < b + 0 : v + 0 <= b + 0) verdict = "ok"
			else verdict = "OVER"
			printf "  %-24s %12s  %-38s %s (%.0f%% of it)\n", what, v " " unit, bdesc, verdict, v / b * 100
		}
		END {
			print "perftop against its budgets (round " round "):"
			if (seen["htop"]) line("CPU % of a core", cpu["perftop"], "%", cpu["htop"], sprintf("<= htop'"'"'s %.3f %% (%s vs %s)", cpu["htop"], ref["perftop"], ref["htop"]), 0)
			else printf "  %-24s %12s  %-38s n/a\n", "CPU % of a core", cpu["perftop"] " %", "<= htop'"'"'s (htop not in TOOLS)"
			# CPU per refresh, in ms of CPU time: CPU % x refresh.
			pr = num(refs["perftop"]) ? sprintf("%.2f", cpu["perftop"] * refs["perftop"] * 10) : "-"
			if (seen["btop"]) {
				br = num(refs["btop"]) ? cpu["btop"] * refs["btop"] * 10 : "-"
				line("CPU per refresh", pr, "ms", br, sprintf("<= btop'"'"'s %.2f ms (%.3f %% x %s)", br, cpu["btop"], ref["btop"]), 0)
			} else printf "  %-24s %12s  %-38s n/a\n", "CPU per refresh", pr " ms", "<= btop'"'"'s (btop not in TOOLS)"
			line("key-press latency p90", k90["perftop"], "ms", bkey, "< " bkey " ms", 1)
			line("first frame median", ff["perftop"], "ms", bff, "< " bff " ms", 1)
			line("RssAnon", an["perftop"], "MiB", ban, "< " ban " MiB", 1)
			line("written to the terminal", kbs["perftop"], "KB/s", bk, "< " bk " KB/s", 1)
			n = split(order, peers, " ")
			for (i = 1; i <= n; i++) if ((peer = peers[i]) != "perftop")
				printf "perftop / %s: CPU %s, CPU per refresh %s, RssAnon %s, PSS %s, KB/s %s, key p90 %s, first frame %s\n", peer,
					ratio(cpu["perftop"], cpu[peer]),
					(num(refs["perftop"]) && num(refs[peer]) ? ratio(cpu["perftop"] * refs["perftop"], cpu[peer] * refs[peer]) : "n/a"),
					ratio(an["perftop"], an[peer]), ratio(ps["perftop"], ps[peer]), ratio(kbs["perftop"], kbs[peer]),
					ratio(k90["perftop"], k90[peer]), ratio(ff["perftop"], ff[peer])
			rh = seen["htop"] ? ratio(cpu["perftop"], cpu["htop"]) : "n/a"
			rb = seen["btop"] && num(refs["perftop"]) && num(refs["btop"]) ? ratio(cpu["perftop"] * refs["perftop"], cpu["btop"] * refs["btop"]) : "n/a"
			printf "%s %s %s %s %s %s %s\n", round, rh, rb, k50["perftop"], k90["perftop"], ff["perftop"], an["perftop"] >>summary
		}' "$dir/rows"
	fi
}

for ((round = 1; round <= rounds; round++)); do run_round "$round"; done

# --- the summary --------------------------------------------------------------
if [[ -s $summary ]]; then
	echo
	echo "summary over $rounds round(s), perftop; each ratio is within its round (the tools ran side by side):"
	awk -v bkey="$budget_key_p90" -v bff="$budget_ff_median" -v ban="$budget_anon" '
	function fmt(v, f) { return v == "-" ? "n/a" : sprintf(f, v) }
	function med(col,   n, i, j, v, a) {
		n = 0
		for (i = 1; i <= rows; i++) { v = cell[i, col]; sub(/x$/, "", v); if (v != "-" && v != "n/a" && v != "") a[++n] = v + 0 }
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { v = a[j]; a[j] = a[j - 1]; a[j - 1] = v }
		if (n == 0) return "-"
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{ rows++; for (c = 1; c <= 7; c++) cell[rows, c] = $c }
	END {
		f = "%-7s %10s %18s %8s %8s %9s %12s\n"
		printf f, "round", "CPU/htop", "per-refresh/btop", "key p50", "key p90", "1st med", "RssAnon MiB"
		for (i = 1; i <= rows; i++) printf f, cell[i, 1], cell[i, 2], cell[i, 3], cell[i, 4], cell[i, 5], cell[i, 6], cell[i, 7]
		printf f, "median", fmt(med(2), "%.2fx"), fmt(med(3), "%.2fx"), fmt(med(4), "%.1f"), fmt(med(5), "%.1f"), fmt(med(6), "%.1f"), fmt(med(7), "%.1f")
		print "(CPU/htop: perftop CPU % over htop'"'"'s, budget <= 1; per-refresh/btop: CPU per refresh over btop'"'"'s, budget <= 1;"
		print " key in ms, budget p90 < " bkey "; 1st med: first frame median in ms, budget < " bff "; RssAnon budget < " ban " MiB)"
	}' "$summary"
fi
