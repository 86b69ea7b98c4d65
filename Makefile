# Makefile for pg_migrate
#
# "make" / "make install" build and install the extension (PGXS) and the
# pg_migrate client (client/, a separate PGXS program build: PGXS cannot
# build a module and a program from one Makefile).  "make up" starts a
# throw-away local cluster in the checkout and migrates it; "make test" runs
# the whole suite.  Operator targets (migrate, migrate-check, ...) live in
# mk/operator.mk.

EXTENSION = pg_migrate
EXTVERSION = $(shell sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big = pg_migrate

# The layers, lowest first; a file calls into its own layer and the ones
# below it, never above (test/layers checks this on the built objects):
#   src/common     pure C shared with the client and the tests (common.mk)
#   src/catalog    the SPI frame and the tables of the migrate schema
#   src/engine     running and checking steps: locks, runner, integrity,
#                  interrupted runs, trial runs, fingerprints
#   src/lint       the lint rules and their walker
#   src/functions  the SQL-callable functions
#   src/pg_migrate.c  the module: settings and the map of the files
MIGRATE_TOP = .
include src/common/common.mk
CATALOG = spi revisions version generation syncstate errors scope
ENGINE = settings locks checks runner record repeatables result parse_revision locksafety \
	procedure integrity interrupted fingerprint schemaprint verify explain \
	adopted outcome
LINT = walk context alter catalog_lookup rules
FUNCTIONS = commands report register sync adopt statements lint integrity scopes \
	outside
OBJS = src/pg_migrate.o \
	$(patsubst ./%,%,$(MIGRATE_CORE_SRCS:.c=.o)) \
	$(addprefix src/catalog/,$(addsuffix .o,$(CATALOG))) \
	$(addprefix src/engine/,$(addsuffix .o,$(ENGINE))) \
	$(addprefix src/lint/,$(addsuffix .o,$(LINT))) \
	$(addprefix src/functions/,$(addsuffix .o,$(FUNCTIONS)))

DATA = $(wildcard sql/$(EXTENSION)--*.sql)

# PostgreSQL's own headers are not clean under -Wextra's unused-parameter
# check (inline functions of ilist.h, bufpage.h); everything else is on.
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter
# the library checks that a database's extension is at its own version
PG_CPPFLAGS = -DPG_MIGRATE_VERSION='"$(EXTVERSION)"' -I$(srcdir)/src

# pg_regress inputs are test/sql/*.sql, expected output test/expected/*.out
# (PostgreSQL 15 reads both from --inputdir).
# Every test/sql/*.sql runs, alphabetically; each file sets up what it needs
# and runs the same whatever ran before it (suite regress-order checks).
REGRESS = $(sort $(basename $(notdir $(wildcard test/sql/*.sql))))
REGRESS_OPTS = --inputdir=test --outputdir=test
# sessions interleaved step by step (test/isolation/specs/*.spec)
ISOLATION = $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --outputdir=test/isolation/output

EXTRA_CLEAN = test/results test/regression.diffs test/regression.out test/isolation/output

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on every header: a struct changed in a header must
# not leave objects built against its old layout
$(OBJS): $(wildcard src/*.h src/*/*.h)

# the client program
all: client
client:
	$(MAKE) -C client PG_CONFIG=$(PG_CONFIG)
install: install-client
install-client: client
	$(MAKE) -C client PG_CONFIG=$(PG_CONFIG) install
uninstall: uninstall-client
uninstall-client:
	$(MAKE) -C client PG_CONFIG=$(PG_CONFIG) uninstall
clean: clean-client
clean-client:
	$(MAKE) -C client PG_CONFIG=$(PG_CONFIG) clean

.PHONY: client install-client uninstall-client clean-client

# the whole test suite, against a throw-away cluster of its own
test:
	bash test/run_all.sh

# the benchmark (not part of "make test"): installs the tools it compares,
# measures against a cluster of its own, writes bench/RESULTS.md and
# bench/results.png; pg_migrate must be installed ("make install") first.
# BENCH_ARGS=--quick for the short run.
bench:
	bash bench/setup.sh
	PGBIN="$$($(PG_CONFIG) --bindir)" bash bench/run.sh $(BENCH_ARGS)

.PHONY: bench

# local cluster: set up everything, migrate, report
up:
	bash scripts/up.sh

down:
	bash scripts/cluster.sh stop

# the guide's full reset: stop the local cluster, remove its data, "make up"
reset:
	bash scripts/cluster.sh destroy
	bash scripts/up.sh

# the local cluster's environment: eval "$(make -s env)"
env:
	@bash scripts/cluster.sh env
	@echo "export PGDATABASE=$${UP_DATABASE:-app}"

.PHONY: test up down reset env

include mk/operator.mk
