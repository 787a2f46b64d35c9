#!/usr/bin/env bash
# inline.sh - --inline and --srcline on a workload whose hot code was
# inlined twice (workloads/inline.c): flame record, and flame collapse of
# a `perf record -g` of the same program (skipped without perf).
. "$(dirname "$0")/lib.sh"
need_perf
PROG=$WORKDIR/flame-test-inline
SRC=$BENCH_SRC/workloads/inline.c
HOT=$(grep -n '/\* HOT \*/' "$SRC" | cut -d: -f1)
CALL=$(grep -n 'seed = outer_step(seed, d);' "$SRC" | cut -d: -f1)
OUTER=$(grep -n 'x = inner_mix(x, d);' "$SRC" | cut -d: -f1)
CHAIN='compute[^;]*;outer_step_\[i\];inner_mix_\[i\]'

run 0 "$FLAME" record -q --inline -o inline.folded -- "$PROG" 1
s=$(share inline.folded "$CHAIN\$")
between "$s" 60 100 "share of samples in compute;outer_step_[i];inner_mix_[i]"
hasnt inline.folded 'inner_mix_\[i\];outer_step' "inlined frames in the wrong order"

run 0 "$FLAME" record -q -o plain.folded -- "$PROG" 1
hasnt plain.folded '_\[i\]' "inlined frames without --inline"

run 0 "$FLAME" record -q --srcline -o srcline.folded -- "$PROG" 1
s=$(share srcline.folded "compute[^;]*:inline\\.c:$HOT\$")
between "$s" 50 100 "share of samples on the HOT line inline.c:$HOT"

run 0 "$FLAME" record -q --inline --srcline -o both.folded -- "$PROG" 1
s=$(share both.folded "compute[^;]*:inline\\.c:$CALL;outer_step_\\[i\\]:inline\\.c:$OUTER;inner_mix_\\[i\\]:inline\\.c:$HOT\$")
between "$s" 50 100 "share of samples with call-site lines $CALL, $OUTER and the HOT line $HOT"

# a binary without DWARF: named as before, and the summary says why
run 0 "$FLAME" record --inline --srcline -o stripped.folded -- "$WORKDIR/flame-test-stripped" spin 0.3
grep -q "note: no DWARF line tables .* in .*flame-test-stripped" "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "no note about the binary without DWARF"; }
has stripped.folded 'exec_spin:flame-test-stripped( |$)'

# the same through perf script
if ! command -v perf >/dev/null; then
	echo "perf not installed: collapse --inline on perf script output not tested"
	exit 0
fi
if ! perf record -q -g -F 997 -o perf.data -- "$PROG" 1 >/dev/null 2>perf.err; then
	echo "perf record failed, collapse --inline not tested:"
	cat perf.err
	exit 0
fi
perf script -i perf.data >perf.txt 2>/dev/null || fail "perf script failed"
run 0 "$FLAME" collapse --inline -o collapsed.folded perf.txt
s=$(share collapsed.folded "$CHAIN\$")
between "$s" 60 100 "collapse --inline: share in compute;outer_step_[i];inner_mix_[i]"
run 0 "$FLAME" collapse --inline --context -o context.folded perf.txt
s=$(share context.folded "compute[^;]*:inline\\.c:$CALL;outer_step_\\[i\\]:inline\\.c:$OUTER;inner_mix_\\[i\\]:inline\\.c:$HOT\$")
between "$s" 50 100 "collapse --inline --context: call-site and HOT lines"
# perf printed offsets into the file; as run-time addresses of a PIE
# loaded at 0x555500000000 (older perf), and without +0x offsets, the
# inlined frames must come out the same
awk '/flame-test-inline\)$/ { a = $1; while (length(a) < 8) a = "0" a; sub(/[0-9a-f]+/, "5555" a) } 1' \
	perf.txt >runtime.txt
grep -q '^[[:space:]]*5555[0-9a-f]\{8\} ' runtime.txt || fail "no runtime addresses made"
run 0 "$FLAME" collapse --inline --context -o runtime.folded runtime.txt
cmp -s context.folded runtime.folded || { diff context.folded runtime.folded | head >&2; fail "run-time addresses"; }
perf script -i perf.data -F comm,pid,tid,time,event,ip,sym,dso >nooff.txt 2>/dev/null ||
	fail "perf script -F without symoff failed"
run 0 "$FLAME" collapse --inline --context -o nooff.folded nooff.txt
s=$(share nooff.folded "compute[^;]*:inline\\.c:$CALL;outer_step_\\[i\\]:inline\\.c:$OUTER;inner_mix_\\[i\\]:inline\\.c:$HOT\$")
between "$s" 50 100 "collapse --inline --context without symbol offsets"

perf script -i perf.data -F +srcline >srcline.txt 2>/dev/null || fail "perf script -F +srcline failed"
run 0 "$FLAME" collapse --srcline -o psrc.folded srcline.txt
s=$(share psrc.folded "compute[^;]*:inline\\.c:$HOT\$")
between "$s" 50 100 "collapse --srcline: share on the HOT line"
exit 0
