/*
 * stacks.h - a profile's stacks as text (the walk itself is in
 * core/walk.h), and compacting a trie.
 */
#ifndef FLAME_STACKS_H
#define FLAME_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/profile.h"
#include "../core/util.h"
#include "../core/walk.h"

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
