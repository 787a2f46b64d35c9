/*
 * render.c - flame render: an interactive SVG flame graph, or text views.
 *
 * Options are flamegraph.pl's, with its defaults.  Folded text that is
 * already sorted (or any folded text for --flamechart) is laid out
 * straight from the mapped file (flame_render_svg_folded(), in
 * render/render.h); everything else is read into a profile first,
 * through the format registry.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../core/io.h"
#include "../core/util.h"
#include "../formats/format.h"
#include "../formats/reader.h"
#include "../formats/registry.h"
#include "../render/render.h"
#include "../render/svgformat.h"
#include "../render/text.h"
#include "cmd.h"

static const char usage_text[] =
	"usage: flame render [options] [FILE...]\n"
	"\n"
	"Draw an interactive SVG flame graph of a profile, or a text view of it.\n"
	"FILEs (default: standard input, also '-') are any format flame reads\n"
	"(see 'flame formats'), gzip or zstd compressed or not; several are merged.\n"
	"Folded input with two counts per line ('STACK BEFORE AFTER') draws a\n"
	"differential flame graph.\n"
	"\n"
	"Output:\n"
	"  -o, --output FILE       write to FILE (default: standard output); FILE is\n"
	"                          replaced only once complete; '.zst' compresses; the\n"
	"                          name chooses the format as --format would: '.svg',\n"
	"                          '.folded', '.speedscope.json', ... (see 'flame\n"
	"                          formats'); other names get an SVG\n"
	"      --format VIEW, --to VIEW\n"
	"                          svg (default), top (functions by self weight),\n"
	"                          tree (indented call tree), or another format\n"
	"                          flame writes (folded, speedscope, ...)\n"
	"  -q, --quiet             no notes on stderr (warnings still shown)\n"
	"\n"
	"Input:\n"
	"      --input-format FMT  input format (default: detected)\n"
	"  -j, --jobs N            parse on N threads (default: all cores)\n"
	"\n"
	"Flame graph (the options and defaults of flamegraph.pl):\n"
	"      --title TEXT        title (default 'Flame Graph', 'Icicle Graph' with\n"
	"                          --inverted, 'Flame Chart' with --flamechart)\n"
	"      --subtitle TEXT     second title line\n"
	"      --width PX          image width (1200); the graph then fits the window\n"
	"      --height PX         height of a frame (16)\n"
	"      --minwidth N[%]     leave out frames narrower than N px, or N percent of\n"
	"                          the total with a '%' (0.1); the SVG says how many\n"
	"      --fonttype FONT     font family (Verdana)\n"
	"      --fontsize N        font size (12)\n"
	"      --fontwidth N       average character width relative to the size (0.59)\n"
	"      --countname TEXT    what the counts are (samples)\n"
	"      --nametype TEXT     what the names are (Function:)\n"
	"      --colors PALETTE    hot (default), mem, io, wakeup, chain, java, js, perl,\n"
	"                          red, green, blue, aqua, yellow, purple, orange\n"
	"      --bgcolors COLOR    yellow, blue, green, grey or #rrggbb (default by palette)\n"
	"      --hash              colours from a hash of the name (similar names alike)\n"
	"      --random            random colours (a fixed seed: still reproducible)\n"
	"      --deterministic     colours from an FNV hash of the name (inferno's)\n"
	"      --cp                consistent palette: reuse and extend the palette file\n"
	"      --palette-file PATH the palette file of --cp (default ./palette.map)\n"
	"      --reverse           reverse the stacks before merging\n"
	"      --inverted          icicle graph: the root at the top\n"
	"      --flamechart        flame chart: stacks in input order, x is time\n"
	"      --negate            swap the differential colours (blue<->red)\n"
	"      --notes TEXT        a comment in the SVG\n"
	"      --total N           the total count that spans the width (default: the sum)\n"
	"      --factor N          multiply the counts shown by N (1)\n"
	"      --nameattr FILE     extra attributes per function: NAME<TAB>key=value...\n"
	"      --encoding NAME     encoding named in the XML declaration\n"
	"      --search-color COL  search highlight, #rrggbb or rgb(r,g,b) (rgb(230,0,230))\n"
	"      --truncate-text-right  long labels keep their start: 'name..' (the default)\n"
	"      --truncate-text-left   long labels keep their end: '..name'\n"
	"      --diff-width COL    differential widths from after (default), before or\n"
	"                          max (removed paths stay visible)\n"
	"      --no-javascript     a static SVG, without the interactive script\n"
	"\n"
	"Text views:\n"
	"      --limit N           top: at most N rows (default: all)\n"
	"      --min-percent P     tree: leave out calls under P% of the total (0)\n"
	"      --reverse           tree: callees at the root\n"
	"      --color WHEN        auto (default: on a terminal), always or never\n"
	"\n"
	"  -h, --help              show this help\n"
	"  -V, --version           show the version\n"
	"\n"
	"Examples:\n"
	"  flame render prof.folded > prof.svg\n"
	"  perf script | flame collapse | flame render --title 'make -j8' -o build.svg\n"
	"  flame render --format top --limit 20 prof.folded\n";

enum {
	OPT_FORMAT = 256,
	OPT_INPUT_FORMAT,
	OPT_TITLE,
	OPT_SUBTITLE,
	OPT_WIDTH,
	OPT_HEIGHT,
	OPT_MINWIDTH,
	OPT_FONTTYPE,
	OPT_FONTSIZE,
	OPT_FONTWIDTH,
	OPT_COUNTNAME,
	OPT_NAMETYPE,
	OPT_COLORS,
	OPT_BGCOLORS,
	OPT_HASH,
	OPT_RANDOM,
	OPT_DETERMINISTIC,
	OPT_CP,
	OPT_PALETTE_FILE,
	OPT_REVERSE,
	OPT_INVERTED,
	OPT_FLAMECHART,
	OPT_NEGATE,
	OPT_NOTES,
	OPT_TOTAL,
	OPT_FACTOR,
	OPT_NAMEATTR,
	OPT_ENCODING,
	OPT_SEARCH_COLOR,
	OPT_TRUNC_RIGHT,
	OPT_TRUNC_LEFT,
	OPT_DIFF_WIDTH,
	OPT_NO_JS,
	OPT_LIMIT,
	OPT_MIN_PERCENT,
	OPT_COLOR,
	OPT_NO_STREAM,
};

static int parse_double(const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < 0) {
		flame_usage_error("render", "%s expects a non-negative number, got '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_int(const char *opt, const char *s, int min, int max, int *out)
{
	unsigned long long v;
	if (flame_parse_uint("render", opt, s, (unsigned long long)max, &v) < 0)
		return -1;
	if (v < (unsigned long long)min) {
		flame_usage_error("render", "%s must be at least %d, got '%s'", opt, min, s);
		return -1;
	}
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

/* A whole small file (nameattr, palette map) into memory. */
static int slurp(const char *path, char **data, size_t *len, struct flame_error *err)
{
	struct flame_input *in;
	if (flame_input_open(&in, path, err) < 0)
		return -1;
	struct flame_buf b = FLAME_BUF_INIT;
	for (;;) {
		flame_buf_reserve(&b, 64 << 10);
		ssize_t n = flame_input_read(in, b.data + b.len, b.cap - b.len - 1, err);
		if (n < 0) {
			flame_input_close(in);
			flame_buf_release(&b);
			return -1;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
	}
	flame_input_close(in);
	*data = b.data ? b.data : flame_xstrdup("");
	*len = b.len;
	return 0;
}

static const char *nameattr_file;

static void nameattr_warn(void *ctx, uint64_t line, const char *msg)
{
	(void)ctx;
	cmd_warning("%s:%llu: %s", nameattr_file, (unsigned long long)line, msg);
}

/* One input held in memory for the streaming path: mapped, or read whole. */
struct held {
	char *name;
	const char *data;
	size_t len;
	void *map;     /* munmap on release */
	char *owned;   /* free on release */
};

static void held_release(struct held *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (h[i].map)
			munmap(h[i].map, h[i].len);
		free(h[i].owned);
		free(h[i].name);
	}
	free(h);
}

