/*
 * escape.h - making arbitrary frame names safe to show.
 *
 * Names are bytes from profiles: they may hold invalid UTF-8, control
 * characters or markup.  Everything shown goes through these helpers:
 * invalid UTF-8 and characters XML 1.0 forbids or that are controls (C0
 * but for none, DEL, C1, U+FFFE/U+FFFF) become U+FFFD; then XML's special
 * characters become entities.  Nothing here allocates but the flame_buf.
 */
#ifndef FLAME_ESCAPE_H
#define FLAME_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/util.h"

#define FLAME_REPLACEMENT 0xFFFDu

/* Decode one code point from s[0,n) (n > 0): returns the bytes used (>= 1);
 * *cp is U+FFFD for an invalid or truncated sequence (one byte used). */
size_t flame_utf8_next(const unsigned char *s, size_t n, uint32_t *cp);
/* Whether cp may be shown (not a control, not a non-character). */
int flame_cp_showable(uint32_t cp);
void flame_utf8_put(struct flame_buf *b, uint32_t cp);
/* Number of code points in s[0,n) as flame_utf8_next() counts them. */
size_t flame_utf8_count(const char *s, size_t n);

enum {
	FLAME_ESC_QUOTES = 1, /* also " and ' (attribute values) */
};

/* Append s[0,n) made showable and XML-escaped (& < > always). */
void flame_xml_escape(struct flame_buf *b, const char *s, size_t n, int flags);
/* Append s[0,n) made showable, as the inside of a JavaScript string
 * literal (quotes, backslash, <, >, & and non-ASCII as \uXXXX escapes),
 * safe inside CDATA and in an XML attribute. */
void flame_js_escape(struct flame_buf *b, const char *s, size_t n);
/* Append s[0,n) made showable, for a terminal: no escape sequences. */
void flame_text_clean(struct flame_buf *b, const char *s, size_t n);

#endif
