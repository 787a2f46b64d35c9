/*
 * stacks.h - walking a profile's stacks as text, and compacting a trie.
 *
 * A "stack" is a node that carries weight: the frames from the root to it,
 * joined with ';' as in folded text.  The walk builds each text from its
 * parent's in one path buffer, so it costs one name copy per node instead
 * of one per frame of every stack.
 */
#ifndef FLAME_STACKS_H
#define FLAME_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/profile.h"
#include "../core/util.h"

/* Called for each stack; text is valid only during the call.  A non-zero
 * return stops the walk and is returned by flame_stacks_walk(). */
typedef int (*flame_stack_fn)(void *ctx, uint32_t node, const char *text, size_t len);

#define FLAME_WALK_SORTED 1u /* byte-wise order of the texts, as sort(1) in the C locale */

/* Visit every node that has weight (or, when present is not NULL, every
 * node n with present[n] set). */
int flame_stacks_walk(const struct flame_profile *p, const uint8_t *present, unsigned flags,
		      flame_stack_fn fn, void *ctx);

/* Append the stack text of node to out. */
void flame_stack_text(const struct flame_profile *p, uint32_t node, struct flame_buf *out);

/* Replace *p by a copy holding only the nodes that carry weight or lead to
 * weight, with only the names still used; nstacks becomes the number of
 * stacks. */
void flame_profile_compact(struct flame_profile *p);

/* Byte-wise comparison of two stack texts (shorter prefix first), the
 * order of the folded writers. */
int flame_stack_cmp(const char *a, size_t an, const char *b, size_t bn);

#endif
