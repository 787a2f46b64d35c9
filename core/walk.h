/*
 * walk.h - visiting a profile's stacks as text, in the order of the folded
 * writers (byte-wise, as sort(1) in the C locale) or in trie order.
 *
 * A "stack" is a node that carries weight: the frames from the root to it,
 * joined with ';' as in folded text.  The walk builds each text from its
 * parent's in one path buffer, so it costs one name copy per node instead
 * of one per frame of every stack, and sorts only sibling names, never
 * whole texts.  It keeps no state outside the call: walks of different
 * profiles may run on different threads at once.
 *
 * FLAME_WALK_PERL_LINES gives the order of flamegraph.pl, which sorts whole
 * folded lines ("TEXT COUNT") rather than texts: where one sibling's name
 * is a prefix of another's, a stack's count text takes part in the order
 * ("a 5" against "a 10", "a b;c" against "a 7").  In that order a node
 * without children is a line even when it carries no weight.
 */
#ifndef FLAME_WALK_H
#define FLAME_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "profile.h"

/* Called for each stack; text is valid only during the call.  With
 * FLAME_WALK_DEPTH, text is NULL and len is the depth instead.  A non-zero
 * return stops the walk and is returned by flame_profile_walk(). */
typedef int (*flame_stack_fn)(void *ctx, uint32_t node, const char *text, size_t len);

#define FLAME_WALK_SORTED 1u /* byte-wise order of the texts, as sort(1) in the C locale */
#define FLAME_WALK_PERL_LINES 2u /* with SORTED: byte-wise order of the folded lines,
				    "TEXT COUNT" (two columns: "TEXT C1 C2"),
				    counts as flame_format_weight() writes them;
				    childless nodes are visited too */
#define FLAME_WALK_DEPTH 4u /* build no text: fn gets text NULL and, in len, the
			       stack's depth (its frames, the root not counted) */

/* Visit every node that has weight (with FLAME_WALK_PERL_LINES, also every
 * node without children; when present is not NULL, every node n with
 * present[n] set instead), in trie order or, with FLAME_WALK_SORTED, in the
 * order of the texts (or of the lines). */
int flame_profile_walk(const struct flame_profile *p, const uint8_t *present, unsigned flags,
		       flame_stack_fn fn, void *ctx);

#endif
