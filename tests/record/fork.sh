# Child processes, one exiting early and one calling exec, are all sampled
# and symbolized, each under its own pid.
. "$(dirname "$0")/lib.sh"
need_perf

run 0 "$FLAME" record --pid -o f.folded -- "$WORK" fork 1.2 "$WORKDIR/flame-test-exec"
has f.folded '^flame-test-work-[0-9]+;.*main;run_fork;parent_spin$' "parent missing"
has f.folded '^flame-test-work-[0-9]+;.*main;run_fork;child_spin$' "forked child missing"
has f.folded '^flame-test-exec-[0-9]+;.*main;exec_spin$' "exec'd child missing (or not renamed)"
pids=$(grep -v '^#' f.folded | sed 's/;.*//; s/.*-//' | sort -u | wc -l)
[ "$pids" = 3 ] || fail "$pids processes, expected 3"
has err 'in 3 processes$'
hasnt f.folded '\[unknown\]$' "unresolved leaf frames"
echo "ok"
