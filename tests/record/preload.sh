# --sampler=preload: the in-process sampler (libflame-preload.so) gives the
# same graph as perf for the proportions workload (within wider bounds: it
# takes fewer samples, at most the kernel tick rate per thread), passes the
# command's exit status and standard streams through, and refuses what it
# cannot do.
# Needs no perf_event_open: runs everywhere.
. "$(dirname "$0")/lib.sh"

run 0 "$FLAME" record --sampler=preload -o prop.folded -- "$WORK" prop 1.5
n=$(total prop.folded)
between "$n" 0.05e9 1.8e9 "recorded CPU time (ns)"
hot=$(share prop.folded ';hot$')
warm=$(share prop.folded ';warm$')
cold=$(share prop.folded ';cold$')
echo "hot $hot% warm $warm% cold $cold%"
between "$hot" 48 72 "hot's share"
between "$warm" 19 41 "warm's share"
between "$cold" 3 18 "cold's share"
chain=$(share prop.folded '^flame-test-work;(__libc_start_call_main;)?main;run_prop;(hot|warm|cold)$')
between "$chain" 85 100 "share of samples with the full chain main;run_prop;LEAF"
hasnt prop.folded '^\[|;;' "empty or missing root frames"
has err '^flame record: wrote prop.folded: [0-9]+ samples \(in-process CPU timers at 997 Hz, 1\.[0-9]+ s\) from 1 thread in 1 process$'
has err '^flame record: lost 0 samples; [0-9.]+% of stacks look truncated; [0-9.]+% of frames \[unknown\]$'
hasnt err 'perf_event_open' "perf_event_open mentioned although --sampler=preload"

# a library opened with dlopen is symbolized
run 0 "$FLAME" record --sampler=preload -q -o d.folded -- "$WORK" dlopen 0.6 "$PLUGIN"
has d.folded '^flame-test-work;.*main;run_dlopen;plugin_spin$' "plugin_spin missing"

# the exit status and standard streams are the command's
run 3 "$FLAME" record --sampler=preload -q -o x.folded -- "$WORK" exit 3
[ -s x.folded ] || fail "no profile written for a command that exited 3"
run 143 "$FLAME" record --sampler=preload -o s.folded -- "$WORK" signal 15
has err "killed by signal 15"
run 127 "$FLAME" record --sampler=preload -o n.folded -- no-such-command-for-flame
has err "'no-such-command-for-flame': command not found"
printf 'hello\n' | "$FLAME" record --sampler=preload -q -o c.folded -- "$WORK" cat >out 2>err
[ "$(cat out)" = "hello" ] || fail "stdout was '$(cat out)'"
[ "$(cat err)" = "work: stderr" ] || fail "stderr was '$(cat err)'"
# a time-aware writer gets the samples' times in order
run 0 "$FLAME" record --sampler=preload -q -o t.speedscope.json -- "$WORK" prop 0.3
grep -q '"hot"' t.speedscope.json || fail "speedscope output without the hot frame"

# what the in-process sampler cannot do
run 2 "$FLAME" record --sampler=preload -p $$ -o n.folded
has err 'cannot attach to running processes \(-p\)'
run 2 "$FLAME" record --sampler=preload --kernel-only -o n.folded -- "$WORK" exit 0
has err 'user space only'
run 2 "$FLAME" record --sampler=preload -e cycles -o n.folded -- "$WORK" exit 0
has err 'CPU time only'
run 2 "$FLAME" record --sampler=bogus -o n.folded -- "$WORK" exit 0
has err "unknown sampler 'bogus'"
static=
for f in /usr/sbin/ldconfig /sbin/ldconfig; do
	if [ -x "$f" ] && ! readelf -l "$f" 2>/dev/null | grep -q INTERP && readelf -h "$f" >/dev/null 2>&1; then
		static=$f
		break
	fi
done
if [ -n "$static" ]; then
	run 2 "$FLAME" record --sampler=preload -o n.folded -- "$static" -p
	has err "is statically linked: .*--sampler=perf"
else
	echo "note: no statically linked program here, static check not run"
fi
[ ! -e n.folded ] || fail "a refused run left a profile behind"

# installed: flame finds the library in PREFIX/LIBDIR/flame/
if [ -n "${CMAKE:-}" ] && [ -n "${BUILD_DIR:-}" ]; then
	"$CMAKE" --install "$BUILD_DIR" --prefix "$TMP/inst" >/dev/null 2>&1 || fail "cmake --install failed"
	lib=$(find "$TMP/inst" -name libflame-preload.so | head -1)
	case $lib in
	*/flame/libflame-preload.so) ;;
	*) fail "libflame-preload.so not installed under LIBDIR/flame/ (found: '$lib')" ;;
	esac
	run 0 "$TMP/inst/bin/flame" record --sampler=preload -q -o inst.folded -- "$WORK" prop 0.3
	has inst.folded ';hot$' "the installed flame sampled nothing"
fi
echo "ok"
