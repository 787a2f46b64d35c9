#include "diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "stacks.h"

static const uint64_t p10[] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
				10000000ULL, 100000000ULL, 1000000000ULL };

/* Add src's weights (column 0) to column col of out, at out's scale. */
static void add_column(struct flame_profile *out, const struct flame_profile *src, int col,
		       int strip_hex)
{
	size_t nnames = flame_strtab_count(&src->names);
	uint32_t *map = flame_xmalloc((nnames + 1) * sizeof(*map));
	memset(map, 0xff, (nnames + 1) * sizeof(*map));
	uint32_t *to = flame_xmalloc(src->nnodes * sizeof(*to));
	uint64_t m = p10[out->scale_digits - src->scale_digits];
	struct flame_buf b = FLAME_BUF_INIT;
	to[0] = 0;
	for (size_t n = 1; n < src->nnodes; n++) {
		const struct flame_node *nd = &src->nodes[n];
		if (map[nd->name] == UINT32_MAX) {
			size_t len;
			const char *s = flame_strtab_name(&src->names, nd->name, &len);
			if (strip_hex && flame_name_strip_hex(s, len, &b))
				map[nd->name] = flame_strtab_intern(&out->names, b.data, b.len);
			else
				map[nd->name] = flame_strtab_intern(&out->names, s, len);
		}
		to[n] = flame_profile_child(out, to[nd->parent], map[nd->name], 1);
		if (nd->self[0]) {
			uint64_t w[2] = { 0, 0 };
			if (__builtin_mul_overflow(nd->self[0], m, &w[col])) {
				w[col] = UINT64_MAX;
				out->overflow = 1;
			}
			flame_profile_add_weight(out, to[n], w);
		}
	}
	flame_buf_release(&b);
	free(to);
	free(map);
}

int flame_diff_combine(const struct flame_profile *before, const struct flame_profile *after,
		       const struct flame_diff_opts *o, struct flame_profile *out, uint8_t **present,
		       struct flame_diff_totals *tot, struct flame_error *err)
{
	*present = NULL;
	flame_profile_init(out);
	out->ncols = 2;
	out->unit = after->unit;
	out->scale_digits = before->scale_digits > after->scale_digits ? before->scale_digits
									: after->scale_digits;
	out->overflow = before->overflow || after->overflow;
	add_column(out, before, 0, o->strip_hex);
	add_column(out, after, 1, o->strip_hex);
	out->nstacks = 0;
	uint8_t *pr = flame_xcalloc(out->nnodes, 1);
	for (size_t n = 1; n < out->nnodes; n++)
		if (out->nodes[n].self[0] || out->nodes[n].self[1]) {
			pr[n] = 1;
			out->nstacks++;
		}
	*present = pr;
	memset(tot, 0, sizeof(*tot));
	tot->scale_digits = out->scale_digits;
	tot->stacks = out->nstacks;
	if (out->overflow)
		return flame_error_set(err, FLAME_ERR_DATA, NULL, 0,
				       "a stack's total weight does not fit in 64 bits");
	tot->before = flame_profile_total(out, 0);
	tot->after = flame_profile_total(out, 1);
	if (tot->before == UINT64_MAX || tot->after == UINT64_MAX)
		return flame_error_set(err, FLAME_ERR_DATA, NULL, 0,
				       "the total weight of an input does not fit in 64 bits");
	if (o->normalize && tot->before != tot->after && tot->before != 0) {
		tot->normalized = 1;
		for (size_t n = 1; n < out->nnodes; n++) {
			uint64_t *w = &out->nodes[n].self[0];
			if (*w)
				*w = (uint64_t)((unsigned __int128)*w * tot->after / tot->before);
		}
	}
	return 0;
}

struct folded_ctx {
	const struct flame_profile *p;
	struct flame_output *out;
	struct flame_buf line;
	struct flame_error *err;
};

static int write_line(void *vc, uint32_t node, const char *text, size_t len)
{
	struct folded_ctx *c = vc;
	const struct flame_node *nd = &c->p->nodes[node];
	flame_buf_add(&c->line, text, len);
	flame_buf_addc(&c->line, ' ');
	flame_format_weight(&c->line, nd->self[0], c->p->scale_digits);
	flame_buf_addc(&c->line, ' ');
	flame_format_weight(&c->line, nd->self[1], c->p->scale_digits);
	flame_buf_addc(&c->line, '\n');
	if (c->line.len >= (1u << 20)) {
		if (flame_output_write(c->out, c->line.data, c->line.len, c->err) < 0)
			return -1;
		flame_buf_reset(&c->line);
	}
	return 0;
}

int flame_diff_write_folded(const struct flame_profile *p, const uint8_t *present,
			    struct flame_output *out, struct flame_error *err)
{
	struct folded_ctx c = { p, out, FLAME_BUF_INIT, err };
	int rc = flame_profile_walk(p, present, FLAME_WALK_SORTED, write_line, &c);
	if (rc == 0 && c.line.len)
		rc = flame_output_write(out, c.line.data, c.line.len, err);
	flame_buf_release(&c.line);
	return rc ? -1 : 0;
}

