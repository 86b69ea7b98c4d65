#!/usr/bin/env bash
# scripts/install-deps.sh - install what pg_migrate needs on Debian 12
#
# Usage: scripts/install-deps.sh [--test]
#
# Installs PostgreSQL 15 (server, headers, libpq) and a C toolchain; with
# --test also what the test suite uses (pgTAP, pg_prove, Alembic as the
# oracle, clang and its sanitizer runtimes for the fuzzers).  Only missing packages are
# installed; run as root or with sudo available.
set -euo pipefail

case "${1:-}" in
    -h | --help)
        sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
esac

packages=(build-essential postgresql-15 postgresql-server-dev-15 libpq-dev libssl-dev)
if [ "${1:-}" = "--test" ]; then
    packages+=(postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
        libipc-run-perl python3-alembic clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "all dependencies are installed"
    exit 0
fi

SUDO=()
if [ "$(id -u)" != 0 ]; then
    SUDO=(sudo)
fi
echo "installing: ${missing[*]}"
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
