/*
 * text.h - text views of a finished profile: the "top" table (one row per
 * function, sorted by self weight), the indented call tree, and the change
 * table of a diff.
 *
 * Columns are aligned, numbers have thousands separators, names are made
 * safe for a terminal (no control characters, invalid UTF-8 replaced).
 * ANSI colours only when asked (the caller decides: a terminal, no NO_COLOR).
 * The tree is written in bounded chunks as it is walked; rows deeper than
 * 1000 keep that indentation and print "[depth N]" before the name.
 * flame_render_text() returns 0, or -1 with err set: FLAME_ERR_DATA when the
 * profile is empty or its total weight does not fit in 64 bits, or the
 * output's error.
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

/*
 * The change table of a diff (`flame diff --format top`): one row per
 * function of a two-column profile (column 0 BEFORE, column 1 AFTER) whose
 * self or total weight changed by at least min_delta, with both columns,
 * the change and the change in percent.  Numbers have no thousands
 * separators and names are written as they are, so the table can be
 * compared and parsed as plain text.
 */
enum flame_diff_sort {
	FLAME_DIFF_SORT_SELF = 0, /* by |self delta|, then |total delta| */
	FLAME_DIFF_SORT_TOTAL,    /* by |total delta|, then |self delta| */
};

struct flame_diff_top_opts {
	enum flame_diff_sort sort;
	uint64_t min_delta;       /* noise floor, profile units (0: 1, unchanged
				     functions are never shown) */
	uint64_t limit;           /* rows at most; 0 = all */
	const char *before_name, *after_name; /* NULL: "BEFORE", "AFTER" */
	int normalized;           /* BEFORE was scaled to AFTER's total */
	uint64_t before_total;    /* normalized: BEFORE's total as read, profile units */
	uint64_t after_total;     /* normalized: AFTER's total, for the scale factor */
};

int flame_render_diff_top(const struct flame_profile *p, const struct flame_diff_top_opts *o,
			  struct flame_output *out, struct flame_error *err);

#endif
