/*
 * json.c - streaming JSON reading with selective capture; JSON writing.
 *
 * The reader is a state machine over tokens.  A token cut by the end of a
 * chunk is kept (only that token) and completed by the next feed, so each
 * byte is scanned once and the input is never held whole.
 */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define MAX_TOKEN (64u << 20)
#define MAX_DEPTH 4096

/* ---- documents ---- */

/* Arena blocks: texts that cannot be views into the input.  Blocks never
 * move, so views into them stay valid while the document grows. */
struct flame_json_block {
	struct flame_json_block *next;
	size_t size, used;
	char data[];
};

#define BLOCK_MIN 65536

static char *arena_alloc(struct flame_json_doc *d, size_t n)
{
	struct flame_json_block *b = d->arena;
	if (!b || b->size - b->used < n) {
		size_t sz = n > BLOCK_MIN ? n : BLOCK_MIN;
		b = flame_xmalloc(sizeof(*b) + sz);
		b->size = sz;
		b->used = 0;
		b->next = d->arena;
		d->arena = b;
	}
	char *o = b->data + b->used;
	b->used += n;
	return o;
}

/* A NUL-terminated copy of s[0, n) in the arena. */
static const char *arena_copy(struct flame_json_doc *d, const char *s, size_t n)
{
	char *o = arena_alloc(d, n + 1);
	memcpy(o, s, n);
	o[n] = '\0';
	return o;
}

static void arena_release(struct flame_json_doc *d)
{
	while (d->arena) {
		struct flame_json_block *b = d->arena;
		d->arena = b->next;
		free(b);
	}
}

/* Keep the biggest block for the next document: no allocation per
 * event. */
static void doc_reset(struct flame_json_doc *d)
{
	d->n = 0;
	struct flame_json_block *keep = d->arena;
	for (struct flame_json_block *b = d->arena; b; b = b->next)
		if (b->size > keep->size)
			keep = b;
	while (d->arena) {
		struct flame_json_block *b = d->arena;
		d->arena = b->next;
		if (b != keep)
			free(b);
	}
	if (keep) {
		keep->used = 0;
		keep->next = NULL;
		d->arena = keep;
	}
}

static inline uint32_t doc_add(struct flame_json_doc *d, int type)
{
	if (d->n + 1 > d->cap)
		FLAME_GROW(d->v, d->cap, d->n + 1);
	struct flame_json_val *v = &d->v[d->n];
	v->type = (uint8_t)type;
	v->input = 0;
	v->len = 0;
	v->s = NULL;
	v->first = v->last = v->next = FLAME_JSON_NONE;
	v->key = NULL;
	v->key_len = 0;
	return (uint32_t)d->n++;
}

uint32_t flame_json_get(const struct flame_json_doc *d, uint32_t obj, const char *key)
{
	if (obj == FLAME_JSON_NONE || d->v[obj].type != FLAME_JSON_OBJECT)
		return FLAME_JSON_NONE;
	size_t kl = strlen(key);
	/* keys are short: compare the first byte before calling memcmp */
	for (uint32_t c = d->v[obj].first; c != FLAME_JSON_NONE; c = d->v[c].next) {
		const struct flame_json_val *v = &d->v[c];
		if (v->key_len == kl && (kl == 0 || (v->key[0] == key[0] && memcmp(v->key, key, kl) == 0)))
			return c;
	}
	return FLAME_JSON_NONE;
}

const char *flame_json_string(const struct flame_json_doc *d, uint32_t i, size_t *len)
{
	if (i == FLAME_JSON_NONE || d->v[i].type != FLAME_JSON_STRING)
		return NULL;
	if (len)
		*len = d->v[i].len;
	return d->v[i].s;
}

int flame_json_string_is(const struct flame_json_doc *d, uint32_t i, const char *lit)
{
	size_t n;
	const char *s = flame_json_string(d, i, &n);
	return s && n == strlen(lit) && memcmp(s, lit, n) == 0;
}

int flame_json_int(const struct flame_json_doc *d, uint32_t i, int64_t *out)
{
	if (i == FLAME_JSON_NONE || d->v[i].type != FLAME_JSON_NUMBER)
		return 0;
	const char *s = d->v[i].s;
	size_t n = d->v[i].len;
	if (n && n <= 18) {
		/* the usual small index: digits only */
		uint64_t a = 0;
		size_t k = 0;
		while (k < n && (unsigned)(s[k] - '0') < 10)
			a = a * 10 + (uint64_t)(s[k++] - '0');
		if (k == n) {
			*out = (int64_t)a;
			return 1;
		}
	}
	int neg = n && s[0] == '-';
	uint64_t ip, fp;
	int dg;
	if (!flame_json_decimal(s + neg, n - (size_t)neg, 0, &ip, &fp, &dg) || fp ||
	    ip > (uint64_t)INT64_MAX)
		return 0;
	*out = neg ? -(int64_t)ip : (int64_t)ip;
	return 1;
}

/* The common case of flame_json_decimal: plain digits with an optional
 * fraction, small enough that no step can overflow.  0: take the general
 * path. */
