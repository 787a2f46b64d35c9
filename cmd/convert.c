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
#include "../render/render.h"
#include "cmd.h"

static const char usage_text[] =
	"usage: flame convert [--from FMT] --to FMT [-o OUT] [FILE...]\n"
	"       flame convert --list\n"
	"\n"
	"Read a profile in any format flame reads and write it in another.  FILEs\n"
	"(default: standard input, also '-') may be gzip or zstd compressed;\n"
	"several FILEs are merged.  Weights, units and, where the target has room,\n"
	"threads and times are kept; what the target cannot hold is named in a\n"
	"one-line note.\n"
	"\n"
	"  -f, --from FMT        input format (default: detected from the content)\n"
	"  -t, --to FMT          output format (default: from the -o file name:\n"
	"                        .speedscope.json, .trace.json, .cpuprofile,\n"
	"                        .d3.json, .firefox.json, .pb.gz, .pprof, .folded,\n"
	"                        .txt, .svg)\n"
	"  -o, --output FILE     write to FILE (default: standard output); FILE is\n"
	"                        replaced only once complete; '.zst' compresses\n"
	"      --sample-type T   pprof input: the sample type to read\n"
	"  -j, --jobs N          parse text formats on N threads (default: all cores)\n"
	"  -l, --list            list the formats that can be read and written\n"
	"  -q, --quiet           no notes on stderr\n"
	"  -h, --help            show this help\n"
	"  -V, --version         show the version\n"
	"\n"
	"Examples:\n"
	"  flame convert --to speedscope -o prof.speedscope.json perf.folded\n"
	"  flame convert -o out.folded prof.speedscope.json\n"
	"\n"
	"Formats: folded, speedscope, chrome, cpuprofile, firefox, d3 and pprof are\n"
	"read and written; perf, perf-data and dtrace are read; svg is written (a\n"
	"flame graph with flame render's defaults; 'flame render' has its options).\n"
	"See 'man flame-convert' for what each keeps.\n";

enum { OPT_SAMPLE_TYPE = 256 };

/* --to svg: not a format of formats/ but the renderer, with its defaults. */
static const struct flame_format svg_target = { .name = "svg" };

/* Writers that show time and threads when the profile has a timeline. */
static int writer_uses_time(const struct flame_format *f)
{
	return f == &flame_format_speedscope || f == &flame_format_chrome ||
	       f == &flame_format_cpuprofile || f == &flame_format_firefox;
}

static int ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static const struct flame_format *format_from_name(const char *path)
{
	static const struct { const char *suffix, *fmt; } t[] = {
		{ ".speedscope.json", "speedscope" },
		{ ".trace.json", "chrome" },
		{ ".trace", "chrome" },
		{ ".cpuprofile", "cpuprofile" },
		{ ".d3.json", "d3" },
		{ ".firefox.json", "firefox" },
		{ ".pb.gz", "pprof" },
		{ ".pprof", "pprof" },
		{ ".pb", "pprof" },
		{ ".folded", "folded" },
		{ ".collapsed", "folded" },
		{ ".txt", "folded" },
		{ ".svg", "svg" },
	};
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	if (ends_with(buf, ".zst"))
		buf[strlen(buf) - 4] = '\0';
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (ends_with(buf, t[i].suffix))
			return strcmp(t[i].fmt, "svg") == 0 ? &svg_target : flame_format_find(t[i].fmt);
	return NULL;
}

static void list_formats(void)
{
	printf("%-11s %-5s %-5s %s\n", "FORMAT", "READ", "WRITE", "DESCRIPTION");
	for (int i = 0; flame_formats[i]; i++) {
		const struct flame_format *f = flame_formats[i];
		printf("%-11s %-5s %-5s %s\n", f->name, f->parse ? "yes" : "-", f->write ? "yes" : "-",
		       f->summary);
	}
	printf("%-11s %-5s %-5s %s\n", "svg", "-", "yes",
	       "interactive SVG flame graph (flame render's defaults)");
}

