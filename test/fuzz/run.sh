#!/bin/sh
#
# test/fuzz/run.sh
#	Fuzz the revision-file parser, the revision graph and the target parser
#	for a bounded time.
#
# FUZZ_SECONDS (default 30) is the time for all three, split between them
# (a third each, at least one second; the graph gets what is left over).
# Each seed corpus (corpus/revfile, corpus/revtarget) is
# copied to a temporary directory so that the inputs the fuzzer adds do
# not pile up in the source tree; the graph fuzzer starts from nothing, its inputs being
# plain bytes.  Crash inputs are written to test/fuzz/ (crash-*, leak-*,
# ...).  Exits non-zero when any fuzzer finds a crash, a leak, a timeout or
# an out-of-memory case.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-30}
third=$((seconds / 3))
if [ "$third" -lt 1 ]; then
	third=1
fi
revgraph_seconds=$((seconds - 2 * third))
if [ "$revgraph_seconds" -lt 1 ]; then
	revgraph_seconds=1
fi

make -s -C "$here" fuzz_revfile fuzz_revgraph fuzz_revtarget

work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/revfile" "$work/revgraph" "$work/revtarget"
cp "$here"/corpus/revfile/* "$work/revfile/"
cp "$here"/corpus/revtarget/* "$work/revtarget/"

status=0

# run HARNESS SECONDS MAX_LEN: fuzz one harness on its corpus copy in $work
run() {
	"$here/fuzz_$1" "$work/$1" \
		-max_total_time="$2" \
		-rss_limit_mb=2048 \
		-timeout=10 \
		-max_len="$3" \
		-print_final_stats=1 \
		-artifact_prefix="$here"/ || status=1
}

run revfile "$third" 4096
run revgraph "$revgraph_seconds" 256
run revtarget "$third" 512

exit $status
