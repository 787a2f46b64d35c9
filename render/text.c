/*
 * text.c - "top" and "tree" views.
 *
 * Totals are subtree sums over the trie (children always have larger
 * indexes than their parents, so one backward pass adds them up).  A
 * function's total counts each stack once even when the function recurses:
 * only its outermost node on a path contributes.
 */
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "escape.h"
#include "layout.h"

#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[33m"
#define C_RESET "\033[0m"

void flame_text_opts_init(struct flame_text_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->format = FLAME_TEXT_TOP;
	o->diff_width = FLAME_DIFF_WIDTH_AFTER;
}

struct col {
	uint64_t w[2]; /* the weight column, and for diffs the "before" column */
};

static void fmt_weight(struct flame_buf *b, uint64_t w, int digits)
{
	struct flame_buf t = FLAME_BUF_INIT;
	flame_format_weight(&t, w, digits);
	const char *s = t.data ? t.data : "0";
	size_t n = t.len ? t.len : 1;
	const char *dot = memchr(s, '.', n);
	size_t ilen = dot ? (size_t)(dot - s) : n;
	for (size_t i = 0; i < ilen; i++) {
		flame_buf_addc(b, s[i]);
		size_t left = ilen - i - 1;
		if (left && left % 3 == 0)
			flame_buf_addc(b, ',');
	}
	if (dot)
		flame_buf_add(b, dot, n - ilen);
	flame_buf_release(&t);
}

/* after - before with its sign; plain: no thousands separators and "0"
 * for no change (the change table), else " 0" (the top view) */
static void fmt_delta(struct flame_buf *b, uint64_t after, uint64_t before, int digits, int plain)
{
	if (plain && after == before) {
		flame_buf_addc(b, '0');
		return;
	}
	flame_buf_addc(b, after > before ? '+' : after < before ? '-' : ' ');
	uint64_t d = after >= before ? after - before : before - after;
	if (plain)
		flame_format_weight(b, d, digits);
	else
		fmt_weight(b, d, digits);
}

static void fmt_pct(struct flame_buf *b, uint64_t w, uint64_t total)
{
	flame_buf_addf(b, "%.2f%%", total ? 100.0 * (double)w / (double)total : 0.0);
}

/* A table of text cells, right-aligned but for the last column. */
struct table {
	struct flame_buf cells; /* NUL-separated */
	size_t *off;
	size_t n, cap;
	int ncols;               /* at most 9: the last column is not padded */
	size_t width[8];
	double *pct;             /* per cell: a percentage to colour, or -1 */
};

static void cell_end(struct table *t, double pct)
{
	flame_buf_addc(&t->cells, '\0');
	size_t cap = t->cap;
	FLAME_GROW(t->off, t->cap, t->n + 2);
	if (t->cap != cap || !t->pct)
		t->pct = flame_xrealloc(t->pct, t->cap * sizeof(*t->pct));
	size_t start = t->n ? t->off[t->n - 1] : 0;
	size_t len = t->cells.len - 1 - start;
	int c = (int)(t->n % (size_t)t->ncols);
	size_t vis = flame_utf8_count(t->cells.data + start, len);
	if (c < t->ncols - 1 && vis > t->width[c])
		t->width[c] = vis;
	t->pct[t->n] = pct;
	t->off[t->n++] = t->cells.len;
}

static void table_write(struct table *t, struct flame_buf *b, int color)
{
	size_t nrows = t->n / (size_t)t->ncols;
	for (size_t r = 0; r < nrows; r++) {
		for (int c = 0; c < t->ncols; c++) {
			size_t i = r * (size_t)t->ncols + (size_t)c;
			size_t start = i ? t->off[i - 1] : 0;
			const char *s = t->cells.data + start;
			size_t len = t->off[i] - 1 - start;
			const char *on = NULL;
			if (color && r == 0)
				on = C_BOLD;
			else if (color && t->pct[i] >= 10)
				on = C_RED;
			else if (color && t->pct[i] >= 1)
				on = C_YELLOW;
			if (c < t->ncols - 1) {
				size_t vis = flame_utf8_count(s, len);
				for (size_t k = vis; k < t->width[c]; k++)
					flame_buf_addc(b, ' ');
			}
			if (on)
				flame_buf_adds(b, on);
			flame_buf_add(b, s, len);
			if (on)
				flame_buf_adds(b, C_RESET);
			flame_buf_adds(b, c < t->ncols - 1 ? "  " : "\n");
		}
	}
}

