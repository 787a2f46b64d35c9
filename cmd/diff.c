/*
 * diff.c - flame diff: compare two profiles.
 *
 * The steps: options, the merge join of two canonical folded files (no
 * profile), else both files read and combined into one profile with two
 * weight columns, written as folded text, the differential SVG, the table
 * of changes or another writer's format (AFTER's column).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/util.h"
#include "../filters/canon.h"
#include "../filters/diff.h"
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
	"Compare two profiles, each in any format flame reads (they may differ).\n"
	"The default output is that of FlameGraph's difffolded.pl: one line per\n"
	"stack found in either input, 'STACK COUNT_BEFORE COUNT_AFTER', with 0 where\n"
	"a stack is missing, sorted.  Fractional counts are kept exactly.  It can\n"
	"also draw the differential flame graph, or list the changes per function.\n";

static const char epilog[] =
	"Examples:\n"
	"  flame diff before.folded after.folded | flamegraph.pl > diff.svg\n"
	"  flame diff -n -o diff.svg --width max before.folded after.folded\n"
	"  flame diff -n --format top --min-delta 0.5% old.perf.txt new.folded\n";

enum {
	OPT_NORMALIZE = 256,
	OPT_STRIP_HEX,
	OPT_MIN_DELTA,
	OPT_SORT,
	OPT_LIMIT,
	OPT_NO_FAST_PATH,
	OPT_WIDTH,
	OPT_NEGATE,
	OPT_TITLE,
};

/* diff's own --width, --negate and --title come before the SVG group: they
 * win over its rows of the same name (--width is the SVG's image width
 * there), and they apply whatever the output is, as they always did. */
static const struct flame_option options[] = {
	{ "normalize", 'n', OPT_NORMALIZE, NULL,
	  "scale BEFORE's counts to AFTER's total (rounded down),\n"
	  "so that a change of load does not colour everything" },
	{ "strip-hex", 's', OPT_STRIP_HEX, NULL,
	  "write hex numbers such as 0x7f3a12 as 0x..., so that\n"
	  "addresses that moved between runs match" },
	{ "output", 'o', FLAME_OPT_OUTPUT, "FILE",
	  "write to FILE (default: standard output); FILE is\n"
	  "replaced only once complete; '.zst' compresses; the\n"
	  "name chooses the format as --format would: '.svg',\n"
	  "'.speedscope.json', ... (see 'flame formats'); other\n"
	  "names are written folded" },
	{ "format", 0, FLAME_OPT_TO, "FMT",
	  "(also --to FMT) folded (default), svg, top, or another\n"
	  "format flame writes: those with one weight column get\n"
	  "AFTER's" },
	FLAME_OPT_INCLUDE(flame_opts_to),
	FLAME_OPT_INCLUDE(flame_opts_input),
	FLAME_OPT_INCLUDE(flame_opts_output),
	FLAME_OPT_HEADING("--format svg, the differential flame graph (as flamegraph.pl draws the\n"
			  "folded output): red frames grew, blue ones shrank, the deeper the colour\n"
			  "the larger the change; the other options of flame render apply too:"),
	{ "width", 0, OPT_WIDTH, "WHICH",
	  "frame widths from after (the default), before, or\n"
	  "max (the larger of the two: code paths that went\n"
	  "away stay visible)" },
	{ "diff-width", 0, OPT_WIDTH, "WHICH", NULL },
	{ "negate", 0, OPT_NEGATE, NULL, "swap the colours (for 'flame diff AFTER BEFORE')" },
	{ "title", 0, OPT_TITLE, "TEXT", "title (default: 'Differential Flame Graph')" },
	{ "subtitle", 0, FLAME_OPT_SUBTITLE, "TEXT",
	  "second title line (default: 'before: BEFORE, after:\n"
	  "AFTER')" },
	FLAME_OPT_INCLUDE(flame_opts_svg),
	FLAME_OPT_HEADING("--format top, the changes per function as a table:"),
	{ "min-delta", 0, OPT_MIN_DELTA, "N",
	  "hide functions whose self and total weights both\n"
	  "changed by less than N (weight units), or by less\n"
	  "than N% of the larger total with a trailing '%'" },
	{ "sort", 0, OPT_SORT, "KEY",
	  "order by |self delta| (self, the default) or by\n"
	  "|total delta| (total)" },
	{ "limit", 0, OPT_LIMIT, "N", "show at most N functions" },
	/* for tests and benchmarks: always read into profiles */
	{ "no-fast-path", 0, OPT_NO_FAST_PATH, NULL, NULL },
	FLAME_OPT_END,
};

