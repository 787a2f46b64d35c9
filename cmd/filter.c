/*
 * filter.c - flame filter: keep, drop and rewrite stacks and frames.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/util.h"
#include "../filters/canon.h"
#include "../filters/filter.h"
#include "../formats/format.h"
#include "../formats/reader.h"
#include "../render/render.h"
#include "cmd.h"

static const char usage_text[] =
	"usage: flame filter [options] [FILE...]\n"
	"\n"
	"Read profiles in any format flame reads (FILEs are merged; none or '-' is\n"
	"standard input), keep, drop and rewrite stacks and frames, and write folded\n"
	"stacks.  Options apply in the order given, so one command is a pipeline:\n"
	"'--strip-args --focus-root ^main$' focuses after stripping.  Regexes are\n"
	"PCRE2 (Perl syntax, as grep -P), matched against each frame name -- once\n"
	"per distinct name -- or, for --grep and --grep-v, the stack 'a;b;c'.\n"
	"Each example shows a folded line before => after.\n"
	"\n"
	"Stack selection:\n"
	"  --grep RE           keep stacks whose text 'a;b;c' matches, as grep -P\n"
	"                        --grep 'read$'       main;read 3  => main;read 3\n"
	"                                             main;write 2 => (dropped)\n"
	"  --grep-v RE         drop stacks whose text matches, as grep -vP\n"
	"                        --grep-v '^swapper'  swapper;idle 9 => (dropped)\n"
	"  --focus RE          keep stacks that pass through a matching frame\n"
	"                        --focus '^parse$'  main;parse;lex 4 => main;parse;lex 4\n"
	"                                           main;eval 2 => (dropped)\n"
	"  --focus-root RE     the same, and the first matching frame becomes the root\n"
	"                        --focus-root parse   main;parse;lex 4 => parse;lex 4\n"
	"  --ignore RE         drop stacks that pass through a matching frame\n"
	"                        --ignore '^gc_'      main;gc_mark;scan 5 => (dropped)\n"
	"\n"
	"Frame surgery:\n"
	"  --hide RE           remove matching frames, keep the rest of the stack\n"
	"                        --hide '^std::__invoke'  a;std::__invoke;b 5 => a;b 5\n"
	"  --prune-from RE     cut stacks above their first matching frame (its\n"
	"                      callees); their weight stays on that frame\n"
	"                        --prune-from '^malloc$'  a;malloc;brk;sys 3 =>\n"
	"                                                 a;malloc 3\n"
	"  --replace s/RE/REPLACEMENT/[gi]\n"
	"                      rewrite frame names: $1 is a group, g replaces every\n"
	"                      match, i ignores case; repeatable; stacks that become\n"
	"                      equal merge\n"
	"                        --replace 's/\\.isra\\.\\d+$//'  a;f.isra.0 2 => a;f 2\n"
	"                        --replace 's/^(\\w+)::.*/$1/'  a;ns::f 2 => a;ns 2\n"
	"  --strip-offsets     remove +0x offsets\n"
	"                        main;f+0x1a 2 => main;f 2\n"
	"  --strip-args        remove C++/Rust parameter lists and qualifiers\n"
	"                        ns::f(int, char const*) const 2 => ns::f 2\n"
	"  --strip-templates   remove template argument lists\n"
	"                        std::vector<int>::at 2 => std::vector::at 2\n"
	"  --collapse-recursion\n"
	"                      merge directly recursive calls, as\n"
	"                      stackcollapse-recursive.pl\n"
	"                        a;b;b;b;c 1 => a;b;c 1\n"
	"  --max-depth N       keep the N frames nearest the root; the weight of\n"
	"                      deeper frames stays on the last one kept\n"
	"                        --max-depth 2  a;b;c;d 1 => a;b 1\n"
	"\n"
	"Weight (of a differential profile: the larger of its two counts):\n"
	"  --min-weight N      drop stacks lighter than N\n"
	"                        --min-weight 5  a;b 3 => (dropped)\n"
	"  --min-percent P     drop stacks under P% of the total weight\n"
	"                        --min-percent 1  a;b 9 (of 1000) => (dropped)\n"
	"  --top N             keep the N heaviest stacks (ties: the first by text)\n"
	"                        --top 1  a;b 5 and a;c 2 => a;b 5\n"
	"\n"
	"Processes and threads, from root frames 'comm', 'comm-PID' or\n"
	"'comm-PID/TID' (flame collapse --pid / --tid):\n"
	"  --pid LIST          keep stacks of these process ids ('12,40-49')\n"
	"                        --pid 12  java-12;main 5 => java-12;main 5\n"
	"                                  java-13;main 2 => (dropped)\n"
	"  --tid LIST          keep stacks of these thread ids\n"
	"                        --tid 14  java-12/14;run 5 => java-12/14;run 5\n"
	"                                  java-12/15;run 1 => (dropped)\n"
	"  --comm RE           keep stacks whose command name matches\n"
	"                        --comm '^java$'  java-12;main 5 => java-12;main 5\n"
	"                                         bash-7;main 1 => (dropped)\n"
	"\n"
	"  -i, --ignore-case   every regex ignores case, wherever -i stands\n"
	"                        -i --grep 'MAIN;PARSE'  main;parse;lex 4 => (kept)\n"
	"\n"
	"Input and output:\n"
	"      --input-format FMT  perf, dtrace or folded (default: detected)\n"
	"  -j, --jobs N        use N threads (default: all cores)\n"
	"  -o, --output FILE   write to FILE (default: standard output); FILE is\n"
	"                      replaced only once complete; '.zst' compresses; a\n"
	"                      name ending in '.svg' means --format svg\n"
	"      --format FMT    folded (the default) or svg (a flame graph with\n"
	"                      flamegraph.pl's defaults; 'flame render' has options)\n"
	"  -q, --quiet         no notes on stderr (warnings still shown)\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"Examples:\n"
	"  flame filter --focus-root '^do_sys_open' perf.folded > open.folded\n"
	"  flame filter --strip-args --strip-templates --collapse-recursion app.folded\n"
	"  flame collapse --pid perf.txt | flame filter --pid 4242 --grep-v idle\n";

