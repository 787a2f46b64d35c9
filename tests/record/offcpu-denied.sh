# When off-CPU sampling is not allowed flame says why and what to run,
# exits 1, and runs nothing.  Real conditions: an unprivileged user (as
# root, with setpriv) cannot read tracefs, which is root's only, nor
# sample a kernel tracepoint under kernel.perf_event_paranoid=2; in a
# private mount namespace without tracefs, flame mounts it as root and
# says what to run otherwise.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/offcpu-lib.sh"
need_offcpu

if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "SKIP: needs root and setpriv to run flame as an unprivileged user"
	exit 77
fi
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
chmod 777 "$TMP"
tdir=/sys/kernel/tracing
[ -d "$tdir/events" ] || tdir=/sys/kernel/debug/tracing
if ! nobody test -r "$tdir/events/sched/sched_switch/id"; then
	for opt in --off-cpu --wall; do
		run 1 nobody "$FLAME" record $opt -o "$TMP/n.folded" -- "$OFF" sleep 1
		has err "cannot read $tdir/events/sched/sched_switch/id: Permission denied"
		has err "fix: run flame record as root"
		[ ! -s out ] || fail "the command ran although sampling failed"
		[ ! -e n.folded ] || fail "a profile was written"
	done
else
	echo "note: tracefs is readable by other users here: its error is not tested"
fi
# a user who may read tracefs (CAP_DAC_READ_SEARCH) but has no perf_event
# privilege: the tracepoint fires in the kernel, which paranoid=2 forbids
if [ "$(cat /proc/sys/kernel/perf_event_paranoid)" = 2 ] &&
	nobody --inh-caps=+dac_read_search --ambient-caps=+dac_read_search true 2>/dev/null; then
	run 1 nobody --inh-caps=+dac_read_search --ambient-caps=+dac_read_search \
		"$FLAME" record --off-cpu -o "$TMP/n.folded" -- "$OFF" sleep 1
	has err "perf_event_open denied for off-CPU sampling: the sched:sched_switch tracepoint fires in the kernel, and kernel.perf_event_paranoid is 2"
	has err "sudo sysctl kernel.perf_event_paranoid=1"
	[ ! -s out ] || fail "the command ran although sampling failed"
	[ ! -e n.folded ] || fail "a profile was written"
fi
# no tracefs mounted (a mount namespace of our own, so nothing else sees
# it unmounted): root mounts it, as perf does; another user is told how
if command -v unshare >/dev/null && unshare -m --propagation private true 2>/dev/null; then
	notracefs() { # CMD...: run CMD where no tracefs is mounted
		unshare -m --propagation private sh -c '
			umount -l /sys/kernel/debug 2>/dev/null
			while grep -q " tracefs " /proc/self/mounts; do
				umount -l "$(awk "\$3 == \"tracefs\" { print \$2; exit }" /proc/self/mounts)" || exit 9
			done
			exec "$@"' sh "$@"
	}
	run 0 notracefs sh -c '"$@" && grep -c " tracefs " /proc/self/mounts' sh \
		"$FLAME" record -q --off-cpu -o "$TMP/m.folded" -- "$OFF" pipe 50
	has out '^1$' "flame did not mount tracefs"
	has m.folded ';read_pipe;'
	run 1 notracefs setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$FLAME" record --off-cpu -o "$TMP/n.folded" -- "$OFF" sleep 1
	has err "tracefs, where the kernel numbers its tracepoints, is not mounted, and mounting it needs root"
	has err "fix: sudo mount -t tracefs nodev /sys/kernel/tracing"
	[ ! -e n.folded ] || fail "a profile was written"
else
	echo "note: no private mount namespace here: the missing-tracefs cases are not tested"
fi
echo "ok"
