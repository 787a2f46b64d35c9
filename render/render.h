/*
 * render.h - the public interface of render/: the SVG flame graph, from a
 * finished profile or straight from sorted folded text, with its options
 * and what a rendering reports back.  The text views are in render/text.h.
 *
 * Writers never print and never exit: they write to a flame_output and
 * report problems through struct flame_error.
 *
 * Usage: struct flame_render_opts o; flame_render_opts_init(&o); set the
 * fields you need; flame_render_svg(p, &o, out, &err).  Every pointer
 * field is borrowed: it must stay valid during the call, nothing is freed
 * by the renderer.
 *
 * Layout follows flamegraph.pl exactly: stacks are taken in byte-wise
 * order of their folded text ("a;b;c COUNT"), or in input order for a
 * flame chart, and merged with its flow() rule, so the frames, their
 * order, positions and <title> texts are flamegraph.pl's.
 *
 * A profile with two weight columns (p->ncols == 2: before, after) renders
 * as a differential flame graph, coloured by the change like flamegraph.pl;
 * which column gives the widths is o->diff_width.
 */
#ifndef FLAME_RENDER_H
#define FLAME_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/hash.h"
#include "../core/io.h"
#include "../core/profile.h"
#include "../core/util.h"

enum flame_diff_width {
	FLAME_DIFF_WIDTH_AFTER = 0, /* flamegraph.pl: widths from the second column */
	FLAME_DIFF_WIDTH_BEFORE,
	FLAME_DIFF_WIDTH_MAX,       /* max(before, after): removed paths stay visible */
};

/* ---- colours (render/palette.c) ---- */

#define FLAME_COLOR_MAX 24 /* "rgb(255,255,255)" plus room */

enum flame_palette {
	FLAME_PALETTE_HOT = 0,
	FLAME_PALETTE_MEM,
	FLAME_PALETTE_IO,
	FLAME_PALETTE_WAKEUP,
	FLAME_PALETTE_CHAIN,
	FLAME_PALETTE_JAVA,
	FLAME_PALETTE_JS,
	FLAME_PALETTE_PERL,
	FLAME_PALETTE_RED,
	FLAME_PALETTE_GREEN,
	FLAME_PALETTE_BLUE,
	FLAME_PALETTE_AQUA,
	FLAME_PALETTE_YELLOW,
	FLAME_PALETTE_PURPLE,
	FLAME_PALETTE_ORANGE,
	FLAME_PALETTE_PYTHON, /* inferno's: site-packages aqua, the standard library yellow */
	FLAME_PALETTE_RUST,   /* inferno's: core/std orange, other paths yellow */
	FLAME_PALETTE_COUNT
};

/* How the three random-looking values a palette needs are drawn. */
enum flame_color_mode {
	FLAME_COLOR_NAME = 0,      /* flamegraph.pl's default: seeded by the name's code point sum */
	FLAME_COLOR_HASH,          /* --hash: flamegraph.pl's namehash (similar names, similar colours) */
	FLAME_COLOR_RANDOM,        /* --random: a fixed-seed generator, in frame order */
	FLAME_COLOR_DETERMINISTIC, /* --deterministic: inferno's FNV-1a of the name */
};

/* Palette by name ("hot", "java", ...); -1 if unknown. */
int flame_palette_find(const char *name);
const char *flame_palette_name(enum flame_palette p);
/* Comma-separated list of palette names, for messages. */
const char *flame_palette_names(void);
/* Background gradient stops for "yellow", "blue", "green", "grey" or
 * "#rrggbb"; -1 if spec is none of these. */
int flame_bgcolors_parse(const char *spec, char c1[8], char c2[8]);

/*
 * The consistent palette map (--cp): "name->rgb(r,g,b)" lines.  Names seen
 * during rendering that the map lacks are added with their computed
 * colour, so that the next graph reuses them.
 */
struct flame_palette_map {
	struct pmap_entry *entries;
	size_t n, cap;
	struct flame_hindex index; /* name -> index in entries */
	int changed;     /* entries were added */
};

void flame_palette_map_init(struct flame_palette_map *m);
void flame_palette_map_release(struct flame_palette_map *m);
/* Parse map text; lines that do not hold a valid "NAME->rgb(R,G,B)" (or
 * #rrggbb) are skipped and counted in *bad (first such line number in
 * *first_bad). */
void flame_palette_map_parse(struct flame_palette_map *m, const char *buf, size_t len,
			     uint64_t *bad, uint64_t *first_bad);
