# A library opened with dlopen (after the program started) is symbolized.
. "$(dirname "$0")/lib.sh"
need_perf

run 0 "$FLAME" record -o d.folded -- "$WORK" dlopen 0.8 "$PLUGIN"
has d.folded '^flame-test-work;.*main;run_dlopen;plugin_spin$' "plugin_spin missing"
s=$(share d.folded ';plugin_spin$')
between "$s" 80 100 "plugin_spin's share"
echo "ok"