enum {
	OPT_GREP = 256,
	OPT_GREP_V,
	OPT_FOCUS,
	OPT_FOCUS_ROOT,
	OPT_IGNORE,
	OPT_HIDE,
	OPT_PRUNE_FROM,
	OPT_REPLACE,
	OPT_STRIP_OFFSETS,
	OPT_STRIP_ARGS,
	OPT_STRIP_TEMPLATES,
	OPT_COLLAPSE_RECURSION,
	OPT_MAX_DEPTH,
	OPT_MIN_WEIGHT,
	OPT_MIN_PERCENT,
	OPT_TOP,
	OPT_PID,
	OPT_TID,
	OPT_COMM,
	OPT_INPUT_FORMAT,
	OPT_FORMAT,
	OPT_NO_FAST_PATH,
};

static const struct {
	int opt;
	enum flame_filter_op op;
	const char *name;
} step_opts[] = {
	{ OPT_GREP, FLAME_FILTER_GREP, "--grep" },
	{ OPT_GREP_V, FLAME_FILTER_GREP_V, "--grep-v" },
	{ OPT_FOCUS, FLAME_FILTER_FOCUS, "--focus" },
	{ OPT_FOCUS_ROOT, FLAME_FILTER_FOCUS_ROOT, "--focus-root" },
	{ OPT_IGNORE, FLAME_FILTER_IGNORE, "--ignore" },
	{ OPT_HIDE, FLAME_FILTER_HIDE, "--hide" },
	{ OPT_PRUNE_FROM, FLAME_FILTER_PRUNE_FROM, "--prune-from" },
	{ OPT_REPLACE, FLAME_FILTER_REPLACE, "--replace" },
	{ OPT_STRIP_OFFSETS, FLAME_FILTER_STRIP_OFFSETS, "--strip-offsets" },
	{ OPT_STRIP_ARGS, FLAME_FILTER_STRIP_ARGS, "--strip-args" },
	{ OPT_STRIP_TEMPLATES, FLAME_FILTER_STRIP_TEMPLATES, "--strip-templates" },
	{ OPT_COLLAPSE_RECURSION, FLAME_FILTER_COLLAPSE_RECURSION, "--collapse-recursion" },
	{ OPT_MAX_DEPTH, FLAME_FILTER_MAX_DEPTH, "--max-depth" },
	{ OPT_MIN_WEIGHT, FLAME_FILTER_MIN_WEIGHT, "--min-weight" },
	{ OPT_MIN_PERCENT, FLAME_FILTER_MIN_PERCENT, "--min-percent" },
	{ OPT_TOP, FLAME_FILTER_TOP, "--top" },
	{ OPT_PID, FLAME_FILTER_PID, "--pid" },
	{ OPT_TID, FLAME_FILTER_TID, "--tid" },
	{ OPT_COMM, FLAME_FILTER_COMM, "--comm" },
};
#define NSTEP_OPTS (sizeof(step_opts) / sizeof(step_opts[0]))

