/*-------------------------------------------------------------------------
 *
 * digest.c
 *	  SHA-256 of revision files, as lower-case hex.
 *
 * The server stores the digest of the file each revision was registered
 * from (migrate.revision.file_sha256); the client computes the same digest
 * of its local files and sends only those whose digest differs.  Both use
 * libpgcommon's cryptohash, so this file is compiled twice: into the
 * extension and, with FRONTEND defined, into the client.
 *
 * IDENTIFICATION
 *	  src/common/digest.c
 *
 *-------------------------------------------------------------------------
 */
#ifdef FRONTEND
#include "postgres_fe.h"
#else
#include "postgres.h"
#endif

#include "common/cryptohash.h"
#include "common/sha2.h"

#include "common/digest.h"

struct MigrateSha256
{
	pg_cryptohash_ctx *ctx;
};

/* n bytes as 2n lower-case hex digits and a NUL, into out. */
void
migrate_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;

	for (i = 0; i < n; i++)
	{
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

MigrateSha256 *
migrate_sha256_begin(void)
{
	MigrateSha256 *sha = palloc(sizeof(MigrateSha256));

	sha->ctx = pg_cryptohash_create(PG_SHA256);
	if (sha->ctx == NULL || pg_cryptohash_init(sha->ctx) < 0)
	{
		if (sha->ctx)
			pg_cryptohash_free(sha->ctx);
		pfree(sha);
		return NULL;
	}
	return sha;
}

bool
migrate_sha256_add(MigrateSha256 *sha, const void *data, size_t len)
{
	return pg_cryptohash_update(sha->ctx, (const uint8 *) data, len) == 0;
}

/* Finish, write the hex digest into out, and free the context. */
bool
migrate_sha256_end(MigrateSha256 *sha, char out[MIGRATE_SHA256_HEX_LEN])
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	bool		ok;

	out[0] = '\0';
	ok = pg_cryptohash_final(sha->ctx, digest, sizeof(digest)) == 0;
	pg_cryptohash_free(sha->ctx);
	pfree(sha);
	if (ok)
		migrate_hex(digest, sizeof(digest), out);
	return ok;
}

bool
migrate_sha256_hex(const void *data, size_t len,
				   char out[MIGRATE_SHA256_HEX_LEN])
{
	MigrateSha256 *sha = migrate_sha256_begin();

	out[0] = '\0';
	if (sha == NULL)
		return false;
	if (!migrate_sha256_add(sha, data, len))
	{
		char		ignore[MIGRATE_SHA256_HEX_LEN];

		(void) migrate_sha256_end(sha, ignore);
		return false;
	}
	return migrate_sha256_end(sha, out);
}
