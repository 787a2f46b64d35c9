# flame collapse perf.data equals perf script -i perf.data | flame collapse,
# on recordings made here with perf record -g of the test workloads
# (threads, fork + exec, dlopen, C++), with -z when this perf compresses,
# in pipe mode (perf record -o -),
# with several events, and with --pid --tid --kernel --jit --all --addrs.
#
# The two paths symbolize independently (perf on its side, flame's
# symbolizer on the other), and differ systematically on a few frames
# (see man/flame-collapse.1, "perf.data input"): a frame whose name starts
# with '(' is dropped by the text reader (stackcollapse-perf.pl's rule for
# process names) but kept here; perf shows versioned names
# ("clock_gettime@@GLIBC_2.17"); perf names PLT stubs (foo@plt) and keeps
# a process's old mappings for a moment after exec.
# So after normalizing the first two, the test asserts: the same total
# weight and the same weight per root (thread name), at least 99% of the
# weight in identical stacks, and every stack of 1% of the weight or more
# in both.  Needs perf (skipped without it).
. "$(dirname "$0")/lib.sh"
need_perf
if ! command -v perf >/dev/null || ! perf --version >/dev/null 2>&1; then
	echo "SKIP: perf is not installed"
	exit 77
fi

# normalize FOLDED: version suffixes cut, frames starting with '(' dropped,
# equal stacks merged
norm() {
	awk '{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); n = split(s, f, ";"); o = ""
		for (i = 1; i <= n; i++) {
			if (i > 1 && substr(f[i], 1, 1) == "(") continue
			sub(/@@?[A-Za-z_][A-Za-z0-9_.]*$/, "", f[i])
			o = o (o == "" ? "" : ";") f[i]
		}
		w[o] += c }
		END { for (s in w) print s " " w[s] }' "$1" | LC_ALL=C sort
}

# same LABEL A B: A (flame collapse perf.data) and B (perf script | flame
# collapse) agree as described above
same() {
	local label=$1
	norm "$2" >"$TMP/na"
	norm "$3" >"$TMP/nb"
	[ -s "$TMP/nb" ] || fail "$label: perf script | flame collapse gave nothing"
	awk -v label="$label" '
		{ c = $NF; s = $0; sub(/ [0-9]+$/, "", s); r = s; sub(/;.*/, "", r) }
		FNR == NR { a[s] = c; ta += c; ra[r] += c; next }
		{ b[s] = c; tb += c; rb[r] += c }
		END {
			bad = 0
			if (ta != tb) { printf "%s: total weight %d, perf script %d\n", label, ta, tb; bad = 1 }
			for (r in ra) if (ra[r] != rb[r]) {
				printf "%s: root %s weighs %d, perf script %d\n", label, r, ra[r], rb[r]; bad = 1 }
			for (r in rb) if (!(r in ra)) { printf "%s: root %s missing\n", label, r; bad = 1 }
			for (s in a) if ((s in b)) same += (a[s] < b[s] ? a[s] : b[s])
			if (tb && same < 0.99 * tb) {
				printf "%s: only %.1f%% of the weight in identical stacks\n", label, 100 * same / tb
				bad = 1
			}
			for (s in a) if (!(s in b) && a[s] >= 0.01 * ta) { printf "%s: heavy stack only here: %s\n", label, s; bad = 1 }
			for (s in b) if (!(s in a) && b[s] >= 0.01 * tb) { printf "%s: heavy stack only in perf script: %s\n", label, s; bad = 1 }
			exit bad
		}' "$TMP/na" "$TMP/nb" >&2 || {
		diff "$TMP/na" "$TMP/nb" | head -20 >&2
		fail "$label: flame collapse perf.data and perf script | flame collapse differ"
	}
}

rec() { # OUT [perf record options] -- CMD...
	local out=$1
	shift
	perf record -q -g -F 4999 -o "$out" "$@" >/dev/null 2>perf.err ||
		{ cat perf.err >&2; fail "perf record $* failed"; }
}

samples() { # the sample count perf sees in FILE
	perf script -i "$1" -F time 2>/dev/null | wc -l
}

W=$WORKDIR
rec threads.data -F 20000 -- "$W/flame-test-work" threads 1
rec fork.data -- "$W/flame-test-work" fork 0.6 "$W/flame-test-exec"
rec dlopen.data -- "$W/flame-test-work" dlopen 0.6 "$PLUGIN"
rec cxx.data -- "$W/flame-test-cxx"
rec multi.data -e cpu-clock -e task-clock -- "$W/flame-test-work" threads 0.5
n=$(samples threads.data)
[ "$n" -ge 2000 ] || fail "only $n samples in threads.data"

for f in threads fork dlopen cxx multi; do
	run 0 "$FLAME" collapse -q -o a.folded $f.data
	perf script -i $f.data 2>/dev/null | "$FLAME" collapse -q >b.folded
	same "$f" a.folded b.folded
done

# the options, against perf script with the pid printed (the text reader
# takes it from the 'comm pid/tid' field)
for o in --pid --tid --kernel --jit --all --addrs "--tid --all --addrs"; do
	for f in threads fork; do
		run 0 "$FLAME" collapse -q $o -o a.folded $f.data
		perf script -F +pid -i $f.data 2>/dev/null | "$FLAME" collapse -q $o >b.folded
		same "$f $o" a.folded b.folded
	done
done
has a.folded '^flame-test-exec-[0-9]+/[0-9]+;' "--tid: no comm-PID/TID root after exec"
has a.folded '_\[k\]' "--all: no kernel frame marked"

