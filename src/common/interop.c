/*-------------------------------------------------------------------------
 *
 * interop.c
 *	  The other migration tools' names and the rules that turn their
 *	  versions into revision ids and "-- source:" header values.
 *
 * interop.h states the rules; the import, adopt and the catalog all call
 * these functions rather than repeating them.
 *
 * IDENTIFICATION
 *	  src/common/interop.c
 *
 *-------------------------------------------------------------------------
 */
#ifndef FRONTEND
#include "postgres.h"
#else
#include "postgres_fe.h"
#endif

#include "lib/stringinfo.h"

#include "common/revfile.h"
#include "common/interop.h"

typedef struct FormatInfo
{
	const char *name;
	const char *version_table;
} FormatInfo;

/* in the order of MigrateInteropFormat */
static const FormatInfo formats[MIGRATE_INTEROP_NFORMATS] = {
	{"alembic", "alembic_version"},
	{"golang-migrate", "schema_migrations"},
	{"dbmate", "schema_migrations"},
	{"flyway", "flyway_schema_history"},
	{"diesel", "__diesel_schema_migrations"},
	{"sqitch", "sqitch.changes"},
};

/*
 * The format's name; NULL for MIGRATE_INTEROP_INVALID or anything out of
 * range.
 */
const char *
migrate_interop_format_name(MigrateInteropFormat format)
{
	if ((int) format < 0 || (int) format >= MIGRATE_INTEROP_NFORMATS)
		return NULL;
	return formats[format].name;
}

/* The format named by len bytes of name (exact, lower case). */
MigrateInteropFormat
migrate_interop_format_from_name(const char *name, size_t len)
{
	int			i;

	for (i = 0; i < MIGRATE_INTEROP_NFORMATS; i++)
	{
		if (strlen(formats[i].name) == len &&
			memcmp(formats[i].name, name, len) == 0)
			return (MigrateInteropFormat) i;
	}
	return MIGRATE_INTEROP_INVALID;
}

/* The other tool's version table; NULL for an invalid format. */
const char *
migrate_interop_version_table(MigrateInteropFormat format)
{
	if ((int) format < 0 || (int) format >= MIGRATE_INTEROP_NFORMATS)
		return NULL;
	return formats[format].version_table;
}

/* Bytes allowed in a revision id. */
static inline bool
is_id_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		(c >= '0' && c <= '9') || c == '_' || c == '-';
}

/*
 * len bytes of s as a valid revision id.  Every invalid byte (so each byte
 * of a multi-byte character) becomes '_'.
 */
char *
migrate_interop_sanitize_id(const char *s, size_t len)
{
	StringInfoData buf;
	size_t		i;

	if (len > MIGRATE_MAX_ID_LEN)
		len = MIGRATE_MAX_ID_LEN;
	initStringInfo(&buf);
	for (i = 0; i < len; i++)
		appendStringInfoChar(&buf,
							 is_id_byte((unsigned char) s[i]) ? s[i] : '_');
	if (buf.len == 0)
		appendStringInfoChar(&buf, '_');
	if (migrate_reserved_id(buf.data, buf.len))
	{
		/* "head" would be read as the target word; "head_" is not */
		if (buf.len == MIGRATE_MAX_ID_LEN)
			buf.data[buf.len - 1] = '_';
		else
			appendStringInfoChar(&buf, '_');
	}
	return buf.data;
}

/* The revision id of a source migration (interop.h gives the rules). */
char *
migrate_interop_revision_id(MigrateInteropFormat format,
							const char *source_id)
{
	char	   *copy;
	char	   *p;
	char	   *result;

	if (format != MIGRATE_INTEROP_FLYWAY)
		return migrate_interop_sanitize_id(source_id, strlen(source_id));

	/* flyway: V1.2 and V1_2 are the same version, written "1_2" */
	copy = pstrdup(source_id);
	if (strncmp(copy, "R__", 3) != 0)
	{
		for (p = copy; *p; p++)
			if (*p == '.')
				*p = '_';
	}
	result = migrate_interop_sanitize_id(copy, strlen(copy));
	pfree(copy);
	return result;
}

/*
 * The version the other tool writes in its version table for the
 * migration the files call source_id (interop.h gives the rules).
 */
char *
migrate_interop_source_version(MigrateInteropFormat format,
							   const char *source_id)
{
	StringInfoData buf;
	const char *p;

	initStringInfo(&buf);
	switch (format)
	{
		case MIGRATE_INTEROP_GOLANG_MIGRATE:
			/* a uint64 in the files, a bigint's text in the table */
			p = source_id;
			while (*p == '0' && p[1] != '\0')
				p++;
			appendStringInfoString(&buf, p);
			break;
		case MIGRATE_INTEROP_DIESEL:
			/* "2017-11-08-142003" is stored as "20171108142003" */
			for (p = source_id; *p; p++)
				if (*p != '-')
					appendStringInfoChar(&buf, *p);
			break;
		case MIGRATE_INTEROP_FLYWAY:
			if (strncmp(source_id, "R__", 3) == 0)
				appendStringInfoString(&buf, source_id);
			else
				for (p = source_id; *p; p++)
					appendStringInfoChar(&buf, *p == '_' ? '.' : *p);
			break;
		default:
			appendStringInfoString(&buf, source_id);
			break;
	}
	return buf.data;
}

/*
 * Split "FORMAT VERSION".  VERSION runs to the end of the (trimmed) value
 * and may not hold blanks or control characters.
 */
bool
migrate_interop_parse_source(const char *value, size_t len,
							 MigrateInteropFormat *format,
							 const char **version, size_t *version_len)
{
	const char *end = value + len;
	const char *p;
	const char *word;
	size_t		i;

	while (value < end && (*value == ' ' || *value == '\t'))
		value++;
	while (end > value && (end[-1] == ' ' || end[-1] == '\t' ||
						   end[-1] == '\r'))
		end--;
	word = value;
	for (p = value; p < end && *p != ' ' && *p != '\t'; p++)
		;
	*format = migrate_interop_format_from_name(word, p - word);
	if (*format == MIGRATE_INTEROP_INVALID)
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end)
		return false;
	for (i = 0; i < (size_t) (end - p); i++)
	{
		unsigned char c = (unsigned char) p[i];

		if (c <= ' ' || c == 0x7F)
			return false;
	}
	*version = p;
	*version_len = end - p;
	return true;
}
