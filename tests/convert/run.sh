#!/bin/bash
# Tests of flame convert.  usage: run.sh GROUP FLAME SOURCE_DIR
#   golden     each reader's folded output and each writer's output of the
#              fixtures in fixtures/convert/ match expected/
#   roundtrip  folded -> X -> folded is exact for every writer X
#   escape     names with quotes, backslashes, control bytes and non-ASCII
#   errors     malformed input: exit 1 and a message with offset and path
#   chunking   the result does not depend on how the input arrives (nor on
#              a UTF-8 byte order mark)
#   svg        --to svg draws what flame render draws
#   repair     Chrome traces and .cpuprofile files DevTools and speedscope
#              repair: repaired the same way, with one warning each
#   fold       Chrome B/E/X events give the same stacks whether a thread is
#              folded as its events arrive or logged and sorted
set -u
group=$1 flame=$2 src=$3
fx=$src/fixtures/convert
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# formats that can be written and read back (the registry decides; svg is
# written only)
writers=$("$flame" convert --list | awk 'NR > 1 && $2 == "yes" && $3 == "yes" { print $1 }')

check_same() { # name expected actual
	if cmp -s "$2" "$3"; then ok; else bad "$1"; diff "$2" "$3" | head -10; fi
}

case $group in
golden)
	# expected/<input file>.<format>: the input converted to that format
	for f in "$fx"/expected/*; do
		b=$(basename "$f")
		to=${b##*.}
		in=$fx/${b%.*}
		"$flame" convert -q --to "$to" "$in" > "$tmp/out" 2> "$tmp/err" || { bad "$b: exit $?"; cat "$tmp/err"; continue; }
		check_same "${b%.*} -> $to" "$f" "$tmp/out"
	done
	# Firefox writes "libs" first; a long list of them fills the probe window
	# before "meta" comes: detected all the same
	{
		printf '{"libs": ['
		for i in $(seq 1 400); do
			[ "$i" = 1 ] || printf ','
			printf '{"arch":"x86_64","name":"libxul.so","path":"/usr/lib/firefox/libxul.so","debugName":"libxul.so","debugPath":"/usr/lib/firefox/libxul.so","breakpadId":"0123456789ABCDEF0123456789ABCDEF0","codeId":null,"start":%d,"end":%d,"offset":0}\n' $((i * 4096)) $((i * 4096 + 4095))
		done
		printf '],\n'
		sed '1s/^{//; s/"libs": \[\],*//' "$fx/flame-minimal.gecko-v24.json"
	} > "$tmp/libs-first.json"
	[ "$(wc -c < "$tmp/libs-first.json")" -gt 65536 ] && ok || bad "libs-first: the libraries do not fill the probe window"
	"$flame" convert -q --to folded "$tmp/libs-first.json" > "$tmp/out" 2> "$tmp/err" || { bad "gecko with libs first: exit $?"; cat "$tmp/err"; }
	"$flame" convert -q --to folded "$fx/flame-minimal.gecko-v24.json" > "$tmp/want"
	check_same "gecko with libs first" "$tmp/want" "$tmp/out"
	# processed profiles before version 29 weigh samples by "duration"
	printf '{"meta":{"interval":1},"threads":[{"stringArray":["a"],"stackTable":{"frame":[0],"prefix":[null]},"frameTable":{"func":[0]},"funcTable":{"name":[0]},"samples":{"stack":[0,0],"duration":[2,3]}}]}' > "$tmp/dur.json"
	[ "$("$flame" convert -q --to folded "$tmp/dur.json")" = "a 5" ] && ok || bad "processed sample durations"
	;;