/* Load the inputs for the streaming path (*out, also when 1 is returned:
 * stdin can be read only once).  Returns 1 if they are not all folded
 * text (use the reader), 0 if they are, -1 on error. */
static int hold_inputs(char **paths, size_t npaths, const struct flame_format *fmt,
		       struct held **out, struct flame_error *err)
{
	static char *stdin_only[] = { (char *)"-" };
	if (npaths == 0) {
		paths = stdin_only;
		npaths = 1;
	}
	if (fmt && fmt != &flame_format_folded)
		return 2;
	struct held *h = flame_xcalloc(npaths, sizeof(*h));
	int other = 0;
	for (size_t i = 0; i < npaths; i++) {
		struct flame_input *in;
		if (flame_input_open(&in, paths[i], err) < 0) {
			held_release(h, npaths);
			return -1;
		}
		h[i].name = flame_xstrdup(flame_input_name(in));
		const void *map;
		size_t maplen;
		if (flame_input_map(in, &map, &maplen) == 0) {
			h[i].data = map;
			h[i].len = maplen;
			h[i].map = (void *)map;
			flame_input_close(in);
		} else {
			struct flame_buf b = FLAME_BUF_INIT;
			for (;;) {
				flame_buf_reserve(&b, 1 << 20);
				ssize_t n = flame_input_read(in, b.data + b.len, b.cap - b.len - 1, err);
				if (n < 0) {
					flame_buf_release(&b);
					flame_input_close(in);
					held_release(h, npaths);
					return -1;
				}
				if (n == 0)
					break;
				b.len += (size_t)n;
			}
			flame_input_close(in);
			h[i].owned = b.data;
			h[i].data = b.data ? b.data : "";
			h[i].len = b.len;
		}
		if (!fmt && h[i].len) {
			/* folded unless another format claims it: flamegraph.pl reads
			 * anything, skipping the lines that are not "STACK COUNT" */
			struct flame_detect d;
			if (flame_format_probe(&flame_format_folded, h[i].data, h[i].len, 1) ==
			    FLAME_PROBE_NO) {
				flame_format_detect(h[i].data, h[i].len, 1, FLAME_DETECT_ALL, &d);
				if (d.nyes)
					other = 1;
			}
		}
	}
	*out = h;
	return other;
}

