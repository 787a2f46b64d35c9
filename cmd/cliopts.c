/*
 * cliopts.c - the shared option groups of cliopts.h and their rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/io.h"
#include "../core/util.h"
#include "../formats/format.h"
#include "cliopts.h"
#include "cmd.h"

const struct flame_option flame_opts_output[] = {
	{ "output", 'o', FLAME_OPT_OUTPUT, "FILE",
	  "write to FILE (default: standard output); FILE is\n"
	  "replaced only once complete; '.zst' compresses" },
	{ "quiet", 'q', FLAME_OPT_QUIET, NULL, "no notes on stderr (warnings still shown)" },
	FLAME_OPT_END,
};

const struct flame_option flame_opts_to[] = {
	{ "to", 0, FLAME_OPT_TO, "FMT",
	  "output format (default: from the -o file name; see\n"
	  "'flame formats')" },
	FLAME_OPT_END,
};

const struct flame_option flame_opts_input[] = {
	{ "input-format", 0, FLAME_OPT_INPUT_FORMAT, "FMT", "input format (default: detected)" },
	{ "from", 0, FLAME_OPT_INPUT_FORMAT, "FMT", NULL },
	{ "jobs", 'j', FLAME_OPT_JOBS, "N", "parse on N threads (default: all cores)" },
	FLAME_OPT_END,
};

const struct flame_option flame_opts_naming[] = {
	{ "pid", 0, FLAME_OPT_PID, NULL, "root frame is 'comm-PID'" },
	{ "tid", 0, FLAME_OPT_TID, NULL, "root frame is 'comm-PID/TID'" },
	{ "kernel", 0, FLAME_OPT_KERNEL, NULL, "mark kernel frames with _[k]" },
	{ "jit", 0, FLAME_OPT_JIT, NULL, "mark JIT frames (/tmp/perf-PID.map, jitted-*.so) with _[j]" },
	{ "all", 0, FLAME_OPT_ALL, NULL, "--kernel and --jit" },
	{ "addrs", 0, FLAME_OPT_ADDRS, NULL, "show addresses of unknown frames: [unknown <ADDR>]" },
	FLAME_OPT_END,
};

const struct flame_option flame_opts_svg[] = {
	{ "title", 0, FLAME_OPT_TITLE, "TEXT",
	  "title (default 'Flame Graph', 'Icicle Graph' with\n"
	  "--inverted, 'Flame Chart' with --flamechart)" },
	{ "subtitle", 0, FLAME_OPT_SUBTITLE, "TEXT", "second title line" },
	{ "width", 0, FLAME_OPT_WIDTH, "PX", "image width (1200); the graph then fits the window" },
	{ "height", 0, FLAME_OPT_HEIGHT, "PX", "height of a frame (16)" },
	{ "minwidth", 0, FLAME_OPT_MINWIDTH, "N[%]",
	  "leave out frames narrower than N px, or N percent of\n"
	  "the total with a '%' (0.1); the SVG says how many" },
	{ "fonttype", 0, FLAME_OPT_FONTTYPE, "FONT", "font family (Verdana)" },
	{ "fontsize", 0, FLAME_OPT_FONTSIZE, "N", "font size (12)" },
	{ "fontwidth", 0, FLAME_OPT_FONTWIDTH, "N",
	  "average character width relative to the size (0.59)" },
	{ "countname", 0, FLAME_OPT_COUNTNAME, "TEXT", "what the counts are (samples)" },
	{ "nametype", 0, FLAME_OPT_NAMETYPE, "TEXT", "what the names are (Function:)" },
	{ "colors", 0, FLAME_OPT_COLORS, "PALETTE",
	  "hot (default), mem, io, wakeup, chain, java, js, perl,\n"
	  "python, rust, red, green, blue, aqua, yellow, purple,\n"
	  "orange" },
	{ "colordiffusion", 0, FLAME_OPT_COLOR_DIFFUSION, NULL,
	  "colour by width: the wider the frame, the redder\n"
	  "(inferno's; not with --colors)" },
	{ "colours", 0, FLAME_OPT_COLORS, "PALETTE", NULL },
	{ "bgcolors", 0, FLAME_OPT_BGCOLORS, "COLOR",
	  "yellow, blue, green, grey or #rrggbb (default by palette)" },
	{ "hash", 0, FLAME_OPT_HASH, NULL, "colours from a hash of the name (similar names alike)" },
	{ "random", 0, FLAME_OPT_RANDOM, NULL, "random colours (a fixed seed: still reproducible)" },
	{ "deterministic", 0, FLAME_OPT_DETERMINISTIC, NULL,
	  "colours from an FNV hash of the name (inferno's)" },
	{ "cp", 0, FLAME_OPT_CP, NULL, "consistent palette: reuse and extend the palette file" },
	{ "palette-file", 0, FLAME_OPT_PALETTE_FILE, "PATH",
	  "the palette file of --cp (default ./palette.map)" },
	{ "reverse", 0, FLAME_OPT_REVERSE, NULL, "reverse the stacks before merging" },
	{ "inverted", 0, FLAME_OPT_INVERTED, NULL, "icicle graph: the root at the top" },
	{ "flamechart", 0, FLAME_OPT_FLAMECHART, NULL, "flame chart: stacks in input order, x is time" },
	{ "negate", 0, FLAME_OPT_NEGATE, NULL, "swap the differential colours (blue<->red)" },
	{ "notes", 0, FLAME_OPT_NOTES, "TEXT", "a comment in the SVG" },
	{ "total", 0, FLAME_OPT_TOTAL, "N", "the total count that spans the width (default: the sum)" },
	{ "factor", 0, FLAME_OPT_FACTOR, "N", "multiply the counts shown by N (1)" },
	{ "nameattr", 0, FLAME_OPT_NAMEATTR, "FILE",
	  "extra attributes per function: NAME<TAB>key=value..." },
	{ "encoding", 0, FLAME_OPT_ENCODING, "NAME", "encoding named in the XML declaration" },
	{ "search-color", 0, FLAME_OPT_SEARCH_COLOR, "COL",
	  "search highlight, #rrggbb or rgb(r,g,b) (rgb(230,0,230))" },
	{ "truncate-text-right", 0, FLAME_OPT_TRUNC_RIGHT, NULL,
	  "long labels keep their start: 'name..' (the default)" },
	{ "truncate-text-left", 0, FLAME_OPT_TRUNC_LEFT, NULL, "long labels keep their end: '..name'" },
	{ "diff-width", 0, FLAME_OPT_DIFF_WIDTH, "COL",
	  "differential widths from after (default), before or\n"
	  "max (removed paths stay visible)" },
	{ "stroke-color", 0, FLAME_OPT_STROKE_COLOR, "COL",
	  "outline every frame, #rrggbb or rgb(r,g,b) (none)" },
	{ "uicolor", 0, FLAME_OPT_UI_COLOR, "COL",
	  "colour of the title, buttons and details (#000000)" },
	{ "no-javascript", 0, FLAME_OPT_NO_JS, NULL, "a static SVG, without the interactive script" },
	{ "pretty-xml", 0, FLAME_OPT_PRETTY_XML, NULL, "one element a line, indented by depth" },
	FLAME_OPT_END,
};

void flame_cli_init(struct flame_cli *c, const char *cmd)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->jobs = (unsigned long long)flame_ncpus();
	c->palette_file = "palette.map";
	flame_render_opts_init(&c->svg);
	flame_palette_map_init(&c->pmap);
	flame_nameattr_init(&c->nameattr);
}

void flame_cli_release(struct flame_cli *c)
{
	free(c->nameattr_data);
	c->nameattr_data = NULL;
	flame_nameattr_release(&c->nameattr);
	flame_palette_map_release(&c->pmap);
}

static int parse_double(struct flame_cli *c, const char *opt, const char *s, double *out)
{
	return flame_parse_double(c->cmd, opt, s, out) < 0 ? EXIT_USAGE : 0;
}

static int parse_positive(struct flame_cli *c, const char *opt, const char *s, double *out)
{
	if (parse_double(c, opt, s, out) != 0)
		return EXIT_USAGE;
	if (*out <= 0)
		return flame_usage_error(c->cmd, "%s must be positive", opt);
	return 0;
}

static int parse_int(struct flame_cli *c, const char *opt, const char *s, int min, int max, int *out)
{
	unsigned long long v;
	if (flame_parse_uint(c->cmd, opt, s, (unsigned long long)max, &v) < 0)
		return EXIT_USAGE;
	if (v < (unsigned long long)min)
		return flame_usage_error(c->cmd, "%s must be at least %d, got '%s'", opt, min, s);
	*out = (int)v;
	return 0;
}

/* "#rrggbb" or "rgb(r,g,b)" into "rgb(r,g,b)". */
static int parse_color(const char *s, char out[FLAME_COLOR_MAX])
{
	unsigned r, g, b;
	char tail;
	if (s[0] == '#' && strlen(s) == 7 && strspn(s + 1, "0123456789abcdefABCDEF") == 6) {
		unsigned long v = strtoul(s + 1, NULL, 16);
		snprintf(out, FLAME_COLOR_MAX, "rgb(%u,%u,%u)", (unsigned)((v >> 16) & 255),
			 (unsigned)((v >> 8) & 255), (unsigned)(v & 255));
		return 0;
	}
	if (sscanf(s, "rgb(%u,%u,%u%c", &r, &g, &b, &tail) == 4 && tail == ')' &&
	    s[strlen(s) - 1] == ')' && r < 256 && g < 256 && b < 256 &&
	    strspn(s + 4, "0123456789,") == strlen(s) - 5) {
		snprintf(out, FLAME_COLOR_MAX, "rgb(%u,%u,%u)", r, g, b);
		return 0;
	}
	return -1;
}