svg)
	# --to svg (or -o *.svg) draws what flame render draws by default
	"$flame" convert -q -o "$tmp/c.svg" "$fx/flame-minimal.folded.txt" || bad "convert -o .svg: exit $?"
	"$flame" render -q -o "$tmp/r.svg" "$fx/flame-minimal.folded.txt" || bad "render: exit $?"
	check_same "convert -o x.svg = flame render" "$tmp/r.svg" "$tmp/c.svg"
	"$flame" convert --to svg "$fx/trace-event-array.json" > "$tmp/e.svg" 2> "$tmp/err" || bad "--to svg: exit $?"
	grep -q '<title>alpha (14,000 ns, 100.00%)</title>' "$tmp/e.svg" && ok || bad "--to svg: weights not named after the unit (ns)"
	grep -q "note: svg .* timeline dropped" "$tmp/err" && ok || bad "--to svg: no note on the dropped timeline"
	"$flame" convert --list | grep -q '^svg  *-  *yes' && ok || bad "--list: no svg row"
	;;
flamechart)
	# render --flamechart follows the timeline: c, d, c in time order
	"$flame" render --flamechart -o "$tmp/fc.svg" "$fx/speedscope-evented.speedscope.json" || bad "render --flamechart: exit $?"
	got=$(grep -o '<title>[a-z] ([0-9]* samples' "$tmp/fc.svg" | sed 's/<title>//; s/ samples//' | tr '\n' ' ')
	[ "$got" = "c (2 d (4 c (3 b (14 a (14 " ] && ok || bad "flamechart order: $got"
	;;
roundtrip)
	for in in "$fx"/flame-minimal.folded.txt "$fx"/folded-perf-dd-collapsed-all.txt "$tmp/frac.folded"; do
		printf 'a;b 1.5\na;b;c 2.25\nx 7\n' > "$tmp/frac.folded"
		for w in $writers; do
			"$flame" convert -q --from folded --to "$w" -o "$tmp/mid" "$in" || { bad "$(basename "$in") -> $w: exit $?"; continue; }
			"$flame" convert -q --from "$w" --to folded "$tmp/mid" > "$tmp/back" 2> "$tmp/err" || { bad "$(basename "$in") -> $w -> folded: exit $?"; cat "$tmp/err"; continue; }
			"$flame" convert -q --from folded --to folded "$in" > "$tmp/want"
			check_same "$(basename "$in") -> $w -> folded" "$tmp/want" "$tmp/back"
		done
	done
	# timelines survive speedscope -> speedscope
	for in in "$fx"/speedscope-sampled.speedscope.json "$fx"/speedscope-evented.speedscope.json; do
		"$flame" convert -q --to speedscope "$in" > "$tmp/a.json" && "$flame" convert -q --to speedscope "$tmp/a.json" > "$tmp/b.json" \
			&& check_same "$(basename "$in") -> speedscope twice" "$tmp/a.json" "$tmp/b.json"
		n=$(grep -o '"type":"[a-z]*"' "$tmp/a.json" | grep -c 'evented\|sampled')
		want=$(grep -o '"type": *"[a-z]*"' "$in" | grep -c 'evented\|sampled')
		[ "$n" = "$want" ] && ok || bad "$(basename "$in"): expected $want profiles (one per thread), got $n"
	done
	;;
escape)
	printf '"quoted";back\\slash;tab\there;\xc3\xa9t\xc3\xa9 \xe2\x9c\x93;\x01ctl 3\n' > "$tmp/names.folded"
	printf 'emoji \xf0\x9f\x94\xa5;x 2\n' >> "$tmp/names.folded"
	"$flame" convert -q --to folded "$tmp/names.folded" > "$tmp/want"
	for w in $writers; do
		"$flame" convert -q --from folded --to "$w" -o "$tmp/mid" "$tmp/names.folded" || { bad "escape -> $w"; continue; }
		"$flame" convert -q --from "$w" --to folded "$tmp/mid" > "$tmp/back" || { bad "escape -> $w -> folded"; continue; }
		check_same "escape via $w" "$tmp/want" "$tmp/back"
	done
	# JSON escapes decode: \u00e9, surrogate pairs, \/ and \n
	cat > "$tmp/esc.speedscope.json" <<'J'
{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"caf\u00e9"},{"name":"\ud83d\udd25\/x"}]},
 "profiles":[{"type":"sampled","name":"p","unit":"none","startValue":0,"endValue":3,"samples":[[0,1]],"weights":[3]}]}
