#!/usr/bin/env bash
# inline.sh FLAME FIXTURES - flame collapse --inline/--context/--srcline on
# the hand-written fixtures in fixtures/collapse-inline (expected outputs
# checked by hand; see fixtures/README.md), with 1 and 2 threads.
set -u
FLAME=$1
DIR=$2/collapse-inline
status=0
check() { # INPUT EXPECTED OPTIONS...
	local in=$1 exp=$2
	shift 2
	for j in 1 2; do
		if ! "$FLAME" collapse -j $j "$@" "$DIR/$in" 2>/dev/null | diff -u "$DIR/$exp" - >&2; then
			echo "FAIL: collapse -j $j $* $in differs from $exp" >&2
			status=1
		fi
	done
}
check perf-inlined.txt perf-inlined.expected.txt
check perf-inlined.txt perf-inlined.expected.inline.txt --inline
check perf-inlined.txt perf-inlined.expected.inline.txt --inline --context
check perf-srcline.txt perf-srcline.expected.txt
check perf-srcline.txt perf-srcline.expected.srcline.txt --srcline
check perf-srcline.txt perf-srcline.expected.srcline-inline.txt --srcline --inline

# Without --srcline the srcline lines are reported, as FlameGraph warns
# "Unrecognized line"; --strict makes that an error.
if "$FLAME" collapse --strict "$DIR/perf-srcline.txt" >/dev/null 2>&1; then
	echo "FAIL: srcline lines without --srcline passed --strict" >&2
	status=1
fi
"$FLAME" collapse --srcline --strict "$DIR/perf-srcline.txt" >/dev/null 2>&1 ||
	{ echo "FAIL: --srcline --strict rejected the srcline fixture" >&2; status=1; }
exit $status
