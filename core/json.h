/*
 * json.h - a streaming JSON reader with selective capture, and helpers for
 * writing JSON.
 *
 * Reading: flame_json_feed() takes the input in any chunking.  The caller
 * decides, for every object or array that opens, whether to walk into it
 * (its members are then reported one by one: scalars as one-value
 * documents, containers by asking again) or to capture it whole as a small
 * document (a flat array of values, reset for each capture).  So memory is
 * bounded by the largest captured value, not by the input: a trace is read
 * by walking the top level and capturing one event at a time.
 *
 * Strings and numbers in a document are views: pointer and length, not
 * NUL-terminated.  They point into the caller's input buffer when the
 * value arrived whole in it and needs no unescaping (the usual case: no
 * copy), else into the document's own arena (unescaped strings, and the
 * parts of a captured value that a chunk boundary cut: those are copied
 * when the chunk ends).  A captured value that lies whole in one chunk is
 * parsed by a tight loop over the buffer; the general state machine takes
 * over at chunk boundaries and for anything unusual, errors included.
 *
 * Ownership: a document passed to on_value is valid only during the call.
 * Handlers return 0 to go on, or -1 after flame_json_fail() to stop.
 * Errors name the byte offset and the JSON path ("$.traceEvents[12].ts").
 *
 * Writing: flame_json_add_str() appends a quoted, escaped string; bytes
 * that are not valid UTF-8 become U+FFFD so the output is always JSON.
 */
#ifndef FLAME_JSON_H
#define FLAME_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum flame_json_type {
	FLAME_JSON_NULL = 0,
	FLAME_JSON_FALSE,
	FLAME_JSON_TRUE,
	FLAME_JSON_NUMBER,
	FLAME_JSON_STRING,
	FLAME_JSON_ARRAY,
	FLAME_JSON_OBJECT,
};

#define FLAME_JSON_NONE UINT32_MAX

struct flame_json_val {
	uint8_t type;     /* enum flame_json_type */
	uint8_t input;    /* parser-internal: which views point into the input */
	uint32_t len;     /* string/number: bytes of text; array/object: members */
	const char *s;    /* string/number: the text, len bytes, not NUL-terminated */
	uint32_t first;   /* array/object: first member, or FLAME_JSON_NONE */
	uint32_t last;    /* array/object: last member (while building) */
	uint32_t next;    /* next member of the enclosing container */
	uint32_t key_len; /* object member: key length */
	const char *key;  /* object member: key text, key_len bytes */
};

struct flame_json_block;

struct flame_json_doc {
	struct flame_json_val *v;
	size_t n, cap;
	struct flame_json_block *arena; /* unescaped and copied texts; newest first */
};

/* Member of object obj named key, or FLAME_JSON_NONE. */
uint32_t flame_json_get(const struct flame_json_doc *d, uint32_t obj, const char *key);
static inline const struct flame_json_val *flame_json_at(const struct flame_json_doc *d, uint32_t i)
{
	return &d->v[i];
}
/* String text (len bytes, not NUL-terminated) or NULL if i is not a string. */
const char *flame_json_string(const struct flame_json_doc *d, uint32_t i, size_t *len);
/* Whether i is the string lit. */
int flame_json_string_is(const struct flame_json_doc *d, uint32_t i, const char *lit);
/* Number as a whole int64; 0 if not a number or not whole or out of range. */
int flame_json_int(const struct flame_json_doc *d, uint32_t i, int64_t *out);
/* Number (or a numeric string when strings is set) as exact fixed point:
 * value * 10^shift = ip + fp / 10^digits (digits <= 9, more are cut).
 * 0 if not a non-negative number that fits. */
int flame_json_decimal(const char *s, size_t n, int shift, uint64_t *ip, uint64_t *fp, int *digits);
const char *flame_json_type_name(int type);

struct flame_json_parser;

struct flame_json_handler {
	/* A container opens at depth (1 = the top value) as member key (objects)
	 * or element index (arrays) of its parent.  Return 1 to capture it
	 * whole (reported by on_value), 0 to walk into it, -1 to stop. */
	int (*on_open)(void *ctx, int depth, int is_obj, const char *key, size_t keylen,
		       uint64_t index);
	/* A value at a walked level: a scalar, or a captured container.  The
	 * value is d->v[root]. */
	int (*on_value)(void *ctx, int depth, const char *key, size_t keylen, uint64_t index,
			const struct flame_json_doc *d, uint32_t root);
	/* A walked container closes. */
	int (*on_close)(void *ctx, int depth, int is_obj);
};

#define FLAME_JSON_LENIENT_ARRAY_END 1 /* a top-level array may lack ']' or end in ',' */

struct flame_json_parser *flame_json_new(const struct flame_json_handler *h, void *ctx, int flags);
void flame_json_free(struct flame_json_parser *p);
/* Feed bytes; eof: no more follow.  -1 on an error (see flame_json_error). */
int flame_json_feed(struct flame_json_parser *p, const char *buf, size_t len, int eof);
/* The error message of the last failure. */
const char *flame_json_error(const struct flame_json_parser *p);
/* Fail from a handler: message gets " at byte N (PATH)" appended.  Returns -1. */
int flame_json_fail(struct flame_json_parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Absolute byte offset of the value being reported. */
uint64_t flame_json_offset(const struct flame_json_parser *p);

/* ---- writing ---- */
void flame_json_add_str(struct flame_buf *b, const char *s, size_t n);
/* Fixed point weight (w / 10^digits) as a JSON number. */
void flame_json_add_fixed(struct flame_buf *b, uint64_t w, int digits);

/* Where a JSON text starts for a format probe: past a UTF-8 byte order
 * mark (a first byte 0xef) and white space; len if nothing follows. */
static inline size_t flame_json_start(const char *buf, size_t len)
{
	size_t i = len >= 3 && (unsigned char)buf[0] == 0xef ? 3 : 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n' ||
			   buf[i] == '\v' || buf[i] == '\f'))
		i++;
	return i;
}

#endif
