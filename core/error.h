/*
 * error.h - the error value library code returns instead of printing.
 *
 * Contract: a function that can fail takes a struct flame_error * and
 * returns -1 after filling it (never exits, never prints); cmd/ prints
 * "flame: <msg>" and picks the exit code.  Messages follow git's style:
 * lowercase, no final full stop, location first: "perf.txt:812: expected ...".
 */
#ifndef FLAME_ERROR_H
#define FLAME_ERROR_H

#include <stddef.h>

enum flame_error_kind {
	FLAME_ERR_NONE = 0,
	FLAME_ERR_DATA,  /* bad input data: exit 1 */
	FLAME_ERR_IO,    /* read/write failure: exit 1 */
	FLAME_ERR_USAGE, /* bad option value: exit 2 */
};

struct flame_error {
	enum flame_error_kind kind;
	char msg[1024];
};

/* Fill err and return -1.  file may be NULL; line 0 means "no line". */
int flame_error_set(struct flame_error *err, enum flame_error_kind kind,
		    const char *file, unsigned long long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Quote up to max bytes of s for a message: control bytes as \xNN, cut with "...". */
void flame_quote(char *out, size_t outsz, const char *s, size_t n, size_t max);

#endif
