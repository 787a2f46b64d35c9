#!/usr/bin/env bash
# text.sh FLAME FIXTURES GROUP
#
# Text inputs of unusual shape that must still be read (fixtures/text):
#
#   tabs       perf script text with tabs between fields (simpleperf)
#   utf16      folded text in UTF-16 (LE, BE) with a byte order mark, and UTF-8 with one
#   forced     a forced format that matches nothing is an error, not empty output
#   stray      a stray non-folded line: skipped with a warning by every command
#   long       a first line or record longer than the detection window
#   badfirst   a bad count on the first line: that line skipped, not the file
#
# The last line is "N passed, M failed"; the exit code is 1 on any failure.
set -u
if [ $# -lt 3 ]; then
	echo "usage: $0 FLAME FIXTURES GROUP" >&2
	exit 2
fi
flame=$1
fixtures=$(cd "$2" && pwd) || exit 2
group=$3
case $flame in /*) ;; *) flame=$PWD/$flame ;; esac
dir=$fixtures/text
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-text.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
out=$tmp/stdout
err=$tmp/stderr
pass=0
fail=0
work=$tmp
. "$(dirname "${BASH_SOURCE[0]}")/cases.sh"

group_tabs() {
	local in=$dir/simpleperf-tabs.txt
	local j
	for j in 1 2; do
		begin "simpleperf text (tabs), -j $j: the stacks perl finds"
		run collapse -j $j "$in"
		expect_rc 0
		expect_out_same_as "$dir/simpleperf-tabs.expected.txt"
		finish
	done
	begin "simpleperf text on stdin: detected as perf"
	run_stdin "$in" collapse
	expect_rc 0
	expect_out_same_as "$dir/simpleperf-tabs.expected.txt"
	finish
	begin "simpleperf text with tabs expanded to spaces: the same stacks"
	expand "$in" >"$tmp/spaces.txt"
	run collapse spaces.txt
	expect_rc 0
	expect_out_same_as "$dir/simpleperf-tabs.expected.txt"
	finish
}

group_utf16() {
	local f how
	for f in folded-utf16le folded-utf16be folded-utf8bom; do
		begin "$f: collapse reads it as UTF-8 folded text"
		run collapse "$dir/$f.txt"
		expect_rc 0
		expect_out_same_as "$dir/folded-utf16.expected.txt"
		finish
		begin "$f on stdin, gzip-compressed: the same"
		gzip -c "$dir/$f.txt" >"$tmp/$f.gz"
		run_stdin "$tmp/$f.gz" collapse -j 2
		expect_rc 0
		expect_out_same_as "$dir/folded-utf16.expected.txt"
		finish
		begin "$f: convert --to folded and render --format top read it"
		run convert --to folded "$dir/$f.txt"
		expect_rc 0
		expect_out_same_as "$dir/folded-utf16.expected.txt"
		run render --format top "$dir/$f.txt"
		expect_rc 0
		expect_out_has "读取"
		finish
	done
}

group_forced() {
	local in=$dir/stap-one-backtrace.txt
	begin "-f dtrace on SystemTap text: no stacks found, exit 1"
	run collapse -f dtrace "$in"
	expect_rc 1
	expect_err_line "flame collapse: no stacks found; 6 lines did not parse"
	expect_err_has "stap-one-backtrace.txt:1: header line, and no stacks after the header: 'WARNING: Missing unwind data"
	finish
	begin "-f dtrace --strict on SystemTap text: exit 1"
	run collapse -f dtrace --strict "$in"
	expect_rc 1
	finish
	begin "convert --from dtrace on SystemTap text: exit 1"
	run convert --from dtrace --to folded "$in"
	expect_rc 1
	expect_err_has "no stacks found"
	finish
	begin "dtrace's own header and no stacks: still an empty profile, exit 0"
	printf 'CPU     ID                    FUNCTION:NAME\n\n' >"$tmp/hdr.txt"
	run collapse -f dtrace hdr.txt
	expect_rc 0
	finish
}

group_stray() {
	{
		printf 'hello world\n'
		printf 'main;a;b 10\nmain;a;c 20\nmain;d 5\n'
		printf 'hello again\n'
		printf 'main;e 1\nmain;f 2\nmain;g 3\nmain;h 4\nmain;i 5\n'
	} >"$tmp/stray.txt"
	local cmd
	for cmd in collapse render "render --format top" "convert --to folded" "filter" "diff stray.txt"; do
		begin "stray lines, $cmd: skipped with a warning"
		# shellcheck disable=SC2086
		run $cmd stray.txt
		expect_rc 0
		expect_err_has "stray.txt:1: expected 'frame;frame;... COUNT': 'hello world'"
		expect_err_lacks "unrecognized input format"
		expect_err_lacks "does not fit in 64 bits"
		finish
		begin "stray lines on stdin, $cmd: skipped with a warning"
		# shellcheck disable=SC2086
		run_stdin "$tmp/stray.txt" $cmd -
		expect_rc 0
		expect_err_has "<stdin>:5: expected 'frame;frame;... COUNT': 'hello again'"
		finish
	done
	printf 'this is not a profile\nnor is this\n' >"$tmp/junk.txt"
	begin "unrecognized input in convert: the hint names --from"
	run convert --to folded junk.txt
	expect_rc 1
	expect_err_has "name it with --from"
	finish
	begin "unrecognized input in render --format top: the hint names --from"
	run render --format top junk.txt
	expect_rc 1
	expect_err_has "name it with --from"
	finish
	begin "a count that fits, with decimals elsewhere: the message says why"
	printf 'a 0.000000001\nb 100000000000000000\n' >"$tmp/dec.txt"
	run collapse -f folded dec.txt
	expect_rc 1
	expect_err_has "with 9 decimal places"
	finish
}

group_long() {
	python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
deep = ';'.join('frame_%d' % i for i in range(21846))
open(d + '/deep.txt', 'w').write(deep + ' 1\nmain;x 2\n')
PY
	local x
	begin "a first folded line of 21,846 frames: detected as folded"
	run collapse deep.txt
	expect_rc 0
	[ "$(wc -l <"$out")" -eq 2 ] || problem "expected 2 stacks, got $(wc -l <"$out")"
	finish
	begin "the same on stdin, -j 2"
	run_stdin "$tmp/deep.txt" collapse -j 2
	expect_rc 0
	[ "$(wc -l <"$out")" -eq 2 ] || problem "expected 2 stacks"
	finish
	run convert --from folded deep.txt -o deep.speedscope.json
	python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
open(d + '/wide.txt', 'w').write(''.join('main;function_number_%d;leaf 1\n' % i for i in range(6000)))
PY
	run convert wide.txt -o wide.d3.json --to d3
	for x in deep.speedscope.json wide.d3.json; do
		begin "render reads flame's own one-line $x"
		run render "$x" -o "$x.svg"
		expect_rc 0
		expect_err_lacks "did not parse"
		finish
		begin "render reads flame's own one-line $x on stdin"
		run_stdin "$tmp/$x" render -o "$x.svg"
		expect_rc 0
		finish
		begin "convert --to folded reads $x"
		run convert --to folded "$x"
		expect_rc 0
		finish
	done
	begin "a 10 MB line of junk: still unrecognized"
	head -c 10000000 /dev/zero | tr '\0' a >"$tmp/junk.txt"
	run collapse junk.txt
	expect_rc 1
	expect_err_has "unrecognized input format"
	finish
}

group_badfirst() {
	printf 'a;b x\na;b 1\na;c 2\n' >"$tmp/bad.txt"
	local cmd
	for cmd in collapse "convert --to folded" render filter; do
		begin "bad count on line 1, $cmd: the line is skipped"
		# shellcheck disable=SC2086
		run $cmd bad.txt
		expect_rc 0
		expect_err_has "bad.txt:1: expected 'frame;frame;... COUNT': 'a;b x'"
		finish
	done
	begin "bad count on line 1: the other stacks are kept"
	run collapse bad.txt
	[ "$(cat "$out")" = "$(printf 'a;b 1\na;c 2')" ] || problem "stdout is '$(cat "$out")'"
	finish
	begin "bad count on line 1 with --strict: exit 1"
	run collapse --strict bad.txt
	expect_rc 1
	finish
}

case $group in
tabs | utf16 | forced | stray | long | badfirst) "group_$group" ;;
*)
	echo "unknown group '$group'" >&2
	exit 2
	;;
esac
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