# several events: the first sample's event, or the one named
for o in "" "--event-filter cpu-clock" "--event-filter task-clock"; do
	run 0 "$FLAME" collapse -q $o -o a.folded multi.data
	perf script -i multi.data 2>/dev/null | "$FLAME" collapse -q $o >b.folded
	same "multi $o" a.folded b.folded
done
run 1 "$FLAME" collapse --event-filter no-such-event multi.data
grep -q "no samples of event 'no-such-event'" "$TMP/err" || fail "no message for an unknown event"

# fork + exec and dlopen: the frames that matter, by name
run 0 "$FLAME" collapse -q -o a.folded fork.data
has a.folded '^flame-test-exec;.*main;exec_spin$' "the exec'd program is not named"
has a.folded '^flame-test-work;.*run_fork;.*child_spin$' "the forked child is not named"
run 0 "$FLAME" collapse -q -o a.folded dlopen.data
has a.folded ';plugin_spin$' "the dlopen'd library's function is not named"

# compressed records (perf record -z), when this perf writes them
if perf record -z -q -o probe.data -- true >/dev/null 2>&1; then
	rec z.data -z -- "$W/flame-test-work" threads 0.6
	run 0 "$FLAME" collapse -q -o a.folded z.data
	perf script -i z.data 2>/dev/null | "$FLAME" collapse -q >b.folded
	same "perf record -z" a.folded b.folded
else
	echo "note: this perf does not write compressed records (perf record -z); not tested"
fi

# pipe mode (perf record -o -): to a file, and straight into flame collapse
perf record -q -g -F 4999 -o - -- "$W/flame-test-work" threads 0.5 >pipe.data 2>perf.err ||
	{ cat perf.err >&2; fail "perf record -o - failed"; }
run 0 "$FLAME" collapse -q -o a.folded pipe.data
perf script -i pipe.data 2>/dev/null | "$FLAME" collapse -q >b.folded
same "perf record -o -" a.folded b.folded
perf record -q -g -F 4999 -o - -- "$W/flame-test-work" threads 0.3 2>perf.err |
	"$FLAME" collapse -q >a.folded || fail "perf record -o - | flame collapse failed"
has a.folded '^worker-1;.*worker_one$' "perf record -o - | flame collapse: no worker_one"

# the same bytes through a pipe and zstd-compressed give the same stacks
run 0 "$FLAME" collapse -q -o a.folded threads.data
"$FLAME" collapse -q - <threads.data >p.folded || fail "perf.data from a pipe failed"
cmp -s a.folded p.folded || fail "perf.data from a pipe differs"
if command -v zstd >/dev/null; then
	zstd -q threads.data -o threads.data.zst
	run 0 "$FLAME" collapse -q -o c.folded threads.data.zst
	cmp -s a.folded c.folded || fail "perf.data.zst differs"
fi
# a recorded file that changed since, or is gone: a warning names it
cp "$W/flame-test-work" wcopy
rec changed.data -- ./wcopy spin 0.3
run 0 "$FLAME" collapse -o bid.folded changed.data
if grep -q 'wcopy' "$TMP/err"; then
	cat "$TMP/err" >&2
	fail "a warning about an unchanged file"
fi
has bid.folded ';exec_spin$' "the copy's function is not named"
cp "$W/flame-test-cxx" wcopy
run 0 "$FLAME" collapse -o bid.folded changed.data
grep -q 'wcopy.*recorded build-id' "$TMP/err" && grep -q 'changed since' "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "no warning about a changed file"; }
rm wcopy
run 0 "$FLAME" collapse -o bid.folded changed.data
grep -q 'wcopy.*recorded build-id' "$TMP/err" && grep -q 'is gone' "$TMP/err" ||
	{ cat "$TMP/err" >&2; fail "no warning about a file that is gone"; }
has bid.folded '^wcopy;' "the samples of a file that is gone are lost"

# perf record --call-graph dwarf: the user part of each stack is unwound
# from the sample's registers and stack copy (core/record/unwind), as perf script
# does; a program built without frame pointers shows its whole chain.
# perf names libc's entry __libc_start_main_impl (a local alias in the
# debug file), flame the global __libc_start_main: made equal here.
perf record -q --call-graph dwarf -F 999 -o dwarf.data -- "$W/flame-test-nofp" >/dev/null 2>perf.err ||
	{ cat perf.err >&2; fail "perf record --call-graph dwarf failed"; }
run 0 "$FLAME" collapse -q -o da.folded dwarf.data
perf script -i dwarf.data 2>/dev/null | "$FLAME" collapse -q | sed 's/__libc_start_main_impl/__libc_start_main/g' >db.folded
same "perf record --call-graph dwarf" da.folded db.folded
has da.folded '^flame-test-nofp;.*main;chain_a;chain_b;chain_c( [0-9]+)?$' \
	"--call-graph dwarf: chain_c not unwound to main"

# named explicitly, and read by the other commands
run 0 "$FLAME" collapse -q -f perf-data -o n.folded threads.data
cmp -s a.folded n.folded || fail "--format perf-data differs"
run 0 "$FLAME" render -q -o t.svg threads.data
grep -q 'worker_one' t.svg || fail "render of perf.data lacks worker_one"
run 0 "$FLAME" convert -q -t speedscope -o t.json threads.data
grep -q '"type":"evented"\|"type": *"sampled"\|"type":"sampled"' t.json || fail "convert to speedscope: no profile"
echo "ok"
