#!/usr/bin/env bash
# Regenerate fixtures/render/perl/*.tsv: the structure of the SVGs that
# FlameGraph's flamegraph.pl draws for fixtures/render/inputs (see the
# manifest), as printed by svgframes --px --fill.
#
# usage: FLAMEGRAPH_PL=/path/to/flamegraph.pl tests/render/make_perl_fixtures.sh SVGFRAMES
# (flamegraph.pl from github.com/brendangregg/FlameGraph, master; it is not
# part of this repository).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
svgframes=$1
pl=${FLAMEGRAPH_PL:?set FLAMEGRAPH_PL to flamegraph.pl}
dir=$root/fixtures/render/perl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tail -n +2 "$dir/manifest.tsv" | while IFS=$'\t' read -r name input args; do
	# shellcheck disable=SC2086  # args are words
	(cd "$tmp" && perl "$pl" $args "$root/fixtures/render/inputs/$input" > "$name.svg" 2>/dev/null)
	"$svgframes" --px --fill "$tmp/$name.svg" | LC_ALL=C sort > "$dir/$name.tsv"
done
