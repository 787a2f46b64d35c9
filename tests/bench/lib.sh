# lib.sh - what the benchmarks share.  Source it from a benchmark script:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# die MESSAGE: "SCRIPT: MESSAGE" on stderr, exit 2
die() { echo "${0##*/}: $*" >&2; exit 2; }

# now: nanoseconds since the epoch
now() { date +%s%N; }

# median of the numbers on standard input, one a line
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# stamp_ms FILE: milliseconds between the two nanosecond times in FILE
# (the workloads' FLAME_WORK_STAMP: their own wall time, main to exit)
stamp_ms() { awk '{ printf "%.3f\n", ($2 - $1) / 1e6 }' "$1"; }

# bench_workdir: sets work (generated inputs: $BENCH_DIR, kept for later
# runs, else a temporary directory), keep (1 when kept) and scratch (this
# run's outputs, always removed), and removes them on exit.
bench_workdir() {
	if [[ -n ${BENCH_DIR:-} ]]; then
		mkdir -p "$BENCH_DIR"
		work=$(cd "$BENCH_DIR" && pwd)
		keep=1
	else
		work=$(mktemp -d "${TMPDIR:-/tmp}/flame-bench.XXXXXX")
		keep=0
	fi
	scratch=$(mktemp -d "$work/run.XXXXXX")
	trap bench_cleanup EXIT
}

# shellcheck disable=SC2317  # called by the EXIT trap
bench_cleanup() {
	rm -rf "$scratch"
	if [[ $keep == 0 ]]; then rm -rf "$work"; fi
}
