# --wall: CPU time and off-CPU time in one profile, in ns.  A thread that
# spends 100 ms of wall time in burn and 200 ms asleep in nap, 4 times:
# burn is a third of the wall time, nap two thirds; off-CPU frames end in
# _[o], CPU frames do not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/offcpu-lib.sh"
need_offcpu

FLAME_WORK_STAMP=$TMP/stamp run 0 "$FLAME" record --wall -o wall.folded -- "$OFF" sleep 4
total=$(total wall.folded)
# CPU samples (1 ms periods) and off-CPU intervals together cover the run,
# about 1.2 s (longer on a loaded machine), as the workload measured it
# from main to exit: to a few periods, plus exec and the dynamic loader
# before main
runtime=$(awk '{ print $2 - $1 }' "$TMP/stamp")
lo=$(awk -v r="$runtime" 'BEGIN { print 0.95 * r }')
hi=$(awk -v r="$runtime" 'BEGIN { print 1.03 * r + 20e6 }')
echo "profile $(ms "$total") ms for a run of $(ms "$runtime") ms"
between "$total" "$lo" "$hi" "wall time in the profile (ns)"
# burn's wall time is its CPU time plus the time it was preempted (on a
# loaded machine); nap's is its sleep
burn=$(share wall.folded ';burn(_\[o\])?(;|$)')
nap=$(share wall.folded ';nap(_\[o\])?(;|$)')
echo "burn $burn% nap $nap% of $(ms "$total") ms"
between "$burn" 28 39 "burn's share of wall time (%)"
between "$nap" 61 72 "nap's share of wall time (%)"
# on-CPU burn is unmarked; the sleep is marked _[o] from the root down
has wall.folded '^flame-test-offc;(__libc_start_call_main;)?main;run_sleep;burn$'
has wall.folded '^flame-test-offc;(__libc_start_call_main_\[o\];)?main_\[o\];run_sleep_\[o\];nap_\[o\];.*schedule_\[o\]'
hasnt wall.folded ';[^;]*_\[o\];[^;]*[^]];|;[^;]*_\[o\]_\[' "a stack mixes marked and unmarked frames"
oncpu=$(awk '{ s = $0; sub(/ [0-9]+$/, "", s); if (s !~ /_\[o\]/) m += $NF } END { print m + 0 }' wall.folded)
between "$oncpu" 40e6 420e6 "CPU time (ns: burn spins 400 ms of wall time, less what it waits for a CPU)"
has err '^flame record: wrote wall.folded: [0-9]+ samples \(cpu-clock at 997 Hz, 1\.[0-9]+ s\)'
has err 'off-CPU frames end in _\[o\]$'

# the SVG: off-CPU frames blue, the mark not shown
run 0 "$FLAME" record -q --wall -o wall.svg -- "$OFF" sleep 1
has wall.svg 'Wall-Clock Time Flame Graph'
has wall.svg '<title>nap \([0-9,]+ ns'
hasnt wall.svg '_\[o\]' "the _[o] mark is shown"

# what --wall and --off-cpu refuse
run 2 "$FLAME" record --wall -e cycles -o x.folded -- "$OFF" sleep 1
has err "--wall adds nanoseconds off the CPU to CPU time: it needs -e cpu-clock or task-clock"
run 2 "$FLAME" record --off-cpu -F 99 -o x.folded -- "$OFF" sleep 1
has err "-e and -F choose the CPU-time event, which --off-cpu does not sample"
run 2 "$FLAME" record --off-cpu --wall -o x.folded -- "$OFF" sleep 1
has err "--off-cpu and --wall exclude each other"
echo "ok"
