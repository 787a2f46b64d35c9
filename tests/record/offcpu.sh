# --off-cpu: a thread that burns 100 ms then sleeps 200 ms (nanosleep), 4
# times: nap's stack, down through the kernel's schedule frames, carries
# the 800 ms it slept; burn, which never blocks, carries no blocked time.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/offcpu-lib.sh"
need_offcpu

FLAME_WORK_STAMP=$TMP/stamp run 0 "$FLAME" record --off-cpu -o off.folded -- "$OFF" sleep 4
runtime=$(awk '{ print $2 - $1 }' "$TMP/stamp")
# The sleep's interval runs from the switch-out sample to the switch-in
# record, which brackets the timer: never shorter than 200 ms less the few
# microseconds between arming the timer and leaving the CPU; longer by the
# wake-up latency: well under 50 ms per wake-up on a quiet machine, up to
# 100 ms seen with a load average of 16 on 2 CPUs.
nap=$(weight off.folded ';nap;')
echo "nap $(ms "$nap") ms off CPU (4 x 200 ms slept)"
between "$nap" 792e6 1200e6 "nap's off-CPU time (ns)"
# every nap stack is the sleep's, through the kernel's scheduler
has off.folded ';nap;(.*;)?(clock_nanosleep|nanosleep|__nanosleep)(;.*)?;schedule(;.*)?$' \
	"no nap stack down through nanosleep to schedule"
# burn spins: it leaves the CPU only when preempted (runnable), and those
# intervals end in [preempted]; it is never blocked
blocked=$(awk '{ s = $0; sub(/ [0-9]+$/, "", s); if (s ~ /;burn;/ && s !~ /\[preempted\]$/) m += $NF }
	END { print m + 0 }' off.folded)
between "$blocked" 0 5e6 "burn's blocked time (ns)"
pre=$(weight off.folded ';burn;.*\[preempted\]$')
between "$pre" 0 "$(awk -v r="$runtime" -v n="$nap" 'BEGIN { print r - n }')" \
	"burn's preempted time (ns, at most the run's time less nap's)"
echo "burn: $(ms "$blocked") ms blocked, $(ms "$pre") ms preempted"
# no CPU samples in an off-CPU profile; no _[o] marks either
total=$(total off.folded)
between "$total" "$nap" "$(awk -v r="$runtime" 'BEGIN { print r + 5e6 }')" \
	"all off-CPU time (ns, at most the run's $(ms "$runtime") ms)"
hasnt off.folded '_\[o\]' "--off-cpu alone marks no frame"
has err '^flame record: wrote off.folded: [0-9]+ off-CPU intervals \(sched:sched_switch, 1\.[0-9]+ s\) from 1 thread in 1 process$'
has err '^flame record: off-CPU: [0-9.]+ s in [0-9]+ intervals, [0-9]+ of them preempted'

# the SVG: blue (io palette), titled, counted in ns
run 0 "$FLAME" record -q --off-cpu -o off.svg -- "$OFF" sleep 1
has off.svg 'Off-CPU Time Flame Graph'
has off.svg '<title>nap \([0-9,]+ ns, [0-9.]+%\)</title>'
has off.svg 'stop-color="#eeeeee"' "not the io palette's background"

# the timeline: each sleep at its real time, 300 ms apart
"$FLAME" formats | grep -Eq '^chrome +rw' || { echo "ok"; exit 0; }
run 0 "$FLAME" record -q --off-cpu --format chrome -o t.json -- "$OFF" sleep 3
grep -o '"name":"nap"[^}]*' t.json | sed -E 's/.*"ts":([0-9.]+),"dur":([0-9.]+).*/\1 \2/' >naps
[ "$(wc -l <naps)" = 3 ] || { cat naps >&2; fail "expected 3 nap intervals in the trace"; }
awk 'NR > 1 { gap = $1 - prev; if (gap < 290000 || gap > 600000) bad = 1 }
	{ if ($2 < 199000 || $2 > 320000) bad = 1; prev = $1 } END { exit bad }' naps ||
	{ cat naps >&2; fail "nap intervals are not 200 ms long and 300 ms apart (us)"; }
echo "ok"
