/*
 * hash.h - an open-addressing index of 32-bit ids, for tables whose entries
 * live in the caller's own array (names, nodes, threads).  The index holds
 * only id + 1 per slot (0 = empty) and probes linearly; the caller keeps
 * the entries, computes the hashes and decides equality, so a lookup is
 * the caller's loop over flame_hindex_first/next with its own comparison
 * inlined:
 *
 *	for (size_t i = flame_hindex_first(x, h); (v = x->slots[i]) != 0;
 *	     i = flame_hindex_next(x, i))
 *		if (entry[v - 1] matches)
 *			return v - 1;
 *	flame_hindex_set(x, i, new_id);   (slot i is the empty one found)
 *
 * Growing is the caller's too, because only it knows which ids belong in
 * the index: flame_hindex_resize() empties it at a new size, then
 * flame_hindex_add() puts each id back.  The size is always a power of two.
 */
#ifndef FLAME_HASH_H
#define FLAME_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "util.h"

struct flame_hindex {
	uint32_t *slots; /* id + 1; 0 = empty */
	size_t nslots;   /* power of two; 0 before flame_hindex_resize */
};

/* Empty x and give it nslots slots (a power of two); frees the old ones. */
static inline void flame_hindex_resize(struct flame_hindex *x, size_t nslots)
{
	free(x->slots);
	x->slots = flame_xcalloc(nslots, sizeof(*x->slots));
	x->nslots = nslots;
}

static inline void flame_hindex_release(struct flame_hindex *x)
{
	free(x->slots);
	x->slots = NULL;
	x->nslots = 0;
}

/* The first slot to look at for hash h, and the one after slot i. */
static inline size_t flame_hindex_first(const struct flame_hindex *x, uint64_t h)
{
	return (size_t)h & (x->nslots - 1);
}

static inline size_t flame_hindex_next(const struct flame_hindex *x, size_t i)
{
	return (i + 1) & (x->nslots - 1);
}

/* Store id in slot i (an empty slot a lookup ended on). */
static inline void flame_hindex_set(struct flame_hindex *x, size_t i, uint32_t id)
{
	x->slots[i] = id + 1;
}

/* Insert id under hash h without looking for an equal entry (rebuilding
 * after a resize, when every id is known to be distinct). */
static inline void flame_hindex_add(struct flame_hindex *x, uint64_t h, uint32_t id)
{
	size_t i = flame_hindex_first(x, h);
	while (x->slots[i])
		i = flame_hindex_next(x, i);
	x->slots[i] = id + 1;
}

#endif
