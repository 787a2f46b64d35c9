#!/usr/bin/env bash
# unit.sh FLAME FIXTURES - the folded unit line: a profile whose counts are
# not samples is written as folded text starting with "# unit=ns" (bytes,
# events); reading it back keeps the unit, so render names the counts and
# convert writes the unit to formats that have one.  Samples: no line.
set -u
FLAME=$1
FIX=$2
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-unit.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
bad() { echo "FAIL: $*" >&2; fail=1; }

# nanoseconds from a .cpuprofile: the unit line first, then the stacks as before
"$FLAME" convert -q --to folded "$FIX/convert/chrome-simple.cpuprofile" >"$tmp/ns.folded" || bad "convert: exit $?"
[ "$(head -n 1 "$tmp/ns.folded")" = "# unit=ns" ] || bad "cpuprofile -> folded: no '# unit=ns' first"
[ "$(grep -c '^#' "$tmp/ns.folded")" = 1 ] || bad "cpuprofile -> folded: more than one comment line"
# render: the counts are ns, and the unit line is no bad line
"$FLAME" render "$tmp/ns.folded" -o "$tmp/ns.svg" 2>"$tmp/err" || bad "render ns: exit $?"
[ -s "$tmp/err" ] && { bad "render ns: said something"; cat "$tmp/err" >&2; }
grep -q '<title>.* ns, [0-9.]*%)</title>' "$tmp/ns.svg" || bad "render ns: counts not named ns"
grep -q ' samples, [0-9.]*%)</title>' "$tmp/ns.svg" && bad "render ns: counts named samples"
# the same from standard input, and with the streaming path ruled out
"$FLAME" render <"$tmp/ns.folded" >"$tmp/ns2.svg" 2>"$tmp/err" || bad "render ns stdin: exit $?"
cmp -s "$tmp/ns.svg" "$tmp/ns2.svg" || bad "render ns: stdin differs from the file"
"$FLAME" render --no-stream "$tmp/ns.folded" -o "$tmp/ns3.svg" || bad "render --no-stream: exit $?"
cmp -s "$tmp/ns.svg" "$tmp/ns3.svg" || bad "render ns: --no-stream differs"
# --countname still wins
"$FLAME" render --countname=ticks "$tmp/ns.folded" -o "$tmp/t.svg" || bad "render --countname: exit $?"
grep -q ' ticks, [0-9.]*%)</title>' "$tmp/t.svg" || bad "--countname not used"
# convert: to speedscope in nanoseconds, and folded back the same
"$FLAME" convert -q --to speedscope "$tmp/ns.folded" -o "$tmp/ns.speedscope.json" || bad "folded -> speedscope: exit $?"
grep -q '"unit": *"nanoseconds"' "$tmp/ns.speedscope.json" || bad "folded -> speedscope: unit not nanoseconds"
"$FLAME" convert -q --to folded "$tmp/ns.speedscope.json" >"$tmp/back.folded" || bad "speedscope -> folded: exit $?"
cmp -s "$tmp/ns.folded" "$tmp/back.folded" || bad "folded -> speedscope -> folded differs"
"$FLAME" convert --to folded "$tmp/ns.folded" >"$tmp/again.folded" 2>"$tmp/err" || bad "folded -> folded: exit $?"
cmp -s "$tmp/ns.folded" "$tmp/again.folded" || bad "folded -> folded differs"
[ -s "$tmp/err" ] && { bad "folded -> folded: said something"; cat "$tmp/err" >&2; }

