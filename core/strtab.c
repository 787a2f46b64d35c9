#include "strtab.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BLOCK_SIZE (64 * 1024)

void flame_strtab_init(struct flame_strtab *t)
{
	memset(t, 0, sizeof(*t));
	t->nslots = 1024;
	t->slots = flame_xcalloc(t->nslots, sizeof(*t->slots));
}

void flame_strtab_release(struct flame_strtab *t)
{
	for (size_t i = 0; i < t->nblocks; i++)
		free(t->blocks[i]);
	free(t->blocks);
	free(t->names);
	free(t->slots);
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
	size_t nslots = t->nslots * 2;
	uint32_t *slots = flame_xcalloc(nslots, sizeof(*slots));
	for (size_t id = 0; id < t->nnames; id++) {
		size_t i = t->names[id].hash & (nslots - 1);
		while (slots[i])
			i = (i + 1) & (nslots - 1);
		slots[i] = (uint32_t)id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
}

static size_t probe(const struct flame_strtab *t, const char *s, size_t n, uint64_t h)
{
	size_t i = h & (t->nslots - 1);
	for (;;) {
		uint32_t v = t->slots[i];
		if (!v)
			return i;
		const struct strtab_entry *e = &t->names[v - 1];
		if (e->hash == h && e->len == n && memcmp(e->ptr, s, n) == 0)
			return i;
		i = (i + 1) & (t->nslots - 1);
	}
}

uint32_t flame_strtab_find(const struct flame_strtab *t, const char *s, size_t n)
{
	uint64_t h = flame_hash(s, n);
	uint32_t v = t->slots[probe(t, s, n, h)];
	return v ? v - 1 : UINT32_MAX;
}

uint32_t flame_strtab_intern(struct flame_strtab *t, const char *s, size_t n)
{
	uint64_t h = flame_hash(s, n);
	size_t i = probe(t, s, n, h);
	if (t->slots[i])
		return t->slots[i] - 1;
	FLAME_GROW(t->names, t->names_cap, t->nnames + 1);
	uint32_t id = (uint32_t)t->nnames++;
	t->names[id].ptr = arena_copy(t, s, n);
	t->names[id].len = (uint32_t)n;
	t->names[id].hash = h;
	t->bytes += n;
	t->slots[i] = id + 1;
	if (t->nnames * 4 > t->nslots * 3)
		rehash(t);
	return id;
}
