/*
 * diff.h - comparing two profiles: one trie, two weight columns.
 *
 * flame_diff_combine() puts BEFORE's weights in column 0 and AFTER's in
 * column 1 of one profile, so a stack present in only one input is a node
 * with a zero on the other side and is never lost.  The writers turn the
 * result into difffolded.pl's "STACK BEFORE AFTER" lines or into a table
 * of per-function changes.
 */
#ifndef FLAME_DIFF_H
#define FLAME_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/io.h"
#include "../core/profile.h"
#include "canon.h"

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

/* "STACK BEFORE AFTER" lines, sorted byte-wise by stack. */
int flame_diff_write_folded(const struct flame_profile *p, const uint8_t *present,
			    struct flame_output *out, struct flame_error *err);

enum flame_diff_sort {
	FLAME_DIFF_SORT_SELF = 0,
	FLAME_DIFF_SORT_TOTAL,
};

struct flame_diff_top_opts {
	enum flame_diff_sort sort;
	struct flame_decimal min_delta; /* noise floor, in weight units or percent */
	int min_delta_percent;          /* min_delta is a percentage of the larger total */
	uint64_t limit;                 /* rows at most; 0 = all */
	const char *before_name, *after_name;
};

/* The per-function table of `flame diff --format top`. */
int flame_diff_write_top(const struct flame_profile *p, const struct flame_diff_totals *tot,
			 const struct flame_diff_top_opts *o, struct flame_output *out,
			 struct flame_error *err);

#endif
