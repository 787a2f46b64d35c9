# When perf_event_open is denied flame says why and how to fix it, exits
# 1, and does not run the command (with --sampler=perf; the default falls
# back to the in-process sampler: preload-fallback.sh).
. "$(dirname "$0")/lib.sh"

for e in 1 13; do # EPERM, EACCES from a seccomp filter (as in containers)
	run 1 "$HELPER" deny $e "$FLAME" record --sampler=perf -o d.folded -- "$WORK" cat
	has err "perf_event_open denied.*seccomp"
	has err "--security-opt seccomp=unconfined"
	[ ! -s out ] || fail "the command ran although sampling failed"
	[ ! -e d.folded ] || fail "a profile was written"
done
run 1 "$HELPER" deny 38 "$FLAME" record --sampler=perf -o d.folded -- "$WORK" exit 0
has err "perf_event_open is not available"

# An unprivileged user under kernel.perf_event_paranoid=2 gets user-space
# stacks and a note saying how to get kernel stacks too.
p=$(cat /proc/sys/kernel/perf_event_paranoid)
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ "$p" = 2 ]; then
	# The build tree may sit where that user cannot go (a clone under /root):
	# it runs copies of flame and the workload from here.
	chmod 777 "$TMP"
	mkdir "$TMP/bin"
	cp "$FLAME" "$TMP/bin/flame" && cp "$WORK" "$TMP/bin/work" || fail "cannot copy the binaries"
	chmod 755 "$TMP/bin" "$TMP/bin/flame" "$TMP/bin/work"
	nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	if ! "${nobody[@]}" "$TMP/bin/flame" --version >/dev/null 2>&1; then
		echo "skipped the unprivileged cases: user 65534 cannot run $TMP/bin/flame" \
			"(is ${TMPDIR:-/tmp} closed to other users?)"
	else
		uflame=$TMP/bin/flame
		uwork=$TMP/bin/work
		run 0 "${nobody[@]}" "$uflame" record -o "$TMP/n.folded" -- "$uwork" prop 0.4
		has err "note: kernel stacks not sampled: kernel.perf_event_paranoid is 2"
		has n.folded ';hot$'
		run 1 "${nobody[@]}" "$uflame" record --kernel-only -o "$TMP/n.folded" -- "$uwork" prop 0.4
		has err "kernel.perf_event_paranoid is 2, which allows user-space samples only"
		has err "sudo sysctl kernel.perf_event_paranoid=1"
		# another user's process (root's)
		"$WORK" spin 20 &
		victim=$!
		run 1 "${nobody[@]}" "$uflame" record -p "$victim" -d 1 -o "$TMP/n.folded"
		kill "$victim"
		has err "perf_event_open denied for thread $victim .*needs the right to ptrace it"
	fi
fi
echo "ok"