J
	printf 'caf\xc3\xa9;\xf0\x9f\x94\xa5/x 3\n' > "$tmp/want"
	"$flame" convert -q --to folded "$tmp/esc.speedscope.json" > "$tmp/out"
	check_same "json escapes decode" "$tmp/want" "$tmp/out"
	;;
errors)
	S='{"$schema":"https://www.speedscope.app/file-format-schema.json",'
	expect_err() { # name input-text message-regex [format]
		printf '%s' "$2" > "$tmp/in.json"
		"$flame" convert --from "${4:-speedscope}" --to folded "$tmp/in.json" > /dev/null 2> "$tmp/err"
		rc=$?
		if [ $rc = 1 ] && grep -qE "$3" "$tmp/err"; then ok; else bad "$1: exit $rc, stderr:"; cat "$tmp/err"; fi
	}
	expect_err "truncated" "$S\"shared\":{\"frames\":[" "unexpected end of input .*at byte"
	expect_err "bad token" "$S\"shared\":{\"frames\":[x]}}" "expected a value, got 'x' at byte 84 \(\\\$\.shared\.frames\[0\]\)"
	expect_err "wrong type" "$S\"shared\":{\"frames\":[{\"name\":1}]},\"profiles\":[]}" "a frame must be an object with a string 'name'"
	expect_err "index out of range" "$S\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[[0,5]],\"weights\":[1]}]}" "frame index 5 out of range"
	expect_err "lengths differ" "$S\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[[0]],\"weights\":[1,2]}]}" "1 samples but 2 weights"
	expect_err "negative weight" "$S\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"sampled\",\"unit\":\"none\",\"samples\":[[0]],\"weights\":[-1]}]}" "non-negative number"
	expect_err "unbalanced events" "$S\"shared\":{\"frames\":[{\"name\":\"a\"},{\"name\":\"b\"}]},\"profiles\":[{\"type\":\"evented\",\"unit\":\"none\",\"events\":[{\"type\":\"O\",\"at\":0,\"frame\":0},{\"type\":\"C\",\"at\":1,\"frame\":1}]}]}" "does not match the innermost open frame"
	expect_err "unclosed events" "$S\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"evented\",\"unit\":\"none\",\"events\":[{\"type\":\"O\",\"at\":0,\"frame\":0}]}]}" "frames still open"
	expect_err "time backwards" "$S\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":[{\"type\":\"evented\",\"unit\":\"none\",\"events\":[{\"type\":\"O\",\"at\":5,\"frame\":0},{\"type\":\"C\",\"at\":1,\"frame\":0}]}]}" "goes backwards"
	expect_err "trailing garbage" "$S\"shared\":{\"frames\":[]},\"profiles\":[]} x" "end of input after the top-level value"
	expect_err "raw control byte" "$S\"shared\":{\"frames\":[{\"name\":\"a$(printf '\001')\"}]}}" "control bytes must be escaped"
	# chrome trace
	expect_err "chrome: negative duration" '[{"ph":"B","name":"a","pid":1,"tid":1,"ts":5},{"ph":"E","pid":1,"tid":1,"ts":4}]' "negative duration" chrome
	expect_err "chrome: negative dur" '[{"ph":"X","name":"a","pid":1,"tid":1,"ts":5,"dur":-3}]' "negative 'dur' at byte 1 \(\\\$\[0\]\)" chrome
	expect_err "chrome: ts out of range" '[{"ph":"X","name":"a","pid":1,"tid":1,"ts":1e308,"dur":1}]' "'ts' is out of range: 1e308 µs is more than 2\^64 ns .*at byte 1 " chrome
	expect_err "chrome: ts type" '{"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":true}]}' "needs a number 'ts' at byte 16 \(\\\$\.traceEvents\[0\]\)" chrome
	expect_err "chrome: sf unknown" '{"traceEvents":[],"stackFrames":{"1":{"name":"a"}},"samples":[{"ts":1,"sf":2,"tid":1}]}' "'sf' is not in stackFrames" chrome
	expect_err "chrome: frame cycle" '{"traceEvents":[],"stackFrames":{"1":{"name":"a","parent":"2"},"2":{"name":"b","parent":"1"}},"samples":[{"ts":1,"sf":1,"tid":1}]}' "form a cycle" chrome
	expect_err "chrome: not events" '{"traceEvents":{}}' "expected an array" chrome
	# cpuprofile
	expect_err "cpuprofile: lengths" '{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}}],"samples":[1,1],"timeDeltas":[1]}' "differ in length" cpuprofile
	expect_err "cpuprofile: node type" '{"nodes":[{"id":"x","callFrame":{"functionName":"a"}}],"samples":[],"timeDeltas":[]}' "whole-number 'id' at byte 10 \(\\\$\.nodes\[0\]\)" cpuprofile
	expect_err "cpuprofile: old format" '{"head":{},"samples":[]}' "old V8 format" cpuprofile
	# firefox
	expect_err "firefox: no threads" '{"meta":{"interval":1,"preprocessedProfileVersion":70}}' "no 'threads' array" firefox
	expect_err "firefox: stack out of range" '{"meta":{"interval":1,"preprocessedProfileVersion":70},"shared":{"stringArray":["a"],"stackTable":{"frame":[0],"prefixOffset":[0]},"frameTable":{"func":[0]},"funcTable":{"name":[0]}},"threads":[{"samples":{"stack":[3],"weight":[1]}}]}' "stack index is out of range" firefox
	expect_err "firefox: bad func" '{"meta":{"interval":1,"preprocessedProfileVersion":70},"shared":{"stringArray":["a"],"stackTable":{"frame":[0],"prefixOffset":[0]},"frameTable":{"func":[4]},"funcTable":{"name":[0]}},"threads":[{"samples":{"stack":[0],"weight":[1]}}]}' "func that is not in funcTable" firefox
	# the captured readers name the byte and the path of the value at fault
	expect_err "firefox: where, processed" '{"meta":{"interval":1,"preprocessedProfileVersion":70},"shared":{"stringArray":["a"],"stackTable":{"frame":[0],"prefixOffset":[0]},"frameTable":{"func":[4]},"funcTable":{"name":[0]}},"threads":[{"samples":{"stack":[0],"weight":[1]}}]}' "at byte 153 \(\\\$\.shared\.frameTable\.func\[0\]\)" firefox
	expect_err "firefox: where, sample" '{"meta":{"interval":1,"preprocessedProfileVersion":70},"shared":{"stringArray":["a"],"stackTable":{"frame":[0],"prefixOffset":[0]},"frameTable":{"func":[0]},"funcTable":{"name":[0]}},"threads":[{"samples":{"stack":[0, 3],"weight":[1,1]}}]}' "stack index is out of range \(3; stackTable has 1\) at byte 218 \(\\\$\.threads\[0\]\.samples\.stack\[1\]\)" firefox
	expect_err "firefox: where, gecko in a recording" '{"profile":{"meta":{"version":5,"interval":1},"threads":[{"name":"a","stringTable":["x"],"frameTable":{"schema":{"location":0},"data":[[0]]},"stackTable":{"schema":{"prefix":0,"frame":1},"data":[[null,0],[0,7]]},"samples":{"schema":{"stack":0,"time":1},"data":[[1,0]]}}]}}' "not in frameTable \(frame 7; frameTable has 1\) at byte 204 \(\\\$\.profile\.threads\[0\]\.stackTable\.data\[1\]\)" firefox
	expect_err "firefox: where, in a thread as a JSON string" '{"meta":{"version":3,"interval":1},"threads":["{\"meta\":{\"version\":3},\"threads\":[{\"stringTable\":[],\"frameTable\":{\"schema\":{\"location\":0},\"data\":[]},\"stackTable\":{\"schema\":{\"prefix\":0,\"frame\":1},\"data\":[]},\"samples\":{\"schema\":{\"stack\":0},\"data\":[[4]]}}]}"]}' "at byte 197 \(\\\$\.threads\[0\]\.samples\.data\[0\]\) of the profile stored as a JSON string at byte 46 \(\\\$\.threads\[0\]\)" firefox
	# d3
	expect_err "d3: sums" '{"name":"root","value":1,"children":[{"name":"a","value":2,"children":[]}]}' "add up to more.* at byte 0 \(\\\$\)" d3
	expect_err "d3: where" '{"name":"root","value":5,"children":[{"name":"a","value":2,"children":[]},
 {"name":"b","value":2,"children":[{"name":"c","value":"x"}]}]}' "needs a number 'value' at byte 110 \(\\\$\.children\[1\]\.children\[0\]\)" d3
	# pprof
	printf '\x0a\x04\x08\x01\x10\x02\x12\x06\x0a\x01\x07\x12\x01\x05\x32\x00' > "$tmp/bad.pb"
	"$flame" convert --from pprof --to folded "$tmp/bad.pb" > /dev/null 2> "$tmp/err"; rc=$?
	[ $rc = 1 ] && grep -q "location id 7 is not defined" "$tmp/err" && ok || { bad "pprof: undefined location: exit $rc"; cat "$tmp/err"; }
	printf '\x0a\x04\x08\x01\x10\x05\x12' > "$tmp/bad.pb"
	"$flame" convert --from pprof --to folded "$tmp/bad.pb" > /dev/null 2> "$tmp/err"; rc=$?
	[ $rc = 1 ] && grep -q "pprof: not a protobuf message" "$tmp/err" && ok || { bad "pprof: truncated: exit $rc"; cat "$tmp/err"; }
	# a function's name outside the string table; ids used twice (pprof
	# rejects both: "malformed profile")
	pp_err() { # name message-regex bytes
		printf "$3" > "$tmp/bad.pb"
		"$flame" convert --from pprof --to folded "$tmp/bad.pb" > /dev/null 2> "$tmp/err"; rc=$?
		[ $rc = 1 ] && grep -qE "$2" "$tmp/err" && ok || { bad "pprof: $1: exit $rc"; cat "$tmp/err"; }
	}
	pp_err "name out of range" "pprof: function 1: name index 9 out of range of the string table of 1$" '\x0a\x04\x08\x01\x10\x02\x12\x06\x0a\x01\x01\x12\x01\x05\x22\x06\x08\x01\x22\x02\x08\x01\x2a\x04\x08\x01\x10\x09\x32\x00'
	pp_err "location id twice" "pprof: two locations have id 1 " '\x0a\x04\x08\x01\x10\x02\x12\x06\x0a\x01\x01\x12\x01\x05\x22\x02\x08\x01\x22\x02\x08\x01\x32\x00'
	pp_err "function id twice" "pprof: two functions have id 1 " '\x0a\x04\x08\x01\x10\x02\x12\x06\x0a\x01\x01\x12\x01\x05\x22\x06\x08\x01\x22\x02\x08\x01\x2a\x02\x08\x01\x2a\x02\x08\x01\x32\x00'
	"$flame" convert --sample-type nope --to folded "$fx/pprof-simple.prof" > /dev/null 2> "$tmp/err"; rc=$?
	[ $rc = 1 ] && grep -q "no sample type 'nope' (the file has: samples/count, cpu/nanoseconds)" "$tmp/err" && ok || { bad "pprof: --sample-type nope: exit $rc"; cat "$tmp/err"; }
	"$flame" convert -q --sample-type samples --to folded "$fx/pprof-simple.prof" | head -1 > "$tmp/out"
	grep -q '^runtime.main;main.main;main.alpha 26$' "$tmp/out" && ok || { bad "pprof: --sample-type samples"; cat "$tmp/out"; }
	# usage
	"$flame" convert "$fx/flame-minimal.folded.txt" > /dev/null 2> "$tmp/err"; rc=$?
	[ $rc = 2 ] && grep -q -- "--to" "$tmp/err" && ok || bad "no --to: exit $rc"
	"$flame" convert --to nope "$fx/flame-minimal.folded.txt" > /dev/null 2>&1; rc=$?
	[ $rc = 2 ] && ok || bad "--to nope: exit $rc"
	# --to from the output name
	"$flame" convert -q -o "$tmp/x.speedscope.json" "$fx/flame-minimal.folded.txt" && grep -q '"\$schema"' "$tmp/x.speedscope.json" && ok || bad "--to from .speedscope.json"
	# the note names what is dropped
	"$flame" convert --to folded "$fx/speedscope-evented.speedscope.json" 2> "$tmp/err" > /dev/null
	grep -q "folded has no time or threads; timeline dropped" "$tmp/err" && ok || bad "drop note"
	;;