static int decimal_plain(const char *s, size_t n, int shift, uint64_t *ip, uint64_t *fp, int *digits)
{
	if (shift < 0 || shift > 9)
		return 0;
	size_t i = 0;
	uint64_t a = 0;
	while (i < n && (unsigned)(s[i] - '0') < 10)
		a = a * 10 + (uint64_t)(s[i++] - '0');
	if (i == 0 || i + (size_t)shift > 18)
		return 0;
	size_t fs = i, fe = i;
	if (i < n && s[i] == '.') {
		fs = ++i;
		while (i < n && (unsigned)(s[i] - '0') < 10)
			i++;
		fe = i;
	}
	if (i != n || fe - fs > 18)
		return 0;
	size_t k = fs;
	for (int x = 0; x < shift; x++)
		a = a * 10 + (k < fe ? (uint64_t)(s[k++] - '0') : 0);
	uint64_t f = 0;
	int fd = 0;
	for (; k < fe && fd < 9; k++, fd++)
		f = f * 10 + (uint64_t)(s[k] - '0');
	while (fd > 0 && f % 10 == 0) {
		f /= 10;
		fd--;
	}
	*ip = a;
	*fp = f;
	*digits = fd;
	return 1;
}

int flame_json_decimal(const char *s, size_t n, int shift, uint64_t *ip, uint64_t *fp, int *digits)
{
	if (decimal_plain(s, n, shift, ip, fp, digits))
		return 1;
	char dig[48];
	int nd = 0;
	long e = 0, x = 0;
	size_t i = 0;
	int any = 0, xneg = 0;
	if (i < n && s[i] == '-') {
		/* only a zero may be negative */
		i++;
	}
	int neg = i > 0;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		any = 1;
		if (nd == 0 && s[i] == '0')
			continue;
		if (nd < (int)sizeof(dig))
			dig[nd++] = s[i];
		else
			e++;
	}
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			any = 1;
			if (nd == 0 && s[i] == '0') {
				e--;
				continue;
			}
			if (nd < (int)sizeof(dig)) {
				dig[nd++] = s[i];
				e--;
			}
		}
	}
	if (!any)
		return 0;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			xneg = s[i++] == '-';
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (x < 100000)
				x = x * 10 + (s[i] - '0');
	}
	if (i != n)
		return 0;
	e += (xneg ? -x : x) + shift;
	if (nd == 0) {
		*ip = *fp = 0;
		*digits = 0;
		return 1;
	}
	if (neg)
		return 0;
	long nint = nd + e; /* digits before the decimal point */
	if (nint > 20)
		return 0;
	uint64_t a = 0, f = 0;
	int fd = 0;
	for (long k = 0; k < nint; k++) {
		int c = k < nd ? dig[k] - '0' : 0;
		if (__builtin_mul_overflow(a, 10, &a) || __builtin_add_overflow(a, (uint64_t)c, &a))
			return 0;
	}
	for (long k = nint; k < nd && fd < 9; k++) {
		int c = k >= 0 ? dig[k] - '0' : 0;
		f = f * 10 + (uint64_t)c;
		fd++;
	}
	/* trim trailing zeros of the fraction */
	while (fd > 0 && f % 10 == 0) {
		f /= 10;
		fd--;
	}
	*ip = a;
	*fp = f;
	*digits = fd;
	return 1;
}

const char *flame_json_type_name(int type)
{
	static const char *const names[] = { "null", "false", "true", "number", "string", "array",
					     "object" };
	return type >= 0 && type <= FLAME_JSON_OBJECT ? names[type] : "?";
}

/* ---- the streaming reader ---- */

struct frame {
	uint8_t is_obj, captured;
	uint64_t index;   /* element index (arrays) / member count (objects) */
	uint32_t dom;     /* captured: the container's value */
	size_t key_base;  /* walked: where this level's current key starts in keys */
	size_t key_len;
	const char *pkey; /* captured objects: the pending member's key */
	uint32_t pkey_len;
	uint8_t pkey_input; /* pkey is a view into the input */
};

enum state {
	S_VALUE,         /* a value must follow */
	S_FIRST_OR_END,  /* after '[': a value or ']' */
	S_KEY_OR_END,    /* after '{': a key or '}' */
	S_KEY,           /* after ',' in an object */
	S_COLON,
	S_COMMA_OR_END,
	S_DONE,
};

struct flame_json_parser {
	struct flame_json_handler h;
	void *ctx;
	int flags;
	struct frame *st;
	size_t depth, st_cap;
	int state;
	size_t cap_depth;         /* depth of the capture root, 0 = not capturing */
	uint64_t cap_off;         /* where the captured value starts */
	struct flame_buf keys;
	struct flame_json_doc doc;
	size_t pinned;            /* doc values before this own their texts */
	struct flame_buf esc;     /* a string being unescaped */
	char *hold;
	size_t hlen, hcap;
	uint64_t base;            /* absolute offset of the buffer being parsed */
	uint64_t tok;             /* absolute offset of the current token */
	int started;
	int failed;
	char err[768];
};

struct flame_json_parser *flame_json_new(const struct flame_json_handler *h, void *ctx, int flags)
{
	struct flame_json_parser *p = flame_xcalloc(1, sizeof(*p));
	p->h = *h;
	p->ctx = ctx;
	p->flags = flags;
	p->state = S_VALUE;
	return p;
}