/* Colour stored for name, or NULL. */
const char *flame_palette_map_get(const struct flame_palette_map *m, const char *name, size_t len);
void flame_palette_map_put(struct flame_palette_map *m, const char *name, size_t len,
			   const char *color);
/* Every entry as "name->color\n", sorted by name byte-wise. */
void flame_palette_map_format(const struct flame_palette_map *m, struct flame_buf *out);

/* ---- --nameattr (render/nameattr.c) ---- */

/* A parsed --nameattr file: extra attributes per function name. */
struct flame_nameattr {
	struct nameattr_entry *entries;
	size_t n, cap;
	struct flame_hindex index; /* name -> index in entries */
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

/* ---- the SVG flame graph (render/svg.c) ---- */

/* One stack in input order (flame charts): the trie leaf it ends at and
 * the weights of this occurrence. */
struct flame_render_step {
	uint32_t leaf;   /* node index in the profile */
	uint64_t w[2];   /* weights, profile units (column 1 only for diffs) */
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
	const char *encoding;     /* --encoding: XML declaration's encoding; NULL: none.
				     The bytes are UTF-8: see flame_render_encoding() */
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
	const char *stroke_color;       /* --stroke-color: an outline around every frame; NULL: none */
	const char *ui_color;           /* --uicolor: fill of the title and buttons; NULL: black */
	int color_diffusion;            /* --colordiffusion: the wider the frame, the redder */
	int pretty;                     /* --pretty-xml: one element a line, indented by depth */
	/* layout */
	int reverse;              /* --reverse: stacks reversed before merging */
	int inverted;             /* --inverted: icicle graph, root at the top */
	int flamechart;           /* --flamechart: input order, x is time */
	const struct flame_render_step *order; /* input order for --flamechart; NULL: the
				     profile's timeline when it has one that accounts
				     for every weight (its samples in time order,
				     thread after thread), else sorted */
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

void flame_render_opts_init(struct flame_render_opts *o);
/*
 * What the SVG can declare as its encoding: its bytes are always UTF-8, so
 * FLAME_ENCODING_UTF8 for "UTF-8", FLAME_ENCODING_ASCII for encodings that
 * read ASCII bytes as ASCII (US-ASCII, ISO-8859-N, windows-125N, latin1),
 * which hold the graph only when all its text is ASCII (else writing it
 * fails), and FLAME_ENCODING_NONE for the rest (UTF-16, EBCDIC...), which
 * the SVG does not support.  Names compare without regard to case.
 */
enum flame_encoding {
	FLAME_ENCODING_NONE = 0,
	FLAME_ENCODING_UTF8,
	FLAME_ENCODING_ASCII,
};
enum flame_encoding flame_render_encoding(const char *name);
int flame_render_svg(const struct flame_profile *p, const struct flame_render_opts *o,
		     struct flame_output *out, struct flame_error *err);

/* ---- the SVG straight from folded text (render/stream.c) ----
 *
 * flamegraph.pl sorts its input lines and merges neighbours.  Folded text
 * written by `flame collapse` or the stackcollapse scripts is already
 * sorted, so the lines can be laid out as they come, in one pass over the
 * lines and without a trie: memory follows the frames drawn, not the
 * input.  A flame chart (--flamechart) takes lines in input order anyway.
 * When the text turns out not to be sorted (and no flame chart was asked
 * for), nothing is written and the caller reads the input into a profile
 * instead (flame_render_svg()).  Lines are parsed exactly as the folded
 * reader parses them.
 */
struct flame_text_input {
	const char *name; /* for messages */
	const char *data; /* must stay valid during the call */
	size_t len;
	int mapped;       /* a read-only file mapping: pages already read are
			     dropped from memory as the passes go (they are
			     read again from the page cache if needed) */
};

#define FLAME_STREAM_EXAMPLES 3

struct flame_stream_result {
	uint64_t lines;      /* lines read */
	uint64_t bad_lines;  /* lines that are not "STACK COUNT" */
	int nbad;            /* examples kept below */
	struct {
		size_t file;     /* index into the inputs */
		uint64_t line;
		char text[200];  /* quoted line */
	} bad[FLAME_STREAM_EXAMPLES];
	int ncols;           /* 2 for differential input */
};

/* 0: written; 1: the input is not sorted (nothing written, fall back);
 * -1: error (err filled). */
int flame_render_svg_folded(const struct flame_text_input *in, size_t nin,
			    const struct flame_render_opts *o, struct flame_output *out,
			    struct flame_stream_result *res, struct flame_error *err);

#endif
