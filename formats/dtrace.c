/*
 * dtrace.c - reader for DTrace aggregations of stack(), ustack() and
 * jstack(): frames one per line (leaf first), then the count.
 *
 * Matches inferno-collapse-dtrace, the maintained descendant of
 * FlameGraph's stackcollapse.pl: the header runs to the first blank line;
 * "+0x1a" offsets are cut (kept but for the leaf with --includeoffset);
 * C++ argument lists after "::" are cut; half-demangled Rust names are
 * repaired; Java "->" inline chains become frames marked _[i].
 */
#include <stdlib.h>
#include <string.h>

#include "../core/names.h"
#include "../core/util.h"
#include "format.h"
#include "linecache.h"

struct dtrace_parser {
	struct flame_parse_ctx *ctx;
	const struct flame_read_opts *o;
	uint32_t *frames; /* leaf first */
	size_t nframes, frames_cap;
	int in_header;
	struct flame_linecache lc;
	struct flame_buf s1, s2;
	uint32_t *tmp_ids;
	size_t tmp_cap;
};

static size_t last_plus(const char *s, size_t n)
{
	const char *p = memrchr(s, '+', n);
	return p ? (size_t)(p - s) : n;
}

/* Repair a half-demangled Rust name in "module`function[+offset]". */
static void fix_rust(const struct dtrace_parser *p, const char *f, size_t n, struct flame_buf *out)
{
	const char *tick = memchr(f, '`', n);
	if (tick) {
		const char *fn = tick + 1;
		size_t fl = (size_t)(f + n - fn);
		const char *plus = p->o->include_offset ? memrchr(fn, '+', fl) : NULL;
		size_t body = plus ? (size_t)(plus - fn) : fl;
		size_t bl = body;
		flame_trim_end(fn, &bl);
		flame_buf_reset(out);
		flame_buf_add(out, f, (size_t)(fn - f));
		if (flame_name_rust_fixup(fn, bl, out)) {
			if (plus)
				flame_buf_add(out, plus, (size_t)(f + n - plus));
			return;
		}
	}
	flame_buf_reset(out);
	flame_buf_add(out, f, n);
}

static void on_stack_line(struct dtrace_parser *p, const char *line, size_t n)
{
	size_t slot;
	const struct flame_lc_entry *e = flame_linecache_get(&p->lc, line, n, 0, &slot);
	if (!e) {
		int inlines = 1, cpp = 1, semicolon = 1;
		size_t fl = n;
		if (!p->o->include_offset) {
			inlines = cpp = semicolon = 0;
			for (size_t i = 0; i < n; i++) {
				if (line[i] == '>' && i > 0 && line[i - 1] == '-')
					inlines = 1;
				else if (line[i] == ':' && i > 0 && line[i - 1] == ':')
					cpp = 1;
				else if (line[i] == ';')
					semicolon = 1;
			}
			fl = last_plus(line, n);
		}
		if (cpp)
			fl = flame_name_dtrace_args_start(line, fl);
		struct flame_buf *f = &p->s1;
		if (fl == 0) {
			flame_buf_reset(f);
			flame_buf_addc(f, '-');
		} else {
			fix_rust(p, line, fl, f);
		}
		size_t nids = 0;
		const char *part = f->data, *end = f->data + f->len;
		for (int idx = 0;; idx++) {
			const char *arrow = NULL;
			if (inlines)
				for (const char *q = part; q + 1 < end; q++)
					if (q[0] == '-' && q[1] == '>') {
						arrow = q;
						break;
					}
			const char *pe = arrow ? arrow : end;
			if (inlines)
				while (part < pe && *part == 'L')
					part++;
			struct flame_buf *g = &p->s2;
			flame_buf_reset(g);
			flame_buf_add(g, part, (size_t)(pe - part));
			if (semicolon)
				for (size_t i = 0; i < g->len; i++)
					if (g->data[i] == ';')
						g->data[i] = ':';
			if (idx > 0)
				flame_buf_adds(g, "_[i]");
			FLAME_GROW(p->tmp_ids, p->tmp_cap, nids + 1);
			p->tmp_ids[nids++] = flame_strtab_intern(&p->ctx->prof->names, g->data, g->len);
			if (!arrow)
				break;
			part = arrow + 2;
		}
		e = flame_linecache_put(&p->lc, slot, line, n, 0, p->tmp_ids, nids, 0);
	}
	const uint32_t *ids = flame_linecache_ids(&p->lc, e);
	FLAME_GROW(p->frames, p->frames_cap, p->nframes + e->nids);
	for (size_t i = e->nids; i-- > 0;)
		p->frames[p->nframes++] = ids[i];
}

