/*
 * render.h - views of a finished profile: the SVG flame graph and the text
 * views.  Writers never print and never exit: they write to a flame_output
 * and report problems through struct flame_error.
 *
 * A profile with two weight columns (p->ncols == 2: before, after) renders
 * as a differential flame graph, coloured by the change like flamegraph.pl;
 * which column gives the widths is o->diff_width.
 *
 * struct flame_render_opts is defined in render/svg.h (its fields mirror
 * flamegraph.pl's options); flame_render_opts_init() fills the defaults.
 */
#ifndef FLAME_RENDER_H
#define FLAME_RENDER_H

#include "../core/error.h"
#include "../core/io.h"
#include "../core/profile.h"

enum flame_diff_width {
	FLAME_DIFF_WIDTH_AFTER = 0, /* flamegraph.pl: widths from the second column */
	FLAME_DIFF_WIDTH_BEFORE,
	FLAME_DIFF_WIDTH_MAX,       /* max(before, after): removed paths stay visible */
};

struct flame_render_opts;

void flame_render_opts_init(struct flame_render_opts *o);
int flame_render_svg(const struct flame_profile *p, const struct flame_render_opts *o,
		     struct flame_output *out, struct flame_error *err);

#endif
