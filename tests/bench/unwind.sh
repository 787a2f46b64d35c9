#!/usr/bin/env bash
# unwind.sh - what `flame record --call-graph dwarf` costs, in one run:
#
#  1. overhead: the wall time of a fixed-work workload built without frame
#     pointers (flame-test-nofp -n CALLS), as the workload measures it
#     itself, run bare, under `flame record --call-graph dwarf` and under
#     `perf record --call-graph dwarf` at the same frequency and stack size;
#  2. unwinding after the run: samples per second flame unwinds and folds
#     (from its summary), against `perf script` on perf's recording of the
#     same workload (perf unwinds when the recording is read).
#
# Usage: tests/bench/unwind.sh [FLAME_BINARY] [SECONDS] [RUNS]
#   FLAME_BINARY  default: $FLAME, else build/flame under the repository root;
#                 the workload comes from the same build directory
#   SECONDS       bare run time of the workload, roughly (default 3)
#   RUNS          runs of each variant, interleaved; medians (default 3)
# Environment: FREQ (default 997), STACK (bytes copied per sample, default
# 8192).  Needs perf_event_open.  Not a test: it never fails on timings.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
flame=${1:-${FLAME:-$root/build/flame}}
secs=${2:-3}
runs=${3:-3}
freq=${FREQ:-997}
stack=${STACK:-8192}
flame=$(cd "$(dirname "$flame")" && pwd)/$(basename "$flame")
work=$(dirname "$flame")/tests/record/workloads/flame-test-nofp
[ -x "$flame" ] || { echo "unwind.sh: no flame binary at $flame" >&2; exit 2; }
[ -x "$work" ] || { echo "unwind.sh: no workload at $work (build the tests)" >&2; exit 2; }
have_perf=0
command -v perf >/dev/null && perf --version >/dev/null 2>&1 && have_perf=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-bench-unwind.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"


# calibrate: calls of chain_a for about $secs seconds
FLAME_WORK_STAMP=cal "$work" -n 2000
calls=$(awk -v s="$secs" -v c="$(stamp_ms cal)" 'BEGIN { n = int(s * 1000 / c * 2000); print n < 1 ? 1 : n }')
echo "workload: flame-test-nofp -n $calls (no frame pointers, about $secs s bare), $freq Hz, $stack-byte stack copies, $runs runs of each, medians"
echo "machine: $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

: >bare.ms
: >flame.ms
: >perf.ms
: >flame.rate
: >perf.rate
: >flame.full
for i in $(seq "$runs"); do
	FLAME_WORK_STAMP=s "$work" -n "$calls"
	stamp_ms s >>bare.ms
	FLAME_WORK_STAMP=s "$flame" record -F "$freq" --call-graph "dwarf,$stack" -o flame.folded -- \
		"$work" -n "$calls" 2>flame.err
	stamp_ms s >>flame.ms
	# "... N stacks unwound in X s"
	sed -nE 's/.*; ([0-9]+) stacks unwound in ([0-9.]+) s$/\1 \2/p' flame.err |
		awk '{ printf "%.0f\n", ($2 > 0 ? $1 / $2 : 0) }' >>flame.rate
	sed -nE 's/.* ([0-9.]+)% of stacks fully unwound.*/\1/p' flame.err >>flame.full
	if [ "$have_perf" = 1 ]; then
		FLAME_WORK_STAMP=s perf record -q -F "$freq" --call-graph "dwarf,$stack" -o perf.data -- \
			"$work" -n "$calls" 2>/dev/null
		stamp_ms s >>perf.ms
		samples=$(perf script -i perf.data -F comm,tid 2>/dev/null | wc -l)
		t0=$(now)
		perf script -i perf.data >/dev/null 2>&1
		t1=$(now)
		awk -v n="$samples" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", n / ((b - a) / 1e9) }' >>perf.rate
	fi
done

bare=$(median <bare.ms)
fl=$(median <flame.ms)
printf '%-34s %10s %10s\n' "" "workload" "overhead"
printf '%-34s %8.0f ms\n' "bare" "$bare"
printf '%-34s %8.0f ms %9.1f%%\n' "flame record --call-graph dwarf" "$fl" "$(awk -v a="$fl" -v b="$bare" 'BEGIN { print 100 * (a - b) / b }')"
if [ "$have_perf" = 1 ]; then
	pf=$(median <perf.ms)
	printf '%-34s %8.0f ms %9.1f%%\n' "perf record --call-graph dwarf" "$pf" "$(awk -v a="$pf" -v b="$bare" 'BEGIN { print 100 * (a - b) / b }')"
fi
echo
fr=$(median <flame.rate)
echo "unwinding after the run (median of $runs): $(median <flame.full)% of stacks fully unwound"
printf '%-34s %10s samples/s\n' "flame (unwind + fold)" "$fr"
if [ "$have_perf" = 1 ]; then
	pr=$(median <perf.rate)
	printf '%-34s %10s samples/s\n' "perf script (unwind + print)" "$pr"
	awk -v a="$fr" -v b="$pr" 'BEGIN { if (b > 0) printf "ratio flame/perf: %.1fx\n", a / b }'
fi