/* Feed held inputs to the reader (the streaming path did not apply). */
static int read_held(struct held *h, size_t n, const struct flame_reader_config *cfg,
		     struct flame_profile *prof, struct flame_read_report *rep,
		     struct flame_error *err)
{
	struct flame_reader *r = flame_reader_new(cfg);
	for (size_t i = 0; i < n; i++) {
		if (flame_reader_begin_file(r, h[i].name, err) < 0 ||
		    flame_reader_feed(r, h[i].data, h[i].len, err) < 0 ||
		    flame_reader_end_file(r, err) < 0) {
			flame_reader_abort(r);
			return -1;
		}
	}
	return flame_reader_finish(r, prof, rep, err);
}

static void note_pruned(const struct flame_render_report *rep, const struct flame_render_opts *o,
			int scale_digits)
{
	if (!rep->pruned_frames)
		return;
	struct flame_buf b = FLAME_BUF_INIT;
	flame_format_weight(&b, rep->pruned_weight, scale_digits);
	double pct = rep->total ? 100.0 * (double)rep->pruned_weight / (double)rep->total : 0;
	cmd_note("%llu frame%s narrower than %g%s left out (%s %s, %.2f%% of the total); "
		"see --minwidth",
		(unsigned long long)rep->pruned_frames, rep->pruned_frames == 1 ? "" : "s", o->min_width,
		o->min_width_percent ? "%" : " px", b.data ? b.data : "0", o->count_name, pct);
	flame_buf_release(&b);
}