static void table_release(struct table *t)
{
	flame_buf_release(&t->cells);
	free(t->off);
	free(t->pct);
}

static void cell_s(struct table *t, const char *s)
{
	flame_buf_adds(&t->cells, s);
	cell_end(t, -1);
}

static void cell_w(struct table *t, uint64_t w, int digits)
{
	fmt_weight(&t->cells, w, digits);
	cell_end(t, -1);
}

static void cell_pct(struct table *t, uint64_t w, uint64_t total)
{
	fmt_pct(&t->cells, w, total);
	cell_end(t, total ? 100.0 * (double)w / (double)total : 0);
}

/* weights of node self in the chosen column (and "before") */
static void node_w(const struct flame_profile *p, const struct flame_text_opts *o, uint32_t n,
		   uint64_t out[2])
{
	out[0] = layout_width(p, p->nodes[n].self, o->diff_width);
	out[1] = p->ncols == 2 ? p->nodes[n].self[0] : 0;
}

static void add_sat(uint64_t *a, uint64_t b)
{
	if (__builtin_add_overflow(*a, b, a))
		*a = UINT64_MAX;
}

static int flush(struct flame_buf *b, struct flame_output *out, struct flame_error *err, int force)
{
	if (!b->len || (!force && b->len < (1u << 20)))
		return 0;
	int rc = flame_output_write(out, b->data, b->len, err);
	flame_buf_reset(b);
	return rc;
}

struct top_row {
	uint32_t name;
	uint64_t self[2], total[2];
};

/* Byte-wise order of two names (a shorter prefix first). */
static int name_cmp(const struct flame_profile *p, uint32_t a, uint32_t b)
{
	size_t la, lb;
	const char *na = flame_strtab_name(&p->names, a, &la);
	const char *nb = flame_strtab_name(&p->names, b, &lb);
	int c = memcmp(na, nb, la < lb ? la : lb);
	return c ? c : (la < lb ? -1 : la > lb);
}

static int cmp_top(const void *va, const void *vb, void *ctx)
{
	const struct top_row *a = va, *b = vb;
	const struct flame_profile *p = ctx;
	if (a->self[0] != b->self[0])
		return a->self[0] > b->self[0] ? -1 : 1;
	if (a->total[0] != b->total[0])
		return a->total[0] > b->total[0] ? -1 : 1;
	return name_cmp(p, a->name, b->name);
}

static int write_top(const struct flame_profile *p, const struct flame_text_opts *o,
		     struct col *tot, struct flame_output *out, struct flame_error *err)
{
	size_t nnames = flame_strtab_count(&p->names);
	struct top_row *rows = flame_xcalloc(nnames + 1, sizeof(*rows));
	uint32_t *active = flame_xcalloc(nnames + 1, sizeof(*active));
	for (size_t i = 0; i < nnames; i++)
		rows[i].name = (uint32_t)i;
	/* depth-first, so that recursion counts once */
	uint32_t n = p->nodes[0].first_child;
	while (n != FLAME_NO_NODE) {
		uint32_t nm = p->nodes[n].name;
		uint64_t w[2];
		node_w(p, o, n, w);
		add_sat(&rows[nm].self[0], w[0]);
		add_sat(&rows[nm].self[1], w[1]);
		if (active[nm]++ == 0) {
			add_sat(&rows[nm].total[0], tot[n].w[0]);
			add_sat(&rows[nm].total[1], tot[n].w[1]);
		}
		if (p->nodes[n].first_child != FLAME_NO_NODE) {
			n = p->nodes[n].first_child;
			continue;
		}
		/* leave n and every ancestor whose children are done */
		while (n != 0) {
			active[p->nodes[n].name]--;
			if (p->nodes[n].next_sibling != FLAME_NO_NODE) {
				n = p->nodes[n].next_sibling;
				break;
			}
			n = p->nodes[n].parent;
		}
		if (n == 0)
			break;
	}
	size_t k = 0;
	for (size_t i = 0; i < nnames; i++)
		if (rows[i].self[0] || rows[i].total[0] || rows[i].self[1] || rows[i].total[1])
			rows[k++] = rows[i];
	qsort_r(rows, k, sizeof(*rows), cmp_top, (void *)p);
	if (o->limit && k > o->limit)
		k = (size_t)o->limit;

