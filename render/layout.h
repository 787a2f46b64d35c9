/*
 * layout.h - flamegraph.pl's flow(): stacks in order become frames.
 *
 * Internal to render/.  Feed stacks with layout_line() in the order
 * flamegraph.pl processes them (byte-wise sorted folded lines, or input
 * order for a flame chart); each line opens the frames that differ from
 * the previous line and closes the others.  Frames narrower than the
 * minimum width are counted and dropped as they close, so memory follows
 * the frames drawn, not the input.  Names are borrowed: the bytes must
 * outlive the layout.
 */
#ifndef FLAME_LAYOUT_H
#define FLAME_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/profile.h"
#include "../core/strtab.h"
#include "render.h"

struct name_ref {
	const char *p;
	size_t len;
};

struct flame_frame {
	const char *name; /* borrowed */
	uint32_t len;
	uint32_t depth;   /* 0 = the root ("all") */
	uint64_t start;   /* profile units */
	uint64_t width;   /* profile units */
	double sd, wd;    /* start and width in counts, summed in floating point as
			     flamegraph.pl sums them (titles, positions, pruning) */
	double delta;     /* differential: after - before of the stacks ending here */
};

struct open_frame {
	struct name_ref name;
	uint64_t start;
	double sd;        /* start in counts, floating point */
	uint64_t pruned;  /* width of closed children that were too narrow */
	double delta;
};

struct flame_layout {
	struct flame_frame *frames; /* kept frames, in the order they closed */
	size_t n, cap;
	uint32_t depthmax;
	uint64_t time;              /* weight laid out so far */
	double time_d;              /* the same in counts, summed in floating point */
	double unit;                /* profile units per count (10^scale_digits) */
	int has_delta;              /* a differential layout */
	double maxdelta;            /* largest |delta| of a stack (at least 1 count) */
	double min_counts;          /* narrower frames (in counts) are dropped */
	uint64_t pruned_frames, pruned_weight;
	int chain;                  /* the chain palette's waker annotation */
	struct flame_strtab extra;  /* names made for the chain palette */
	struct open_frame *open;
	size_t nopen, open_cap;
	struct name_ref *tmp;       /* scratch path */
	size_t tmp_cap;
	struct flame_buf sbuf;      /* scratch text */
};

void layout_init(struct flame_layout *L, double min_counts, int has_delta, double unit, int chain);
void layout_release(struct flame_layout *L);
/* One stack: path[0,n) root-first (without the root), weight w (profile
 * units), delta in counts when has_delta. */
void layout_line(struct flame_layout *L, const struct name_ref *path, size_t n, uint64_t w,
		 double delta);
/* Close every frame (the end of input). */
void layout_finish(struct flame_layout *L);

/* Feed every stack of p in flamegraph.pl's order (see render.h). */
void layout_profile(struct flame_layout *L, const struct flame_profile *p,
		    const struct flame_render_opts *o);
/* Width of one stack of p (node or order step weights) per o->diff_width. */
uint64_t layout_width(const struct flame_profile *p, const uint64_t w[2],
		      enum flame_diff_width dw);

#endif