void flame_json_free(struct flame_json_parser *p)
{
	if (!p)
		return;
	free(p->st);
	flame_buf_release(&p->keys);
	free(p->doc.v);
	arena_release(&p->doc);
	flame_buf_release(&p->esc);
	free(p->hold);
	free(p);
}

const char *flame_json_error(const struct flame_json_parser *p)
{
	return p->err;
}

uint64_t flame_json_offset(const struct flame_json_parser *p)
{
	return p->tok;
}

static void path_text(const struct flame_json_parser *p, struct flame_buf *b)
{
	flame_buf_addc(b, '$');
	for (size_t d = 0; d < p->depth; d++) {
		const struct frame *f = &p->st[d];
		if (f->captured) {
			flame_buf_adds(b, "...");
			break;
		}
		if (f->is_obj) {
			if (f->index == 0 && f->key_len == 0 && p->keys.len <= f->key_base)
				break;
			flame_buf_addc(b, '.');
			flame_buf_add(b, p->keys.data + f->key_base, f->key_len);
		} else {
			flame_buf_addf(b, "[%llu]", (unsigned long long)f->index);
		}
	}
}

static int vfail(struct flame_json_parser *p, const char *fmt, va_list ap)
{
	char m[512];
	vsnprintf(m, sizeof(m), fmt, ap);
	struct flame_buf path = FLAME_BUF_INIT;
	path_text(p, &path);
	snprintf(p->err, sizeof(p->err), "%s at byte %llu (%s)", m, (unsigned long long)p->tok,
		 path.data);
	flame_buf_release(&path);
	p->failed = 1;
	return -1;
}

int flame_json_fail(struct flame_json_parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(p, fmt, ap);
	va_end(ap);
	return -1;
}

static int syntax(struct flame_json_parser *p, const char *s, size_t n, size_t i, const char *what)
{
	char got[32];
	if (i >= n)
		snprintf(got, sizeof(got), "end of input");
	else if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
		snprintf(got, sizeof(got), "'%c'", s[i]);
	else
		snprintf(got, sizeof(got), "byte 0x%02x", (unsigned char)s[i]);
	p->tok = p->base + i;
	return flame_json_fail(p, "expected %s, got %s", what, got);
}

/* 1: string ok (decoded at doc text [*off, *off + *len)); 0: need more; -1: error */
/* bytes that stand for themselves inside a string: not '"', '\\' or control */
static const unsigned char plain[256] = {
#define R16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
	R16(0), R16(0),
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
	R16(1), R16(1),
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: '\\' */
	R16(1), R16(1),
	R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1),
#undef R16
};

/* Word-at-a-time scanning (little-endian loads): the lowest flagged byte
 * of each mask is exact, since borrows only run upwards. */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline uint64_t load8(const char *s)
{
	uint64_t x;
	memcpy(&x, s, 8);
	return x;
}

/* First byte at or after i that is '"', '\\' or a control byte, or n. */
static inline size_t string_span(const char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
	/* 16 bytes a step: the usual name ends in the first */
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
	const __m128i ctl = _mm_set1_epi8(0x1f);
	while (i + 16 <= n) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
					 _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));
		unsigned bits = (unsigned)_mm_movemask_epi8(m);
		if (bits)
			return i + (size_t)__builtin_ctz(bits);
		i += 16;
	}
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (i + 8 <= n) {
		uint64_t x = load8(s + i);
		uint64_t q = x ^ (ONES * '"'), e = x ^ (ONES * '\\');
		uint64_t m = ((q - ONES) & ~q) | ((e - ONES) & ~e) | ((x - ONES * 0x20) & ~x);
		m &= HIGHS;
		if (m)
			return i + ((size_t)__builtin_ctzll(m) >> 3);
		i += 8;
	}
#endif
	while (i < n && plain[(unsigned char)s[i]])
		i++;
	return i;
}

/* First byte at or after i that is not a digit, or n. */
static inline size_t digit_span(const char *s, size_t i, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (i + 8 <= n) {
		uint64_t x = load8(s + i);
		/* zero where the high nibble is 3 and the low one at most 9 */
		uint64_t nd = ((x & 0xF0F0F0F0F0F0F0F0ULL) ^ (ONES * 0x30)) |
			      (((x + ONES * 6) & 0xF0F0F0F0F0F0F0F0ULL) ^ (ONES * 0x30));
		uint64_t m = (((nd & ~HIGHS) + ~HIGHS) | nd) & HIGHS;
		if (m)
			return i + ((size_t)__builtin_ctzll(m) >> 3);
		i += 8;
	}
#endif
	while (i < n && (unsigned)(s[i] - '0') < 10)
		i++;
	return i;
}

