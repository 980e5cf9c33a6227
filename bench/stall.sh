#!/usr/bin/env bash
# stall.sh [SECONDS] [CONCURRENCY]: coordinated omission, perftop against wrk.
# Starts bench/target, whose /stall holds every request for STALL_MS every
# EVERY_MS, and runs in turn, ROUNDS times (forward, then backward):
#   wrk           wrk -t2 -cCONCURRENCY --latency: its closed loop, corrected
#   perftop       perftop run -c CONCURRENCY: its closed loop, corrected
#   perftop-open  perftop run -r RATE: latency from each intended send
# and prints each run's p99, perftop's also as measured (service latency),
# and the ratios of the closed loops' p99s to the open loop's of the same
# round. See bench/README.md.
#
# Environment: ROUNDS=3 STALL_MS=300 EVERY_MS=3000 RATE=1000 PAUSE=1
#   (RATE: at 5000 req/s the open loop opens 1,500 connections in every
#   stall, and their dials and the queue behind the stall add to its tail)
#   PERFTOP_BIN=path   measure this perftop binary instead of building one
# Needs Linux, Go, jq and wrk (apt-get install wrk jq).
set -euo pipefail

secs=${1:-15}
conc=${2:-10}
rounds=${ROUNDS:-3}
stall_ms=${STALL_MS:-300}
every_ms=${EVERY_MS:-3000}
rate=${RATE:-1000}
rest=${PAUSE:-1}

die() {
	echo "stall.sh: $*" >&2
	exit 1
}
for v in "$secs" "$conc" "$rounds" "$stall_ms" "$every_ms" "$rate" "$rest"; do
	[[ $v =~ ^[0-9]+$ ]] || die "want whole numbers, got '$v'"
done
command -v wrk >/dev/null 2>&1 || die "needs wrk (apt-get install wrk)"
command -v jq >/dev/null 2>&1 || die "needs jq (apt-get install jq)"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_work stall

perftop_bin=$work/perftop
if [[ -n ${PERFTOP_BIN:-} ]]; then
	perftop_bin=$(realpath "$PERFTOP_BIN")
else
	(cd "$repo" && go build -o "$perftop_bin" ./cmd/perftop)
fi
(cd "$repo" && go build -o "$work/target" ./bench/target)
"$work/target" -addr 127.0.0.1:0 >"$work/target.out" 2>"$work/target.err" &
target_pid=$!
addr=""
for _ in $(seq 50); do
	addr=$(head -n1 "$work/target.out" 2>/dev/null || true)
	[[ -z $addr ]] || break
	sleep 0.1
done
[[ -n $addr ]] || die "the target printed no address in 5 s: $(cat "$work/target.err")"
url="http://$addr/stall?ms=$stall_ms&every=$every_ms"

# ms VALUE: wrk's "254.37ms", "1.20s", "980.00us" in milliseconds.
ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
		printf "%.1f", n
	}'
}

# run TOOL ROUND: appends "tool round p99_ms service_p99_ms requests" to runs.
run() {
	local out=$work/$1-$2
	case $1 in
	wrk)
		wrk -t2 -c"$conc" -d"${secs}s" --latency "$url" >"$out"
		echo "wrk $2 $(ms "$(awk '$1 == "99%" { print $2 }' "$out")") - $(awk '/ requests in / { print $1 }' "$out")" >>"$work/runs"
		;;
	perftop | perftop-open)
		local shape=(-c "$conc")
		[[ $1 == perftop ]] || shape=(-r "$rate")
		"$perftop_bin" run --headless "${shape[@]}" -d "${secs}s" -o "$out.json" "$url" >"$out" 2>"$out.err"
		jq -r --arg t "$1" --arg r "$2" '"\($t) \($r) \(.latency_seconds.p99 * 1000 | . * 10 | round / 10) \(.service_latency_seconds.p99 * 1000 | . * 100 | round / 100) \(.requests)"' "$out.json" >>"$work/runs"
		;;
	esac
	tail -n1 "$work/runs" | awk '{ printf "  round %d  %-13s p99 %8s ms  as measured %8s ms  %9d requests\n", $2, $1, $3, $4, $5 }' >&2
}

tools=(wrk perftop perftop-open)
: >"$work/runs"
echo "against $url: ${rounds} round(s) of ${secs}s, c=$conc (open loop: $rate req/s)" >&2
for ((r = 1; r <= rounds; r++)); do
	order=("${tools[@]}")
	((r % 2 == 1)) || order=(perftop-open perftop wrk)
	for t in "${order[@]}"; do
		run "$t" "$r"
		sleep "$rest"
	done
done

echo
echo "coordinated omission: GET $url, ${secs}s per run, c=$conc, open loop at $rate req/s"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(nproc) CPUs, $( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $1, $2 }'), perftop $("$perftop_bin" version 2>/dev/null | awk 'NR == 1 { print $2 }')"
awk '{ p99[$1, $2] = $3; svc[$1, $2] = $4; n[$1, $2] = $5; if ($2 > rounds) rounds = $2 }
	END {
		printf "%-6s %12s %14s %22s %16s %12s %18s %14s\n", "round", "wrk p99", "perftop p99", "perftop as measured", "open loop p99", "perftop/wrk", "perftop/open loop", "wrk/open loop"
		for (r = 1; r <= rounds; r++)
			printf "%-6d %9s ms %11s ms %19s ms %13s ms %11.2fx %17.2fx %13.2fx\n", r, p99["wrk", r], p99["perftop", r], svc["perftop", r], p99["perftop-open", r],
				p99["perftop", r] / p99["wrk", r], p99["perftop", r] / p99["perftop-open", r], p99["wrk", r] / p99["perftop-open", r]
	}' "$work/runs"
