#!/usr/bin/env bash
# outputs.sh FLAME FIXTURES
#
# Every command that writes chooses its writer the same way: for each
# writer 'flame formats' lists, each of its suffixes is accepted as -o by
# record (when a small program can be recorded here), convert, filter,
# diff and render; the file written is detected back as that format
# ('flame convert FILE --to folded', svg aside); --to NAME works on every
# command; and -o /dev/null works for each.  Prints one line per check and
# "N passed, M failed"; exits 1 if anything failed.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 FLAME FIXTURES" >&2
	exit 2
fi
flame=$1
case $flame in /*) ;; *) flame=$PWD/$flame ;; esac
in=$2/convert/flame-minimal.folded.txt
case $in in /*) ;; *) in=$PWD/$in ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/flame-outputs.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

pass=0
failed=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; [ -s err ] && sed 's/^/     /' err; }

# the writers and their suffixes, from the table itself
"$flame" formats >table || { echo "flame formats failed" >&2; exit 1; }
writers=$(awk 'NR > 1 && $3 == "yes" { print $1 }' table)
[ -n "$writers" ] && ok "flame formats lists writers: $(echo $writers)" || bad "no writers listed"
suffixes_of() { awk -v w="$1" 'NR > 1 && $1 == w { gsub(",", " ", $5); print $5 }' table; }

# a small program to record, if recording works here
record=1
prog=(sh -c 'i=0; while [ $i -lt 30000 ]; do i=$((i + 1)); done')
if ! "$flame" record -q -o probe.folded -- "${prog[@]}" >/dev/null 2>err; then
	echo "skip record: it cannot record here ($(head -n 1 err))"
	record=0
fi

# write CMD OUT [OPTIONS...]: CMD writes the fixture to OUT
write() {
	local cmd=$1 out=$2
	shift 2
	case $cmd in
	record) "$flame" record -q -o "$out" "$@" -- "${prog[@]}" ;;
	diff) "$flame" diff -q -o "$out" "$@" "$in" "$in" ;;
	*) "$flame" "$cmd" -q -o "$out" "$@" "$in" ;;
	esac >out 2>err
}

commands="convert filter diff render"
[ $record = 1 ] && commands="record $commands"

for w in $writers; do
	for suf in $(suffixes_of "$w"); do
		for cmd in $commands; do
			f=x-$cmd$suf
			write "$cmd" "$f"
			rc=$?
			if [ $rc != 0 ]; then
				bad "$cmd -o $f: exit $rc"
				continue
			fi
			if [ ! -s "$f" ]; then
				bad "$cmd -o $f: nothing written"
				continue
			fi
			if [ "$w" = svg ]; then
				grep -q '<svg' "$f" && ok "$cmd -o $f: an SVG" || bad "$cmd -o $f: no <svg>"
				continue
			fi
			# detected back as w: read as detected, and as w, the same stacks
			if "$flame" convert -q "$f" --to folded >back 2>err &&
			   "$flame" convert -q --from "$w" "$f" --to folded >want 2>>err &&
			   cmp -s back want && [ -s back ]; then
				ok "$cmd -o $f: read back as $w"
			else
				bad "$cmd -o $f: not read back as $w"
			fi
		done
	done
	# --to NAME, whatever the file is called
	for cmd in $commands; do
		f=y-$cmd-$w.out
		write "$cmd" "$f" --to "$w"
		rc=$?
		if [ $rc = 0 ] && [ -s "$f" ]; then
			ok "$cmd --to $w"
		else
			bad "$cmd --to $w: exit $rc"
		fi
	done
done

for cmd in $commands; do
	if write "$cmd" /dev/null && [ -c /dev/null ]; then
		ok "$cmd -o /dev/null"
	else
		bad "$cmd -o /dev/null: exit $?"
	fi
done

# an unknown --to names the writers
for cmd in $commands; do
	write "$cmd" z.out --to nope
	rc=$?
	if [ $rc = 2 ] && grep -q "unknown output format 'nope' (expected one of: " err &&
	   grep -q 'folded' err && grep -q 'svg' err && grep -q 'speedscope' err; then
		ok "$cmd --to nope: exit 2, lists the writers"
	else
		bad "$cmd --to nope: exit $rc"
	fi
done

echo "$pass passed, $failed failed"
[ $failed = 0 ]