	uint64_t total = tot[0].w[0];
	int diff = p->ncols == 2;
	struct table t = { .ncols = diff ? 6 : 5 };
	cell_s(&t, "SELF");
	cell_s(&t, "SELF%");
	cell_s(&t, "TOTAL");
	cell_s(&t, "TOTAL%");
	if (diff)
		cell_s(&t, "DELTA");
	cell_s(&t, "FUNCTION");
	for (size_t i = 0; i < k; i++) {
		cell_w(&t, rows[i].self[0], p->scale_digits);
		cell_pct(&t, rows[i].self[0], total);
		cell_w(&t, rows[i].total[0], p->scale_digits);
		cell_pct(&t, rows[i].total[0], total);
		if (diff) {
			fmt_delta(&t.cells, rows[i].total[0], rows[i].total[1], p->scale_digits, 0);
			cell_end(&t, -1);
		}
		size_t len;
		const char *s = flame_strtab_name(&p->names, rows[i].name, &len);
		flame_text_clean(&t.cells, s, len);
		cell_end(&t, -1);
	}
	struct flame_buf b = FLAME_BUF_INIT;
	table_write(&t, &b, o->color);
	int rc = flush(&b, out, err, 1);
	flame_buf_release(&b);
	table_release(&t);
	free(rows);
	free(active);
	return rc;
}

static const struct flame_profile *sort_p;
static const struct col *sort_tot;

static int cmp_child(const void *va, const void *vb)
{
	uint32_t a = *(const uint32_t *)va, b = *(const uint32_t *)vb;
	if (sort_tot[a].w[0] != sort_tot[b].w[0])
		return sort_tot[a].w[0] > sort_tot[b].w[0] ? -1 : 1;
	size_t la, lb;
	const char *na = flame_strtab_name(&sort_p->names, sort_p->nodes[a].name, &la);
	const char *nb = flame_strtab_name(&sort_p->names, sort_p->nodes[b].name, &lb);
	int c = memcmp(na, nb, la < lb ? la : lb);
	return c ? c : (la < lb ? -1 : la > lb);
}

/*
 * The tree is written row by row as it is walked, never held whole: the
 * columns are measured first, in a pass over the rows that will be shown,
 * so that the output can go out in bounded chunks.
 */

/* Rows deeper than this are indented as this deep and carry their depth
 * as a number: full indentation makes the output grow with the square of
 * the depth (a 40,000-frame stack would print 1.6 GB of spaces). */
#define TREE_MAX_INDENT 1000

/* The length of fmt_weight(w, digits). */
static size_t weight_width(uint64_t w, int digits)
{
	uint64_t d = 1;
	for (int i = 0; i < digits; i++)
		d *= 10;
	uint64_t ip = w / d, fp = w % d;
	size_t n = 1;
	for (uint64_t v = ip; v >= 10; v /= 10)
		n++;
	n += (n - 1) / 3;
	if (fp) {
		int nd = digits;
		while (fp % 10 == 0) {
			fp /= 10;
			nd--;
		}
		n += 1 + (size_t)nd;
	}
	return n;
}

struct tree_row {
	struct flame_buf cell[5]; /* the cells before the name */
	double pct[5];            /* their percentages to colour, or -1 */
	int ncells;
};

