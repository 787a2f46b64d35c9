# A program with its own SIGPROF profiler (sigaction or signal, and
# setitimer(ITIMER_PROF) or a POSIX timer whose value is no pointer, at
# 100 Hz) keeps it under --sampler=preload: its
# handler gets its own ticks, none of flame's, sees itself installed, and
# flame still samples the program.  One that bypasses libc replaces flame's
# handler: flame stops sampling it and says so.
. "$(dirname "$0")/lib.sh"
SIGPROF_WORK=$WORKDIR/flame-test-sigprof

"$SIGPROF_WORK" 0.6 >bare.out || fail "the workload failed on its own"
bare=$(sed -n 's/^ticks \([0-9]*\).*/\1/p' bare.out)
for how in sigaction signal timer; do
	run 0 "$FLAME" record --sampler=preload -o s.folded -- "$SIGPROF_WORK" 0.6 $how
	ticks=$(sed -n 's/^ticks \([0-9]*\).*/\1/p' out)
	echo "$how: ticks $ticks (bare run: $bare)"
	# 100 Hz of 0.6 s of CPU: about 60; flame's timers would add hundreds
	between "${ticks:-0}" 20 90 "the program's own SIGPROF ticks"
	has out 'foreign 0 ' "the program's handler got flame's timer signals"
	has out 'own-handler 1$' "the program does not see its own handler installed"
	has s.folded '^flame-test-sigp[a-z]*;.*main;sigprof_spin$' "no samples of sigprof_spin"
	hasnt err 'installed a SIGPROF handler'
done

# one that sets its SIGPROF action with the raw system call wins: flame
# notices, stops its timers there, says so, and the program runs on
run 0 "$FLAME" record --sampler=preload -o r.folded -- "$SIGPROF_WORK" 0.6 raw
has out '^raw$'
has err 'installed a SIGPROF handler of its own with a raw system call'
echo "ok"
