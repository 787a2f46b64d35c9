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

static int has_weight(const struct flame_node *nd)
{
	return nd->self[0] || nd->self[1];
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
