/*
 * layout.c - frames from stacks, the way flamegraph.pl's flow() makes them.
 *
 * flamegraph.pl sorts its input lines as text and walks them: a line
 * shares the frames of its common prefix with the line before, closes the
 * rest and opens new ones.  Two frames of the same name at the same depth
 * merge only when their lines are adjacent, so "a;b 1", "a;b-x 1",
 * "a;b;c 1" draw b twice ('-' sorts between ' ' and ';').  core's sorted
 * walk reproduces that order from the trie without building the lines
 * (FLAME_WALK_PERL_LINES in core/walk.h).
 */
#include "layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "../core/walk.h"

void layout_init(struct flame_layout *L, double min_counts, int has_delta, double unit, int chain)
{
	memset(L, 0, sizeof(*L));
	L->min_counts = min_counts;
	L->has_delta = has_delta;
	L->maxdelta = 1; /* flamegraph.pl starts from one count */
	L->unit = unit;
	L->chain = chain;
	flame_strtab_init(&L->extra);
}

void layout_release(struct flame_layout *L)
{
	free(L->frames);
	free(L->open);
	free(L->tmp);
	flame_buf_release(&L->sbuf);
	flame_strtab_release(&L->extra);
	memset(L, 0, sizeof(*L));
}

static inline int name_eq(struct name_ref a, struct name_ref b)
{
	return a.len == b.len && (a.p == b.p || memcmp(a.p, b.p, a.len) == 0);
}

static void close_frame(struct flame_layout *L, size_t i)
{
	struct open_frame *f = &L->open[i];
	uint64_t width = L->time - f->start;
	double wd = L->time_d - f->sd;
	if (wd < L->min_counts) {
		L->pruned_frames++;
		if (i > 0)
			L->open[i - 1].pruned += width;
		else
			L->pruned_weight += width;
		return;
	}
	L->pruned_weight += f->pruned;
	FLAME_GROW(L->frames, L->cap, L->n + 1);
	struct flame_frame *fr = &L->frames[L->n++];
	fr->name = f->name.p;
	fr->len = (uint32_t)f->name.len;
	fr->depth = (uint32_t)i;
	fr->start = f->start;
	fr->width = width;
	fr->sd = f->sd;
	fr->wd = wd;
	fr->delta = f->delta;
	if (i > L->depthmax)
		L->depthmax = (uint32_t)i;
}

static void flow(struct flame_layout *L, const struct name_ref *path, size_t n, uint64_t w,
		 double delta)
{
	/* flamegraph.pl's stack is ['', path...]: index 0 is the root */
	size_t same = 0;
	if (L->nopen) {
		same = 1;
		while (same < L->nopen && same <= n && name_eq(L->open[same].name, path[same - 1]))
			same++;
	}
	while (L->nopen > same)
		close_frame(L, --L->nopen);
	FLAME_GROW(L->open, L->open_cap, n + 1);
	for (size_t i = same; i <= n; i++) {
		struct open_frame *f = &L->open[i];
		f->name = i ? path[i - 1] : (struct name_ref){ "", 0 };
		f->start = L->time;
		f->sd = L->time_d;
		f->pruned = 0;
		f->delta = 0;
	}
	L->nopen = n + 1;
	if (L->has_delta) {
		/* the delta goes to the line's last frame, and only when the line
		 * opened a frame (a repeated line's delta is lost, as in perl) */
		if (same <= n)
			L->open[n].delta += delta;
		double ad = delta < 0 ? -delta : delta;
		if (ad > L->maxdelta)
			L->maxdelta = ad;
	}
	if (__builtin_add_overflow(L->time, w, &L->time))
		L->time = UINT64_MAX;
	/* perl adds each line's count as a floating point number */
	L->time_d += L->unit == 1 ? (double)w : (double)w / L->unit;
}

/* The chain palette marks the frames after each "--" separator as wakers
 * ("_[w]"), on the stack's text exactly as flamegraph.pl does -- including
 * its habit of appending a "--" frame to stacks that have no waker part. */