static void tree_cells(struct tree_row *r, const struct flame_profile *p,
		       const struct flame_text_opts *o, const struct col *tot, uint32_t n,
		       uint64_t total)
{
	uint64_t w[2];
	node_w(p, o, n, w);
	uint64_t sub = n ? tot[n].w[0] : total;
	for (int i = 0; i < 5; i++)
		flame_buf_reset(&r->cell[i]);
	fmt_weight(&r->cell[0], sub, p->scale_digits);
	fmt_pct(&r->cell[1], sub, total);
	fmt_weight(&r->cell[2], w[0], p->scale_digits);
	fmt_pct(&r->cell[3], w[0], total);
	r->pct[0] = r->pct[2] = r->pct[4] = -1;
	r->pct[1] = total ? 100.0 * (double)sub / (double)total : 0;
	r->pct[3] = total ? 100.0 * (double)w[0] / (double)total : 0;
	r->ncells = 4;
	if (p->ncols == 2) {
		fmt_delta(&r->cell[4], tot[n].w[0], tot[n].w[1], p->scale_digits, 0);
		r->ncells = 5;
	}
}

/* One cell as table_write() writes it: padded on the left, coloured. */
static void put_cell(struct flame_buf *b, const char *s, size_t len, size_t width,
		     const char *on)
{
	for (size_t k = len; k < width; k++)
		flame_buf_addc(b, ' ');
	if (on)
		flame_buf_adds(b, on);
	flame_buf_add(b, s, len);
	if (on)
		flame_buf_adds(b, C_RESET);
	flame_buf_add(b, "  ", 2);
}

static void put_row(struct flame_buf *b, const struct tree_row *r, const size_t *width,
		    int color)
{
	for (int c = 0; c < r->ncells; c++) {
		const char *on = NULL;
		if (color && r->pct[c] >= 10)
			on = C_RED;
		else if (color && r->pct[c] >= 1)
			on = C_YELLOW;
		put_cell(b, r->cell[c].data ? r->cell[c].data : "", r->cell[c].len, width[c], on);
	}
}

static void put_name(struct flame_buf *b, const struct flame_profile *p, uint32_t n, size_t depth)
{
	size_t indent = depth < TREE_MAX_INDENT ? depth : TREE_MAX_INDENT;
	for (size_t i = 0; i < indent; i++)
		flame_buf_add(b, "  ", 2);
	if (depth > TREE_MAX_INDENT)
		flame_buf_addf(b, "[depth %zu] ", depth);
	size_t len;
	const char *s = flame_strtab_name(&p->names, p->nodes[n].name, &len);
	flame_text_clean(b, s, len);
	flame_buf_addc(b, '\n');
}

static int write_tree(const struct flame_profile *p, const struct flame_text_opts *o,
		      struct col *tot, struct flame_output *out, struct flame_error *err)
{
	uint64_t total = tot[0].w[0];
	double cut = o->min_percent > 0 ? (double)total * o->min_percent / 100 : 0;
	int diff = p->ncols == 2;
	static const char *const head[] = { "TOTAL", "TOTAL%", "SELF", "SELF%", "DELTA" };
	int ncells = diff ? 5 : 4;
	size_t width[5];
	for (int c = 0; c < ncells; c++)
		width[c] = strlen(head[c]);
	struct tree_row r;
	memset(&r, 0, sizeof(r));

