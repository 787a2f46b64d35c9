/*
 * render.c - flame render: an interactive SVG flame graph, or text views.
 *
 * Options are flamegraph.pl's, with its defaults (the shared SVG group,
 * cliopts.h).  Folded text that is already sorted (or any folded text for
 * --flamechart) is laid out straight from the mapped file
 * (flame_render_svg_folded(), in render/render.h); everything else is read
 * into a profile first, through the format registry.
 *
 * The steps: options, the SVG extras (--nameattr, --cp), the streaming
 * path, the general path (read, then write), the notes, the palette saved.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../core/io.h"
#include "../core/text.h"
#include "../core/util.h"
#include "../formats/folded.h"
#include "../formats/format.h"
#include "../formats/reader.h"
#include "../formats/registry.h"
#include "../render/render.h"
#include "../render/svgformat.h"
#include "../render/text.h"
#include "cliopts.h"
#include "cmd.h"
#include "options.h"

static const char about[] =
	"Draw an interactive SVG flame graph of a profile, or a text view of it.\n"
	"FILEs (default: standard input, also '-') are any format flame reads\n"
	"(see 'flame formats'), gzip or zstd compressed or not; several are merged.\n"
	"Folded input with two counts per line ('STACK BEFORE AFTER') draws a\n"
	"differential flame graph.\n";

static const char epilog[] =
	"Examples:\n"
	"  flame render prof.folded > prof.svg\n"
	"  perf script | flame collapse | flame render --title 'make -j8' -o build.svg\n"
	"  flame render --format top --limit 20 prof.folded\n";

enum {
	OPT_LIMIT = 256,
	OPT_MIN_PERCENT,
	OPT_COLOR,
	OPT_NO_STREAM,
};

static const struct flame_option options[] = {
	FLAME_OPT_HEADING("Output:"),
	{ "output", 'o', FLAME_OPT_OUTPUT, "FILE",
	  "write to FILE (default: standard output); FILE is\n"
	  "replaced only once complete; '.zst' compresses; the\n"
	  "name chooses the format as --format would: '.svg',\n"
	  "'.folded', '.speedscope.json', ... (see 'flame\n"
	  "formats'); other names get an SVG" },
	{ "format", 0, FLAME_OPT_TO, "VIEW",
	  "(also --to VIEW) svg (default), top (functions by\n"
	  "self weight), tree (indented call tree), or another\n"
	  "format flame writes (folded, speedscope, ...)" },
	FLAME_OPT_INCLUDE(flame_opts_to),
	FLAME_OPT_INCLUDE(flame_opts_output),
	FLAME_OPT_HEADING("Input:"),
	FLAME_OPT_INCLUDE(flame_opts_input),
	FLAME_OPT_HEADING("Flame graph (the options and defaults of flamegraph.pl):"),
	FLAME_OPT_INCLUDE(flame_opts_svg),
	FLAME_OPT_HEADING("Text views (--reverse: the tree has the callees at its root):"),
	{ "limit", 0, OPT_LIMIT, "N", "top: at most N rows (default: all)" },
	{ "min-percent", 0, OPT_MIN_PERCENT, "P", "tree: leave out calls under P% of the total (0)" },
	{ "color", 0, OPT_COLOR, "WHEN", "auto (default: on a terminal), always or never" },
	/* for tests and benchmarks: always read into a profile */
	{ "no-stream", 0, OPT_NO_STREAM, NULL, NULL },
	FLAME_OPT_END,
};

static const struct flame_usage usage = {
	.cmd = "render",
	.synopsis = "usage: flame render [options] [FILE...]\n",
	.about = about,
	.options = options,
	.epilog = epilog,
};

/* What a step returns when the next one should run; else an exit code. */
#define GO_ON FLAME_OPTS_GO_ON

/* One input held in memory for the streaming path: mapped, or read whole. */
struct held {
	char *name;
	const char *data;
	size_t len;
	void *map;     /* munmap on release */
	char *owned;   /* free on release */
};

struct render {
	struct flame_cli cli;            /* -o, -q, --format/--to, input, SVG (cli.svg) */
	struct flame_text_opts text;     /* --format top or tree */
	struct flame_render_report rep;  /* what the SVG left out (cli.svg.report) */
	const char *color_when;          /* --color: auto, always or never */
	int no_stream;                   /* --no-stream: always read into a profile */
	const struct flame_format *writer; /* NULL: a text view */
	int want_svg;                    /* writer is the SVG */
	/* inputs */
	const char *const *paths;
	size_t npaths;
	struct held *held;               /* the inputs, held by the streaming path, or NULL */
	size_t nheld;
	int held_other;                  /* some held input is another format than folded */
	/* output */
	struct flame_output *out;        /* opened by the streaming path before it fell back */
	int wrote;                       /* the output was written: the notes apply */
	int scale_digits;                /* of the weights the pruned note shows */
};

