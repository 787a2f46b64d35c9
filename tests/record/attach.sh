# -p: attach to running processes (all their threads), for -d seconds,
# until they exit, or until Ctrl-C.
. "$(dirname "$0")/lib.sh"
need_perf

"$WORK" spin 60 &
a=$!
"$WORKDIR/flame-test-exec" threads 60 &
b=$!
trap 'kill $a $b 2>/dev/null; rm -rf "$TMP"' EXIT
sleep 0.3

# one process, for one second
t0=$(date +%s%N)
run 0 "$FLAME" record -p "$a" -d 1 -o a.folded
t1=$(date +%s%N)
el=$(( (t1 - t0) / 1000000 ))
between "$el" 900 10000 "elapsed ms with -d 1"
has a.folded '^flame-test-work;.*exec_spin$'
kill -0 "$a" 2>/dev/null || fail "attaching stopped the process"

# two processes, one with four threads
run 0 "$FLAME" record --pid -p "$a,$b" -d 0.8 -o ab.folded
has ab.folded "^flame-test-work-$a;"
has ab.folded "^flame-test-exec-$b;"
for n in 1 2 3; do
	has ab.folded "^worker-$n-$b;" "thread worker-$n of $b missing"
done

# Ctrl-C stops recording (exit 0), the process goes on
run 0 "$HELPER" pty-intr 0.6 "$FLAME" record -p "$a" -o c.folded
has c.folded 'exec_spin$'
kill -0 "$a" 2>/dev/null || fail "Ctrl-C in flame stopped the attached process"

# without -d: until the process exits
"$WORK" spin 0.7 &
c=$!
run 0 "$FLAME" record -p "$c" -o e.folded
has e.folded 'exec_spin$'
kill "$a" "$b" 2>/dev/null
echo "ok"