static size_t chain_transform(struct flame_layout *L, const struct name_ref *path, size_t n,
			      struct name_ref **out)
{
	struct flame_buf *b = &L->sbuf;
	flame_buf_reset(b);
	for (size_t i = 0; i < n; i++) {
		if (i)
			flame_buf_addc(b, ';');
		flame_buf_add(b, path[i].p, path[i].len);
	}
	flame_buf_addc(b, '\0');
	const char *s = b->data;
	size_t slen = b->len - 1;
	/* split /;--;/: fields between separators; trailing empty fields dropped */
	struct flame_buf t = FLAME_BUF_INIT;
	size_t pos = 0, field = 0;
	size_t nfields = 0;
	{
		/* count fields, minding perl's removal of trailing empty ones */
		size_t p2 = 0;
		size_t last_nonempty = 0;
		for (;;) {
			const char *sep = memmem(s + p2, slen - p2, ";--;", 4);
			size_t e = sep ? (size_t)(sep - s) : slen;
			nfields++;
			if (e > p2)
				last_nonempty = nfields;
			if (!sep)
				break;
			p2 = e + 4;
		}
		nfields = last_nonempty;
	}
	for (;;) {
		const char *sep = memmem(s + pos, slen - pos, ";--;", 4);
		size_t e = sep ? (size_t)(sep - s) : slen;
		if (field < nfields) {
			if (field == 0) {
				flame_buf_add(&t, s + pos, e - pos);
				flame_buf_add(&t, ";--;", 4);
			} else {
				if (field > 1)
					flame_buf_add(&t, ";--;", 4);
				for (size_t i = pos; i < e; i++) {
					if (s[i] == ';')
						flame_buf_add(&t, "_[w];", 5);
					else
						flame_buf_addc(&t, s[i]);
				}
				flame_buf_add(&t, "_[w]", 4);
			}
		}
		field++;
		if (!sep)
			break;
		pos = e + 4;
	}
	if (nfields == 0)
		flame_buf_add(&t, ";--;", 4); /* perl: undef . ";--;" */
	/* split ";" with trailing empty fields dropped */
	size_t k = 0;
	const char *ts = t.data ? t.data : "";
	size_t tl = t.len;
	size_t cnt = 0;
	for (size_t i = 0; i <= tl; i++)
		if (i == tl || ts[i] == ';')
			cnt++;
	FLAME_GROW(L->tmp, L->tmp_cap, cnt + 1);
	size_t st = 0;
	for (size_t i = 0; i <= tl; i++) {
		if (i == tl || ts[i] == ';') {
			uint32_t id = flame_strtab_intern(&L->extra, ts + st, i - st);
			size_t len;
			const char *np = flame_strtab_name(&L->extra, id, &len);
			L->tmp[k++] = (struct name_ref){ np, len };
			st = i + 1;
		}
	}
	while (k && L->tmp[k - 1].len == 0)
		k--;
	flame_buf_release(&t);
	*out = L->tmp;
	return k;
}

void layout_line(struct flame_layout *L, const struct name_ref *path, size_t n, uint64_t w,
		 double delta)
{
	if (L->chain) {
		struct name_ref *cp;
		n = chain_transform(L, path, n, &cp);
		flow(L, cp, n, w, delta);
		return;
	}
	/* perl's split drops trailing empty frames ("a;b; 1" is a;b) */
	while (n && path[n - 1].len == 0)
		n--;
	flow(L, path, n, w, delta);
}

void layout_finish(struct flame_layout *L)
{
	while (L->nopen)
		close_frame(L, --L->nopen);
}

uint64_t layout_width(const struct flame_profile *p, const uint64_t w[2], enum flame_diff_width dw)
{
	if (p->ncols < 2)
		return w[0];
	switch (dw) {
	case FLAME_DIFF_WIDTH_BEFORE:
		return w[0];
	case FLAME_DIFF_WIDTH_MAX:
		return w[0] > w[1] ? w[0] : w[1];
	default:
		return w[1];
	}
}

static double pow10i(int d)
{
	double v = 1;
	while (d-- > 0)
		v *= 10;
	return v;
}

/* ---- the sorted walk ---- */

/* flamegraph.pl's lines: a node with weight or without children */
static int is_line(const struct flame_profile *p, uint32_t n)
{
	const struct flame_node *nd = &p->nodes[n];
	return nd->self[0] || nd->self[1] || nd->first_child == FLAME_NO_NODE;
}

struct emitter {
	struct flame_layout *L;
	const struct flame_profile *p;
	const struct flame_render_opts *o;
	double unit;
	uint32_t *nodes;       /* the previous line's path, as nodes */
	struct name_ref *path; /* and as names */
	size_t n, nodes_cap, path_cap;
};

static void emit(struct emitter *e, const struct name_ref *path, size_t n, const uint64_t w[2])
{
	double delta = 0;
	if (e->p->ncols == 2)
		delta = ((double)w[1] - (double)w[0]) / e->unit;
	layout_line(e->L, path, n, layout_width(e->p, w, e->o->diff_width), delta);
}

/* One line of the sorted walk, depth frames deep.  Its path shares a
 * prefix with the one before: climb from the node until an ancestor is
 * where the previous path had it, so only the new frames are looked up. */
static int walk_line(void *ctx, uint32_t node, const char *text, size_t depth)
{
	struct emitter *e = ctx;
	const struct flame_profile *p = e->p;
	(void)text;
	if (depth > e->nodes_cap)
		FLAME_GROW(e->nodes, e->nodes_cap, depth);
	if (depth > e->path_cap)
		FLAME_GROW(e->path, e->path_cap, depth);
	size_t i = depth;
	for (uint32_t a = node; i > 0; a = p->nodes[a].parent) {
		if (i <= e->n && e->nodes[i - 1] == a)
			break;
		i--;
		size_t nl;
		const char *nm = flame_strtab_name(&p->names, p->nodes[a].name, &nl);
		e->nodes[i] = a;
		e->path[i] = (struct name_ref){ nm, nl };
	}
	e->n = depth;
	emit(e, e->path, depth, p->nodes[node].self);
	return 0;
}

