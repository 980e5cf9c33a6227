#!/usr/bin/env bash
# open.sh [SECONDS]: the open loop's benchmark (issue 18). Against one
# target, in one run:
#   1. the closed loop's throughput: wrk -t2 and perftop, -c CONC, ROUNDS
#      rounds alternating; the medians;
#   2. for each rate of RATES, perftop -r RATE and vegeta -rate RATE, each
#      for SECONDS: the rate achieved, late sends (perftop: started over 1 ms
#      behind the intended time), CPU microseconds per request, and the
#      scheduling delay (the send behind its intended time) p50 / p99;
#   3. the highest rate perftop holds: from 0.95x perftop's closed-loop
#      median down in steps of 5%, the first rate held in most of PROBES
#      runs (held: at least 98% of it achieved, under 1% of the sends
#      late), and vegeta at that rate.
# See bench/README.md.
#
# Environment:
#   RATES="1000 10000 50000"  the fixed rates of step 2
#   ROUNDS=3                  closed-loop rounds (step 1)
#   CONC=50                   closed-loop connections (step 1)
#   TARGET=nginx              nginx: nginx (Debian package) started by the
#                             script, one process, a 35-byte file at /ok.json;
#                             bench: the loopback target (bench/target)
#   NGINX_PORT=18482          nginx's port
#   VEGETA_VERSION=v12.13.0   what `go install` fetches
#   PERFTOP_BIN=path          measure this perftop binary instead of building one
#   PAUSE=1                   seconds of rest between two runs
#   PROBES=3                  runs of each step of 3.: it holds when most of them do
#
# Needs Linux, Go, GNU time, jq and curl; wrk and nginx from apt-get when
# missing (as root or through sudo), vegeta from `go install`.
set -euo pipefail

secs=${1:-8}
rates=${RATES:-1000 10000 50000}
rounds=${ROUNDS:-3}
conc=${CONC:-50}
target_kind=${TARGET:-nginx}
nginx_port=${NGINX_PORT:-18482}
rest=${PAUSE:-1}
probes=${PROBES:-3}
vegeta_mod=github.com/tsenart/vegeta/v12@${VEGETA_VERSION:-v12.13.0}

die() {
	echo "open.sh: $*" >&2
	exit 1
}
[[ $secs =~ ^[0-9]+$ && $secs -gt 0 ]] || die "SECONDS must be a positive whole number, got '$secs'"
[[ $rounds =~ ^[0-9]+$ && $rounds -gt 0 ]] || die "ROUNDS must be a positive whole number, got '$rounds'"
[[ $conc =~ ^[0-9]+$ && $conc -gt 0 ]] || die "CONC must be a positive whole number, got '$conc'"
[[ $probes =~ ^[0-9]+$ && $probes -gt 0 ]] || die "PROBES must be a positive whole number, got '$probes'"
for r in $rates; do [[ $r =~ ^[0-9]+$ && $r -gt 0 ]] || die "RATES must be positive whole numbers, got '$r'"; done
[[ $target_kind == bench || $target_kind == nginx ]] || die "TARGET must be nginx or bench, got '$target_kind'"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_work open

