/*
 * folded.c - the folded stack format: one "frame;frame;...;leaf COUNT" per
 * line, as written by FlameGraph's stackcollapse scripts and read by
 * flamegraph.pl.  A differential profile has two counts: "STACK BEFORE AFTER".
 *
 * Counts may be fractional ("12.25"); they are kept as exact fixed point
 * (see core/profile.h), never as floating point.  Output is sorted by
 * stack, byte-wise, like the reference tools.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/util.h"
#include "folded.h"
#include "format.h"
#include "textutil.h"

struct folded_parser {
	struct flame_parse_ctx *ctx;
	uint32_t *ids;
	size_t ids_cap;
};

/* Parse a decimal count "123" or "12.5": *digits receives the number of
 * fractional digits (at most FLAME_MAX_SCALE_DIGITS; more are cut). */
static int parse_count(const char *s, size_t n, uint64_t *ip, uint64_t *fp, int *digits)
{
	size_t i = 0;
	uint64_t a = 0, f = 0;
	int d = 0;
	if (n == 0)
		return 0;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (__builtin_mul_overflow(a, 10, &a) || __builtin_add_overflow(a, (uint64_t)(s[i] - '0'), &a))
			return 0;
		i++;
	}
	if (i == 0)
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9') {
			if (d < FLAME_MAX_SCALE_DIGITS) {
				f = f * 10 + (uint64_t)(s[i] - '0');
				d++;
			}
			i++;
		}
	}
	if (i != n)
		return 0;
	*ip = a;
	*fp = f;
	*digits = d;
	return 1;
}

static const uint64_t p10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
				100000000, 1000000000 };

static int to_fixed(struct flame_profile *prof, uint64_t ip, uint64_t fp, int d, uint64_t *out)
{
	if (d > prof->scale_digits)
		flame_profile_rescale(prof, d);
	uint64_t v;
	if (__builtin_mul_overflow(ip, p10[prof->scale_digits], &v) ||
	    __builtin_add_overflow(v, fp * p10[prof->scale_digits - d], &v))
		return -1;
	*out = v;
	return 0;
}

/* Split "STACK COUNT": returns the stack length, or SIZE_MAX if no count. */
static size_t split_count(const char *s, size_t n, const char **cs, size_t *cn)
{
	size_t i = n;
	while (i > 0 && s[i - 1] != ' ' && s[i - 1] != '\t')
		i--;
	if (i == 0)
		return SIZE_MAX;
	*cs = s + i;
	*cn = n - i;
	size_t k = i;
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	return k;
}

static int folded_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct folded_parser *p = vp;
	struct flame_profile *prof = p->ctx->prof;
	const char *s = buf, *end = buf + len;
	uint64_t lineno = 0;
	(void)file_start;
	(void)file_end;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		const char *line = s;
		size_t n = (size_t)(le - s);
		s = nl ? nl + 1 : end;
		lineno++;
		if (n > FLAME_MAX_LINE) {
			p->ctx->lines = lineno;
			return flame_parse_fail(p->ctx, lineno, "line longer than %u MiB",
						FLAME_MAX_LINE >> 20);
		}
		trim_end(line, &n);
		if (n == 0)
			continue;
		const char *c1;
		size_t c1n;
		size_t sl = split_count(line, n, &c1, &c1n);
		uint64_t ip[2], fp[2], w[2] = { 0, 0 };
		int d[2] = { 0, 0 };
		if (sl == SIZE_MAX || sl == 0 || !parse_count(c1, c1n, &ip[1], &fp[1], &d[1])) {
			flame_diag_add(p->ctx->diag, FLAME_DIAG_BAD_FOLDED, p->ctx->chunk, lineno,
				       "expected 'frame;frame;... COUNT'", line, n);
			continue;
		}
		/* "STACK BEFORE AFTER": a differential profile */
		const char *c0;
		size_t c0n;
		size_t sl2 = split_count(line, sl, &c0, &c0n);
		int two = sl2 != SIZE_MAX && sl2 > 0 && parse_count(c0, c0n, &ip[0], &fp[0], &d[0]);
		if (two) {
			prof->ncols = 2;
			sl = sl2;
			if (to_fixed(prof, ip[0], fp[0], d[0], &w[0]) < 0)
				goto overflow;
		}
		if (to_fixed(prof, ip[1], fp[1], d[1], &w[two ? 1 : 0]) < 0)
			goto overflow;
		if (two && d[1] > d[0] && to_fixed(prof, ip[0], fp[0], d[0], &w[0]) < 0)
			goto overflow; /* the scale grew after the first count was converted */
		{
			size_t nids = 0;
			const char *f = line, *fe = line + sl;
			for (;;) {
				const char *semi = memchr(f, ';', (size_t)(fe - f));
				const char *e2 = semi ? semi : fe;
				FLAME_GROW(p->ids, p->ids_cap, nids + 1);
				p->ids[nids++] = flame_strtab_intern(&prof->names, f, (size_t)(e2 - f));
				if (!semi)
					break;
				f = semi + 1;
			}
			flame_profile_add(prof, p->ids, nids, w);
		}
		continue;