static const struct flame_usage usage = {
	.cmd = "diff",
	.synopsis = "usage: flame diff [options] BEFORE AFTER\n",
	.about = about,
	.options = options,
	.epilog = epilog,
};

/* What a step returns when the next one should run; else an exit code. */
#define GO_ON FLAME_OPTS_GO_ON

enum out_kind { OUT_FOLDED, OUT_SVG, OUT_TOP, OUT_WRITER };

struct diff {
	struct flame_cli cli;             /* -o, -q, --format/--to, -j, --input-format, SVG */
	struct flame_diff_opts dopt;      /* -n, -s */
	struct flame_diff_top_opts topt;  /* --format top */
	struct flame_decimal min_delta;   /* --min-delta, in weight units or percent */
	int min_delta_pct;
	int fast;                         /* the merge join may apply (not --no-fast-path) */
	enum out_kind kind;
	const struct flame_format *writer; /* OUT_WRITER's, or NULL */
	const char *before, *after;       /* the operands */
	struct flame_diff_totals tot;
	struct flame_render_report rep;   /* of the SVG */
};

/* ---- options ---- */

static int parse_width(struct diff *d, const char *arg)
{
	if (strcmp(arg, "after") == 0)
		d->cli.svg.diff_width = FLAME_DIFF_WIDTH_AFTER;
	else if (strcmp(arg, "before") == 0)
		d->cli.svg.diff_width = FLAME_DIFF_WIDTH_BEFORE;
	else if (strcmp(arg, "max") == 0)
		d->cli.svg.diff_width = FLAME_DIFF_WIDTH_MAX;
	else
		return flame_usage_error("diff", "--width expects before, after or max, got '%s'", arg);
	return 0;
}

static int parse_min_delta(struct diff *d, const char *arg)
{
	char buf[64];
	size_t n = strlen(arg);
	int pct = n > 0 && arg[n - 1] == '%';
	if (pct)
		n--;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	struct flame_decimal *m = &d->min_delta;
	if (flame_decimal_parse(m, buf) < 0 || (pct && (m->ip > 100 || (m->ip == 100 && m->fp))))
		return flame_usage_error("diff", "--min-delta expects a number, or a percentage like "
						 "'0.5%%', got '%s'", arg);
	d->min_delta_pct = pct;
	return 0;
}

static int option(void *ctx, int id, const char *arg)
{
	struct diff *d = ctx;
	unsigned long long limit;
	switch (id) {
	case OPT_NORMALIZE:
		d->dopt.normalize = 1;
		return 0;
	case OPT_STRIP_HEX:
		d->dopt.strip_hex = 1;
		return 0;
	case OPT_WIDTH:
		return parse_width(d, arg);
	case OPT_NEGATE:
		d->cli.svg.negate = 1;
		return 0;
	case OPT_TITLE:
		d->cli.svg.title = arg;
		return 0;
	case OPT_MIN_DELTA:
		return parse_min_delta(d, arg);
	case OPT_SORT:
		if (strcmp(arg, "self") == 0)
			d->topt.sort = FLAME_DIFF_SORT_SELF;
		else if (strcmp(arg, "total") == 0)
			d->topt.sort = FLAME_DIFF_SORT_TOTAL;
		else
			return flame_usage_error("diff", "--sort expects 'self' or 'total', got '%s'", arg);
		return 0;
	case OPT_LIMIT:
		if (flame_parse_uint("diff", "--limit", arg, UINT32_MAX, &limit) < 0)
			return EXIT_USAGE;
		d->topt.limit = limit;
		return 0;
	case OPT_NO_FAST_PATH:
		d->fast = 0;
		return 0;
	default:
		return flame_cli_option(&d->cli, id, arg);
	}
}

/* After the options: the two operands and the output's kind; GO_ON or
 * EXIT_USAGE (printed). */
