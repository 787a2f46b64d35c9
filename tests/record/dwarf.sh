# flame record --call-graph: DWARF unwinding of a program built without
# frame pointers (flame-test-nofp: main -> chain_a -> chain_b -> chain_c,
# chain_c burning the CPU), --call-graph auto, and bad values.
. "$(dirname "$0")/lib.sh"
NOFP=$WORKDIR/flame-test-nofp
FP=$WORKDIR/flame-test-fp
CHAIN='main;chain_a;chain_b;chain_c'

# Percent of the workload's samples in chain_c that show the whole chain.
chain_share() {
	awk -v chain="$CHAIN" '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s)
		if (s !~ /;chain_c(;|$)/) next
		t += c; if (index(s, chain)) m += c }
		END { printf "%.1f\n", t ? 100 * m / t : 0 }' "$1"
}

# bad values: usage errors before anything runs
for v in bogus dwarf,abc dwarf,0 dwarf,4 dwarf,70000 dwarf, dwarf,-8 'dwarf 8' fp,8 DWARF ''; do
	run 2 "$FLAME" record --call-graph "$v" -- true
	has err "--call-graph"
done
run 2 "$FLAME" record -g
run 2 "$FLAME" record --call-graph dwarf --kernel-only -- true
has err "does not go with --kernel-only"
# a ring buffer that cannot hold a sample of that stack size
run 2 "$FLAME" record -g dwarf,65528 -m 8 -o x.folded -- true
has err "too big for ring buffers of --mmap-pages 8"
has err "use -m 32 or more"
[ ! -e x.folded ] || fail "a refused recording left a profile behind"

need_perf

# dwarf: the chain is found in (nearly) every sample
run 0 "$FLAME" record --call-graph dwarf -F 1999 -o dwarf.folded -- "$NOFP" 1
cat err >&2
dwarf=$(chain_share dwarf.folded)
n=$(awk '/;chain_c( |;)/ { t += 1 } END { print t + 0 }' dwarf.folded)
echo "dwarf: $dwarf% of chain_c stacks show $CHAIN" >&2
[ "$n" -gt 0 ] || fail "no samples in chain_c"
between "$dwarf" 90 100 "share of chain_c samples with the whole chain (dwarf)"
has err "[0-9.]+% of stacks fully unwound \(DWARF, 8192-byte stack copies\)"
full=$(sed -nE 's/.* ([0-9.]+)% of stacks fully unwound.*/\1/p' err)
between "$full" 90 100 "stacks fully unwound"

# fp on the same program: shown, not asserted (frame pointers are missing)
run 0 "$FLAME" record --call-graph fp -F 1999 -o fp.folded -- "$NOFP" 1
echo "fp:    $(chain_share fp.folded)% of chain_c stacks show $CHAIN" >&2

# time spent in the vDSO (clock_gettime) unwinds through it too
run 0 "$FLAME" record --call-graph dwarf -F 1999 -o vdso.folded -- "$NOFP" -v 0.5
vdso=$(awk '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s)
	if (s !~ /clock_gettime/) next
	t += c; if (index(s, "main;vdso_loop;")) m += c }
	END { printf "%.1f\n", t ? 100 * m / t : 0 }' vdso.folded)
echo "vdso: $vdso% of clock_gettime stacks show main;vdso_loop" >&2
between "$vdso" 90 100 "share of clock_gettime samples with main;vdso_loop"

# a bigger stack copy is taken as asked
run 0 "$FLAME" record --call-graph dwarf,16000 -F 999 -o big.folded -- "$NOFP" 0.3
has err "16000-byte stack copies"
between "$(chain_share big.folded)" 90 100 "share with dwarf,16000"

# auto: dwarf for the build without frame pointers, fp for the other one
run 0 "$FLAME" record --call-graph auto -F 999 -o auto.folded -- "$NOFP" 0.3
has err "--call-graph auto chose dwarf: .*flame-test-nofp"
between "$(chain_share auto.folded)" 90 100 "share with auto"
run 0 "$FLAME" record --call-graph auto -F 999 -o autofp.folded -- "$FP" 0.3
has err "--call-graph auto chose fp: .*flame-test-fp"
hasnt err "fully unwound"

# -p PID with auto: the running program's /proc/PID/exe decides
"$NOFP" 3 &
pid=$!
sleep 0.2
run 0 "$FLAME" record --call-graph auto -p "$pid" -d 0.5 -o attach.folded
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
has err "--call-graph auto chose dwarf: .*flame-test-nofp"
between "$(chain_share attach.folded)" 90 100 "share when attached"
exit 0
