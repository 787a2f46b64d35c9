/*
 * strtab.h - interned frame names.
 *
 * Every distinct name is stored once, in arena blocks that never move, and
 * gets a dense 32-bit id (0, 1, 2, ...).  Nothing downstream compares
 * strings: equal ids mean equal names.  Pointers returned by
 * flame_strtab_name() stay valid until flame_strtab_release().
 */
#ifndef FLAME_STRTAB_H
#define FLAME_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "hash.h"

struct flame_strtab {
	struct strtab_entry *names; /* id -> (ptr, len, hash) */
	size_t nnames, names_cap;
	struct flame_hindex index;  /* name -> id */
	char *block;                /* current arena block */
	size_t block_used, block_cap;
	char **blocks;              /* every arena block, for release */
	size_t nblocks, blocks_cap;
	size_t bytes;               /* name bytes stored */
};

struct strtab_entry {
	const char *ptr;
	uint32_t len;
	uint64_t hash;
};

void flame_strtab_init(struct flame_strtab *t);
void flame_strtab_release(struct flame_strtab *t);
uint32_t flame_strtab_intern(struct flame_strtab *t, const char *s, size_t n);
/* Id of name s if already interned, else UINT32_MAX. */
uint32_t flame_strtab_find(const struct flame_strtab *t, const char *s, size_t n);

static inline const char *flame_strtab_name(const struct flame_strtab *t, uint32_t id,
					    size_t *len)
{
	*len = t->names[id].len;
	return t->names[id].ptr;
}

static inline size_t flame_strtab_count(const struct flame_strtab *t)
{
	return t->nnames;
}

#endif
