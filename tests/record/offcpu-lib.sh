# offcpu-lib.sh - shared by the off-CPU tests (sourced after lib.sh).
OFF=$WORKDIR/flame-test-offcpu

# Skip (77) when off-CPU sampling cannot work here: perf_event_open denied,
# no tracefs or no sched:sched_switch tracepoint, or not allowed to use
# them.  The reason is shown.
need_offcpu() {
	need_perf
	if ! "$FLAME" record -q --off-cpu -o probe.folded -- "$OFF" pipe 20 >/dev/null 2>probe.err; then
		if grep -Eq 'denied|tracefs|tracepoint|not available' probe.err; then
			echo "SKIP: off-CPU sampling unavailable: $(head -1 probe.err)"
			exit 77
		fi
		cat probe.err >&2
		fail "flame record --off-cpu failed"
	fi
}

# Sum of the weights of the folded stacks matching ERE $2 (ns).
weight() {
	awk -v re="$2" '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); if (s ~ re) m += c }
		END { printf "%.0f\n", m }' "$1"
}

ms() { awk -v v="$1" 'BEGIN { printf "%.1f\n", v / 1e6 }'; }
