# src/common/common.mk
#
# The one list of the pure C files shared by the extension, the client, the
# unit tests and the fuzz harnesses: no SPI, no libpq, compiled as server
# code into the extension and as frontend code (-DFRONTEND, palloc and
# StringInfo from libpgcommon) everywhere else.  Every Makefile includes
# this file with MIGRATE_TOP set to the path of the checkout's top.
#
# MIGRATE_CORE		revision files, the revision graph and its plans, digests,
#					schema fingerprint comparison, "-- source:" headers
# MIGRATE_IMPORT	readers of other tools' histories (the client's import)

MIGRATE_CORE = revfile revid revgraph revorder revtarget revplan digest \
	schemacompare interop sqltext
MIGRATE_IMPORT = importnames importsqitch importalembic

MIGRATE_COMMON_DIR = $(MIGRATE_TOP)/src/common
MIGRATE_CORE_SRCS = $(addprefix $(MIGRATE_COMMON_DIR)/,$(addsuffix .c,$(MIGRATE_CORE)))
MIGRATE_IMPORT_SRCS = $(addprefix $(MIGRATE_COMMON_DIR)/,$(addsuffix .c,$(MIGRATE_IMPORT)))
MIGRATE_COMMON_HDRS = $(wildcard $(MIGRATE_COMMON_DIR)/*.h)
