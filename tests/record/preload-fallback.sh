# --sampler=auto (the default): when perf_event_open is refused for want of
# permission (here: a real seccomp filter, as container runtimes install),
# flame says so in one line and samples in-process instead; --sampler=perf
# keeps the old behaviour (the reason, the fix, exit 1).
. "$(dirname "$0")/lib.sh"

for e in 13 1; do # EACCES, EPERM
	run 0 "$HELPER" deny $e "$FLAME" record -o a.folded -- "$WORK" prop 0.8
	has err '^flame record: perf_event_open denied \(.*seccomp filter.*\); sampling in-process with libflame-preload.so instead$'
	[ "$(grep -c 'perf_event_open' err)" = 1 ] || fail "more than one line about perf_event_open"
	has a.folded '^flame-test-work;.*main;run_prop;hot$' "no profile from the fallback"
	hot=$(share a.folded ';hot$')
	between "$hot" 45 75 "hot's share"
	rm -f a.folded
done
# the exit status passes through the fallback too
run 3 "$HELPER" deny 13 "$FLAME" record -q -o x.folded -- "$WORK" exit 3
[ -s x.folded ] || fail "no profile written"
# a hidden system call (ENOSYS) falls back as well
run 0 "$HELPER" deny 38 "$FLAME" record -o n.folded -- "$WORK" prop 0.3
has err 'perf_event_open unavailable \(.*\); sampling in-process'

# a statically linked program cannot take the library: the perf error
# with its fix, and why the fallback cannot help
for f in /usr/sbin/ldconfig /sbin/ldconfig; do
	if [ -x "$f" ] && ! readelf -l "$f" 2>/dev/null | grep -q INTERP && readelf -h "$f" >/dev/null 2>&1; then
		run 1 "$HELPER" deny 13 "$FLAME" record -o p.folded -- "$f" -p
		has err 'perf_event_open denied, and the in-process sampler cannot help: .*statically linked'
		has err '--security-opt seccomp=unconfined'
		break
	fi
done
# -q: no line about the fallback
run 0 "$HELPER" deny 13 "$FLAME" record -q -o q.folded -- "$WORK" prop 0.2
[ ! -s err ] || fail "-q printed: $(cat err)"

# no fallback when it was asked for perf, or for what preload cannot do
run 1 "$HELPER" deny 13 "$FLAME" record --sampler=perf -o p.folded -- "$WORK" exit 0
has err "perf_event_open denied.*seccomp"
hasnt err 'sampling in-process'
[ ! -e p.folded ] || fail "a profile was written"
run 1 "$HELPER" deny 13 "$FLAME" record --kernel-only -o p.folded -- "$WORK" exit 0
hasnt err 'sampling in-process'
run 1 "$HELPER" deny 13 "$FLAME" record -e cycles -o p.folded -- "$WORK" exit 0
hasnt err 'sampling in-process'
echo "ok"