chunking)
	# stdin (streamed in pieces) and gzip give the same as the mapped file
	for f in "$fx"/*.json "$fx"/*.cpuprofile "$fx"/*.pb.gz "$fx"/*.prof; do
		"$flame" convert -q --to folded "$f" > "$tmp/a"
		cat "$f" | "$flame" convert -q --to folded > "$tmp/b"
		case $f in
		*.pb.gz | *.prof) zcat "$f" > "$tmp/f.gz" ;; # pprof: raw protobuf this time
		*) gzip -c "$f" > "$tmp/f.gz" ;;
		esac
		"$flame" convert -q --to folded "$tmp/f.gz" > "$tmp/c"
		check_same "$(basename "$f") stdin" "$tmp/a" "$tmp/b"
		check_same "$(basename "$f") gzip" "$tmp/a" "$tmp/c"
	done
	# a UTF-8 byte order mark changes nothing, detection included
	"$flame" convert -q --to d3 -o "$tmp/min.d3.json" "$fx/flame-minimal.folded.txt"
	for f in "$fx"/*.json "$fx"/*.cpuprofile "$tmp/min.d3.json"; do
		"$flame" convert -q --to folded "$f" > "$tmp/a"
		{ printf '\xef\xbb\xbf'; cat "$f"; } > "$tmp/bom.json"
		"$flame" convert -q --to folded "$tmp/bom.json" > "$tmp/b" 2> "$tmp/err"
		rc=$?
		[ $rc = 0 ] || { bad "$(basename "$f") with a byte order mark: exit $rc"; cat "$tmp/err"; continue; }
		check_same "$(basename "$f") with a byte order mark" "$tmp/a" "$tmp/b"
	done
	;;
repair)
	# what DevTools and speedscope repair, flame repairs too, with one
	# warning per kind of repair (count and first place); collapse
	# --strict refuses it.  expected/<input>.folded: the repaired stacks
	rx=$fx/repair
	for f in "$rx"/expected/*.folded; do
		b=$(basename "$f" .folded)
		"$flame" convert --to folded "$rx/$b" > "$tmp/out" 2> "$tmp/err" || { bad "$b: exit $?"; cat "$tmp/err"; continue; }
		check_same "$b (repaired)" "$f" "$tmp/out"
		cp "$tmp/err" "$tmp/$b.err"
	done
	warned() { # name input regex
		if [ "$(grep -c 'warning: ' "$tmp/$2.err")" = 1 ] && grep -qE "$3" "$tmp/$2.err"; then ok
		else bad "$1: not one warning matching $3"; cat "$tmp/$2.err"; fi
	}
	warned "negative deltas (node)" node-negative-delta.cpuprofile "node-negative-delta.cpuprofile: at byte 3209: the first of 3 negative time deltas \\(timeDeltas\[10\]\); its sample is put at the previous sample's time.*: '-37'$"
	grep -q "chrome-negative-delta.trace.json: at byte 6909: the first of 2 negative time deltas of profile 0x7b (pid 7787) (timeDeltas\[5\])" "$tmp/chrome-negative-delta.trace.json.err" && ok || bad "negative deltas (trace): no warning"
	grep -q "samples\[401\] of profile 0x7b (pid 7787): the first of 5 samples of a node id that no node has, dropped: '752'" "$tmp/chrome-negative-delta.trace.json.err" && ok || bad "trace: undefined nodes not said"
	warned "cut short" trace-cut-short.json "trace-cut-short.json: at byte 4: the first of 2 'B' events with no 'E' \\(a trace cut short\?\), closed at the trace's last time, 11.000 µs: 'alpha'$"
	warned "started late" trace-started-late.json "trace-started-late.json: at byte 179: the first of 2 'E' events with no 'B' open on their thread, dropped: 'beta'$"
	warned "overlap" trace-overlap.json "trace-overlap.json: pid 0 tid 0 at 5.000 µs: 1 event that ends after the event enclosing it \\(not nested on its thread\\), cut at its end: 'delta'$"
	warned "undefined node" cpuprofile-undefined-node.cpuprofile "samples\[1\]: the first of 2 samples of a node id that no node has, dropped: '99'$"
	grep -q "note: .*chrome-profile-and-events.trace.json: the trace has a CPU profile (7 samples) and 5 duration events; read the CPU profile only" "$tmp/chrome-profile-and-events.trace.json.err" && ok || { bad "profile and events: no note"; cat "$tmp/chrome-profile-and-events.trace.json.err"; }
	for b in chrome-cpuprofile-event.trace.json cpuprofile-gc.cpuprofile chrome-profile-and-events.trace.json; do
		grep -q 'warning' "$tmp/$b.err" && bad "$b: a warning" || ok
	done
	# the old CpuProfile event holds the same profile as the .cpuprofile
	"$flame" convert -q --to folded "$fx/flame-local-node.cpuprofile" > "$tmp/want"
	check_same "CpuProfile event = its .cpuprofile" "$tmp/want" "$rx/expected/chrome-cpuprofile-event.trace.json.folded"
	# a negative delta puts its sample at the previous sample's time; the
	# next delta counts from the true sum (speedscope: a 1000, b 0, c 1000)
	printf '%s' '{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"},"children":[2,3,4,5]},{"id":2,"callFrame":{"functionName":"a"}},{"id":3,"callFrame":{"functionName":"b"}},{"id":4,"callFrame":{"functionName":"c"}},{"id":5,"callFrame":{"functionName":"d"}}],"startTime":0,"samples":[2,3,4,5],"timeDeltas":[0,1000,-500,1500]}' > "$tmp/neg.cpuprofile"
	"$flame" convert -q --to folded "$tmp/neg.cpuprofile" > "$tmp/out" 2> /dev/null || bad "negative delta: exit $?"
	printf '# unit=ns\na 1000000\nc 1000000\n' > "$tmp/want"
	check_same "negative delta clamped" "$tmp/want" "$tmp/out"
	# (garbage collector) goes on the previous stack, (program) stays a root
	grep -q '^main;foo;bar;(garbage collector) 2000000$' "$rx/expected/cpuprofile-gc.cpuprofile.folded" && grep -q '^(program) 1000000$' "$rx/expected/cpuprofile-gc.cpuprofile.folded" && ok || bad "gc: not on the previous stack"
	# --strict (collapse) turns each repair into an error
	for b in node-negative-delta.cpuprofile trace-cut-short.json trace-started-late.json trace-overlap.json cpuprofile-undefined-node.cpuprofile; do
		"$flame" collapse --strict -o "$tmp/strict.out" "$rx/$b" > /dev/null 2> "$tmp/err"; rc=$?
		[ $rc = 1 ] && [ ! -e "$tmp/strict.out" ] && grep -q -- '(--strict); no output written' "$tmp/err" && ok || { bad "$b: --strict: exit $rc"; cat "$tmp/err"; }
	done
	"$flame" collapse --strict "$rx/chrome-profile-and-events.trace.json" > /dev/null 2>&1 && ok || bad "--strict refuses a note"
	# a ts out of 64-bit ns range is said to be that, not "not a number"
	"$flame" convert --to folded "$rx/trace-ts-huge.json" > /dev/null 2> "$tmp/err"; rc=$?
	[ $rc = 1 ] && grep -q "'ts' is out of range: 1e308 µs is more than 2^64 ns" "$tmp/err" && ok || { bad "ts 1e308: exit $rc"; cat "$tmp/err"; }
	;;
fold)
	# events() MODE: nested X events (and, with MODE=be, B/E pairs) on two
	# threads, 6000 bursts each (past the reader's probation), one per line
	events() {
		awk -v mode="$1" 'BEGIN {
			for (k = 0; k < 6000; k++) for (tid = 1; tid <= 2; tid++) {
				t0 = k * 100 + tid
				if (mode == "be" && k % 7 == 0) printf "{\"ph\":\"B\",\"name\":\"main\",\"pid\":1,\"tid\":%d,\"ts\":%d}\n", tid, t0
				else printf "{\"ph\":\"X\",\"name\":\"main\",\"pid\":1,\"tid\":%d,\"ts\":%d,\"dur\":90}\n", tid, t0
				printf "{\"ph\":\"X\",\"name\":\"f%d\",\"pid\":1,\"tid\":%d,\"ts\":%d.5,\"dur\":50}\n", k % 5, tid, t0 + 1
				printf "{\"ph\":\"X\",\"name\":\"g%d\",\"pid\":1,\"tid\":%d,\"ts\":%d,\"dur\":%d}\n", k % 3, tid, t0 + 2, 10 + k % 11
				if (mode == "be" && k % 7 == 0) printf "{\"ph\":\"E\",\"pid\":1,\"tid\":%d,\"ts\":%d}\n", tid, t0 + 90
			}
		}'
	}
	trace() { printf '{"traceEvents":[\n'; sed '$!s/$/,/'; printf ']}\n'; }
	events be | trace > "$tmp/be.json"
	events x | trace > "$tmp/x.json"
	events x | tac | trace > "$tmp/x-rev.json"
	# folded straight (threads stream) against the timeline path (logged,
	# sorted and replayed) through speedscope
	for f in be x; do
		"$flame" convert -q --to folded "$tmp/$f.json" > "$tmp/$f.direct" || bad "$f: exit $?"
		"$flame" convert -q --to speedscope "$tmp/$f.json" | "$flame" convert -q --from speedscope --to folded > "$tmp/$f.logged"
		check_same "$f.json: streamed = logged" "$tmp/$f.logged" "$tmp/$f.direct"
	done
	grep -q '^main;f0;g0 ' "$tmp/be.direct" && ok || bad "be.json: expected main;f0;g0"
	# the same events newest first: out of order, logged, same stacks
	"$flame" convert -q --to folded "$tmp/x-rev.json" > "$tmp/x-rev.direct" || bad "x-rev: exit $?"
	check_same "x-rev.json = x.json" "$tmp/x.direct" "$tmp/x-rev.direct"
	# an event that starts before the time already folded (after the
	# probation) is taken as starting at that time, inside what is open then
	{ awk 'BEGIN { for (i = 0; i < 5000; i++) printf "{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":%d,\"dur\":5}\n", i * 10 }'
	  echo '{"ph":"X","name":"late","pid":1,"tid":1,"ts":0,"dur":100000}'; } | trace > "$tmp/late.json"
	"$flame" convert --to folded "$tmp/late.json" > "$tmp/out" 2> "$tmp/err" || bad "late: exit $?"
	printf '# unit=ns\na 24995000\na;late 5000\n' > "$tmp/want"
	check_same "late event after the probation" "$tmp/want" "$tmp/out"
	# ... and said so
	grep -q "warning: .*late.json: at byte [0-9]*: an event of thread 1 starts at 0 ns, before the 49990000 ns .*: 'late'" "$tmp/err" \
		&& ok || { bad "late event: no warning"; cat "$tmp/err"; }
	;;
*)
	echo "unknown group $group"; exit 2 ;;
esac
echo "$passes passed, $fails failed"
[ $fails = 0 ]
