# Where the profile goes: flame.svg by default, -o with a format from the
# name, --format, '-' for standard output, '.zst' compression; SVG options
# pass through to the renderer; a write error is an error.
. "$(dirname "$0")/lib.sh"
need_perf

svg_ok() { # FILE: an SVG flame graph (well-formed XML when xmllint is here)
	has "$1" '^<svg version="1.1"' "$1 is not an SVG"
	has "$1" '</svg>' "$1 is cut short"
	if command -v xmllint >/dev/null; then
		xmllint --noout "$1" || fail "$1 is not well-formed XML"
	fi
}

# the default: flame.svg in the current directory
run 0 "$FLAME" record -- "$WORK" prop 0.5
svg_ok flame.svg
has flame.svg '<title>hot \([0-9,]+ ns, [0-9.]+%\)</title>' "no frame for hot (counted in ns)"
has flame.svg '<title>main \(' "no frame for main"
has err '^flame record: wrote flame.svg: '

# SVG options pass through; the timeline draws a flame chart
run 0 "$FLAME" record -q -o chart.svg --title "My Title" --subtitle "sub" --width 800 \
	--colors blue --countname samples --flamechart -- "$WORK" prop 0.5
svg_ok chart.svg
has chart.svg 'My Title'
has chart.svg 'width="800"'
has chart.svg '<title>hot \([0-9,]+ samples, '
run 0 "$FLAME" record -q -o inv.svg --inverted --minwidth 1% -- "$WORK" prop 0.3
svg_ok inv.svg
has inv.svg 'Icicle Graph'
# other writers (when this flame has them): the time-aware ones get the
# timeline, one track per thread
for f in speedscope chrome; do
	"$FLAME" formats | grep -Eq "^$f +rw" || continue
	run 0 "$FLAME" record -q --format "$f" -o "t.$f.json" -- "$WORK" threads 0.4
	for n in 1 2 3; do
		has "t.$f.json" "\"worker-$n\"" "$f: no track for thread worker-$n"
	done
done
if "$FLAME" formats | grep -Eq "^cpuprofile +rw"; then
	run 0 "$FLAME" record -q -o p.cpuprofile -- "$WORK" prop 0.3
	has p.cpuprofile '"functionName":"hot"'
fi
run 2 "$FLAME" record -o p.json -- "$WORK" prop 0.1
has err "cannot tell the format from the name 'p.json'.*--format \(one of: svg, folded"

run 2 "$FLAME" record --title x -o p.folded -- "$WORK" prop 0.1
has err "--title applies to SVG output"
run 2 "$FLAME" record --colors nosuch -- "$WORK" prop 0.1
has err "unknown palette"
# render's other SVG options too: --cp keeps a palette file; --nameattr is
# read before the command runs
run 0 "$FLAME" record -q --cp --search-color '#ff0000' -o cp.svg -- "$WORK" prop 0.3
svg_ok cp.svg
has palette.map '^hot->rgb\('
has cp.svg 'rgb\(255,0,0\)'
FLAME_WORK_STAMP=$TMP/ran-na run 1 "$FLAME" record -q --nameattr no-such.attr -o na.svg -- "$WORK" prop 0.3
has err "no-such.attr"
[ ! -e ran-na ] || fail "the command ran although --nameattr cannot be read"
# options end at COMMAND: its own (-c, -e) are not flame's
run 3 "$FLAME" record -q -o sh.folded sh -c 'exit 3' -e

run 0 "$FLAME" record -q -o - -- "$WORK" prop 0.4
has out ';hot [0-9]+$' "-o -: no folded stacks on stdout"
run 0 "$FLAME" record -q --format folded -o prof.out -- "$WORK" prop 0.4
has prof.out ';hot [0-9]+$'
run 0 "$FLAME" record -q -o p.folded.zst -- "$WORK" prop 0.4
if command -v zstd >/dev/null; then
	zstd -dc p.folded.zst >p.folded || fail "p.folded.zst is not zstd"
	has p.folded ';hot$'
fi
# a directory that does not exist: an error before the command runs
FLAME_WORK_STAMP=$TMP/ran run 1 "$FLAME" record -q -o no/such/dir/p.folded -- "$WORK" prop 0.3
has err "cannot write 'no/such/dir/p.folded': No such file or directory"
[ ! -e ran ] || fail "the command ran although the output cannot be written"
# the directory vanishes while the command runs: flame fails (1) when the
# command succeeded, and the command's status wins when it failed
mkdir gone
run 1 "$FLAME" record -q -o gone/p.folded -- sh -c "rmdir gone && exec '$WORK' exit 0"
has err "gone/p.folded"
mkdir gone
run 3 "$FLAME" record -q -o gone/p.folded -- sh -c "rmdir gone && exec '$WORK' exit 3"
echo "ok"
