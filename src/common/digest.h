/*-------------------------------------------------------------------------
 *
 * digest.h
 *	  SHA-256 of revision files, as lower-case hex; shared by the server
 *	  and the client.
 *
 * IDENTIFICATION
 *	  src/common/digest.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef PG_MIGRATE_DIGEST_H
#define PG_MIGRATE_DIGEST_H

#include <stddef.h>

extern void migrate_hex(const unsigned char *bytes, size_t n, char *out);

/* 64 hex digits and a NUL */
#define MIGRATE_SHA256_HEX_LEN 65

/*
 * SHA-256 of len bytes at data, written as hex into out.  Returns false
 * (out empty) when the hash could not be computed (out of memory, or the
 * crypto library refused).
 */
extern bool migrate_sha256_hex(const void *data, size_t len,
							   char out[MIGRATE_SHA256_HEX_LEN]);

/* An incremental SHA-256, for the digest of a whole directory. */
typedef struct MigrateSha256 MigrateSha256;

extern MigrateSha256 *migrate_sha256_begin(void);
extern bool migrate_sha256_add(MigrateSha256 *ctx, const void *data,
							   size_t len);
extern bool migrate_sha256_end(MigrateSha256 *ctx,
							   char out[MIGRATE_SHA256_HEX_LEN]);

#endif							/* PG_MIGRATE_DIGEST_H */