static int check_options(struct diff *d, int nargs, char **args)
{
	if (nargs != 2)
		return flame_usage_error("diff", "expected two profiles, BEFORE and AFTER, got %d", nargs);
	d->before = args[0];
	d->after = args[1];
	if (d->cli.to && strcmp(d->cli.to, "top") == 0) {
		d->kind = OUT_TOP;
	} else {
		static const struct flame_writer_defaults dflt = {
			&flame_format_folded, &flame_format_folded, &flame_format_folded
		};
		if (flame_pick_writer("diff", d->cli.to, d->cli.output, &dflt, &d->writer) != EXIT_OK)
			return EXIT_USAGE;
		d->kind = d->writer == &flame_format_folded ? OUT_FOLDED
			  : d->writer == &flame_format_svg  ? OUT_SVG
							    : OUT_WRITER;
	}
	if (strcmp(d->before, "-") == 0 && strcmp(d->after, "-") == 0)
		return flame_usage_error("diff", "only one of BEFORE and AFTER can be standard input");
	if (d->cli.svg_first && d->kind != OUT_SVG)
		return flame_usage_error("diff", "--%s applies to SVG output, not to %s", d->cli.svg_first,
					 d->kind == OUT_TOP ? "top" : d->writer->name);
	d->topt.before_name = d->before;
	d->topt.after_name = d->after;
	return GO_ON;
}

/* The files --nameattr and --cp name, for the SVG; GO_ON or EXIT_DATA. */
static int load_svg_extras(struct diff *d)
{
	struct flame_error err = { 0 };
	if (d->kind == OUT_SVG && flame_cli_svg_load(&d->cli, &err) < 0)
		return flame_report_error(&err);
	return GO_ON;
}

/* ---- reading ---- */

/* Two canonical folded files: a merge join, no trie needed.  GO_ON when
 * it does not apply, else the exit code. */
static int merge_join(struct diff *d)
{
	if (!d->fast || d->kind != OUT_FOLDED || d->dopt.strip_hex)
		return GO_ON;
	struct flame_canon_set b, a;
	if (!flame_canon_open(&b, &d->before, 1, d->cli.in_format))
		return GO_ON;
	if (!flame_canon_open(&a, &d->after, 1, d->cli.in_format)) {
		flame_canon_close(&b);
		return GO_ON;
	}
	struct flame_error err = { 0 };
	int r = flame_canon_diff(&b.f[0], &a.f[0], d->dopt.normalize, (int)d->cli.jobs, d->cli.output,
				 &d->tot, &err);
	flame_canon_close(&a);
	flame_canon_close(&b);
	if (r == 0)
		return GO_ON;
	return r > 0 ? EXIT_OK : flame_report_error(&err);
}

static int read_one(const struct diff *d, const char *path, struct flame_profile *p,
		    struct flame_error *err)
{
	struct flame_read_opts ro;
	memset(&ro, 0, sizeof(ro));
	const struct flame_format *fmt = d->cli.in_format;
	if (!fmt && flame_canon_undetected(path)) {
		fmt = &flame_format_folded;
		if (!d->cli.quiet)
			cmd_note("%s: format not recognized, read as folded stacks", path);
	}
	struct flame_reader_config cfg = {
		.format = fmt,
		.opts = &ro,
		.nthreads = (int)d->cli.jobs,
		.progress = d->cli.quiet ? NULL : flame_progress_line,
	};
	struct flame_read_report rep;
	const char *paths[] = { path };
	if (flame_read_files(paths, 1, &cfg, p, &rep, err) < 0)
		return -1;
	uint64_t warnings = flame_report_quality(&rep, d->cli.quiet);
	flame_read_report_release(&rep);
	if (warnings && p->nstacks == 0)
		return flame_error_set(err, FLAME_ERR_DATA, path, 0,
				       "no stacks found; %llu line%s did not parse",
				       (unsigned long long)warnings, warnings == 1 ? "" : "s");
	if (p->ncols == 2)
		return flame_error_set(err, FLAME_ERR_DATA, path, 0,
				       "is already a differential profile (two counts per line); "
				       "flame diff compares plain profiles");
	return 0;
}

/* ---- writing ---- */

/* A writer with one weight column gets AFTER's: the profile as it is now. */
static void keep_after(struct flame_profile *p)
{
	for (size_t i = 0; i < p->nnodes; i++) {
		p->nodes[i].self[0] = p->nodes[i].self[1];
		p->nodes[i].self[1] = 0;
	}
	p->ncols = 1;
}