	/* the widths: every shown node (parents come before their children);
	 * a percentage's width grows with its weight, so only the largest
	 * weight's is formatted */
	uint8_t *shown = flame_xcalloc(p->nnodes, 1);
	shown[0] = 1;
	uint64_t max_sub = 0, max_self = 0;
	size_t wcol[3] = { 0, 0, 0 }; /* total, self, delta */
	for (size_t n = 0; n < p->nnodes; n++) {
		if (n) {
			const struct col *c = &tot[n];
			if (!shown[p->nodes[n].parent] || (double)c->w[0] < cut ||
			    (!c->w[0] && !c->w[1]))
				continue;
			shown[n] = 1;
		}
		uint64_t w[2];
		node_w(p, o, (uint32_t)n, w);
		uint64_t sub = n ? tot[n].w[0] : total;
		size_t k = weight_width(sub, p->scale_digits);
		if (k > wcol[0])
			wcol[0] = k;
		k = weight_width(w[0], p->scale_digits);
		if (k > wcol[1])
			wcol[1] = k;
		if (diff) {
			uint64_t a = tot[n].w[0], bf = tot[n].w[1];
			k = 1 + weight_width(a >= bf ? a - bf : bf - a, p->scale_digits);
			if (k > wcol[2])
				wcol[2] = k;
		}
		if (sub > max_sub)
			max_sub = sub;
		if (w[0] > max_self)
			max_self = w[0];
	}
	free(shown);
	struct flame_buf t = FLAME_BUF_INIT;
	fmt_pct(&t, max_sub, total);
	size_t pw[2] = { t.len, 0 };
	flame_buf_reset(&t);
	fmt_pct(&t, max_self, total);
	pw[1] = t.len;
	flame_buf_release(&t);
	size_t got[5] = { wcol[0], pw[0], wcol[1], pw[1], wcol[2] };
	for (int c = 0; c < ncells; c++)
		if (got[c] > width[c])
			width[c] = got[c];

	struct flame_buf b = FLAME_BUF_INIT;
	for (int c = 0; c < ncells; c++)
		put_cell(&b, head[c], strlen(head[c]), width[c], o->color ? C_BOLD : NULL);
	if (o->color)
		flame_buf_adds(&b, C_BOLD "FUNCTION" C_RESET "\n");
	else
		flame_buf_adds(&b, "FUNCTION\n");
	tree_cells(&r, p, o, tot, 0, total);
	put_row(&b, &r, width, o->color);
	flame_buf_adds(&b, "all\n");

	/* depth-first with children sorted by total weight */
	uint32_t *stack = NULL, *kids = NULL;
	size_t nstack = 0, stack_cap = 0, kids_cap = 0;
	size_t *depth = NULL, depth_cap = 0;
	sort_p = p;
	sort_tot = tot;
	FLAME_GROW(stack, stack_cap, 1);
	FLAME_GROW(depth, depth_cap, 1);
	stack[nstack] = 0;
	depth[nstack++] = 0;
	int rc = 0;
	while (nstack && rc == 0) {
		nstack--;
		uint32_t n = stack[nstack];
		size_t d = depth[nstack];
		if (n != 0) {
			tree_cells(&r, p, o, tot, n, total);
			put_row(&b, &r, width, o->color);
			put_name(&b, p, n, d);
			rc = flush(&b, out, err, 0);
		}
		size_t nk = 0;
		for (uint32_t c = p->nodes[n].first_child; c != FLAME_NO_NODE; c = p->nodes[c].next_sibling) {
			if ((double)tot[c].w[0] < cut || (!tot[c].w[0] && !tot[c].w[1]))
				continue;
			FLAME_GROW(kids, kids_cap, nk + 1);
			kids[nk++] = c;
		}
		qsort(kids, nk, sizeof(*kids), cmp_child);
		FLAME_GROW(stack, stack_cap, nstack + nk);
		FLAME_GROW(depth, depth_cap, nstack + nk);
		for (size_t i = nk; i-- > 0;) {
			stack[nstack] = kids[i];
			depth[nstack++] = d + 1;
		}
	}
	if (rc == 0)
		rc = flush(&b, out, err, 1);
	flame_buf_release(&b);
	for (int c = 0; c < 5; c++)
		flame_buf_release(&r.cell[c]);
	free(stack);
	free(kids);
	free(depth);
	return rc;
}

/* Reversed stacks (callees first), for --reverse trees. */
static void reversed(const struct flame_profile *p, struct flame_profile *rp)
{
	flame_profile_init(rp);
	rp->ncols = p->ncols;
	rp->scale_digits = p->scale_digits;
	rp->unit = p->unit;
	uint32_t *ids = NULL;
	size_t cap = 0;
	for (size_t n = 1; n < p->nnodes; n++) {
		const struct flame_node *nd = &p->nodes[n];
		if (!nd->self[0] && !nd->self[1])
			continue;
		size_t d = 0;
		for (uint32_t a = (uint32_t)n; a != 0; a = p->nodes[a].parent) {
			FLAME_GROW(ids, cap, d + 1);
			size_t len;
			const char *s = flame_strtab_name(&p->names, p->nodes[a].name, &len);
			ids[d++] = flame_strtab_intern(&rp->names, s, len);
		}
		flame_profile_add(rp, ids, d, nd->self);
	}
	free(ids);
}