/* ---- the per-function table ---- */

struct fn_row {
	uint32_t name;
	uint64_t self[2], total[2];
};

struct top_sort_ctx {
	const struct flame_profile *p;
	enum flame_diff_sort key;
};

static unsigned __int128 absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static int row_cmp(const void *va, const void *vb, void *vctx)
{
	const struct top_sort_ctx *ctx = vctx;
	const struct fn_row *x = va, *y = vb;
	unsigned __int128 kx[2] = { absdiff(x->self[0], x->self[1]), absdiff(x->total[0], x->total[1]) };
	unsigned __int128 ky[2] = { absdiff(y->self[0], y->self[1]), absdiff(y->total[0], y->total[1]) };
	int first = ctx->key == FLAME_DIFF_SORT_SELF ? 0 : 1;
	for (int k = 0; k < 2; k++) {
		int i = k == 0 ? first : 1 - first;
		if (kx[i] != ky[i])
			return kx[i] > ky[i] ? -1 : 1;
	}
	size_t xl, yl;
	const char *xs = flame_strtab_name(&ctx->p->names, x->name, &xl);
	const char *ys = flame_strtab_name(&ctx->p->names, y->name, &yl);
	return flame_stack_cmp(xs, xl, ys, yl);
}

static void fmt_delta(struct flame_buf *b, uint64_t before, uint64_t after, int digits)
{
	if (after == before) {
		flame_buf_addc(b, '0');
		return;
	}
	flame_buf_addc(b, after > before ? '+' : '-');
	flame_format_weight(b, after > before ? after - before : before - after, digits);
}

static void fmt_percent(struct flame_buf *b, uint64_t before, uint64_t after)
{
	if (before == 0) {
		flame_buf_adds(b, after ? "new" : "0.0%");
		return;
	}
	double r = ((double)after - (double)before) / (double)before * 100.0;
	if (r > -0.05 && r < 0.05)
		flame_buf_adds(b, after == before ? "0.0%" : after > before ? "+0.0%" : "-0.0%");
	else
		flame_buf_addf(b, "%+.1f%%", r);
}

#define NCOLS 8

int flame_diff_write_top(const struct flame_profile *p, const struct flame_diff_totals *tot,
			 const struct flame_diff_top_opts *o, struct flame_output *out,
			 struct flame_error *err)
{
	size_t nn = p->nnodes, nnames = flame_strtab_count(&p->names);
	/* subtree totals, children after parents in the node array */
	uint64_t (*sub)[2] = flame_xcalloc(nn, sizeof(*sub));
	for (size_t n = nn; n-- > 1;) {
		for (int c = 0; c < 2; c++) {
			uint64_t v;
			if (__builtin_add_overflow(sub[n][c], p->nodes[n].self[c], &v))
				v = UINT64_MAX;
			sub[n][c] = v;
			uint32_t par = p->nodes[n].parent;
			if (par != FLAME_NO_NODE && __builtin_add_overflow(sub[par][c], v, &sub[par][c]))
				sub[par][c] = UINT64_MAX;
		}
	}
	/* per name: self sums; total sums over outermost occurrences only, so
	 * recursion does not count a function twice */
	struct fn_row *rows = flame_xcalloc(nnames + 1, sizeof(*rows));
	uint32_t *onpath = flame_xcalloc(nnames + 1, sizeof(*onpath));
	uint8_t *used = flame_xcalloc(nnames + 1, 1);
	struct dfs {
		uint32_t node;
		int leaving;
	} *st = NULL;
	size_t nst = 0, st_cap = 0;
	for (uint32_t c = p->nodes[0].first_child; c != FLAME_NO_NODE; c = p->nodes[c].next_sibling) {
		FLAME_GROW(st, st_cap, nst + 1);
		st[nst++] = (struct dfs){ c, 0 };
	}
	while (nst) {
		struct dfs d = st[--nst];
		uint32_t name = p->nodes[d.node].name;
		if (d.leaving) {
			onpath[name]--;
			continue;
		}
		struct fn_row *r = &rows[name];
		used[name] = 1;
		for (int c = 0; c < 2; c++) {
			if (__builtin_add_overflow(r->self[c], p->nodes[d.node].self[c], &r->self[c]))
				r->self[c] = UINT64_MAX;
			if (!onpath[name] && __builtin_add_overflow(r->total[c], sub[d.node][c], &r->total[c]))
				r->total[c] = UINT64_MAX;
		}
		onpath[name]++;
		FLAME_GROW(st, st_cap, nst + 1);
		st[nst++] = (struct dfs){ d.node, 1 };
		for (uint32_t c = p->nodes[d.node].first_child; c != FLAME_NO_NODE;
		     c = p->nodes[c].next_sibling) {
			FLAME_GROW(st, st_cap, nst + 1);
			st[nst++] = (struct dfs){ c, 0 };
		}
	}
	free(st);
	free(onpath);
	free(sub);

