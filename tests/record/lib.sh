# lib.sh - shared by the flame record tests (sourced).  Environment (set by
# CMakeLists.txt): FLAME, WORKDIR (workloads), PLUGIN, HELPER.
set -u
WORK=$WORKDIR/flame-test-work
TMP=$(mktemp -d "${TMPDIR:-/tmp}/flame-record-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
NAME=$(basename "$0" .sh)

fail() {
	echo "FAIL: $NAME: $*" >&2
	exit 1
}

# Skip (exit 77, the SKIP_RETURN_CODE) when perf_event_open is denied.
need_perf() {
	"$HELPER" probe || exit 77
}

# run EXPECTED_STATUS CMD...: run, keep stdout/stderr in $TMP/out, $TMP/err
run() {
	local want=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local rc=$?
	if [ "$rc" != "$want" ]; then
		echo "--- command: $*" >&2
		echo "--- stderr:" >&2
		cat "$TMP/err" >&2
		fail "exit status $rc, expected $want"
	fi
}

# Weight (percent of all samples) of the folded stacks matching ERE $2.
share() {
	awk -v re="$2" '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); t += c; if (s ~ re) m += c }
		END { printf "%.1f\n", t ? 100 * m / t : 0 }' "$1"
}

# Number of samples' weight in the file (sum of counts).
total() {
	awk '{ t += $NF } END { print t + 0 }' "$1"
}

# Assert: $1 is within [$2, $3] (decimals allowed).
between() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }' ||
		fail "${4:-value} is $1, expected between $2 and $3"
}

# The lines of FILE; for a .folded file the stacks without their counts.
lines() {
	case $1 in
	*.folded) sed -E 's/ [0-9]+$//' "$1" ;;
	*) cat "$1" ;;
	esac
}

has() { # FILE ERE [message]
	lines "$1" | grep -Eq -- "$2" ||
		{ echo "--- $1:" >&2; head -40 "$1" >&2; fail "${3:-no line matching '$2' in $1}"; }
}

hasnt() { # FILE ERE [message]
	if lines "$1" | grep -Eq -- "$2"; then
		echo "--- $1:" >&2
		lines "$1" | grep -E -- "$2" | head -10 >&2
		fail "${3:-unexpected line matching '$2' in $1}"
	fi
}
