#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int flame_error_set(struct flame_error *err, enum flame_error_kind kind,
		    const char *file, unsigned long long line, const char *fmt, ...)
{
	if (!err)
		return -1;
	size_t off = 0;
	err->kind = kind;
	if (file && line)
		off = (size_t)snprintf(err->msg, sizeof(err->msg), "%s:%llu: ", file, line);
	else if (file)
		off = (size_t)snprintf(err->msg, sizeof(err->msg), "%s: ", file);
	if (off >= sizeof(err->msg))
		off = sizeof(err->msg) - 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + off, sizeof(err->msg) - off, fmt, ap);
	va_end(ap);
	return -1;
}

void flame_quote(char *out, size_t outsz, const char *s, size_t n, size_t max)
{
	size_t o = 0;
	if (outsz == 0)
		return;
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		if (o + 5 >= outsz)
			break;
		if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	if (n > max && o + 4 < outsz) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}
