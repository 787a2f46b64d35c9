#!/usr/bin/env bash
# Throughput and memory benchmark for `flame collapse`.
#
# usage: tests/bench/collapse.sh [FLAME_BINARY] [SIZE_MB]
#
#   FLAME_BINARY  flame executable (default: $FLAME, else build/flame under
#                 the repository root)
#   SIZE_MB       size of the perf script input in MB (default 200); the
#                 dtrace input is about half of it
#
# Environment:
#   BENCH_DIR     keep the generated inputs in this directory (created if
#                 needed, not removed, reused by later runs); default: a
#                 temporary directory removed on exit
#   RUNS          timed runs per command, the best is reported (default 3)
#   FLAMEGRAPH_DIR  a FlameGraph checkout; if it holds stackcollapse-perf.pl
#                 (or that script is on PATH) and perl is installed, the perl
#                 collapser is timed too (one run: it is slow)
#
# A benchmark, not a test: it exits 0 whatever the timings are.  It exits 1
# only if flame's output is wrong (a MISMATCH line) or a command fails.
# See tests/bench/README.md.
set -euo pipefail
export LC_ALL=C
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)

flame=${1:-${FLAME:-$repo_root/build/flame}}
size_mb=${2:-200}
runs=${RUNS:-3}


[[ -x $flame ]] || die "no flame binary at '$flame' (build it, or pass its path as the first argument)"
flame=$(cd "$(dirname "$flame")" && pwd)/$(basename "$flame")
[[ $size_mb =~ ^[0-9]+$ && $size_mb -gt 0 ]] || die "SIZE_MB must be a positive integer, not '$size_mb'"
[[ $runs =~ ^[0-9]+$ && $runs -gt 0 ]] || die "RUNS must be a positive integer, not '$runs'"

perf_fixture=$repo_root/fixtures/conformance/collapse-perf/example-perf-stacks/input.txt
dtrace_fixture=$repo_root/fixtures/conformance/collapse-dtrace/example-dtrace/input.txt
[[ -r $perf_fixture && -r $dtrace_fixture ]] || die "fixtures not found under $repo_root/fixtures"

nproc=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
MB=1048576   # 1 MB = 2^20 bytes, for sizes, throughput and RSS alike

# ---------------------------------------------------------------- work dir
bench_workdir

# ---------------------------------------------------------------- helpers
have_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M %U %S' -o "$scratch/probe" true 2>/dev/null &&
	read -r _ _ _ < "$scratch/probe"; then
	have_time=1
fi

fsize() { stat -c %s "$1"; }

# Multiply the trailing count of every folded line by $2; read from $1.
scale_folded() {
	awk -v k="$2" '{
		i = match($0, / [0-9]+$/)
		if (!i) { print; next }
		print substr($0, 1, i) (substr($0, i + 1) * k)
	}' "$1"
}

failures=0
check() {   # check LABEL EXPECTED_FILE ACTUAL_FILE
	if cmp -s "$2" "$3"; then
		printf '  %-9s %s\n' OK "$1"
	else
		printf '  %-9s %s\n' MISMATCH "$1"
		failures=$((failures + 1))
	fi
}

# Result table, one entry per measured command.
r_label=() r_secs=() r_bytes=() r_rss=() r_cpu=()
declare -A by_key

