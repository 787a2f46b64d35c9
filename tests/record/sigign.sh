# flame started with SIGINT ignored (a shell's background job, or trap ""):
# kill -INT still stops the recording, as Ctrl-C does, and the profile is
# written.
. "$(dirname "$0")/lib.sh"
need_perf

# a non-interactive shell starts background jobs with SIGINT ignored;
# the trap makes sure of it whatever the shell
(trap "" INT; exec "$FLAME" record -q -o i.folded -- "$WORK" spin 20) &
f=$!
sleep 0.5
kill -INT "$f"
for i in $(seq 100); do
	kill -0 "$f" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$f" 2>/dev/null; then
	kill -KILL "$f"
	fail "flame went on recording after SIGINT (it was ignored)"
fi
wait "$f"
rc=$?
[ "$rc" = 130 ] || fail "exit status $rc after SIGINT to flame, expected 130"
has i.folded 'exec_spin$' "no profile after SIGINT"

# SIGTERM ignored when flame starts stops it too
(trap "" TERM; exec "$FLAME" record -q -o t.folded -- "$WORK" spin 20) &
f=$!
sleep 0.5
kill -TERM "$f"
for i in $(seq 100); do
	kill -0 "$f" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$f" 2>/dev/null; then
	kill -KILL "$f"
	fail "flame went on recording after SIGTERM (it was ignored)"
fi
wait "$f"
rc=$?
[ "$rc" = 143 ] || fail "exit status $rc after SIGTERM to flame, expected 143"
has t.folded 'exec_spin$' "no profile after SIGTERM"

# SIGHUP ignored (nohup): the command keeps ignoring it, so a hangup passed
# on leaves the command and the recording running
(trap "" HUP; exec "$FLAME" record -q -o h.folded -- "$WORK" spin 1.5) &
f=$!
sleep 0.5
kill -HUP "$f"
sleep 0.3
kill -0 "$f" 2>/dev/null || fail "SIGHUP stopped flame under nohup"
wait "$f"
rc=$?
[ "$rc" = 0 ] || fail "exit status $rc after SIGHUP under nohup, expected 0"
has h.folded 'exec_spin$' "no profile after SIGHUP under nohup"
echo "ok"