int cmd_render(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "to", required_argument, NULL, OPT_FORMAT },
		{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "subtitle", required_argument, NULL, OPT_SUBTITLE },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "height", required_argument, NULL, OPT_HEIGHT },
		{ "minwidth", required_argument, NULL, OPT_MINWIDTH },
		{ "fonttype", required_argument, NULL, OPT_FONTTYPE },
		{ "fontsize", required_argument, NULL, OPT_FONTSIZE },
		{ "fontwidth", required_argument, NULL, OPT_FONTWIDTH },
		{ "countname", required_argument, NULL, OPT_COUNTNAME },
		{ "nametype", required_argument, NULL, OPT_NAMETYPE },
		{ "colors", required_argument, NULL, OPT_COLORS },
		{ "colours", required_argument, NULL, OPT_COLORS },
		{ "bgcolors", required_argument, NULL, OPT_BGCOLORS },
		{ "hash", no_argument, NULL, OPT_HASH },
		{ "random", no_argument, NULL, OPT_RANDOM },
		{ "deterministic", no_argument, NULL, OPT_DETERMINISTIC },
		{ "cp", no_argument, NULL, OPT_CP },
		{ "palette-file", required_argument, NULL, OPT_PALETTE_FILE },
		{ "reverse", no_argument, NULL, OPT_REVERSE },
		{ "inverted", no_argument, NULL, OPT_INVERTED },
		{ "flamechart", no_argument, NULL, OPT_FLAMECHART },
		{ "negate", no_argument, NULL, OPT_NEGATE },
		{ "notes", required_argument, NULL, OPT_NOTES },
		{ "total", required_argument, NULL, OPT_TOTAL },
		{ "factor", required_argument, NULL, OPT_FACTOR },
		{ "nameattr", required_argument, NULL, OPT_NAMEATTR },
		{ "encoding", required_argument, NULL, OPT_ENCODING },
		{ "search-color", required_argument, NULL, OPT_SEARCH_COLOR },
		{ "truncate-text-right", no_argument, NULL, OPT_TRUNC_RIGHT },
		{ "truncate-text-left", no_argument, NULL, OPT_TRUNC_LEFT },
		{ "diff-width", required_argument, NULL, OPT_DIFF_WIDTH },
		{ "no-javascript", no_argument, NULL, OPT_NO_JS },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "min-percent", required_argument, NULL, OPT_MIN_PERCENT },
		{ "color", required_argument, NULL, OPT_COLOR },
		{ "no-stream", no_argument, NULL, OPT_NO_STREAM },
		{ NULL, 0, NULL, 0 },
	};
	struct flame_render_opts o;
	struct flame_text_opts to;
	struct flame_render_report rep_svg;
	struct flame_palette_map pmap;
	struct flame_nameattr na;
	flame_render_opts_init(&o);
	flame_text_opts_init(&to);
	flame_palette_map_init(&pmap);
	flame_nameattr_init(&na);
	o.report = &rep_svg;
	const struct flame_format *fmt = NULL;
	const char *output = NULL, *palette_file = "palette.map", *color_when = "auto";
	const char *view = NULL; /* top, tree, or a writer's name (default: svg) */
	const struct flame_format *writer = NULL;
	char search_color[FLAME_COLOR_MAX];
	int quiet = 0, cp = 0, no_stream = 0, c, idx;
	unsigned long long jobs = (unsigned long long)flame_ncpus(), ull;
	int rc = EXIT_USAGE;
	char *nameattr_data = NULL;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qj:hV", longopts, &idx)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'j':
			if (flame_parse_jobs("render", optarg, &jobs) < 0)
				goto out;
			break;
		case OPT_FORMAT:
			view = optarg;
			break;
		case OPT_INPUT_FORMAT:
			fmt = flame_format_find(optarg);
			if (!fmt || !fmt->parse) {
				flame_usage_error("render", "unknown format '%s' (expected one of: %s)", optarg,
						  flame_format_names());
				goto out;
			}
			break;
		case OPT_TITLE:
			o.title = optarg;
			break;
		case OPT_SUBTITLE:
			o.subtitle = optarg;
			break;
		case OPT_WIDTH:
			if (parse_int("--width", optarg, 21, 1000000, &o.width) < 0)
				goto out;
			break;
		case OPT_HEIGHT:
			if (parse_int("--height", optarg, 2, 100000, &o.frame_height) < 0)
				goto out;
			break;
		case OPT_MINWIDTH: {
			/* flamegraph.pl: /^([0-9.]+)%?$/ */
			size_t n = strlen(optarg);
			char tmp[64];
			o.min_width_percent = n > 0 && optarg[n - 1] == '%';
			if (o.min_width_percent)
				n--;
			if (n == 0 || n >= sizeof(tmp) || strspn(optarg, "0123456789.") != n) {
				flame_usage_error("render", "--minwidth expects a number of pixels, or a "
							    "percentage with '%%', got '%s'", optarg);
				goto out;
			}
			memcpy(tmp, optarg, n);
			tmp[n] = '\0';
			if (parse_double("--minwidth", tmp, &o.min_width) < 0)
				goto out;
			break;
		}
		case OPT_FONTTYPE:
			o.font_type = optarg;
			break;
		case OPT_FONTSIZE:
			if (parse_double("--fontsize", optarg, &o.font_size) < 0)
				goto out;
			if (o.font_size <= 0) {
				flame_usage_error("render", "--fontsize must be positive");
				goto out;
			}
			break;
		case OPT_FONTWIDTH:
			if (parse_double("--fontwidth", optarg, &o.font_width) < 0)
				goto out;
			if (o.font_width <= 0) {
				flame_usage_error("render", "--fontwidth must be positive");
				goto out;
			}
			break;
		case OPT_COUNTNAME:
			o.count_name = optarg;
			break;
		case OPT_NAMETYPE:
			o.name_type = optarg;
			break;
		case OPT_COLORS: {
			int pal = flame_palette_find(optarg);
			if (pal < 0) {
				flame_usage_error("render", "unknown palette '%s' (expected one of: %s)", optarg,
						  flame_palette_names());
				goto out;
			}
			o.palette = (enum flame_palette)pal;
			break;
		}
		case OPT_BGCOLORS: {
			char a[8], b[8];
			if (flame_bgcolors_parse(optarg, a, b) < 0) {
				flame_usage_error("render", "unknown background '%s' (expected yellow, blue, "
							    "green, grey or #rrggbb)", optarg);
				goto out;
			}
			o.bgcolors = optarg;
			break;
		}
		case OPT_HASH:
			o.color_mode = FLAME_COLOR_HASH;
			break;
		case OPT_RANDOM:
			o.color_mode = FLAME_COLOR_RANDOM;
			break;
		case OPT_DETERMINISTIC:
			o.color_mode = FLAME_COLOR_DETERMINISTIC;
			break;
		case OPT_CP:
			cp = 1;
			break;
		case OPT_PALETTE_FILE:
			palette_file = optarg;
			break;
		case OPT_REVERSE:
			o.reverse = 1;
			to.reverse = 1;
			break;
		case OPT_INVERTED:
			o.inverted = 1;
			break;
		case OPT_FLAMECHART:
			o.flamechart = 1;
			break;
		case OPT_NEGATE:
			o.negate = 1;
			break;
		case OPT_NOTES:
			o.notes = optarg;
			break;
		case OPT_TOTAL:
			if (parse_double("--total", optarg, &o.total) < 0)
				goto out;
			break;
		case OPT_FACTOR:
			if (parse_double("--factor", optarg, &o.factor) < 0)
				goto out;
			if (o.factor <= 0) {
				flame_usage_error("render", "--factor must be positive");
				goto out;
			}
			break;
		case OPT_NAMEATTR:
			nameattr_file = optarg;
			break;
		case OPT_ENCODING: {
			size_t n = strlen(optarg);
			if (!n || strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
						 "0123456789._-") != n) {
				flame_usage_error("render", "--encoding expects an encoding name, got '%s'",
						  optarg);
				goto out;
			}
			o.encoding = optarg;
			break;
		}
		case OPT_SEARCH_COLOR:
			if (parse_color(optarg, search_color) < 0) {
				flame_usage_error("render", "--search-color expects #rrggbb or rgb(r,g,b), "
							    "got '%s'", optarg);
				goto out;
			}
			o.search_color = search_color;
			break;
		case OPT_TRUNC_RIGHT:
			o.truncate_left = 0;
			break;
		case OPT_TRUNC_LEFT:
			o.truncate_left = 1;
			break;
		case OPT_DIFF_WIDTH:
			if (strcmp(optarg, "after") == 0)
				o.diff_width = FLAME_DIFF_WIDTH_AFTER;
			else if (strcmp(optarg, "before") == 0)
				o.diff_width = FLAME_DIFF_WIDTH_BEFORE;
			else if (strcmp(optarg, "max") == 0)
				o.diff_width = FLAME_DIFF_WIDTH_MAX;
			else {
				flame_usage_error("render", "--diff-width expects after, before or max, got '%s'",
						  optarg);
				goto out;
			}
			to.diff_width = o.diff_width;
			break;
		case OPT_NO_JS:
			o.javascript = 0;
			break;
		case OPT_LIMIT:
			if (flame_parse_uint("render", "--limit", optarg, UINT64_MAX, &ull) < 0)
				goto out;
			to.limit = ull;
			break;
		case OPT_MIN_PERCENT:
			if (parse_double("--min-percent", optarg, &to.min_percent) < 0)
				goto out;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				flame_usage_error("render", "--color expects auto, always or never, got '%s'",
						  optarg);
				goto out;
			}
			color_when = optarg;
			break;
		case OPT_NO_STREAM:
			no_stream = 1;
			break;
		default: /* -h, -V, a missing value, an unknown option */
			rc = flame_common_option("render", c, usage_text, argv);
			goto out;
		}
	}
	if (!view || (strcmp(view, "top") && strcmp(view, "tree"))) {
		static const struct flame_writer_defaults dflt = { &flame_format_svg, &flame_format_svg,
								    &flame_format_svg };
		if (flame_pick_writer("render", view, output, &dflt, &writer) != EXIT_OK)
			goto out;
	}

	struct flame_error err = { 0 };
	rc = EXIT_DATA;
	if (nameattr_file) {
		size_t len;
		if (slurp(nameattr_file, &nameattr_data, &len, &err) < 0 ||
		    flame_nameattr_parse(&na, nameattr_data, len, nameattr_warn, NULL, &err) < 0) {
			rc = flame_report_error(&err);
			goto out;
		}
		o.nameattr = &na;
	}
	if (cp) {
		if (access(palette_file, F_OK) == 0) {
			char *data;
			size_t len;
			uint64_t bad, first;
			if (slurp(palette_file, &data, &len, &err) < 0) {
				rc = flame_report_error(&err);
				goto out;
			}
			flame_palette_map_parse(&pmap, data, len, &bad, &first);
			free(data);
			if (bad)
				cmd_warning("%s:%llu: %llu line%s without 'NAME->rgb(R,G,B)' "
						"ignored", palette_file, (unsigned long long)first,
					(unsigned long long)bad, bad == 1 ? "" : "s");
		}
		o.palette_map = &pmap;
	}
	int want_svg = writer == &flame_format_svg;
	to.format = view && strcmp(view, "tree") == 0 ? FLAME_TEXT_TREE : FLAME_TEXT_TOP;
	if (strcmp(color_when, "always") == 0)
		to.color = 1;
	else if (strcmp(color_when, "auto") == 0)
		to.color = !output && isatty(1) && !getenv("NO_COLOR") &&
			   !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);

	struct flame_output *out = NULL;
	struct held *held = NULL;
	size_t nheld = argc > optind ? (size_t)(argc - optind) : 1;
	int streamed = 0, held_other = 0;

	/* Folded text: straight from the bytes when it is sorted or a flame chart. */
	if (want_svg && !no_stream) {
		int h = hold_inputs(argv + optind, (size_t)(argc - optind), fmt, &held, &err);
		if (h < 0) {
			rc = flame_report_error(&err);
			goto out;
		}
		if (h == 2)
			held = NULL; /* another format named: the reader reads the files */
		held_other = h == 1;
		if (h == 0) {
			struct flame_text_input *ti = flame_xcalloc(nheld, sizeof(*ti));
			for (size_t i = 0; i < nheld; i++)
				ti[i] = (struct flame_text_input){ held[i].name, held[i].data, held[i].len,
								   held[i].map != NULL };
			struct flame_stream_result sr;
			if (flame_output_open(&out, output, &err) < 0) {
				free(ti);
				rc = flame_report_error(&err);
				goto out_held;
			}
			int s = flame_render_svg_folded(ti, nheld, &o, out, &sr, &err);
			free(ti);
			if (s == 0) {
				streamed = 1;
				for (int i = 0; i < sr.nbad; i++)
					cmd_warning("%s:%llu: expected 'frame;frame;... COUNT', "
							"got '%s'", held[sr.bad[i].file].name,
						(unsigned long long)sr.bad[i].line, sr.bad[i].text);
				if (sr.bad_lines > (uint64_t)sr.nbad)
					cmd_warning("%llu lines skipped in all: %s",
						(unsigned long long)sr.bad_lines,
						flame_diag_kind_name(FLAME_DIAG_BAD_FOLDED));
				if (flame_output_commit(out, &err) < 0) {
					out = NULL;
					rc = flame_report_error(&err);
					goto out_held;
				}
				out = NULL;
				if (!quiet)
					note_pruned(&rep_svg, &o, 0);
				goto done;
			}
			if (s < 0) {
				flame_output_abort(out);
				out = NULL;
				if (rep_svg.empty && sr.bad_lines)
					cmd_error("%llu line%s did not parse",
						(unsigned long long)sr.bad_lines, sr.bad_lines == 1 ? "" : "s");
				rc = flame_report_error(&err);
				goto out_held;
			}
			/* not sorted: keep out open and read into a profile below */
		}
	}

	{
		struct flame_reader_config cfg = {
			.format = held && !held_other && !fmt ? &flame_format_folded : fmt,
			.opts = NULL,
			.nthreads = (int)jobs,
			.progress = quiet ? NULL : flame_progress_line,
		};
		struct flame_read_opts ro;
		memset(&ro, 0, sizeof(ro));
		/* formats with time keep it */
		ro.want_timeline = o.flamechart || (writer && writer->shows_time);
		cfg.opts = &ro;
		struct flame_profile prof;
		struct flame_read_report rep;
		flame_profile_init(&prof);
		int r = held ? read_held(held, nheld, &cfg, &prof, &rep, &err)
			     : flame_read_files((const char *const *)argv + optind,
						(size_t)(argc - optind), &cfg, &prof, &rep, &err);
		if (r < 0) {
			if (out)
				flame_output_abort(out);
			out = NULL;
			rc = flame_report_error(&err);
			flame_profile_release(&prof);
			goto out_held;
		}
		flame_report_quality(&rep, quiet);
		if (prof.overflow) {
			cmd_error("a stack's total weight does not fit in 64 bits");
			rc = EXIT_DATA;
		} else if (!out && flame_output_open(&out, output, &err) < 0) {
			rc = flame_report_error(&err);
		} else {
			int wr = want_svg ? flame_format_write(writer, &prof, &o, out, &err)
				 : writer ? flame_format_write(writer, &prof, NULL, out, &err)
					  : flame_render_text(&prof, &to, out, &err);
			if (wr < 0) {
				flame_output_abort(out);
				out = NULL;
				rc = flame_report_error(&err);
			} else {
				int cr = flame_output_commit(out, &err);
				out = NULL;
				if (cr < 0)
					rc = flame_report_error(&err);
				else
					rc = EXIT_OK;
				if (want_svg && !quiet)
					note_pruned(&rep_svg, &o, prof.scale_digits);
			}
		}
		flame_read_report_release(&rep);
		flame_profile_release(&prof);
		if (rc != EXIT_OK)
			goto out_held;
	}
done:
	rc = EXIT_OK;
	(void)streamed;
	if (want_svg && rep_svg.total_ignored)
		cmd_warning("--total %g is less than the actual total, so ignored",
			o.total);
	if (cp) {
		struct flame_buf b = FLAME_BUF_INIT;
		struct flame_output *po;
		flame_palette_map_format(&pmap, &b);
		if (flame_output_open(&po, palette_file, &err) < 0) {
			rc = flame_report_error(&err);
		} else if (flame_output_write(po, b.data ? b.data : "", b.len, &err) < 0) {
			flame_output_abort(po);
			rc = flame_report_error(&err);
		} else if (flame_output_commit(po, &err) < 0) {
			rc = flame_report_error(&err);
		}
		flame_buf_release(&b);
	}
out_held:
	if (held)
		held_release(held, nheld);
out:
	free(nameattr_data);
	flame_nameattr_release(&na);
	flame_palette_map_release(&pmap);
	return rc;
}
