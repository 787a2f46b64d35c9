# flame's exit status is the command's; a command that cannot run is
# reported like a shell does; no samples writes no file (an empty graph is
# no use) but the status is still the command's;
# the command's standard streams are its own.
. "$(dirname "$0")/lib.sh"
need_perf

run 3 "$FLAME" record -q -o x.folded -- "$WORK" exit 3
[ -s x.folded ] || fail "no profile written for a command that exited 3"
run 0 "$FLAME" record -q -o y.folded -- "$WORK" exit 0
run 143 "$FLAME" record -o s.folded -- "$WORK" signal 15
has err "killed by signal 15"
[ -s s.folded ] || fail "no profile written for a command killed by a signal"
run 138 "$FLAME" record -q -o u.folded -- "$WORK" signal 10

run 127 "$FLAME" record -o n.folded -- no-such-command-for-flame
has err "'no-such-command-for-flame': command not found"
run 127 "$FLAME" record -o n.folded -- ./no/such/file
has err "no such file"
printf 'x' >notexec
chmod 644 notexec
run 126 "$FLAME" record -o n.folded -- ./notexec
has err "cannot execute: Permission denied"
[ ! -e n.folded ] || fail "a failed start left a profile behind"

# too short to be sampled (1 Hz: the first sample after a second of CPU)
run 0 "$FLAME" record -F 1 -o t.folded -- true
has err "no samples recorded, so no t.folded written"
[ ! -e t.folded ] || fail "an empty profile was written"
run 1 "$FLAME" record -F 1 -o t.folded -- false

# stdin, stdout and stderr are the command's
printf 'hello\nworld\n' | "$FLAME" record -q -o c.folded -- "$WORK" cat >out 2>err
[ "$(cat out)" = "$(printf 'hello\nworld')" ] || fail "stdout was '$(cat out)'"
[ "$(cat err)" = "work: stderr" ] || fail "stderr was '$(cat err)'"
echo "ok"