static void put_utf8(struct flame_buf *b, uint32_t cp)
{
	char o[4];
	size_t k;
	if (cp < 0x80) {
		o[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		o[0] = (char)(0xf0 | (cp >> 18));
		o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	flame_buf_add(b, o, k);
}

static int read_u4(const char *s, size_t n, size_t i, uint32_t *out)
{
	if (i + 4 > n)
		return 0;
	uint32_t v = 0;
	for (int k = 0; k < 4; k++) {
		int h = flame_hexval((unsigned char)s[i + k]);
		if (h < 0)
			return -1;
		v = v << 4 | (uint32_t)h;
	}
	*out = v;
	return 1;
}

/* The string whose opening quote is at *pos.  1: done, *out and *len give a
 * view into s (*in_input set) or into the arena (unescaped); 0: the
 * string goes on past n; -1: error. */
struct lex_err {
	size_t at;
	const char *what;
};

static int lex_string_body(struct flame_json_parser *p, const char *s, size_t n, size_t *pos,
			   const char **out, size_t *len, int *in_input, struct lex_err *err)
{
	size_t st = *pos + 1, i = st;
	/* the input is read once, front to back: ask for the lines ahead
	 * (a prefetch never faults, even past the end) */
	__builtin_prefetch((const void *)((uintptr_t)s + i + 512));
	i = string_span(s, i, n);
	if (i < n && s[i] == '"') {
		*out = s + st;
		*len = i - st;
		*in_input = 1;
		*pos = i + 1;
		return 1;
	}
	struct flame_buf *b = &p->esc;
	flame_buf_reset(b);
	flame_buf_add(b, s + st, i - st);
	for (;;) {
		if (i >= n)
			goto more;
		char c = s[i];
		if (c == '"') {
			*out = arena_copy(&p->doc, b->data ? b->data : "", b->len);
			*len = b->len;
			*in_input = 0;
			*pos = i + 1;
			return 1;
		}
		if (c != '\\') {
			*err = (struct lex_err){ i, "a string character (control bytes must be escaped)" };
			return -1;
		}
		if (i + 1 >= n)
			goto more;
		char e = s[i + 1];
		char r;
		switch (e) {
		case '"': r = '"'; break;
		case '\\': r = '\\'; break;
		case '/': r = '/'; break;
		case 'b': r = '\b'; break;
		case 'f': r = '\f'; break;
		case 'n': r = '\n'; break;
		case 'r': r = '\r'; break;
		case 't': r = '\t'; break;
		case 'u': {
			uint32_t cp, lo;
			int k = read_u4(s, n, i + 2, &cp);
			if (k == 0)
				goto more;
			if (k < 0) {
				*err = (struct lex_err){ i, "four hex digits after \\u" };
				return -1;
			}
			size_t adv = 6;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (i + 8 > n)
					goto more;
				if (s[i + 6] == '\\' && s[i + 7] == 'u') {
					k = read_u4(s, n, i + 8, &lo);
					if (k == 0)
						goto more;
					if (k > 0 && lo >= 0xdc00 && lo < 0xe000) {
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
						adv = 12;
					} else {
						cp = 0xfffd;
					}
				} else {
					cp = 0xfffd;
				}
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				cp = 0xfffd;
			}
			put_utf8(b, cp);
			i += adv;
			goto plain_run;
		}
		default:
			*err = (struct lex_err){ i + 1, "an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)" };
			return -1;
		}
		flame_buf_addc(b, r);
		i += 2;
	plain_run:;
		size_t j = string_span(s, i, n);
		if (j > i)
			flame_buf_add(b, s + i, j - i);
		i = j;
	}
more:
	return 0;
}

static int lex_string(struct flame_json_parser *p, const char *s, size_t n, size_t *pos, int eof,
		      const char **out, size_t *len, int *in_input)
{
	struct lex_err e;
	int rc = lex_string_body(p, s, n, pos, out, len, in_input, &e);
	if (rc < 0)
		return syntax(p, s, n, e.at, e.what);
	if (rc == 0 && eof)
		return syntax(p, s, n, n, "'\"' closing the string");
	return rc;
}

/* The number starting at *pos: 1 with a view into s, 0: it may go on
 * past n, -1: error. */
static int lex_number(struct flame_json_parser *p, const char *s, size_t n, size_t *pos, int eof,
		      const char **out, size_t *len)
{
	size_t i = *pos, st = i;
	if (i < n && s[i] == '-')
		i++;
	if (i >= n)
		goto more;
	if (s[i] == '0') {
		i++;
	} else if (s[i] >= '1' && s[i] <= '9') {
		i = digit_span(s, i + 1, n);
	} else {
		return syntax(p, s, n, i, "a digit");
	}
	if (i < n && s[i] == '.') {
		i++;
		size_t f = i;
		i = digit_span(s, i, n);
		if (i == f) {
			if (i >= n)
				goto more;
			return syntax(p, s, n, i, "a digit after '.'");
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t f = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f) {
			if (i >= n)
				goto more;
			return syntax(p, s, n, i, "a digit in the exponent");
		}
	}
	if (i >= n && !eof)
		return 0; /* the number may go on in the next chunk */
	*out = s + st;
	*len = i - st;
	*pos = i;
	return 1;
more:
	if (eof)
		return syntax(p, s, n, i, "a number");
	return 0;
}

/* key and index of the value about to be reported at depth p->depth + 1 */
static void value_place(struct flame_json_parser *p, const char **key, size_t *klen, uint64_t *index)
{
	*key = NULL;
	*klen = 0;
	*index = 0;
	if (p->depth == 0)
		return;
	struct frame *f = &p->st[p->depth - 1];
	if (f->is_obj) {
		*key = p->keys.data + f->key_base;
		*klen = f->key_len;
	} else {
		*index = f->index;
	}
}

/* link value i into the captured parent, if any */
static void dom_link(struct flame_json_parser *p, uint32_t i)
{
	struct frame *f = &p->st[p->depth - 1];
	struct flame_json_val *par = &p->doc.v[f->dom];
	if (par->first == FLAME_JSON_NONE)
		par->first = i;
	else
		p->doc.v[par->last].next = i;
	par->last = i;
	par->len++;
	if (f->is_obj) {
		p->doc.v[i].key = f->pkey;
		p->doc.v[i].key_len = f->pkey_len;
		p->doc.v[i].input |= (uint8_t)(f->pkey_input << 1);
	}
}

static int in_capture(const struct flame_json_parser *p)
{
	return p->depth > 0 && p->st[p->depth - 1].captured;
}

static int value_done(struct flame_json_parser *p)
{
	if (p->depth == 0) {
		p->state = S_DONE;
		return 0;
	}
	p->st[p->depth - 1].index++;
	p->state = S_COMMA_OR_END;
	return 0;
}

static int push(struct flame_json_parser *p, int is_obj, int captured, uint32_t dom)
{
	if (p->depth >= MAX_DEPTH)
		return flame_json_fail(p, "nesting deeper than %d levels", MAX_DEPTH);
	if (p->depth + 1 > p->st_cap)
		FLAME_GROW(p->st, p->st_cap, p->depth + 1);
	struct frame *f = &p->st[p->depth++];
	memset(f, 0, sizeof(*f));
	f->is_obj = (uint8_t)is_obj;
	f->captured = (uint8_t)captured;
	f->dom = dom;
	f->key_base = p->keys.len;
	return 0;
}

static int report(struct flame_json_parser *p, uint32_t root)
{
	const char *key;
	size_t klen;
	uint64_t index;
	value_place(p, &key, &klen, &index);
	if (p->h.on_value &&
	    p->h.on_value(p->ctx, (int)p->depth + 1, key, klen, index, &p->doc, root) < 0) {
		if (!p->failed)
			flame_json_fail(p, "stopped");
		return -1;
	}
	return 0;
}

static inline size_t skip_ws(const char *s, size_t i, size_t n)
{
	while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
		i++;
	return i;
}

/* End of the well-formed number at i, or 0 if it is malformed or may go
 * on past n. */
static size_t number_end(const char *s, size_t i, size_t n)
{
	if (s[i] == '-' && ++i >= n)
		return 0;
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		i = digit_span(s, i + 1, n);
	else
		return 0;
	if (i < n && s[i] == '.') {
		size_t f = ++i;
		i = digit_span(s, i, n);
		if (i == f)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t f = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == f)
			return 0;
	}
	return i < n ? i : 0;
}

