#include "walk.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * The sorted walk never sorts whole texts.  The texts below a node share
 * its prefix, so ordering them is ordering, at every node, its children's
 * names -- almost: a child's own stack ends where its name ends, while its
 * descendants continue with ';'.  When one sibling's name is a prefix of
 * another's ("a" and "a.b"), the longer one's texts may fall between the
 * shorter one's own stack ("a") and its descendants ("a;x"), since '.' < ';'.
 * So each child contributes two items, its own stack (name, then end of
 * text) and its subtree (name, then ';'), and the items are sorted.
 * flamegraph.pl's order of lines is the same with " COUNT" in place of
 * the end of the text.
 */
struct item {
	uint32_t node;
	uint32_t sub; /* 0: the child's own stack; 1: the stacks below it */
};

struct order {
	const struct flame_profile *p;
	unsigned flags;
};

/* What follows an item's name in its text: ';' for the stacks below it;
 * for its own stack the end of the text or, in flamegraph.pl's order of
 * lines, " COUNT".  Into b, which the caller releases. */
static void item_tail(const struct flame_profile *p, struct item it, struct flame_buf *b)
{
	if (it.sub) {
		flame_buf_addc(b, ';');
		return;
	}
	flame_buf_addc(b, ' ');
	flame_format_weight(b, p->nodes[it.node].self[0], p->scale_digits);
	if (p->ncols == 2) {
		flame_buf_addc(b, ' ');
		flame_format_weight(b, p->nodes[it.node].self[1], p->scale_digits);
	}
}

/* Compare the texts a1.a2 and b1.b2 (concatenations). */
static int cmp_concat(const char *a1, size_t n1, const char *a2, size_t n2, const char *b1,
		      size_t m1, const char *b2, size_t m2)
{
	size_t na = n1 + n2, nb = m1 + m2;
	for (size_t i = 0; i < na && i < nb; i++) {
		unsigned char ca = (unsigned char)(i < n1 ? a1[i] : a2[i - n1]);
		unsigned char cb = (unsigned char)(i < m1 ? b1[i] : b2[i - m1]);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return na < nb ? -1 : na > nb;
}

/* Lines whose names are a prefix one of the other (xn != yn): the rest
 * of the longer name meets the shorter one's tail. */
static int line_tail_cmp(const struct flame_profile *p, struct item x, const char *xs, size_t xn,
			 struct item y, const char *ys, size_t yn)
{
	struct flame_buf tx = FLAME_BUF_INIT, ty = FLAME_BUF_INIT;
	item_tail(p, x, &tx);
	item_tail(p, y, &ty);
	int c = cmp_concat(xs, xn, tx.data, tx.len, ys, yn, ty.data, ty.len);
	flame_buf_release(&tx);
	flame_buf_release(&ty);
	return c;
}

static int item_cmp(const void *va, const void *vb, void *ctx)
{
	const struct order *o = ctx;
	const struct flame_profile *p = o->p;
	const struct item *x = va, *y = vb;
	if (x->node == y->node)
		return (int)x->sub - (int)y->sub; /* "name" (or "name COUNT") < "name;" */
	size_t xn, yn;
	const char *xs = flame_strtab_name(&p->names, p->nodes[x->node].name, &xn);
	const char *ys = flame_strtab_name(&p->names, p->nodes[y->node].name, &yn);
	size_t m = xn < yn ? xn : yn;
	int c = memcmp(xs, ys, m);
	if (c)
		return c;
	if (xn == yn) /* equal names under one parent: impossible */
		return x->node < y->node ? -1 : 1;
	if (o->flags & FLAME_WALK_PERL_LINES)
		return line_tail_cmp(p, *x, xs, xn, *y, ys, yn);
	if (xn < yn) {
		if (!x->sub)
			return -1;
		return (unsigned char)';' <= (unsigned char)ys[xn] ? -1 : 1;
	}
	if (!y->sub)
		return 1;
	return (unsigned char)xs[yn] < (unsigned char)';' ? -1 : 1;
}

struct frame {
	uint32_t node;
	uint32_t depth;
	size_t begin, end, idx; /* its items in the pool */
};

/* FLAME_GROW, called only when full: the walk pushes once per node. */
#define WALK_GROW(arr, cap, need)                         \
	do {                                              \
		if (__builtin_expect((need) > (cap), 0))  \
			FLAME_GROW(arr, cap, need);       \
	} while (0)

static int is_stack(const struct flame_node *nd, unsigned flags)
{
	return nd->self[0] || nd->self[1] ||
	       ((flags & FLAME_WALK_PERL_LINES) && nd->first_child == FLAME_NO_NODE);
}

int flame_profile_walk(const struct flame_profile *p, const uint8_t *present, unsigned flags,
		      flame_stack_fn fn, void *ctx)
{
	struct item *pool = NULL;
	size_t npool = 0, pool_cap = 0;
	struct frame *fr = NULL;
	size_t nfr = 0, fr_cap = 0;
	size_t *lens = NULL, lens_cap = 0;
	struct flame_buf buf = FLAME_BUF_INIT;
	struct order ord = { p, flags };
	int rc = 0;

	FLAME_GROW(lens, lens_cap, 1);
	lens[0] = 0;
	uint32_t expand = 0, expand_depth = 0;
	for (;;) {
		if (expand != FLAME_NO_NODE) {
			size_t begin = npool;
			for (uint32_t c = p->nodes[expand].first_child; c != FLAME_NO_NODE;
			     c = p->nodes[c].next_sibling) {
				int own = present ? present[c] : is_stack(&p->nodes[c], flags);
				int sub = p->nodes[c].first_child != FLAME_NO_NODE;
				WALK_GROW(pool, pool_cap, npool + 2);
				if (own)
					pool[npool++] = (struct item){ c, 0 };
				if (sub)
					pool[npool++] = (struct item){ c, 1 };
			}
			if ((flags & FLAME_WALK_SORTED) && npool - begin > 1)
				qsort_r(pool + begin, npool - begin, sizeof(*pool), item_cmp, &ord);
			WALK_GROW(fr, fr_cap, nfr + 1);
			fr[nfr++] = (struct frame){ expand, expand_depth, begin, npool, begin };
			expand = FLAME_NO_NODE;
		}
		if (nfr == 0)
			break;
		struct frame *f = &fr[nfr - 1];
		if (f->idx == f->end) {
			npool = f->begin;
			nfr--;
			continue;
		}
		struct item it = pool[f->idx++];
		uint32_t depth = f->depth + 1;
		if (!(flags & FLAME_WALK_DEPTH)) {
			/* the names' bytes are read only here: without text the
			 * walk touches no name it does not compare */
			buf.len = lens[f->depth];
			if (depth > 1)
				flame_buf_addc(&buf, ';');
			size_t len;
			const char *name =
				flame_strtab_name(&p->names, p->nodes[it.node].name, &len);
			flame_buf_add(&buf, name, len);
		}
		if (!it.sub) {
			rc = fn(ctx, it.node, buf.data, (flags & FLAME_WALK_DEPTH) ? depth : buf.len);
			if (rc)
				break;
		} else {
			WALK_GROW(lens, lens_cap, (size_t)depth + 1);
			lens[depth] = buf.len;
			expand = it.node;
			expand_depth = depth;
		}
	}
	free(pool);
	free(fr);
	free(lens);
	flame_buf_release(&buf);
	return rc;
}
