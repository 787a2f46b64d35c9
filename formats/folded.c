/*
 * folded.c - the folded stack format: one "frame;frame;...;leaf COUNT" per
 * line, as written by FlameGraph's stackcollapse scripts and read by
 * flamegraph.pl.  A differential profile has two counts: "STACK BEFORE AFTER".
 *
 * Counts may be fractional ("12.25"); they are kept as exact fixed point
 * (see core/profile.h), never as floating point.  Output is sorted by
 * stack, byte-wise, like the reference tools.
 *
 * The unit: a profile whose counts are not samples starts with one line
 * "# unit=ns" (or bytes, events; see folded.h).  flamegraph.pl and inferno
 * skip it (no count at its end); this reader takes it only as the first
 * non-empty line of a file.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/text.h"
#include "../core/util.h"
#include "../core/walk.h"
#include "folded.h"
#include "format.h"

struct folded_parser {
	struct flame_parse_ctx *ctx;
	/* The previous line's stack, to reuse the nodes of a shared prefix:
	 * sorted folded files share long prefixes line after line. */
	const char *prev;       /* points into the current chunk */
	size_t prev_len;
	size_t *ends;           /* end offset of each previous frame */
	uint32_t *path;         /* node of each previous frame */
	size_t nprev, cap;
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

/* The count at the end of s[0,n): digits and dots after one blank.
 * Looks back only over what can be a count, so long stacks are not scanned. */
static int last_count(const char *s, size_t n, uint64_t *ip, uint64_t *fp, int *d, size_t *stack_len)
{
	size_t i = n;
	while (i > 0 && ((s[i - 1] >= '0' && s[i - 1] <= '9') || s[i - 1] == '.'))
		i--;
	if (i == n || i < 2 || (s[i - 1] != ' ' && s[i - 1] != '\t'))
		return 0;
	if (!parse_count(s + i, n - i, ip, fp, d))
		return 0;
	/* flamegraph.pl's /^(.*)\s+?(\d+(?:\.\d*)?)$/ takes exactly one blank as
	 * the separator: a frame that is itself blank (perf's empty symbol) stays */
	*stack_len = i - 1;
	return 1;
}

int flame_folded_split(const char *line, size_t n, struct flame_folded_counts *c)
{
	while (n && flame_is_space((unsigned char)line[n - 1]))
		n--;
	if (n == 0)
		return 0;
	size_t sl;
	if (!last_count(line, n, &c->ip[1], &c->fp[1], &c->d[1], &sl))
		return -1;
	size_t sl2;
	c->two = last_count(line, sl, &c->ip[0], &c->fp[0], &c->d[0], &sl2);
	if (c->two) {
		sl = sl2;
	} else {
		c->ip[0] = c->ip[1];
		c->fp[0] = c->fp[1];
		c->d[0] = c->d[1];
	}
	c->stack_len = sl;
	return 1;
}

static void add_stack(struct folded_parser *p, const char *s, size_t n, const uint64_t w[2])
{
	struct flame_profile *prof = p->ctx->prof;
	size_t common = 0, lim = n < p->prev_len ? n : p->prev_len;
	if (p->prev)
		while (common < lim && s[common] == p->prev[common])
			common++;
	/* previous frames that end inside the common prefix, at a frame
	 * boundary of this line too, are the same nodes */
	size_t k = 0;
	while (k < p->nprev && p->ends[k] <= common && (p->ends[k] == n || s[p->ends[k]] == ';'))
		k++;
	uint32_t node = k ? p->path[k - 1] : 0;
	size_t pos = k ? p->ends[k - 1] + 1 : 0;
	/* pos > n: this line is a prefix of the previous one, node is its leaf */
	while (pos <= n) {
		const char *semi = memchr(s + pos, ';', n - pos);
		size_t e = semi ? (size_t)(semi - s) : n;
		uint32_t id = flame_strtab_intern(&prof->names, s + pos, e - pos);
		node = flame_profile_child(prof, node, id, 1);
		if (k == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 64;
			p->ends = flame_xrealloc(p->ends, p->cap * sizeof(*p->ends));
			p->path = flame_xrealloc(p->path, p->cap * sizeof(*p->path));
		}
		p->ends[k] = e;
		p->path[k++] = node;
		if (!semi)
			break;
		pos = e + 1;
	}
	p->nprev = k;
	p->prev = s;
	p->prev_len = n;
	flame_profile_add_weight(prof, node, w);
	prof->nstacks++;
}

/* Whether the line's counts fit in 64 bits with their own decimals only. */
static int fits_alone(const struct flame_folded_counts *fc)
{
	for (int k = 0; k < 2; k++) {
		uint64_t v;
		if (__builtin_mul_overflow(fc->ip[k], p10[fc->d[k]], &v) ||
		    __builtin_add_overflow(v, fc->fp[k], &v))
			return 0;
	}
	return 1;
}