# bench KEY LABEL BYTES TEMPLATE [EXPECTED_FILE] [NRUNS]
#   TEMPLATE is a shell command; @W@ marks where /usr/bin/time goes (in front
#   of the program whose memory is measured) and @O@ the output file, which
#   is /dev/null in the timed runs; @F@ is an output file that stays a real
#   file in the timed runs too (GNU grep stops at the first match when its
#   output is /dev/null, so it would measure nothing).  The
#   first run is untimed: it warms the page cache, records peak RSS and CPU
#   time, and its output is compared with EXPECTED_FILE.  Then NRUNS (default
#   $runs) timed runs write to /dev/null; the fastest wall time is kept.
#   NRUNS=0 means a single run that is timed and also does the warm-up's job.
bench() {
	local key=$1 label=$2 bytes=$3 tmpl=$4 expect=${5:-} n=${6:-$runs}
	local out=$scratch/$key.out res=$scratch/$key.time wrap="" first timed
	local rss=n/a cpu=n/a best="" t0 t1 dt i u s
	if [[ $have_time == 1 ]]; then
		wrap="/usr/bin/time -f '%M %U %S' -o '$res'"
	fi
	first=${tmpl//@W@/$wrap}
	first=${first//@O@/$out}
	first=${first//@F@/$out}
	timed=${tmpl//@W@/}
	timed=${timed//@O@//dev/null}
	timed=${timed//@F@/$scratch/$key.timed}

	if [[ $n -gt 0 ]]; then
		eval "$first" || die "command failed: $label"
	else
		timed=$first
		n=1
	fi
	for ((i = 0; i < n; i++)); do
		t0=${EPOCHREALTIME:-$(date +%s.%N)}   # no subshell with bash >= 5
		eval "$timed" || die "command failed: $label"
		t1=${EPOCHREALTIME:-$(date +%s.%N)}
		dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
		if [[ -z $best ]] || awk -v a="$dt" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$dt
		fi
	done
	[[ -z $expect ]] || check "$label" "$expect" "$out"
	if [[ $have_time == 1 && -s $res ]]; then
		read -r rss u s < "$res"
		rss=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
		cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	fi
	by_key[$key]=${#r_label[@]}
	r_label+=("$label"); r_secs+=("$best"); r_bytes+=("$bytes")
	r_rss+=("$rss"); r_cpu+=("$cpu")
	rm -f "$out" "$res" "$scratch/$key.timed"
}

secs_of() { local i=${by_key[$1]:-}; [[ -n $i ]] && echo "${r_secs[$i]}" || echo ""; }
mbps_of() {
	local i=${by_key[$1]:-}
	[[ -n $i ]] || { echo ""; return; }
	awk -v b="${r_bytes[$i]}" -v s="${r_secs[$i]}" -v m="$MB" \
		'BEGIN { if (s > 0) printf "%.0f", b / m / s; else print "inf" }'
}
ratio() {   # ratio A B -> A/B with 2 decimals, "n/a" if either is missing
	[[ -n $1 && -n $2 ]] || { echo n/a; return; }
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

# ---------------------------------------------------------------- inputs
perf_small=$(fsize "$perf_fixture")
perf_reps=$(( (size_mb * MB + perf_small - 1) / perf_small ))
dtrace_body=$(tail -n +4 "$dtrace_fixture" | wc -c)
dtrace_reps=$(( (size_mb * MB / 2 + dtrace_body - 1) / dtrace_body ))

perf_file=$work/perf-${size_mb}mb.txt
dtrace_file=$work/dtrace-${size_mb}mb.txt
zst_file=$perf_file.zst

make_perf() {
	local i
	for ((i = 0; i < perf_reps; i++)); do cat "$perf_fixture"; done > "$perf_file.tmp"
	mv "$perf_file.tmp" "$perf_file"
}
make_dtrace() {
	# The 3-line header ("CPU ID FUNCTION:NAME", the probe line, a blank
	# line) once, then the stacks repeated; every copy starts with a blank
	# line, so the records stay separated.
	local body=$scratch/dtrace-body i
	tail -n +4 "$dtrace_fixture" > "$body"
	{
		head -n 3 "$dtrace_fixture"
		for ((i = 0; i < dtrace_reps; i++)); do cat "$body"; done
	} > "$dtrace_file.tmp"
	mv "$dtrace_file.tmp" "$dtrace_file"
	rm -f "$body"
}

want_perf=$((perf_small * perf_reps))
want_dtrace=$(( $(head -n 3 "$dtrace_fixture" | wc -c) + dtrace_body * dtrace_reps ))
[[ -f $perf_file && $(fsize "$perf_file") == "$want_perf" ]] || make_perf
[[ -f $dtrace_file && $(fsize "$dtrace_file") == "$want_dtrace" ]] || make_dtrace

have_zstd=0
if command -v zstd >/dev/null 2>&1; then
	have_zstd=1
	if [[ ! -f $zst_file || $zst_file -ot $perf_file ]]; then
		zstd -q -f -3 -T0 "$perf_file" -o "$zst_file"
	fi
fi

perf_bytes=$(fsize "$perf_file")
dtrace_bytes=$(fsize "$dtrace_file")

# Expected results, derived from the small fixtures.
exp=$scratch/expected
mkdir -p "$exp"
"$flame" collapse -q -j 1 "$perf_fixture" > "$exp/perf.small"
scale_folded "$exp/perf.small" "$perf_reps" > "$exp/perf"
"$flame" collapse -q -j 1 "$dtrace_fixture" > "$exp/dtrace.small"
scale_folded "$exp/dtrace.small" "$dtrace_reps" > "$exp/dtrace"
echo $(( $(grep -c cycles "$perf_fixture") * perf_reps )) > "$exp/grep"
echo $(( $(wc -l < "$perf_fixture") * perf_reps )) > "$exp/wc"

# ---------------------------------------------------------------- header
cpu_model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "flame collapse benchmark"
echo "  binary:  $flame ($("$flame" --version 2>/dev/null | head -n 1 || echo '?'))"
echo "  machine: ${cpu_model:-unknown cpu}, $nproc cores, $(uname -sr)"
printf '  perf:    %s  %.1f MB = %d x %s\n' "$perf_file" \
	"$(awk -v b="$perf_bytes" -v m="$MB" 'BEGIN { print b / m }')" "$perf_reps" \
	"${perf_fixture#"$repo_root"/}"
printf '  dtrace:  %s  %.1f MB = header + %d x stacks of %s\n' "$dtrace_file" \
	"$(awk -v b="$dtrace_bytes" -v m="$MB" 'BEGIN { print b / m }')" "$dtrace_reps" \
	"${dtrace_fixture#"$repo_root"/}"
if [[ $have_zstd == 1 ]]; then
	printf '  zstd:    %s  %.1f MB compressed\n' "$zst_file" \
		"$(awk -v b="$(fsize "$zst_file")" -v m="$MB" 'BEGIN { print b / m }')"
fi
echo "  timing:  one untimed warm-up run, then best of $runs (wall clock);" \
	"RSS and CPU from the warm-up run"
[[ $have_time == 1 ]] || echo "  note:    GNU /usr/bin/time not usable, peak RSS and CPU are n/a"
echo

# ---------------------------------------------------------------- runs
J=$nproc
P=$perf_file D=$dtrace_file Z=$zst_file F=$flame
q() { printf '%q' "$1"; }

echo "correctness (output of the big input = small fixture's output x repeat count):"
bench grep  "grep -c cycles perf.txt"          "$perf_bytes" "@W@ grep -c cycles $(q "$P") > @F@" "$exp/grep"
bench wc    "wc -l perf.txt"                   "$perf_bytes" "@W@ wc -l < $(q "$P") > @F@"        "$exp/wc"
bench p1    "flame collapse -j 1 perf.txt"     "$perf_bytes" "@W@ $(q "$F") collapse -q -j 1 $(q "$P") > @O@" "$exp/perf"
bench pN    "flame collapse -j $J perf.txt"    "$perf_bytes" "@W@ $(q "$F") collapse -q -j $J $(q "$P") > @O@" "$exp/perf"
bench s1    "cat perf.txt | flame collapse -j 1 -"  "$perf_bytes" "cat $(q "$P") | @W@ $(q "$F") collapse -q -j 1 - > @O@" "$exp/perf"
bench sN    "cat perf.txt | flame collapse -j $J -" "$perf_bytes" "cat $(q "$P") | @W@ $(q "$F") collapse -q -j $J - > @O@" "$exp/perf"
bench r1    "flame collapse -j 1 - < perf.txt"  "$perf_bytes" "@W@ $(q "$F") collapse -q -j 1 - < $(q "$P") > @O@" "$exp/perf"
if [[ $have_zstd == 1 ]]; then
	bench z1 "flame collapse -j 1 perf.txt.zst"  "$perf_bytes" "@W@ $(q "$F") collapse -q -j 1 $(q "$Z") > @O@" "$exp/perf"
	bench zN "flame collapse -j $J perf.txt.zst" "$perf_bytes" "@W@ $(q "$F") collapse -q -j $J $(q "$Z") > @O@" "$exp/perf"
fi
bench d1    "flame collapse -j 1 dtrace.txt"   "$dtrace_bytes" "@W@ $(q "$F") collapse -q -j 1 $(q "$D") > @O@" "$exp/dtrace"
bench dN    "flame collapse -j $J dtrace.txt"  "$dtrace_bytes" "@W@ $(q "$F") collapse -q -j $J $(q "$D") > @O@" "$exp/dtrace"

# Optional reference: the FlameGraph perl script, if it is installed.
perl_note=""
sc_perf=""
if [[ -n ${FLAMEGRAPH_DIR:-} && -f $FLAMEGRAPH_DIR/stackcollapse-perf.pl ]]; then
	sc_perf=$FLAMEGRAPH_DIR/stackcollapse-perf.pl
elif command -v stackcollapse-perf.pl >/dev/null 2>&1; then
	sc_perf=$(command -v stackcollapse-perf.pl)
fi
if ! command -v perl >/dev/null 2>&1; then
	perl_note="perl not installed: perl comparison skipped"
elif [[ -z $sc_perf ]]; then
	perl_note="stackcollapse-perf.pl not found (set FLAMEGRAPH_DIR): perl comparison skipped"
else
	# one timed run, which also checks the output
	bench pl "stackcollapse-perf.pl perf.txt (1 run)" "$perf_bytes" \
		"@W@ perl $(q "$sc_perf") $(q "$P") | sort > @O@" "$exp/perf" 0
fi
echo

# ---------------------------------------------------------------- table
line=$(printf '%.0s-' {1..86})
printf '%-44s %9s %9s %9s %9s\n' "command" "seconds" "MB/s" "RSS MB" "CPU s"
echo "$line"
for i in "${!r_label[@]}"; do
	mbps=$(awk -v b="${r_bytes[$i]}" -v s="${r_secs[$i]}" -v m="$MB" \
		'BEGIN { if (s > 0) printf "%.0f", b / m / s; else print "inf" }')
	printf '%-44s %9.3f %9s %9s %9s\n' "${r_label[$i]}" "${r_secs[$i]}" "$mbps" \
		"${r_rss[$i]}" "${r_cpu[$i]}"
done
echo "$line"
[[ -z $perl_note ]] || echo "($perl_note)"
echo "(MB = 2^20 bytes; MB/s of the .zst rows is of the uncompressed text; RSS and CPU"
echo " are of the measured program only, not of cat in the pipe)"
echo

g=$(secs_of grep)
echo "ratios:"
printf '  %-46s %s\n' "flame -j 1 / grep -c (perf, mmap)" "$(ratio "$(secs_of p1)" "$g")"
printf '  %-46s %s\n' "flame -j $J / grep -c (perf, mmap)" "$(ratio "$(secs_of pN)" "$g")"
printf '  %-46s %s\n' "speedup -j $J vs -j 1 (perf, mmap)" "$(ratio "$(secs_of p1)" "$(secs_of pN)")"
printf '  %-46s %s\n' "speedup -j $J vs -j 1 (perf, stdin pipe)" "$(ratio "$(secs_of s1)" "$(secs_of sN)")"
if [[ $have_zstd == 1 ]]; then
	printf '  %-46s %s\n' "speedup -j $J vs -j 1 (perf, zstd)" "$(ratio "$(secs_of z1)" "$(secs_of zN)")"
fi
printf '  %-46s %s\n' "speedup -j $J vs -j 1 (dtrace, mmap)" "$(ratio "$(secs_of d1)" "$(secs_of dN)")"
printf '  %-46s %s\n' "stdin pipe -j 1 / mmap -j 1 (perf)" "$(ratio "$(secs_of s1)" "$(secs_of p1)")"
if [[ $have_zstd == 1 ]]; then
	printf '  %-46s %s\n' "zstd -j 1 / mmap -j 1 (perf)" "$(ratio "$(secs_of z1)" "$(secs_of p1)")"
fi
if [[ -n ${by_key[pl]:-} ]]; then
	printf '  %-46s %s\n' "stackcollapse-perf.pl / flame -j 1" "$(ratio "$(secs_of pl)" "$(secs_of p1)")"
fi
echo

# ---------------------------------------------------------------- goals
met() { if awk "BEGIN { exit !($1) }"; then echo "met"; else echo "NOT MET"; fi; }

p1_mbps=$(mbps_of p1)
d1_mbps=$(mbps_of d1)
r_grep=$(ratio "$(secs_of p1)" "$g")

max_rss="" max_rss_label=""
for i in "${!r_label[@]}"; do
	[[ ${r_label[$i]} == *flame\ collapse* && ${r_rss[$i]} != n/a ]] || continue
	if [[ -z $max_rss ]] || awk -v a="${r_rss[$i]}" -v b="$max_rss" 'BEGIN { exit !(a > b) }'; then
		max_rss=${r_rss[$i]} max_rss_label=${r_label[$i]}
	fi
done

echo "goals (informational):"
printf '  %-52s %-8s (%s MB/s)\n' "perf >= 500 MB/s on one core" \
	"$(met "$p1_mbps >= 500")" "$p1_mbps"
if [[ $r_grep == n/a ]]; then
	printf '  %-52s %-8s\n' "perf within 2x of grep -c (one core)" "n/a"
else
	printf '  %-52s %-8s (flame -j 1 / grep = %s)\n' "perf within 2x of grep -c (one core)" \
		"$(met "$r_grep <= 2")" "$r_grep"
fi
printf '  %-52s %-8s (%s MB/s)\n' "dtrace >= 300 MB/s on one core" \
	"$(met "$d1_mbps >= 300")" "$d1_mbps"
if [[ -z $max_rss ]]; then
	printf '  %-52s %-8s\n' "peak RSS < 64 MB (all flame runs)" "n/a"
else
	printf '  %-52s %-8s (max %s MB: %s)\n' "peak RSS < 64 MB (all flame runs)" \
		"$(met "$max_rss < 64")" "$max_rss" "$max_rss_label"
fi

if [[ $keep == 1 ]]; then
	echo
	echo "inputs kept in $work"
fi
if [[ $failures -gt 0 ]]; then
	echo
	echo "$failures output MISMATCH(es): flame's output is wrong" >&2
	exit 1
fi
exit 0
