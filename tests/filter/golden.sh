#!/usr/bin/env bash
# Golden tests of `flame filter` and `flame diff`.
#
# usage: tests/filter/golden.sh FLAME FIXTURES_DIR
#
# FIXTURES_DIR is fixtures/filter.  Each row of its golden.tsv runs one
# command there and checks its exit status, its standard output against an
# expected file (byte for byte, or as sorted lines when the expected column
# ends in " sorted") and that standard error contains a given text.  A run
# that succeeds is repeated with -j 1 and with --no-fast-path -j 2 (which
# always reads the inputs into a profile), and must print the same.
#
# Then the diff-folded conformance cases (diff-folded/basic/manifest.tsv,
# from inferno and FlameGraph) and an SVG check.
set -u
export LC_ALL=C

flame=${1:?usage: golden.sh FLAME FIXTURES_DIR}
fix=${2:?usage: golden.sh FLAME FIXTURES_DIR}
flame=$(cd "$(dirname "$flame")" && pwd)/$(basename "$flame")
cd "$fix" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/flame-golden.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL $1: $2"
}

# run NAME CMD ARGS -> $tmp/out, $tmp/err, $rc
run() {
	eval "\"\$flame\" $2 $3" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
}

same_output() { # NAME EXPECTED MODE FILE
	if [[ $3 == sorted ]]; then
		sort "$2" > "$tmp/exp.sorted"
		sort "$4" > "$tmp/out.sorted"
		cmp -s "$tmp/exp.sorted" "$tmp/out.sorted"
	else
		cmp -s "$2" "$4"
	fi
}

while IFS=$'\t' read -r name cmd args expected status stderr_has; do
	[[ -z $name || $name == \#* ]] && continue
	mode=exact
	if [[ $expected == *" sorted" ]]; then
		mode=sorted
		expected=${expected% sorted}
	fi
	run "$name" "$cmd" "$args"
	if [[ $rc != "$status" ]]; then
		bad "$name" "exit status $rc, expected $status; stderr: $(head -c 400 "$tmp/err")"
		continue
	fi
	if [[ $stderr_has != - ]] && ! grep -qF -- "$stderr_has" "$tmp/err"; then
		bad "$name" "stderr lacks '$stderr_has': $(head -c 400 "$tmp/err")"
		continue
	fi
	if [[ $expected != - ]]; then
		if ! same_output "$name" "$expected" "$mode" "$tmp/out"; then
			bad "$name" "output differs from $expected:"
			diff "$expected" "$tmp/out" | head -20
			continue
		fi
	fi
	if [[ $status == 0 ]]; then
		cp "$tmp/out" "$tmp/first"
		for extra in "-j 1" "--no-fast-path -j 2"; do
			run "$name" "$cmd" "$extra $args"
			if [[ $rc != 0 ]] || ! cmp -s "$tmp/first" "$tmp/out"; then
				bad "$name" "output with '$extra' differs (exit $rc)"
				diff "$tmp/first" "$tmp/out" | head -10
				continue 2
			fi
		done
	fi
	ok
done < golden.tsv

# ---- diff-folded conformance (inferno's tests/diff-folded.rs cases) ----
conf=diff-folded/basic
while IFS=$'\t' read -r expected args compare perl_agrees origin; do
	[[ $expected == expected ]] && continue
	name="conformance $expected ($args)"
	(cd "$conf" && eval "\"\$flame\" diff $args") > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [[ $rc != 0 ]]; then
		bad "$name" "exit status $rc: $(head -c 300 "$tmp/err")"
		continue
	fi
	case $compare in
	sorted-lines)
		if [[ $perl_agrees == yes ]]; then
			if same_output "$name" "$conf/$expected" sorted "$tmp/out"; then ok; else
				bad "$name" "differs"
				diff <(sort "$conf/$expected") <(sort "$tmp/out") | head
			fi
		else
			# inferno truncates fractional counts; flame keeps them, like
			# perl: compare with our exact result, and check that cutting
			# our counts to integers gives inferno's file.
			if ! same_output "$name" "$conf/expected-flame.fractionals.txt" sorted "$tmp/out"; then
				bad "$name" "differs from expected-flame.fractionals.txt"
				continue
			fi
			awk '{ n = NF; $(n-1) = int($(n-1)); $n = int($n); print }' "$tmp/out" > "$tmp/trunc"
			if same_output "$name" "$conf/$expected" sorted "$tmp/trunc"; then ok; else
				bad "$name" "truncated counts differ from inferno's $expected"
			fi
		fi
		;;
	warn-only:*)
		if [[ $compare == *"Unable to parse line"* ]]; then
			# inferno warns about the line without a count; so does flame
			if grep -q "bad_before.txt:3: expected" "$tmp/err"; then ok; else
				bad "$name" "no warning about the bad line: $(cat "$tmp/err")"
			fi
		else
			# inferno warns that it truncates fractions; flame keeps them
			if grep -q " 14.234398324 13$" "$tmp/out" && ! grep -q warning "$tmp/err"; then ok; else
				bad "$name" "fractions not kept, or a warning: $(cat "$tmp/err")"
			fi
		fi
		;;
	*)
		bad "$name" "unknown compare mode '$compare'"
		;;
	esac
