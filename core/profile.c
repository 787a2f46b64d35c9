#include "profile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util.h"

static const uint64_t pow10_tab[] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL,
};

#define WIDE 8 /* children before a node's children go into the hash table */

void flame_profile_init(struct flame_profile *p)
{
	memset(p, 0, sizeof(*p));
	flame_strtab_init(&p->names);
	p->ncols = 1;
	p->nslots = 1024;
	p->child_slots = flame_xcalloc(p->nslots, sizeof(*p->child_slots));
	FLAME_GROW(p->nodes, p->nodes_cap, 1);
	p->nchild = flame_xcalloc(p->nodes_cap, 1);
	p->nodes[0] = (struct flame_node){ UINT32_MAX, FLAME_NO_NODE, FLAME_NO_NODE,
					   FLAME_NO_NODE, { 0, 0 } };
	p->nnodes = 1;
}

static void timeline_free(struct flame_timeline *t);

void flame_profile_release(struct flame_profile *p)
{
	flame_strtab_release(&p->names);
	free(p->nodes);
	free(p->nchild);
	free(p->child_slots);
	if (p->timeline)
		timeline_free(p->timeline);
	memset(p, 0, sizeof(*p));
}

static inline uint64_t child_hash(uint32_t parent, uint32_t name)
{
	return flame_hash_u64(((uint64_t)parent << 32) | name);
}

static void hash_insert(struct flame_profile *p, uint32_t n)
{
	size_t mask = p->nslots - 1;
	size_t i = child_hash(p->nodes[n].parent, p->nodes[n].name) & mask;
	while (p->child_slots[i])
		i = (i + 1) & mask;
	p->child_slots[i] = n + 1;
	p->nhashed++;
}

static void rehash(struct flame_profile *p)
{
	free(p->child_slots);
	p->nslots *= 2;
	p->child_slots = flame_xcalloc(p->nslots, sizeof(*p->child_slots));
	p->nhashed = 0;
	for (size_t n = 1; n < p->nnodes; n++)
		if (p->nchild[p->nodes[n].parent] >= WIDE)
			hash_insert(p, (uint32_t)n);
}

uint32_t flame_profile_child(struct flame_profile *p, uint32_t parent, uint32_t name, int create)
{
	struct flame_node *nodes = p->nodes;
	if (p->nchild[parent] < WIDE) {
		for (uint32_t c = nodes[parent].first_child; c != FLAME_NO_NODE; c = nodes[c].next_sibling)
			if (nodes[c].name == name)
				return c;
	} else {
		size_t mask = p->nslots - 1;
		size_t i = child_hash(parent, name) & mask;
		for (uint32_t v; (v = p->child_slots[i]) != 0; i = (i + 1) & mask)
			if (nodes[v - 1].parent == parent && nodes[v - 1].name == name)
				return v - 1;
	}
	if (!create)
		return FLAME_NO_NODE;
	/* Make room first, while the table matches the nodes exactly: a rehash
	 * after the new node is linked would index some children twice. */
	if ((p->nhashed + WIDE) * 4 > p->nslots * 3)
		rehash(p);
	if (p->nnodes == p->nodes_cap) {
		size_t old = p->nodes_cap;
		FLAME_GROW(p->nodes, p->nodes_cap, p->nnodes + 1);
		p->nchild = flame_xrealloc(p->nchild, p->nodes_cap);
		memset(p->nchild + old, 0, p->nodes_cap - old);
	}
	uint32_t n = (uint32_t)p->nnodes++;
	p->nodes[n] = (struct flame_node){ name, parent, FLAME_NO_NODE,
					   p->nodes[parent].first_child, { 0, 0 } };
	p->nodes[parent].first_child = n;
	p->nchild[n] = 0;
	if (p->nchild[parent] < 255)
		p->nchild[parent]++;
	if (p->nchild[parent] == WIDE) {
		/* the parent just became wide: index all its children */
		for (uint32_t c = p->nodes[parent].first_child; c != FLAME_NO_NODE;
		     c = p->nodes[c].next_sibling)
			hash_insert(p, c);
	} else if (p->nchild[parent] > WIDE) {
		hash_insert(p, n);
	}
	return n;
}

