/*
 * linecache.h - remember what a distinct input line turned into.
 *
 * Text profiles repeat the same stack lines millions of times.  A reader
 * cleans a line up once, stores the resulting frame ids (root-first) and a
 * flag byte under the line's bytes, and afterwards pays one hash lookup.
 * Memory grows with distinct lines, not with input size.
 */
#ifndef FLAME_LINECACHE_H
#define FLAME_LINECACHE_H

#include <stddef.h>
#include <stdint.h>

struct flame_lc_entry {
	uint64_t hash;
	uint32_t key_off, key_len;
	uint32_t ids_off;
	uint16_t nids;
	uint8_t flags;
	uint8_t used;
};

struct flame_linecache {
	struct flame_lc_entry *slots;
	size_t nslots, used;
	char *keys;
	size_t keys_len, keys_cap;
	uint32_t *ids;
	size_t ids_len, ids_cap;
};

void flame_linecache_init(struct flame_linecache *c);
void flame_linecache_release(struct flame_linecache *c);
/* Look key up (salt distinguishes otherwise equal keys).  Returns the
 * entry, or NULL and sets *slot to where flame_linecache_put() goes. */
const struct flame_lc_entry *flame_linecache_get(struct flame_linecache *c, const char *key,
						 size_t len, uint64_t salt, size_t *slot);
const struct flame_lc_entry *flame_linecache_put(struct flame_linecache *c, size_t slot,
						 const char *key, size_t len, uint64_t salt,
						 const uint32_t *ids, size_t nids, uint8_t flags);

static inline const uint32_t *flame_linecache_ids(const struct flame_linecache *c,
						  const struct flame_lc_entry *e)
{
	return c->ids + e->ids_off;
}

#endif