done < "$conf/manifest.tsv"

# ---- the differential flame graph ----
svg_check() { # NAME FILE MUST_CONTAIN...
	local name=$1 file=$2
	shift 2
	if command -v xmllint > /dev/null 2>&1 && ! xmllint --noout "$file" 2> "$tmp/xml"; then
		bad "$name" "not well-formed XML: $(head -c 300 "$tmp/xml")"
		return
	fi
	for want in "$@"; do
		if ! grep -qF -- "$want" "$file"; then
			bad "$name" "SVG lacks '$want'"
			return
		fi
	done
	ok
}
b=input/top-before.folded a=input/top-after.folded
"$flame" diff -o "$tmp/d.svg" "$b" "$a" 2> "$tmp/err" &&
	svg_check "diff -o x.svg" "$tmp/d.svg" "Differential Flame Graph" "before: $b, after: $a" \
		"rgb(255," "rgb(" || bad "diff -o x.svg" "failed: $(cat "$tmp/err")"
"$flame" diff --format svg --width max --negate --title T "$b" "$a" > "$tmp/m.svg" 2> "$tmp/err" &&
	svg_check "diff --format svg --width max --negate" "$tmp/m.svg" ">T<" ||
	bad "diff --format svg" "failed: $(cat "$tmp/err")"
# d went away: without max it has no width, with max it is drawn
if grep -q '<title>d (' "$tmp/d.svg"; then
	bad "diff --width after" "a frame gone in AFTER is drawn"
elif ! grep -q '<title>d (' "$tmp/m.svg"; then
	bad "diff --width max" "a frame gone in AFTER is not drawn"
else
	ok
fi
# the SVG options of flame render apply to the differential graph too
"$flame" diff --format svg --colors mem --bgcolors blue --subtitle S --minwidth 0 "$b" "$a" \
	> "$tmp/c.svg" 2> "$tmp/err" &&
	svg_check "diff --format svg --colors --bgcolors --subtitle" "$tmp/c.svg" ">S<" "Differential Flame Graph" ||
	bad "diff --colors" "failed: $(cat "$tmp/err")"
# --diff-width is --width
"$flame" diff --format svg --diff-width max "$b" "$a" > "$tmp/dw.svg" 2> "$tmp/err" &&
	"$flame" diff --format svg --width max "$b" "$a" > "$tmp/w.svg" &&
	cmp -s "$tmp/dw.svg" "$tmp/w.svg" && grep -q '<title>d (' "$tmp/dw.svg" && ok ||
	bad "diff --diff-width max" "not the SVG of --width max: $(cat "$tmp/err")"
# ... but not to other output: exit 2, says which option
"$flame" diff --colors mem "$b" "$a" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [[ $rc == 2 ]] && grep -qxF "flame diff: --colors applies to SVG output, not to folded" "$tmp/err" &&
	[[ ! -s $tmp/out ]]; then
	ok
else
	bad "diff --colors, folded output" "exit $rc: $(cat "$tmp/err")"
fi
# diff's own --width, --negate and --title still apply whatever the output
"$flame" diff --width max --negate --title T "$b" "$a" > "$tmp/out" 2> "$tmp/err" &&
	"$flame" diff "$b" "$a" > "$tmp/plain" && cmp -s "$tmp/out" "$tmp/plain" && ok ||
	bad "diff --width --negate --title, folded output" "failed: $(cat "$tmp/err")"
# a mistyped option: exit 2, the closest one named
"$flame" diff --colrs mem "$b" "$a" > "$tmp/out" 2> "$tmp/err"
rc=$?
if [[ $rc == 2 ]] && grep -qx 'The most similar option is' "$tmp/err" && grep -qx $'\t--colors' "$tmp/err"; then
	ok
else
	bad "diff --colrs" "exit $rc: $(cat "$tmp/err")"
fi
"$flame" filter --focus-root '^main$' -o "$tmp/f.svg" input/app.folded 2> "$tmp/err" &&
	svg_check "filter -o x.svg" "$tmp/f.svg" "Flame Graph" "walk" ||
	bad "filter -o x.svg" "failed: $(cat "$tmp/err")"

echo "golden: $pass passed, $fail failed"
[[ $fail == 0 ]]
