# Frames are named as `perf script | flame collapse` names them: the
# stacks that carry 5% of the samples or more in one path exist in the
# other.  Needs the perf binary (skipped without it).
. "$(dirname "$0")/lib.sh"
need_perf
if ! command -v perf >/dev/null || ! perf --version >/dev/null 2>&1; then
	echo "SKIP: perf is not installed"
	exit 77
fi

# stacks of FILE with at least 5% of the weight, one per line
top() {
	awk '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); w[s] += c; t += c }
		END { for (s in w) if (w[s] >= 0.05 * t) print s }' "$1" | sort
}

for w in "flame-test-work prop 0.8" "flame-demo 0.8"; do
	set -- $w
	bin=$WORKDIR/$1
	shift
	perf record -q -g -F 997 -o perf.data -- "$bin" "$@" >/dev/null 2>perf.err ||
		{ cat perf.err >&2; fail "perf record failed"; }
	perf script -i perf.data 2>/dev/null | "$FLAME" collapse -q >a.folded
	run 0 "$FLAME" record -q -o b.folded -- "$bin" "$@"
	lines a.folded | sort -u >a.all
	lines b.folded | sort -u >b.all
	top a.folded | comm -23 - b.all >missing.b
	top b.folded | comm -23 - a.all >missing.a
	if [ -s missing.b ] || [ -s missing.a ]; then
		echo "--- heavy in perf script | flame collapse, absent from flame record:" >&2
		cat missing.b >&2
		echo "--- heavy in flame record, absent from perf script | flame collapse:" >&2
		cat missing.a >&2
		fail "$1: the two paths name stacks differently"
	fi
	[ "$(top b.folded | wc -l)" -ge 3 ] || fail "$1: too few heavy stacks to compare"
done
echo "ok"
