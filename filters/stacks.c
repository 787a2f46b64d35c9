#include "stacks.h"

#include <stdlib.h>
#include <string.h>

int flame_stack_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t n = an < bn ? an : bn;
	int c = memcmp(a, b, n);
	if (c)
		return c;
	return an < bn ? -1 : an > bn;
}

void flame_stack_text(const struct flame_profile *p, uint32_t node, struct flame_buf *out)
{
	uint32_t chain[64], *ch = chain;
	size_t depth = 0, cap = 64;
	for (uint32_t a = node; a != 0 && a != FLAME_NO_NODE; a = p->nodes[a].parent) {
		if (depth == cap) {
			uint32_t *n = flame_xmalloc(2 * cap * sizeof(*n));
			memcpy(n, ch, depth * sizeof(*n));
			if (ch != chain)
				free(ch);
			ch = n;
			cap *= 2;
		}
		ch[depth++] = a;
	}
	for (size_t i = depth; i-- > 0;) {
		size_t len;
		const char *s = flame_strtab_name(&p->names, p->nodes[ch[i]].name, &len);
		flame_buf_add(out, s, len);
		if (i)
			flame_buf_addc(out, ';');
	}
	if (ch != chain)
		free(ch);
}

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

int flame_stacks_walk(const struct flame_profile *p, const uint8_t *present, unsigned flags,
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

void flame_profile_compact(struct flame_profile *p)
{
	size_t nn = p->nnodes;
	uint8_t *alive = flame_xcalloc(nn, 1);
	for (size_t n = nn; n-- > 1;) {
		if (has_weight(&p->nodes[n]))
			alive[n] = 1;
		if (alive[n])
			alive[p->nodes[n].parent] = 1;
	}
	struct flame_profile np;
	flame_profile_init(&np);
	np.ncols = p->ncols;
	np.scale_digits = p->scale_digits;
	np.unit = p->unit;
	np.overflow = p->overflow;
	size_t nnames = flame_strtab_count(&p->names);
	uint32_t *map = flame_xmalloc((nnames + 1) * sizeof(*map));
	memset(map, 0xff, (nnames + 1) * sizeof(*map));
	uint32_t *to = flame_xmalloc(nn * sizeof(*to));
	to[0] = 0;
	uint64_t nstacks = 0;
	for (size_t n = 1; n < nn; n++) {
		if (!alive[n])
			continue;
		const struct flame_node *nd = &p->nodes[n];
		if (map[nd->name] == UINT32_MAX) {
			size_t len;
			const char *s = flame_strtab_name(&p->names, nd->name, &len);
			map[nd->name] = flame_strtab_intern(&np.names, s, len);
		}
		to[n] = flame_profile_child(&np, to[nd->parent], map[nd->name], 1);
		if (has_weight(nd)) {
			flame_profile_add_weight(&np, to[n], nd->self);
			nstacks++;
		}
	}
	np.nstacks = nstacks;
	np.overflow = p->overflow;
	free(to);
	free(map);
	free(alive);
	flame_profile_release(p);
	*p = np;
}
