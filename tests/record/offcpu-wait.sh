# --off-cpu shows what a thread waits for: a pipe read until another
# thread writes 300 ms later, a mutex another thread holds for 300 ms;
# and --tid, attach mode and threads that are still asleep at the end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/offcpu-lib.sh"
need_offcpu

run 0 "$FLAME" record -q --off-cpu -o pipe.folded -- "$OFF" pipe 300
r=$(weight pipe.folded ';read_pipe;')
echo "read_pipe waited $(ms "$r") ms"
between "$r" 280e6 400e6 "the pipe reader's wait (ns)"
has pipe.folded ';read_pipe;(.*;)?(read|__libc_read)(;.*)?;schedule(;.*)?$' "no read stack down to schedule"
has pipe.folded '^flame-test-offc;start_thread;.*clock_nanosleep' "no stack of the writer's sleep"

run 0 "$FLAME" record -q --off-cpu -o mutex.folded -- "$OFF" mutex 300
m=$(weight mutex.folded ';lock_wait;')
echo "lock_wait waited $(ms "$m") ms"
between "$m" 280e6 400e6 "the mutex waiter's wait (ns)"
has mutex.folded ';lock_wait;.*futex.*;schedule(;.*)?$' "no futex stack down to schedule"

# per thread: --tid roots, main thread and writer thread apart
run 0 "$FLAME" record -q --off-cpu --tid -o tid.folded -- "$OFF" pipe 200
n=$(grep -v '^#' tid.folded | sed -E 's/;.*//' | sort -u | wc -l)
[ "$n" = 2 ] || fail "expected 2 threads in --tid roots, got $n"

# attach to a sleeping process for 0.5 s: its sleep is still going when
# recording ends and is charged until then; the sleep under way when
# recording began is not seen (no switch-out stack for it)
"$OFF" sleep 20 &
pid=$!
sleep 0.3
run 0 "$FLAME" record -q --off-cpu -p "$pid" -d 1 -o att.folded
kill "$pid"
wait "$pid" 2>/dev/null
t=$(total att.folded)
echo "attached: $(ms "$t") ms off CPU in 1 s"
between "$t" 100e6 1.1e9 "off-CPU time while attached for 1 s (ns)"
has att.folded ';nap;'
echo "ok"
