/*
 * svg.h - the SVG document for a finished layout.  Internal to render/:
 * the public entry points and their options are in render.h.
 *
 * flame_render_svg() (a profile) and flame_render_svg_folded() (sorted
 * folded text) each lay out their stacks (layout.h) and hand the layout
 * here to be written.
 */
#ifndef FLAME_RENDER_SVG_H
#define FLAME_RENDER_SVG_H

#include <stdint.h>

#include "layout.h"
#include "render.h"

/* The minimum frame width in counts for a graph of total weight time
 * (profile units at scale_digits fractional digits). */
double render_min_counts(uint64_t time, int scale_digits, const struct flame_render_opts *o);
/* Write the document for the finished layout L: 0 ok, -1 error (err filled). */
int render_write(struct flame_layout *L, uint64_t time, int scale_digits,
		 const struct flame_render_opts *o, struct flame_output *out, struct flame_error *err);

/* The embedded script (render/flamegraph.js, embedded at build time),
 * NUL-terminated. */
extern const char flame_render_js[];

#endif
