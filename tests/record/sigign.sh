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

# SIGTERM and SIGHUP, ignored when flame starts, stop it too
for sig in TERM:143 HUP:129; do
	want=${sig#*:}
	sig=${sig%:*}
	(trap "" $sig; exec "$FLAME" record -q -o $sig.folded -- "$WORK" spin 20) &
	f=$!
	sleep 0.5
	kill -$sig "$f"
	for i in $(seq 100); do
		kill -0 "$f" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$f" 2>/dev/null; then
		kill -KILL "$f"
		fail "flame went on recording after SIG$sig (it was ignored)"
	fi
	wait "$f"
	rc=$?
	[ "$rc" = "$want" ] || fail "exit status $rc after SIG$sig to flame, expected $want"
	has $sig.folded 'exec_spin$' "no profile after SIG$sig"
done
echo "ok"