#define FAST_DEPTH 64

/* Capture the container opening at s[i] into the document (its root,
 * value 0, is there already) when it lies whole in s and is well formed
 * and shallow: returns the offset past it.  Anything else returns 0 with
 * nothing reported, and the state machine parses the value again: it
 * handles chunk boundaries and gives the error messages. */
static size_t fast_capture(struct flame_json_parser *p, const char *s, size_t n, size_t i)
{
	struct flame_json_doc *d = &p->doc;
	uint32_t stk[FAST_DEPTH];
	uint8_t obj[FAST_DEPTH];
	int top = 0;
	stk[0] = 0;
	obj[0] = s[i] == '{';
	if (p->depth + FAST_DEPTH >= MAX_DEPTH)
		return 0;
	i = skip_ws(s, i + 1, n);
	if (i >= n)
		return 0;
	if (s[i] == (obj[0] ? '}' : ']'))
		return i + 1;
	for (;;) {
		const char *key = NULL;
		uint32_t klen = 0;
		if (obj[top]) {
			if (s[i] != '"')
				return 0;
			size_t ks = i + 1, ke = string_span(s, ks, n);
			if (ke >= n || s[ke] != '"')
				return 0;
			key = s + ks;
			klen = (uint32_t)(ke - ks);
			i = ke + 1;
			if (i < n && s[i] == ':') {
				i++;
			} else {
				i = skip_ws(s, i, n);
				if (i >= n || s[i] != ':')
					return 0;
				i++;
			}
			i = skip_ws(s, i, n);
			if (i >= n)
				return 0;
		}
		char c = s[i];
		uint32_t v;
		int opened = 0;
		if (c == '"') {
			const char *t = s + i + 1;
			size_t tl, at = string_span(s, i + 1, n);
			if (at < n && s[at] == '"') {
				tl = at - i - 1;
				at++;
			} else {
				int in;
				struct lex_err e;
				at = i;
				if (lex_string_body(p, s, n, &at, &t, &tl, &in, &e) <= 0)
					return 0;
			}
			v = doc_add(d, FLAME_JSON_STRING);
			d->v[v].s = t;
			d->v[v].len = (uint32_t)tl;
			i = at;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t e = number_end(s, i, n);
			if (!e)
				return 0;
			v = doc_add(d, FLAME_JSON_NUMBER);
			d->v[v].s = s + i;
			d->v[v].len = (uint32_t)(e - i);
			i = e;
		} else if (c == 't' || c == 'f' || c == 'n') {
			const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
			size_t wl = c == 'f' ? 5 : 4;
			if (n - i <= wl || memcmp(s + i, w, wl) != 0)
				return 0;
			v = doc_add(d, c == 't' ? FLAME_JSON_TRUE : c == 'f' ? FLAME_JSON_FALSE : FLAME_JSON_NULL);
			i += wl;
		} else if (c == '{' || c == '[') {
			v = doc_add(d, c == '{' ? FLAME_JSON_OBJECT : FLAME_JSON_ARRAY);
			opened = 1;
			i++;
		} else {
			return 0;
		}
		struct flame_json_val *par = &d->v[stk[top]];
		if (par->first == FLAME_JSON_NONE)
			par->first = v;
		else
			d->v[par->last].next = v;
		par->last = v;
		par->len++;
		d->v[v].key = key;
		d->v[v].key_len = klen;
		if (opened) {
			i = skip_ws(s, i, n);
			if (i >= n)
				return 0;
			if (s[i] != (c == '{' ? '}' : ']')) {
				if (++top >= FAST_DEPTH)
					return 0;
				stk[top] = v;
				obj[top] = c == '{';
				continue;
			}
			i++;
		}
		/* after a value: ',' and the next member, or the end of one or
		 * more containers */
		for (;;) {
			i = skip_ws(s, i, n);
			if (i >= n)
				return 0;
			if (s[i] == ',') {
				i = skip_ws(s, i + 1, n);
				if (i >= n)
					return 0;
				break;
			}
			if (s[i] != (obj[top] ? '}' : ']'))
				return 0;
			i++;
			if (top-- == 0)
				return i;
		}
	}
}

