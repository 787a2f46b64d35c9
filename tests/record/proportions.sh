# hot/warm/cold burn 60/30/10 % of the CPU under main;run_prop: the graph
# must show those chains in those proportions.
. "$(dirname "$0")/lib.sh"
need_perf

run 0 "$FLAME" record -o prop.folded -- "$WORK" prop 1.5
# weights are sample periods: nanoseconds of CPU for cpu-clock; at most the
# 1.5 s the program ran (less when other programs compete for the CPUs)
n=$(total prop.folded)
between "$n" 0.05e9 1.8e9 "recorded CPU time (ns)"
samples=$(sed -n 's/^flame record: wrote prop.folded: \([0-9]*\) samples.*/\1/p' err)
between "${samples:-0}" 50 1600 "number of samples"
hot=$(share prop.folded ';hot$')
warm=$(share prop.folded ';warm$')
cold=$(share prop.folded ';cold$')
echo "hot $hot% warm $warm% cold $cold%"
between "$hot" 54 66 "hot's share"
between "$warm" 24 36 "warm's share"
between "$cold" 6 14 "cold's share"
# the call chains, rooted at the command name, as perf script | flame collapse shows them
chain=$(share prop.folded '^flame-test-work;(__libc_start_call_main;)?main;run_prop;(hot|warm|cold)$')
between "$chain" 90 100 "share of samples with the full chain main;run_prop;LEAF"
hasnt prop.folded '^\[|;;' "empty or missing root frames"
# the summary on stderr
has err '^flame record: wrote prop.folded: [0-9]+ samples \(cpu-clock at 997 Hz, 1\.[0-9]+ s\) from 1 thread in 1 process$'
has err '^flame record: lost 0 samples; [0-9.]+% of stacks look truncated; [0-9.]+% of frames \[unknown\]$'
trunc=$(sed -n 's/.*; \([0-9.]*\)% of stacks look truncated.*/\1/p' err)
between "$trunc" 0 5 "share of truncated stacks"

# -q: nothing on stderr; -F changes the rate
run 0 "$FLAME" record -q -F 199 -o q.folded -- "$WORK" prop 0.5
[ ! -s err ] || fail "-q printed: $(cat err)"
s=$(wc -l <q.folded)
[ "$s" -ge 1 ] || fail "no stacks at -F 199"

# the timeline-independent view: --pid and --tid roots
run 0 "$FLAME" record -q --tid -o tid.folded -- "$WORK" prop 0.3
has tid.folded '^flame-test-work-[0-9]+/[0-9]+;'
echo "ok"
