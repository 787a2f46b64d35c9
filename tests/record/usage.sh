# flame record: option errors and help (no sampling needed).
. "$(dirname "$0")/lib.sh"

run 2 "$FLAME" record
has err "nothing to record"
run 2 "$FLAME" record -F abc -- true
has err "whole number"
run 2 "$FLAME" record -F 0 -- true
run 2 "$FLAME" record -e no-such-event -- true
has err "unknown event 'no-such-event'.*cpu-clock"
run 2 "$FLAME" record -p 1 -- true
has err "either -p PID or a COMMAND"
run 2 "$FLAME" record -p 12x
run 2 "$FLAME" record -o out.xyz -- true
has err "cannot tell the format"
run 2 "$FLAME" record --format png -- true
run 2 "$FLAME" record --user-only --kernel-only -- true
run 2 "$FLAME" record -m 100 -- true
has err "power of two"
run 2 "$FLAME" record -d -1 -- true
run 2 "$FLAME" record --bogus -- true
has err "unknown option '--bogus'"
# a process that does not exist (pids above pid_max never do)
run 2 "$FLAME" record -p 1073741823 -d 1
has err "no process 1073741823"
# above kernel.perf_event_max_sample_rate: said before anything runs
max=$(cat /proc/sys/kernel/perf_event_max_sample_rate 2>/dev/null || echo 0)
if [ "$max" -gt 0 ] && [ "$max" -lt 1000000 ]; then
	run 2 "$FLAME" record -F 1000000 -o x.folded -- true
	has err "-F 1000000 is above kernel.perf_event_max_sample_rate \($max\)"
	has err "sudo sysctl kernel.perf_event_max_sample_rate=1000000"
fi
run 0 "$FLAME" record --help
has out "usage: flame record"
run 0 "$FLAME" help record
has out "--attach"
[ ! -e flame.svg ] || fail "a usage error left flame.svg behind"
echo "ok"
