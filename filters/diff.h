/*
 * diff.h - comparing two profiles: one trie, two weight columns.
 *
 * flame_diff_combine() puts BEFORE's weights in column 0 and AFTER's in
 * column 1 of one profile, so a stack present in only one input is a node
 * with a zero on the other side and is never lost.  The writers of the
 * result are elsewhere: difffolded.pl's "STACK BEFORE AFTER" lines in
 * formats/folded.h (flame_folded_write_diff), the table of per-function
 * changes in render/text.h (flame_render_diff_top).
 */
#ifndef FLAME_DIFF_H
#define FLAME_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/io.h"
#include "../core/profile.h"
#include "canon.h"
#include "names.h"

struct flame_diff_opts {
	int normalize; /* -n: scale BEFORE to AFTER's total */
	int strip_hex; /* -s: "0x1a2b" -> "0x..." in frame names */
};

/*
 * Build out (initialised here) from before and after, which must have one
 * weight column each.  *present receives a malloc'd flag per node of out:
 * the stacks to write (those with weight in either input, decided before
 * normalisation, which may round a small BEFORE count down to zero).
 * Normalisation is exact: every BEFORE weight w becomes
 * floor(w * total_after / total_before) in the profile's fixed point.
 */
int flame_diff_combine(const struct flame_profile *before, const struct flame_profile *after,
		       const struct flame_diff_opts *o, struct flame_profile *out, uint8_t **present,
		       struct flame_diff_totals *tot, struct flame_error *err);

/* The noise floor of the change table (flame_render_diff_top(),
 * render/text.h) for --min-delta: min in weight units at p's scale, or
 * with percent, min percent of the larger of p's two totals, rounded up.
 * Saturates at UINT64_MAX. */
uint64_t flame_diff_min_delta(const struct flame_profile *p, const struct flame_decimal *min,
			      int percent);

#endif