/* flamegraph.pl: /^([0-9.]+)%?$/ */
static int parse_minwidth(struct flame_cli *c, const char *arg)
{
	struct flame_render_opts *o = &c->svg;
	size_t n = strlen(arg);
	char tmp[64];
	o->min_width_percent = n > 0 && arg[n - 1] == '%';
	if (o->min_width_percent)
		n--;
	if (n == 0 || n >= sizeof(tmp) || strspn(arg, "0123456789.") != n)
		return flame_usage_error(c->cmd, "--minwidth expects a number of pixels, or a "
						 "percentage with '%%', got '%s'", arg);
	memcpy(tmp, arg, n);
	tmp[n] = '\0';
	return parse_double(c, "--minwidth", tmp, &o->min_width);
}

static int parse_diff_width(struct flame_cli *c, const char *opt, const char *arg)
{
	if (strcmp(arg, "after") == 0)
		c->svg.diff_width = FLAME_DIFF_WIDTH_AFTER;
	else if (strcmp(arg, "before") == 0)
		c->svg.diff_width = FLAME_DIFF_WIDTH_BEFORE;
	else if (strcmp(arg, "max") == 0)
		c->svg.diff_width = FLAME_DIFF_WIDTH_MAX;
	else
		return flame_usage_error(c->cmd, "%s expects after, before or max, got '%s'", opt, arg);
	return 0;
}