static void on_stack_end(struct dtrace_parser *p, uint64_t count, uint64_t lineno, const char *line,
			 size_t n)
{
	size_t nf = p->nframes;
	if (nf == 0) {
		flame_diag_add(p->ctx->diag, FLAME_DIAG_BAD_DTRACE, p->ctx->chunk, lineno,
			       "count without a stack above it", line, n);
		return;
	}
	uint32_t *f = p->frames;
	for (size_t a = 0, b = nf - 1; a < b; a++, b--) {
		uint32_t t = f[a];
		f[a] = f[b];
		f[b] = t;
	}
	if (p->o->include_offset) {
		/* the leaf keeps no offset */
		size_t len;
		const char *leaf = flame_strtab_name(&p->ctx->prof->names, f[nf - 1], &len);
		size_t cut = last_plus(leaf, len);
		if (cut != len)
			f[nf - 1] = flame_strtab_intern(&p->ctx->prof->names, leaf, cut);
	}
	uint64_t w[2] = { count, 0 };
	flame_profile_add(p->ctx->prof, f, nf, w);
	p->nframes = 0;
}

/* A count line: digits, maybe surrounded by white space. */
static int count_line(const char *s, size_t n, uint64_t *count, int *overflow)
{
	s = flame_trim_start(s, &n);
	flame_trim_end(s, &n);
	if (n == 0)
		return 0;
	uint64_t v = 0;
	*overflow = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v))
			*overflow = 1;
	}
	if (count)
		*count = v;
	return 1;
}

/* dtrace's own header line: "CPU     ID                    FUNCTION:NAME" */
static int dtrace_header_line(const char *t, size_t n)
{
	return flame_starts_with(t, n, "CPU") && memmem(t, n, "FUNCTION:NAME", 13);
}

/* The whole input was a header and a blank line: nothing in it parsed
 * (SystemTap or other text read as dtrace).  Every line of that header is
 * noted, so that the command can say how many lines did not parse. */
static void note_header_only(struct dtrace_parser *p, const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len;
	uint64_t lineno = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);
		const char *t = flame_trim_start(s, &n);
		flame_trim_end(t, &n);
		s = nl ? nl + 1 : end;
		lineno++;
		if (n == 0)
			break;
		if (!dtrace_header_line(t, n))
			flame_diag_add(p->ctx->diag, FLAME_DIAG_BAD_DTRACE, p->ctx->chunk, lineno,
				       "header line, and no stacks after the header", t, n);
	}
}