struct pending {
	enum flame_filter_op op;
	const char *name;
	const char *arg;
};

/* Write p in the chosen format (NULL: SVG) to path, atomically. */
static int write_profile(const struct flame_profile *p, const struct flame_format *fmt,
			 const char *path, struct flame_error *err)
{
	struct flame_output *out;
	if (flame_output_open(&out, path, err) < 0)
		return -1;
	int rc;
	if (fmt) {
		rc = fmt->write(p, out, err);
	} else {
		struct flame_render_opts ro;
		flame_render_opts_init(&ro);
		rc = flame_render_svg(p, &ro, out, err);
	}
	if (rc < 0) {
		flame_output_abort(out);
		return -1;
	}
	return flame_output_commit(out, err);
}

int cmd_filter(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "grep", required_argument, NULL, OPT_GREP },
		{ "grep-v", required_argument, NULL, OPT_GREP_V },
		{ "focus", required_argument, NULL, OPT_FOCUS },
		{ "focus-root", required_argument, NULL, OPT_FOCUS_ROOT },
		{ "ignore", required_argument, NULL, OPT_IGNORE },
		{ "hide", required_argument, NULL, OPT_HIDE },
		{ "prune-from", required_argument, NULL, OPT_PRUNE_FROM },
		{ "replace", required_argument, NULL, OPT_REPLACE },
		{ "strip-offsets", no_argument, NULL, OPT_STRIP_OFFSETS },
		{ "strip-args", no_argument, NULL, OPT_STRIP_ARGS },
		{ "strip-templates", no_argument, NULL, OPT_STRIP_TEMPLATES },
		{ "collapse-recursion", no_argument, NULL, OPT_COLLAPSE_RECURSION },
		{ "max-depth", required_argument, NULL, OPT_MAX_DEPTH },
		{ "min-weight", required_argument, NULL, OPT_MIN_WEIGHT },
		{ "min-percent", required_argument, NULL, OPT_MIN_PERCENT },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "tid", required_argument, NULL, OPT_TID },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "ignore-case", no_argument, NULL, 'i' },
		{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "jobs", required_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		/* for tests and benchmarks: always read into a profile */
		{ "no-fast-path", no_argument, NULL, OPT_NO_FAST_PATH },
		{ NULL, 0, NULL, 0 },
	};
	const struct flame_format *in_fmt = NULL, *out_fmt = &flame_format_folded;
	int svg = 0, fmt_given = 0;
	const char *output = NULL;
	struct pending *pend = NULL;
	size_t npend = 0;
	int quiet = 0, icase = 0, fast = 1, c, idx;
	unsigned long long jobs = (unsigned long long)flame_ncpus();
	int rc = EXIT_USAGE;
	struct flame_filter chain;
	flame_filter_init(&chain);

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ij:o:qhV", longopts, &idx)) != -1) {
		int handled = 0;
		for (size_t k = 0; k < NSTEP_OPTS; k++) {
			if (step_opts[k].opt != c)
				continue;
			pend = flame_xrealloc(pend, (npend + 1) * sizeof(*pend));
			pend[npend++] = (struct pending){ step_opts[k].op, step_opts[k].name, optarg };
			handled = 1;
		}
		if (handled)
			continue;
		switch (c) {
		case 'i':
			icase = 1;
			break;
		case 'j':
			if (flame_parse_jobs("filter", optarg, &jobs) < 0)
				goto out;
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_INPUT_FORMAT:
			in_fmt = flame_format_find(optarg);
			if (!in_fmt || !in_fmt->parse) {
				flame_usage_error("filter", "unknown input format '%s' (expected one of: %s)",
						  optarg, flame_format_names());
				goto out;
			}
			break;
		case OPT_FORMAT:
			fmt_given = 1;
			svg = strcmp(optarg, "svg") == 0;
			out_fmt = svg ? NULL : flame_format_find(optarg);
			if (!svg && (!out_fmt || !out_fmt->write)) {
				flame_usage_error("filter",
						  "unknown output format '%s' (expected folded or svg)",
						  optarg);
				goto out;
			}
			break;
		case OPT_NO_FAST_PATH:
			fast = 0;
			break;
		default: /* -h, -V, a missing value, an unknown option */
			rc = flame_common_option("filter", c, usage_text, argv);
			goto out;
		}
	}

	if (!fmt_given && output && strlen(output) > 4 &&
	    strcmp(output + strlen(output) - 4, ".svg") == 0) {
		svg = 1;
		out_fmt = NULL;
	}
	struct flame_error err = { 0 };
	/* -i applies to every regex, wherever it stands: compile after parsing */
	for (size_t k = 0; k < npend; k++) {
		if (flame_filter_add(&chain, pend[k].op, pend[k].name, pend[k].arg, icase, &err) < 0) {
			flame_usage_error("filter", "%s", err.msg);
			goto out;
		}
	}

	const char *const *paths = (const char *const *)argv + optind;
	size_t npaths = (size_t)(argc - optind);
	static const char *const stdin_only[] = { "-" };
	if (npaths == 0) {
		paths = stdin_only;
		npaths = 1;
	}

	/* Canonical folded input through a grep-only chain: a line filter. */
	if (fast && out_fmt == &flame_format_folded && flame_filter_is_grep_only(&chain)) {
		struct flame_canon_set set;
		if (flame_canon_open(&set, paths, npaths, in_fmt)) {
			uint64_t nin, nout;
			int r = flame_canon_grep(&set, &chain, (int)jobs, output, &nin, &nout, &err);
			flame_canon_close(&set);
			if (r != 0) {
				if (r > 0 && !quiet && nin && !nout)
					fprintf(stderr,
						"flame: note: filter: no stacks left (%llu before filtering)\n",
						(unsigned long long)nin);
				rc = r > 0 ? EXIT_OK : flame_report_error(&err);
				goto out;
			}
		}
	}

	if (!in_fmt) {
		for (size_t k = 0; k < npaths; k++) {
			if (!flame_canon_undetected(paths[k]))
				continue;
			in_fmt = &flame_format_folded;
			if (!quiet)
				fprintf(stderr,
					"flame: note: %s: format not recognized, input read as folded "
					"stacks (choose with --input-format)\n",
					paths[k]);
			break;
		}
	}
	struct flame_read_opts ro;
	memset(&ro, 0, sizeof(ro));
	struct flame_reader_config cfg = {
		.format = in_fmt,
		.opts = &ro,
		.nthreads = (int)jobs,
		.progress = quiet ? NULL : flame_progress_line,
	};
	struct flame_profile prof;
	struct flame_read_report rep;
	flame_profile_init(&prof);
	if (flame_read_files(paths, npaths, &cfg, &prof, &rep, &err) < 0) {
		rc = flame_report_error(&err);
		flame_profile_release(&prof);
		goto out;
	}
	uint64_t warnings = flame_report_quality(&rep, quiet);
	struct flame_filter_report frep;
	if (prof.overflow) {
		fprintf(stderr, "flame: a stack's total weight does not fit in 64 bits\n");
		rc = EXIT_DATA;
	} else if (warnings && prof.nstacks == 0) {
		fprintf(stderr, "flame: filter: no stacks found; %llu line%s did not parse\n",
			(unsigned long long)warnings, warnings == 1 ? "" : "s");
		rc = EXIT_DATA;
	} else if (flame_filter_apply(&chain, &prof, &frep, &err) < 0) {
		rc = flame_report_error(&err);
	} else if (prof.overflow) {
		fprintf(stderr, "flame: a stack's total weight does not fit in 64 bits\n");
		rc = EXIT_DATA;
	} else {
		if (frep.no_pid_roots)
			fprintf(stderr,
				"flame: warning: filter: no root frame carries a process or thread id "
				"('comm-PID' or 'comm-PID/TID'); collapse perf input with --pid or --tid\n");
		if (!quiet && frep.stacks_in && !frep.stacks_out)
			fprintf(stderr, "flame: note: filter: no stacks left (%llu before filtering)\n",
				(unsigned long long)frep.stacks_in);
		rc = write_profile(&prof, out_fmt, output, &err) < 0 ? flame_report_error(&err)
								       : EXIT_OK;
	}
	flame_read_report_release(&rep);
	flame_profile_release(&prof);
out:
	flame_filter_release(&chain);
	free(pend);
	return rc;
}
