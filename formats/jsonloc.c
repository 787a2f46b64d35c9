/*
 * jsonloc.c - where a value of a captured JSON document lies in the text
 * (formats/jsonloc.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonloc.h"

void flame_jsontext_chunk(struct flame_jsontext *t, const char *buf, size_t len, int file_start,
			  int file_end)
{
	if (file_start)
		flame_buf_reset(&t->kept);
	if (file_start && file_end) {
		t->text = buf;
		t->len = len;
		return;
	}
	flame_buf_add(&t->kept, buf, len);
	t->text = t->kept.data;
	t->len = t->kept.len;
}

void flame_jsontext_release(struct flame_jsontext *t)
{
	flame_buf_release(&t->kept);
	t->text = NULL;
	t->len = 0;
}

void flame_jsonpath_key(struct flame_buf *path, const char *key)
{
	flame_buf_addc(path, '.');
	flame_buf_adds(path, key);
}

void flame_jsonpath_index(struct flame_buf *path, uint64_t i)
{
	flame_buf_addf(path, "[%" PRIu64 "]", i);
}

void flame_jsonpath_cut(struct flame_buf *path, size_t len)
{
	if (len < path->len) {
		path->len = len;
		path->data[len] = '\0';
	}
}

const char *flame_jsonpath_tail(const char *path, int *cut)
{
	size_t n = strlen(path);
	*cut = 0;
	if (n <= 200)
		return path;
	const char *p = path + n - 160;
	while (*p && *p != '.' && *p != '[')
		p++;
	*cut = 1;
	return p;
}

static size_t ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* Past the string that opens at s[i] (a '"'). */
static size_t skip_string(const char *s, size_t i, size_t n)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* Past the value at s[i]. */
static size_t skip_value(const char *s, size_t i, size_t n)
{
	if (i >= n)
		return n;
	if (s[i] == '"')
		return skip_string(s, i, n);
	if (s[i] == '{' || s[i] == '[') {
		size_t depth = 0;
		for (; i < n; i++) {
			char c = s[i];
			if (c == '"') {
				i = skip_string(s, i, n) - 1;
			} else if (c == '{' || c == '[') {
				depth++;
			} else if (c == '}' || c == ']') {
				if (--depth == 0)
					return i + 1;
			}
		}
		return n;
	}
	while (i < n && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\t' &&
	       s[i] != '\n' && s[i] != '\r')
		i++;
	return i;
}

/* The member key (klen bytes) of the object at s[*at]: its value's offset. */
static int find_key(const char *s, size_t n, size_t *at, const char *key, size_t klen)
{
	size_t i = *at;
	if (i >= n || s[i] != '{')
		return 0;
	i = ws(s, i + 1, n);
	while (i < n && s[i] == '"') {
		size_t e = skip_string(s, i, n);
		int match = e - i - 2 == klen && memcmp(s + i + 1, key, klen) == 0;
		i = ws(s, e, n);
		if (i >= n || s[i] != ':')
			return 0;
		i = ws(s, i + 1, n);
		if (match) {
			*at = i;
			return 1;
		}
		i = ws(s, skip_value(s, i, n), n);
		if (i >= n || s[i] != ',')
			return 0;
		i = ws(s, i + 1, n);
	}
	return 0;
}

static int find_index(const char *s, size_t n, size_t *at, uint64_t k)
{
	size_t i = *at;
	if (i >= n || s[i] != '[')
		return 0;
	i = ws(s, i + 1, n);
	for (uint64_t j = 0; i < n && s[i] != ']'; j++) {
		if (j == k) {
			*at = i;
			return 1;
		}
		i = ws(s, skip_value(s, i, n), n);
		if (i >= n || s[i] != ',')
			return 0;
		i = ws(s, i + 1, n);
	}
	return 0;
}

uint64_t flame_jsonloc_find(const char *text, size_t len, const char *path)
{
	size_t at = 0;
	if (len >= 3 && (unsigned char)text[0] == 0xef)
		at = 3;
	at = ws(text, at, len);
	const char *p = path[0] == '$' ? path + 1 : path;
	while (*p) {
		size_t i = at;
		if (*p == '.') {
			const char *k = ++p;
			while (*p && *p != '.' && *p != '[')
				p++;
			if (!find_key(text, len, &i, k, (size_t)(p - k)))
				break;
		} else if (*p == '[') {
			uint64_t k = strtoull(p + 1, NULL, 10);
			const char *q = strchr(p, ']');
			p = q ? q + 1 : p + strlen(p);
			if (!find_index(text, len, &i, k))
				break;
		} else {
			break;
		}
		at = i;
	}
	return at;
}
