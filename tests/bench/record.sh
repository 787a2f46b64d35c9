#!/usr/bin/env bash
# record.sh - what `flame record` costs, in one run:
#
#  1. overhead: the wall time of a fixed-work workload run bare, under
#     `flame record` (perf_event_open), under `flame record
#     --sampler=preload` (the in-process sampler, libflame-preload.so), and
#     under `perf record -g` at the same frequency (when perf is installed),
#     as the workload measures it itself (main to exit);
#  2. post-processing: from the end of the workload to the written SVG with
#     flame record, against `perf script | flame collapse | flame render` on
#     a perf recording of the same workload at the same frequency;
#  3. off-CPU sampling: the wall time of a switch-heavy workload (two
#     threads passing a byte back and forth through pipes) run bare, under
#     `flame record --off-cpu` and under `perf record -e sched:sched_switch
#     -g`, with the records each lost (skipped when tracepoints cannot be
#     sampled here).
#
# Usage: tests/bench/record.sh [FLAME_BINARY] [SECONDS] [RUNS] [THREADS]
#   FLAME_BINARY  default: $FLAME, else build/flame under the repository root;
#                 the workload is taken from the same build directory
#                 (tests/record/workloads/flame-test-work)
#   SECONDS       bare run time of the workload, roughly (default 5)
#   RUNS          runs of each variant, interleaved; medians are shown (default 5)
#   THREADS       workload threads (default 1; the machine's cores to load them all)
# Environment: FREQ (default 997); PINGPONG (round trips of the off-CPU
# workload, default 100000).  Needs perf_event_open (root, or
# kernel.perf_event_paranoid <= 2).  Not a test: it never fails on timings.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
flame=${1:-${FLAME:-$root/build/flame}}
secs=${2:-5}
runs=${3:-5}
threads=${4:-1}
freq=${FREQ:-997}
flame=$(cd "$(dirname "$flame")" && pwd)/$(basename "$flame")
work=$(dirname "$flame")/tests/record/workloads/flame-test-work
[ -x "$flame" ] || { echo "record.sh: no flame binary at $flame" >&2; exit 2; }
[ -x "$work" ] || { echo "record.sh: no workload at $work (build the tests)" >&2; exit 2; }
have_perf=0
command -v perf >/dev/null && perf --version >/dev/null 2>&1 && have_perf=1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-bench-record.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

cpu_ms() { awk '{ printf "%.3f\n", $3 / 1e6 }' "$1"; }            # ... and CPU time
end_ns() { awk '{ print $2 }' "$1"; }

# calibrate: rounds of hot/warm/cold for about $secs seconds
FLAME_WORK_STAMP=$tmp/cal "$work" fixed 100 "$threads"
cal=$(stamp_ms "$tmp/cal")
rounds=$(awk -v s="$secs" -v c="$cal" 'BEGIN { r = int(s * 1000 / c * 100); print r < 1 ? 1 : r }')
echo "workload: flame-test-work fixed $rounds $threads (about $secs s bare), $freq Hz, $runs runs of each, medians"
echo "machine: $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

: >bare.ms
: >flame.ms
: >perf.ms
: >bare.cpu
: >flame.cpu
: >perf.cpu
: >flame.self
: >perf.self
TIMEFORMAT='%U %S' # bash's time: user and system seconds of the command and its children
: >flame.cmd
: >perf.cmd
: >flame.post
: >pipe.post
: >flame.samples
: >pre.ms
: >pre.cpu
: >pre.self
: >pre.cmd
: >pre.post
: >pre.samples
: >perf.samples
for i in $(seq "$runs"); do
	# bare
	t0=$(now)
	FLAME_WORK_STAMP=$tmp/s "$work" fixed "$rounds" "$threads"
	stamp_ms s >>bare.ms
	cpu_ms s >>bare.cpu
	# flame record, SVG output
	t0=$(now)
	{ time FLAME_WORK_STAMP=$tmp/s "$flame" record -F "$freq" -o flame.svg -- "$work" fixed "$rounds" "$threads" 2>flame.err; } 2>time.out
	t1=$(now)
	awk -v w="$(cpu_ms s)" '{ printf "%.3f\n", ($1 + $2) * 1000 - w }' time.out >>flame.self
	stamp_ms s >>flame.ms
	cpu_ms s >>flame.cpu
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >>flame.cmd
	awk -v e="$(end_ns s)" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - e) / 1e6 }' >>flame.post
	sed -n 's/^flame record: wrote [^:]*: \([0-9]*\) samples.*/\1/p' flame.err >>flame.samples
	# flame record --sampler=preload: the sampling runs inside the workload,
	# so its cost shows in the workload's own CPU time
	t0=$(now)
	{ time FLAME_WORK_STAMP=$tmp/s "$flame" record --sampler=preload -F "$freq" -o pre.svg -- "$work" fixed "$rounds" "$threads" 2>pre.err; } 2>time.out
	t1=$(now)
	awk -v w="$(cpu_ms s)" '{ printf "%.3f\n", ($1 + $2) * 1000 - w }' time.out >>pre.self
	stamp_ms s >>pre.ms
	cpu_ms s >>pre.cpu
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >>pre.cmd
	awk -v e="$(end_ns s)" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - e) / 1e6 }' >>pre.post
	sed -n 's/^flame record: wrote [^:]*: \([0-9]*\) samples.*/\1/p' pre.err >>pre.samples
	# perf record -g at the same frequency, then the text pipeline on its recording
	if [ "$have_perf" = 1 ]; then
		t0=$(now)
		{ time FLAME_WORK_STAMP=$tmp/s perf record -q -g -F "$freq" -o perf.data -- "$work" fixed "$rounds" "$threads" 2>/dev/null; } 2>time.out
		t1=$(now)
		awk -v w="$(cpu_ms s)" '{ printf "%.3f\n", ($1 + $2) * 1000 - w }' time.out >>perf.self
		stamp_ms s >>perf.ms
		cpu_ms s >>perf.cpu
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >>perf.cmd
		t0=$(now)
		perf script -i perf.data 2>/dev/null | "$flame" collapse -q | "$flame" render -q -o perf.svg
		t1=$(now)
		awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >>pipe.post
		perf script -i perf.data 2>/dev/null | grep -c 'cpu-clock' >>perf.samples || true
	fi