/* The colour options of flamegraph.pl. */
static int svg_color_option(struct flame_cli *c, int id, const char *arg)
{
	struct flame_render_opts *o = &c->svg;
	switch (id) {
	case FLAME_OPT_COLORS: {
		int pal = flame_palette_find(arg);
		if (pal < 0)
			return flame_usage_error(c->cmd, "unknown palette '%s' (expected one of: %s)", arg,
						 flame_palette_names());
		o->palette = (enum flame_palette)pal;
		c->palette_set = 1;
		if (o->color_diffusion)
			return flame_usage_error(c->cmd, "--colordiffusion and --colors exclude each other");
		return 0;
	}
	case FLAME_OPT_BGCOLORS: {
		char a[8], b[8];
		if (flame_bgcolors_parse(arg, a, b) < 0)
			return flame_usage_error(c->cmd, "unknown background '%s' (expected yellow, blue, "
							 "green, grey or #rrggbb)", arg);
		o->bgcolors = arg;
		return 0;
	}
	case FLAME_OPT_HASH:
		o->color_mode = FLAME_COLOR_HASH;
		return 0;
	case FLAME_OPT_RANDOM:
		o->color_mode = FLAME_COLOR_RANDOM;
		return 0;
	case FLAME_OPT_DETERMINISTIC:
		o->color_mode = FLAME_COLOR_DETERMINISTIC;
		return 0;
	case FLAME_OPT_CP:
		c->cp = 1;
		return 0;
	case FLAME_OPT_PALETTE_FILE:
		c->palette_file = arg;
		return 0;
	case FLAME_OPT_SEARCH_COLOR:
		if (parse_color(arg, c->search_color) < 0)
			return flame_usage_error(c->cmd, "--search-color expects #rrggbb or rgb(r,g,b), "
							 "got '%s'", arg);
		o->search_color = c->search_color;
		return 0;
	case FLAME_OPT_COLOR_DIFFUSION:
		o->color_diffusion = 1;
		if (c->palette_set)
			return flame_usage_error(c->cmd, "--colordiffusion and --colors exclude each other");
		return 0;
	case FLAME_OPT_STROKE_COLOR:
		if (strcmp(arg, "none") == 0) {
			o->stroke_color = NULL;
			return 0;
		}
		if (parse_color(arg, c->stroke_color) < 0)
			return flame_usage_error(c->cmd, "--stroke-color expects #rrggbb, rgb(r,g,b) or "
							 "none, got '%s'", arg);
		o->stroke_color = c->stroke_color;
		return 0;
	case FLAME_OPT_UI_COLOR:
		if (parse_color(arg, c->ui_color) < 0)
			return flame_usage_error(c->cmd, "--uicolor expects #rrggbb or rgb(r,g,b), got '%s'",
						 arg);
		o->ui_color = c->ui_color;
		return 0;
	case FLAME_OPT_NEGATE:
		o->negate = 1;
		return 0;
	default:
		return -1;
	}
}

