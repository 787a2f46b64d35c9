#include <string.h>

#include "../core/util.h"
#include "textutil.h"

/* Legacy Rust mangling escapes, as emitted when demangling stopped halfway. */
static const struct {
	const char *esc;
	char c;
} escapes[] = {
	{ "$SP$", '@' },   { "$BP$", '*' },   { "$RF$", '&' },   { "$LT$", '<' },
	{ "$GT$", '>' },   { "$LP$", '(' },   { "$RP$", ')' },   { "$C$", ',' },
	{ "$u7e$", '~' },  { "$u20$", ' ' },  { "$u27$", '\'' }, { "$u3d$", '=' },
	{ "$u5b$", '[' },  { "$u5d$", ']' },  { "$u7b$", '{' },  { "$u7d$", '}' },
	{ "$u3b$", ';' },  { "$u2b$", '+' },  { "$u21$", '!' },  { "$u22$", '"' },
};

#define RUST_HASH_LEN 17 /* "h" + 16 hex digits */

int flame_fix_rust_symbol(const char *s, size_t n, struct flame_buf *out)
{
	if (n < RUST_HASH_LEN || s[n - RUST_HASH_LEN] != 'h')
		return 0;
	for (size_t i = n - RUST_HASH_LEN + 1; i < n; i++)
		if (!flame_is_hex((unsigned char)s[i]))
			return 0;
	size_t len = n - RUST_HASH_LEN;
	if (len >= 2 && s[len - 2] == ':' && s[len - 1] == ':')
		len -= 2;
	const char *p = s, *end = s + len;
	if (len >= 2 && p[0] == '_' && p[1] == '$')
		p++;
	while (p < end) {
		if (*p == '.') {
			if (p + 1 < end && p[1] == '.') {
				flame_buf_add(out, "::", 2);
				p += 2;
			} else {
				flame_buf_addc(out, '.');
				p++;
			}
		} else if (*p == '$') {
			size_t rest = (size_t)(end - p);
			size_t i;
			for (i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
				size_t k = strlen(escapes[i].esc);
				if (rest >= k && memcmp(p, escapes[i].esc, k) == 0) {
					flame_buf_addc(out, escapes[i].c);
					p += k;
					break;
				}
			}
			if (i == sizeof(escapes) / sizeof(escapes[0])) {
				/* unknown escape: keep the rest as it is */
				flame_buf_add(out, p, rest);
				break;
			}
		} else {
			const char *q = p;
			while (q < end && *q != '$' && *q != '.')
				q++;
			flame_buf_add(out, p, (size_t)(q - p));
			p = q;
		}
	}
	return 1;
}