done

b=$(median <bare.ms)
bc=$(median <bare.cpu)
f=$(median <flame.ms)
fcpu=$(median <flame.cpu)
fc=$(median <flame.cmd)
fs=$(median <flame.samples)
fp=$(median <flame.post)
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f%%", 100 * (a - b) / b }'; }
fself=$(median <flame.self)
printf '%-16s %14s %9s %14s %9s %14s %14s %8s\n' "" "workload wall" "overhead" "workload CPU" "overhead" \
	"profiler CPU" "command wall" "samples"
printf '%-16s %11.1f ms %9s %11.1f ms %9s %14s %14s %8s\n' "bare" "$b" "" "$bc" "" "-" "-" "-"
printf '%-16s %11.1f ms %9s %11.1f ms %9s %11.1f ms %11.1f ms %8s\n' "flame record" "$f" "$(pct "$f" "$b")" \
	"$fcpu" "$(pct "$fcpu" "$bc")" "$fself" "$fc" "$fs"
prem=$(median <pre.ms)
precpu=$(median <pre.cpu)
printf '%-16s %11.1f ms %9s %11.1f ms %9s %11.1f ms %11.1f ms %8s\n' "flame preload" "$prem" "$(pct "$prem" "$b")" \
	"$precpu" "$(pct "$precpu" "$bc")" "$(median <pre.self)" "$(median <pre.cmd)" "$(median <pre.samples)"
if [ "$have_perf" = 1 ]; then
	p=$(median <perf.ms)
	pcpu=$(median <perf.cpu)
	pself=$(median <perf.self)
	pc=$(median <perf.cmd)
	ps=$(median <perf.samples)
	printf '%-16s %11.1f ms %9s %11.1f ms %9s %11.1f ms %11.1f ms %8s\n' "perf record -g" "$p" "$(pct "$p" "$b")" \
		"$pcpu" "$(pct "$pcpu" "$bc")" "$pself" "$pc" "$ps"
fi
minimum() { sort -n | head -1; }
bm=$(minimum <bare.ms)
bcm=$(minimum <bare.cpu)
fm=$(minimum <flame.ms)
fcm=$(minimum <flame.cpu)
printf '%-16s %14s %9s %14s %9s   (best of %s runs: noise only adds time)\n' "" "" "" "" "" "$runs"
printf '%-16s %11.1f ms %9s %11.1f ms %9s\n' "bare, best" "$bm" "" "$bcm" ""
printf '%-16s %11.1f ms %9s %11.1f ms %9s\n' "flame, best" "$fm" "$(pct "$fm" "$bm")" "$fcm" "$(pct "$fcm" "$bcm")"
prm=$(minimum <pre.ms)
prcm=$(minimum <pre.cpu)
printf '%-16s %11.1f ms %9s %11.1f ms %9s\n' "preload, best" "$prm" "$(pct "$prm" "$bm")" "$prcm" "$(pct "$prcm" "$bcm")"
if [ "$have_perf" = 1 ]; then
	pm=$(minimum <perf.ms)
	pcm=$(minimum <perf.cpu)
	printf '%-16s %11.1f ms %9s %11.1f ms %9s\n' "perf, best" "$pm" "$(pct "$pm" "$bm")" "$pcm" "$(pct "$pcm" "$bcm")"
