/*
 * text.h - small byte-string helpers for every layer: white space, prefixes
 * and suffixes, hex digits.  Slices are (pointer, length) and need not be
 * NUL-terminated, except where a function says "C string".  Nothing here
 * allocates, prints or fails.
 */
#ifndef FLAME_TEXT_H
#define FLAME_TEXT_H

#include <stddef.h>
#include <string.h>

/* ' ', '\t', '\r', '\n', '\v', '\f': isspace() in the C locale. */
static inline int flame_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Shorten *n past trailing white space. */
static inline void flame_trim_end(const char *s, size_t *n)
{
	while (*n && flame_is_space((unsigned char)s[*n - 1]))
		(*n)--;
}

/* Skip leading white space: returns the new start, shortens *n. */
static inline const char *flame_trim_start(const char *s, size_t *n)
{
	while (*n && flame_is_space((unsigned char)*s)) {
		s++;
		(*n)--;
	}
	return s;
}

/* Does s[0,n) start with the C string pre? */
static inline int flame_starts_with(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	return n >= k && memcmp(s, pre, k) == 0;
}

/* Does s[0,n) end with the C string suf? */
static inline int flame_ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Does the C string s end with the C string suffix? */
static inline int flame_str_ends_with(const char *s, const char *suffix)
{
	return flame_ends_with(s, strlen(s), suffix);
}

/* Last occurrence of the C string needle in s[0,n), or NULL. */
static inline const char *flame_rfind(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (k > n)
		return NULL;
	for (size_t i = n - k + 1; i-- > 0;)
		if (s[i] == needle[0] && memcmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

/* Is s[0,n) empty or all white space? */
static inline int flame_is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!flame_is_space((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The value of a hex digit (either case), or -1. */
static inline int flame_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static inline int flame_is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

#endif
