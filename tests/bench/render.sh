#!/usr/bin/env bash
# Throughput and memory benchmark for `flame render`.
#
# usage: tests/bench/render.sh [FLAME_BINARY] [STACKS]
#
#   FLAME_BINARY  flame executable (default: $FLAME, else build/flame under
#                 the repository root)
#   STACKS        unique stacks in the generated folded file (default
#                 300000, which makes about 130 MB)
#
# Environment:
#   BENCH_DIR     keep the generated input here (created if needed, reused
#                 by later runs); default: a temporary directory
#   RUNS          timed runs per command, the best is reported (default 3)
#   FLAMEGRAPH_PL flamegraph.pl; when set (and perl is installed) it is
#                 timed once too, on a tenth of the input
#
# The input is a synthetic profile (deterministic: the same every run):
# 4 processes, 40,000 function names like "db::Json_Parser::flush_18211",
# stacks 9 to 22 frames deep drawn from a skewed call tree, sorted like
# the output of `flame collapse`.  The unsorted copy exercises the path
# that reads into a profile first.
#
# Reports seconds (best run), MB/s of folded input, peak RSS, the SVG
# size, and the ratio to `LC_ALL=C sort` of the same file, timed in the
# same run.  A benchmark, not a test: it exits 0 whatever the timings;
# 1 only if a command fails or the sorted and unsorted inputs draw
# different graphs.
set -euo pipefail
export LC_ALL=C
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
flame=${1:-${FLAME:-$repo_root/build/flame}}
stacks=${2:-300000}
runs=${RUNS:-3}
MB=1048576

[[ -x $flame ]] || die "no flame binary at '$flame'"
flame=$(cd "$(dirname "$flame")" && pwd)/$(basename "$flame")
command -v perl >/dev/null || die "perl is needed to generate the input"

bench_workdir

unsorted=$work/render-$stacks.unsorted.folded
sorted=$work/render-$stacks.folded
if [[ ! -s $sorted || ! -s $unsorted ]]; then
	perl - "$stacks" > "$unsorted.tmp" <<'EOF'
use strict; use warnings;
my $n = shift;
my $x = 2654435761;
sub rnd { $x ^= ($x << 13) & 0xffffffff; $x ^= $x >> 17; $x ^= ($x << 5) & 0xffffffff; return $x / 4294967296; }
my @ns = qw(std core net io mem sched vfs ext4 tcp http json db cache rpc util gc jit runtime alloc sync);
my @kind = qw(Handler Worker Buffer Parser Queue);
my @verb = qw(process run read write flush dispatch lookup update);
my @pool;
for my $i (0 .. 39999) {
	push @pool, sprintf("%s::%s_%s::%s_%d", $ns[int(rnd() * @ns)], ucfirst($ns[int(rnd() * @ns)]),
		$kind[int(rnd() * 5)], $verb[int(rnd() * 8)], $i);
}
my %seen; my $count = 0;
while ($count < $n) {
	my $depth = 8 + int(rnd() * 14);
	my $h = int(rnd() * 4);
	my @st = ("proc-" . $h);
	for my $d (1 .. $depth) {
		my $k = int(-log(1 - rnd()) * 1.6);
		$h = ($h * 1000003 + $k * 7919 + $d) % 4000037;
		push @st, $pool[$h % @pool];
	}
	my $s = join(';', @st);
	next if $seen{$s}++;
	my $w = 1 + int(1 / (1.0001 - rnd()) ** 1.2);
	print "$s $w\n"; $count++;
}
EOF
	mv "$unsorted.tmp" "$unsorted"
	sort "$unsorted" > "$sorted.tmp"
	mv "$sorted.tmp" "$sorted"
fi
bytes=$(stat -c %s "$sorted")
lines=$(wc -l < "$sorted")

have_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' -o "$scratch/probe" true 2>/dev/null; then
	have_time=1
fi

# bench KEY LABEL CMD...: best wall time of $runs runs; RSS from the first
declare -A secs rss
order=()
bench() {
	local key=$1 label=$2
	shift 2
	local best="" t0 t1 dt i
	if [[ $have_time == 1 ]]; then
		/usr/bin/time -f '%M' -o "$scratch/$key.rss" "$@" > /dev/null 2>"$scratch/$key.err" ||
			die "failed: $label: $(head -c 300 "$scratch/$key.err")"
		rss[$key]=$(awk '{ printf "%.1f", $1 / 1024 }' "$scratch/$key.rss")
	else
		"$@" > /dev/null 2>"$scratch/$key.err" || die "failed: $label"
		rss[$key]=n/a
	fi
	for ((i = 0; i < runs; i++)); do
		t0=$EPOCHREALTIME
		"$@" > /dev/null 2>&1
		t1=$EPOCHREALTIME
		dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
		if [[ -z $best ]] || awk -v a="$dt" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$dt; fi
	done
	secs[$key]=$best
	order+=("$key|$label")
}

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
echo "flame render benchmark"
echo "  binary:  $flame"
echo "  machine: ${cpu:-unknown cpu}, $(nproc) cores, $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  input:   %s: %.1f MB, %d unique stacks (sorted, as flame collapse writes it)\n' \
	"$sorted" "$(awk -v b="$bytes" -v m=$MB 'BEGIN { print b / m }')" "$lines"
echo "  timing:  best of $runs runs (wall clock); RSS of the first run"
echo