need=()
[[ -x /usr/bin/time ]] || need+=(time)
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
[[ $target_kind != nginx ]] || command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
if ((${#need[@]} > 0)); then
	sudo=()
	if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then sudo=(sudo); fi
	echo "installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get update -qq || true
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${need[@]}" >/dev/null || die "needs ${need[*]}"
fi
mkdir -p "$work/bin"
echo "installing $vegeta_mod" >&2
(cd "$work" && GOBIN=$work/bin GOFLAGS='' go install "$vegeta_mod") >"$work/install.log" 2>&1 ||
	die "go install $vegeta_mod failed: $(tail -n1 "$work/install.log")"
vegeta=$work/bin/vegeta
perftop=$work/perftop
if [[ -n ${PERFTOP_BIN:-} ]]; then
	perftop=$(realpath "$PERFTOP_BIN")
else
	echo "building perftop" >&2
	(cd "$repo" && go build -o "$perftop" ./cmd/perftop)
fi

# --- the target -----------------------------------------------------------------
url_path=/ok.json
nginx_body='{"ok":true,"from":"nginx","n":1234}'
addr=""
if [[ $target_kind == nginx ]]; then
	# shellcheck source=bench/nginx.sh
	source "$repo/bench/nginx.sh"
	start_nginx
else
	url_path=/
	(cd "$repo" && go build -o "$work/target" ./bench/target)
	"$work/target" -addr 127.0.0.1:0 >"$work/target.out" 2>"$work/target.err" &
	target_pid=$!
	for _ in $(seq 50); do
		addr=$(head -n1 "$work/target.out" 2>/dev/null || true)
		[[ -z $addr ]] || break
		sleep 0.1
	done
	[[ -n $addr ]] || die "the target printed no address in 5 s"
fi
url=http://$addr$url_path
curl -fsS "$url" >/dev/null || die "the target at $url does not answer"
echo "GET $url" >"$work/vegeta.targets"

# timed OUT CMD...: runs CMD under GNU time; OUT.time gets "user sys".
timed() {
	local out=$1
	shift
	/usr/bin/time -f '%U %S' -o "$out.time" "$@" >"$out.log" 2>&1 || true
}
# cpu_us OUT REQUESTS: CPU microseconds per request of the run in OUT.time.
cpu_us() { awk -v n="$2" '{ if (n > 0) printf "%.1f", ($1 + $2) * 1e6 / n; else print "-" }' "$1.time"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2); else print 0 }'; }

# --- 1. closed loop ----------------------------------------------------------------
echo "closed loop, -c $conc, $rounds rounds of ${secs}s" >&2
: >"$work/wrk.rps"
: >"$work/perftop.rps"
for r in $(seq "$rounds"); do
	timed "$work/wrk$r" wrk -t2 -c"$conc" -d"${secs}s" "$url"
	awk '/^Requests\/sec:/ { print $2 }' "$work/wrk$r.log" >>"$work/wrk.rps"
	sleep "$rest"
	timed "$work/pc$r" "$perftop" run --headless -c "$conc" -d "${secs}s" -o "$work/pc$r.json" "$url"
	jq -r .throughput_rps "$work/pc$r.json" >>"$work/perftop.rps"
	sleep "$rest"
done
wrk_rps=$(median <"$work/wrk.rps")
pc_rps=$(median <"$work/perftop.rps")

# --- 2. and 3. open loop -------------------------------------------------------------
# open RATE: perftop, then vegeta, at RATE; appends a row per tool to rows.
: >"$work/rows"
open_run() {
	local rate=$1 label=$2 o=$work/po$1
	timed "$o" "$perftop" run --headless -r "$rate" -d "${secs}s" -o "$o.json" "$url"
	jq -r --arg lbl "$label" --arg rate "$rate" --arg cpu "$(cpu_us "$o" "$(jq -r .requests "$o.json")")" \
		'"perftop \($lbl) \($rate) \(.throughput_rps | floor) \(if .requests > 0 then .late_sends * 100 / .requests else 0 end) \($cpu) \(.scheduling_delay_seconds.p50 * 1e6) \(.scheduling_delay_seconds.p99 * 1e6) \(.latency_seconds.p50 * 1e6) \(.latency_seconds.p99 * 1e6)"' \
		"$o.json" >>"$work/rows"
	sleep "$rest"
	local v=$work/ve$1
	timed "$v" "$vegeta" attack -rate="$rate/s" -duration="${secs}s" -targets="$work/vegeta.targets" -output="$v.bin"
	"$vegeta" report -type=json "$v.bin" >"$v.json"
	# vegeta's scheduling delay: each result's send time (timestamp, ns)
	# behind its intended one, the first send's plus seq / rate.
	"$vegeta" encode -to csv "$v.bin" | awk -F, -v rate="$rate" '
		{ ts[NR] = $1; seq[NR] = $9; if ($9 == 0) t0 = $1 }
		END { for (i = 1; i <= NR; i++) { d = (ts[i] - t0 - seq[i] * 1e9 / rate) / 1e3; print (d < 0 ? 0 : d) } }' |
		sort -g >"$v.delay"
	local n p50 p99
	n=$(wc -l <"$v.delay")
	p50=$(awk -v n="$n" 'NR == int(n * 0.5) + 1 { print; exit }' "$v.delay")
	p99=$(awk -v n="$n" 'NR == int(n * 0.99) + 1 { print; exit }' "$v.delay")
	jq -r --arg lbl "$label" --arg rate "$rate" --arg cpu "$(cpu_us "$v" "$(jq -r .requests "$v.json")")" --arg p50 "${p50:-0}" --arg p99 "${p99:-0}" \
		'"vegeta \($lbl) \($rate) \(.throughput | floor) - \($cpu) \($p50) \($p99) \(.latencies."50th" / 1e3) \(.latencies."99th" / 1e3)"' \
		"$v.json" >>"$work/rows"
	sleep "$rest"
}
for rate in $rates; do
	echo "open loop at $rate/s" >&2
	open_run "$rate" fixed
done
held=""
for f in 95 90 85 80 75 70 65 60 55 50; do
	rate=$(awk -v r="$pc_rps" -v f="$f" 'BEGIN { printf "%d", r * f / 100 }')
	echo "looking for the highest rate held: $rate/s ($f% of perftop's closed loop)" >&2
	# One bad second fails a run: a step holds when most of its runs do,
	# and stops as soon as that is decided.
	pass=0 fail=0 most=$((probes / 2 + 1)) i=0
	while ((pass < most && fail < most && i < probes)); do
		i=$((i + 1))
		o=$work/probe$rate-$i
		timed "$o" "$perftop" run --headless -r "$rate" -d "${secs}s" -o "$o.json" "$url"
		if jq -e --argjson r "$rate" '.throughput_rps >= 0.98 * $r and .late_sends < 0.01 * .requests' "$o.json" >/dev/null; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
		jq -r '"  run \('"$i"'): \(.throughput_rps | floor) req/s, \(if .requests > 0 then .late_sends * 10000 / .requests | floor / 100 else 0 end)% late"' "$o.json" >&2
		sleep "$rest"
	done
	if ((pass >= most)); then
		held=$rate
		break
	fi
done
[[ -z $held ]] || open_run "$held" held

# --- the report ------------------------------------------------------------------
echo
echo "# open.sh: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, $(uname -r), ${secs}s runs, target $target_kind ($url)"
echo "# perftop $("$perftop" version 2>/dev/null | awk 'NR == 1 { print $2 }'), $(wrk -v 2>&1 | awk 'NR == 1 { print $1, $2 }'), vegeta ${vegeta_mod#*@}"
echo
printf 'closed loop -c %s (median of %s): wrk %.0f req/s, perftop %.0f req/s (%.2fx wrk)\n\n' "$conc" "$rounds" "$wrk_rps" "$pc_rps" \
	"$(awk -v a="$pc_rps" -v b="$wrk_rps" 'BEGIN { print (b > 0 ? a / b : 0) }')"
printf '%-8s %-6s %8s %9s %7s %8s %9s %9s %9s %9s %11s\n' tool rate asked achieved late% cpu_us sched_p50 sched_p99 lat_p50 lat_p99 "x_closed"
while read -r tool label rate got late cpu s50 s99 l50 l99; do
	printf '%-8s %-6s %8s %9s %7s %8s %9.0f %9.0f %9.0f %9.0f %11.2f\n' "$tool" "$label" "$rate" "$got" \
		"$(awk -v l="$late" 'BEGIN { if (l == "-") print "-"; else printf "%.2f", l }')" "$cpu" "$s50" "$s99" "$l50" "$l99" \
		"$(awk -v a="$got" -v b="$pc_rps" 'BEGIN { print (b > 0 ? a / b : 0) }')"
done <"$work/rows"
echo
echo "achieved: answers per second; late%: perftop's sends over 1 ms behind their intended time; cpu_us: the"
echo "generator's CPU per request; sched_p50/p99 and lat_p50/p99 in microseconds (latency from the intended"
echo "send); x_closed: achieved over perftop's closed-loop median. highest held: ${held:-none found} req/s"
if [[ -n $held ]]; then
	awk -v h="$held" -v p="$pc_rps" -v w="$wrk_rps" 'BEGIN { printf "highest held %.2fx perftop closed loop, %.2fx wrk\n", h / p, h / w }'
fi
