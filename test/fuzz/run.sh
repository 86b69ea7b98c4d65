#!/bin/sh
#
# test/fuzz/run.sh
#	Fuzz the revision-file parser for a bounded time.
#
# The seed corpus is copied to a temporary directory so that the inputs the
# fuzzer adds do not pile up in the source tree.  Crash inputs are written
# to test/fuzz/ (crash-*, leak-*, ...).  Exits non-zero when the fuzzer
# finds a crash, a leak, a timeout or an out-of-memory case.
#
# FUZZ_SECONDS sets the run time (default 30).

set -eu

here=$(cd "$(dirname "$0")" && pwd)
seconds=${FUZZ_SECONDS:-30}

make -s -C "$here" fuzz_revfile

work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_revfile.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cp "$here"/corpus/* "$work"/

"$here"/fuzz_revfile "$work" \
	-max_total_time="$seconds" \
	-rss_limit_mb=2048 \
	-timeout=10 \
	-max_len=4096 \
	-print_final_stats=1 \
	-artifact_prefix="$here"/
