/*
 * check.h - CHECK() for the record unit tests: count a failed condition,
 * print where it is, and go on.  Each test program defines `failures`
 * and exits non-zero when it is not 0.
 */
#ifndef FLAME_RECORD_CHECK_H
#define FLAME_RECORD_CHECK_H

#include <stdio.h>

extern int failures;

#define CHECK(c)                                                                      \
	do {                                                                          \
		if (!(c)) {                                                           \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
			failures++;                                                   \
		}                                                                     \
	} while (0)

#endif