static int write_top(struct diff *d, const struct flame_profile *p, struct flame_output *out,
		     struct flame_error *err)
{
	d->topt.min_delta = flame_diff_min_delta(p, &d->min_delta, d->min_delta_pct);
	d->topt.normalized = d->tot.normalized;
	d->topt.before_total = d->tot.before;
	d->topt.after_total = d->tot.after;
	return flame_render_diff_top(p, &d->topt, out, err);
}

/* The differential flame graph; the subtitle names the files. */
static int write_svg(struct diff *d, const struct flame_profile *p, struct flame_output *out,
		     struct flame_error *err)
{
	struct flame_render_opts o = d->cli.svg;
	struct flame_buf sub = FLAME_BUF_INIT;
	if (!o.subtitle) {
		flame_buf_addf(&sub, "before: %s, after: %s%s", d->before, d->after,
			       d->tot.normalized ? " (before normalized to after's total)" : "");
		o.subtitle = sub.data;
	}
	o.report = &d->rep;
	int w = flame_format_write(&flame_format_svg, p, &o, out, err);
	flame_buf_release(&sub);
	return w;
}

static int write_output(struct diff *d, struct flame_profile *p, const uint8_t *present)
{
	struct flame_error err = { 0 };
	struct flame_output *out;
	if (flame_output_open(&out, d->cli.output, &err) < 0)
		return flame_report_error(&err);
	int w;
	if (d->kind == OUT_TOP) {
		w = write_top(d, p, out, &err);
	} else if (d->kind == OUT_SVG) {
		w = write_svg(d, p, out, &err);
	} else if (d->kind == OUT_WRITER) {
		keep_after(p);
		if (!d->cli.quiet)
			cmd_note("%s has one weight column; wrote AFTER's (folded, svg and top show both)",
				 d->writer->name);
		w = flame_format_write(d->writer, p, NULL, out, &err);
	} else {
		w = flame_folded_write_diff(p, present, out, &err);
	}
	if (w < 0) {
		flame_output_abort(out);
		return flame_report_error(&err);
	}
	if (flame_output_commit(out, &err) < 0)
		return flame_report_error(&err);
	return EXIT_OK;
}

/* Both profiles read, combined into one with two columns, and written. */
static int diff_profiles(struct diff *d)
{
	struct flame_profile before, after, diff;
	struct flame_error err = { 0 };
	uint8_t *present = NULL;
	int rc;
	flame_profile_init(&before);
	flame_profile_init(&after);
	if (read_one(d, d->before, &before, &err) < 0 || read_one(d, d->after, &after, &err) < 0) {
		rc = flame_report_error(&err);
		flame_profile_release(&before);
		flame_profile_release(&after);
		return rc;
	}
	int combined = flame_diff_combine(&before, &after, &d->dopt, &diff, &present, &d->tot, &err);
	flame_profile_release(&before);
	flame_profile_release(&after);
	rc = combined < 0 ? flame_report_error(&err) : write_output(d, &diff, present);
	free(present);
	flame_profile_release(&diff);
	return rc;
}

/* After the SVG: --total ignored, the --cp palette file written back. */
static int finish_svg(struct diff *d, int rc)
{
	struct flame_error err = { 0 };
	if (d->kind != OUT_SVG || rc != EXIT_OK)
		return rc;
	if (d->rep.total_ignored)
		cmd_warning("--total %g is less than the actual total, so ignored", d->cli.svg.total);
	if (flame_cli_svg_save(&d->cli, &err) < 0)
		return flame_report_error(&err);
	return rc;
}

int cmd_diff(int argc, char **argv)
{
	struct diff d;
	memset(&d, 0, sizeof(d));
	d.fast = 1;
	flame_cli_init(&d.cli, "diff");
	d.cli.svg.title = "Differential Flame Graph";
	int rc = flame_options_parse(&usage, argc, argv, option, &d);
	if (rc == GO_ON)
		rc = check_options(&d, argc - optind, argv + optind);
	if (rc == GO_ON)
		rc = load_svg_extras(&d);
	if (rc == GO_ON)
		rc = merge_join(&d);
	if (rc == GO_ON)
		rc = finish_svg(&d, diff_profiles(&d));
	flame_cli_release(&d.cli);
	return rc;
}