int flame_render_text(const struct flame_profile *p, const struct flame_text_opts *o,
		      struct flame_output *out, struct flame_error *err)
{
	struct flame_profile rp;
	int rev = o->reverse && o->format == FLAME_TEXT_TREE;
	if (rev) {
		reversed(p, &rp);
		p = &rp;
	}
	struct col *tot = flame_xcalloc(p->nnodes, sizeof(*tot));
	for (size_t n = 0; n < p->nnodes; n++)
		node_w(p, o, (uint32_t)n, tot[n].w);
	/* every sum below (a subtree, a function's self or total) is at most
	 * the root's, so the root's fitting in 64 bits is all to check */
	int overflow = 0;
	for (size_t n = p->nnodes; n-- > 1;) {
		uint32_t par = p->nodes[n].parent;
		for (int c = 0; c < 2; c++)
			if (__builtin_add_overflow(tot[par].w[c], tot[n].w[c], &tot[par].w[c])) {
				tot[par].w[c] = UINT64_MAX;
				overflow = 1;
			}
	}
	int rc;
	if (overflow) {
		rc = flame_error_set(err, FLAME_ERR_DATA, NULL, 0,
				     "the total weight does not fit in 64 bits");
	} else if (!tot[0].w[0] && !tot[0].w[1]) {
		rc = flame_error_set(err, FLAME_ERR_DATA, NULL, 0, "no stack counts found");
	} else if (o->format == FLAME_TEXT_TREE) {
		rc = write_tree(p, o, tot, out, err);
	} else {
		rc = write_top(p, o, tot, out, err);
	}
	free(tot);
	if (rev)
		flame_profile_release(&rp);
	return rc;
}

/* ---- the change table of a diff ---- */

struct change_sort {
	const struct flame_profile *p;
	enum flame_diff_sort key;
};

