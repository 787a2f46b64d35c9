#!/usr/bin/env bash
# perfdata.sh - `flame collapse perf.data` against `perf script -i
# perf.data | flame collapse` on one big recording made in the same run.
#
# Records the fixed-work workload with `perf record -g` at a high
# frequency (100k+ samples by default), then times, RUNS times each,
# interleaved, medians shown:
#
#   wc -c perf.data                            the cost of reading the bytes
#   flame collapse perf.data                   (also with -z when perf has it)
#   perf script -i perf.data | flame collapse  the baseline
#
# and prints samples/s, MB/s and the ratio to the baseline, in wall time
# and in CPU time (all threads and processes).  Also checks
# that both give the same total weight.
#
# Usage: tests/bench/perfdata.sh [FLAME_BINARY] [SECONDS] [RUNS]
#   FLAME_BINARY  default: $FLAME, else build/flame under the repository root;
#                 the workload comes from the same build directory
#   SECONDS       CPU seconds of work to record (default 10, on all CPUs)
#   RUNS          timed runs of each (default 3)
# Environment: FREQ (default 20000 Hz per CPU).  Needs perf and
# perf_event_open.  Not a test: it never fails on timings.
set -euo pipefail
export LC_ALL=C
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
flame=${1:-${FLAME:-$root/build/flame}}
secs=${2:-10}
runs=${3:-3}
freq=${FREQ:-20000}
flame=$(cd "$(dirname "$flame")" && pwd)/$(basename "$flame")
work=$(dirname "$flame")/tests/record/workloads/flame-test-work
[ -x "$flame" ] || { echo "perfdata.sh: no flame binary at $flame" >&2; exit 2; }
[ -x "$work" ] || { echo "perfdata.sh: no workload at $work (build the tests)" >&2; exit 2; }
command -v perf >/dev/null && perf --version >/dev/null 2>&1 ||
	{ echo "perfdata.sh: perf is not installed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-bench-perfdata.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

TIMEFORMAT='%U %S' # bash's time: user and system seconds of the command and its children
total() { awk '{ t += $NF } END { print t + 0 }' "$1"; }

threads=$(nproc)
FLAME_WORK_STAMP=$tmp/cal "$work" fixed 20 1
cal_ms=$(awk '{ printf "%.3f\n", ($2 - $1) / 1e6 }' cal)
rounds=$(awk -v s="$secs" -v c="$cal_ms" -v t="$threads" \
	'BEGIN { r = int(s * 1000 / c * 20 / t); print r < 1 ? 1 : r }')
perf record -q -g -F "$freq" -o plain.data -- "$work" fixed "$rounds" "$threads" >/dev/null 2>perf.err ||
	{ cat perf.err >&2; exit 1; }
files=(plain.data)
if perf record -z -q -g -F "$freq" -o z.data -- "$work" fixed "$rounds" "$threads" >/dev/null 2>>perf.err; then
	files+=(z.data)
fi

echo "workload: flame-test-work fixed $rounds $threads (about $secs CPU s), perf record -g -F $freq"
echo "machine: $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for f in "${files[@]}"; do
	samples=$(perf script -i "$f" -F time 2>/dev/null | wc -l)
	bytes=$(wc -c <"$f")
	: >wc.ms
	: >flame.ms
	: >perf.ms
	: >flame.cpu
	: >perf.cpu
	for _ in $(seq "$runs"); do
		t0=$(now)
		wc -c "$f" >/dev/null
		t1=$(now)
		{ time "$flame" collapse -q -o a.folded "$f"; } 2>>flame.cpu
		t2=$(now)
		{ time sh -c "perf script -i '$f' 2>/dev/null | '$flame' collapse -q -o b.folded"; } 2>>perf.cpu
		t3=$(now)
		echo $(((t1 - t0) / 1000)) >>wc.ms
		echo $(((t2 - t1) / 1000)) >>flame.ms
		echo $(((t3 - t2) / 1000)) >>perf.ms
	done
	# CPU time (user + system, all threads and processes): the fair measure
	# on a busy machine, where a pipeline of two processes gets more of it
	fl_cpu=$(awk '{ print ($1 + $2) * 1e6 }' flame.cpu | median)
	pf_cpu=$(awk '{ print ($1 + $2) * 1e6 }' perf.cpu | median)
	ta=$(total a.folded)
	tb=$(total b.folded)
	wc_us=$(median <wc.ms)
	fl_us=$(median <flame.ms)
	pf_us=$(median <perf.ms)
	echo
	echo "$f: $bytes bytes, $samples samples$([ "$f" = z.data ] && echo ' (perf record -z: compressed records)')"
	awk -v b="$bytes" -v n="$samples" -v w="$wc_us" -v f="$fl_us" -v p="$pf_us" -v fc="$fl_cpu" -v pc="$pf_cpu" 'BEGIN {
		printf "  %-44s %9.1f ms\n", "wc -c perf.data (baseline: the bytes)", w / 1000
		printf "  %-44s %9.1f ms  %10.0f samples/s  %7.1f MB/s\n", "flame collapse perf.data", f / 1000,
			n / (f / 1e6), b / 1e6 / (f / 1e6)
		printf "  %-44s %9.1f ms  %10.0f samples/s  %7.1f MB/s\n", "perf script -i perf.data | flame collapse",
			p / 1000, n / (p / 1e6), b / 1e6 / (p / 1e6)
		printf "  ratio: flame collapse perf.data is %.1fx faster than perf script | flame collapse\n", p / f
		printf "  CPU time: flame collapse %.1f ms, perf script | flame collapse %.1f ms: %.1fx less\n",
			fc / 1000, pc / 1000, pc / fc
	}'
	if [ "$ta" = "$tb" ]; then
		echo "  same total weight: $ta"
	else
		echo "  total weight differs: flame $ta, perf script $tb"
	fi
done
