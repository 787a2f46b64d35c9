#include "names.h"

#include <stdint.h>
#include <string.h>

#include "text.h"

/* ---- argument lists ---- */

size_t flame_name_args_start(const char *f, size_t n)
{
	int depth = 0;
	size_t last_dot = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		switch (f[i]) {
		case '<':
		case '{':
		case '[':
			depth++;
			break;
		case '>':
		case '}':
		case ']':
		case ')':
			depth--;
			break;
		case '(':
			if (depth == 0) {
				int go = last_dot == i;
				int anon = flame_starts_with(f + i, n - i, "(anonymous namespace)");
				if (!go && !anon)
					return i;
			}
			depth++;
			break;
		case '.':
			last_dot = i + 1;
			break;
		default:
			break;
		}
	}
	return n;
}

size_t flame_name_dtrace_args_start(const char *f, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (f[i] == ':' && f[i + 1] == ':') {
			for (size_t j = n; j-- > i + 2;)
				if (f[j] == '(' || f[j] == '<')
					return j;
			return n;
		}
	}
	return n;
}

static int is_space_or_tab(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* Length of "0x<hex>" at s (0 if there is none). */
static size_t hex_number(const char *s, size_t n)
{
	if (n < 3 || s[0] != '0' || s[1] != 'x' || !flame_is_hex((unsigned char)s[2]))
		return 0;
	size_t i = 3;
	while (i < n && flame_is_hex((unsigned char)s[i]))
		i++;
	return i;
}

static int finish(struct flame_buf *out, const char *s, size_t n)
{
	int changed = out->len != n || (n && memcmp(out->data, s, n) != 0);
	if (!out->data) {
		flame_buf_reserve(out, 0);
		out->data[0] = '\0';
	}
	return changed;
}

int flame_name_strip_offsets(const char *s, size_t n, struct flame_buf *out)
{
	flame_buf_reset(out);
	size_t i = 0;
	while (i < n) {
		const char *plus = memchr(s + i, '+', n - i);
		if (!plus) {
			flame_buf_add(out, s + i, n - i);
			break;
		}
		size_t p = (size_t)(plus - s);
		size_t h = hex_number(s + p + 1, n - p - 1);
		if (!h) {
			flame_buf_add(out, s + i, p + 1 - i);
			i = p + 1;
			continue;
		}
		flame_buf_add(out, s + i, p - i);
		i = p + 1 + h;
		if (i < n && s[i] == '/') {
			size_t h2 = hex_number(s + i + 1, n - i - 1);
			if (h2)
				i += 1 + h2;
		}
	}
	return finish(out, s, n);
}

static int word_before(const char *s, size_t end, const char *w)
{
	size_t k = strlen(w);
	return end >= k && memcmp(s + end - k, w, k) == 0;
}

int flame_name_strip_args(const char *s, size_t n, struct flame_buf *out)
{
	flame_buf_reset(out);
	/* trailing " [clone .cold]" markers are kept after the cut */
	size_t end = n, keep_from = n;
	for (;;) {
		size_t e = end;
		while (e && is_space_or_tab((unsigned char)s[e - 1]))
			e--;
		if (e >= 8 && s[e - 1] == ']') {
			const char *open = NULL;
			for (size_t i = e - 1; i-- > 0;)
				if (s[i] == '[') {
					open = s + i;
					break;
				}
			if (open && (size_t)(s + e - open) >= 7 && memcmp(open, "[clone ", 7) == 0) {
				end = (size_t)(open - s);
				keep_from = end;
				while (keep_from && is_space_or_tab((unsigned char)s[keep_from - 1]))
					keep_from--;
				end = keep_from;
				continue;
			}
		}
		break;
	}
	/* qualifiers after the list: const, volatile, &, &&, noexcept */
	static const char *const quals[] = { "const", "volatile", "noexcept", "&&", "&" };
	for (;;) {
		while (end && is_space_or_tab((unsigned char)s[end - 1]))
			end--;
		int found = 0;
		for (size_t q = 0; q < sizeof(quals) / sizeof(quals[0]); q++) {
			size_t k = strlen(quals[q]);
			if (!word_before(s, end, quals[q]))
				continue;
			char before = end > k ? s[end - k - 1] : '\0';
			int alpha = quals[q][0] != '&';
			if (alpha && before != ' ' && before != ')')
				continue;
			end -= k;
			found = 1;
			break;
		}
		if (!found)
			break;
	}
	size_t open = SIZE_MAX;
	if (end && s[end - 1] == ')') {
		int depth = 0;
		for (size_t i = end; i-- > 0;) {
			if (s[i] == ')') {
				depth++;
			} else if (s[i] == '(') {
				if (--depth == 0) {
					open = i;
					break;
				}
			}
		}
	}
	int cut = open != SIZE_MAX && open > 0;
	if (cut) {
		char prev = s[open - 1];
		if (prev == ':' || prev == '.' || prev == '(' || is_space_or_tab((unsigned char)prev))
			cut = 0; /* "ns::(anonymous namespace)", "pkg.(*T)": not a parameter list */
		/* "S::operator()" without arguments: the "()" is the name */
		if (end - open == 2 && word_before(s, open, "operator"))
			cut = 0;
	}
	if (!cut) {
		flame_buf_add(out, s, n);
		return finish(out, s, n);
	}
	flame_buf_add(out, s, open);
	if (keep_from < n) {
		flame_buf_add(out, s + keep_from, n - keep_from);
	}
	return finish(out, s, n);
}

/* Length of the operator symbol after "operator" at s + i if it contains
 * angle brackets ("<<=", "->*", ...), else 0. */
static size_t operator_symbol(const char *s, size_t n, size_t i)
{
	static const char *const ops[] = { "<=>", "<<=", ">>=", "->*", "<<", ">>", "<=", ">=", "->",
					   "<", ">" };
	for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++) {
		size_t l = strlen(ops[k]);
		if (n - i >= l && memcmp(s + i, ops[k], l) == 0)
			return l;
	}
	return 0;
}

