# flame started with SIGINT ignored (a shell's background job, or trap ""):
# kill -INT still stops the recording, as Ctrl-C does, and the profile is
# written.
. "$(dirname "$0")/lib.sh"
need_perf

# stops SIG STATUS OUT: flame started with SIG ignored stops on kill -SIG,
# exits STATUS and writes OUT.  A non-interactive shell starts background
# jobs with SIGINT ignored; the trap makes sure of it whatever the shell.
stops() {
	local sig=$1 status=$2 out=$3
	(trap "" "$sig"; exec "$FLAME" record -q -o "$out" -- "$WORK" spin 20) &
	local f=$!
	sleep 0.5
	kill -"$sig" "$f"
	for i in $(seq 100); do
		kill -0 "$f" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$f" 2>/dev/null; then
		kill -KILL "$f"
		fail "flame went on recording after SIG$sig (it was ignored)"
	fi
	wait "$f"
	local rc=$?
	[ "$rc" = "$status" ] || fail "exit status $rc after SIG$sig to flame, expected $status"
	has "$out" 'exec_spin$' "no profile after SIG$sig"
}

stops INT 130 i.folded
# SIGTERM ignored when flame starts stops it too
stops TERM 143 t.folded

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