void flame_profile_add_weight(struct flame_profile *p, uint32_t node, const uint64_t w[2])
{
	struct flame_node *nd = &p->nodes[node];
	for (int c = 0; c < 2; c++) {
		if (__builtin_add_overflow(nd->self[c], w[c], &nd->self[c])) {
			nd->self[c] = UINT64_MAX;
			p->overflow = 1;
		}
	}
}

uint32_t flame_profile_add(struct flame_profile *p, const uint32_t *ids, size_t n,
			   const uint64_t w[2])
{
	uint32_t node = 0;
	for (size_t i = 0; i < n; i++)
		node = flame_profile_child(p, node, ids[i], 1);
	flame_profile_add_weight(p, node, w);
	p->nstacks++;
	return node;
}

void flame_profile_rescale(struct flame_profile *p, int digits)
{
	if (digits <= p->scale_digits)
		return;
	uint64_t m = pow10_tab[digits - p->scale_digits];
	for (size_t n = 0; n < p->nnodes; n++) {
		for (int c = 0; c < 2; c++) {
			if (__builtin_mul_overflow(p->nodes[n].self[c], m, &p->nodes[n].self[c])) {
				p->nodes[n].self[c] = UINT64_MAX;
				p->overflow = 1;
			}
		}
	}
	p->scale_digits = digits;
}

/* Merge src into dst; with consume, hand src's node memory back to the
 * system behind the cursor (the pass reads each node once, in order). */
static void merge(struct flame_profile *dst, struct flame_profile *src, int consume)
{
	if (src->scale_digits > dst->scale_digits)
		flame_profile_rescale(dst, src->scale_digits);
	uint64_t m = pow10_tab[dst->scale_digits - src->scale_digits];
	if (src->ncols > dst->ncols)
		dst->ncols = src->ncols;
	dst->overflow |= src->overflow;
	dst->nstacks += src->nstacks;
	if (dst->unit == FLAME_UNIT_SAMPLES)
		dst->unit = src->unit; /* samples is also "not stated" */

	size_t nnames = flame_strtab_count(&src->names);
	uint32_t *map = flame_xmalloc(nnames * sizeof(*map) + 1);
	for (size_t i = 0; i < nnames; i++)
		map[i] = UINT32_MAX;
	/* Nodes are created after their parents, so one forward pass works. */
	uint32_t *to = flame_xmalloc(src->nnodes * sizeof(*to));
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t dropped = ((uintptr_t)src->nodes + pg - 1) & ~(pg - 1);
	if (consume) {
		/* lookups in src are over */
		free(src->child_slots);
		free(src->nchild);
		src->child_slots = NULL;
		src->nchild = NULL;
	}
	to[0] = 0;
	for (size_t n = 1; n < src->nnodes; n++) {
		if (consume && (n & 0xffff) == 0) {
			/* whole pages below node n are read: drop them (the block
			 * stays allocated, its first page and its end untouched) */
			uintptr_t upto = (uintptr_t)&src->nodes[n] & ~(pg - 1);
			if (upto > dropped) {
				madvise((void *)dropped, upto - dropped, MADV_DONTNEED);
				dropped = upto;
			}
		}
		const struct flame_node *sn = &src->nodes[n];
		if (map[sn->name] == UINT32_MAX) {
			size_t len;
			const char *s = flame_strtab_name(&src->names, sn->name, &len);
			map[sn->name] = flame_strtab_intern(&dst->names, s, len);
		}
		to[n] = flame_profile_child(dst, to[sn->parent], map[sn->name], 1);
		if (sn->self[0] || sn->self[1]) {
			uint64_t w[2];
			for (int c = 0; c < 2; c++) {
				if (__builtin_mul_overflow(sn->self[c], m, &w[c])) {
					w[c] = UINT64_MAX;
					dst->overflow = 1;
				}
			}
			flame_profile_add_weight(dst, to[n], w);
		}
	}
	free(to);
	free(map);
}

