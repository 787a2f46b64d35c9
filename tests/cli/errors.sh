#!/usr/bin/env bash
# errors.sh FLAME FIXTURES GROUP [VERSION]
#
# Exit codes and messages of flame and flame collapse when things go wrong
# (and the few ways they must not).  GROUP is one of:
#
#   usage       options, commands, help and version (exit 0 or 2)
#   input       unreadable, unrecognized, truncated, oversized or empty input
#   output      output files and standard output that cannot be written
#   data        bad records inside readable input, warnings, --strict
#   known-bugs  behaviour that is wrong today; expected to fail until fixed
#
# Every case states what it expects; a failing case prints what it got.
# The last line is "N passed, M failed"; the exit code is 1 on any failure.
set -u

if [ $# -lt 3 ]; then
	echo "usage: $0 FLAME FIXTURES GROUP [VERSION]" >&2
	exit 2
fi
flame=$1
fixtures=$2
group=$3
version=${4:-0.1.0}
case $flame in /*) ;; *) flame=$PWD/$flame ;; esac
if [ ! -x "$flame" ]; then
	echo "flame binary not found: $flame" >&2
	exit 2
fi
fixtures=$(cd "$fixtures" && pwd) || exit 2
perfdir=$fixtures/conformance/collapse-perf
for prog in zstd gzip cmp; do
	if ! command -v $prog >/dev/null 2>&1; then
		echo "skipped: '$prog' is not installed"
		exit 77
	fi
done

# A flame built with -DFLAME_WITH_RECORD=OFF has no --inline or --context
# (norecord.sh checks what it says instead): those cases are skipped.
with_record=1
if "$flame" record --help 2>&1 | grep -q 'not built in'; then
	with_record=0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-errors.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
work=$tmp/work
mkdir -p "$work"
out=$tmp/stdout
err=$tmp/stderr

pass=0
fail=0

. "$(dirname "${BASH_SOURCE[0]}")/cases.sh"

# A small perf script sample set: 2 samples of one stack.
small_perf() {
	printf 'prog 1234 100.000001: 1 cycles:\n'
	printf '\t    401000 leaf+0x10 (/usr/bin/prog)\n'
	printf '\t    402000 main+0x20 (/usr/bin/prog)\n\n'
	printf 'prog 1234 100.000002: 1 cycles:\n'
	printf '\t    401000 leaf+0x10 (/usr/bin/prog)\n'
	printf '\t    402000 main+0x20 (/usr/bin/prog)\n\n'
}
small_perf >"$work/small.txt"
small_perf_out='prog;main;leaf 2'

# ---------------------------------------------------------------- usage

group_usage() {
	begin "flame with no command: exit 2, usage on stderr"
	run
	expect_rc 2
	expect_out_empty
	expect_err_has "usage: flame [--version] [--help] <command> [<args>]"
	expect_err_match "^ +collapse +"
	finish

	local opt
	for opt in --help -h; do
		begin "flame $opt: exit 0, usage on stdout"
		run $opt
		expect_rc 0
		expect_out_has "usage: flame [--version] [--help] <command> [<args>]"
		expect_out_has "collapse"
		expect_err_empty
		finish
	done
	cp "$out" "$tmp/main-help"

	begin "flame help: same text as flame --help"
	run help
	expect_rc 0
	expect_out_same_as "$tmp/main-help"
	expect_err_empty
	finish

	for opt in --help -h; do
		begin "flame collapse $opt: exit 0, collapse usage on stdout"
		run collapse $opt
		expect_rc 0
		[ "$(head -n 1 "$out")" = "usage: flame collapse [options] [FILE...]" ] ||
			problem "first line is '$(head -n 1 "$out")'"
		expect_out_has "--format FMT"
		expect_out_has "--output FILE"
		expect_err_empty
		finish
	done
	cp "$out" "$tmp/collapse-help"

	begin "flame help collapse: same text as flame collapse --help"
	run help collapse
	expect_rc 0
	expect_out_same_as "$tmp/collapse-help"
	expect_err_empty
	finish

	local args
	for args in "--version" "-V" "collapse --version" "collapse -V"; do
		begin "flame $args: exit 0, 'flame $version'"
		# shellcheck disable=SC2086
		run $args
		expect_rc 0
		expect_out_is "flame $version"
		expect_err_empty
		finish
	done

	begin "flame formats: lists perf, dtrace and folded"
	run formats
	expect_rc 0
	grep -qE '^perf +yes +- ' "$out" || problem "no 'perf yes -' line (read, not written)"
	grep -qE '^dtrace +yes +- ' "$out" || problem "no 'dtrace yes -' line (read, not written)"
	grep -qE '^folded +yes +yes ' "$out" || problem "no 'folded yes yes' line (read and written)"
	finish

	begin "unknown option: exit 2, names it, points to --help"
	run collapse --bogus small.txt -o out.txt
	expect_rc 2
	expect_out_empty
	expect_err_line "flame collapse: unknown option '--bogus'"
	expect_err_line "Try 'flame collapse --help' for more information."
	expect_no_file "$work/out.txt"
	finish

	begin "unknown short option: exit 2"
	run collapse -Z small.txt
	expect_rc 2
	expect_err_line "flame collapse: unknown option '-Z'"
	finish

	begin "unknown option before the command: exit 2"
	run -x
	expect_rc 2
	expect_err_line "flame: unknown option '-x'"
	finish

	local j
	for j in abc -1 2000 1.5 4x; do
		begin "bad -j value '$j': exit 2, says what -j expects"
		run collapse -j "$j" small.txt
		expect_rc 2
		expect_out_empty
		expect_err_match "^flame collapse: --jobs expects a whole number.*, got '$j'$"
		finish
	done
	begin "bad --jobs=VALUE: exit 2"
	run collapse --jobs= small.txt
	expect_rc 2
	expect_err_has "--jobs expects a whole number"
	finish

	begin "-j without a value: exit 2"
	run collapse small.txt -j
	expect_rc 2
	expect_err_line "flame collapse: option '-j' needs a value"
	finish

	begin "-o without a value: exit 2"
	run collapse small.txt -o
	expect_rc 2
	expect_err_line "flame collapse: option '-o' needs a value"
	finish

	begin "-j 0 means all cores: exit 0"
	run collapse -j 0 small.txt
	expect_rc 0
	expect_out_is "$small_perf_out"
	finish

	begin "unknown format name: exit 2, lists the formats"
	run collapse -f nope small.txt
	expect_rc 2
	expect_out_empty
	expect_err_line "flame collapse: unknown format 'nope' (expected one of: perf, perf-data, dtrace, folded, speedscope, chrome, cpuprofile, d3, firefox, pprof)"
	finish

	local alias
	for alias in perf perf-script; do
		begin "format name '$alias' is accepted"
		run collapse -f $alias small.txt
		expect_rc 0
		expect_out_is "$small_perf_out"
		finish
	done
	printf 'a;b 3\n' >"$work/small.folded"
	for alias in folded collapsed stackcollapse-folded; do
		begin "format name '$alias' is accepted"
		run collapse --format=$alias small.folded
		expect_rc 0
		expect_out_is "a;b 3"
		finish
	done

	for opt in --inline --context --srcline "--inline --context"; do
		if [ $with_record = 0 ] && [ "$opt" != --srcline ]; then
			continue
		fi
		begin "$opt: frames of files that are not there stay as they are"
		run collapse $opt small.txt
		expect_rc 0
		expect_out_is "$small_perf_out"
		finish
	done

	begin "flame colapse: exit 2, suggests 'collapse'"
	run colapse
	expect_rc 2
	expect_err_line "flame: 'colapse' is not a flame command. See 'flame --help'."
	expect_err_line "The most similar command is"
	expect_err_line "$(printf '\tcollapse')"
	finish

	begin "flame help colapse: exit 2, suggests 'collapse'"
	run help colapse
	expect_rc 2
	expect_err_line "$(printf '\tcollapse')"
	finish

	begin "flame frobnicate: exit 2, no suggestion"
	run frobnicate
	expect_rc 2
	expect_err_line "flame: 'frobnicate' is not a flame command. See 'flame --help'."
	expect_err_lacks "most similar"
	finish

	# Commands that `flame --help` lists as "(not built yet)" refuse to run.
	# Which ones those are changes as flame grows, so they are taken from
	# the listing itself.
	local cmd planned
	planned=$(sed -n 's/^   \([a-z]*\) .*(not built yet)$/\1/p' "$tmp/main-help")
	if [ -z "$planned" ]; then
		echo "skip no command is listed as not built yet"
	fi
	for cmd in $planned; do
		begin "flame $cmd (listed as not built yet): exit 2, not built yet"
		run $cmd
		expect_rc 2
		expect_out_empty
		expect_err_line "flame $cmd: not built yet in this version of flame ($version)"
		finish
		begin "flame help $cmd: exit 2, not built yet"
		run help $cmd
		expect_rc 2
		expect_err_line "flame $cmd: not built yet in this version of flame ($version)"
		finish
	done
	begin "flame --help lists collapse as built"
	grep -qE '^   collapse .*[^)]$' "$tmp/main-help" || problem "collapse is missing or marked not built"
	finish
}

# ---------------------------------------------------------------- input

group_input() {
	head -c 100000 /dev/urandom >"$work/junk.bin"
	begin "binary garbage, format detected: exit 1, unrecognized input format"
	run collapse junk.bin
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: junk.bin: unrecognized input format (expected one of: perf, perf-data, dtrace, folded, speedscope, chrome, cpuprofile, d3, firefox, pprof); name it with --format"
	finish

	# Detection looks at a fixed prefix of the input, whatever the pieces
	# the input arrives in: plain, compressed and piped inputs agree.
	{
		local i
		for i in $(seq 1 1200); do
			printf '# header line %04d: ........................................\n' "$i"
		done
		small_perf
	} >"$work/hdr.txt"
	zstd -q -c "$work/hdr.txt" >"$work/hdr.txt.zst"
	begin "perf output after a 70 KB comment header, plain: detected the same as compressed"
	run collapse hdr.txt.zst
	cp "$out" "$tmp/hdr.zst.out"
	local rcz=$rc
	run collapse hdr.txt
	[ "$rc" -eq "$rcz" ] || problem "exit code $rc plain, $rcz compressed"
	cmp -s "$out" "$tmp/hdr.zst.out" || problem "plain and compressed outputs differ"
	run_stdin "$work/hdr.txt" collapse
	[ "$rc" -eq "$rcz" ] || problem "exit code $rc piped, $rcz compressed"
	cmp -s "$out" "$tmp/hdr.zst.out" || problem "piped and compressed outputs differ"
	finish

	begin "binary garbage with -f perf: exit 1, no stacks found, warnings name the file"
	run collapse -f perf junk.bin
	expect_rc 1
	expect_out_empty
	expect_err_match "^flame collapse: no stacks found; [0-9]+ lines? did not parse$"
	expect_err_match "^flame collapse: warning: junk\.bin:[0-9]+: weird (event|stack) line"
	finish

	local big=$perfdir/perf-vertx-stacks-01/input.txt
	zstd -q -c "$big" >"$tmp/full.zst"
	local zsize
	zsize=$(stat -c %s "$tmp/full.zst")
	head -c $((zsize / 2)) "$tmp/full.zst" >"$work/trunc.zst"
	begin "truncated .zst: exit 1, truncated zstd data"
	run collapse trunc.zst
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: trunc.zst: truncated zstd data (unexpected end of file)"
	finish

	begin "truncated .zst on stdin: exit 1, truncated zstd data"
	run_stdin "$work/trunc.zst" collapse
	expect_rc 1
	expect_err_line "flame collapse: <stdin>: truncated zstd data (unexpected end of file)"
	finish

	gzip -c "$big" >"$tmp/full.gz"
	local gsize
	gsize=$(stat -c %s "$tmp/full.gz")
	head -c $((gsize / 2)) "$tmp/full.gz" >"$work/trunc.gz"
	begin "truncated .gz: exit 1, truncated gzip data"
	run collapse trunc.gz
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: trunc.gz: truncated gzip data (unexpected end of file)"
	finish

	head -c $((gsize - 4)) "$tmp/full.gz" >"$work/trailer.gz"
	begin ".gz without the last 4 bytes of its trailer: exit 1"
	run collapse trailer.gz
	expect_rc 1
	expect_out_empty
	expect_err_has "flame collapse: trailer.gz: truncated gzip data"
	finish

	# flip the CRC: the data inflates but does not check
	cp "$tmp/full.gz" "$work/crc.gz"
	printf '\377\377\377\377' | dd of="$work/crc.gz" bs=1 seek=$((gsize - 8)) conv=notrunc status=none
	begin ".gz with a wrong CRC: exit 1, corrupt gzip data"
	run collapse crc.gz
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: crc.gz: corrupt gzip data: incorrect data check"
	finish

	printf '\050\265\057\375garbage after the magic number' >"$work/bad.zst"
	begin "zstd magic then garbage: exit 1, corrupt zstd data"
	run collapse bad.zst
	expect_rc 1
	expect_out_empty
	expect_err_has "flame collapse: bad.zst: corrupt zstd data"
	finish

	begin "missing file: exit 1, names it"
	run collapse missing.txt
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: missing.txt: cannot open: No such file or directory"
	finish

	begin "missing file after a good one: exit 1, names it, no output"
	run collapse small.txt missing.txt
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: missing.txt: cannot open: No such file or directory"
	finish

	mkdir -p "$work/adir"
	begin "a directory as input: exit 1"
	run collapse adir
	expect_rc 1
	expect_err_line "flame collapse: adir: is a directory"
	finish

	: >"$work/empty.txt"
	gzip -c "$work/empty.txt" >"$work/empty.txt.gz"
	zstd -q -c "$work/empty.txt" >"$work/empty.txt.zst"
	local f
	for f in empty.txt empty.txt.gz empty.txt.zst; do
		begin "empty input $f: exit 0, no output, no messages"
		run collapse $f
		expect_rc 0
		expect_out_empty
		expect_err_empty
		finish
	done
	for f in perf folded; do
		begin "empty input with -f $f: exit 0, no output"
		run collapse -f $f empty.txt
		expect_rc 0
		expect_out_empty
		expect_err_empty
		finish
	done
	# (-f dtrace on empty input: see the known-bugs group)
	begin "empty standard input (pipe): exit 0, no output"
	run_stdin "$work/empty.txt" collapse
	expect_rc 0
	expect_out_empty
	expect_err_empty
	finish
	if [ -c /dev/null ]; then
		begin "empty standard input (/dev/null, a device): exit 0, no output"
		run collapse -
		expect_rc 0
		expect_out_empty
		expect_err_empty
		finish
	else
		echo "skip /dev/null is not a character device on this system"
	fi
	begin "empty standard input (an empty file): exit 0, no output"
	(cd "$work" && exec "$flame" collapse) <"$work/empty.txt" >"$out" 2>"$err"
	rc=$?
	expect_rc 0
	expect_out_empty
	expect_err_empty
	finish
	begin "empty input merged with a real one: the real one's stacks"
	run collapse empty.txt small.txt empty.txt.zst
	expect_rc 0
	expect_out_is "$small_perf_out"
	expect_err_empty
	finish

	# one line of 10 MB
	head -c 10000000 /dev/zero | tr '\0' a >"$work/long.txt"
	begin "a 10 MB line, -f perf: exit 1, file:1 and 'longer than'"
	run collapse -f perf long.txt
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: long.txt:1: line longer than 4 MiB; is this perf script output?"
	finish
	begin "a 10 MB line, -f dtrace: exit 1, file:1 and 'longer than'"
	run collapse -f dtrace long.txt
	expect_rc 1
	expect_err_line "flame collapse: long.txt:1: line longer than 4 MiB; is this dtrace output?"
	finish
	begin "a 10 MB line, -f folded: exit 1, file:1 and 'longer than'"
	run collapse -f folded long.txt
	expect_rc 1
	expect_err_line "flame collapse: long.txt:1: line longer than 4 MiB"
	finish
	begin "a 10 MB line on stdin, -f perf -j 2: exit 1, <stdin>:1"
	run_stdin "$work/long.txt" collapse -f perf -j 2
	expect_rc 1
	expect_err_line "flame collapse: <stdin>:1: line longer than 4 MiB; is this perf script output?"
	finish
	begin "a 10 MB line, format detected: exit 1, not recognized"
	run collapse long.txt
	expect_rc 1
	expect_err_has "flame collapse: long.txt: unrecognized input format"
	finish
	{
		small_perf
		cat "$work/long.txt"
		printf '\n'
		small_perf
	} >"$work/long2.txt"
	begin "a 10 MB line after perf samples, format detected: exit 1, file:9"
	run collapse long2.txt
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: long2.txt:9: line longer than 4 MiB; is this perf script output?"
	finish
	rm -f "$work/long.txt" "$work/long2.txt"

	# side files read whole are capped: /dev/zero never ends
	printf 'main;a 1\n' >"$work/side.folded"
	begin "--nameattr /dev/zero: exit 1, 'larger than 64 MiB', no output"
	run render --nameattr /dev/zero -o side.svg side.folded
	expect_rc 1
	expect_err_line "flame render: /dev/zero: larger than 64 MiB; is this the right file?"
	expect_no_file "$work/side.svg"
	finish
	begin "--cp --palette-file /dev/zero: exit 1, 'larger than 64 MiB', no output"
	run render --cp --palette-file /dev/zero -o side.svg side.folded
	expect_rc 1
	expect_err_line "flame render: /dev/zero: larger than 64 MiB; is this the right file?"
	expect_no_file "$work/side.svg"
	finish
}

# ---------------------------------------------------------------- output

group_output() {
	local good=$perfdir/perf-java-stacks-01/input.txt
	local good_out=$tmp/good.out
	"$flame" collapse "$good" >"$good_out" 2>/dev/null

	begin "output in a directory that does not exist: exit 1, nothing created"
	run collapse -o nodir/out.txt small.txt
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: nodir/out.txt: cannot create output file: No such file or directory"
	expect_no_file "$work/nodir"
	finish

	if [ -w /dev/full ]; then
		begin "standard output on a full disk (/dev/full): exit 1, write error"
		(cd "$work" && "$flame" collapse small.txt) >/dev/full 2>"$err"
		rc=$?
		expect_rc 1
		expect_err_line "flame collapse: <stdout>: write error: No space left on device"
		finish
	else
		echo "skip /dev/full is not writable here"
	fi

	# more output than a pipe holds, to a reader that exits at once
	begin "standard output closed early (a pipe): exit 1, write error"
	local rcfile=$tmp/pipe.rc
	{
		"$flame" collapse "$perfdir/example-perf-stacks/input.txt" 2>"$err"
		echo $? >"$rcfile"
	} | head -c 0
	rc=$(cat "$rcfile")
	expect_rc 1
	expect_err_line "flame collapse: <stdout>: write error: Broken pipe"
	finish

	# -o onto an existing file when the run fails: the file stays as it was
	local -a bad_cases=(
		"unrecognized input|junk.bin"
		"truncated zstd input|trunc.zst"
		"missing input|missing.txt"
		"--strict with a weird line|--strict weird.txt"
		"dtrace input cut inside a stack|cut.txt"
		"usage error|--bogus small.txt"
	)
	head -c 50000 /dev/urandom >"$work/junk.bin"
	zstd -q -c "$good" | head -c 3000 >"$work/trunc.zst"
	cp "$perfdir/weird-stack-line/input.txt" "$work/weird.txt"
	printf 'CPU     ID                    FUNCTION:NAME\n  0  1   :tick-60s\n\n  mod`a+0x1\n  mod`main\n  5\n\n  mod`b\n' >"$work/cut.txt"
	local c what args
	for c in "${bad_cases[@]}"; do
		what=${c%%|*}
		args=${c#*|}
		mkdir -p "$work/o"
		printf 'previous content\n' >"$work/o/existing.txt"
		begin "-o onto an existing file, $what: exit != 0, file untouched, no temporary left"
		# shellcheck disable=SC2086
		run collapse -o o/existing.txt $args
		[ "$rc" -ne 0 ] || problem "exit code 0, expected a failure"
		expect_out_empty
		expect_file_is "$work/o/existing.txt" "previous content"
		expect_no_tmp "$work/o"
		expect_no_tmp "$work"
		finish
	done

	begin "-o onto an existing file, good input: replaced, no temporary left"
	printf 'previous content\n' >"$work/o/existing.txt"
	run collapse -o o/existing.txt "$good"
	expect_rc 0
	expect_out_empty
	cmp -s "$work/o/existing.txt" "$good_out" || problem "o/existing.txt differs from the standard output of the same run"
	expect_no_tmp "$work/o"
	finish

	begin "-o naming a directory: exit 1, is a directory, no temporary left"
	mkdir -p "$work/o/adir"
	run collapse -o o/adir small.txt
	expect_rc 1
	expect_err_line "flame collapse: o/adir: is a directory"
	[ -d "$work/o/adir" ] || problem "o/adir is no longer a directory"
	expect_no_tmp "$work/o"
	finish

	begin "-o out.zst: zstd -dc gives the plain output"
	run collapse -o o/out.zst "$good"
	expect_rc 0
	expect_out_empty
	if zstd -q -dc "$work/o/out.zst" >"$tmp/unz" 2>/dev/null; then
		cmp -s "$tmp/unz" "$good_out" || problem "zstd -dc o/out.zst differs from the plain output"
	else
		problem "zstd -dc cannot read o/out.zst"
	fi
	expect_no_tmp "$work/o"
	finish

	begin "-o out.zst, then read back by flame: same output"
	run collapse o/out.zst
	expect_rc 0
	expect_out_same_as "$good_out"
	finish

	begin "-o - writes to standard output"
	run collapse -o - "$good"
	expect_rc 0
	expect_out_same_as "$good_out"
	finish

	begin "-o file gets the usual permissions (umask 027: 640)"
	rm -f "$work/o/mode.txt"
	(umask 027 && cd "$work" && "$flame" collapse -o o/mode.txt small.txt) >"$out" 2>"$err"
	rc=$?
	expect_rc 0
	local mode
	mode=$(stat -c %a "$work/o/mode.txt" 2>/dev/null)
	[ "$mode" = 640 ] || problem "mode is '$mode', expected 640"
	finish

	output_std_fds
	output_signals
	output_replace
}

# Started with a standard descriptor closed: the output file must not get
# its number (warnings would land inside it).
output_std_fds() {
	local weird=$perfdir/weird-stack-line/input.txt
	"$flame" collapse "$weird" >"$tmp/weird.out" 2>/dev/null
	begin "standard error closed (2>&-), -o file: exit 0, no warning inside the file"
	rm -f "$work/o/closed.txt"
	(cd "$work" && exec "$flame" collapse -o o/closed.txt "$weird" 2>&-) </dev/null >"$out"
	rc=$?
	expect_rc 0
	cmp -s "$work/o/closed.txt" "$tmp/weird.out" ||
		problem "o/closed.txt differs from the usual output: $(head -c 200 "$work/o/closed.txt")"
	finish

	# render streams folded text into the open output, warning as it goes
	printf 'a;b 1\nnot a folded line\na;c 2\n' >"$work/badline.folded"
	begin "standard error closed (2>&-), render -o file.svg with a bad line: the file starts with <?xml"
	rm -f "$work/o/closed.svg"
	(cd "$work" && exec "$flame" render -o o/closed.svg badline.folded 2>&-) </dev/null >"$out"
	rc=$?
	expect_rc 0
	[ "$(head -c 5 "$work/o/closed.svg" 2>/dev/null)" = "<?xml" ] ||
		problem "o/closed.svg starts with '$(head -c 100 "$work/o/closed.svg")'"
	grep -q "warning" "$work/o/closed.svg" && problem "o/closed.svg holds a warning"
	finish

	begin "standard output closed (>&-): exit 1, write error"
	(cd "$work" && exec "$flame" collapse small.txt >&-) </dev/null 2>"$err"
	rc=$?
	expect_rc 1
	expect_err_line "flame collapse: <stdout>: write error: Bad file descriptor"
	finish

	begin "standard input closed (<&-): exit 1, read error"
	(cd "$work" && exec "$flame" collapse <&-) >"$out" 2>"$err"
	rc=$?
	expect_rc 1
	expect_err_line "flame collapse: <stdin>: read error: Bad file descriptor"
	finish
}

# A fatal signal while the output is being written removes the temporary
# file.  gdb stops flame in flame_output_commit (the temporary exists, not
# yet renamed) and delivers the signal there.
output_signals() {
	if ! command -v gdb >/dev/null 2>&1; then
		echo "skip signals during output: gdb is not installed"
		return
	fi
	local sig
	for sig in INT TERM HUP ABRT; do
		begin "SIG$sig while writing -o file: killed by it, no temporary left, no file"
		rm -f "$work/o/sig.txt"
		(
			ulimit -c 0
			cd "$work" && DEBUGINFOD_URLS= exec gdb -q -nx -batch \
				-ex 'handle SIGINT SIGTERM SIGHUP SIGABRT nostop noprint pass' \
				-ex 'break flame_output_commit' -ex run -ex "signal SIG$sig" \
				--args "$flame" collapse -o o/sig.txt small.txt
		) </dev/null >"$out" 2>"$err"
		grep -q "hit Breakpoint 1, flame_output_commit" "$out" ||
			problem "flame did not reach flame_output_commit under gdb"
		grep -q "Program terminated with signal SIG$sig" "$out" ||
			problem "flame was not killed by SIG$sig: $(tail -n 2 "$out" | tr '\n' ' ')"
		expect_no_tmp "$work/o"
		expect_no_file "$work/o/sig.txt"
		finish
	done
}

# Replacing an existing file: its mode (and, for root, its owner) stays; a
# file the user may not write is refused; symbolic links are followed,
# working or dangling, and the file they name is replaced or created.
output_replace() {
	begin "-o onto a 0600 file: replaced, still 0600"
	printf 'old\n' >"$work/o/private.txt"
	chmod 600 "$work/o/private.txt"
	(umask 022 && cd "$work" && exec "$flame" collapse -o o/private.txt small.txt) >"$out" 2>"$err"
	rc=$?
	expect_rc 0
	expect_file_is "$work/o/private.txt" "$small_perf_out"
	local mode
	mode=$(stat -c %a "$work/o/private.txt")
	[ "$mode" = 600 ] || problem "mode is $mode, expected 600"
	expect_no_tmp "$work/o"
	finish

	if [ "$(id -u)" = 0 ]; then
		begin "-o onto another user's file, as root: replaced, owner and group kept"
		printf 'old\n' >"$work/o/theirs.txt"
		chown 65534:65534 "$work/o/theirs.txt"
		chmod 640 "$work/o/theirs.txt"
		run collapse -o o/theirs.txt small.txt
		expect_rc 0
		expect_file_is "$work/o/theirs.txt" "$small_perf_out"
		local own
		own=$(stat -c %u:%g:%a "$work/o/theirs.txt")
		[ "$own" = 65534:65534:640 ] || problem "owner:group:mode is $own, expected 65534:65534:640"
		finish
	fi

	# a read-only file, as a user who may not write it (root may write
	# anything: the case runs as nobody, with a copy of flame it can reach)
	local -a as_user=()
	local rodir=$work/o
	if [ "$(id -u)" != 0 ]; then
		as_user=("$flame")
	elif command -v setpriv >/dev/null 2>&1; then
		rodir=$tmp/ro
		mkdir -p "$rodir"
		cp "$flame" "$rodir/flame" && cp "$work/small.txt" "$rodir/small.txt"
		chmod 755 "$tmp" "$rodir" && chmod 644 "$rodir/small.txt"
		chown 65534:65534 "$rodir"
		as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups "$rodir/flame")
	fi
	if [ ${#as_user[@]} -gt 0 ]; then
		begin "-o onto a read-only file: exit 1, permission denied, file untouched"
		printf 'read-only\n' >"$rodir/ro.txt"
		chmod 444 "$rodir/ro.txt"
		[ "$(id -u)" = 0 ] && chown 65534:65534 "$rodir/ro.txt"
		(cd "$rodir" && exec "${as_user[@]}" collapse -o ro.txt "$work/small.txt") </dev/null >"$out" 2>"$err"
		rc=$?
		expect_rc 1
		expect_err_line "flame collapse: ro.txt: cannot open for writing: Permission denied"
		expect_file_is "$rodir/ro.txt" "read-only"
		expect_no_tmp "$rodir"
		finish
	else
		echo "skip -o onto a read-only file: running as root without setpriv"
	fi

	begin "-o through a working symlink: the target replaced, the link kept"
	printf 'old\n' >"$work/o/target.txt"
	ln -sfn target.txt "$work/o/link.txt"
	run collapse -o o/link.txt small.txt
	expect_rc 0
	[ -L "$work/o/link.txt" ] || problem "o/link.txt is no longer a symlink"
	expect_file_is "$work/o/target.txt" "$small_perf_out"
	expect_no_tmp "$work/o"
	finish

	begin "-o through a dangling symlink: the target created, the link kept"
	mkdir -p "$work/o2"
	rm -f "$work/o2/new.txt"
	ln -sfn ../o2/new.txt "$work/o/dangling.txt"
	run collapse -o o/dangling.txt small.txt
	expect_rc 0
	[ -L "$work/o/dangling.txt" ] || problem "o/dangling.txt is no longer a symlink"
	expect_file_is "$work/o2/new.txt" "$small_perf_out"
	expect_no_tmp "$work/o"
	expect_no_tmp "$work/o2"
	finish

	begin "-o through a symlink loop: exit 1, too many levels, the links kept"
	ln -sfn loop2 "$work/o/loop1"
	ln -sfn loop1 "$work/o/loop2"
	run collapse -o o/loop1 small.txt
	expect_rc 1
	expect_err_line "flame collapse: o/loop1: cannot create output file: Too many levels of symbolic links"
	[ -L "$work/o/loop1" ] || problem "o/loop1 is no longer a symlink"
	expect_no_tmp "$work/o"
	finish
}

# ---------------------------------------------------------------- data

group_data() {
	printf 'CPU     ID                    FUNCTION:NAME\n  0  1   :tick-60s\n\n  mod`a+0x1\n  mod`main\n  5\n\n  mod`b\n' >"$work/cut.txt"
	local j
	for j in 1 2; do
		begin "dtrace input ending inside a stack (-j $j): exit 1, file:line"
		run collapse -j $j cut.txt
		expect_rc 1
		expect_out_empty
		expect_err_line "flame collapse: cut.txt:8: input ends in the middle of a stack (expected a count line)"
		finish
	done

	printf 'CPU     ID                    FUNCTION:NAME\n  0  1   :tick-60s\n\n  mod`a+0x1\n  99999999999999999999\n' >"$work/dov.txt"
	begin "dtrace count over 2^64: exit 1, file:line"
	run collapse dov.txt
	expect_rc 1
	expect_err_line "flame collapse: dov.txt:5: count '99999999999999999999' does not fit in 64 bits"
	finish

	cp "$perfdir/weird-stack-line/input.txt" "$work/weird.txt"
	begin "--strict with a weird line: exit 1, the warning, no output"
	run collapse --strict weird.txt
	expect_rc 1
	expect_out_empty
	expect_err_match "^flame collapse: warning: weird\.txt:5: weird stack line"
	expect_err_line "flame collapse: 1 line did not parse (--strict); no output written"
	finish

	# each stack takes just under the per-match backtracking limit: the
	# overall budget stops the run (without it: about 40 s per 1000 stacks)
	local a31=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa i
	for ((i = 0; i < 1000; i++)); do
		echo "$a31;f$i 1"
	done >"$work/backtrack.folded"
	begin "--grep backtracking just under the limit on every stack: exit 1 in seconds, names the pattern"
	(cd "$work" && exec timeout 30 "$flame" filter --grep '^(a|aa)+$' -o bt.out backtrack.folded) \
		</dev/null >"$out" 2>"$err"
	rc=$?
	expect_rc 1
	expect_err_match "^flame filter: --grep: regex '\\^\\(a\\|aa\\)\\+\\$' stopped after [0-9]+ backtracking steps in [0-9]+ matches"
	expect_no_file "$work/bt.out"
	finish

	begin "--strict with clean input: exit 0, the usual output"
	run collapse --strict small.txt
	expect_rc 0
	expect_out_is "$small_perf_out"
	expect_err_empty
	finish

	# five weird lines: the first three are shown with file:line, then a count
	{
		printf 'prog 1 1.0: 1 cycles:\n'           # 1
		printf '\t 1 leaf (/bin/prog)\n'            # 2
		printf '\tweird one\n'                      # 3
		printf '\t 2 main (/bin/prog)\n\n'          # 4, 5
		printf 'prog 1 2.0: 1 cycles:\n'           # 6
		printf '\tweird two\n\tweird three\n'       # 7, 8
		printf '\t 1 leaf (/bin/prog)\n'            # 9
		printf '\tweird four\n\tweird five\n'       # 10, 11
		printf '\t 2 main (/bin/prog)\n\n'          # 12, 13
	} >"$work/some-weird.txt"
	begin "perf input with some weird lines: exit 0, warnings name file:line"
	run collapse some-weird.txt
	expect_rc 0
	expect_out_is "prog;main;leaf 2"
	expect_err_line "flame collapse: warning: some-weird.txt:3: weird stack line (expected 'ADDR FUNCTION (MODULE)'): '\\x09weird one'"
	expect_err_line "flame collapse: warning: some-weird.txt:7: weird stack line (expected 'ADDR FUNCTION (MODULE)'): '\\x09weird two'"
	expect_err_line "flame collapse: warning: some-weird.txt:8: weird stack line (expected 'ADDR FUNCTION (MODULE)'): '\\x09weird three'"
	expect_err_line "flame collapse: warning: 5 lines skipped in all: weird stack line"
	[ "$(grep -c '^flame collapse: warning: ' "$err")" -eq 4 ] || problem "expected exactly 4 warning lines"
	finish

	begin "-q keeps warnings"
	run collapse -q some-weird.txt
	expect_rc 0
	expect_err_has "flame collapse: warning: some-weird.txt:3: weird stack line"
	finish

	begin "perf input with a weird line, -j 2, from stdin: <stdin>:line"
	run_stdin "$work/some-weird.txt" collapse -j 2
	expect_rc 0
	expect_err_has "flame collapse: warning: <stdin>:3: weird stack line"
	finish

	begin "several files: warnings name the right file and line"
	run collapse small.txt some-weird.txt
	expect_rc 0
	expect_out_is "prog;main;leaf 4"
	expect_err_has "flame collapse: warning: some-weird.txt:3: weird stack line"
	finish

	local cyc=$perfdir/perf-cycles-instructions-01/input.txt
	begin "two events: a note names the kept one and where the other starts"
	run collapse "$cyc"
	expect_rc 0
	expect_err_line "flame collapse: note: kept event 'instructions' (the first seen); skipped 111 samples of other events, first at $cyc:43 (sample of another event: 'cycles'); choose with --event-filter"
	finish

	begin "two events, -q: no note"
	run collapse -q "$cyc"
	expect_rc 0
	expect_err_empty
	finish

	begin "--event-filter picks the other event"
	run collapse -q "$cyc"
	cp "$out" "$tmp/instructions.out"
	run collapse -q --event-filter cycles "$cyc"
	expect_rc 0
	[ -s "$out" ] || problem "no output"
	cmp -s "$out" "$tmp/instructions.out" && problem "same output as for 'instructions'"
	finish

	printf 'a;b 1\nnot a folded line\n' >"$work/badfolded.txt"
	begin "folded input with a malformed line (-f folded): exit 0, warning with file:line"
	run collapse -f folded badfolded.txt
	expect_rc 0
	expect_out_is "a;b 1"
	expect_err_line "flame collapse: warning: badfolded.txt:2: expected 'frame;frame;... COUNT': 'not a folded line'"
	finish

	printf 'a 18446744073709551615\na 1\n' >"$work/overflow.folded"
	begin "folded weights summing past 2^64: exit 1, no output"
	run collapse overflow.folded
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: a stack's total weight does not fit in 64 bits"
	finish

	printf 'a 18446744073709551614\na 1\n' >"$work/max.folded"
	begin "folded weights summing to exactly 2^64-1: exit 0"
	run collapse max.folded
	expect_rc 0
	expect_out_is "a 18446744073709551615"
	finish

	printf 'a;b;c 1\na;b 2\na 3\na;b;c 4\na;bc 5\nab 6\n' >"$work/prefix.folded"
	begin "folded lines that are prefixes of each other: summed per stack"
	run collapse prefix.folded
	expect_rc 0
	expect_out_is "$(printf 'a 3\na;b 2\na;b;c 5\na;bc 5\nab 6')"
	finish

	printf 'a;b 1.5\na;b 2.25\nc 1\n' >"$work/frac.folded"
	begin "fractional folded weights are summed exactly"
	run collapse frac.folded
	expect_rc 0
	expect_out_is "$(printf 'a;b 3.75\nc 1')"
	finish

	printf 'a;b 1 2\nc 3 0\na;b 1 1\n' >"$work/diff.folded"
	begin "two-column (differential) folded input keeps both columns"
	run collapse diff.folded
	expect_rc 0
	expect_out_is "$(printf 'a;b 2 3\nc 3 0')"
	finish

	{
		printf 'prog 1 1.0: 1 cycles:\n\tweird\n\n'
		printf 'prog 1 2.0: 1 cycles:\n\tweird again\n\n'
	} >"$work/allweird.txt"
	begin "perf input where no stack parses, -f perf: exit 1, no stacks found"
	run collapse -f perf allweird.txt
	expect_rc 1
	expect_out_empty
	expect_err_line "flame collapse: no stacks found; 2 lines did not parse"
	finish
}

# ---------------------------------------------------------------- known bugs

group_known_bugs() {
	# Empty input is fine when the format is detected or forced to perf or
	# folded, but forced to dtrace it is an error with a warning about
	# "line 0": the dtrace reader gets an empty last chunk and complains that
	# the header never ended.
	: >"$work/empty.txt"
	begin "empty input with -f dtrace: exit 0, no output, no messages"
	run collapse -f dtrace empty.txt
	expect_rc 0
	expect_out_empty
	expect_err_empty
	finish

	# -o replaces its target by renaming a temporary file over it, whatever
	# the target is: a FIFO (or, run as root, a device such as /dev/null)
	# becomes a regular file instead of receiving the output.
	mkfifo "$work/fifo"
	begin "-o onto a FIFO writes into the FIFO and leaves it a FIFO"
	timeout 3 cat "$work/fifo" >"$tmp/fifo.got" 2>/dev/null &
	local reader=$!
	(cd "$work" && exec timeout 10 "$flame" collapse -o fifo small.txt) >"$out" 2>"$err"
	rc=$?
	wait $reader
	expect_rc 0
	[ -p "$work/fifo" ] || problem "fifo is no longer a FIFO: $(ls -l "$work/fifo" | cut -c 1-10)"
	[ "$(cat "$tmp/fifo.got")" = "$small_perf_out" ] ||
		problem "a reader of the FIFO got '$(head -c 200 "$tmp/fifo.got")', expected '$small_perf_out'"
	finish

	# With --event-filter the user chose the event; the note must not say
	# it was "the first seen".
	local cyc=$perfdir/perf-cycles-instructions-01/input.txt
	begin "--event-filter: the note does not claim the event was the first seen"
	run collapse --event-filter cycles "$cyc"
	expect_rc 0
	expect_err_has "kept event 'cycles'"
	expect_err_lacks "(the first seen)"
	finish
}

case $group in
usage) group_usage ;;
input) group_input ;;
output) group_output ;;
data) group_data ;;
known-bugs) group_known_bugs ;;
*)
	echo "unknown group '$group'" >&2
	exit 2
	;;
esac

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
