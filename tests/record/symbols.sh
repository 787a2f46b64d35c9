# Where names come from: .dynsym of a stripped binary, a debug file found
# by .gnu_debuglink or by build-id (--debug-dir), and what is shown when
# there is none: [binary], with --addrs [binary <addr>], and a summary line.
. "$(dirname "$0")/lib.sh"
need_perf

# exported functions (-rdynamic) from .dynsym
run 0 "$FLAME" record -o s.folded -- "$WORKDIR/flame-test-stripped" prop 0.6
has s.folded ';main;run_prop;hot$' "hot not found through .dynsym"
has s.folded ';main;run_prop;cold$' "cold not found through .dynsym"

# static functions are not exported: [flame-test-stripped], named in the summary
run 0 "$FLAME" record -o h.folded -- "$WORKDIR/flame-test-stripped" hidden 0.6
has h.folded ';main;\[flame-test-stripped\];\[flame-test-stripped\]$' \
	"unresolved frames not named after their binary"
has err "flame-test-stripped: stripped: exported functions only \(.dynsym\)"
has err "of frames \[unknown\]"
run 0 "$FLAME" record -q --addrs -o a.folded -- "$WORKDIR/flame-test-stripped" hidden 0.4
has a.folded ';\[flame-test-stripped <[0-9a-f]+>\]$' "--addrs: no address"

# .gnu_debuglink: the debug file beside the binary
run 0 "$FLAME" record -o l.folded -- "$WORKDIR/flame-test-debuglink" hidden 0.6
has l.folded ';main;hidden_outer;hidden_inner$' "debuglink file not used"

# build-id: DEBUG_DIR/.build-id/xx/yyyy.debug
id=$(readelf -n "$WORKDIR/flame-test-buildid" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
[ -n "$id" ] || fail "no build id in flame-test-buildid"
mkdir -p "dbg/.build-id/${id:0:2}"
cp "$WORKDIR/flame-test-debuglink.debug" "dbg/.build-id/${id:0:2}/${id:2}.debug"
run 0 "$FLAME" record -q -o b0.folded -- "$WORKDIR/flame-test-buildid" hidden 0.4
has b0.folded ';main;\[flame-test-buildid\];\[flame-test-buildid\]$' "resolved without its debug file?"
run 0 "$FLAME" record -q --debug-dir "$TMP/dbg" -o b.folded -- "$WORKDIR/flame-test-buildid" hidden 0.6
has b.folded ';main;hidden_outer;hidden_inner$' "build-id debug file not used"
echo "ok"
