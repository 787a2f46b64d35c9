/*
 * timeline.h - a profile's timeline as the writers that show time lay it
 * out: per thread, in time order.  Public: the time-aware formats' writers
 * and render/'s flame chart use it.  Defined in formats/stackbuild.c.
 *
 * The lists are the caller's: free them with flame_sb_threads_free().
 * The profile and its timeline are only read.
 */
#ifndef FLAME_TIMELINE_H
#define FLAME_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/profile.h"

/* The timeline, if the profile has one that accounts for every weight of
 * the trie (else NULL: writers then use the trie alone). */
const struct flame_timeline *flame_sb_timeline(const struct flame_profile *p);

/* Per-thread sample lists of a timeline, each in time order (stable), laid
 * out without overlap: a sample starts at max(its time, end of the
 * previous one), so every weight is kept exactly. */
struct flame_sb_span {
	uint64_t start, weight; /* start: profile time units; weight: profile units */
	uint32_t leaf;
};
struct flame_sb_thread {
	uint32_t thread;          /* index into the timeline's threads */
	struct flame_sb_span *spans;
	size_t n;
};
/* Threads ordered by (pid, tid, name); returns the count. */
size_t flame_sb_threads(const struct flame_profile *p, const struct flame_timeline *t,
			struct flame_sb_thread **out);
void flame_sb_threads_free(struct flame_sb_thread *th, size_t n);

#endif