int flame_name_strip_templates(const char *s, size_t n, struct flame_buf *out)
{
	flame_buf_reset(out);
	if (n == 0 || s[0] == '<' || !memchr(s, '<', n)) {
		flame_buf_add(out, s, n);
		return finish(out, s, n);
	}
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == 'o' && n - i > 8 && memcmp(s + i, "operator", 8) == 0 &&
		    (i == 0 || !(s[i - 1] == '_' || (s[i - 1] >= 'a' && s[i - 1] <= 'z') ||
				 (s[i - 1] >= 'A' && s[i - 1] <= 'Z') ||
				 (s[i - 1] >= '0' && s[i - 1] <= '9')))) {
			size_t k = operator_symbol(s, n, i + 8);
			if (k) {
				if (depth == 0)
					flame_buf_add(out, s + i, 8 + k);
				i += 8 + k - 1;
				continue;
			}
		}
		if (c == '<') {
			depth++;
			continue;
		}
		if (c == '>' && depth > 0) {
			depth--;
			continue;
		}
		if (depth == 0)
			flame_buf_addc(out, c);
	}
	if (depth != 0) { /* unbalanced: not template brackets after all */
		flame_buf_reset(out);
		flame_buf_add(out, s, n);
	}
	return finish(out, s, n);
}

int flame_name_strip_hex(const char *s, size_t n, struct flame_buf *out)
{
	flame_buf_reset(out);
	size_t i = 0;
	while (i < n) {
		const char *z = memchr(s + i, '0', n - i);
		if (!z) {
			flame_buf_add(out, s + i, n - i);
			break;
		}
		size_t p = (size_t)(z - s);
		size_t h = hex_number(s + p, n - p);
		if (!h) {
			flame_buf_add(out, s + i, p + 1 - i);
			i = p + 1;
			continue;
		}
		flame_buf_add(out, s + i, p - i);
		flame_buf_add(out, "0x...", 5);
		i = p + h;
	}
	return finish(out, s, n);
}

/* ---- Rust ---- */

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

int flame_name_rust_fixup(const char *s, size_t n, struct flame_buf *out)
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
