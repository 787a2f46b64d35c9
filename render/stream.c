/*
 * stream.c - flame graphs from sorted folded text in one pass (render.h).
 *
 * Pass 1 checks the order, counts the total weight and finds the
 * fixed-point scale and the number of count columns; pass 2 feeds the
 * lines to the layout.  A line usually shares a long prefix with the one
 * before: the frames inside that prefix are reused (same name pointers,
 * so the layout compares them by pointer) and only the rest is split.
 */
#include "render.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../core/util.h"
#include "../formats/foldedline.h"
#include "../formats/reader.h" /* FLAME_MAX_LINE, the readers' line limit */
#include "layout.h"
#include "svg.h"

/* 1: a stack line; 0: blank; -1: bad (the folded reader's own rules) */
static int parse_line(const char *line, size_t n, struct flame_folded_counts *pl)
{
	return flame_folded_split(line, n, pl);
}

static const uint64_t p10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
				100000000, 1000000000 };

static int fixed(uint64_t ip, uint64_t fp, int d, int scale, uint64_t *out)
{
	uint64_t v;
	if (__builtin_mul_overflow(ip, p10[scale], &v) ||
	    __builtin_add_overflow(v, fp * p10[scale - d], &v))
		return -1;
	*out = v;
	return 0;
}

static void note_bad(struct flame_stream_result *res, size_t file, uint64_t line, const char *s,
		     size_t n)
{
	if (res->nbad < FLAME_STREAM_EXAMPLES) {
		res->bad[res->nbad].file = file;
		res->bad[res->nbad].line = line;
		flame_quote(res->bad[res->nbad].text, sizeof(res->bad[res->nbad].text), s, n, 120);
		res->nbad++;
	}
	res->bad_lines++;
}

/* Drop the pages of a mapped input before p from the resident set. */
static void release_before(const struct flame_text_input *in, const char *p, size_t *released)
{
	if (!in->mapped)
		return;
	size_t off = (size_t)(p - in->data);
	if (off - *released < (16u << 20) && p != in->data + in->len)
		return;
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)in->data + *released + pg - 1) & ~(pg - 1);
	uintptr_t b = ((uintptr_t)p) & ~(pg - 1);
	if (b > a)
		madvise((void *)a, b - a, MADV_DONTNEED);
	*released = off;
}

