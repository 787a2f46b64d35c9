# Every thread shows up, under its own name (pthread_setname_np).
. "$(dirname "$0")/lib.sh"
need_perf

run 0 "$FLAME" record -o t.folded -- "$WORK" threads 1
for i in one:1 two:2 three:3; do
	f=${i%:*}
	n=${i#*:}
	has t.folded "^worker-$n;.*;worker_$f$" "thread worker-$n (worker_$f) missing"
	s=$(share t.folded "^worker-$n;")
	between "$s" 4 60 "worker-$n's share (4 threads on the CPUs there are)"
done
has t.folded '^flame-test-work;.*;main_spin$' "main thread missing"
has err 'from 4 threads in 1 process$'
run 0 "$FLAME" record -q --tid -o tid.folded -- "$WORK" threads 0.6
tids=$(grep -v '^#' tid.folded | sed 's/;.*//' | sort -u | wc -l)
[ "$tids" = 4 ] || fail "--tid: $tids distinct thread roots, expected 4"
echo "ok"
