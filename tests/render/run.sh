#!/usr/bin/env bash
# Tests of `flame render`, one group per ctest test:
#
#   run.sh GROUP FLAME SVGFRAMES ROOT
#
# GROUP is one of:
#   perl      the frames (titles, x, width, y, height, fill) equal
#             flamegraph.pl's for every case of fixtures/render/perl/manifest.tsv
#   inferno   structural equality with inferno's SVGs (fixtures/render/inferno)
#   paths     the streaming and the profile paths draw the same SVG
#   options   each option does what it says
#   escape    hostile names stay text, every SVG parses
#   text      --format top and tree
#   errors    exit codes and messages
#
# Every SVG a test makes is checked with xmllint --noout (when installed).
# Exit status: 0 all passed, 1 a failure.
set -uo pipefail
export LC_ALL=C

group=$1
flame=$2
svgframes=$3
root=$4
fx=$root/fixtures/render
work=$(mktemp -d "${TMPDIR:-/tmp}/flame-render-test.XXXXXX")
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
have_xmllint=0
command -v xmllint >/dev/null 2>&1 && have_xmllint=1

ok() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# xmlcheck FILE: the SVG is well-formed XML
xmlcheck() {
	if [[ $have_xmllint == 1 ]] && ! xmllint --noout "$1" 2>"$work/xml.err"; then
		fail "$1 is not well-formed XML: $(head -c 300 "$work/xml.err")"
		return 1
	fi
	return 0
}

# render OUT ARGS...: run flame render, check the exit code and the XML
render() {
	local out=$1
	shift
	if ! "$flame" render -q "$@" > "$out" 2>"$work/stderr"; then
		fail "flame render $* failed: $(head -c 300 "$work/stderr")"
		return 1
	fi
	xmlcheck "$out"
}

# frames SVG [--px]: the sorted structure
frames() { "$svgframes" "$@" | sort; }

# ---------------------------------------------------------------- perl
group_perl() {
	tail -n +2 "$fx/perl/manifest.tsv" | while IFS=$'\t' read -r name input args; do
		# shellcheck disable=SC2086  # args are words
		if render "$work/$name.svg" $args "$fx/inputs/$input"; then
			"$svgframes" --px --fill "$work/$name.svg" | sort > "$work/$name.tsv"
			local exp=$fx/perl/$name.tsv
			if ! diff <(grep '^F' "$exp") <(grep '^F' "$work/$name.tsv") > "$work/d" ||
				! diff <(grep '^H' "$exp" | cut -f2-6) <(grep '^H' "$work/$name.tsv" | cut -f2-6) >> "$work/d"; then
				echo "FAIL: perl case $name ($args): frames differ from flamegraph.pl's"
				head -n 10 "$work/d"
				echo x >> "$work/failures"
			else
				echo x >> "$work/passes"
			fi
		else
			echo x >> "$work/failures"
		fi
	done
	passed=$((passed + $(cat "$work/passes" 2>/dev/null | wc -l)))
	failed=$((failed + $(cat "$work/failures" 2>/dev/null | wc -l)))
}