static const struct {
	const char *name;
	enum flame_unit unit;
} unit_names[] = {
	{ "samples", FLAME_UNIT_SAMPLES },
	{ "ns", FLAME_UNIT_NANOSECONDS },
	{ "bytes", FLAME_UNIT_BYTES },
	{ "events", FLAME_UNIT_EVENTS },
};

const char *flame_folded_unit_name(enum flame_unit u)
{
	for (size_t i = 0; i < sizeof(unit_names) / sizeof(unit_names[0]); i++)
		if (unit_names[i].unit == u)
			return unit_names[i].name;
	return NULL;
}

int flame_folded_unit_line(const char *line, size_t n, enum flame_unit *u)
{
	static const char key[] = "unit=";
	size_t i = 0;
	flame_trim_end(line, &n);
	if (n == 0 || line[0] != '#')
		return 0;
	i = 1;
	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (n - i < sizeof(key) - 1 || memcmp(line + i, key, sizeof(key) - 1) != 0)
		return 0;
	i += sizeof(key) - 1;
	for (size_t k = 0; k < sizeof(unit_names) / sizeof(unit_names[0]); k++)
		if (strlen(unit_names[k].name) == n - i && memcmp(line + i, unit_names[k].name, n - i) == 0) {
			*u = unit_names[k].unit;
			return 1;
		}
	return -1;
}

static int folded_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct folded_parser *p = vp;
	struct flame_profile *prof = p->ctx->prof;
	const char *s = buf, *end = buf + len;
	uint64_t lineno = 0;
	int first = file_start; /* the file's first non-empty line is still to come */
	(void)file_end;
	p->prev = NULL; /* the previous chunk may be gone */
	p->nprev = 0;
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
		struct flame_folded_counts fc;
		int k = flame_folded_split(line, n, &fc);
		if (k == 0)
			continue;
		if (first) {
			first = 0;
			enum flame_unit u;
			int h = flame_folded_unit_line(line, n, &u);
			if (h > 0) {
				if (u == FLAME_UNIT_SAMPLES)
					continue;
				if (prof->unit != FLAME_UNIT_SAMPLES && prof->unit != u) {
					p->ctx->lines = lineno;
					return flame_parse_fail(p->ctx, lineno,
								"counts in %s, another input's in %s: inputs in "
								"different units cannot be merged",
								flame_folded_unit_name(u),
								flame_folded_unit_name(prof->unit));
				}
				prof->unit = u;
				continue;
			}
			if (h < 0) {
				flame_trim_end(line, &n);
				flame_diag_add(p->ctx->diag, FLAME_DIAG_BAD_FOLDED, p->ctx->chunk, lineno,
					       "unknown unit (expected ns, bytes, events or samples)", line, n);
				continue;
			}
		}
		if (k < 0) {
			flame_trim_end(line, &n);
			flame_diag_add(p->ctx->diag, FLAME_DIAG_BAD_FOLDED, p->ctx->chunk, lineno,
				       "expected 'frame;frame;... COUNT'", line, n);
			continue;
		}
		uint64_t w[2] = { 0, 0 };
		size_t sl = fc.stack_len;
		if (fc.two)
			prof->ncols = 2;
		/* grow the scale once for the line, then convert without rounding */
		int dmax = fc.d[0] > fc.d[1] ? fc.d[0] : fc.d[1];
		if (dmax > prof->scale_digits)
			flame_profile_rescale(prof, dmax);
		if (to_fixed(prof, fc.ip[0], fc.fp[0], fc.d[0], &w[0]) < 0 ||
		    (fc.two && to_fixed(prof, fc.ip[1], fc.fp[1], fc.d[1], &w[1]) < 0))
			goto overflow;
		add_stack(p, line, sl, w);
		continue;
overflow:
		p->ctx->lines = lineno;
		flame_trim_end(line, &n);
		if (prof->scale_digits > dmax && fits_alone(&fc))
			/* the count fits; exact fixed point with the decimals of
			 * another line's count does not */
			return flame_parse_fail(p->ctx, lineno,
						"count '%.*s' does not fit in 64 bits with %d decimal places "
						"(another line's count has them)",
						(int)(n - sl - 1 > 40 ? 40 : n - sl - 1), line + sl + 1,
						prof->scale_digits);
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

static size_t folded_boundary(const char *buf, size_t len, int at_file_start)
{
	(void)at_file_start;
	return flame_last_line_where(buf, len, newline_line);
}

/* The first few complete lines are "STACK COUNT", but for a stray line or
 * two (a program's own output mixed in, a bad count), which the reader
 * skips with a warning as flamegraph.pl does: at least two thirds of them. */
