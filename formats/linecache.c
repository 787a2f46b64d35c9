#include "linecache.h"

#include <stdlib.h>
#include <string.h>

#include "../core/util.h"

static void grow(struct flame_linecache *c)
{
	size_t nslots = c->nslots ? c->nslots * 2 : 4096;
	struct flame_lc_entry *t = flame_xcalloc(nslots, sizeof(*t));
	for (size_t i = 0; i < c->nslots; i++) {
		if (!c->slots[i].used)
			continue;
		size_t j = c->slots[i].hash & (nslots - 1);
		while (t[j].used)
			j = (j + 1) & (nslots - 1);
		t[j] = c->slots[i];
	}
	free(c->slots);
	c->slots = t;
	c->nslots = nslots;
}

void flame_linecache_init(struct flame_linecache *c)
{
	memset(c, 0, sizeof(*c));
	grow(c);
}

void flame_linecache_release(struct flame_linecache *c)
{
	free(c->slots);
	free(c->keys);
	free(c->ids);
	memset(c, 0, sizeof(*c));
}

const struct flame_lc_entry *flame_linecache_get(struct flame_linecache *c, const char *key,
						 size_t len, uint64_t salt, size_t *slot)
{
	if (c->used * 2 >= c->nslots)
		grow(c);
	uint64_t h = flame_hash(key, len) ^ salt;
	size_t mask = c->nslots - 1, i = h & mask;
	for (;;) {
		const struct flame_lc_entry *e = &c->slots[i];
		if (!e->used)
			break;
		if (e->hash == h && e->key_len == len && memcmp(c->keys + e->key_off, key, len) == 0)
			return e;
		i = (i + 1) & mask;
	}
	*slot = i;
	return NULL;
}

const struct flame_lc_entry *flame_linecache_put(struct flame_linecache *c, size_t slot,
						 const char *key, size_t len, uint64_t salt,
						 const uint32_t *ids, size_t nids, uint8_t flags)
{
	if (nids > UINT16_MAX)
		nids = UINT16_MAX;
	FLAME_GROW(c->keys, c->keys_cap, c->keys_len + len + 1);
	memcpy(c->keys + c->keys_len, key, len);
	FLAME_GROW(c->ids, c->ids_cap, c->ids_len + nids + 1);
	if (nids)
		memcpy(c->ids + c->ids_len, ids, nids * sizeof(*ids));
	struct flame_lc_entry *e = &c->slots[slot];
	e->hash = flame_hash(key, len) ^ salt;
	e->key_off = (uint32_t)c->keys_len;
	e->key_len = (uint32_t)len;
	e->ids_off = (uint32_t)c->ids_len;
	e->nids = (uint16_t)nids;
	e->flags = flags;
	e->used = 1;
	c->keys_len += len;
	c->ids_len += nids;
	c->used++;
	return e;
}
