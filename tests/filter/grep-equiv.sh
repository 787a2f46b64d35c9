#!/usr/bin/env bash
# `flame filter --grep RE` prints what `grep -P RE` prints on sorted folded
# text, and --grep-v what grep -vP prints, on a large fixture: the folded
# output of FlameGraph's example perf recording, grown to about 4 MB by
# copies whose leaf frames are renamed, then sorted.
#
# usage: tests/filter/grep-equiv.sh FLAME REPO_ROOT
#
# Every pattern is checked on the fast path (plain sorted file), on the
# general path (--no-fast-path, and a gzip copy, which is always read into
# a profile), with 2 threads (the unit tests vary threads), and against unsorted input.  Patterns
# are chosen so that they cannot match in the count: flame matches the
# stack 'a;b;c' only, grep the whole line.
set -u
export LC_ALL=C

flame=${1:?usage: grep-equiv.sh FLAME REPO_ROOT}
root=${2:?usage: grep-equiv.sh FLAME REPO_ROOT}
base=$root/fixtures/conformance/collapse-perf/example-perf-stacks/expected.default.txt
if ! echo x | grep -qP x 2> /dev/null; then
	echo "grep -P is not available: skipped"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-grep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

awk '{ line[NR] = $0 }
END {
	for (k = 0; k < 6; k++)
		for (i = 1; i <= NR; i++) {
			s = line[i]; j = match(s, / [0-9]+$/)
			printf "%s_v%d %d\n", substr(s, 1, j - 1), k, substr(s, j + 1) * (k % 4 + 1)
		}
}' "$base" > "$tmp/unsorted.folded"
sort "$tmp/unsorted.folded" > "$tmp/big.folded"
gzip -c "$tmp/big.folded" > "$tmp/big.folded.gz"

patterns=(
	'vfs_read'
	'^java;'
	'Interpreter;.*Interpreter'
	'(?i)JAVA_START'
	'sys_\w+;(?!.*write)'
	'_v[3-5]'
	'[[:upper:]]{3,}'
	'(?:read|write);[^;]*;[^;]*(?:vfs|sock)'
	'no-such-frame-anywhere'
	';'
)
pass=0 fail=0
for p in "${patterns[@]}"; do
	for v in "" -v; do
		grep -P $v -- "$p" "$tmp/big.folded" > "$tmp/want"
		opt=--grep
		[[ $v == -v ]] && opt=--grep-v
		for run in "fast:-j 2:big.folded" "general:--no-fast-path:big.folded" \
			"gzip:-j 2:big.folded.gz" "unsorted:-j 2:unsorted.folded"; do
			IFS=: read -r label extra file <<< "$run"
			# shellcheck disable=SC2086
			"$flame" filter -q $extra "$opt" "$p" "$tmp/$file" > "$tmp/got" 2> "$tmp/err"
			if [[ $? == 0 ]] && cmp -s "$tmp/want" "$tmp/got"; then
				pass=$((pass + 1))
			else
				fail=$((fail + 1))
				echo "FAIL $opt '$p' ($label): $(wc -l < "$tmp/got") lines, grep -P$v: $(wc -l < "$tmp/want"); $(head -c 300 "$tmp/err")"
			fi
		done
	done
done
echo "grep equivalence on $(wc -l < "$tmp/big.folded") stacks ($(wc -c < "$tmp/big.folded") bytes): $pass passed, $fail failed"
[[ $fail == 0 ]]
