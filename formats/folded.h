/*
 * folded.h - folded-stack output helpers shared by writers.
 */
#ifndef FLAME_FOLDED_H
#define FLAME_FOLDED_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/profile.h"
#include "../core/util.h"
#include "foldedline.h"

struct flame_output;

/* Every stack with weight, as "frame;frame;leaf" text, sorted byte-wise. */
struct flame_folded_lines {
	struct flame_buf text;
	struct line_ref *refs;
	size_t n;
};

int flame_folded_lines(const struct flame_profile *p, struct flame_folded_lines *fl);
void flame_folded_lines_release(struct flame_folded_lines *fl);

/* Call fn for every stack with weight, in byte-wise order of the folded
 * text ("a;b;c", NUL-terminated, valid during the call), without building
 * all lines in memory.  A non-zero return from fn stops the walk and is
 * returned. */
int flame_folded_walk(const struct flame_profile *p,
		      int (*fn)(void *ctx, const char *path, size_t len, uint32_t node), void *ctx);

/* Write p as folded text, sorted like the reference tools. */
int flame_folded_write(const struct flame_profile *p, struct flame_output *out,
		       struct flame_error *err);

/* Write a two-column profile (a diff) as difffolded.pl's "STACK BEFORE
 * AFTER" lines, sorted byte-wise by stack: every node n with present[n]
 * set (NULL: every node with weight in either column), so a stack whose
 * BEFORE weight was normalised down to zero is still written. */
int flame_folded_write_diff(const struct flame_profile *p, const uint8_t *present,
			    struct flame_output *out, struct flame_error *err);

#endif
