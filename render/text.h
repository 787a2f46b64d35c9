/*
 * text.h - text views of a finished profile: the "top" table (one row per
 * function, sorted by self weight) and the indented call tree.
 *
 * Columns are aligned, numbers have thousands separators, names are made
 * safe for a terminal (no control characters, invalid UTF-8 replaced).
 * ANSI colours only when asked (the caller decides: a terminal, no NO_COLOR).
 */
#ifndef FLAME_RENDER_TEXT_H
#define FLAME_RENDER_TEXT_H

#include <stdint.h>

#include "render.h"

enum flame_text_format {
	FLAME_TEXT_TOP = 0,
	FLAME_TEXT_TREE,
};

struct flame_text_opts {
	enum flame_text_format format;
	uint64_t limit;          /* top: at most this many rows (0: all) */
	double min_percent;      /* tree: leave out subtrees under this % of the total */
	int color;               /* ANSI colours */
	int reverse;             /* tree: stacks reversed (callees at the root) */
	enum flame_diff_width diff_width; /* diffs: which column is the weight */
};

void flame_text_opts_init(struct flame_text_opts *o);
int flame_render_text(const struct flame_profile *p, const struct flame_text_opts *o,
		      struct flame_output *out, struct flame_error *err);

#endif