/* The profile as a flame graph: weights named after its unit. */
static int write_svg(const struct flame_profile *prof, struct flame_output *out,
		     struct flame_error *err)
{
	struct flame_render_opts o;
	flame_render_opts_init(&o);
	if (prof->unit == FLAME_UNIT_NANOSECONDS)
		o.count_name = "ns";
	else if (prof->unit == FLAME_UNIT_BYTES)
		o.count_name = "bytes";
	return flame_render_svg(prof, &o, out, err);
}

int cmd_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "list", no_argument, NULL, 'l' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "sample-type", required_argument, NULL, OPT_SAMPLE_TYPE },
		{ NULL, 0, NULL, 0 },
	};
	const struct flame_format *from = NULL, *to = NULL;
	const char *output = NULL;
	int quiet = 0, c;
	unsigned long long jobs = (unsigned long long)flame_ncpus();
	struct flame_read_opts ro;
	memset(&ro, 0, sizeof(ro));

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:t:o:j:lqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			from = flame_format_find(optarg);
			if (!from || !from->parse)
				return flame_usage_error("convert", "cannot read format '%s' (readable: %s)",
							 optarg, flame_format_names());
			break;
		case 't':
			to = strcmp(optarg, "svg") == 0 ? &svg_target : flame_format_find(optarg);
			if (!to || (!to->write && to != &svg_target))
				return flame_usage_error("convert", "cannot write format '%s' (see 'flame convert --list')",
							 optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'j':
			if (flame_parse_jobs("convert", optarg, &jobs) < 0)
				return EXIT_USAGE;
			break;
		case 'l':
			list_formats();
			return EXIT_OK;
		case 'q':
			quiet = 1;
			break;
		case OPT_SAMPLE_TYPE:
			ro.sample_type = optarg;
			break;
		default: /* -h, -V, a missing value, an unknown option */
			return flame_common_option("convert", c, usage_text, argv);
		}
	}
	if (!to && output && strcmp(output, "-") != 0)
		to = format_from_name(output);
	if (!to)
		return flame_usage_error("convert", "name the output format with --to (see 'flame convert --list')");
	ro.want_timeline = writer_uses_time(to);

	struct flame_reader_config cfg = {
		.format = from,
		.opts = &ro,
		.nthreads = (int)jobs,
		.progress = quiet ? NULL : flame_progress_line,
	};
	struct flame_profile prof;
	struct flame_read_report rep;
	struct flame_error err = { 0 };
	int rc;
	flame_profile_init(&prof);
	if (flame_read_files((const char *const *)argv + optind, (size_t)(argc - optind), &cfg, &prof,
			     &rep, &err) < 0) {
		rc = flame_report_error(&err);
		flame_profile_release(&prof);
		return rc;
	}
	flame_report_quality(&rep, quiet);
	if (prof.overflow) {
		fprintf(stderr, "flame: a stack's total weight does not fit in 64 bits\n");
		rc = EXIT_DATA;
		goto done;
	}
	if (!quiet) {
		int timed_input = 0;
		for (size_t i = 0; i < rep.nfiles; i++)
			if (rep.formats[i] && rep.formats[i]->streaming)
				timed_input = 1;
		const char *note = to->drops ? to->drops(&prof) : NULL;
		if (to == &svg_target && timed_input)
			note = "svg (merged stacks) has no time or threads; timeline dropped "
			       "('flame render --flamechart' draws time)";
		if (note)
			fprintf(stderr, "flame: note: %s\n", note);
		else if (timed_input && !writer_uses_time(to))
			fprintf(stderr, "flame: note: %s has no time or threads; timeline dropped\n", to->name);
	}
	struct flame_output *out;
	if (flame_output_open(&out, output, &err) < 0) {
		rc = flame_report_error(&err);
		goto done;
	}
	if ((to == &svg_target ? write_svg(&prof, out, &err) : to->write(&prof, out, &err)) < 0) {
		flame_output_abort(out);
		rc = flame_report_error(&err);
		goto done;
	}
	rc = flame_output_commit(out, &err) < 0 ? flame_report_error(&err) : EXIT_OK;
done:
	flame_read_report_release(&rep);
	flame_profile_release(&prof);
	return rc;
}