/* ---- options ---- */

/* --min-percent: a non-negative number. */
static int option(void *ctx, int id, const char *arg)
{
	struct render *r = ctx;
	unsigned long long n;
	switch (id) {
	case OPT_LIMIT:
		if (flame_parse_uint("render", "--limit", arg, UINT64_MAX, &n) < 0)
			return EXIT_USAGE;
		r->text.limit = n;
		return 0;
	case OPT_MIN_PERCENT:
		return flame_parse_double("render", "--min-percent", arg, &r->text.min_percent) < 0 ? EXIT_USAGE : 0;
	case OPT_COLOR:
		if (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never"))
			return flame_usage_error("render", "--color expects auto, always or never, got '%s'",
						 arg);
		r->color_when = arg;
		return 0;
	case OPT_NO_STREAM:
		r->no_stream = 1;
		return 0;
	default:
		return flame_cli_option(&r->cli, id, arg);
	}
}

/* After the options: the writer (none for a text view: --format top or
 * tree) and the text views' options; GO_ON or EXIT_USAGE (printed). */
static int check_options(struct render *r)
{
	const char *view = r->cli.to; /* top, tree, or a writer's name (default: svg) */
	if (!view || (strcmp(view, "top") && strcmp(view, "tree"))) {
		static const struct flame_writer_defaults dflt = { &flame_format_svg, &flame_format_svg,
								    &flame_format_svg };
		if (flame_pick_writer("render", view, r->cli.output, &dflt, &r->writer) != EXIT_OK)
			return EXIT_USAGE;
	}
	r->want_svg = r->writer == &flame_format_svg;
	struct flame_text_opts *t = &r->text;
	t->format = view && strcmp(view, "tree") == 0 ? FLAME_TEXT_TREE : FLAME_TEXT_TOP;
	/* --reverse and --diff-width are the text views' options too */
	t->reverse = r->cli.svg.reverse;
	t->diff_width = r->cli.svg.diff_width;
	if (strcmp(r->color_when, "always") == 0)
		t->color = 1;
	else if (strcmp(r->color_when, "auto") == 0)
		t->color = !r->cli.output && isatty(1) && !getenv("NO_COLOR") &&
			   !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
	return GO_ON;
}

/* The files --nameattr and --cp name; GO_ON or EXIT_DATA (printed). */
static int load_svg_extras(struct render *r)
{
	struct flame_error err = { 0 };
	r->cli.svg.report = &r->rep;
	if (flame_cli_svg_load(&r->cli, &err) < 0)
		return flame_report_error(&err);
	return GO_ON;
}

/* ---- the streaming path: sorted folded text ---- */

static void held_release(struct held *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (h[i].map)
			flame_input_unmap(h[i].map, h[i].len);
		free(h[i].owned);
		free(h[i].name);
	}
	free(h);
}

/* Map path into h, or read it whole when it cannot be mapped (standard
 * input, compressed files); -1 with err set. */
static int hold_one(const char *path, struct held *h, struct flame_error *err)
{
	struct flame_input *in;
	if (flame_input_open(&in, path, err) < 0)
		return -1;
	h->name = flame_xstrdup(flame_input_name(in));
	const void *map;
	size_t maplen;
	if (flame_input_map(in, &map, &maplen) == 0) {
		h->data = map;
		h->len = maplen;
		h->map = (void *)map;
		flame_input_close(in);
		return 0;
	}
	struct flame_buf b = FLAME_BUF_INIT;
	for (;;) {
		flame_buf_reserve(&b, 1 << 20);
		ssize_t n = flame_input_read(in, b.data + b.len, b.cap - b.len - 1, err);
		if (n < 0) {
			flame_buf_release(&b);
			flame_input_close(in);
			return -1;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
	}
	flame_input_close(in);
	h->owned = b.data;
	h->data = b.data ? b.data : "";
	h->len = b.len;
	return 0;
}

/* Folded unless another format claims it: flamegraph.pl reads anything,
 * skipping the lines that are not "STACK COUNT".  (Detection, not the
 * folded probe alone: one long first line, say flame's own speedscope or
 * d3 JSON, leaves the folded probe undecided.) */
static int other_format(const struct held *h)
{
	if (!h->len)
		return 0;
	struct flame_detect d;
	flame_format_detect(h->data, h->len, 1, FLAME_DETECT_ALL, &d);
	for (int i = 0; i < d.nyes && i < 2; i++)
		if (d.yes[i] == &flame_format_folded)
			return 0;
	return d.nyes > 0;
}

/* Whether a held input starts with the folded unit line ("# unit=ns"):
 * the reader takes its unit, so the general path renders it. */
static int has_unit_line(const struct held *h)
{
	const char *s = h->data, *end = h->data + h->len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);
		const char *line = s;
		s = nl ? nl + 1 : end;
		flame_trim_end(line, &n);
		size_t i = 0;
		while (i < n && flame_is_space((unsigned char)line[i]))
			i++;
		if (i == n)
			continue;
		enum flame_unit u;
		return flame_folded_unit_line(line, n, &u) != 0;
	}
	return 0;
}

