#!/usr/bin/env bash
# test/install.sh - install the built extension and client into a private
# copy of the server, for the tests
#
# Usage: eval "$(test/install.sh)"
#
# Copies PostgreSQL 15's programs, libraries and share files into
# $TEST_INSTALL (default /tmp/pg_migrate-install-<hash of the checkout>),
# then runs "make install DESTDIR=$TEST_INSTALL".  PostgreSQL finds its share
# and library directories relative to its own program, so a server started
# from the copy loads this checkout's pg_migrate and nobody else's: tests of
# two checkouts never see each other's build, and the system's PostgreSQL is
# left as it is.  The copy is readable by the postgres OS user wherever the
# checkout lives.  Prints the export lines for PGBIN, PATH and PG_MIGRATE.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PG_CONFIG="${PG_CONFIG:-$(command -v /usr/lib/postgresql/15/bin/pg_config || command -v pg_config)}"
hash="$(printf '%s' "$ROOT" | md5sum | cut -c1-8)"
T="${TEST_INSTALL:-/tmp/pg_migrate-install-$hash}"
bindir="$("$PG_CONFIG" --bindir)"
libdir="$("$PG_CONFIG" --pkglibdir)"
sharedir="$("$PG_CONFIG" --sharedir)"
# the server tree, as PostgreSQL's own "make check" builds its temporary install
rm -rf "$T"
mkdir -p "$T$(dirname "$bindir")" "$T$(dirname "$libdir")" "$T$(dirname "$sharedir")"
cp -a "$(dirname "$bindir")/." "$T$(dirname "$bindir")/"
[ -d "$T$libdir" ] || cp -a "$libdir" "$T$libdir"
cp -a "$sharedir" "$T$(dirname "$sharedir")/"
make -s -C "$ROOT" install DESTDIR="$T" PG_CONFIG="$PG_CONFIG" >&2
chmod -R a+rX "$T"
printf 'export PGBIN=%q\n' "$T$bindir"
printf 'export PATH=%q:"$PATH"\n' "$T$bindir"
printf 'export PG_MIGRATE=%q\n' "$T$bindir/pg_migrate"
printf 'export TEST_INSTALL=%q\n' "$T"