# ---------------------------------------------------------------- inferno
group_inferno() {
	# name, expected SVG, args (relative to fixtures/render/inferno), compare fills
	while IFS='|' read -r name exp fill args; do
		[[ -z $name || $name == \#* ]] && continue
		local d=$work/inferno-$name
		mkdir -p "$d"
		cp "$fx"/inferno/*.txt "$fx"/inferno/*.map "$d"/
		if (cd "$d" && eval "\"\$flame\" render -q --minwidth 0.01% $args" > out.svg 2>err.txt); then
			xmlcheck "$d/out.svg" || continue
			local cols=1-6
			[[ $fill == fill ]] && cols=1-7
			if diff <(frames --fill "$d/out.svg" | cut -f$cols) \
				<(frames --fill "$fx/inferno/$exp" | cut -f$cols) > "$d/diff" &&
				diff <(frames "$d/out.svg" | grep '^H') <(frames "$fx/inferno/$exp" | grep '^H') >> "$d/diff"; then
				ok
			else
				fail "inferno case $name ($args)"
				head -n 8 "$d/diff"
			fi
		else
			fail "inferno case $name: flame failed: $(head -c 300 "$d/err.txt")"
		fi
	done < "$fx/inferno/cases.txt"
}

# ---------------------------------------------------------------- paths
group_paths() {
	# The streaming path (sorted folded text) and the profile path
	# (--no-stream) must write the same bytes.
	local f
	for f in vertx.txt example-perf-stacks.txt diff.txt fractional.txt tricky-sorted.txt; do
		for opts in "" "--colors chain" "--hash --minwidth 0" "--inverted --factor 2"; do
			# shellcheck disable=SC2086
			render "$work/a.svg" $opts "$fx/inputs/$f" || continue
			# shellcheck disable=SC2086
			render "$work/b.svg" --no-stream $opts "$fx/inputs/$f" || continue
			if cmp -s "$work/a.svg" "$work/b.svg"; then ok; else fail "paths differ: $f $opts"; fi
		done
	done
	# unsorted input falls back to the profile path and gives the sorted result
	render "$work/s.svg" "$fx/inputs/vertx.txt" && render "$work/u.svg" "$fx/inputs/vertx-unsorted.txt" &&
		{ if cmp -s "$work/s.svg" "$work/u.svg"; then ok; else fail "unsorted input draws another graph"; fi; }
	# stdin, gzip and zstd inputs draw the same graph
	"$flame" render -q < "$fx/inputs/vertx.txt" > "$work/stdin.svg" &&
		{ if cmp -s "$work/s.svg" "$work/stdin.svg"; then ok; else fail "stdin input differs"; fi; }
	if command -v gzip >/dev/null; then
		gzip -c "$fx/inputs/vertx-unsorted.txt" > "$work/v.gz"
		render "$work/gz.svg" "$work/v.gz" &&
			{ if cmp -s "$work/s.svg" "$work/gz.svg"; then ok; else fail "gzip input differs"; fi; }
	fi
	if command -v zstd >/dev/null; then
		zstd -q -c "$fx/inputs/vertx.txt" > "$work/v.zst"
		render "$work/zst.svg" "$work/v.zst" &&
			{ if cmp -s "$work/s.svg" "$work/zst.svg"; then ok; else fail "zstd input differs"; fi; }
		"$flame" render -q -o "$work/out.svg.zst" "$fx/inputs/vertx.txt" &&
			zstd -q -d -c "$work/out.svg.zst" > "$work/unz.svg" &&
			{ if cmp -s "$work/s.svg" "$work/unz.svg"; then ok; else fail ".zst output differs"; fi; }
	fi
	# two files are merged, like perl's <> and sort
	head -n 100 "$fx/inputs/vertx-unsorted.txt" > "$work/p1.txt"
	tail -n +101 "$fx/inputs/vertx-unsorted.txt" > "$work/p2.txt"
	render "$work/two.svg" "$work/p1.txt" "$work/p2.txt" &&
		{ if cmp -s "$work/s.svg" "$work/two.svg"; then ok; else fail "two inputs are not merged"; fi; }
	# a perf script input goes through collapse's reader
	local perf=$root/fixtures/conformance/collapse-perf/perf-java-stacks-01/input.txt
	if [[ -r $perf ]]; then
		"$flame" collapse -q "$perf" > "$work/perf.folded"
		render "$work/c.svg" "$work/perf.folded" && render "$work/p.svg" "$perf" &&
			{ if cmp -s "$work/c.svg" "$work/p.svg"; then ok; else fail "perf script input differs from its folded form"; fi; }
	fi
	# the same input gives the same bytes, every time
	render "$work/r1.svg" "$fx/inputs/example-perf-stacks.txt" &&
		render "$work/r2.svg" "$fx/inputs/example-perf-stacks.txt" &&
		{ if cmp -s "$work/r1.svg" "$work/r2.svg"; then ok; else fail "output is not deterministic"; fi; }
	render "$work/q1.svg" --random "$fx/inputs/vertx.txt" && render "$work/q2.svg" --random "$fx/inputs/vertx.txt" &&
		{ if cmp -s "$work/q1.svg" "$work/q2.svg"; then ok; else fail "--random is not reproducible"; fi; }
}

# ---------------------------------------------------------------- options
has() { # has FILE PATTERN DESC
	if grep -q -e "$2" "$1"; then ok; else fail "$3: '$2' not in $1"; fi
}
hasnot() {
	if grep -q -e "$2" "$1"; then fail "$3: '$2' in $1"; else ok; fi
}

# colour name of FILL for palette checks: red, orange, yellow or aqua
palette_of() {
	awk -F'\t' -v want="$2" '$2 ~ want { split($7, c, /[(,)]/); r = c[2]; g = c[3]; b = c[4]
		if (b == 0 && r >= 190 && g >= 90 && g <= 155) print "orange"
		else if (r == g && b <= 70) print "yellow"
		else if (g == b && r < g) print "aqua"
		else if (g == b && r > g) print "red"
		else print "other"; exit }' "$1"
}

# inferno-flamegraph's options that flamegraph.pl lacks
inferno_options() {
	local v=$fx/inputs/vertx.txt d=$fx/inputs/diff.txt s=$work/o.svg
	# --colordiffusion: every frame filled as inferno fills it
	if render "$s" --minwidth 0.01% --colordiffusion "$v"; then
		# (but for the blank frame that inputs/vertx.txt writes "; 3", see fixtures/render/README.md)
		if diff <(frames --fill "$s" | grep '^F' | grep -v $'^F\t *(' | cut -f2-7) \
			<(frames --fill "$fx/inferno/vertx-colordiffusion.svg" | grep '^F' | grep -v $'^F\t *(' | cut -f2-7) > "$work/d"; then
			ok
		else
			fail "--colordiffusion fills differ from inferno's"
			head -n 6 "$work/d"
		fi
	fi
	# it wins over the differential colours, as in inferno, and excludes --colors
	render "$s" --colordiffusion "$d" && has "$s" '<title>all (.*fill="rgb(255,100,100)"' "--colordiffusion root" &&
		hasnot "$s" 'fill="rgb([0-9]*,[0-9]*,255)"' "--colordiffusion has no blue"
	"$flame" render -q --colordiffusion --colors java "$v" > /dev/null 2>&1
	if [[ $? == 2 ]]; then ok; else fail "--colordiffusion with --colors is not a usage error"; fi
	# --stroke-color: an outline rule for the frames' rects; none: no rule
	render "$s" --stroke-color '#7d7d7d' "$v" &&
		has "$s" '^#frames > g > rect, #frames > a > rect { stroke:rgb(125,125,125); stroke-width:1; }$' --stroke-color
	render "$s" --stroke-color none "$v" && hasnot "$s" 'stroke-width:1;' "--stroke-color none"
	render "$s" "$v" && hasnot "$s" 'stroke-width:1;' "no stroke by default"
	"$flame" render -q --stroke-color blue "$v" > /dev/null 2>&1
	if [[ $? == 2 ]]; then ok; else fail "--stroke-color blue is not a usage error"; fi
	# --uicolor: title, details and buttons
	render "$s" --uicolor '#ff0000' "$v" &&
		has "$s" '^#title, #details, #unzoom, #search, #ignorecase, #matched { fill:rgb(255,0,0); }$' --uicolor
	render "$s" "$v" && hasnot "$s" '#title, #details' "no UI colour by default"
	"$flame" render -q --uicolor red "$v" > /dev/null 2>&1
	if [[ $? == 2 ]]; then ok; else fail "--uicolor red is not a usage error"; fi
	# --colors python and rust: inferno's name rules
	printf '%s\n' 'main;/usr/lib/python3.11/json/decoder.py:decode 5' \
		'main;/srv/venv/lib/python3.11/site-packages/requests/api.py:get 7' \
		'main;<built-in method time.sleep> 3' 'main;app.py:handler 9' > "$work/py.txt"
	render "$s" --colors python "$work/py.txt" && frames --fill "$s" > "$work/py.tsv"
	local want
	for want in 'decoder.py:decode yellow' 'api.py:get aqua' '<built-in method yellow' 'app.py:handler red'; do
		if [[ $(palette_of "$work/py.tsv" "${want% *}") == "${want##* }" ]]; then ok; else
			fail "--colors python: ${want% *} is not ${want##* }"
		fi
	done
	printf '%s\n' 'main;core::ptr::drop 5' 'main;<alloc::vec::Vec<T> as alloc::vec::Drop>::drop 4' \
		'main;myapp::run 9' 'main;helper 3' > "$work/rs.txt"
	render "$s" --colors rust "$work/rs.txt" && frames --fill "$s" > "$work/rs.tsv"
	for want in 'core::ptr::drop orange' 'as alloc::vec::Drop orange' 'myapp::run yellow' '^helper red'; do
		if [[ $(palette_of "$work/rs.tsv" "${want% *}") == "${want##* }" ]]; then ok; else
			fail "--colors rust: ${want% *} is not ${want##* }"
		fi
	done
	# --pretty-xml: the same graph, one element a line, indented
	render "$work/flat.svg" --no-javascript "$v" && render "$s" --pretty-xml --no-javascript "$v" &&
		if diff <(frames --fill "$work/flat.svg") <(frames --fill "$s") > /dev/null; then ok; else
			fail "--pretty-xml draws another graph"
		fi &&
		has "$s" '^            <title>java (286 samples, 100.00%)</title>$' "--pretty-xml indents"
	render "$s" --pretty-xml "$v" && ok
}

group_options() {
	local v=$fx/inputs/vertx.txt d=$fx/inputs/diff.txt s=$work/o.svg
	render "$s" --title 'My <Title>' "$v" && has "$s" 'id="title" x="50%" y="24">My &lt;Title&gt;</text>' --title
	render "$s" --subtitle 'Sub & title' "$v" && has "$s" 'id="subtitle" x="50%" y="48">Sub &amp; title</text>' --subtitle
	render "$s" --inverted "$v" && has "$s" '>Icicle Graph</text>' "--inverted title"
	render "$s" --flamechart "$v" && has "$s" '>Flame Chart</text>' "--flamechart title"
	render "$s" --width 800 "$v" && has "$s" 'width="800" height="1190"' --width &&
		has "$s" '<svg id="frames" x="10" width="780"' "--width frames"
	render "$s" --height 20 "$v" && has "$s" 'height="19"' --height
	render "$s" --fonttype 'Courier New' "$v" && has "$s" 'font-family:Courier New;' --fonttype
	render "$s" --fonttype 'x;} body{' "$v" && hasnot "$s" 'x;} body' "--fonttype is quoted"
	render "$s" --fontsize 14 "$v" && has "$s" 'font-size:14px' --fontsize && has "$s" 'font-size:19px' "--fontsize title"
	render "$s" --fontwidth 0.9 "$v" && has "$s" 'var fontwidth = 0.9;' --fontwidth
	render "$s" --countname bytes "$v" && has "$s" '<title>java (286 bytes, 100.00%)</title>' --countname
	render "$s" --nametype 'Frame:' "$v" && has "$s" "var nametype = 'Frame:';" --nametype
	render "$s" --colors mem "$v" && has "$s" 'stop-color="#e0ffe0"' "--colors mem background"
	render "$s" --bgcolors '#123456' "$v" && has "$s" 'stop-color="#123456"' "--bgcolors flat"
	render "$s" --bgcolors grey "$v" && has "$s" 'stop-color="#e8e8e8"' "--bgcolors grey"
	render "$s" --hash "$v" && has "$s" 'fill="rgb(240,108,38)"' "--hash colour of write"
	render "$s" --deterministic "$v" && ok
	render "$s" --search-color '#7d7d7d' "$v" && has "$s" "var searchcolor = 'rgb(125,125,125)';" --search-color
	render "$s" --notes 'a--b <c>' "$v" && has "$s" '<!--NOTES: a&#45;-b &lt;c&gt;-->' --notes
	render "$s" --encoding ISO-8859-1 "$v" && has "$s" 'encoding="ISO-8859-1"' --encoding
	render "$s" --total 1000 "$v" && has "$s" '<title>all (1,000 samples, 100%)</title>' --total
	render "$s" --factor 2 "$v" && has "$s" '<title>all (572 samples, 100%)</title>' --factor
	render "$s" --minwidth 5 "$v" && has "$s" 'id="pruned"' "--minwidth note" &&
		has "$s" 'frames narrower than 5 px not drawn' "--minwidth note text"
	render "$s" --minwidth 1% "$v" && has "$s" 'narrower than 1% not drawn' "--minwidth %"
	render "$s" --minwidth 0 "$v" && hasnot "$s" 'id="pruned"' "--minwidth 0 draws all"
	render "$s" --negate "$d" && has "$s" 'rgb(' --negate
	render "$s" --reverse "$v" && ok
	render "$s" --truncate-text-left "$v" && has "$s" '>\.\.' --truncate-text-left
	render "$s" --truncate-text-right "$v" && hasnot "$s" '>\.\.[A-Za-z]' --truncate-text-right
	render "$s" --no-javascript "$v" && hasnot "$s" '<script' --no-javascript
	render "$s" --diff-width max "$d" && ok
	# grey separator frames
	printf 'a;--;b 5\na;-;c 5\n' > "$work/grey.txt"
	render "$s" "$work/grey.txt" && has "$s" 'fill="rgb(160,160,160)"' "-- is grey" &&
		has "$s" 'fill="rgb(200,200,200)"' "- is grey"
	# annotations are stripped from titles and labels
	printf 'sys_read_[k];vfs_[j];inl_[i];wk_[w] 5\n' > "$work/ann.txt"
	render "$s" "$work/ann.txt" && has "$s" '<title>sys_read (5 samples' "_[k] stripped" &&
		has "$s" '<title>wk (5 samples' "_[w] stripped" && hasnot "$s" '>sys_read_\[k\]' "label stripped"
	# off-CPU frames (_[o], flame record --wall): blue in any palette, the mark stripped
	printf 'main;burn 100\nmain_[o];nap_[o];schedule_[o] 200\n' > "$work/off.txt"
	for pal in hot java; do
		render "$s" --colors $pal "$work/off.txt" && has "$s" '<title>nap (200 samples' "_[o] stripped ($pal)" &&
			hasnot "$s" '>nap_\[o\]\|(nap_\[o\]' "_[o] label stripped ($pal)"
		# the 200-sample frames (off-CPU) blue, the 100-sample ones (on-CPU) not
		if "$svgframes" --fill "$s" | awk -F'\t' '$2 ~ /^(main|nap|schedule) \(200 / { n++; split($7, c, /[(,)]/);
			if (!(c[2] == c[3] && c[4] >= 205 && c[2] < c[4])) bad++ }
			$2 ~ /\(100 / { split($7, c, /[(,)]/); if (c[4] >= 205) bad++ }
			END { exit !(n == 3 && !bad) }'; then ok; else fail "_[o] frames are not blue ($pal)"; fi
	done
	"$flame" convert --to folded "$work/off.txt" 2>/dev/null | grep -q '^main_\[o\];nap_\[o\];schedule_\[o\] 200$' &&
		ok || fail "folded output keeps _[o]"
	# --cp writes the palette file and reuses it
	(cd "$work" && rm -f palette.map && "$flame" render -q --cp "$v" > cp1.svg &&
		"$flame" render -q --cp --hash "$v" > cp2.svg) && cmp -s "$work/cp1.svg" "$work/cp2.svg" &&
		grep -q '^java->rgb(' "$work/palette.map" && ok || fail "--cp does not reuse palette.map"
	"$flame" render -q --cp --palette-file "$work/pal.txt" "$v" > "$s" && [[ -s $work/pal.txt ]] && ok ||
		fail "--palette-file"
	printf 'java->rgb(1,2,3)\nbad line\n' > "$work/pal2.txt"
	"$flame" render -q --cp --palette-file "$work/pal2.txt" "$v" > "$s" 2>/dev/null &&
		has "$s" 'fill="rgb(1,2,3)"' "--cp uses the file's colour"
	# nameattr
	printf 'java\tclass=c1\thref=https://example.com/\ttitle=T <x>\ng_extra=x\n' > "$work/na.txt"
	printf 'write\tonclick=alert(1)\tid=w\tg_extra=onload="x()" style="a"\n' >> "$work/na.txt"
	render "$s" --nameattr "$work/na.txt" "$v" && has "$s" '<a class="c1" xlink:href="https://example.com/" target="_top"><title>T &lt;x&gt;</title>' --nameattr &&
		hasnot "$s" 'onclick=\|onload="x' "--nameattr drops event handlers" && has "$s" '<g id="w" style="a">' "--nameattr g_extra"
	# the differential colours
	render "$s" "$d" && has "$s" '; +4.87%)</title>' "differential title" && has "$s" 'fill="rgb(255,' "differential red"
	# inferno's options
	inferno_options
	# text views
	"$flame" render --format top --limit 3 "$v" > "$work/top.txt" && [[ $(wc -l < "$work/top.txt") == 4 ]] && ok ||
		fail "--limit"
}

# ---------------------------------------------------------------- escape
group_escape() {
	local s=$work/e.svg
	{
		printf '<script>alert(1)</script>;" onload="x;a 5\n'
		printf "it's;&amp;;]]>;<!--;--> 3\n"
		printf 'ctrl\001\002\033[31mred;tab\there 2\n'
		printf 'bad\xff\xfeutf8;\xc3\x28;\xed\xa0\x80;ok\xc3\xa9 4\n'
		printf '\xe2\x80\xae;\xef\xbf\xbe;\xc2\x85nel 1\n'
		printf 'long%0300d;x 100\n' 0
	} > "$work/hostile.txt"
	for opts in "" "--no-stream" "--minwidth 0" "--inverted" "--hash" "--colors js" "--flamechart" "--reverse" \
		"--title '<b>&amp;' --subtitle ']]>' --countname '<i>' --nametype '</script>'" "--notes '--><x>'"; do
		# shellcheck disable=SC2086
		eval "render \"$s\" $opts \"$work/hostile.txt\"" || continue
		hasnot "$s" '<script>alert' "script name stays text ($opts)"
		hasnot "$s" '" onload="x' "attribute stays text ($opts)"
		if LC_ALL=C grep -q -P '[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]' "$s"; then fail "control byte in SVG ($opts)"; else ok; fi
		if iconv -f UTF-8 -t UTF-8 "$s" > /dev/null 2>&1; then ok; else fail "invalid UTF-8 in SVG ($opts)"; fi
		if [[ $(grep -c ']]>' "$s") == 1 ]]; then ok; else fail "']]>' inside the script ($opts)"; fi
	done
	render "$s" "$work/hostile.txt" && has "$s" '&lt;script&gt;alert(1)&lt;/script&gt; (5 samples' "escaped title"
	# labels are cut by code point, then escaped
	printf '%s 1\nb 1\n' "ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé&" > "$work/u.txt"
	render "$s" "$work/u.txt" && has "$s" '>éééé' "utf-8 label" && hasnot "$s" '&am\.\.' "cut inside an entity"
	# text views clean names too
	"$flame" render --format top "$work/hostile.txt" > "$work/top.txt" 2>/dev/null
	if LC_ALL=C grep -q -P '[\x00-\x08\x0b-\x1f\x7f]' "$work/top.txt"; then fail "control byte in top"; else ok; fi
}

# ---------------------------------------------------------------- text
group_text() {
	printf 'main;a;b 10\nmain;a 5\nmain;c;a 20\nmain;a;a 2\nother 1000\n' > "$work/t.txt"
	"$flame" render --format top --color never "$work/t.txt" > "$work/top.txt"
	cat > "$work/top.exp" <<'EOF'
 SELF   SELF%  TOTAL  TOTAL%  FUNCTION
1,000  96.43%  1,000  96.43%  other
   27   2.60%     37   3.57%  a
   10   0.96%     10   0.96%  b
    0   0.00%     37   3.57%  main
    0   0.00%     20   1.93%  c
EOF
	if diff "$work/top.exp" "$work/top.txt"; then ok; else fail "--format top"; fi
	"$flame" render --format tree --color never "$work/t.txt" > "$work/tree.txt"
	cat > "$work/tree.exp" <<'EOF'
TOTAL   TOTAL%   SELF   SELF%  FUNCTION
1,037  100.00%      0   0.00%  all
1,000   96.43%  1,000  96.43%    other
   37    3.57%      0   0.00%    main
   20    1.93%      0   0.00%      c
   20    1.93%     20   1.93%        a
   17    1.64%      5   0.48%      a
   10    0.96%     10   0.96%        b
    2    0.19%      2   0.19%        a
EOF
	if diff "$work/tree.exp" "$work/tree.txt"; then ok; else fail "--format tree"; fi
	"$flame" render --format tree --min-percent 2 --color never "$work/t.txt" > "$work/tree2.txt"
	if [[ $(wc -l < "$work/tree2.txt") == 4 ]]; then ok; else fail "--min-percent"; cat "$work/tree2.txt"; fi
	"$flame" render --format top --color always "$work/t.txt" > "$work/col.txt"
	if grep -q $'\033\[' "$work/col.txt"; then ok; else fail "--color always"; fi
	if grep -q $'\033\[' "$work/top.txt"; then fail "colour when not a terminal"; else ok; fi
	"$flame" render --format top --limit 1 "$work/t.txt" | tail -n 1 | grep -q other && ok || fail "--limit 1"
	"$flame" render --format tree --reverse --color never "$work/t.txt" | grep -q '^ *20 .*  c$' && ok ||
		fail "tree --reverse"
	"$flame" render --format top "$fx/inputs/diff.txt" | head -n 1 | grep -q DELTA && ok || fail "diff columns"
	printf 'a 1.5\nb 2.25\n' > "$work/frac.txt"
	"$flame" render --format top "$work/frac.txt" | grep -q '2.25' && ok || fail "fractional weights"
	text_deep
}

# A 40,000-frame stack: indentation stops at depth 1000 and the depth is
# printed instead, so the tree is about 80 MB, not 1.6 GB of spaces.
text_deep() {
	local i line
	{
		for ((i = 0; i < 40000; i++)); do printf 'f%d;' "$i"; done
		printf 'leaf 1\n'
	} > "$work/deep.txt"
	if ! timeout 60 "$flame" render --format tree --color never "$work/deep.txt" -o "$work/deep.out"; then
		fail "deep tree: render failed"
		return
	fi
	local size
	size=$(stat -c %s "$work/deep.out")
	((size < 90000000)) && ok || fail "deep tree: $size bytes"
	[[ $(wc -l < "$work/deep.out") == 40003 ]] && ok || fail "deep tree: line count"
	line=$(tail -n 1 "$work/deep.out")
	[[ $line == *"$(printf '%2000s')[depth 40001] leaf" ]] && ok || fail "deep tree: last row '${line: -40}'"
	((${#line} < 2100)) && ok || fail "deep tree: indentation not capped (${#line} bytes)"
	line=$(sed -n 1002p "$work/deep.out") # depth 1000: still indented, no number
	[[ $line == *"  0.00%$(printf '%2002s')f999" ]] && ok || fail "deep tree: depth 1000 '${line: -40}'"
	line=$(sed -n 1003p "$work/deep.out")
	[[ $line == *"$(printf '%2000s')[depth 1001] f1000" ]] && ok || fail "deep tree: depth 1001 '${line: -40}'"
	rm -f "$work/deep.txt" "$work/deep.out"
}

# ---------------------------------------------------------------- errors
group_errors() {
	local rc
	"$flame" render < /dev/null > "$work/o" 2> "$work/e"; rc=$?
	if [[ $rc == 1 ]] && grep -q 'no stack counts' "$work/e"; then ok; else fail "empty input: rc $rc"; fi
	"$flame" render --colors nope "$fx/inputs/vertx.txt" > /dev/null 2>&1; rc=$?
	[[ $rc == 2 ]] && ok || fail "unknown palette: rc $rc"
	"$flame" render --minwidth abc "$fx/inputs/vertx.txt" > /dev/null 2>&1; rc=$?
	[[ $rc == 2 ]] && ok || fail "bad minwidth: rc $rc"
	"$flame" render --width 10 "$fx/inputs/vertx.txt" > /dev/null 2>&1; rc=$?
	[[ $rc == 2 ]] && ok || fail "bad width: rc $rc"
	"$flame" render --bgcolors pink "$fx/inputs/vertx.txt" > /dev/null 2>&1; rc=$?
	[[ $rc == 2 ]] && ok || fail "bad bgcolors: rc $rc"
	"$flame" render --nosuch "$fx/inputs/vertx.txt" > /dev/null 2>&1; rc=$?
	[[ $rc == 2 ]] && ok || fail "unknown option: rc $rc"
	"$flame" render "$work/missing.txt" > /dev/null 2>&1; rc=$?
	[[ $rc == 1 ]] && ok || fail "missing file: rc $rc"
	# a failed render leaves no partial output file
	"$flame" render -o "$work/never.svg" < /dev/null > /dev/null 2>&1
	[[ ! -e $work/never.svg ]] && ok || fail "partial output left behind"
	# bad lines are reported with their place and skipped
	"$flame" render "$fx/inputs/bad-lines.txt" > "$work/o.svg" 2> "$work/e"; rc=$?
	[[ $rc == 0 ]] && grep -q 'bad-lines.txt:3' "$work/e" && ok || fail "bad lines: rc $rc $(cat "$work/e")"
	# pruning is said on stderr too
	"$flame" render --minwidth 5 "$fx/inputs/vertx.txt" 2>&1 > /dev/null | grep -q 'frames narrower than 5 px left out' &&
		ok || fail "pruning note"
	# to a file, not into grep -q: grep may leave before the help is all written
	"$flame" render --help > "$work/help" && grep -q -- '--minwidth' "$work/help" && ok || fail "--help"
	"$flame" help render > "$work/help" && grep -q -- '--flamechart' "$work/help" && ok ||
		fail "flame help render"
	# a mistyped option: exit 2, the closest one named
	"$flame" render --titel x "$fx/inputs/vertx.txt" > "$work/o" 2> "$work/e"; rc=$?
	[[ $rc == 2 ]] && grep -qx 'The most similar option is' "$work/e" && grep -qx $'\t--title' "$work/e" &&
		[[ ! -s $work/o ]] && ok || fail "mistyped option: rc $rc $(cat "$work/e")"
	# an unreadable --nameattr fails before anything is written
	"$flame" render --nameattr "$work/missing.txt" -o "$work/na.svg" "$fx/inputs/vertx.txt" 2> "$work/e"; rc=$?
	[[ $rc == 1 && ! -e $work/na.svg ]] && grep -q 'missing.txt' "$work/e" && ok ||
		fail "unreadable --nameattr: rc $rc $(cat "$work/e")"
	# --reverse and --diff-width reach the text views
	"$flame" render --format tree --reverse "$fx/inputs/vertx.txt" > "$work/rev.txt" &&
		"$flame" render --format tree "$fx/inputs/vertx.txt" > "$work/fwd.txt" &&
		! cmp -s "$work/rev.txt" "$work/fwd.txt" && ok || fail "--reverse: the tree is the same"
	"$flame" render --format top --diff-width before "$fx/inputs/diff.txt" > "$work/b.txt" &&
		"$flame" render --format top "$fx/inputs/diff.txt" > "$work/a.txt" &&
		! cmp -s "$work/b.txt" "$work/a.txt" && ok || fail "--diff-width: the table is the same"
	text_overflow
	svg_encoding
}

# --encoding: the bytes are UTF-8, so the declaration may name UTF-8, or an
# ASCII-compatible encoding while all the text is ASCII; nothing else.
svg_encoding() {
	local rc e
	printf 'main;caf\xc3\xa9 3\nmain;tea 2\n' > "$work/u8.txt"
	printf 'main;coffee 3\nmain;tea 2\n' > "$work/ascii.txt"
	for e in UTF-16 utf-16le UTF-32 UCS-2 EBCDIC-US Shift_JIS; do
		rm -f "$work/enc.svg"
		"$flame" render --encoding "$e" -o "$work/enc.svg" "$work/ascii.txt" 2> "$work/e"; rc=$?
		[[ $rc == 2 && ! -e $work/enc.svg ]] && grep -q "encoding '$e' is not supported" "$work/e" &&
			ok || fail "--encoding $e: rc $rc $(cat "$work/e")"
	done
	for e in UTF-8 utf-8; do
		render "$work/enc.svg" --encoding "$e" "$work/u8.txt" &&
			has "$work/enc.svg" "encoding=\"$e\"" "--encoding $e" &&
			has "$work/enc.svg" $'caf\xc3\xa9' "--encoding $e keeps the text"
	done
	for e in US-ASCII ISO-8859-1 iso-8859-15 windows-1252; do
		render "$work/enc.svg" --encoding "$e" "$work/ascii.txt" &&
			has "$work/enc.svg" "encoding=\"$e\"" "--encoding $e, ASCII text"
		rm -f "$work/enc.svg"
		"$flame" render --encoding "$e" -o "$work/enc.svg" "$work/u8.txt" 2> "$work/e"; rc=$?
		[[ $rc == 1 && ! -e $work/enc.svg ]] && grep -q "non-ASCII text, which encoding '$e'" "$work/e" &&
			ok || fail "--encoding $e, non-ASCII text: rc $rc $(cat "$work/e")"
		"$flame" render --encoding "$e" --title $'\xc3\xa9t\xc3\xa9' "$work/ascii.txt" > /dev/null 2> "$work/e"; rc=$?
		[[ $rc == 1 ]] && ok || fail "--encoding $e, non-ASCII title: rc $rc"
	done
}

# Counts that each fit in 64 bits but whose sum (function a's total, the
# root's) does not: the text views fail as the SVG does, no saturated table.
text_overflow() {
	local rc view
	printf 'a;b 18446744073709551615\na;c 10\n' > "$work/ov.txt"
	printf 'a;b 18446744073709551615 1\na;c 1 18446744073709551615\n' > "$work/ovd.txt"
	for view in "top" "tree" "tree --reverse"; do
		# shellcheck disable=SC2086
		"$flame" render --format $view "$work/ov.txt" > "$work/o" 2> "$work/e"; rc=$?
		[[ $rc == 1 && ! -s $work/o ]] && grep -q 'the total weight does not fit in 64 bits' "$work/e" &&
			ok || fail "--format $view, total past 2^64: rc $rc $(cat "$work/e")"
		# shellcheck disable=SC2086
		"$flame" render --format $view --diff-width before "$work/ovd.txt" > "$work/o" 2> "$work/e"; rc=$?
		[[ $rc == 1 && ! -s $work/o ]] && grep -q 'the total weight does not fit in 64 bits' "$work/e" &&
			ok || fail "--format $view, a diff's total past 2^64: rc $rc $(cat "$work/e")"
	done
	"$flame" render "$work/ov.txt" > /dev/null 2> "$work/e"; rc=$?
	[[ $rc == 1 ]] && grep -q 'the total weight does not fit in 64 bits' "$work/e" && ok ||
		fail "svg, total past 2^64: rc $rc"
	# the largest total that fits is still shown
	printf 'a;b 18446744073709551605\na;c 10\n' > "$work/max.txt"
	"$flame" render --format top "$work/max.txt" > "$work/o" 2> "$work/e" &&
		grep -q '^18,446,744,073,709,551,615  100.00%  a$' <(sed 's/^ *0 *0.00%  //' "$work/o") &&
		ok || fail "top at 2^64-1: $(cat "$work/o" "$work/e")"
}

case $group in
perl) group_perl ;;
inferno) group_inferno ;;
paths) group_paths ;;
options) group_options ;;
escape) group_escape ;;
text) group_text ;;
errors) group_errors ;;
*)
	echo "run.sh: unknown group '$group'" >&2
	exit 2
	;;
esac
echo "$group: $passed passed, $failed failed"
[[ $failed == 0 ]]