/* Hold the inputs for the streaming path (r->held, also when 1 is
 * returned: standard input can be read only once).  Returns 0 if they are
 * all folded text, 1 if not (the reader reads the held bytes), 2 if
 * --input-format named another format (nothing held), -1 on error. */
static int hold_inputs(struct render *r, struct flame_error *err)
{
	static const char *const stdin_only[] = { "-" };
	const char *const *paths = r->npaths ? r->paths : stdin_only;
	size_t n = r->npaths ? r->npaths : 1;
	const struct flame_format *fmt = r->cli.in_format;
	if (fmt && fmt != &flame_format_folded)
		return 2;
	struct held *h = flame_xcalloc(n, sizeof(*h));
	int other = 0;
	for (size_t i = 0; i < n; i++) {
		if (hold_one(paths[i], &h[i], err) < 0) {
			held_release(h, n);
			return -1;
		}
		if (!fmt && other_format(&h[i]))
			other = 1;
		else if (has_unit_line(&h[i]))
			other = 1; /* folded, read by the general path */
	}
	r->held = h;
	r->nheld = n;
	return other;
}

/* The lines of a streamed input that are not "STACK COUNT". */
static void warn_bad_lines(const struct render *r, const struct flame_stream_result *sr)
{
	for (int i = 0; i < sr->nbad; i++)
		cmd_warning("%s:%llu: expected 'frame;frame;... COUNT', got '%s'",
			    r->held[sr->bad[i].file].name, (unsigned long long)sr->bad[i].line,
			    sr->bad[i].text);
	if (sr->bad_lines > (uint64_t)sr->nbad)
		cmd_warning("%llu lines skipped in all: %s", (unsigned long long)sr->bad_lines,
			    flame_diag_kind_name(FLAME_DIAG_BAD_FOLDED));
}

/* Folded text laid out straight from the held bytes when it is sorted or
 * a flame chart: no profile.  GO_ON when the general path must read the
 * inputs (r->out is then open when the input was folded but not sorted),
 * else the exit code. */
static int stream(struct render *r)
{
	struct flame_error err = { 0 };
	if (!r->want_svg || r->no_stream)
		return GO_ON;
	int h = hold_inputs(r, &err);
	if (h < 0)
		return flame_report_error(&err);
	r->held_other = h == 1;
	if (h != 0)
		return GO_ON;
	struct flame_text_input *ti = flame_xcalloc(r->nheld, sizeof(*ti));
	for (size_t i = 0; i < r->nheld; i++)
		ti[i] = (struct flame_text_input){ r->held[i].name, r->held[i].data, r->held[i].len,
						   r->held[i].map != NULL };
	struct flame_output *out;
	struct flame_stream_result sr;
	if (flame_output_open(&out, r->cli.output, &err) < 0) {
		free(ti);
		return flame_report_error(&err);
	}
	int s = flame_render_svg_folded(ti, r->nheld, &r->cli.svg, out, &sr, &err);
	free(ti);
	if (s > 0) {
		r->out = out; /* not sorted: read into a profile, written here */
		return GO_ON;
	}
	if (s < 0) {
		flame_output_abort(out);
		if (r->rep.empty && sr.bad_lines)
			cmd_error("%llu line%s did not parse", (unsigned long long)sr.bad_lines,
				  sr.bad_lines == 1 ? "" : "s");
		return flame_report_error(&err);
	}
	warn_bad_lines(r, &sr);
	if (flame_output_commit(out, &err) < 0)
		return flame_report_error(&err);
	r->wrote = 1;
	return EXIT_OK;
}

/* ---- the general path: a profile ---- */

/* Feed held inputs to the reader (the streaming path did not apply). */
static int read_held(struct held *h, size_t n, const struct flame_reader_config *cfg,
		     struct flame_profile *prof, struct flame_read_report *rep,
		     struct flame_error *err)
{
	struct flame_reader *rd = flame_reader_new(cfg);
	for (size_t i = 0; i < n; i++) {
		if (flame_reader_begin_file(rd, h[i].name, err) < 0 ||
		    flame_reader_feed(rd, h[i].data, h[i].len, err) < 0 ||
		    flame_reader_end_file(rd, err) < 0) {
			/* a parser's failure is put into err by finish(), with its line */
			struct flame_read_report dummy;
			memset(&dummy, 0, sizeof(dummy));
			if (flame_reader_finish(rd, prof, &dummy, err) == 0)
				flame_read_report_release(&dummy);
			return -1;
		}
	}
	return flame_reader_finish(rd, prof, rep, err);
}

