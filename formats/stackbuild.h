/*
 * stackbuild.h - helpers shared by the readers and writers of the formats
 * that carry units and time (speedscope, Chrome, .cpuprofile, Firefox,
 * pprof, d3): exact unit conversion of JSON numbers and timeline samples.
 * The per-thread sample lists the time-aware writers lay out are public,
 * in timeline.h.
 */
#ifndef FLAME_STACKBUILD_H
#define FLAME_STACKBUILD_H

#include <stddef.h>
#include <stdint.h>

#include "../core/profile.h"
#include "../core/util.h"
#include "timeline.h"

/* Decimal text (a JSON number) times 10^shift as a weight at p's fixed
 * point scale; p (and its timeline) is rescaled when the number has more
 * fractional digits (up to FLAME_MAX_SCALE_DIGITS; more are cut).
 * 0 ok; -1 not a non-negative number; -2 too large. */
int flame_sb_fixed(struct flame_profile *p, const char *s, size_t n, int shift, uint64_t *out);

/* Rescale p's weights and its timeline's weights and times. */
void flame_sb_rescale(struct flame_profile *p, int digits);

/* A unit name as speedscope writes it ("nanoseconds", "bytes", "none"...):
 * the profile unit and the power of ten to nanoseconds.  0 if unknown. */
int flame_sb_unit(const char *s, size_t n, enum flame_unit *unit, int *shift);

/* Append a timeline sample; merged into the previous one when it is the
 * same leaf and thread and starts where that one ends. */
void flame_sb_sample(struct flame_timeline *t, uint32_t leaf, uint32_t thread, uint64_t time,
		     uint64_t weight);

/* Walk from node to the root: fills path (root-first) and returns the depth. */
size_t flame_sb_path(const struct flame_profile *p, uint32_t node, uint32_t **path, size_t *cap);

/* Nodes with a nonzero self weight (column 0) in folded (byte) order. */
size_t flame_sb_leaves(const struct flame_profile *p, uint32_t **out);

/* "profile" or "ns"-style unit names for writers. */
const char *flame_sb_unit_name(const struct flame_profile *p); /* speedscope unit */

#endif
