#!/usr/bin/env bash
# Benchmark of `flame diff` on two big folded files, against
# `LC_ALL=C sort` of both files together, in the same run.
#
# usage: tests/bench/diff.sh [FLAME_BINARY] [SIZE_MB]
#
#   FLAME_BINARY  flame executable (default: $FLAME, else build/flame under
#                 the repository root)
#   SIZE_MB       size of each input in MB (default 185)
#
# Environment:
#   BENCH_DIR       keep the generated inputs here (reused by later runs);
#                   default: a temporary directory removed on exit
#   RUNS            timed runs per command, the best is reported (default 3)
#   FLAMEGRAPH_DIR  a FlameGraph checkout: difffolded.pl is timed too (one
#                   run) when it is there and perl is installed
#
# The inputs are the folded output of FlameGraph's example perf recording,
# copied with the leaf frames renamed per copy (every stack distinct) and
# the counts varied per copy; BEFORE holds copies 0..N-1, AFTER copies
# N/2..3N/2-1, so half of each file's stacks are in the other.  Both are
# sorted, as `flame collapse` writes them.  Every command writes a file;
# sort and flame are timed again writing to /dev/null, which leaves out the
# kernel's cost of copying the output into the page cache.
# flame's output must be the same on its fast path (a merge of the sorted
# files) and on its general path (--no-fast-path: both read into one trie);
# a MISMATCH line and exit status 1 otherwise.  Timings are information.
set -euo pipefail
export LC_ALL=C
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
flame=${1:-${FLAME:-$repo_root/build/flame}}
size_mb=${2:-185}
runs=${RUNS:-3}
[[ -x $flame ]] || die "no flame binary at '$flame'"
[[ $size_mb =~ ^[0-9]+$ && $size_mb -gt 0 ]] || die "SIZE_MB must be a positive integer"

base=$repo_root/fixtures/conformance/collapse-perf/example-perf-stacks/expected.default.txt
[[ -r $base ]] || die "fixture not found: $base"
MB=1048576
nproc=$(nproc 2> /dev/null || echo 1)

bench_workdir

# ---- inputs
n=$(( (size_mb * MB + $(stat -c %s "$base") - 1) / $(stat -c %s "$base") ))
make_input() { # FILE FIRST_COPY MULTIPLIER_MOD
	[[ -f $1 ]] && return 0
	awk -v lo="$2" -v hi="$(($2 + n))" -v mod="$3" '{ line[NR] = $0 }
	END {
		for (k = lo; k < hi; k++)
			for (i = 1; i <= NR; i++) {
				s = line[i]; j = match(s, / [0-9]+$/)
				printf "%s_%d %d\n", substr(s, 1, j - 1), k, substr(s, j + 1) * (k % mod + 1)
			}
	}' "$base" | sort > "$1.tmp"
	mv "$1.tmp" "$1"
}
before=$work/diff-before-${size_mb}mb.folded
after=$work/diff-after-${size_mb}mb.folded
make_input "$before" 0 7
make_input "$after" $((n / 2)) 5
bytes=$(( $(stat -c %s "$before") + $(stat -c %s "$after") ))

have_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' -o "$scratch/probe" true 2> /dev/null; then
	have_time=1
fi
declare -A secs rss
order=()
sink=file
best_of() { # LABEL NRUNS COMMAND...: output in $scratch/out (or /dev/null: sink=null)
	local label=$1 nr=$2 t0 t1 dt best="" i out=$scratch/out
	shift 2
	[[ $sink == null ]] && out=/dev/null
	for ((i = 0; i < nr; i++)); do
		t0=$EPOCHREALTIME
		"$@" > "$out"
		t1=$EPOCHREALTIME
		dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
		if [[ -z $best ]] || awk -v a="$dt" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$dt; fi
	done
	secs[$label]=$best
	rss[$label]=n/a
	if [[ $have_time == 1 && $nr -gt 1 ]]; then
		/usr/bin/time -f '%M' -o "$scratch/rss" "$@" > /dev/null 2>&1 || true
		rss[$label]=$(awk '{ printf "%.1f", $1 / 1024 }' "$scratch/rss")
	fi
	order+=("$label")
}
failures=0
check() { # LABEL EXPECTED ACTUAL
	if cmp -s "$2" "$3"; then echo "  OK        $1"; else
		echo "  MISMATCH  $1"
		failures=$((failures + 1))
	fi
}

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2> /dev/null || true)
echo "flame diff benchmark"
echo "  binary:  $flame"
echo "  machine: ${cpu:-unknown cpu}, $nproc cores, $(uname -sr)"
printf '  inputs:  %s (%.1f MB), %s (%.1f MB): %d + %d stacks, half of them in both\n' \
	"$before" "$(awk -v b="$(stat -c %s "$before")" -v m=$MB 'BEGIN { print b / m }')" \
	"$after" "$(awk -v b="$(stat -c %s "$after")" -v m=$MB 'BEGIN { print b / m }')" \
	"$(wc -l < "$before")" "$(wc -l < "$after")"
