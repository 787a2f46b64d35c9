#!/usr/bin/env bash
# Benchmark of `flame filter --grep` against `grep -P` on the same big
# folded file, in the same run.
#
# usage: tests/bench/filter.sh [FLAME_BINARY] [SIZE_MB]
#
#   FLAME_BINARY  flame executable (default: $FLAME, else build/flame under
#                 the repository root)
#   SIZE_MB       size of the folded input in MB (default 185)
#
# Environment:
#   BENCH_DIR     keep the generated input here (reused by later runs);
#                 default: a temporary directory removed on exit
#   RUNS          timed runs per command, the best is reported (default 3)
#
# The input is the folded output of FlameGraph's example perf recording,
# copied with the leaf frames renamed per copy (so every stack is distinct)
# and sorted, as `flame collapse` writes it.  Every command writes to a
# file: GNU grep stops at the first match when its output is /dev/null,
# which would not be a comparison.  flame's output must equal grep's (a
# MISMATCH line and exit status 1 otherwise); the timings are information,
# not a test.
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
echo x | grep -qP x 2> /dev/null || die "grep -P is not available"

base=$repo_root/fixtures/conformance/collapse-perf/example-perf-stacks/expected.default.txt
[[ -r $base ]] || die "fixture not found: $base"
MB=1048576
nproc=$(nproc 2> /dev/null || echo 1)

bench_workdir

# ---- input: SIZE_MB of distinct sorted stacks
copies=$(( (size_mb * MB + $(stat -c %s "$base") - 1) / $(stat -c %s "$base") ))
input=$work/filter-${size_mb}mb.folded
if [[ ! -f $input ]]; then
	awk -v n="$copies" '{ line[NR] = $0 }
	END {
		for (k = 0; k < n; k++)
			for (i = 1; i <= NR; i++) {
				s = line[i]; j = match(s, / [0-9]+$/)
				printf "%s_%d %d\n", substr(s, 1, j - 1), k, substr(s, j + 1) * (k % 7 + 1)
			}
	}' "$base" | sort > "$input.tmp"
	mv "$input.tmp" "$input"
fi
bytes=$(stat -c %s "$input")

have_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' -o "$scratch/probe" true 2> /dev/null; then
	have_time=1
fi

# best_of LABEL COMMAND...: best wall time of $runs runs, output to $scratch/out
declare -A secs rss
order=()
best_of() {
	local label=$1 t0 t1 best="" i
	shift
	for ((i = 0; i < runs; i++)); do
		t0=$EPOCHREALTIME
		"$@" > "$scratch/out" || [[ $? == 1 ]] # grep: 1 is "no line selected"
		t1=$EPOCHREALTIME
		local dt
		dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
		if [[ -z $best ]] || awk -v a="$dt" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$dt; fi
	done
	secs[$label]=$best
	rss[$label]=n/a
	if [[ $have_time == 1 ]]; then
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
echo "flame filter benchmark"
echo "  binary:  $flame"
echo "  machine: ${cpu:-unknown cpu}, $nproc cores, $(uname -sr)"
printf '  input:   %s, %.1f MB, %d distinct sorted stacks (%d copies of %s)\n' "$input" \
	"$(awk -v b="$bytes" -v m=$MB 'BEGIN { print b / m }')" "$(wc -l < "$input")" "$copies" \
	"${base#"$repo_root"/}"
echo "  timing:  best of $runs runs, wall clock, output written to a file"
echo

cat "$input" > /dev/null # page cache
patterns=('vfs_read' 'JavaCalls::call_virtual;.*fireChannelRead' '(?i)netty.*FLUSH')
echo "correctness (flame output = grep output):"
for i in "${!patterns[@]}"; do
	p=${patterns[$i]}
	best_of "grep -P '$p'" grep -P -- "$p" "$input"
	cp "$scratch/out" "$scratch/want"
	best_of "flame filter --grep '$p'" "$flame" filter -q --grep "$p" "$input"
	check "--grep '$p' ($(wc -l < "$scratch/want") lines)" "$scratch/want" "$scratch/out"
	if [[ $i == 0 ]]; then
		best_of "grep -vP '$p'" grep -vP -- "$p" "$input"
		cp "$scratch/out" "$scratch/want"
		best_of "flame filter --grep-v '$p'" "$flame" filter -q --grep-v "$p" "$input"
		check "--grep-v '$p'" "$scratch/want" "$scratch/out"
		best_of "flame filter --grep '$p' -j 1" "$flame" filter -q -j 1 --grep "$p" "$input"
		best_of "flame filter --grep '$p' --no-fast-path" "$flame" filter -q --no-fast-path --grep "$p" "$input"
		best_of "flame filter --focus '^vfs_read\$'" "$flame" filter -q --focus '^vfs_read$' "$input"
		best_of "flame filter --strip-args --hide '^Interp'" "$flame" filter -q --strip-args --hide '^Interp' "$input"
	fi
done
echo

line=$(printf '%.0s-' {1..84})
printf '%-52s %8s %8s %9s\n' command seconds MB/s "RSS MB"
echo "$line"
for l in "${order[@]}"; do
	printf '%-52s %8.3f %8.0f %9s\n' "$l" "${secs[$l]}" \
		"$(awk -v b="$bytes" -v s="${secs[$l]}" -v m=$MB 'BEGIN { print (s > 0 ? b / m / s : 0) }')" "${rss[$l]}"
done
echo "$line"
echo "(RSS of flame's shortcut includes the input file's pages, mapped read-only)"
echo
echo "goal: flame filter --grep at least as fast as grep -P (ratio flame / grep <= 1):"
for p in "${patterns[@]}"; do
	r=$(awk -v a="${secs["flame filter --grep '$p'"]}" -v b="${secs["grep -P '$p'"]}" 'BEGIN { printf "%.2f", a / b }')
	met=$(awk -v r="$r" 'BEGIN { print (r <= 1 ? "met" : "NOT MET") }')
	printf "  %-40s %s  %s\n" "--grep '$p'" "$r" "$met"
done
p=${patterns[0]}
r=$(awk -v a="${secs["flame filter --grep-v '$p'"]}" -v b="${secs["grep -vP '$p'"]}" 'BEGIN { printf "%.2f", a / b }')
printf "  %-40s %s  %s\n" "--grep-v '$p'" "$r" "$(awk -v r="$r" 'BEGIN { print (r <= 1 ? "met" : "NOT MET") }')"
[[ $keep == 1 ]] && echo && echo "input kept in $work"
if [[ $failures -gt 0 ]]; then
	echo "$failures MISMATCH(es)" >&2
	exit 1
fi
exit 0
