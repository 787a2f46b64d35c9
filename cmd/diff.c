/*
 * diff.c - flame diff: compare two profiles.
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
#include "cmd.h"

static const char usage_text[] =
	"usage: flame diff [options] BEFORE AFTER\n"
	"\n"
	"Compare two profiles, each in any format flame reads (they may differ).\n"
	"The default output is that of FlameGraph's difffolded.pl: one line per\n"
	"stack found in either input, 'STACK COUNT_BEFORE COUNT_AFTER', with 0 where\n"
	"a stack is missing, sorted.  Fractional counts are kept exactly.  It can\n"
	"also draw the differential flame graph, or list the changes per function.\n"
	"\n"
	"  -n, --normalize     scale BEFORE's counts to AFTER's total (rounded down),\n"
	"                      so that a change of load does not colour everything\n"
	"  -s, --strip-hex     write hex numbers such as 0x7f3a12 as 0x..., so that\n"
	"                      addresses that moved between runs match\n"
	"  -o, --output FILE   write to FILE (default: standard output); FILE is\n"
	"                      replaced only once complete; '.zst' compresses; the\n"
	"                      name chooses the format as --format would: '.svg',\n"
	"                      '.speedscope.json', ... (see 'flame formats'); other\n"
	"                      names are written folded\n"
	"      --format FMT, --to FMT\n"
	"                      folded (default), svg, top, or another format flame\n"
	"                      writes: those with one weight column get AFTER's\n"
	"  -j, --jobs N        use N threads (default: all cores)\n"
	"  -q, --quiet         no notes on stderr (warnings still shown)\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"--format svg, the differential flame graph (as flamegraph.pl draws the\n"
	"folded output): red frames grew, blue ones shrank, the deeper the colour\n"
	"the larger the change:\n"
	"      --width WHICH   frame widths from after (the default), before, or\n"
	"                      max (the larger of the two: code paths that went\n"
	"                      away stay visible)\n"
	"      --negate        swap the colours (for 'flame diff AFTER BEFORE')\n"
	"      --title TEXT    title (default: 'Differential Flame Graph')\n"
	"\n"
	"--format top, the changes per function as a table:\n"
	"      --min-delta N   hide functions whose self and total weights both\n"
	"                      changed by less than N (weight units), or by less\n"
	"                      than N% of the larger total with a trailing '%'\n"
	"      --sort KEY      order by |self delta| (self, the default) or by\n"
	"                      |total delta| (total)\n"
	"      --limit N       show at most N functions\n"
	"\n"
	"Examples:\n"
	"  flame diff before.folded after.folded | flamegraph.pl > diff.svg\n"
	"  flame diff -n -o diff.svg --width max before.folded after.folded\n"
	"  flame diff -n --format top --min-delta 0.5% old.perf.txt new.folded\n";

enum {
	OPT_FORMAT = 256,
	OPT_MIN_DELTA,
	OPT_SORT,
	OPT_LIMIT,
	OPT_NO_FAST_PATH,
	OPT_WIDTH,
	OPT_NEGATE,
	OPT_TITLE,
};

enum out_kind { OUT_FOLDED, OUT_SVG, OUT_TOP, OUT_WRITER };

/* A writer with one weight column gets AFTER's: the profile as it is now. */
static void keep_after(struct flame_profile *p)
{
	for (size_t i = 0; i < p->nnodes; i++) {
		p->nodes[i].self[0] = p->nodes[i].self[1];
		p->nodes[i].self[1] = 0;
	}
	p->ncols = 1;
}

