# shellcheck shell=bash
# common.sh: sourced by bench/load.sh, open.sh, pprof.sh and stall.sh.
# bench_work NAME makes the run's scratch directory, $work, sets
# target_pid empty, and arranges that on exit, or on SIGINT, SIGTERM or
# SIGHUP (exit 130), bench_cleanup_extra runs first when the script
# defines it, then the target ($target_pid, once set) is stopped and $work
# removed.
bench_work() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/perftop-$1.XXXXXX")
	target_pid=""
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

bench_cleanup() {
	if declare -F bench_cleanup_extra >/dev/null; then
		bench_cleanup_extra
	fi
	if [[ -n $target_pid ]]; then
		kill "$target_pid" 2>/dev/null || true
		wait "$target_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
