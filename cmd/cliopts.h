/*
 * cliopts.h - the option groups several commands share, declared once.
 *
 * A command splices a group into its table (options.h) and hands every
 * option id it does not know itself to flame_cli_option(), which stores
 * the value in struct flame_cli.  The groups:
 *
 *   flame_opts_output   -o/--output, -q/--quiet
 *   flame_opts_to       --to FMT (the writer; the registry's names)
 *   flame_opts_input    --input-format/--from FMT, -j/--jobs N
 *   flame_opts_naming   perf-script frame naming: --pid --tid --kernel --jit
 *                       --all --addrs (collapse, record)
 *   flame_opts_svg      flamegraph.pl's options (render, record, convert, diff)
 *
 * Lifetime: flame_cli_init() (no allocation), parse, then for SVG output
 * flame_cli_svg_load() (reads --nameattr and the --cp palette file) and
 * after writing flame_cli_svg_save() (writes the palette file back);
 * flame_cli_release() frees what the loads kept.
 */
#ifndef FLAME_CLIOPTS_H
#define FLAME_CLIOPTS_H

#include "../core/error.h"
#include "../render/render.h"
#include "options.h"

struct flame_format;

enum {
	FLAME_OPT_SHARED = 0x1000,
	/* output */
	FLAME_OPT_OUTPUT = FLAME_OPT_SHARED,
	FLAME_OPT_QUIET,
	FLAME_OPT_TO,
	/* input */
	FLAME_OPT_INPUT_FORMAT,
	FLAME_OPT_JOBS,
	/* naming */
	FLAME_OPT_PID,
	FLAME_OPT_TID,
	FLAME_OPT_KERNEL,
	FLAME_OPT_JIT,
	FLAME_OPT_ALL,
	FLAME_OPT_ADDRS,
	/* svg */
	FLAME_OPT_SVG_FIRST,
	FLAME_OPT_TITLE = FLAME_OPT_SVG_FIRST,
	FLAME_OPT_SUBTITLE,
	FLAME_OPT_WIDTH,
	FLAME_OPT_HEIGHT,
	FLAME_OPT_MINWIDTH,
	FLAME_OPT_FONTTYPE,
	FLAME_OPT_FONTSIZE,
	FLAME_OPT_FONTWIDTH,
	FLAME_OPT_COUNTNAME,
	FLAME_OPT_NAMETYPE,
	FLAME_OPT_COLORS,
	FLAME_OPT_BGCOLORS,
	FLAME_OPT_HASH,
	FLAME_OPT_RANDOM,
	FLAME_OPT_DETERMINISTIC,
	FLAME_OPT_CP,
	FLAME_OPT_PALETTE_FILE,
	FLAME_OPT_REVERSE,
	FLAME_OPT_INVERTED,
	FLAME_OPT_FLAMECHART,
	FLAME_OPT_NEGATE,
	FLAME_OPT_NOTES,
	FLAME_OPT_TOTAL,
	FLAME_OPT_FACTOR,
	FLAME_OPT_NAMEATTR,
	FLAME_OPT_ENCODING,
	FLAME_OPT_SEARCH_COLOR,
	FLAME_OPT_TRUNC_RIGHT,
	FLAME_OPT_TRUNC_LEFT,
	FLAME_OPT_DIFF_WIDTH,
	FLAME_OPT_NO_JS,
	FLAME_OPT_COLOR_DIFFUSION,
	FLAME_OPT_STROKE_COLOR,
	FLAME_OPT_UI_COLOR,
	FLAME_OPT_PRETTY_XML,
	FLAME_OPT_SVG_LAST = FLAME_OPT_PRETTY_XML,
};

extern const struct flame_option flame_opts_output[];
extern const struct flame_option flame_opts_to[];
extern const struct flame_option flame_opts_input[];
extern const struct flame_option flame_opts_naming[];
extern const struct flame_option flame_opts_svg[];

/* perf-script frame naming, as --pid ... --addrs set it. */
struct flame_naming {
	int pid;    /* root frame "comm-PID" */
	int tid;    /* root frame "comm-PID/TID" */
	int kernel; /* kernel frames end in _[k] */
	int jit;    /* JIT frames end in _[j] */
	int addrs;  /* unknown frames show their address */
};

struct flame_cli {
	const char *cmd;                      /* for messages */
	/* output */
	const char *output;                   /* -o; NULL: the command's default */
	int quiet;                            /* -q */
	const char *to;                       /* --to, or NULL */
	/* input */
	const struct flame_format *in_format; /* --input-format; NULL: detect */
	unsigned long long jobs;              /* -j; default: all cores */
	/* naming */
	struct flame_naming naming;
	/* svg */
	struct flame_render_opts svg;         /* flamegraph.pl's options, render's defaults */
	const char *svg_first;                /* long name of the first SVG option given, or NULL */
	int palette_set;                      /* --colors given */
	int countname_set;                    /* --countname given */
	int cp;                               /* --cp */
	const char *palette_file;             /* --palette-file ("palette.map") */
	const char *nameattr_file;            /* --nameattr, or NULL */
	char search_color[FLAME_COLOR_MAX];
	char stroke_color[FLAME_COLOR_MAX];    /* --stroke-color, as rgb(r,g,b) */
	char ui_color[FLAME_COLOR_MAX];        /* --uicolor, as rgb(r,g,b) */
	struct flame_palette_map pmap;        /* --cp: read by _svg_load, written by _svg_save */
	struct flame_nameattr nameattr;
	char *nameattr_data;
};

void flame_cli_init(struct flame_cli *c, const char *cmd);
void flame_cli_release(struct flame_cli *c);

/* Store a shared option: 0 when done, EXIT_USAGE after a message, -1 when
 * id is not a shared option. */
int flame_cli_option(struct flame_cli *c, int id, const char *arg);

/* Read the --nameattr file and the --cp palette file (warnings printed);
 * -1 with err set on a read error. */
int flame_cli_svg_load(struct flame_cli *c, struct flame_error *err);
/* Counts named after p's unit (ns, bytes) unless --countname named them. */
void flame_cli_svg_units(struct flame_cli *c, const struct flame_profile *p);
/* Write the --cp palette file back (nothing without --cp). */
int flame_cli_svg_save(struct flame_cli *c, struct flame_error *err);

#endif
