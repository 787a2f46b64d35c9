# --sampler=preload follows threads (pthread_create), forked children,
# children that exec, and a process that execs another program in place.
. "$(dirname "$0")/lib.sh"

run 0 "$FLAME" record --sampler=preload -o t.folded -- "$WORK" threads 1
for i in one:1 two:2 three:3; do
	f=${i%:*}
	n=${i#*:}
	has t.folded "^worker-$n;.*;worker_$f$" "thread worker-$n (worker_$f) missing"
	s=$(share t.folded "^worker-$n;")
	between "$s" 4 60 "worker-$n's share"
done
has t.folded '^flame-test-work;.*;main_spin$' "main thread missing"
has err 'from 4 threads in 1 process$'

run 0 "$FLAME" record --sampler=preload --pid -o f.folded -- "$WORK" fork 1.2 "$WORKDIR/flame-test-exec"
has f.folded '^flame-test-work-[0-9]+;.*main;run_fork;parent_spin$' "parent missing"
has f.folded '^flame-test-work-[0-9]+;.*main;run_fork;child_spin$' "forked child missing"
has f.folded '^flame-test-exec-[0-9]+;.*main;exec_spin$' "exec'd child missing (or not renamed)"
pids=$(grep -v '^#' f.folded | sed 's/;.*//; s/.*-//' | sort -u | wc -l)
[ "$pids" = 3 ] || fail "$pids processes, expected 3"
hasnt f.folded '\[unknown\]$' "unresolved leaf frames"

# exec in place: the shell's process becomes flame-test-exec (same pid), and
# the new program is sampled with its own mappings
run 0 "$FLAME" record --sampler=preload --pid -o e.folded -- \
	bash -c "\"$WORK\" spin 0.3; exec \"$WORKDIR/flame-test-exec\" spin 0.5"
has e.folded '^flame-test-work-[0-9]+;.*main;exec_spin$' "the shell's child missing"
has e.folded '^flame-test-exec-[0-9]+;.*main;exec_spin$' "the program exec'd in place missing"
hasnt e.folded '^flame-test-exec-[0-9]+;.*\[unknown\]$' "the exec'd program's frames not resolved"

# a program that closes every descriptor it does not know of (as daemons
# do) still gets sampled: the stream is not kept open in the process
if command -v python3 >/dev/null; then
	run 0 "$FLAME" record --sampler=preload -o c.folded -- python3 -c '
import os
os.closerange(3, 65536)
x = 0
for i in range(3000000):
    x += i
'
	has c.folded '^python3;' "no samples after the program closed its descriptors"
	hasnt err 'cut short'
fi
echo "ok"
