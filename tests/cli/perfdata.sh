#!/usr/bin/env bash
# perfdata.sh FLAME FIXTURES [CORPUS [COLLAPSE_EACH]]
#
# flame collapse of the hand-made perf.data files in fixtures/perfdata
# (see make.py there): their expected folded output, byte for byte, read
# mapped, from a pipe and zstd-compressed; and files damaged in the ways
# that matter (truncated, other byte order, bad sizes), each
# refused with exit 1 and a message naming the offset, or skipped with a
# warning when only one record is bad.  With CORPUS (tests/fuzz/corpus/
# perfdata), each of its inputs must end in exit 0 or 1: all in one process
# with COLLAPSE_EACH (tests/cli/collapse_each.c), else one flame each.
set -u
flame=$1
case $flame in /*) ;; *) flame=$PWD/$flame ;; esac
fixtures=$(cd "$2" && pwd) || exit 2
dir=$fixtures/perfdata
corpus=${3:-}
[ -z "$corpus" ] || corpus=$(cd "$corpus" && pwd) || exit 2
each=${4:-}
case $each in /* | '') ;; *) each=$PWD/$each ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-perfdata.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
pass=0
failed=0

ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL: $*" >&2
	failed=$((failed + 1))
}

# golden INPUT EXPECTED [OPTIONS...]
golden() {
	local in=$1 exp=$2
	shift 2
	if "$flame" collapse -q "$@" "$dir/$in" >out 2>err && cmp -s out "$dir/expected/$exp"; then
		ok
	else
		bad "collapse $* $in: differs from expected/$exp"
		diff out "$dir/expected/$exp" | head -10 >&2
		cat err >&2
	fi
}

golden basic.data basic.folded
golden basic.data basic-pid.folded --pid
golden basic.data basic-tid-addrs.folded --tid --addrs
golden basic.data basic.folded -f perf-data
golden basic.data basic.folded --format perf.data -j 2
# the same records without rounds, and zstd-compressed (perf record -z)
golden noround.data basic.folded
golden compressed.data basic.folded
golden compressed2.data basic.folded
# pipe mode (perf record -o -): the event declared and named in the stream
golden pipe.data basic.folded
golden multi.data multi.folded
golden multi.data multi-cycles.folded --event-filter cycles

# through a pipe (kept in a temporary file), compressed, and merged
if "$flame" collapse -q <"$dir/basic.data" >out && cmp -s out "$dir/expected/basic.folded"; then ok; else
	bad "perf.data from standard input"; fi
zstd -q -c "$dir/basic.data" >basic.data.zst
if "$flame" collapse -q basic.data.zst >out && cmp -s out "$dir/expected/basic.folded"; then ok; else
	bad "perf.data.zst"; fi
"$flame" collapse -q "$dir/basic.data" "$dir/noround.data" >out
awk '{ $NF = 2 * $NF; print }' "$dir/expected/basic.folded" >twice
if cmp -s out twice; then ok; else bad "two perf.data files are not merged"; fi
# other commands detect it too
if "$flame" convert -q -t folded "$dir/basic.data" >out && cmp -s out "$dir/expected/basic.folded"; then
	ok; else bad "convert of perf.data"; fi
if "$flame" formats | grep -q '^perf-data '; then ok; else bad "flame formats lacks perf-data"; fi
# a recording from another host: a warning, the stacks all the same
"$flame" collapse -q "$dir/multi.data" >out 2>err
if grep -q "recorded on another machine.*'elsewhere.invalid'" err; then ok; else
	bad "no warning about the recording's host"; cat err >&2; fi
if "$flame" collapse -q "$dir/basic.data" 2>&1 >/dev/null | grep -q .; then
	bad "warnings about a recording without a host name"; else ok; fi

# refused FILE PATTERN: exit 1, stderr matches PATTERN (ERE), no output
refused() {
	"$flame" collapse -o out.folded "$1" >/dev/null 2>err
	local rc=$?
	if [ $rc = 1 ] && grep -Eq -- "$2" err && [ ! -e out.folded ]; then
		ok
	else
		bad "$1: exit $rc, expected 1 with a message matching '$2'"
		cat err >&2
	fi
}

# patch FILE OFFSET BYTES(printf escapes): overwrite in place
patch() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }

head -c 60 "$dir/basic.data" >short.data
refused short.data 'short.data: offset 8: expected a file header of at least 104 bytes'
head -c 400 "$dir/basic.data" >cut.data
refused cut.data 'cut.data: offset 40: the data section is not inside the file'
cp "$dir/basic.data" be.data && patch be.data 0 '2ELIFREP'
refused be.data 'offset 0: .*other byte order'
printf 'PERFILE2\020\0\0' >pipe.data
refused pipe.data 'offset 8: expected the header size'
# a pipe-mode header alone: no events, no stacks, no error
printf 'PERFILE2\020\0\0\0\0\0\0\0' >pipe.data
if "$flame" collapse pipe.data >out 2>err && [ ! -s out ]; then ok; else bad "empty pipe-mode file"; cat err >&2; fi
# samples before any event is declared are not decoded
dsz=$(od -An -t u8 -j 48 -N 8 "$dir/basic.data" | tr -d ' ') # the data section's size
{ printf 'PERFILE2\020\0\0\0\0\0\0\0'; tail -c +249 "$dir/basic.data" | head -c "$dsz"; } >noattr.data
if "$flame" collapse noattr.data >out 2>err && [ ! -s out ]; then ok; else bad "pipe-mode records without an event"; cat err >&2; fi
cp "$dir/basic.data" attr.data && patch attr.data 16 '\010'
refused attr.data 'offset 16: expected an attr size'
# the first record (at 248) claims a size of 0, then one past the end
cp "$dir/basic.data" zero.data && patch zero.data 254 '\0\0'
refused zero.data 'offset 248: expected a record of at least 8 bytes'
cp "$dir/basic.data" long.data && patch long.data 254 '\377\377'
refused long.data 'offset 248: a record runs past the end of the data section'

# one bad record: skipped with a warning naming its offset; --strict fails
if "$flame" collapse "$dir/malformed.data" >out 2>err && grep -q 'offset 464: a record that does not decode' err &&
	[ "$(cat out)" = "demo;[libdemo.so] 10" ]; then ok; else
	bad "malformed.data: expected one warning and the other samples"; cat err >&2; fi
if "$flame" collapse --strict "$dir/malformed.data" >out 2>err; then bad "--strict accepted a bad record"; else ok; fi
if "$flame" collapse --skip-after x "$dir/basic.data" >out 2>err; then bad "--skip-after accepted"; else
	grep -q 'skip-after does not apply to perf.data' err && ok || bad "--skip-after: no message"; fi

# every saved fuzz input through the whole path (reader, recorder,
# symbolizer): a clean exit 0 or 1, never a crash (the sanitizer build
# turns memory errors into crashes)
# The running kernel's build-id, from /sys/kernel/notes (ELF notes: the
# GNU note of type 3), in hex; nothing when it cannot be read.
kernel_build_id() {
	od -An -v -t u1 /sys/kernel/notes 2>/dev/null | awk '
	{ for (i = 1; i <= NF; i++) b[n++] = $i }
	END {
		p = 0
		while (p + 12 <= n) {
			nsz = b[p] + 256 * b[p + 1] + 65536 * b[p + 2]
			dsz = b[p + 4] + 256 * b[p + 5] + 65536 * b[p + 6]
			type = b[p + 8] + 256 * b[p + 9]
			q = p + 12
			nm = ""
			for (i = 0; i < nsz - 1; i++)
				nm = nm sprintf("%c", b[q + i])
			d = q + int((nsz + 3) / 4) * 4
			if (type == 3 && nm == "GNU") {
				for (i = 0; i < dsz; i++)
					printf "%02x", b[d + i]
				print ""
				exit
			}
			p = d + int((dsz + 3) / 4) * 4
		}
	}'
}

if [ -n "$corpus" ] && [ -n "$each" ]; then
	mkdir each
	# Most inputs name no kernel build-id and get the running kernel's
	# symbols: loading all of /proc/kallsyms for each of them is most of the
	# time under AddressSanitizer.  A short copy in a build-id cache of our
	# own (the way perf keeps one) gives the symbolizer the same work on a
	# smaller table.
	id=$(kernel_build_id)
	if [ -n "$id" ] && head -2000 /proc/kallsyms 2>/dev/null | grep -q '^[0-9a-f]*[1-9a-f][0-9a-f]* T _text$'; then
		mkdir -p "each/bid/[kernel.kallsyms]/$id"
		head -2000 /proc/kallsyms >"each/bid/[kernel.kallsyms]/$id/kallsyms"
	fi
	PERF_BUILDID_DIR=$PWD/each/bid "$each" "$PWD/each" "$corpus" >each/out
	rc=$?
	n=$(sed -n 's/^\([0-9]*\) inputs, .*/\1/p' each/out)
	if [ $rc != 0 ]; then
		if [ -s each/current ]; then
			bad "$(cat each/current): collapse_each ended with status $rc"
			head -5 each/err >&2
		else
			bad "collapse_each: exit $rc"
		fi
	fi
	[ "${n:-0}" -gt 100 ] && ok || bad "only ${n:-0} corpus inputs"
elif [ -n "$corpus" ]; then
	n=0
	for f in "$corpus"/*; do
		"$flame" collapse -q -o /dev/null "$f" >/dev/null 2>err
		rc=$?
		n=$((n + 1))
		if [ $rc != 0 ] && [ $rc != 1 ]; then
			bad "$f: exit $rc"
			head -5 err >&2
		fi
	done
	[ $n -gt 100 ] && ok || bad "only $n corpus inputs"
fi

echo "$pass passed, $failed failed"
[ $failed = 0 ]
