#!/usr/bin/env bash
# Run the whole test suite three times: in a normal build (build/), in an
# AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan/), and in a
# normal build without the recorder (build-norec/, -DFLAME_WITH_RECORD=OFF:
# the tests of what still works, and of the "not built in" answers).
# Usage: tests/run-all.sh        (from anywhere; needs cmake, a C compiler,
#                                 and the libraries listed in README.md)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)

run() {
	local dir=$1
	shift
	echo "== $dir: configure and build"
	cmake -S "$root" -B "$root/$dir" "$@" >/dev/null
	cmake --build "$root/$dir" -j "$jobs" >/dev/null
	echo "== $dir: test"
	ctest --test-dir "$root/$dir" --output-on-failure -j "$jobs"
}

run build -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run build-asan -DCMAKE_BUILD_TYPE=Debug -DFLAME_SANITIZE=ON
run build-norec -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFLAME_WITH_RECORD=OFF
echo "== all tests passed in all three builds"
