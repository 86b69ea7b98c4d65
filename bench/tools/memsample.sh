#!/usr/bin/env bash
# bench/tools/memsample.sh DB RESULT_FILE - peak memory of DB's server backends
#
# Every 50 ms, reads /proc/PID/smaps_rollup of each backend connected to
# database DB (found by its process title, "postgres: USER DB HOST(PORT)
# ...") and keeps the largest Rss, Pss and Anonymous seen, in kB.  On
# SIGTERM writes "RSS_KB PSS_KB ANON_KB" to RESULT_FILE and exits.
# Anonymous is the backend's private memory (palloc'd contexts, caches);
# Rss also counts the shared buffers the backend touched.
set -u
db="$1" out="$2"
rss=0 pss=0 anon=0
finish() {
    echo "$rss $pss $anon" >"$out"
    exit 0
}
trap finish TERM
while :; do
    for pid in $(pgrep -f "^postgres: [^ ]+ $db "); do
        while read -r k v _; do
            case "$k" in
                Rss:) [ "$v" -gt "$rss" ] && rss=$v ;;
                Pss:) [ "$v" -gt "$pss" ] && pss=$v ;;
                Anonymous:) [ "$v" -gt "$anon" ] && anon=$v ;;
            esac
        done <"/proc/$pid/smaps_rollup" 2>/dev/null
    done
    sleep 0.05 &
    wait $!
done