	int digits = p->scale_digits;
	uint64_t tb = flame_profile_total(p, 0), ta = flame_profile_total(p, 1);
	uint64_t floor;
	if (o->min_delta_percent) {
		uint64_t big = tb > ta ? tb : ta;
		const struct flame_decimal *v = &o->min_delta;
		unsigned __int128 f = (unsigned __int128)big * (v->ip * p10[v->digits] + v->fp);
		unsigned __int128 d = (unsigned __int128)100 * p10[v->digits];
		f = (f + d - 1) / d;
		floor = f > UINT64_MAX ? UINT64_MAX : (uint64_t)f;
	} else {
		floor = flame_decimal_fixed(&o->min_delta, digits);
	}
	if (floor == 0)
		floor = 1; /* unchanged functions are never shown */

	size_t nrows = 0, nfuncs = 0;
	for (size_t i = 0; i < nnames; i++) {
		if (!used[i])
			continue;
		nfuncs++;
		struct fn_row r = rows[i];
		r.name = (uint32_t)i;
		if (absdiff(r.self[0], r.self[1]) < floor && absdiff(r.total[0], r.total[1]) < floor)
			continue;
		rows[nrows++] = r;
	}
	free(used);
	struct top_sort_ctx ctx = { p, o->sort };
	qsort_r(rows, nrows, sizeof(*rows), row_cmp, &ctx);
	size_t shown = o->limit && o->limit < nrows ? (size_t)o->limit : nrows;

	/* cells, then column widths */
	static const char *const head[NCOLS] = { "SELF_BEFORE",  "SELF_AFTER",  "SELF_DELTA",
						 "SELF_DELTA%",  "TOTAL_BEFORE", "TOTAL_AFTER",
						 "TOTAL_DELTA",  "TOTAL_DELTA%" };
	struct flame_buf cells = FLAME_BUF_INIT;
	size_t *off = flame_xmalloc((shown * NCOLS + 1) * sizeof(*off));
	size_t width[NCOLS];
	for (int c = 0; c < NCOLS; c++)
		width[c] = strlen(head[c]);
	for (size_t i = 0; i < shown; i++) {
		const struct fn_row *r = &rows[i];
		for (int c = 0; c < NCOLS; c++) {
			size_t start = cells.len;
			const uint64_t *v = c < 4 ? r->self : r->total;
			switch (c % 4) {
			case 0:
				flame_format_weight(&cells, v[0], digits);
				break;
			case 1:
				flame_format_weight(&cells, v[1], digits);
				break;
			case 2:
				fmt_delta(&cells, v[0], v[1], digits);
				break;
			default:
				fmt_percent(&cells, v[0], v[1]);
				break;
			}
			off[i * NCOLS + c] = start;
			if (cells.len - start > width[c])
				width[c] = cells.len - start;
			flame_buf_addc(&cells, '\0');
		}
	}

	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_adds(&b, "# flame diff: per-function change from BEFORE to AFTER\n");
	flame_buf_addf(&b, "# before: %s, total ", o->before_name ? o->before_name : "BEFORE");
	if (tot->normalized) {
		flame_format_weight(&b, tot->before, digits);
		flame_buf_adds(&b, ", normalized to ");
		flame_format_weight(&b, tb, digits);
		flame_buf_addf(&b, " (x %.6g, -n)\n", (double)tot->after / (double)tot->before);
	} else {
		flame_format_weight(&b, tb, digits);
		flame_buf_addc(&b, '\n');
	}
	flame_buf_addf(&b, "# after:  %s, total ", o->after_name ? o->after_name : "AFTER");
	flame_format_weight(&b, ta, digits);
	flame_buf_addc(&b, '\n');
	flame_buf_addf(&b, "# normalized: %s\n",
		       tot->normalized ? "yes, BEFORE scaled to AFTER's total"
				       : "no (use -n to scale BEFORE to AFTER's total)");
	flame_buf_addf(&b, "# %zu of %zu functions changed by at least ", nrows, nfuncs);
	flame_format_weight(&b, floor, digits);
	flame_buf_addf(&b, "; sorted by |%s delta|", o->sort == FLAME_DIFF_SORT_SELF ? "self" : "total");
	if (shown < nrows)
		flame_buf_addf(&b, "; first %zu shown", shown);
	flame_buf_addc(&b, '\n');
	for (int c = 0; c < NCOLS; c++)
		flame_buf_addf(&b, "%*s  ", (int)width[c], head[c]);
	flame_buf_adds(&b, "FUNCTION\n");
	int rc = 0;
	for (size_t i = 0; i < shown && rc == 0; i++) {
		for (int c = 0; c < NCOLS; c++)
			flame_buf_addf(&b, "%*s  ", (int)width[c], cells.data + off[i * NCOLS + c]);
		size_t len;
		const char *s = flame_strtab_name(&p->names, rows[i].name, &len);
		flame_buf_add(&b, s, len);
		flame_buf_addc(&b, '\n');
		if (b.len >= (1u << 20)) {
			rc = flame_output_write(out, b.data, b.len, err);
			flame_buf_reset(&b);
		}
	}
	if (rc == 0 && b.len)
		rc = flame_output_write(out, b.data, b.len, err);
	flame_buf_release(&b);
	flame_buf_release(&cells);
	free(off);
	free(rows);
	return rc;
}
