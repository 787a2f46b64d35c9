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

/* The unit line "# unit=NAME": NAME is ns (FLAME_UNIT_NANOSECONDS), bytes,
 * events or samples (the default, never written).  flame_folded_unit_line
 * returns 1 and sets *u for such a line (trailing blanks ignored), -1 for
 * "# unit=" with another name, 0 for any other line.  The reader takes it
 * only as a file's first non-empty line. */
int flame_folded_unit_line(const char *line, size_t n, enum flame_unit *u);
/* The name of u in that line; NULL for none. */
const char *flame_folded_unit_name(enum flame_unit u);

/* Write p as folded text, sorted like the reference tools, after the unit
 * line when p's unit is not samples. */
int flame_folded_write(const struct flame_profile *p, struct flame_output *out,
		       struct flame_error *err);

/* Write a two-column profile (a diff) as difffolded.pl's "STACK BEFORE
 * AFTER" lines, sorted byte-wise by stack: every node n with present[n]
 * set (NULL: every node with weight in either column), so a stack whose
 * BEFORE weight was normalised down to zero is still written. */
int flame_folded_write_diff(const struct flame_profile *p, const uint8_t *present,
			    struct flame_output *out, struct flame_error *err);

#endif
