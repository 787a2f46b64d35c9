# -e: task-clock works; a hardware event works or falls back to cpu-clock
# with a note.  --user-only / --kernel-only choose the frames; kernel frames
# are named from /proc/kallsyms.
. "$(dirname "$0")/lib.sh"
need_perf

run 0 "$FLAME" record -e task-clock -o t.folded -- "$WORK" prop 0.5
has err '\(task-clock at 997 Hz'
has t.folded ';hot$'

run 0 "$FLAME" record -e cycles -o c.folded -- "$WORK" prop 0.5
if grep -q "not supported here" err; then
	has err "note: event 'cycles' is not supported here .*sampling cpu-clock instead"
	has err '\(cpu-clock at 997 Hz'
else
	has err '\(cycles at 997 Hz'
fi
has c.folded ';hot$'

# kernel work: reading /dev/zero in large blocks
if [ "$(id -u)" = 0 ]; then
	run 0 "$FLAME" record --kernel -o k.folded -- dd if=/dev/zero of=/dev/null bs=1M count=3000
	has k.folded '_\[k\]' "no kernel frames"
	has k.folded '^dd;.*;[a-z_0-9.]+_\[k\]$' "kernel frames not resolved"
	s=$(share k.folded '\[kernel\.kallsyms\]_\[k\]$')
	between "$s" 0 20 "share of unresolved kernel leaves"
	run 0 "$FLAME" record --kernel --kernel-only -o ko.folded -- dd if=/dev/zero of=/dev/null bs=1M count=2000
	# every frame but the root is a kernel frame
	bad=$(lines ko.folded | awk -F';' '{ for (i = 2; i <= NF; i++) if ($i !~ /_\[k\]$/) n++ } END { print n + 0 }')
	[ "$bad" = 0 ] || fail "--kernel-only left $bad user frames"
fi
run 0 "$FLAME" record --kernel --user-only -o u.folded -- "$WORK" prop 0.4
hasnt u.folded '_\[k\]' "--user-only left kernel frames"
echo "ok"