svg=$scratch/out.svg
"$flame" render -q -j 1 -o "$svg" "$sorted"
"$flame" render -q -j 1 -o "$scratch/unsorted.svg" "$unsorted"
if ! cmp -s "$svg" "$scratch/unsorted.svg"; then
	echo "MISMATCH: the sorted and unsorted inputs draw different graphs" >&2
	exit 1
fi
svg_bytes=$(stat -c %s "$svg")
frames=$(grep -c '^<g' "$svg" || true)
"$flame" render -j 1 -o /dev/null "$sorted" 2> "$scratch/note" || true

bench sort   "LC_ALL=C sort (same file)"            sort "$sorted"
bench s1     "flame render -j 1 (sorted)"           "$flame" render -q -j 1 "$sorted"
bench u1     "flame render -j 1 (unsorted)"         "$flame" render -q -j 1 "$unsorted"
bench uN     "flame render -j $(nproc) (unsorted)"  "$flame" render -q -j "$(nproc)" "$unsorted"
bench top    "flame render --format top -j 1"       "$flame" render -q -j 1 --format top "$sorted"
if [[ -n ${FLAMEGRAPH_PL:-} && -f $FLAMEGRAPH_PL ]] && command -v perl >/dev/null; then
	head -n $((lines / 10)) "$sorted" > "$scratch/tenth.folded"
	runs_save=$runs; runs=1
	bench pl "flamegraph.pl (a tenth of the input)" perl "$FLAMEGRAPH_PL" "$scratch/tenth.folded"
	runs=$runs_save
fi

line=$(printf '%.0s-' {1..78})
printf '%-42s %9s %9s %9s\n' command seconds "MB/s" "RSS MB"
echo "$line"
for e in "${order[@]}"; do
	key=${e%%|*} label=${e#*|}
	b=$bytes
	[[ $key == pl ]] && b=$(stat -c %s "$scratch/tenth.folded")
	mbps=$(awk -v b="$b" -v s="${secs[$key]}" -v m=$MB 'BEGIN { printf "%.0f", b / m / s }')
	printf '%-42s %9.3f %9s %9s\n' "$label" "${secs[$key]}" "$mbps" "${rss[$key]}"
done
echo "$line"
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
input_mb=$(awk -v b="$bytes" -v m=$MB 'BEGIN { printf "%.1f", b / m }')
s1_mbps=$(awk -v b="$bytes" -v s="${secs[s1]}" -v m=$MB 'BEGIN { printf "%.0f", b / m / s }')
printf '  SVG: %.2f MB, %d frames drawn; %s\n' "$(awk -v b="$svg_bytes" -v m=$MB 'BEGIN { print b / m }')" \
	"$frames" "$(sed 's/^flame: note: //' "$scratch/note" | head -n 1)"
printf '  flame render -j 1 (sorted) / sort:   %s\n' "$(ratio "${secs[s1]}" "${secs[sort]}")"
printf '  flame render -j 1 (unsorted) / sort: %s\n' "$(ratio "${secs[u1]}" "${secs[sort]}")"
if [[ -n ${secs[pl]:-} ]]; then
	pl_mbps=$(awk -v b="$(stat -c %s "$scratch/tenth.folded")" -v s="${secs[pl]}" -v m=$MB 'BEGIN { print b / m / s }')
	printf '  flame render -j 1 (sorted) vs flamegraph.pl: %.0fx the throughput\n' \
		"$(awk -v a="$s1_mbps" -v b="$pl_mbps" 'BEGIN { print a / b }')"
fi
echo
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT MET"; fi; }
echo "goals (informational):"
printf '  %-48s %-8s (%s MB/s)\n' ">= 200 MB/s on one core (sorted folded input)" "$(met "$s1_mbps >= 200")" "$s1_mbps"
printf '  %-48s %-8s (ratio %s)\n' "no slower than sort of the same file" \
	"$(met "${secs[s1]} <= ${secs[sort]}")" "$(ratio "${secs[s1]}" "${secs[sort]}")"
for k in s1 u1 uN; do
	[[ ${rss[$k]} == n/a ]] && continue
	printf '  %-48s %-8s (%s MB for %s MB of input)\n' "peak RSS < 2x input ($k)" \
		"$(met "${rss[$k]} < 2 * $input_mb")" "${rss[$k]}" "$input_mb"
done
printf '  %-48s %-8s (%.2f MB)\n' "SVG under 5 MB with default options" \
	"$(met "$svg_bytes < 5 * $MB")" "$(awk -v b="$svg_bytes" -v m=$MB 'BEGIN { print b / m }')"

# Opening the SVG in Chromium (headless): the script runs over every frame.
chrome=$(command -v chromium || command -v chromium-browser || true)
if [[ -n $chrome ]]; then
	t0=$EPOCHREALTIME
	if timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --no-first-run --disable-sync --user-data-dir="$scratch/chrome" \
		--dump-dom "file://$svg?s=Handler" > "$scratch/dom.html" 2>/dev/null &&
		grep -q '>Matched: ' "$scratch/dom.html"; then
		t1=$EPOCHREALTIME
		printf '  %-48s %-8s (load, script and a search: %.1f s)\n' "opens in Chromium without freezing" met \
			"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
	else
		printf '  %-48s %-8s\n' "opens in Chromium without freezing" "NOT MET"
	fi
else
	printf '  %-48s %-8s (chromium not installed)\n' "opens in Chromium without freezing" "n/a"
fi
[[ $keep == 1 ]] && echo && echo "input kept in $work"
exit 0
