#!/usr/bin/env bash
# Throughput and memory benchmark for `flame convert`:
#   Chrome trace (JSON, X events) -> folded: random stacks (nearly every
#     event a new stack: memory follows the trie) and repeating stacks
#     (a few thousand distinct stacks: memory stays flat as input grows)
#   folded -> speedscope
#   speedscope -> folded
# with `jq -c .` over the same JSON as the yardstick, in the same run.
#
# usage: tests/bench/convert.sh [FLAME_BINARY] [SIZE_MB]
#   FLAME_BINARY  default: $FLAME, else build/flame under the repository root
#   SIZE_MB       size of each generated input (default 200)
# Environment: BENCH_DIR keeps the inputs (reused by later runs); RUNS
# timed runs per command, the best is reported (default 2).
# A benchmark, not a test: exits 0 whatever the timings, 1 if a command fails.
set -euo pipefail
export LC_ALL=C
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)
flame=${1:-${FLAME:-$repo_root/build/flame}}
size_mb=${2:-200}
runs=${RUNS:-2}
if [ -n "${BENCH_DIR:-}" ]; then dir=$BENCH_DIR; mkdir -p "$dir"; else dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT; fi
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package 'time')"; exit 1; }

trace=$dir/trace-${size_mb}m.json
reptrace=$dir/trace-rep-${size_mb}m.json
folded=$dir/stacks-${size_mb}m.folded
if [ ! -s "$trace" ]; then
	echo "generating $trace ..."
	# nested X events on 16 threads, names from 5000 functions, depth <= 24;
	# ts with %.0f: mawk's %d stops at 2^31 (about 270 MB of trace)
	awk -v target=$((size_mb * 1000000)) 'BEGIN {
		srand(7); printf "{\"traceEvents\":[\n"; bytes = 20; n = 0
		for (t = 1; t <= 16; t++) printf "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"worker-%d\"}},\n", t, t
		ts = 0
		while (bytes < target) {
			tid = 1 + int(rand() * 16); depth = 1 + int(rand() * 24); dur = 10000; start = ts
			for (d = 0; d < depth; d++) {
				f = int(rand() * 5000)
				line = sprintf("{\"name\":\"fn_%d::work<T>\",\"cat\":\"c\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.0f.%03d,\"dur\":%d.%03d},\n", f, tid, start + d, int(rand()*1000), dur - 2 * d, 0)
				printf "%s", line; bytes += length(line)
			}
			ts += 10001
		}
		printf "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"bench\"}}\n]}\n"
	}' > "$trace"
fi
if [ ! -s "$reptrace" ]; then
	echo "generating $reptrace ..."
	# the same shape, but each burst is one of 500 call paths: a few
	# thousand distinct stacks however big the file
	awk -v target=$((size_mb * 1000000)) 'BEGIN {
		srand(7); printf "{\"traceEvents\":[\n"; bytes = 20
		ts = 0
		while (bytes < target) {
			tid = 1 + int(rand() * 16); path = int(rand() * 500); depth = 1 + path % 24; dur = 10000; start = ts
			for (d = 0; d < depth; d++) {
				line = sprintf("{\"name\":\"fn_%d::work<T>\",\"cat\":\"c\",\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%.0f.%03d,\"dur\":%d.%03d},\n", (path * 31 + d * 17) % 5000, tid, start + d, int(rand()*1000), dur - 2 * d, 0)
				printf "%s", line; bytes += length(line)
			}
			ts += 10001
		}
		printf "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"bench\"}}\n]}\n"
	}' > "$reptrace"
fi
if [ ! -s "$folded" ]; then
	echo "generating $folded ..."
	awk -v target=$((size_mb * 1000000)) 'BEGIN {
		srand(11); bytes = 0
		while (bytes < target) {
			depth = 2 + int(rand() * 30); s = "main"
			for (d = 0; d < depth; d++) s = s ";mod_" int(rand() * 40) "::fn_" int(rand() * 400)
			line = s " " (1 + int(rand() * 1000000000)); print line; bytes += length(line) + 1
		}
	}' > "$folded"
fi

measure() { # label input-bytes command...
	local label=$1 bytes=$2; shift 2
	local best=999999 rss=0
	for ((i = 0; i < runs; i++)); do
		/usr/bin/time -f '%e %M' -o "$dir/time" "$@" > /dev/null
		read -r secs kb < "$dir/time"
		best=$(awk -v a="$best" -v b="$secs" 'BEGIN { print (b < a ? b : a) }')
		rss=$kb
	done
	awk -v l="$label" -v s="$best" -v b="$bytes" -v r="$rss" 'BEGIN {
		printf "%-40s %8.2f s %9.1f MB/s  peak RSS %7.1f MB\n", l, s, b / 1e6 / (s > 0 ? s : 0.001), r / 1024 }'
}
tb=$(stat -c %s "$trace"); fb=$(stat -c %s "$folded")
echo "inputs: trace $((tb / 1000000)) MB, folded $((fb / 1000000)) MB"
measure "jq -c . (trace)" "$tb" jq -c . "$trace"
measure "flame convert chrome -> folded" "$tb" "$flame" convert -q --from chrome --to folded "$trace"
measure "flame convert chrome -> speedscope" "$tb" "$flame" convert -q --from chrome --to speedscope "$trace"
rb=$(stat -c %s "$reptrace")
measure "flame convert chrome (repeating) -> folded" "$rb" "$flame" convert -q --from chrome --to folded "$reptrace"
measure "flame convert folded -> speedscope" "$fb" "$flame" convert -q --to speedscope "$folded"
"$flame" convert -q --to speedscope -o "$dir/big.speedscope.json" "$folded"
sb=$(stat -c %s "$dir/big.speedscope.json")
measure "jq -c . (speedscope, $((sb / 1000000)) MB)" "$sb" jq -c . "$dir/big.speedscope.json"
measure "flame convert speedscope -> folded" "$sb" "$flame" convert -q --to folded "$dir/big.speedscope.json"