static size_t common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	while (i + 8 <= n) {
		uint64_t x, y;
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return i + (size_t)(__builtin_ctzll(x ^ y) >> 3);
		i += 8;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static int line_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

int flame_render_svg_folded(const struct flame_text_input *in, size_t nin,
			    const struct flame_render_opts *o, struct flame_output *out,
			    struct flame_stream_result *res, struct flame_error *err)
{
	memset(res, 0, sizeof(*res));
	res->ncols = 1;
	int ordered = o->flamechart; /* input order is the order */
	if (o->reverse && !ordered)
		return 1; /* reversed stacks must be sorted again */

	/* ---- pass 1: order, scale, columns, total ---- */
	int scale = 0, two = 0;
	const char *prev = NULL;
	size_t prev_n = 0;
	/* the total at 9 fractional digits, exactly; scaled down at the end */
	unsigned __int128 sum[2] = { 0, 0 }, summax = 0;
	const unsigned __int128 limit = (unsigned __int128)UINT64_MAX * 1000000000u;
	for (size_t f = 0; f < nin; f++) {
		const char *s = in[f].data, *end = s + in[f].len;
		uint64_t lineno = 0;
		size_t released = 0;
		while (s < end) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			const char *le = nl ? nl : end;
			const char *line = s;
			size_t n = (size_t)(le - s);
			s = nl ? nl + 1 : end;
			lineno++;
			release_before(&in[f], line, &released);
			if (n > FLAME_MAX_LINE)
				return flame_error_set(err, FLAME_ERR_DATA, in[f].name, lineno,
						       "line longer than %u MiB", FLAME_MAX_LINE >> 20);
			if (!ordered) {
				if (prev && line_cmp(line, n, prev, prev_n) < 0)
					return 1;
				prev = line;
				prev_n = n;
			}
			struct flame_folded_counts pl;
			int k = parse_line(line, n, &pl);
			if (k < 0)
				note_bad(res, f, lineno, line, n);
			if (k <= 0)
				continue;
			unsigned __int128 v[2];
			for (int c = 0; c < 2; c++)
				v[c] = (unsigned __int128)pl.ip[c] * 1000000000u +
				       (unsigned __int128)pl.fp[c] * p10[FLAME_MAX_SCALE_DIGITS - pl.d[c]];
			if (pl.two) {
				two = 1;
				sum[0] += v[0];
				sum[1] += v[1];
				summax += v[0] > v[1] ? v[0] : v[1];
			} else {
				sum[0] += v[1];
				summax += v[1];
			}
			if (sum[0] > limit || sum[1] > limit || summax > limit)
				return flame_error_set(err, FLAME_ERR_DATA, in[f].name, lineno,
						       "the total weight does not fit in 64 bits");
			if (pl.d[0] > scale)
				scale = pl.d[0];
			if (pl.d[1] > scale)
				scale = pl.d[1];
		}
		res->lines += lineno;
	}
	res->ncols = two ? 2 : 1;
	struct flame_profile shape; /* ncols for layout_width() */
	memset(&shape, 0, sizeof(shape));
	shape.ncols = res->ncols;
	shape.scale_digits = scale;
	unsigned __int128 t128;
	if (!two || o->diff_width == FLAME_DIFF_WIDTH_BEFORE)
		t128 = sum[0];
	else if (o->diff_width == FLAME_DIFF_WIDTH_MAX)
		t128 = summax;
	else
		t128 = sum[1];
	t128 /= p10[FLAME_MAX_SCALE_DIGITS - scale];
	if (t128 > UINT64_MAX)
		return flame_error_set(err, FLAME_ERR_DATA, nin ? in[0].name : NULL, 0,
				       "the total weight does not fit in 64 bits");
	uint64_t time = (uint64_t)t128;

	/* ---- pass 2: the layout ---- */
	struct flame_layout L;
	double unit = (double)p10[scale];
	layout_init(&L, render_min_counts(time, scale, o), two, unit,
		    o->palette == FLAME_PALETTE_CHAIN);
	struct name_ref *path = NULL;
	size_t *ends = NULL, cap = 0, nprev = 0;
	const char *pstack = NULL;
	size_t pstack_n = 0;
	for (size_t f = 0; f < nin && time; f++) {
		const char *s = in[f].data, *end = s + in[f].len;
		size_t released = 0;
		while (s < end) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			const char *le = nl ? nl : end;
			const char *line = s;
			size_t n = (size_t)(le - s);
			s = nl ? nl + 1 : end;
			release_before(&in[f], line, &released);
			struct flame_folded_counts pl;
			if (parse_line(line, n, &pl) <= 0)
				continue;
			uint64_t w[2] = { 0, 0 };
			if (pl.two) {
				fixed(pl.ip[0], pl.fp[0], pl.d[0], scale, &w[0]);
				fixed(pl.ip[1], pl.fp[1], pl.d[1], scale, &w[1]);
			} else {
				fixed(pl.ip[1], pl.fp[1], pl.d[1], scale, &w[0]);
			}
			size_t sl = pl.stack_len;
			/* frames of the previous line inside the common prefix */
			size_t common = 0, lim = sl < pstack_n ? sl : pstack_n;
			if (pstack && !o->reverse)
				common = common_prefix(line, pstack, lim);
			size_t k = 0;
			if (!o->reverse)
				while (k < nprev && ends[k] <= common && (ends[k] == sl || line[ends[k]] == ';'))
					k++;
			size_t pos = k ? ends[k - 1] + 1 : 0;
			while (pos <= sl) {
				const char *semi = memchr(line + pos, ';', sl - pos);
				size_t e = semi ? (size_t)(semi - line) : sl;
				if (k == cap) {
					cap = cap ? 2 * cap : 64;
					ends = flame_xrealloc(ends, cap * sizeof(*ends));
					path = flame_xrealloc(path, cap * sizeof(*path));
				}
				ends[k] = e;
				path[k++] = (struct name_ref){ line + pos, e - pos };
				if (!semi)
					break;
				pos = e + 1;
			}
			nprev = k;
			pstack = line;
			pstack_n = sl;
			double delta = two ? ((double)w[1] - (double)w[0]) / unit : 0;
			uint64_t width = layout_width(&shape, w, o->diff_width);
			if (o->reverse) {
				/* perl: join(";", reverse split(";", $stack)) */
				while (k && path[k - 1].len == 0)
					k--;
				for (size_t i = 0; i < k / 2; i++) {
					struct name_ref t = path[i];
					path[i] = path[k - 1 - i];
					path[k - 1 - i] = t;
				}
				nprev = 0;
			}
			layout_line(&L, path, k, width, delta);
		}
	}
	layout_finish(&L);
	free(path);
	free(ends);
	int rc = render_write(&L, time, scale, o, out, err);
	layout_release(&L);
	return rc < 0 ? -1 : 0;
}
