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
 */
struct item {
	uint32_t node;
	uint32_t sub; /* 0: the child's own stack; 1: the stacks below it */
};

static int item_cmp(const void *va, const void *vb, void *ctx)
{
	const struct flame_profile *p = ctx;
	const struct item *x = va, *y = vb;
	size_t xn, yn;
	const char *xs = flame_strtab_name(&p->names, p->nodes[x->node].name, &xn);
	const char *ys = flame_strtab_name(&p->names, p->nodes[y->node].name, &yn);
	size_t m = xn < yn ? xn : yn;
	int c = memcmp(xs, ys, m);
	if (c)
		return c;
	if (xn == yn) {
		if (x->node != y->node) /* equal names under one parent: impossible */
			return x->node < y->node ? -1 : 1;
		return (int)x->sub - (int)y->sub;
	}
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

static int has_weight(const struct flame_node *nd)
{
	return nd->self[0] || nd->self[1];
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
	int rc = 0;

	FLAME_GROW(lens, lens_cap, 1);
	lens[0] = 0;
	uint32_t expand = 0, expand_depth = 0;
	for (;;) {
		if (expand != FLAME_NO_NODE) {
			size_t begin = npool;
			for (uint32_t c = p->nodes[expand].first_child; c != FLAME_NO_NODE;
			     c = p->nodes[c].next_sibling) {
				int own = present ? present[c] : has_weight(&p->nodes[c]);
				int sub = p->nodes[c].first_child != FLAME_NO_NODE;
				FLAME_GROW(pool, pool_cap, npool + 2);
				if (own)
					pool[npool++] = (struct item){ c, 0 };
				if (sub)
					pool[npool++] = (struct item){ c, 1 };
			}
			if ((flags & FLAME_WALK_SORTED) && npool - begin > 1)
				qsort_r(pool + begin, npool - begin, sizeof(*pool), item_cmp, (void *)p);
			FLAME_GROW(fr, fr_cap, nfr + 1);
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
		buf.len = lens[f->depth];
		if (depth > 1)
			flame_buf_addc(&buf, ';');
		size_t len;
		const char *name = flame_strtab_name(&p->names, p->nodes[it.node].name, &len);
		flame_buf_add(&buf, name, len);
		if (!it.sub) {
			rc = fn(ctx, it.node, buf.data, buf.len);
			if (rc)
				break;
		} else {
			FLAME_GROW(lens, lens_cap, (size_t)depth + 1);
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
