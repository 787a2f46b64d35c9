#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BLOCK_SIZE (64 * 1024)

void flame_strtab_init(struct flame_strtab *t)
{
	memset(t, 0, sizeof(*t));
	flame_hindex_resize(&t->index, 1024);
}

void flame_strtab_release(struct flame_strtab *t)
{
	for (size_t i = 0; i < t->nblocks; i++)
		free(t->blocks[i]);
	free(t->blocks);
	free(t->names);
	flame_hindex_release(&t->index);
	memset(t, 0, sizeof(*t));
}

static char *arena_copy(struct flame_strtab *t, const char *s, size_t n)
{
	if (t->block_used + n + 1 > t->block_cap) {
		size_t cap = n + 1 > BLOCK_SIZE ? n + 1 : BLOCK_SIZE;
		t->block = flame_xmalloc(cap);
		t->block_cap = cap;
		t->block_used = 0;
		FLAME_GROW(t->blocks, t->blocks_cap, t->nblocks + 1);
		t->blocks[t->nblocks++] = t->block;
	}
	char *p = t->block + t->block_used;
	memcpy(p, s, n);
	p[n] = '\0';
	t->block_used += n + 1;
	return p;
}

static void rehash(struct flame_strtab *t)
{
	flame_hindex_resize(&t->index, t->index.nslots * 2);
	for (size_t id = 0; id < t->nnames; id++)
		flame_hindex_add(&t->index, t->names[id].hash, (uint32_t)id);
}

static size_t probe(const struct flame_strtab *t, const char *s, size_t n, uint64_t h)
{
	size_t i = flame_hindex_first(&t->index, h);
	for (;;) {
		uint32_t v = t->index.slots[i];
		if (!v)
			return i;
		const struct strtab_entry *e = &t->names[v - 1];
		if (e->hash == h && e->len == n && memcmp(e->ptr, s, n) == 0)
			return i;
		i = flame_hindex_next(&t->index, i);
	}
}

uint32_t flame_strtab_find(const struct flame_strtab *t, const char *s, size_t n)
{
	uint64_t h = flame_hash(s, n);
	uint32_t v = t->index.slots[probe(t, s, n, h)];
	return v ? v - 1 : UINT32_MAX;
}

uint32_t flame_strtab_intern(struct flame_strtab *t, const char *s, size_t n)
{
	uint64_t h = flame_hash(s, n);
	size_t i = probe(t, s, n, h);
	if (t->index.slots[i])
		return t->index.slots[i] - 1;
	FLAME_GROW(t->names, t->names_cap, t->nnames + 1);
	uint32_t id = (uint32_t)t->nnames++;
	t->names[id].ptr = arena_copy(t, s, n);
	t->names[id].len = (uint32_t)n;
	t->names[id].hash = h;
	t->bytes += n;
	flame_hindex_set(&t->index, i, id);
	if (t->nnames * 4 > t->index.nslots * 3)
		rehash(t);
	return id;
}