overflow:
		p->ctx->lines = lineno;
		return flame_parse_fail(p->ctx, lineno, "count does not fit in 64 bits");
	}
	p->ctx->lines = lineno;
	return 0;
}

static int newline_line(const char *s, size_t n)
{
	(void)s;
	(void)n;
	return 1;
}

static size_t folded_boundary(const char *buf, size_t len)
{
	return flame_last_line_where(buf, len, newline_line);
}

/* Every complete line among the first few is "STACK COUNT". */
static enum flame_probe folded_probe(const char *buf, size_t len, int eof)
{
	const char *s = buf, *end = buf + len;
	int good = 0;
	while (s < end && good < 8) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl && !eof)
			break;
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		const char *line = s;
		s = nl ? nl + 1 : end;
		trim_end(line, &n);
		if (n == 0)
			continue;
		const char *c;
		size_t cn;
		uint64_t ip, fp;
		int d;
		size_t sl = split_count(line, n, &c, &cn);
		if (sl == SIZE_MAX || sl == 0 || !parse_count(c, cn, &ip, &fp, &d) ||
		    flame_is_space((unsigned char)line[0]))
			return FLAME_PROBE_NO;
		good++;
	}
	if (good >= 8 || (eof && good > 0))
		return FLAME_PROBE_YES;
	return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
}

static void *folded_new(struct flame_parse_ctx *ctx)
{
	struct folded_parser *p = flame_xcalloc(1, sizeof(*p));
	p->ctx = ctx;
	return p;
}

static void folded_free(void *vp)
{
	struct folded_parser *p = vp;
	free(p->ids);
	free(p);
}

/* ---- writer ---- */

struct line_ref {
	size_t off, len; /* stack text in the path buffer */
	uint32_t node;
};

static const char *sort_base;

static int cmp_lines(const void *a, const void *b)
{
	const struct line_ref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(sort_base + x->off, sort_base + y->off, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int flame_folded_lines(const struct flame_profile *p, struct flame_folded_lines *fl)
{
	struct flame_buf text = FLAME_BUF_INIT;
	struct line_ref *refs = NULL;
	size_t nrefs = 0, refs_cap = 0;
	uint32_t *chain = NULL;
	size_t chain_cap = 0;
	for (size_t n = 1; n < p->nnodes; n++) {
		const struct flame_node *nd = &p->nodes[n];
		if (!nd->self[0] && !nd->self[1])
			continue;
		size_t depth = 0;
		for (uint32_t a = (uint32_t)n; a != 0; a = p->nodes[a].parent) {
			FLAME_GROW(chain, chain_cap, depth + 1);
			chain[depth++] = a;
		}
		size_t off = text.len;
		for (size_t i = depth; i-- > 0;) {
			size_t len;
			const char *name = flame_strtab_name(&p->names, p->nodes[chain[i]].name, &len);
			flame_buf_add(&text, name, len);
			if (i)
				flame_buf_addc(&text, ';');
		}
		FLAME_GROW(refs, refs_cap, nrefs + 1);
		refs[nrefs++] = (struct line_ref){ off, text.len - off, (uint32_t)n };
	}
	free(chain);
	sort_base = text.data;
	if (nrefs)
		qsort(refs, nrefs, sizeof(*refs), cmp_lines);
	fl->text = text;
	fl->refs = refs;
	fl->n = nrefs;
	return 0;
}

void flame_folded_lines_release(struct flame_folded_lines *fl)
{
	flame_buf_release(&fl->text);
	free(fl->refs);
	memset(fl, 0, sizeof(*fl));
}

int flame_folded_write(const struct flame_profile *p, struct flame_output *out,
		       struct flame_error *err)
{
	struct flame_folded_lines fl;
	flame_folded_lines(p, &fl);
	struct flame_buf line = FLAME_BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < fl.n && rc == 0; i++) {
		const struct line_ref *r = &fl.refs[i];
		const struct flame_node *nd = &p->nodes[r->node];
		flame_buf_reset(&line);
		flame_buf_add(&line, fl.text.data + r->off, r->len);
		flame_buf_addc(&line, ' ');
		flame_format_weight(&line, nd->self[0], p->scale_digits);
		if (p->ncols == 2) {
			flame_buf_addc(&line, ' ');
			flame_format_weight(&line, nd->self[1], p->scale_digits);
		}
		flame_buf_addc(&line, '\n');
		rc = flame_output_write(out, line.data, line.len, err);
	}
	flame_buf_release(&line);
	flame_folded_lines_release(&fl);
	return rc;
}

const struct flame_format flame_format_folded = {
	.name = "folded",
	.aliases = "collapsed stackcollapse-folded",
	.summary = "folded stacks: 'frame;frame;leaf COUNT' per line (flamegraph.pl input)",
	.probe = folded_probe,
	.boundary = folded_boundary,
	.prepare = NULL,
	.parser_new = folded_new,
	.parse = folded_parse,
	.parser_free = folded_free,
	.write = flame_folded_write,
};
