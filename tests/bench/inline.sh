#!/usr/bin/env bash
# Cost of `flame collapse --inline` (DWARF inline chains through libdw),
# against plain collapse and against addr2line over the same addresses.
#
# usage: tests/bench/inline.sh [FLAME_BINARY] [SECONDS]
#
#   FLAME_BINARY  default: $FLAME, else build/flame under the repository root
#   SECONDS       how long perf records the inline workload (default 5)
#
# Needs perf (perf_event_open allowed) and the workload
# build/tests/record/workloads/flame-test-inline.  The perf script text is
# repeated to about 50 MB so the timings are not all start-up.  Two
# inputs: the inline workload (few hot addresses) and a profile of flame
# collapse itself (a -g build: thousands of addresses).  Baselines,
# measured in the same run: plain `flame collapse` of the same text, and
# addr2line -i -f -C over the distinct user addresses of the text, once
# batched per binary (addr2line at its best) and once per address as
# stackcollapse-perf.pl --inline runs it.  A benchmark, not a test.
set -euo pipefail
export LC_ALL=C
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
flame=${1:-${FLAME:-$repo_root/build/flame}}
secs=${2:-5}
prog=$(dirname "$flame")/tests/record/workloads/flame-test-inline
[[ -x $flame && -x $prog ]] || { echo "inline.sh: need $flame and $prog (build first)" >&2; exit 2; }
flame=$(cd "$(dirname "$flame")" && pwd)/$(basename "$flame")
prog=$(cd "$(dirname "$prog")" && pwd)/$(basename "$prog")
command -v perf >/dev/null || { echo "inline.sh: perf not installed" >&2; exit 2; }
command -v addr2line >/dev/null || { echo "inline.sh: addr2line not installed" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/flame-bench-inline.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

perf record -q -g -F 4999 -o perf.data -- "$prog" "$secs" >/dev/null 2>&1
perf script -i perf.data >one.txt 2>/dev/null

best() { # best of 3 wall-clock seconds of a command
	local b=
	for _ in 1 2 3; do
		local t0 t1
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s.%N)
		b=$(awk -v a="$t0" -v z="$t1" -v b="$b" 'BEGIN { t = z - a; print (b == "" || t < b) ? t : b }')
	done
	echo "$b"
}
measure() { # NAME TEXT(one copy) TEXT(repeated)
	local name=$1 one=$2 big=$3 size
	size=$(stat -c %s "$big")
	local t_plain t_inline t_ctx t_fixed t_fixed0 t_a2l t_a2l1 n
	t_plain=$(best "$flame" collapse -j1 "$big")
	t_inline=$(best "$flame" collapse -j1 --inline "$big")
	t_ctx=$(best "$flame" collapse -j1 --inline --context "$big")
	t_fixed0=$(best "$flame" collapse -j1 "$one")
	t_fixed=$(best "$flame" collapse -j1 --inline "$one")
	# distinct user addresses, per binary, as perf printed them
	awk '/^\t/ && $NF ~ /^\(\// && $NF !~ /perf-[0-9]+\.map|kernel\./ {
		m = substr($NF, 2, length($NF) - 2); print m, $1 }' "$one" | sort -u >addrs.txt
	n=$(wc -l <addrs.txt)
	t_a2l=$(best batched)
	t_a2l1=$(best per_addr)
	awk -v name="$name" -v size="$size" -v p="$t_plain" -v i="$t_inline" -v c="$t_ctx" -v n="$n" \
	    -v a="$t_a2l" -v a1="$t_a2l1" -v f="$t_fixed" -v f0="$t_fixed0" 'BEGIN {
		mb = size / 1048576
		printf "== %s: %.1f MB of perf script text, %d distinct user addresses\n", name, mb, n
		printf "collapse (plain)            %7.3f s  %7.1f MB/s\n", p, mb / p
		printf "collapse --inline           %7.3f s  %7.1f MB/s  (%.2fx plain)\n", i, mb / i, i / p
		printf "collapse --inline --context %7.3f s  %7.1f MB/s  (%.2fx plain)\n", c, mb / c, c / p
		d = f - f0; if (d < 0.001) d = 0.001
		printf "--inline on one copy: %.3f s more than plain (opening DWARF, %d lookups)\n", d, n
		printf "addr2line -i, batched per binary, same addresses: %.3f s (%.1fx flame)\n", a, a / d
		printf "addr2line -i, once per address (stackcollapse-perf.pl --inline): %.3f s (%.1fx flame)\n", a1, a1 / d
	}'
}
batched() {
	awk '{ print $1 }' addrs.txt | sort -u | while read -r m; do
		awk -v m="$m" '$1 == m { print "0x" $2 }' addrs.txt | addr2line -a -i -f -s -C -e "$m" >/dev/null
	done
}
per_addr() {
	while read -r m a; do addr2line -a "0x$a" -e "$m" -i -f -s -C >/dev/null; done <addrs.txt
}
repeat() { # ONE BIG: BIG = ONE repeated to about 50 MB
	: >"$2"
	while [[ $(stat -c %s "$2") -lt $((50 << 20)) ]]; do cat "$1" >>"$2"; done
}

repeat one.txt in.txt
measure "inline workload (flame-test-inline, $secs s)" one.txt in.txt

# Many distinct addresses: flame itself (built with -g) collapsing that text.
perf record -q -g -F 4999 -o self.data -- "$flame" collapse -j1 --inline in.txt >/dev/null 2>&1
perf script -i self.data >self.txt 2>/dev/null
repeat self.txt self-big.txt
measure "flame collapse itself" self.txt self-big.txt