fi
echo "(workload: its own wall and CPU time, main to exit; profiler CPU: the profiler process's"
echo " own user+system time during the whole command; command wall: start to profile written)"
echo
echo "post-processing, end of the workload to the written SVG:"
printf '  %-48s %9.1f ms\n' "flame record" "$fp"
printf '  %-48s %9.1f ms\n' "flame record --sampler=preload" "$(median <pre.post)"
if [ "$have_perf" = 1 ]; then
	pp=$(median <pipe.post)
	printf '  %-48s %9.1f ms  (%.1fx flame record)\n' "perf script | flame collapse | flame render" "$pp" "$(awk -v a="$pp" -v b="$fp" 'BEGIN { print a / b }')"
else
	echo "  (perf not installed: no comparison)"
fi
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (timings mean little when it is near or above $(nproc))"
echo "all runs (ms): bare: $(paste -sd' ' bare.ms)"
echo "               flame: $(paste -sd' ' flame.ms); post: $(paste -sd' ' flame.post)"
echo "               preload: $(paste -sd' ' pre.ms); post: $(paste -sd' ' pre.post)"
if [ "$have_perf" = 1 ]; then
	echo "               perf: $(paste -sd' ' perf.ms); pipeline: $(paste -sd' ' pipe.post)"
fi
echo "preload sampler vs perf sampler, workload wall overhead: $(pct "$prem" "$b") vs $(pct "$f" "$b");" \
	"workload CPU: $(pct "$precpu" "$bc") vs $(pct "$fcpu" "$bc");" \
	"samples: $(median <pre.samples) vs $(median <flame.samples) (CPU-time timers fire at most at the kernel tick)"

# ---- 3. off-CPU sampling on a switch-heavy workload
off=$(dirname "$flame")/tests/record/workloads/flame-test-offcpu
pp=${PINGPONG:-100000}
echo
if [ ! -x "$off" ]; then
	echo "off-CPU: no workload at $off (build the tests)"
	exit 0
fi
if ! "$flame" record -q --off-cpu -o probe.folded -- "$off" pipe 10 2>probe.err; then
	echo "off-CPU: not measured: $(head -1 probe.err)"
	exit 0
fi
have_tp=0
if [ "$have_perf" = 1 ] && perf record -q -e sched:sched_switch -g -o tp.data -- true 2>/dev/null; then
	have_tp=1
fi
: >obare.ms
: >oflame.ms
: >operf.ms
: >oflame.lost
: >operf.lost
: >oflame.n
: >operf.n
for i in $(seq "$runs"); do
	FLAME_WORK_STAMP=$tmp/s "$off" pingpong "$pp"
	stamp_ms s >>obare.ms
	FLAME_WORK_STAMP=$tmp/s "$flame" record --off-cpu -o off.folded -- "$off" pingpong "$pp" 2>off.err
	stamp_ms s >>oflame.ms
	sed -n 's/^flame record: lost \([0-9]*\) samples.*/\1/p' off.err >>oflame.lost
	sed -n 's/^flame record: wrote [^:]*: \([0-9]*\) off-CPU intervals.*/\1/p' off.err >>oflame.n
	if [ "$have_tp" = 1 ]; then
		FLAME_WORK_STAMP=$tmp/s perf record -q -e sched:sched_switch -g -o tp.data -- "$off" pingpong "$pp" 2>/dev/null
		stamp_ms s >>operf.ms
		perf report -i tp.data --stats 2>/dev/null >tp.stats
		awk '/sched:sched_switch stats/ { t = 1 } t && / SAMPLE events/ { print $3; exit }' tp.stats >>operf.n
		awk '/sched:sched_switch stats/ { t = 1 } t && /LOST_SAMPLES events/ { n = $3 } END { print n + 0 }' \
			tp.stats >>operf.lost
	fi
done
ob=$(median <obare.ms)
of=$(median <oflame.ms)
echo "off-CPU: flame-test-offcpu pingpong $pp (two threads, $((2 * pp)) blocking reads), $runs runs of each, medians"
printf '%-36s %11s %9s %14s %12s\n' "" "wall" "overhead" "switch-outs" "lost records"
printf '%-36s %8.1f ms %9s %14s %12s\n' "bare" "$ob" "" "-" "-"
printf '%-36s %8.1f ms %9s %14s %12s\n' "flame record --off-cpu" "$of" "$(pct "$of" "$ob")" \
	"$(median <oflame.n)" "$(median <oflame.lost)"
if [ "$have_tp" = 1 ]; then
	op=$(median <operf.ms)
	printf '%-36s %8.1f ms %9s %14s %12s\n' "perf record -e sched:sched_switch -g" "$op" "$(pct "$op" "$ob")" \
		"$(median <operf.n)" "$(median <operf.lost)"
	echo "flame --off-cpu / perf: $(awk -v a="$of" -v b="$op" 'BEGIN { printf "%.2fx", a / b }') the wall time"
else
	echo "(perf cannot sample sched:sched_switch here: no comparison)"
fi
echo "all runs (ms): bare: $(paste -sd' ' obare.ms)"
echo "               flame --off-cpu: $(paste -sd' ' oflame.ms)"
[ "$have_tp" = 1 ] && echo "               perf -e sched:sched_switch: $(paste -sd' ' operf.ms)"
exit 0
