#include "escape.h"

size_t flame_utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		*cp = FLAME_REPLACEMENT;
		return 1;
	}
	if (n < len) {
		*cp = FLAME_REPLACEMENT;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			*cp = FLAME_REPLACEMENT;
			return 1;
		}
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
		*cp = FLAME_REPLACEMENT;
		return 1;
	}
	*cp = v;
	return len;
}

int flame_cp_showable(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7F)
		return 0;
	if (cp >= 0x80 && cp <= 0x9F)
		return 0;
	if ((cp & 0xFFFE) == 0xFFFE) /* U+FFFE, U+FFFF and their plane twins */
		return 0;
	if (cp >= 0xFDD0 && cp <= 0xFDEF)
		return 0;
	return 1;
}

void flame_utf8_put(struct flame_buf *b, uint32_t cp)
{
	char t[4];
	size_t n;
	if (cp < 0x80) {
		t[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xC0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		t[0] = (char)(0xE0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		t[0] = (char)(0xF0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		t[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	flame_buf_add(b, t, n);
}

size_t flame_utf8_count(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k = 0;
	uint32_t cp;
	while (i < n) {
		if (u[i] < 0x80)
			i++;
		else
			i += flame_utf8_next(u + i, n - i, &cp);
		k++;
	}
	return k;
}

void flame_xml_escape(struct flame_buf *b, const char *s, size_t n, int flags)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	flame_buf_reserve(b, n + 16);
	while (i < n) {
		/* runs of plain ASCII go in one copy */
		size_t j = i;
		while (j < n && u[j] >= 0x20 && u[j] < 0x7F && u[j] != '&' && u[j] != '<' &&
		       u[j] != '>' && u[j] != '"' && u[j] != '\'')
			j++;
		if (j > i) {
			flame_buf_add(b, s + i, j - i);
			i = j;
			if (i == n)
				break;
		}
		uint32_t cp;
		i += flame_utf8_next(u + i, n - i, &cp);
		switch (cp) {
		case '&':
			flame_buf_add(b, "&amp;", 5);
			continue;
		case '<':
			flame_buf_add(b, "&lt;", 4);
			continue;
		case '>':
			flame_buf_add(b, "&gt;", 4);
			continue;
		case '"':
			if (flags & FLAME_ESC_QUOTES)
				flame_buf_add(b, "&quot;", 6);
			else
				flame_buf_addc(b, '"');
			continue;
		case '\'':
			if (flags & FLAME_ESC_QUOTES)
				flame_buf_add(b, "&apos;", 6);
			else
				flame_buf_addc(b, '\'');
			continue;
		}
		flame_utf8_put(b, flame_cp_showable(cp) ? cp : FLAME_REPLACEMENT);
	}
}

void flame_js_escape(struct flame_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		i += flame_utf8_next(u + i, n - i, &cp);
		if (!flame_cp_showable(cp))
			cp = FLAME_REPLACEMENT;
		if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
		    cp == ' ' || cp == '_' || cp == '-' || cp == '.' || cp == ',' || cp == ':' ||
		    cp == ';' || cp == '(' || cp == ')' || cp == '#' || cp == '%') {
			flame_buf_addc(b, (char)cp);
		} else if (cp < 0x10000) {
			flame_buf_addf(b, "\\u%04x", (unsigned)cp);
		} else {
			uint32_t v = cp - 0x10000;
			flame_buf_addf(b, "\\u%04x\\u%04x", (unsigned)(0xD800 + (v >> 10)),
				       (unsigned)(0xDC00 + (v & 0x3FF)));
		}
	}
}

void flame_text_clean(struct flame_buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && u[j] >= 0x20 && u[j] < 0x7F)
			j++;
		if (j > i) {
			flame_buf_add(b, s + i, j - i);
			i = j;
			if (i == n)
				break;
		}
		uint32_t cp;
		i += flame_utf8_next(u + i, n - i, &cp);
		flame_utf8_put(b, flame_cp_showable(cp) ? cp : FLAME_REPLACEMENT);
	}
}