/* Titles, geometry and text. */
static int svg_text_option(struct flame_cli *c, int id, const char *arg)
{
	struct flame_render_opts *o = &c->svg;
	switch (id) {
	case FLAME_OPT_TITLE:
		o->title = arg;
		return 0;
	case FLAME_OPT_SUBTITLE:
		o->subtitle = arg;
		return 0;
	case FLAME_OPT_WIDTH:
		return parse_int(c, "--width", arg, 21, 1000000, &o->width);
	case FLAME_OPT_HEIGHT:
		return parse_int(c, "--height", arg, 2, 100000, &o->frame_height);
	case FLAME_OPT_MINWIDTH:
		return parse_minwidth(c, arg);
	case FLAME_OPT_FONTTYPE:
		o->font_type = arg;
		return 0;
	case FLAME_OPT_FONTSIZE:
		return parse_positive(c, "--fontsize", arg, &o->font_size);
	case FLAME_OPT_FONTWIDTH:
		return parse_positive(c, "--fontwidth", arg, &o->font_width);
	case FLAME_OPT_COUNTNAME:
		o->count_name = arg;
		c->countname_set = 1;
		return 0;
	case FLAME_OPT_NAMETYPE:
		o->name_type = arg;
		return 0;
	case FLAME_OPT_NOTES:
		o->notes = arg;
		return 0;
	case FLAME_OPT_TOTAL:
		return parse_double(c, "--total", arg, &o->total);
	case FLAME_OPT_FACTOR:
		return parse_positive(c, "--factor", arg, &o->factor);
	case FLAME_OPT_NAMEATTR:
		c->nameattr_file = arg;
		return 0;
	case FLAME_OPT_ENCODING: {
		size_t n = strlen(arg);
		if (!n || strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789._-") != n)
			return flame_usage_error(c->cmd, "--encoding expects an encoding name, got '%s'", arg);
		if (flame_render_encoding(arg) == FLAME_ENCODING_NONE)
			return flame_usage_error(c->cmd,
						 "--encoding '%s' is not supported: the SVG is written in "
						 "UTF-8 (use UTF-8, or US-ASCII, ISO-8859-N or "
						 "windows-125N when all its text is ASCII)",
						 arg);
		o->encoding = arg;
		return 0;
	}
	case FLAME_OPT_TRUNC_RIGHT:
		o->truncate_left = 0;
		return 0;
	case FLAME_OPT_TRUNC_LEFT:
		o->truncate_left = 1;
		return 0;
	default:
		return -1;
	}
}

static int svg_option(struct flame_cli *c, int id, const char *arg)
{
	struct flame_render_opts *o = &c->svg;
	int rc = svg_text_option(c, id, arg);
	if (rc < 0)
		rc = svg_color_option(c, id, arg);
	if (rc >= 0)
		return rc;
	switch (id) {
	case FLAME_OPT_REVERSE:
		o->reverse = 1;
		return 0;
	case FLAME_OPT_INVERTED:
		o->inverted = 1;
		return 0;
	case FLAME_OPT_FLAMECHART:
		o->flamechart = 1;
		return 0;
	case FLAME_OPT_DIFF_WIDTH:
		return parse_diff_width(c, "--diff-width", arg);
	case FLAME_OPT_NO_JS:
		o->javascript = 0;
		return 0;
	case FLAME_OPT_PRETTY_XML:
		o->pretty = 1;
		return 0;
	default:
		return -1;
	}
}

static const char *svg_option_name(int id)
{
	for (const struct flame_option *o = flame_opts_svg; o->name; o++)
		if (o->id == id)
			return o->name;
	return "?";
}

int flame_cli_option(struct flame_cli *c, int id, const char *arg)
{
	if (id >= FLAME_OPT_SVG_FIRST && id <= FLAME_OPT_SVG_LAST) {
		if (!c->svg_first)
			c->svg_first = svg_option_name(id);
		return svg_option(c, id, arg);
	}
	switch (id) {
	case FLAME_OPT_OUTPUT:
		c->output = arg;
		return 0;
	case FLAME_OPT_QUIET:
		c->quiet = 1;
		return 0;
	case FLAME_OPT_TO:
		c->to = arg;
		return 0;
	case FLAME_OPT_INPUT_FORMAT:
		c->in_format = flame_format_find(arg);
		if (!c->in_format || !c->in_format->parse)
			return flame_usage_error(c->cmd, "unknown format '%s' (expected one of: %s)", arg,
						 flame_format_names());
		return 0;
	case FLAME_OPT_JOBS:
		return flame_parse_jobs(c->cmd, arg, &c->jobs) < 0 ? EXIT_USAGE : 0;
	case FLAME_OPT_PID:
		c->naming.pid = 1;
		return 0;
	case FLAME_OPT_TID:
		c->naming.tid = 1;
		return 0;
	case FLAME_OPT_KERNEL:
		c->naming.kernel = 1;
		return 0;
	case FLAME_OPT_JIT:
		c->naming.jit = 1;
		return 0;
	case FLAME_OPT_ALL:
		c->naming.kernel = c->naming.jit = 1;
		return 0;
	case FLAME_OPT_ADDRS:
		c->naming.addrs = 1;
		return 0;
	default:
		return -1;
	}
}

/* The most a --nameattr or palette file may hold (decompressed). */
#define SLURP_MAX ((size_t)64 << 20)

/* A whole small file (nameattr, palette map) into memory; a larger one
 * (/dev/zero, a profile given by mistake) is an error. */
static int slurp(const char *path, char **data, size_t *len, struct flame_error *err)
{
	struct flame_input *in;
	if (flame_input_open(&in, path, err) < 0)
		return -1;
	struct flame_buf b = FLAME_BUF_INIT;
	for (;;) {
		flame_buf_reserve(&b, 64 << 10);
		size_t room = b.cap - b.len - 1;
		if (room > SLURP_MAX + 1 - b.len)
			room = SLURP_MAX + 1 - b.len; /* one byte past the cap tells */
		ssize_t n = flame_input_read(in, b.data + b.len, room, err);
		if (n < 0) {
			flame_input_close(in);
			flame_buf_release(&b);
			return -1;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if (b.len > SLURP_MAX) {
			flame_input_close(in);
			flame_buf_release(&b);
			return flame_error_set(err, FLAME_ERR_DATA, path, 0,
					       "larger than %zu MiB; is this the right file?",
					       SLURP_MAX >> 20);
		}
	}
	flame_input_close(in);
	*data = b.data ? b.data : flame_xstrdup("");
	*len = b.len;
	return 0;
}

static void nameattr_warn(void *ctx, uint64_t line, const char *msg)
{
	const struct flame_cli *c = ctx;
	cmd_warning("%s:%llu: %s", c->nameattr_file, (unsigned long long)line, msg);
}

int flame_cli_svg_load(struct flame_cli *c, struct flame_error *err)
{
	if (c->nameattr_file) {
		size_t len;
		if (slurp(c->nameattr_file, &c->nameattr_data, &len, err) < 0 ||
		    flame_nameattr_parse(&c->nameattr, c->nameattr_data, len, nameattr_warn, c, err) < 0)
			return -1;
		c->svg.nameattr = &c->nameattr;
	}
	if (!c->cp)
		return 0;
	if (access(c->palette_file, F_OK) == 0) {
		char *data;
		size_t len;
		uint64_t bad, first;
		if (slurp(c->palette_file, &data, &len, err) < 0)
			return -1;
		flame_palette_map_parse(&c->pmap, data, len, &bad, &first);
		free(data);
		if (bad)
			cmd_warning("%s:%llu: %llu line%s without 'NAME->rgb(R,G,B)' ignored", c->palette_file,
				    (unsigned long long)first, (unsigned long long)bad, bad == 1 ? "" : "s");
	}
	c->svg.palette_map = &c->pmap;
	return 0;
}

void flame_cli_svg_units(struct flame_cli *c, const struct flame_profile *p)
{
	if (c->countname_set)
		return;
	if (p->unit == FLAME_UNIT_NANOSECONDS)
		c->svg.count_name = "ns";
	else if (p->unit == FLAME_UNIT_BYTES)
		c->svg.count_name = "bytes";
}

int flame_cli_svg_save(struct flame_cli *c, struct flame_error *err)
{
	if (!c->cp)
		return 0;
	struct flame_buf b = FLAME_BUF_INIT;
	struct flame_output *po;
	int rc = -1;
	flame_palette_map_format(&c->pmap, &b);
	if (flame_output_open(&po, c->palette_file, err) < 0)
		goto out;
	if (flame_output_write(po, b.data ? b.data : "", b.len, err) < 0) {
		flame_output_abort(po);
		goto out;
	}
	rc = flame_output_commit(po, err);
out:
	flame_buf_release(&b);
	return rc;
}
