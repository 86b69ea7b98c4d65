#!/bin/sh
#
# test/fuzz/run.sh
#	Fuzz the revision-file parser, the revision graph, the target parser
#	and the schema diff for a bounded time.
#
# FUZZ_SECONDS (default 30) is the time for all four, split between them
# (a quarter each, at least one second; the graph gets what is left over).
# Each seed corpus (corpus/revfile, corpus/revtarget, and corpus/schemadiff,
# which keeps inputs that once failed) is copied to a temporary directory
# so that the inputs the fuzzer adds do not pile up in the source tree; the
# graph fuzzer starts from nothing, its inputs being plain bytes.  Crash inputs are written to test/fuzz/ (crash-*, leak-*,
# ...).  Exits non-zero when any fuzzer finds a crash, a leak, a timeout or
# an out-of-memory case.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-30}
third=$((seconds / 4))
if [ "$third" -lt 1 ]; then
	third=1
fi
revgraph_seconds=$((seconds - 3 * third))
if [ "$revgraph_seconds" -lt 1 ]; then
	revgraph_seconds=1
fi

make -s -C "$here" fuzz_revfile fuzz_revgraph fuzz_revtarget fuzz_schemadiff

work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/revfile" "$work/revgraph" "$work/revtarget" "$work/schemadiff"
cp "$here"/corpus/revfile/* "$work/revfile/"
cp "$here"/corpus/revtarget/* "$work/revtarget/"
cp "$here"/corpus/schemadiff/* "$work/schemadiff/"

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
# the diff leaves its palloc'd results for the caller's memory context to
# free (the client is a short run); outside the server palloc is malloc, so
# the leak checker would report every statement: only this one is spared
ASAN_OPTIONS=detect_leaks=0 run schemadiff "$third" 512

exit $status