static int dtrace_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct dtrace_parser *p = vp;
	const char *s = buf, *end = buf + len;
	uint64_t lineno = 0;
	int after_header = 0; /* a non-blank line after the header */
	p->in_header = file_start;
	p->nframes = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		const char *line = s;
		s = nl ? nl + 1 : end;
		lineno++;
		if (n > FLAME_MAX_LINE) {
			p->ctx->lines = lineno;
			return flame_parse_fail(p->ctx, lineno,
						"line longer than %u MiB; is this dtrace output?",
						FLAME_MAX_LINE >> 20);
		}
		const char *t = flame_trim_start(line, &n);
		flame_trim_end(t, &n);
		if (p->in_header) {
			if (n == 0)
				p->in_header = 0;
			continue;
		}
		if (n == 0)
			continue;
		after_header = 1;
		uint64_t count;
		int overflow;
		if (count_line(t, n, &count, &overflow)) {
			if (overflow) {
				p->ctx->lines = lineno;
				return flame_parse_fail(p->ctx, lineno, "count '%.*s' does not fit in 64 bits",
							(int)(n > 40 ? 40 : n), t);
			}
			on_stack_end(p, count, lineno, t, n);
		} else {
			on_stack_line(p, t, n);
		}
	}
	p->ctx->lines = lineno;
	if (file_end && p->in_header)
		flame_diag_add(p->ctx->diag, FLAME_DIAG_BAD_DTRACE, p->ctx->chunk, lineno,
			       "file ended while skipping headers (expected a blank line after them)",
			       "", 0);
	if (file_start && file_end && !p->in_header && !after_header)
		note_header_only(p, buf, len);
	if (file_end && p->nframes)
		return flame_parse_fail(p->ctx, lineno,
					"input ends in the middle of a stack (expected a count line)");
	return 0;
}

static int is_count_line(const char *s, size_t n)
{
	int overflow;
	return count_line(s, n, NULL, &overflow);
}

static size_t dtrace_boundary(const char *buf, size_t len, int at_file_start)
{
	size_t from = 0;
	if (at_file_start) {
		/* the header runs to the first blank line; a count line inside it is not a boundary */
		const char *s = buf, *end = buf + len, *nl;
		while ((nl = memchr(s, '\n', (size_t)(end - s))) && !flame_is_blank(s, (size_t)(nl - s)))
			s = nl + 1;
		if (!nl)
			return 0;
		from = (size_t)(nl + 1 - buf);
	}
	size_t b = flame_last_line_where(buf + from, len - from, is_count_line);
	return b ? from + b : 0;
}

static int is_hex_address(const char *s, size_t n)
{
	if (n < 3 || s[0] != '0' || s[1] != 'x')
		return 0;
	for (size_t i = 2; i < n; i++)
		if (!flame_is_hex((unsigned char)s[i]))
			return 0;
	return 1;
}

/* After the header's blank line: frames ("mod`func" or 0xADDR), then a count. */
static enum flame_probe dtrace_probe(const char *buf, size_t len, int eof)
{
	const char *s = buf, *end = buf + len;
	int found_empty = 0, found_stack = 0, first = 1;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl && !eof)
			break;
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		const char *t = flame_trim_start(s, &n);
		flame_trim_end(t, &n);
		s = nl ? nl + 1 : end;
		if (first && n) {
			first = 0;
			if (dtrace_header_line(t, n))
				return FLAME_PROBE_YES;
		}
		if (n == 0) {
			found_empty = 1;
		} else if (found_empty) {
			if (is_count_line(t, n))
				return found_stack ? FLAME_PROBE_YES : FLAME_PROBE_NO;
			if (memchr(t, '`', n) || is_hex_address(t, n))
				found_stack = 1;
			else
				return FLAME_PROBE_NO;
		}
	}
	return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
}

static void *dtrace_new(struct flame_parse_ctx *ctx)
{
	struct dtrace_parser *p = flame_xcalloc(1, sizeof(*p));
	p->ctx = ctx;
	p->o = ctx->opts;
	flame_linecache_init(&p->lc);
	return p;
}

static void dtrace_free(void *vp)
{
	struct dtrace_parser *p = vp;
	free(p->frames);
	flame_linecache_release(&p->lc);
	flame_buf_release(&p->s1);
	flame_buf_release(&p->s2);
	free(p->tmp_ids);
	free(p);
}

const struct flame_format flame_format_dtrace = {
	.name = "dtrace",
	.aliases = "stackcollapse",
	.summary = "DTrace stack()/ustack()/jstack() aggregation output",
	.probe = dtrace_probe,
	.boundary = dtrace_boundary,
	.prepare = NULL,
	.parser_new = dtrace_new,
	.parse = dtrace_parse,
	.parser_free = dtrace_free,
};