# hand-written bytes, one stack (the probe takes the unit line as folded)
printf '# unit=bytes\nmain;alloc 4096\n' >"$tmp/b.txt"
"$FLAME" render "$tmp/b.txt" -o "$tmp/b.svg" 2>"$tmp/err" || bad "render bytes: exit $?"
[ -s "$tmp/err" ] && { bad "render bytes: said something"; cat "$tmp/err" >&2; }
grep -q '<title>alloc (4,096 bytes, 100.00%)</title>' "$tmp/b.svg" || bad "render bytes: counts not named bytes"
"$FLAME" convert -q --to speedscope "$tmp/b.txt" | grep -q '"unit": *"bytes"' || bad "bytes -> speedscope: unit not bytes"
[ "$("$FLAME" convert --to folded "$tmp/b.txt")" = "$(cat "$tmp/b.txt")" ] || bad "bytes -> folded differs"
# blank lines before it are fine; events; only a unit line (no stacks)
printf '\n\n# unit=events\na;b 3\na;c 1\n' | "$FLAME" convert --to folded >"$tmp/out" || bad "events: exit $?"
[ "$(cat "$tmp/out")" = "$(printf '# unit=events\na;b 3\na;c 1')" ] || bad "events: not kept"
printf '# unit=ns\n' >"$tmp/empty.folded"
"$FLAME" convert -q --to speedscope "$tmp/empty.folded" -o "$tmp/empty.json" 2>"$tmp/err" || true
grep -q 'not in a format' "$tmp/err" && bad "only a unit line: not taken as folded"

# many lines on two threads: the unit survives the merge of the parsers
awk 'BEGIN { print "# unit=ns"; for (i = 0; i < 300000; i++) printf "main;f%d;g 1000\n", i % 97 }' >"$tmp/big.folded"
"$FLAME" convert -q -j 2 --to speedscope "$tmp/big.folded" | grep -q '"unit": *"nanoseconds"' || bad "two threads: unit lost"

# samples: no unit line, as before
printf 'a;b 3\na;c 1\n' >"$tmp/s.folded"
"$FLAME" convert --to folded "$tmp/s.folded" >"$tmp/out" || bad "samples: exit $?"
cmp -s "$tmp/s.folded" "$tmp/out" || bad "samples: output changed"
"$FLAME" render "$tmp/s.folded" -o "$tmp/s.svg" || bad "render samples: exit $?"
grep -q ' samples, [0-9.]*%)</title>' "$tmp/s.svg" || bad "render samples: counts not named samples"
# "# unit=samples" is the default stated
printf '# unit=samples\na;b 3\n' | "$FLAME" convert --to folded >"$tmp/out" 2>"$tmp/err" || bad "unit=samples: exit $?"
[ "$(cat "$tmp/out")" = "a;b 3" ] || bad "unit=samples: output"

# the unit line only counts first; elsewhere it is a bad line, like flamegraph.pl
printf 'a;b 3\na;c 1\n# unit=ns\n' | "$FLAME" convert --to folded >"$tmp/out" 2>"$tmp/err" || bad "late unit line: exit $?"
[ "$(cat "$tmp/out")" = "$(printf 'a;b 3\na;c 1')" ] || bad "late unit line: taken"
grep -q "warning: .*expected 'frame;frame;... COUNT'.*'# unit=ns'" "$tmp/err" || bad "late unit line: no warning"
# an unknown unit: said, counts kept
printf '# unit=furlongs\na;b 3\n' | "$FLAME" convert --to folded >"$tmp/out" 2>"$tmp/err" || bad "unknown unit: exit $?"
[ "$(cat "$tmp/out")" = "a;b 3" ] || bad "unknown unit: output"
grep -q "unknown unit" "$tmp/err" || bad "unknown unit: not said"

# merged inputs: different stated units are refused; an input without the
# line takes the other's unit
"$FLAME" convert --to folded "$tmp/ns.folded" "$tmp/b.txt" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || bad "ns + bytes: exit $rc, expected 1"
grep -q "different units cannot be merged" "$tmp/err" || { bad "ns + bytes: not said"; cat "$tmp/err" >&2; }
"$FLAME" render "$tmp/ns.folded" "$tmp/b.txt" -o "$tmp/m.svg" 2>"$tmp/err"
rc=$?
[ $rc = 1 ] || bad "render ns + bytes: exit $rc, expected 1"
"$FLAME" convert --to folded "$tmp/s.folded" "$tmp/b.txt" >"$tmp/out" || bad "samples + bytes: exit $?"
[ "$(head -n 1 "$tmp/out")" = "# unit=bytes" ] || bad "samples + bytes: not bytes"

[ $fail = 0 ] && echo ok
exit $fail