static unsigned __int128 absdiff(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static int cmp_change(const void *va, const void *vb, void *vctx)
{
	const struct change_sort *ctx = vctx;
	const struct top_row *x = va, *y = vb;
	unsigned __int128 kx[2] = { absdiff(x->self[0], x->self[1]), absdiff(x->total[0], x->total[1]) };
	unsigned __int128 ky[2] = { absdiff(y->self[0], y->self[1]), absdiff(y->total[0], y->total[1]) };
	int first = ctx->key == FLAME_DIFF_SORT_SELF ? 0 : 1;
	for (int k = 0; k < 2; k++) {
		int i = k == 0 ? first : 1 - first;
		if (kx[i] != ky[i])
			return kx[i] > ky[i] ? -1 : 1;
	}
	return name_cmp(ctx->p, x->name, y->name);
}

static void fmt_change_pct(struct flame_buf *b, uint64_t before, uint64_t after)
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

int flame_render_diff_top(const struct flame_profile *p, const struct flame_diff_top_opts *o,
			  struct flame_output *out, struct flame_error *err)
{
	size_t nn = p->nnodes, nnames = flame_strtab_count(&p->names);
	/* subtree totals, children after parents in the node array */
	uint64_t (*sub)[2] = flame_xcalloc(nn, sizeof(*sub));
	for (size_t n = nn; n-- > 1;) {
		for (int c = 0; c < 2; c++) {
			uint64_t v = sub[n][c];
			add_sat(&v, p->nodes[n].self[c]);
			sub[n][c] = v;
			uint32_t par = p->nodes[n].parent;
			if (par != FLAME_NO_NODE)
				add_sat(&sub[par][c], v);
		}
	}
	/* per name: self sums; total sums over outermost occurrences only, so
	 * recursion does not count a function twice */
	struct top_row *rows = flame_xcalloc(nnames + 1, sizeof(*rows));
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
		struct top_row *r = &rows[name];
		used[name] = 1;
		for (int c = 0; c < 2; c++) {
			add_sat(&r->self[c], p->nodes[d.node].self[c]);
			if (!onpath[name])
				add_sat(&r->total[c], sub[d.node][c]);
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
	uint64_t floor = o->min_delta ? o->min_delta : 1; /* unchanged functions are never shown */
	size_t nrows = 0, nfuncs = 0;
	for (size_t i = 0; i < nnames; i++) {
		if (!used[i])
			continue;
		nfuncs++;
		struct top_row r = rows[i];
		r.name = (uint32_t)i;
		if (absdiff(r.self[0], r.self[1]) < floor && absdiff(r.total[0], r.total[1]) < floor)
			continue;
		rows[nrows++] = r;
	}
	free(used);
	struct change_sort ctx = { p, o->sort };
	qsort_r(rows, nrows, sizeof(*rows), cmp_change, &ctx);
	size_t shown = o->limit && o->limit < nrows ? (size_t)o->limit : nrows;

	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_adds(&b, "# flame diff: per-function change from BEFORE to AFTER\n");
	flame_buf_addf(&b, "# before: %s, total ", o->before_name ? o->before_name : "BEFORE");
	if (o->normalized) {
		flame_format_weight(&b, o->before_total, digits);
		flame_buf_adds(&b, ", normalized to ");
		flame_format_weight(&b, tb, digits);
		flame_buf_addf(&b, " (x %.6g, -n)\n", (double)o->after_total / (double)o->before_total);
	} else {
		flame_format_weight(&b, tb, digits);
		flame_buf_addc(&b, '\n');
	}
	flame_buf_addf(&b, "# after:  %s, total ", o->after_name ? o->after_name : "AFTER");
	flame_format_weight(&b, ta, digits);
	flame_buf_addc(&b, '\n');
	flame_buf_addf(&b, "# normalized: %s\n",
		       o->normalized ? "yes, BEFORE scaled to AFTER's total"
				     : "no (use -n to scale BEFORE to AFTER's total)");
	flame_buf_addf(&b, "# %zu of %zu functions changed by at least ", nrows, nfuncs);
	flame_format_weight(&b, floor, digits);
	flame_buf_addf(&b, "; sorted by |%s delta|", o->sort == FLAME_DIFF_SORT_SELF ? "self" : "total");
	if (shown < nrows)
		flame_buf_addf(&b, "; first %zu shown", shown);
	flame_buf_addc(&b, '\n');

	/* the table: names as they are, numbers without separators */
	struct table t = { .ncols = 9 };
	static const char *const head[] = { "SELF_BEFORE",  "SELF_AFTER",  "SELF_DELTA",
					    "SELF_DELTA%",  "TOTAL_BEFORE", "TOTAL_AFTER",
					    "TOTAL_DELTA",  "TOTAL_DELTA%", "FUNCTION" };
	for (int c = 0; c < 9; c++)
		cell_s(&t, head[c]);
	for (size_t i = 0; i < shown; i++) {
		const struct top_row *r = &rows[i];
		for (int half = 0; half < 2; half++) {
			const uint64_t *v = half ? r->total : r->self;
			flame_format_weight(&t.cells, v[0], digits);
			cell_end(&t, -1);
			flame_format_weight(&t.cells, v[1], digits);
			cell_end(&t, -1);
			fmt_delta(&t.cells, v[1], v[0], digits, 1);
			cell_end(&t, -1);
			fmt_change_pct(&t.cells, v[0], v[1]);
			cell_end(&t, -1);
		}
		size_t len;
		const char *s = flame_strtab_name(&p->names, r->name, &len);
		flame_buf_add(&t.cells, s, len);
		cell_end(&t, -1);
	}
	table_write(&t, &b, 0);
	int rc = flush(&b, out, err, 1);
	flame_buf_release(&b);
	table_release(&t);
	free(rows);
	return rc;
}