static enum flame_probe folded_probe(const char *buf, size_t len, int eof)
{
	const char *s = buf, *end = buf + len;
	int good = 0, bad = 0, first = 1, unit_line = 0;
	while (s < end && good < 8 && good + bad < 16) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl && !eof)
			break;
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		const char *line = s;
		s = nl ? nl + 1 : end;
		flame_trim_end(line, &n);
		if (n == 0)
			continue;
		enum flame_unit u;
		if (first && flame_folded_unit_line(line, n, &u) != 0) {
			/* "# unit=...": the writer's first line */
			first = 0;
			unit_line = 1;
			continue;
		}
		first = 0;
		struct flame_folded_counts fc;
		if (flame_folded_split(line, n, &fc) < 0 || fc.stack_len == 0 ||
		    flame_is_space((unsigned char)line[0]))
			bad++;
		else
			good++;
	}
	if (!(good >= 8 || good + bad >= 16 || eof))
		/* more lines may come; past 5 bad ones, 16 cannot be two thirds good */
		return bad > 5 ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
	if (unit_line && good + bad == 0)
		return FLAME_PROBE_YES; /* a profile without stacks, in its unit */
	return good && good >= 2 * bad ? FLAME_PROBE_YES : FLAME_PROBE_NO;
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
	free(p->ends);
	free(p->path);
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

struct walk_adapter {
	int (*fn)(void *ctx, const char *path, size_t len, uint32_t node);
	void *ctx;
};

static int walk_cb(void *vctx, uint32_t node, const char *text, size_t len)
{
	const struct walk_adapter *a = vctx;
	return a->fn(a->ctx, text, len, node);
}

/* The walk of flame_folded_walk(), over the nodes with weight, or with
 * present[node] set when present is not NULL. */
static int folded_walk(const struct flame_profile *p, const uint8_t *present,
		       int (*fn)(void *ctx, const char *path, size_t len, uint32_t node), void *ctx)
{
	struct walk_adapter a = { fn, ctx };
	return flame_profile_walk(p, present, FLAME_WALK_SORTED, walk_cb, &a);
}

int flame_folded_walk(const struct flame_profile *p,
		      int (*fn)(void *ctx, const char *path, size_t len, uint32_t node), void *ctx)
{
	return folded_walk(p, NULL, fn, ctx);
}

struct write_ctx {
	const struct flame_profile *p;
	struct flame_output *out;
	struct flame_error *err;
	struct flame_buf line;
	int two;             /* write both weight columns */
};

static int write_line(void *vctx, const char *path, size_t len, uint32_t node)
{
	struct write_ctx *w = vctx;
	const struct flame_node *nd = &w->p->nodes[node];
	flame_buf_reset(&w->line);
	flame_buf_add(&w->line, path, len);
	flame_buf_addc(&w->line, ' ');
	flame_format_weight(&w->line, nd->self[0], w->p->scale_digits);
	if (w->two) {
		flame_buf_addc(&w->line, ' ');
		flame_format_weight(&w->line, nd->self[1], w->p->scale_digits);
	}
	flame_buf_addc(&w->line, '\n');
	return flame_output_write(w->out, w->line.data, w->line.len, w->err) < 0 ? -1 : 0;
}

/* "# unit=NAME" first, when the counts are not samples. */
static int write_unit(const struct flame_profile *p, struct flame_output *out, struct flame_error *err)
{
	const char *name = flame_folded_unit_name(p->unit);
	if (p->unit == FLAME_UNIT_SAMPLES || !name)
		return 0;
	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_add(&b, "# unit=", 7);
	flame_buf_add(&b, name, strlen(name));
	flame_buf_addc(&b, '\n');
	int rc = flame_output_write(out, b.data, b.len, err);
	flame_buf_release(&b);
	return rc < 0 ? -1 : 0;
}

int flame_folded_write(const struct flame_profile *p, struct flame_output *out,
		       struct flame_error *err)
{
	if (write_unit(p, out, err) < 0)
		return -1;
	struct write_ctx w = { p, out, err, FLAME_BUF_INIT, p->ncols == 2 };
	int rc = flame_folded_walk(p, write_line, &w);
	flame_buf_release(&w.line);
	return rc ? -1 : 0;
}

int flame_folded_write_diff(const struct flame_profile *p, const uint8_t *present,
			    struct flame_output *out, struct flame_error *err)
{
	struct write_ctx w = { p, out, err, FLAME_BUF_INIT, 1 };
	int rc = folded_walk(p, present, write_line, &w);
	flame_buf_release(&w.line);
	return rc ? -1 : 0;
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
	.suffixes = ".folded .collapsed .txt .stacks",
};