/* -1: error; 0: the container was pushed (walked, or captured by the
 * state machine); 1: captured and reported whole, *pos is past it. */
static int open_container(struct flame_json_parser *p, int is_obj, const char *s, size_t n, size_t *pos)
{
	if (in_capture(p)) {
		uint32_t i = doc_add(&p->doc, is_obj ? FLAME_JSON_OBJECT : FLAME_JSON_ARRAY);
		dom_link(p, i);
		return push(p, is_obj, 1, i);
	}
	const char *key;
	size_t klen;
	uint64_t index;
	value_place(p, &key, &klen, &index);
	int rc = p->h.on_open ? p->h.on_open(p->ctx, (int)p->depth + 1, is_obj, key, klen, index) : 1;
	if (rc < 0) {
		if (!p->failed)
			flame_json_fail(p, "stopped");
		return -1;
	}
	if (rc > 0) {
		doc_reset(&p->doc);
		uint32_t root = doc_add(&p->doc, is_obj ? FLAME_JSON_OBJECT : FLAME_JSON_ARRAY);
		size_t end = fast_capture(p, s, n, *pos);
		if (end) {
			if (report(p, root) < 0 || value_done(p) < 0)
				return -1;
			*pos = end;
			return 1;
		}
		doc_reset(&p->doc);
		root = doc_add(&p->doc, is_obj ? FLAME_JSON_OBJECT : FLAME_JSON_ARRAY);
		if (push(p, is_obj, 1, root) < 0)
			return -1;
		p->cap_depth = p->depth;
		p->cap_off = p->tok;
		p->pinned = 0;
		return 0;
	}
	return push(p, is_obj, 0, 0);
}

/* A captured value goes on in the next chunk: copy what its views see of
 * this one. */
static void pin(struct flame_json_parser *p)
{
	struct flame_json_doc *d = &p->doc;
	for (size_t k = p->pinned; k < d->n; k++) {
		struct flame_json_val *v = &d->v[k];
		if (v->input & 1)
			v->s = arena_copy(d, v->s, v->len);
		if (v->input & 2)
			v->key = arena_copy(d, v->key, v->key_len);
		v->input = 0;
	}
	p->pinned = d->n;
	for (size_t k = p->cap_depth ? p->cap_depth - 1 : p->depth; k < p->depth; k++) {
		struct frame *f = &p->st[k];
		if (f->pkey_input) {
			f->pkey = arena_copy(d, f->pkey, f->pkey_len);
			f->pkey_input = 0;
		}
	}
}

static int close_container(struct flame_json_parser *p)
{
	struct frame f = p->st[--p->depth];
	if (f.captured) {
		if (p->cap_depth == p->depth + 1) {
			p->cap_depth = 0;
			p->tok = p->cap_off; /* errors point at the value's start */
			if (report(p, f.dom) < 0)
				return -1;
		}
	} else {
		p->keys.len = f.key_base;
		if (p->h.on_close && p->h.on_close(p->ctx, (int)p->depth + 1, f.is_obj) < 0) {
			if (!p->failed)
				flame_json_fail(p, "stopped");
			return -1;
		}
	}
	return value_done(p);
}

static int scalar(struct flame_json_parser *p, int type, const char *text, size_t len, int in_input)
{
	uint32_t i = doc_add(&p->doc, type);
	p->doc.v[i].s = text;
	p->doc.v[i].len = (uint32_t)len;
	p->doc.v[i].input = (uint8_t)in_input;
	if (in_capture(p)) {
		dom_link(p, i);
		return value_done(p);
	}
	if (report(p, i) < 0)
		return -1;
	return value_done(p);
}

