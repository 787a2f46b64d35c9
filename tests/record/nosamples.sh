# No samples: flame still exits with the command's status, writes no file,
# and its advice fits what was used (the event, the sampler, a command
# that mostly waited).
. "$(dirname "$0")/lib.sh"
need_perf

# a run too short to be sampled (1 Hz: the first sample after a second of
# CPU): the command's status, no file
run 0 "$FLAME" record -F 1 -o t.folded -- true
has err "no samples recorded, so no t.folded written"
[ ! -e t.folded ] || fail "an empty profile was written"
run 3 "$FLAME" record -F 1 -o t.folded -- "$WORK" exit 3
has err "no samples recorded"
[ ! -e t.folded ] || fail "an empty profile was written"

# a command that sleeps: the clock events do not see it; --wall would
run 0 "$FLAME" record -F 1 -o s.folded -- sleep 0.3
has err "no samples recorded, so no s.folded written"
has err "off a CPU: try --wall"
hasnt err "-e task-clock" "task-clock suggested for a command that slept"
[ ! -e s.folded ] || fail "an empty profile was written"
for e in task-clock cpu-clock; do
	run 0 "$FLAME" record -F 1 -e $e -o s.folded -- sleep 0.3
	has err "try --wall"
	hasnt err "-e (task|cpu)-clock" "-e $e suggested again under -e $e"
done

# a busy command at 1 Hz: whatever the advice, not the event in use again
run 0 "$FLAME" record -F 1 -e task-clock -o b.folded -- "$WORK" spin 0.2
has err "no samples recorded"
hasnt err "-e task-clock" "-e task-clock suggested under -e task-clock"

# the in-process sampler counts only CPU time: it says so, and which sampler sees more
run 0 "$FLAME" record --sampler=preload -F 1 -o p.folded -- sleep 0.3
has err "in-process sampler counts only CPU time"
has err "--sampler=perf"
[ ! -e p.folded ] || fail "an empty profile was written"

# attach mode: no command status to pass on, still no file
sleep 5 &
victim=$!
run 1 "$FLAME" record -F 1 -p $victim -d 0.3 -o a.folded
kill $victim 2>/dev/null
wait $victim 2>/dev/null
has err "no samples recorded, so no a.folded written"
[ ! -e a.folded ] || fail "an empty profile was written"
echo "ok"
