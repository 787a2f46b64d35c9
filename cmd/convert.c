/*
 * convert.c - flame convert: read any supported profile format, write any
 * other.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/util.h"
#include "../formats/format.h"
#include "../formats/reader.h"
#include "../formats/registry.h"
#include "../render/render.h"
#include "../render/svgformat.h"
#include "cliopts.h"
#include "cmd.h"
#include "options.h"

static const char about[] =
	"Read a profile in any format flame reads and write it in another.  FILEs\n"
	"(default: standard input, also '-') may be gzip or zstd compressed;\n"
	"several FILEs are merged.  Weights, units and, where the target has room,\n"
	"threads and times are kept; what the target cannot hold is named in a\n"
	"one-line note.\n";

static const char epilog[] =
	"Examples:\n"
	"  flame convert --to speedscope -o prof.speedscope.json perf.folded\n"
	"  flame convert -o out.folded prof.speedscope.json\n"
	"\n"
	"Formats: folded, speedscope, chrome, cpuprofile, firefox, d3 and pprof are\n"
	"read and written; perf, perf-data and dtrace are read; svg is written (a\n"
	"flame graph with flame render's defaults, or with the SVG options above).\n"
	"See 'man flame-convert' for what each keeps.\n";

enum { OPT_SAMPLE_TYPE = 256, OPT_LIST };

static const struct flame_option options[] = {
	{ "from", 'f', FLAME_OPT_INPUT_FORMAT, "FMT", "input format (default: detected from the content)" },
	{ "format", 0, FLAME_OPT_INPUT_FORMAT, "FMT", NULL },
	{ "to", 't', FLAME_OPT_TO, "FMT",
	  "output format (default: from the -o file name:\n"
	  ".speedscope.json, .trace.json, .cpuprofile,\n"
	  ".d3.json, .firefox.json, .pb.gz, .pprof, .folded,\n"
	  ".txt, .svg; 'flame formats' lists them; '-' and\n"
	  "/dev/null are written folded)" },
	FLAME_OPT_INCLUDE(flame_opts_output),
	{ "sample-type", 0, OPT_SAMPLE_TYPE, "T", "pprof input: the sample type to read" },
	FLAME_OPT_INCLUDE(flame_opts_input),
	{ "list", 'l', OPT_LIST, NULL, "list the formats that can be read and written" },
	FLAME_OPT_HEADING("SVG output (--to svg, -o *.svg; the options of flame render):"),
	FLAME_OPT_INCLUDE(flame_opts_svg),
	FLAME_OPT_END,
};

static const struct flame_usage usage = {
	.cmd = "convert",
	.synopsis = "usage: flame convert [--from FMT] --to FMT [-o OUT] [FILE...]\n"
		    "       flame convert --list\n",
	.about = about,
	.options = options,
	.epilog = epilog,
};

struct convert {
	struct flame_cli cli;
	struct flame_read_opts ro;
	int list;
};

static int option(void *ctx, int id, const char *arg)
{
	struct convert *c = ctx;
	switch (id) {
	case OPT_SAMPLE_TYPE:
		c->ro.sample_type = arg;
		return 0;
	case OPT_LIST:
		c->list = 1;
		return 0;
	default:
		return flame_cli_option(&c->cli, id, arg);
	}
}

/* The one-line note on what the writer cannot hold. */
static void note_drops(const struct flame_format *to, const struct flame_profile *prof,
		       const struct flame_read_report *rep)
{
	int timed_input = 0;
	for (size_t i = 0; i < rep->nfiles; i++)
		if (rep->formats[i] && rep->formats[i]->streaming)
			timed_input = 1;
	const char *note = to->drops ? to->drops(prof) : NULL;
	if (to == &flame_format_svg && timed_input)
		note = "svg (merged stacks) has no time or threads; timeline dropped "
		       "('flame render --flamechart' draws time)";
	if (note)
		cmd_note("%s", note);
	else if (timed_input && !to->shows_time)
		cmd_note("%s has no time or threads; timeline dropped", to->name);
}

static int write_profile(struct convert *c, const struct flame_format *to,
			 const struct flame_profile *prof)
{
	struct flame_error err = { 0 };
	const void *opts = NULL;
	if (to == &flame_format_svg && c->cli.svg_first) {
		if (flame_cli_svg_load(&c->cli, &err) < 0)
			return flame_report_error(&err);
		flame_cli_svg_units(&c->cli, prof);
		opts = &c->cli.svg;
	}
	if (flame_write_profile(to, prof, opts, c->cli.output, &err) < 0 ||
	    (opts && flame_cli_svg_save(&c->cli, &err) < 0))
		return flame_report_error(&err);
	return EXIT_OK;
}

static int convert(struct convert *c, const struct flame_format *to, const char *const *paths,
		   size_t npaths)
{
	c->ro.want_timeline = to->shows_time;
	struct flame_reader_config cfg = {
		.format = c->cli.in_format,
		.format_option = "--from",
		.opts = &c->ro,
		.nthreads = (int)c->cli.jobs,
		.progress = c->cli.quiet ? NULL : flame_progress_line,
	};
	struct flame_profile prof;
	struct flame_read_report rep;
	struct flame_error err = { 0 };
	int rc;
	flame_profile_init(&prof);
	if (flame_read_files(paths, npaths, &cfg, &prof, &rep, &err) < 0) {
		flame_profile_release(&prof);
		return flame_report_error(&err);
	}
	uint64_t warnings = flame_report_quality(&rep, c->cli.quiet);
	if (prof.overflow) {
		cmd_error("a stack's total weight does not fit in 64 bits");
		rc = EXIT_DATA;
	} else if (c->cli.in_format && warnings && prof.nstacks == 0) {
		/* a format named on the command line that matches nothing */
		cmd_error("no stacks found; %llu line%s did not parse", (unsigned long long)warnings,
			  warnings == 1 ? "" : "s");
		rc = EXIT_DATA;
	} else {
		if (!c->cli.quiet)
			note_drops(to, &prof, &rep);
		rc = write_profile(c, to, &prof);
	}
	flame_read_report_release(&rep);
	flame_profile_release(&prof);
	return rc;
}

int cmd_convert(int argc, char **argv)
{
	struct convert c;
	memset(&c, 0, sizeof(c));
	flame_cli_init(&c.cli, "convert");
	int rc = flame_options_parse(&usage, argc, argv, option, &c);
	if (rc == FLAME_OPTS_GO_ON && c.list) {
		flame_list_formats();
		rc = EXIT_OK;
	}
	if (rc == FLAME_OPTS_GO_ON) {
		/* no default without -o: standard output could be anything */
		static const struct flame_writer_defaults dflt = { NULL, &flame_format_folded, NULL };
		const struct flame_format *to;
		rc = flame_pick_writer("convert", c.cli.to, c.cli.output, &dflt, &to);
		if (rc == EXIT_OK && !to)
			rc = flame_usage_error("convert", "name the output format with --to (see 'flame convert --list')");
		if (rc == EXIT_OK && c.cli.svg_first && to != &flame_format_svg)
			rc = flame_usage_error("convert", "--%s applies to SVG output, not to %s",
					       c.cli.svg_first, to->name);
		if (rc == EXIT_OK)
			rc = convert(&c, to, (const char *const *)argv + optind, (size_t)(argc - optind));
	}
	flame_cli_release(&c.cli);
	return rc;
}