/* Parse s[0,n); returns bytes consumed (the rest is an incomplete token), -1 on error. */
static long run_chunk(struct flame_json_parser *p, const char *s, size_t n, int eof)
{
	size_t i = 0;
	if (!p->started) {
		if (n < 3 && !eof)
			return 0;
		p->started = 1;
		if (n >= 3 && (unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
		    (unsigned char)s[2] == 0xbf)
			i = 3;
	}
	for (;;) {
		while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
			i++;
		if (i >= n)
			break;
		p->tok = p->base + i;
		char c = s[i];
		switch (p->state) {
		case S_DONE:
			return syntax(p, s, n, i, "end of input after the top-level value");
		case S_COLON:
			if (c != ':')
				return syntax(p, s, n, i, "':'");
			i++;
			p->state = S_VALUE;
			continue;
		case S_COMMA_OR_END: {
			struct frame *f = &p->st[p->depth - 1];
			if (c == ',') {
				i++;
				p->state = f->is_obj ? S_KEY : S_VALUE;
				continue;
			}
			if (c == (f->is_obj ? '}' : ']')) {
				i++;
				if (close_container(p) < 0)
					return -1;
				continue;
			}
			return syntax(p, s, n, i, f->is_obj ? "',' or '}'" : "',' or ']'");
		}
		case S_KEY_OR_END:
		case S_KEY: {
			if (c == '}' && p->state == S_KEY_OR_END) {
				i++;
				if (close_container(p) < 0)
					return -1;
				continue;
			}
			if (c != '"')
				return syntax(p, s, n, i, p->state == S_KEY ? "a key string" : "a key string or '}'");
			struct frame *f = &p->st[p->depth - 1];
			const char *kt;
			size_t len;
			int kin;
			if (!f->captured)
				doc_reset(&p->doc);
			int rc = lex_string(p, s, n, &i, eof, &kt, &len, &kin);
			if (rc < 0)
				return -1;
			if (rc == 0)
				goto need_more;
			if (f->captured) {
				f->pkey = kt;
				f->pkey_len = (uint32_t)len;
				f->pkey_input = (uint8_t)kin;
			} else {
				p->keys.len = f->key_base;
				flame_buf_add(&p->keys, kt, len);
				f->key_len = len;
			}
			/* the usual "key": with no space: skip a round of the loop */
			if (i < n && s[i] == ':') {
				i++;
				p->state = S_VALUE;
			} else {
				p->state = S_COLON;
			}
			continue;
		}
		case S_FIRST_OR_END:
			if (c == ']') {
				i++;
				if (close_container(p) < 0)
					return -1;
				continue;
			}
			/* fall through */
		case S_VALUE: {
			if (c == '{' || c == '[') {
				int r = open_container(p, c == '{', s, n, &i);
				if (r < 0)
					return -1;
				if (r == 0) {
					i++;
					p->state = c == '{' ? S_KEY_OR_END : S_FIRST_OR_END;
					continue;
				}
				/* captured whole: take the ',' after it too */
				if (p->state == S_COMMA_OR_END && i < n && s[i] == ',') {
					p->tok = p->base + i;
					i++;
					p->state = p->st[p->depth - 1].is_obj ? S_KEY : S_VALUE;
				}
				continue;
			}
			if (!in_capture(p))
				doc_reset(&p->doc);
			const char *vt = NULL;
			size_t len = 0;
			int type, rc, vin = 1;
			if (c == '"') {
				type = FLAME_JSON_STRING;
				rc = lex_string(p, s, n, &i, eof, &vt, &len, &vin);
			} else if (c == '-' || (c >= '0' && c <= '9')) {
				type = FLAME_JSON_NUMBER;
				rc = lex_number(p, s, n, &i, eof, &vt, &len);
			} else if (c == 't' || c == 'f' || c == 'n') {
				const char *w = c == 't' ? "true" : c == 'f' ? "false" : "null";
				size_t wl = strlen(w);
				type = c == 't' ? FLAME_JSON_TRUE : c == 'f' ? FLAME_JSON_FALSE : FLAME_JSON_NULL;
				if (n - i < wl) {
					if (!eof && memcmp(s + i, w, n - i) == 0)
						goto need_more;
					return syntax(p, s, n, i, "a value");
				}
				if (memcmp(s + i, w, wl) != 0)
					return syntax(p, s, n, i, "a value");
				i += wl;
				rc = 1;
				vin = 0;
			} else {
				return syntax(p, s, n, i, "a value");
			}
			if (rc < 0)
				return -1;
			if (rc == 0)
				goto need_more;
			if (scalar(p, type, vt, len, vin) < 0)
				return -1;
			/* likewise the ',' right after a member */
			if (p->state == S_COMMA_OR_END && i < n && s[i] == ',') {
				p->tok = p->base + i;
				i++;
				p->state = p->st[p->depth - 1].is_obj ? S_KEY : S_VALUE;
			}
			continue;
		}
		}
	}
	return (long)i;
need_more:
	return (long)(p->tok - p->base);
}

static long run(struct flame_json_parser *p, const char *s, size_t n, int eof)
{
	long used = run_chunk(p, s, n, eof);
	if (used >= 0 && p->cap_depth)
		pin(p);
	return used;
}

static int finish(struct flame_json_parser *p)
{
	if (p->state == S_DONE)
		return 0;
	/* a trace cut short: "[ev, ev," or "[ev, ev" */
	if ((p->flags & FLAME_JSON_LENIENT_ARRAY_END) && p->depth == 1 && !p->st[0].is_obj &&
	    !p->st[0].captured &&
	    (p->state == S_COMMA_OR_END || p->state == S_VALUE || p->state == S_FIRST_OR_END)) {
		if (close_container(p) < 0)
			return -1;
		return 0;
	}
	p->tok = p->base;
	if (p->depth == 0 && p->state == S_VALUE)
		return flame_json_fail(p, "expected a JSON value, got end of input");
	return flame_json_fail(p, "unexpected end of input inside %s",
			       p->depth && p->st[p->depth - 1].is_obj ? "an object" : "an array");
}

static void hold_append(struct flame_json_parser *p, const char *b, size_t n)
{
	if (p->hlen + n > p->hcap) {
		p->hcap = p->hlen + n < 2 * p->hcap ? 2 * p->hcap : p->hlen + n;
		p->hold = flame_xrealloc(p->hold, p->hcap);
	}
	memcpy(p->hold + p->hlen, b, n);
	p->hlen += n;
}

int flame_json_feed(struct flame_json_parser *p, const char *buf, size_t len, int eof)
{
	if (p->failed)
		return -1;
	size_t off = 0;
	/* A token cut by the previous chunk: complete it in the hold buffer
	 * with as little of this chunk as needed, then parse the rest of the
	 * chunk in place (no copy). */
	while (p->hlen) {
		size_t old = p->hlen;
		size_t take = len - off;
		size_t want = old < 65536 ? 65536 : old;
		if (take > want)
			take = want;
		hold_append(p, buf + off, take);
		int last = eof && off + take == len;
		long used = run(p, p->hold, p->hlen, last);
		if (used < 0)
			return -1;
		if ((size_t)used >= old) {
			off += (size_t)used - old;
			p->base += (uint64_t)used;
			p->hlen = 0;
			break;
		}
		off += take;
		memmove(p->hold, p->hold + used, p->hlen - (size_t)used);
		p->hlen -= (size_t)used;
		p->base += (uint64_t)used;
		if (p->hlen > MAX_TOKEN) {
			p->tok = p->base;
			return flame_json_fail(p, "token longer than %u MiB", MAX_TOKEN >> 20);
		}
		if (off == len) {
			if (!eof)
				return 0;
			if (p->hlen) {
				p->tok = p->base;
				return flame_json_fail(p, "unexpected end of input");
			}
			return finish(p);
		}
	}
	long used = run(p, buf + off, len - off, eof);
	if (used < 0)
		return -1;
	size_t rest = len - off - (size_t)used;
	if (rest > MAX_TOKEN) {
		p->tok = p->base + (uint64_t)used;
		return flame_json_fail(p, "token longer than %u MiB", MAX_TOKEN >> 20);
	}
	p->hlen = 0;
	if (rest)
		hold_append(p, buf + off + used, rest);
	p->base += (uint64_t)used;
	if (eof) {
		if (rest) {
			p->tok = p->base;
			return flame_json_fail(p, "unexpected end of input");
		}
		return finish(p);
	}
	return 0;
}

/* ---- writing ---- */

static size_t utf8_valid(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t k;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		k = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) || (k == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return k;
}

void flame_json_add_str(struct flame_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	flame_buf_reserve(b, n + 2);
	flame_buf_addc(b, '"');
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && u[j] >= 0x20 && u[j] < 0x80 && u[j] != '"' && u[j] != '\\')
			j++;
		if (j > i)
			flame_buf_add(b, s + i, j - i);
		i = j;
		if (i >= n)
			break;
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			flame_buf_add(b, e, 2);
			i++;
		} else if (c < 0x20) {
			const char *e = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r"
				      : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
			if (e) {
				flame_buf_add(b, e, 2);
			} else {
				char x[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				flame_buf_add(b, x, 6);
			}
			i++;
		} else {
			size_t k = utf8_valid(u + i, n - i);
			if (k) {
				flame_buf_add(b, s + i, k);
				i += k;
			} else {
				flame_buf_add(b, "\\ufffd", 6);
				i++;
			}
		}
	}
	flame_buf_addc(b, '"');
}

void flame_json_add_fixed(struct flame_buf *b, uint64_t w, int digits)
{
	struct flame_profile;
	if (digits == 0) {
		flame_buf_add_u64(b, w);
		return;
	}
	uint64_t p = 1;
	for (int i = 0; i < digits; i++)
		p *= 10;
	uint64_t ip = w / p, fp = w % p;
	flame_buf_add_u64(b, ip);
	if (fp) {
		char t[24];
		int d = digits;
		while (fp % 10 == 0) {
			fp /= 10;
			d--;
		}
		snprintf(t, sizeof(t), ".%0*llu", d, (unsigned long long)fp);
		flame_buf_adds(b, t);
	}
}