/* Every line of p in flamegraph.pl's order: the sorted walk of core with
 * its order of lines. */
static void walk_sorted(struct emitter *e, const struct flame_profile *p)
{
	e->p = p;
	e->n = 0;
	flame_profile_walk(p, NULL, FLAME_WALK_SORTED | FLAME_WALK_PERL_LINES | FLAME_WALK_DEPTH,
			   walk_line, e);
	free(e->nodes);
	free(e->path);
	e->nodes = NULL;
	e->path = NULL;
	e->nodes_cap = e->path_cap = 0;
}

/* The path of node n (root-first, the root excluded) into *path. */
static size_t node_path(const struct flame_profile *p, uint32_t n, struct name_ref **path,
			size_t *cap)
{
	size_t depth = 0;
	for (uint32_t a = n; a != 0 && a != FLAME_NO_NODE; a = p->nodes[a].parent)
		depth++;
	FLAME_GROW(*path, *cap, depth + 1);
	size_t i = depth;
	for (uint32_t a = n; a != 0 && a != FLAME_NO_NODE; a = p->nodes[a].parent) {
		size_t len;
		const char *nm = flame_strtab_name(&p->names, p->nodes[a].name, &len);
		(*path)[--i] = (struct name_ref){ nm, len };
	}
	return depth;
}

static size_t strip_trailing(const struct name_ref *path, size_t n)
{
	while (n && path[n - 1].len == 0)
		n--;
	return n;
}

static void reverse_path(struct name_ref *path, size_t n)
{
	for (size_t i = 0; i < n / 2; i++) {
		struct name_ref t = path[i];
		path[i] = path[n - 1 - i];
		path[n - 1 - i] = t;
	}
}

/* flamegraph.pl --reverse rewrites each line before sorting:
 * join(";", reverse split(";", $stack)). */
static void build_reversed(const struct flame_profile *p, struct flame_profile *rp)
{
	flame_profile_init(rp);
	rp->ncols = p->ncols;
	rp->scale_digits = p->scale_digits;
	rp->unit = p->unit;
	struct name_ref *path = NULL;
	size_t cap = 0;
	uint32_t *ids = NULL;
	size_t ids_cap = 0;
	for (size_t n = 1; n < p->nnodes; n++) {
		if (!is_line(p, (uint32_t)n))
			continue;
		/* two statements: node_path may move path, which an argument
		 * list could have read before the call */
		size_t d = node_path(p, (uint32_t)n, &path, &cap);
		d = strip_trailing(path, d);
		reverse_path(path, d);
		FLAME_GROW(ids, ids_cap, d + 1);
		for (size_t i = 0; i < d; i++)
			ids[i] = flame_strtab_intern(&rp->names, path[i].p, path[i].len);
		flame_profile_add(rp, ids, d, p->nodes[n].self);
	}
	free(path);
	free(ids);
}

void layout_profile(struct flame_layout *L, const struct flame_profile *p,
		    const struct flame_render_opts *o)
{
	struct emitter e = { .L = L, .p = p, .o = o, .unit = pow10i(p->scale_digits) };
	if (o->flamechart && o->order) {
		struct name_ref *path = NULL;
		size_t cap = 0;
		for (size_t i = 0; i < o->norder; i++) {
			uint32_t leaf = o->order[i].leaf;
			if (leaf >= p->nnodes)
				continue;
			size_t d = node_path(p, leaf, &path, &cap);
			if (o->reverse) {
				d = strip_trailing(path, d);
				reverse_path(path, d);
			}
			emit(&e, path, d, o->order[i].w);
		}
		free(path);
		return;
	}
	if (o->reverse) {
		struct flame_profile rp;
		build_reversed(p, &rp);
		walk_sorted(&e, &rp);
		/* names point into rp: keep them alive by copying into L->extra */
		for (size_t i = 0; i < L->n; i++) {
			uint32_t id = flame_strtab_intern(&L->extra, L->frames[i].name, L->frames[i].len);
			size_t len;
			L->frames[i].name = flame_strtab_name(&L->extra, id, &len);
		}
		for (size_t i = 0; i < L->nopen; i++) {
			uint32_t id = flame_strtab_intern(&L->extra, L->open[i].name.p, L->open[i].name.len);
			L->open[i].name.p = flame_strtab_name(&L->extra, id, &L->open[i].name.len);
		}
		flame_profile_release(&rp);
		return;
	}
	walk_sorted(&e, p);
}
