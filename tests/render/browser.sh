#!/usr/bin/env bash
# Browser test of the SVG's script: headless Chromium loads flame graphs
# with ?s=REGEX (search on load) and ?x=..&y=.. (zoom on load) and the
# DOM it dumps must show the search and the zoom done.
#
#   browser.sh FLAME ROOT
#
# Skipped (exit 77) when Chromium is not installed: apt-get install chromium.
set -uo pipefail
flame=$1
root=$2
chrome=""
for c in chromium chromium-browser google-chrome; do
	if command -v "$c" >/dev/null 2>&1; then
		chrome=$(command -v "$c")
		break
	fi
done
if [[ -z $chrome ]]; then
	echo "SKIP: browser test needs Chromium (Debian: apt-get install chromium)"
	exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/flame-browser.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# dom FILE.svg QUERY: the DOM after the script ran
dom() {
	timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --no-first-run --disable-sync --disable-extensions \
		--user-data-dir="$work/profile" --window-size=1000,800 \
		--dump-dom "file://$1$2" 2>/dev/null
}

svg=$work/vertx.svg
"$flame" render -q -o "$svg" "$root/fixtures/render/inputs/vertx.txt" || { fail "render"; exit 1; }

# search on load: matches highlighted, "Matched: N%" shown
dom "$svg" "?s=Interpreter" > "$work/s.html"
if grep -q 'id="matched" class="" [^>]*>Matched: 92.3%<' "$work/s.html"; then ok; else fail "?s= search: no 'Matched: 92.3%'"; fi
n=$(grep -o '<title>Interpreter[^<]*</title><rect[^>]*fill="rgb(230,0,230)"' "$work/s.html" | wc -l)
if [[ $n == 2 ]]; then ok; else fail "?s= search: $n frames highlighted, expected 2"; fi
if grep -q 'id="search"[^>]*class="show">Reset Search<' "$work/s.html"; then ok; else fail "search button not in 'Reset Search' state"; fi

# a regex with special characters, case-sensitive
dom "$svg" "?s=%5Ewrite%24" > "$work/s2.html"
# two frames named write: 83 + 3 of 286 samples
if grep -q '>Matched: 30.1%<' "$work/s2.html"; then ok; else fail "?s=^write\$: $(grep -o '>Matched: [^<]*' "$work/s2.html")"; fi

# zoom on load: the frame fills the width, its ancestors become "parent",
# the rest is hidden, Reset Zoom shows, and a search is relative to it
x=$(grep -o '<title>Interpreter[^<]*</title><rect x="[^"]*" y="949"' "$svg" | head -n 1 | sed 's/.*x="\([^"]*\)".*/\1/')
dom "$svg" "?x=${x//%/%25}&y=949&s=%5Ewrite%24" > "$work/z.html"
if grep -q 'id="unzoom" class=""' "$work/z.html"; then ok; else fail "zoom: Reset Zoom hidden"; fi
if grep -q '<title>Interpreter (264 samples, 92.31%)</title><rect x="0.0000%" y="949" width="100.0000%"' "$work/z.html"; then
	ok
else
	fail "zoom: the frame does not fill the width"
fi
if [[ $(grep -c 'class="parent"' "$work/z.html") -ge 10 ]]; then ok; else fail "zoom: ancestors not marked"; fi
if [[ $(grep -c 'class="hide"' "$work/z.html") -ge 10 ]]; then ok; else fail "zoom: other frames not hidden"; fi
# inside Interpreter (264 samples) only the write of 83 samples
if grep -q '>Matched: 31.4%<' "$work/z.html"; then ok; else fail "zoom: match not relative to the zoomed frame: $(grep -o '>Matched: [^<]*' "$work/z.html")"; fi

# the graph fits the window width (fluid), labels recomputed
# (1000 px window, less a scroll bar, less the margins; the file says 1180)
if grep -q '<svg id="frames" x="10" width="9[0-9][0-9]"' "$work/z.html"; then ok; else fail "frames width does not follow the window"; fi

# a hostile name stays text in the browser too: no script ran
printf '<script>document.title="pwned"</script>;<img src=x onerror=alert(1)> 5\nok 1\n' > "$work/h.txt"
"$flame" render -q -o "$work/h.svg" "$work/h.txt"
dom "$work/h.svg" "?s=script" > "$work/h.html"
if grep -q 'pwned' "$work/h.html" && ! grep -q '&lt;script&gt;document.title' "$work/h.html"; then
	fail "hostile name executed"
else
	ok
fi
if grep -q '>Matched: ' "$work/h.html"; then ok; else fail "search on a hostile name"; fi

echo "browser: $passed passed, $failed failed"
[[ $failed == 0 ]]
