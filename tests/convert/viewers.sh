#!/bin/bash
# Our output loaded by the real viewers (see ../shared FORMATS.md §7):
#   speedscope  JSON schema shipped in the npm package; the app itself in
#               headless Chromium, whose own export must hold our stacks
#   trace_engine (DevTools) loads our .cpuprofile with the same stacks
# usage: viewers.sh FLAME SOURCE_DIR
# Needs node and the npm packages of tests/convert/validators installed
# (`npm install --prefix tests/convert/validators`, as .ci/run does), or
# another such directory in $FLAME_VALIDATORS_DIR; skipped (77) without them.
set -u
flame=$1 src=$2
fx=$src/fixtures/convert
vd=${FLAME_VALIDATORS_DIR:-$src/tests/convert/validators}
if ! command -v node > /dev/null; then echo "SKIP: node is not installed"; exit 77; fi
for m in speedscope ajv @paulirish/trace_engine; do
	if [ ! -d "$vd/node_modules/$m" ]; then
		echo "SKIP: npm package $m not found in $vd/node_modules (run: npm install --prefix $vd)"
		exit 77
	fi
done
for s in speedscope-schema-check.mjs speedscope-check.mjs chrome-trace-engine-check.mjs speedscope-export-to-folded.py; do
	[ -f "$vd/$s" ] || { echo "SKIP: $vd/$s missing"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
cd "$vd" || exit 1

inputs="flame-minimal.folded.txt flame-minimal.events.trace.json speedscope-sampled.speedscope.json trace-event-array.json flame-local-node.cpuprofile"
for in in $inputs; do
	out=$tmp/$in.speedscope.json
	"$flame" convert -q --to speedscope -o "$out" "$fx/$in" || { bad "$in: convert"; continue; }
	node speedscope-schema-check.mjs "$out" > "$tmp/log" 2>&1 && ok || { bad "$in: schema"; cat "$tmp/log"; }
done

# the app: what speedscope parsed must be our stacks, weight for weight
if [ -x /usr/bin/chromium ] && [ -d node_modules/puppeteer-core ]; then
	for in in flame-minimal.folded.txt flame-minimal.events.trace.json trace-event-array.json; do
		for to in speedscope chrome; do
			out=$tmp/$in.$to.json
			[ $to = chrome ] && out=$tmp/$in.trace.json # speedscope picks its importer by name
			"$flame" convert -q --to $to -o "$out" "$fx/$in" || { bad "$in -> $to: convert"; continue; }
			if ! timeout 60 node speedscope-check.mjs "$out" '' "$tmp/export.json" > "$tmp/log" 2>&1; then
				bad "$in -> $to: speedscope did not load it"; cat "$tmp/log"; continue
			fi
			python3 speedscope-export-to-folded.py "$tmp/export.json" | grep -v '^#' | sort > "$tmp/theirs"
			"$flame" convert -q --to folded "$out" | grep -v "^# unit=" | sort > "$tmp/ours"
			# speedscope shows trace event times in µs; ours are ns
			if grep -q '"ph":"X"' "$out"; then
				awk '{ $NF = $NF / 1000; print }' "$tmp/ours" > "$tmp/ours2" && mv "$tmp/ours2" "$tmp/ours"
			fi
			cmp -s "$tmp/ours" "$tmp/theirs" && ok || { bad "$in -> $to: speedscope's stacks differ"; diff "$tmp/ours" "$tmp/theirs" | head; }
		done
	done
else
	echo "note: chromium or puppeteer-core missing: speedscope app checks skipped"
fi

# DevTools trace engine: counts samples of our .cpuprofile
for in in flame-minimal.folded.txt flame-local-node.cpuprofile; do
	out=$tmp/$in.cpuprofile
	"$flame" convert -q --to cpuprofile -o "$out" "$fx/$in" || { bad "$in: convert"; continue; }
	if timeout 120 node chrome-trace-engine-check.mjs "$out" > "$tmp/te" 2> "$tmp/log"; then
		grep -v '^#' "$tmp/te" | awk '$NF > 0 && NF > 1 { NF--; print }' | sort > "$tmp/theirs"
		"$flame" convert -q --to folded "$out" | grep -v "^# unit=" | awk '{ NF--; print }' | sort > "$tmp/ours"
		# every stack we wrote is there (the engine adds the closing root sample)
		if comm -23 "$tmp/ours" "$tmp/theirs" | grep -q .; then bad "$in: trace_engine stacks differ"; comm -3 "$tmp/ours" "$tmp/theirs" | head; else ok; fi
	else
		bad "$in: trace_engine did not load it"; cat "$tmp/log" | head -5
	fi
done
# pprof: decoded by the pprof-format npm package, same stacks and values
if [ -d node_modules/pprof-format ] && [ -f pprof2folded.mjs ]; then
	for in in flame-minimal.folded.txt pprof-simple.prof; do
		out=$tmp/$in.pb.gz
		"$flame" convert -q --to pprof -o "$out" "$fx/$in" || { bad "$in: convert"; continue; }
		node pprof2folded.mjs "$out" 2> /dev/null | sort > "$tmp/theirs"
		"$flame" convert -q --to folded "$fx/$in" | grep -v "^# unit=" | sort > "$tmp/ours"
		cmp -s "$tmp/ours" "$tmp/theirs" && ok || { bad "$in: pprof-format reads other stacks"; diff "$tmp/ours" "$tmp/theirs" | head; }
	done
fi
# Firefox Profiler: profiler-cli loads our processed profile; the call
# tree's total is ours (samples, or ms for time)
if [ -d node_modules/@firefox-devtools/profiler-cli ]; then
	export PROFILER_CLI_SESSION_DIR=$tmp/sessions PROFILER_CLI_NO_SYMBOLICATE=1
	trap 'npx --no-install profiler-cli stop --all > /dev/null 2>&1; rm -rf "$tmp"' EXIT
	for in in flame-minimal.folded.txt trace-event-array.json speedscope-sampled.speedscope.json; do
		out=$tmp/$in.firefox.json
		"$flame" convert -q --to firefox -o "$out" "$fx/$in" || { bad "$in: convert"; continue; }
		# its daemon gets 500 ms to start, too little on a loaded machine:
		# try again when that is all that went wrong
		loaded=0
		for attempt in 1 2 3; do
			if timeout 120 npx --no-install profiler-cli load "$out" > "$tmp/log" 2>&1; then
				loaded=1; break
			fi
			grep -q 'did not become ready' "$tmp/log" || break
			npx --no-install profiler-cli stop --all > /dev/null 2>&1
			sleep $attempt
		done
		if [ $loaded = 0 ]; then
			bad "$in: profiler-cli did not load it"; tail -3 "$tmp/log"
			npx --no-install profiler-cli stop --all > /dev/null 2>&1
			continue
		fi
		theirs=$(timeout 120 npx --no-install profiler-cli thread samples-top-down --json 2> /dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["regularCallTree"]["totalSamples"])')
		npx --no-install profiler-cli stop --all > /dev/null 2>&1
		# the first thread's total: ours from the same file read back
		ours=$("$flame" convert -q --to firefox "$fx/$in" | python3 -c '
import json, sys
d = json.load(sys.stdin); s = d["threads"][0]["samples"]
print(sum(s["weight"]))')
		python3 -c "import sys; sys.exit(0 if abs(float('$theirs') - float('$ours')) < 1e-9 * max(1, abs(float('$ours'))) else 1)" 2> /dev/null \
			&& ok || bad "$in: profiler-cli total $theirs, ours $ours"
	done
fi
echo "$passes passed, $fails failed"
[ $fails = 0 ]
