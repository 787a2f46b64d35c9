/*
 * svg.h - the options of the SVG flame graph (flamegraph.pl's, with the
 * same defaults) and what a rendering reports back.
 *
 * Usage: struct flame_render_opts o; flame_render_opts_init(&o); set the
 * fields you need; flame_render_svg(p, &o, out, &err) (render.h).  Every
 * pointer field is borrowed: it must stay valid during the call, nothing
 * is freed by the renderer.
 *
 * Layout follows flamegraph.pl exactly: stacks are taken in byte-wise
 * order of their folded text ("a;b;c COUNT"), or in input order for a
 * flame chart, and merged with its flow() rule, so the frames, their
 * order, positions and <title> texts are flamegraph.pl's.
 */
#ifndef FLAME_RENDER_SVG_H
#define FLAME_RENDER_SVG_H

#include <stddef.h>
#include <stdint.h>

#include "palette.h"
#include "render.h"

/* One stack in input order (flame charts): the trie leaf it ends at and
 * the weights of this occurrence. */
struct flame_render_step {
	uint32_t leaf;   /* node index in the profile */
	uint64_t w[2];   /* weights, profile units (column 1 only for diffs) */
};

/* A parsed --nameattr file: extra attributes per function name. */
struct flame_nameattr {
	struct nameattr_entry *entries;
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1 */
	size_t nslots;
};

/* What a rendering did, for the caller to report (library code never prints). */
struct flame_render_report {
	uint64_t frames;         /* frames drawn */
	uint64_t pruned_frames;  /* frames narrower than --minwidth, left out */
	uint64_t pruned_weight;  /* weight of the outermost left-out frames, profile units */
	uint64_t total;          /* sum of the stacks' widths, profile units */
	int total_ignored;       /* --total was below the real total and was ignored */
	int empty;               /* no stack had weight: an error SVG was written */
	uint64_t bytes;          /* SVG bytes produced */
};

struct flame_render_opts {
	/* text */
	const char *title;        /* --title; NULL: "Flame Graph", "Icicle Graph" (--inverted)
				     or "Flame Chart" (--flamechart) */
	const char *subtitle;     /* --subtitle; NULL or "": none */
	const char *notes;        /* --notes: an XML comment; NULL: empty */
	const char *count_name;   /* --countname ("samples") */
	const char *name_type;    /* --nametype ("Function:"), shown before the details line */
	const char *encoding;     /* --encoding: XML declaration's encoding; NULL: none */
	/* geometry */
	int width;                /* --width, px (1200) */
	int frame_height;         /* --height, px per frame (16) */
	double min_width;         /* --minwidth (0.1) */
	int min_width_percent;    /* min_width is a percentage of the total, not px */
	const char *font_type;    /* --fonttype ("Verdana") */
	double font_size;         /* --fontsize (12) */
	double font_width;        /* --fontwidth (0.59): average char width / font size */
	/* colours */
	enum flame_palette palette;     /* --colors (hot) */
	const char *bgcolors;           /* --bgcolors: yellow|blue|green|grey|#rrggbb; NULL: by palette */
	enum flame_color_mode color_mode; /* --hash, --random, --deterministic; default by name */
	struct flame_palette_map *palette_map; /* --cp: colours looked up here, new ones added */
	const char *search_color;       /* --search-color (rgb(230,0,230)) */
	/* layout */
	int reverse;              /* --reverse: stacks reversed before merging */
	int inverted;             /* --inverted: icicle graph, root at the top */
	int flamechart;           /* --flamechart: input order, x is time */
	const struct flame_render_step *order; /* input order for --flamechart; NULL: sorted */
	size_t norder;
	int negate;               /* --negate: swap the differential hues */
	double total;             /* --total (0: the profile's total), in count units */
	double factor;            /* --factor (1): counts in titles are multiplied by it */
	enum flame_diff_width diff_width; /* which column gives widths in a diff */
	const struct flame_nameattr *nameattr; /* --nameattr */
	int truncate_left;        /* labels keep the end of a long name ("..name") */
	int javascript;           /* embed the interactive script (1) */
	struct flame_render_report *report; /* filled when not NULL */
};

/* --nameattr: "NAME<TAB>key=value<TAB>key=value..." per line.  Keys:
 * title, href, target, id, class, g_extra, a_extra (the *_extra values are
 * attribute lists 'k="v" k2="v2"').  Unknown keys, bad attribute names,
 * event handlers (on*) and javascript: links are dropped with a warning;
 * warn(ctx, line, message) is called for each (may be NULL). */
void flame_nameattr_init(struct flame_nameattr *na);
void flame_nameattr_release(struct flame_nameattr *na);
int flame_nameattr_parse(struct flame_nameattr *na, const char *buf, size_t len,
			 void (*warn)(void *ctx, uint64_t line, const char *msg), void *ctx,
			 struct flame_error *err);

/* The embedded script (render/flamegraph.js), NUL-terminated. */
extern const char flame_render_js[];

#endif
