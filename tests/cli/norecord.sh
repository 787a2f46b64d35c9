#!/usr/bin/env bash
# norecord.sh FLAME FIXTURES - a flame built with -DFLAME_WITH_RECORD=OFF:
# flame record, perf.data input (found by its magic or named with -f) and
# collapse --inline/--context each answer with one line saying they are not
# built in, and exit 1; everything else (--srcline too) still works.
set -u
FLAME=$1
FIX=$2
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-norecord.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
small=$tmp/small.txt
printf 'prog 1234 100.000001: 1 cycles:\n\t    401000 leaf+0x10 (/usr/bin/prog)\n' >"$small"
printf '\t    402000 main+0x20 (/usr/bin/prog)\n\n' >>"$small"

# expect RC LINE ARGS...: exit status RC, nothing on stdout, exactly LINE on stderr
expect() {
	local rc=$1 line=$2
	shift 2
	"$FLAME" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	local got=$?
	if [ $got -ne "$rc" ] || [ -s "$tmp/out" ] || [ "$(cat "$tmp/err")" != "$line" ]; then
		echo "FAIL: flame $*: exit $got (expected $rc), stderr:" >&2
		sed 's/^/  /' "$tmp/err" >&2
		[ -s "$tmp/out" ] && echo "  (and output on stdout)" >&2
		fail=1
	fi
}

rec="flame record: not built in (this flame was built with -DFLAME_WITH_RECORD=OFF)"
expect 1 "$rec" record -- true
expect 1 "$rec" record --help
expect 1 "$rec" record -p 1
expect 1 "$rec" help record

pd="perf.data reading is not built in (this flame was built with -DFLAME_WITH_RECORD=OFF)"
data=$FIX/perfdata/basic.data
expect 1 "flame collapse: $data: $pd" collapse "$data"
expect 1 "flame collapse: $data: $pd" collapse -f perf-data "$data"
expect 1 "flame convert: $data: $pd" convert --to speedscope "$data"
"$FLAME" collapse - <"$data" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && [ ! -s "$tmp/out" ] && [ "$(cat "$tmp/err")" = "flame collapse: <stdin>: $pd" ] ||
	{ echo "FAIL: perf.data on stdin: exit $rc, $(cat "$tmp/err")" >&2; fail=1; }

for opt in --inline --context; do
	expect 1 "flame collapse: $opt: not built in (this flame was built with -DFLAME_WITH_RECORD=OFF)" \
		collapse $opt "$small"
done

# the rest still works
for opt in "" --srcline; do
	[ "$("$FLAME" collapse $opt "$small" 2>&1)" = "prog;main;leaf 1" ] ||
		{ echo "FAIL: collapse $opt of perf script text" >&2; fail=1; }
done
"$FLAME" formats | grep -q '^.*perf-data' ||
	{ echo "FAIL: flame formats does not list perf-data" >&2; fail=1; }

# the binary needs none of the recorder's libraries
if command -v ldd >/dev/null 2>&1; then
	libs=$(ldd "$FLAME" | grep -E 'libelf|libdw|libiberty')
	[ -z "$libs" ] || { echo "FAIL: linked against the recorder's libraries: $libs" >&2; fail=1; }
else
	echo "note: no ldd here; the linked libraries are not checked"
fi

[ $fail = 0 ] && echo "ok: record, perf.data and --inline say not built in"
exit $fail
