/*-------------------------------------------------------------------------
 *
 * tap.h
 *	  A minimal Test Anything Protocol emitter for the C unit tests.
 *
 * The unit tests run under prove(1); each binary prints "ok N - name" or
 * "not ok N - name" per check and the plan at the end.
 *
 * IDENTIFICATION
 *	  test/unit/tap.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef MIGRATE_TAP_H
#define MIGRATE_TAP_H

#include <stdio.h>
#include <string.h>

static int	tap_count = 0;
static int	tap_failed = 0;

/* Record one check; print the diagnostics given when it fails. */
#define TAP_OK(cond, ...) \
	do { \
		tap_count++; \
		if (cond) \
			printf("ok %d - ", tap_count); \
		else \
		{ \
			tap_failed++; \
			printf("not ok %d - ", tap_count); \
		} \
		printf(__VA_ARGS__); \
		printf("\n"); \
		if (!(cond)) \
			printf("#   failed at %s line %d\n", __FILE__, __LINE__); \
	} while (0)

#define TAP_STREQ(got, want, ...) \
	do { \
		const char *tap_g_ = (got); \
		const char *tap_w_ = (want); \
		int tap_same_ = (tap_g_ == NULL && tap_w_ == NULL) || \
			(tap_g_ != NULL && tap_w_ != NULL && strcmp(tap_g_, tap_w_) == 0); \
		TAP_OK(tap_same_, __VA_ARGS__); \
		if (!tap_same_) \
			printf("#   got:  \"%s\"\n#   want: \"%s\"\n", \
				   tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)"); \
	} while (0)

/* Print the plan and return the exit status for main(). */
static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed == 0 ? 0 : 1;
}

#endif							/* MIGRATE_TAP_H */
