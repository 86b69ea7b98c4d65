# test/tap.sh - TAP helpers for the test scripts; source it.
#
# ok DESC / not_ok DESC [DETAIL...]: one check, counted in $n and $failures
# is DESC GOT WANT: equal strings
# expect DESC NEEDLE HAYSTACK: HAYSTACK contains NEEDLE (a fixed string)
# run ARGS...: run $PGM (the client) with ARGS; sets $out, $err and $rc
#   ($work must name a scratch directory)

n=0
failures=0

ok() {
    n=$((n + 1))
    echo "ok $n - $1"
}

not_ok() {
    n=$((n + 1))
    failures=$((failures + 1))
    echo "not ok $n - $1"
    shift
    for line in "$@"; do echo "#   $line"; done
}

is() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got:      $2" "expected: $3"; fi
}

expect() {
    if printf '%s' "$3" | grep -qF -- "$2"; then ok "$1"; else not_ok "$1" "missing: $2" "in: $3"; fi
}

run() {
    out=$("$PGM" "$@" 2>"$work/stderr")
    rc=$?
    err=$(cat "$work/stderr")
}
