# Ctrl-C stops the command and still writes the profile; a second Ctrl-C
# kills a command that ignores the first; a signal sent to flame alone is
# passed on; if flame is killed the command does not linger.
. "$(dirname "$0")/lib.sh"
need_perf

# Ctrl-C typed on a terminal reaches flame and the command (exit 128+2)
run 130 "$HELPER" pty-intr 0.5 "$FLAME" record -o i.folded -- "$WORK" spin 20
has i.folded 'exec_spin$' "no profile after Ctrl-C"
has out "killed by signal 2"

# the command ignores SIGINT: the helper types Ctrl-C again, flame kills it
run 137 "$HELPER" pty-intr 0.4 "$FLAME" record -o g.folded -- "$WORK" ignore-int 20
has g.folded 'exec_spin$'

# SIGTERM sent to flame only is passed on
"$FLAME" record -q -o t.folded -- "$WORK" spin 20 &
f=$!
sleep 0.5
kill -TERM "$f"
wait "$f"
rc=$?
[ "$rc" = 143 ] || fail "exit status $rc after SIGTERM to flame, expected 143"
has t.folded 'exec_spin$' "no profile after SIGTERM"
left=$(ls -A | grep -E '^\..*\.tmp\.' | tr '\n' ' ')
[ -z "$left" ] || fail "temporary output files left after SIGTERM: $left"

# flame killed: the command must not linger
"$FLAME" record -q -o k.folded -- "$WORK" spin 20 &
f=$!
sleep 0.5
c=$(cat /proc/$f/task/$f/children 2>/dev/null | awk '{ print $1 }')
[ -n "$c" ] || fail "no child of flame found"
kill -KILL "$f"
wait "$f" 2>/dev/null
for i in $(seq 50); do
	st=$(awk '{ print $3 }' /proc/$c/stat 2>/dev/null)
	[ -z "$st" ] || [ "$st" = Z ] && break
	sleep 0.1
done
[ -z "$st" ] || [ "$st" = Z ] || fail "the command (pid $c) outlived flame (state $st)"
[ ! -e k.folded ] || fail "a killed flame left a profile behind"
echo "ok"