void flame_profile_merge(struct flame_profile *dst, const struct flame_profile *src)
{
	merge(dst, (struct flame_profile *)src, 0);
}

void flame_profile_merge_consume(struct flame_profile *dst, struct flame_profile *src)
{
	merge(dst, src, 1);
	flame_profile_release(src);
	flame_profile_init(src);
}

uint64_t flame_profile_total(const struct flame_profile *p, int col)
{
	uint64_t t = 0;
	for (size_t n = 0; n < p->nnodes; n++)
		if (__builtin_add_overflow(t, p->nodes[n].self[col], &t))
			return UINT64_MAX;
	return t;
}

void flame_format_weight(struct flame_buf *b, uint64_t w, int scale_digits)
{
	if (scale_digits == 0) {
		flame_buf_add_u64(b, w);
		return;
	}
	uint64_t d = pow10_tab[scale_digits];
	uint64_t ip = w / d, fp = w % d;
	flame_buf_add_u64(b, ip);
	if (fp == 0)
		return;
	char frac[16];
	int nd = scale_digits;
	for (int i = nd - 1; i >= 0; i--) {
		frac[i] = (char)('0' + fp % 10);
		fp /= 10;
	}
	while (nd > 0 && frac[nd - 1] == '0')
		nd--;
	flame_buf_addc(b, '.');
	flame_buf_add(b, frac, (size_t)nd);
}

/* ---- timeline ---- */

struct flame_timeline *flame_profile_timeline_enable(struct flame_profile *p)
{
	if (!p->timeline) {
		p->timeline = flame_xcalloc(1, sizeof(*p->timeline));
		flame_hindex_resize(&p->timeline->thread_index, 64);
	}
	return p->timeline;
}

static void timeline_free(struct flame_timeline *t)
{
	for (size_t i = 0; i < t->nthreads; i++)
		free(t->threads[i].name);
	free(t->threads);
	flame_hindex_release(&t->thread_index);
	free(t->samples);
	free(t);
}

static uint64_t thread_hash(uint32_t pid, uint32_t tid, const char *name, size_t len)
{
	return flame_hash_u64(((uint64_t)pid << 32 | tid) ^ flame_hash(name, len));
}

uint32_t flame_timeline_thread(struct flame_timeline *t, uint32_t pid, uint32_t tid,
			       const char *name, size_t len)
{
	struct flame_hindex *x = &t->thread_index;
	size_t i = flame_hindex_first(x, thread_hash(pid, tid, name, len));
	for (uint32_t v; (v = x->slots[i]) != 0; i = flame_hindex_next(x, i)) {
		const struct flame_thread *th = &t->threads[v - 1];
		if (th->pid == pid && th->tid == tid && strlen(th->name) == len &&
		    memcmp(th->name, name, len) == 0)
			return v - 1;
	}
	FLAME_GROW(t->threads, t->threads_cap, t->nthreads + 1);
	uint32_t idx = (uint32_t)t->nthreads++;
	t->threads[idx] = (struct flame_thread){ pid, tid, flame_xmemdup(name, len) };
	flame_hindex_set(x, i, idx);
	if (t->nthreads * 2 > x->nslots) {
		flame_hindex_resize(x, x->nslots * 2);
		for (uint32_t k = 0; k < t->nthreads; k++) {
			const struct flame_thread *th = &t->threads[k];
			flame_hindex_add(x, thread_hash(th->pid, th->tid, th->name, strlen(th->name)), k);
		}
	}
	return idx;
}

void flame_timeline_add(struct flame_timeline *t, uint32_t leaf, uint32_t thread, uint64_t time,
			uint64_t weight)
{
	FLAME_GROW(t->samples, t->samples_cap, t->nsamples + 1);
	t->samples[t->nsamples++] = (struct flame_sample){ time, weight, leaf, thread };
}