echo "  timing:  best of $runs runs, wall clock, output written to a file; MB/s of both inputs"
echo

cat "$before" "$after" > /dev/null # page cache
best_of "LC_ALL=C sort BEFORE AFTER" "$runs" sort "$before" "$after"
best_of "flame diff BEFORE AFTER" "$runs" "$flame" diff -q "$before" "$after"
cp "$scratch/out" "$scratch/fast"
best_of "flame diff -n BEFORE AFTER" "$runs" "$flame" diff -q -n "$before" "$after"
cp "$scratch/out" "$scratch/fast-n"
best_of "flame diff -j 1 BEFORE AFTER" "$runs" "$flame" diff -q -j 1 "$before" "$after"
best_of "flame diff --no-fast-path BEFORE AFTER" "$runs" "$flame" diff -q --no-fast-path "$before" "$after"
cp "$scratch/out" "$scratch/general"
best_of "flame diff -n --no-fast-path BEFORE AFTER" 1 "$flame" diff -q -n --no-fast-path "$before" "$after"
cp "$scratch/out" "$scratch/general-n"
best_of "flame diff --format top BEFORE AFTER" 1 "$flame" diff -q --format top "$before" "$after"
# the same work without the cost of writing the output file, which both
# pay in the kernel (sort does not stop early on /dev/null, unlike grep)
sink=null
best_of "LC_ALL=C sort BEFORE AFTER > /dev/null" "$runs" sort "$before" "$after"
best_of "flame diff BEFORE AFTER > /dev/null" "$runs" "$flame" diff -q "$before" "$after"
sink=file

pl=""
if [[ -n ${FLAMEGRAPH_DIR:-} && -f $FLAMEGRAPH_DIR/difffolded.pl ]] && command -v perl > /dev/null; then
	pl=$FLAMEGRAPH_DIR/difffolded.pl
	best_of "difffolded.pl BEFORE AFTER (1 run)" 1 perl "$pl" "$before" "$after"
	sort "$scratch/out" > "$scratch/perl"
	check "difffolded.pl's lines, sorted = flame diff" "$scratch/perl" "$scratch/fast"
fi
if command -v inferno-diff-folded > /dev/null; then
	best_of "inferno-diff-folded BEFORE AFTER (1 run)" 1 inferno-diff-folded "$before" "$after"
fi

echo "correctness:"
check "flame diff: fast path = general path" "$scratch/general" "$scratch/fast"
check "flame diff -n: fast path = general path" "$scratch/general-n" "$scratch/fast-n"
echo "  lines written: $(wc -l < "$scratch/fast") ($(awk '$2 == 0 || $3 == 0' "$scratch/fast" | wc -l) in one input only)"
echo

line=$(printf '%.0s-' {1..84})
printf '%-50s %8s %8s %9s\n' command seconds MB/s "RSS MB"
echo "$line"
for l in "${order[@]}"; do
	printf '%-50s %8.3f %8.0f %9s\n' "$l" "${secs[$l]}" \
		"$(awk -v b="$bytes" -v s="${secs[$l]}" -v m=$MB 'BEGIN { print (s > 0 ? b / m / s : 0) }')" "${rss[$l]}"
done
echo "$line"
echo "(RSS of flame's fast path includes the input files' pages, mapped read-only)"
echo
echo "goals (informational):"
for suffix in "" " > /dev/null"; do
	f=${secs["flame diff BEFORE AFTER$suffix"]}
	s=${secs["LC_ALL=C sort BEFORE AFTER$suffix"]}
	mbps=$(awk -v b="$bytes" -v t="$f" -v m=$MB 'BEGIN { printf "%.0f", b / m / t }')
	ratio=$(awk -v a="$f" -v b="$s" 'BEGIN { printf "%.2f", a / b }')
	where=${suffix:+, output to /dev/null}
	where=${where:-, output to a file}
	printf '  %-58s %-8s (%s MB/s)\n' "flame diff >= 400 MB/s of combined input$where" \
		"$(awk -v x="$mbps" 'BEGIN { print (x >= 400 ? "met" : "NOT MET") }')" "$mbps"
	printf '  %-58s %-8s (flame / sort = %s)\n' "at most half the time of LC_ALL=C sort$where" \
		"$(awk -v x="$ratio" 'BEGIN { print (x <= 0.5 ? "met" : "NOT MET") }')" "$ratio"
done
[[ $keep == 1 ]] && echo && echo "inputs kept in $work"
if [[ $failures -gt 0 ]]; then
	echo "$failures MISMATCH(es)" >&2
	exit 1
fi
exit 0
