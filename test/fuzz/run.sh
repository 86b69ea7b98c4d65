#!/bin/sh
#
# test/fuzz/run.sh
#	Fuzz the revision-file parser and the revision graph for a bounded time.
#
# FUZZ_SECONDS (default 30) is the time for both, split between them: half
# each (rounded so that the graph gets the odd second).  The parser's seed
# corpus is copied to a temporary directory so that the inputs the fuzzer
# adds do not pile up in the source tree; the graph fuzzer starts from
# nothing, its inputs being plain bytes.  Crash inputs are written to
# test/fuzz/ (crash-*, leak-*, ...).  Exits non-zero when either fuzzer
# finds a crash, a leak, a timeout or an out-of-memory case.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-30}
revfile_seconds=$((seconds / 2))
revgraph_seconds=$((seconds - revfile_seconds))
if [ "$revfile_seconds" -lt 1 ]; then
	revfile_seconds=1
fi

make -s -C "$here" fuzz_revfile fuzz_revgraph

work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/revfile" "$work/revgraph"
cp "$here"/corpus/* "$work/revfile/"

status=0

"$here"/fuzz_revfile "$work/revfile" \
	-max_total_time="$revfile_seconds" \
	-rss_limit_mb=2048 \
	-timeout=10 \
	-max_len=4096 \
	-print_final_stats=1 \
	-artifact_prefix="$here"/ || status=1

"$here"/fuzz_revgraph "$work/revgraph" \
	-max_total_time="$revgraph_seconds" \
	-rss_limit_mb=2048 \
	-timeout=10 \
	-max_len=256 \
	-print_final_stats=1 \
	-artifact_prefix="$here"/ || status=1

exit $status