/* The inputs, held by the streaming path or named, into prof. */
static int read_profile(const struct render *r, struct flame_profile *prof,
			struct flame_read_report *rep, struct flame_error *err)
{
	struct flame_read_opts ro;
	memset(&ro, 0, sizeof(ro));
	/* formats with time keep it */
	ro.want_timeline = r->cli.svg.flamechart || (r->writer && r->writer->shows_time);
	const struct flame_format *fmt = r->cli.in_format;
	struct flame_reader_config cfg = {
		.format = r->held && !r->held_other && !fmt ? &flame_format_folded : fmt,
		.format_option = "--from",
		.opts = &ro,
		.nthreads = (int)r->cli.jobs,
		.progress = r->cli.quiet ? NULL : flame_progress_line,
	};
	if (r->held)
		return read_held(r->held, r->nheld, &cfg, prof, rep, err);
	return flame_read_files(r->paths, r->npaths, &cfg, prof, rep, err);
}

/* prof as the SVG, another writer's format or a text view, atomically. */
static int write_profile(struct render *r, const struct flame_profile *prof)
{
	struct flame_error err = { 0 };
	struct flame_output *out = r->out;
	r->out = NULL;
	if (r->want_svg)
		flame_cli_svg_units(&r->cli, prof);
	if (!out && flame_output_open(&out, r->cli.output, &err) < 0)
		return flame_report_error(&err);
	int wr = r->want_svg ? flame_format_write(r->writer, prof, &r->cli.svg, out, &err)
		 : r->writer ? flame_format_write(r->writer, prof, NULL, out, &err)
			     : flame_render_text(prof, &r->text, out, &err);
	if (wr < 0) {
		flame_output_abort(out);
		return flame_report_error(&err);
	}
	r->wrote = 1;
	r->scale_digits = prof->scale_digits;
	return flame_output_commit(out, &err) < 0 ? flame_report_error(&err) : EXIT_OK;
}

static int read_and_write(struct render *r)
{
	struct flame_profile prof;
	struct flame_read_report rep;
	struct flame_error err = { 0 };
	int rc;
	flame_profile_init(&prof);
	if (read_profile(r, &prof, &rep, &err) < 0) {
		rc = flame_report_error(&err);
		flame_profile_release(&prof);
		return rc;
	}
	flame_report_quality(&rep, r->cli.quiet);
	if (prof.overflow) {
		cmd_error("a stack's total weight does not fit in 64 bits");
		rc = EXIT_DATA;
	} else {
		rc = write_profile(r, &prof);
	}
	flame_read_report_release(&rep);
	flame_profile_release(&prof);
	return rc;
}

/* ---- after writing ---- */

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

/* What the SVG left out, once it is written; what it ignored, once all went well. */
static void notes(const struct render *r, int rc)
{
	if (!r->want_svg)
		return;
	if (r->wrote && !r->cli.quiet)
		note_pruned(&r->rep, &r->cli.svg, r->scale_digits);
	if (rc == EXIT_OK && r->rep.total_ignored)
		cmd_warning("--total %g is less than the actual total, so ignored", r->cli.svg.total);
}

/* --cp: the palette file grows with the names this graph added. */
static int save_palette(struct render *r, int rc)
{
	struct flame_error err = { 0 };
	if (rc == EXIT_OK && flame_cli_svg_save(&r->cli, &err) < 0)
		return flame_report_error(&err);
	return rc;
}

int cmd_render(int argc, char **argv)
{
	struct render r;
	memset(&r, 0, sizeof(r));
	flame_cli_init(&r.cli, "render");
	flame_text_opts_init(&r.text);
	r.color_when = "auto";
	int rc = flame_options_parse(&usage, argc, argv, option, &r);
	if (rc == GO_ON)
		rc = check_options(&r);
	if (rc == GO_ON)
		rc = load_svg_extras(&r);
	if (rc == GO_ON) {
		r.paths = (const char *const *)argv + optind;
		r.npaths = (size_t)(argc - optind);
		rc = stream(&r);
		if (rc == GO_ON)
			rc = read_and_write(&r);
		notes(&r, rc);
		rc = save_palette(&r, rc);
	}
	if (r.out)
		flame_output_abort(r.out);
	if (r.held)
		held_release(r.held, r.nheld);
	flame_cli_release(&r.cli);
	return rc;
}
