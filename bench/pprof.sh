#!/usr/bin/env bash
# pprof.sh [SECONDS] [CONCURRENCY]: what --pprof costs a run. Starts
# bench/target with net/http/pprof (-pprof) and runs, ROUNDS times
# (forward, then backward), the same closed-loop perftop run against it
# with and without --pprof (CPU profiles of PROFILE_SECONDS), and prints
# each run's throughput and perftop's own CPU per request (user + system,
# from bash's time), with the ratios of each round and their median. The
# CPU perftop spends on each profile is too small to show against a run's
# (BenchmarkAggregate in internal/sources/profsrc measures it). The target profiles itself on
# the same machine: what that costs it is the target's, and shows in the
# throughput. See bench/README.md.
#
# Environment: ROUNDS=3 PROFILE_SECONDS=10 PAUSE=1
#   PERFTOP_BIN=path   measure this perftop binary instead of building one
# Needs Linux, Go and jq.
set -euo pipefail

secs=${1:-30}
conc=${2:-10}
rounds=${ROUNDS:-3}
psecs=${PROFILE_SECONDS:-10}
rest=${PAUSE:-1}

die() {
	echo "pprof.sh: $*" >&2
	exit 1
}
for v in "$secs" "$conc" "$rounds" "$psecs" "$rest"; do
	[[ $v =~ ^[0-9]+$ ]] || die "want whole numbers, got '$v'"
done
command -v jq >/dev/null 2>&1 || die "needs jq (apt-get install jq)"

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/common.sh
source "$repo/bench/common.sh"
bench_work pprof

perftop_bin=$work/perftop
if [[ -n ${PERFTOP_BIN:-} ]]; then
	perftop_bin=$(realpath "$PERFTOP_BIN")
else
	(cd "$repo" && go build -o "$perftop_bin" ./cmd/perftop)
fi
(cd "$repo" && go build -o "$work/target" ./bench/target)
"$work/target" -addr 127.0.0.1:0 -pprof >"$work/target.out" 2>"$work/target.err" &
target_pid=$!
addr=""
for _ in $(seq 50); do
	addr=$(head -n1 "$work/target.out" 2>/dev/null || true)
	[[ -z $addr ]] || break
	sleep 0.1
done
[[ -n $addr ]] || die "the target printed no address in 5 s: $(cat "$work/target.err")"
url="http://$addr/"

# run KIND ROUND: appends "kind round rps cpu_seconds requests profiles" to runs.
run() {
	local out=$work/$1-$2 extra=()
	[[ $1 == plain ]] || extra=(--pprof "http://$addr" --pprof-seconds "$psecs")
	local TIMEFORMAT='%U %S'
	{ time "$perftop_bin" run --headless -c "$conc" -d "${secs}s" "${extra[@]}" -o "$out.json" "$url" >"$out" 2>"$out.err"; } 2>"$out.time"
	local cpu
	cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$out.time")
	jq -r --arg k "$1" --arg r "$2" --arg cpu "$cpu" '"\($k) \($r) \(.throughput_rps | round) \($cpu) \(.requests) \(.profile.profiles // 0)"' "$out.json" >>"$work/runs"
	tail -n1 "$work/runs" | awk '{ printf "  round %d  %-6s %8d req/s  perftop CPU %7.2fs  %9d requests  %d profiles\n", $2, $1, $3, $4, $5, $6 }' >&2
}

: >"$work/runs"
echo "against $url: ${rounds} round(s) of ${secs}s, c=$conc, CPU profiles of ${psecs}s" >&2
for ((r = 1; r <= rounds; r++)); do
	order=(plain pprof)
	((r % 2 == 1)) || order=(pprof plain)
	for k in "${order[@]}"; do
		run "$k" "$r"
		sleep "$rest"
	done
done

echo
echo "the cost of --pprof: GET $url, ${secs}s closed-loop runs, c=$conc, CPU profiles of ${psecs}s"
echo "date:    $(date -u '+%Y-%m-%d %H:%M:%S UTC'); $(nproc) CPUs, perftop $("$perftop_bin" version 2>/dev/null | awk 'NR == 1 { print $2 }')"
awk '{ rps[$1, $2] = $3; cpu[$1, $2] = $4; n[$1, $2] = $5; prof[$1, $2] = $6; if ($2 > rounds) rounds = $2 }
	function median(a, k,    i, j, t) {
		for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		printf "%-6s %14s %14s %12s %16s %16s %12s %9s\n", "round", "plain req/s", "pprof req/s", "pprof/plain", "µs CPU/req plain", "µs CPU/req pprof", "pprof/plain", "profiles"
		for (r = 1; r <= rounds; r++) {
			ratio[r] = rps["pprof", r] / rps["plain", r]
			cp = cpu["plain", r] / n["plain", r] * 1e6; cq = cpu["pprof", r] / n["pprof", r] * 1e6
			cratio[r] = cq / cp
			printf "%-6d %14d %14d %11.3fx %16.2f %16.2f %11.3fx %9d\n", r, rps["plain", r], rps["pprof", r], ratio[r], cp, cq, cratio[r], prof["pprof", r]
		}
		printf "%-6s %14s %14s %11.3fx %16s %16s %11.3fx\n", "median", "", "", median(ratio, rounds), "", "", median(cratio, rounds)
	}' "$work/runs"