static int read_one(const char *path, int jobs, int quiet, struct flame_profile *p,
		    struct flame_error *err)
{
	struct flame_read_opts ro;
	memset(&ro, 0, sizeof(ro));
	const struct flame_format *fmt = NULL;
	if (flame_canon_undetected(path)) {
		fmt = &flame_format_folded;
		if (!quiet)
			cmd_note("%s: format not recognized, read as folded stacks",
				path);
	}
	struct flame_reader_config cfg = {
		.format = fmt,
		.opts = &ro,
		.nthreads = jobs,
		.progress = quiet ? NULL : flame_progress_line,
	};
	struct flame_read_report rep;
	const char *paths[] = { path };
	if (flame_read_files(paths, 1, &cfg, p, &rep, err) < 0)
		return -1;
	uint64_t warnings = flame_report_quality(&rep, quiet);
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

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "normalize", no_argument, NULL, 'n' },
		{ "strip-hex", no_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "to", required_argument, NULL, OPT_FORMAT },
		{ "min-delta", required_argument, NULL, OPT_MIN_DELTA },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "negate", no_argument, NULL, OPT_NEGATE },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		/* for tests and benchmarks: always read into profiles */
		{ "no-fast-path", no_argument, NULL, OPT_NO_FAST_PATH },
		{ NULL, 0, NULL, 0 },
	};
	struct flame_diff_opts dopt = { 0, 0 };
	struct flame_diff_top_opts topt;
	memset(&topt, 0, sizeof(topt));
	struct flame_decimal min_delta = { 0, 0, 0 };
	int min_delta_pct = 0;
	enum out_kind kind = OUT_FOLDED;
	const struct flame_format *writer = NULL;
	const char *to_name = NULL;
	enum flame_diff_width width = FLAME_DIFF_WIDTH_AFTER;
	int negate = 0;
	const char *title = "Differential Flame Graph";
	const char *output = NULL;
	int quiet = 0, fast = 1, c, idx;
	unsigned long long jobs = (unsigned long long)flame_ncpus(), limit = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":nso:j:qhV", longopts, &idx)) != -1) {
		switch (c) {
		case 'n':
			dopt.normalize = 1;
			break;
		case 's':
			dopt.strip_hex = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FORMAT:
			to_name = optarg;
			break;
		case OPT_WIDTH:
			if (strcmp(optarg, "after") == 0)
				width = FLAME_DIFF_WIDTH_AFTER;
			else if (strcmp(optarg, "before") == 0)
				width = FLAME_DIFF_WIDTH_BEFORE;
			else if (strcmp(optarg, "max") == 0)
				width = FLAME_DIFF_WIDTH_MAX;
			else
				return flame_usage_error("diff", "--width expects before, after or max, "
								 "got '%s'",
							 optarg);
			break;
		case OPT_NEGATE:
			negate = 1;
			break;
		case OPT_TITLE:
			title = optarg;
			break;
		case OPT_MIN_DELTA: {
			char buf[64];
			size_t n = strlen(optarg);
			int pct = n > 0 && optarg[n - 1] == '%';
			if (pct)
				n--;
			if (n >= sizeof(buf))
				n = sizeof(buf) - 1;
			memcpy(buf, optarg, n);
			buf[n] = '\0';
			if (flame_decimal_parse(&min_delta, buf) < 0 ||
			    (pct && (min_delta.ip > 100 || (min_delta.ip == 100 && min_delta.fp))))
				return flame_usage_error("diff", "--min-delta expects a number, or a "
								 "percentage like '0.5%%', got '%s'",
							 optarg);
			min_delta_pct = pct;
			break;
		}
		case OPT_SORT:
			if (strcmp(optarg, "self") == 0)
				topt.sort = FLAME_DIFF_SORT_SELF;
			else if (strcmp(optarg, "total") == 0)
				topt.sort = FLAME_DIFF_SORT_TOTAL;
			else
				return flame_usage_error("diff", "--sort expects 'self' or 'total', got '%s'",
							 optarg);
			break;
		case OPT_LIMIT:
			if (flame_parse_uint("diff", "--limit", optarg, UINT32_MAX, &limit) < 0)
				return EXIT_USAGE;
			topt.limit = limit;
			break;
		case 'j':
			if (flame_parse_jobs("diff", optarg, &jobs) < 0)
				return EXIT_USAGE;
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_NO_FAST_PATH:
			fast = 0;
			break;
		default: /* -h, -V, a missing value, an unknown option */
			return flame_common_option("diff", c, usage_text, argv);
		}
	}
	if (argc - optind != 2)
		return flame_usage_error("diff", "expected two profiles, BEFORE and AFTER, got %d",
					 argc - optind);
	const char *bpath = argv[optind], *apath = argv[optind + 1];
	if (to_name && strcmp(to_name, "top") == 0) {
		kind = OUT_TOP;
	} else {
		static const struct flame_writer_defaults dflt = {
			&flame_format_folded, &flame_format_folded, &flame_format_folded
		};
		if (flame_pick_writer("diff", to_name, output, &dflt, &writer) != EXIT_OK)
			return EXIT_USAGE;
		kind = writer == &flame_format_folded ? OUT_FOLDED
		       : writer == &flame_format_svg ? OUT_SVG : OUT_WRITER;
	}
	if (strcmp(bpath, "-") == 0 && strcmp(apath, "-") == 0)
		return flame_usage_error("diff", "only one of BEFORE and AFTER can be standard input");
	topt.before_name = bpath;
	topt.after_name = apath;

	struct flame_error err = { 0 };
	struct flame_diff_totals tot;
	memset(&tot, 0, sizeof(tot));

	/* Two canonical folded files: a merge join, no trie needed. */
	if (fast && kind == OUT_FOLDED && !dopt.strip_hex) {
		struct flame_canon_set b, a;
		if (flame_canon_open(&b, &bpath, 1, NULL)) {
			if (flame_canon_open(&a, &apath, 1, NULL)) {
				int r = flame_canon_diff(&b.f[0], &a.f[0], dopt.normalize, (int)jobs, output,
							 &tot, &err);
				flame_canon_close(&a);
				flame_canon_close(&b);
				if (r != 0)
					return r > 0 ? EXIT_OK : flame_report_error(&err);
			} else {
				flame_canon_close(&b);
			}
		}
	}

	struct flame_profile before, after, diff;
	flame_profile_init(&before);
	flame_profile_init(&after);
	int rc = EXIT_OK;
	uint8_t *present = NULL;
	if (read_one(bpath, (int)jobs, quiet, &before, &err) < 0 ||
	    read_one(apath, (int)jobs, quiet, &after, &err) < 0) {
		rc = flame_report_error(&err);
		flame_profile_release(&before);
		flame_profile_release(&after);
		return rc;
	}
	int combined = flame_diff_combine(&before, &after, &dopt, &diff, &present, &tot, &err);
	flame_profile_release(&before);
	flame_profile_release(&after);
	if (combined < 0) {
		rc = flame_report_error(&err);
		goto done;
	}
	struct flame_output *out;
	if (flame_output_open(&out, output, &err) < 0) {
		rc = flame_report_error(&err);
		goto done;
	}
	int w;
	if (kind == OUT_TOP) {
		topt.min_delta = flame_diff_min_delta(&diff, &min_delta, min_delta_pct);
		topt.normalized = tot.normalized;
		topt.before_total = tot.before;
		topt.after_total = tot.after;
		w = flame_render_diff_top(&diff, &topt, out, &err);
	} else if (kind == OUT_SVG) {
		struct flame_render_opts ro;
		flame_render_opts_init(&ro);
		ro.title = title;
		ro.negate = negate;
		ro.diff_width = width;
		struct flame_buf sub = FLAME_BUF_INIT;
		flame_buf_addf(&sub, "before: %s, after: %s%s", bpath, apath,
			       tot.normalized ? " (before normalized to after's total)" : "");
		ro.subtitle = sub.data;
		w = flame_format_write(&flame_format_svg, &diff, &ro, out, &err);
		flame_buf_release(&sub);
	} else if (kind == OUT_WRITER) {
		keep_after(&diff);
		if (!quiet)
			cmd_note("%s has one weight column; wrote AFTER's "
					"(folded, svg and top show both)", writer->name);
		w = flame_format_write(writer, &diff, NULL, out, &err);
	} else {
		w = flame_folded_write_diff(&diff, present, out, &err);
	}
	if (w < 0) {
		flame_output_abort(out);
		rc = flame_report_error(&err);
	} else if (flame_output_commit(out, &err) < 0) {
		rc = flame_report_error(&err);
	}
done:
	free(present);
	flame_profile_release(&diff);
	return rc;
}
