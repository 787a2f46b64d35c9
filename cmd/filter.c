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
#include "../formats/registry.h"
#include "../render/render.h"
#include "../render/svgformat.h"
#include "cliopts.h"
#include "cmd.h"
#include "options.h"

static const char about[] =
	"Read profiles in any format flame reads (FILEs are merged; none or '-' is\n"
	"standard input), keep, drop and rewrite stacks and frames, and write folded\n"
	"stacks.  Options apply in the order given, so one command is a pipeline:\n"
	"'--strip-args --focus-root ^main$' focuses after stripping.  Regexes are\n"
	"PCRE2 (Perl syntax, as grep -P), matched against each frame name -- once\n"
	"per distinct name -- or, for --grep and --grep-v, the stack 'a;b;c'.\n"
	"Each example shows a folded line before => after.\n";

static const char epilog[] =
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
	OPT_IGNORE_CASE,
	OPT_NO_FAST_PATH,
};

static const struct flame_option options[] = {
	FLAME_OPT_HEADING("Stack selection:"),
	{ "grep", 0, OPT_GREP, "RE",
	  "keep stacks whose text 'a;b;c' matches, as grep -P\n"
	  "  --grep 'read$'       main;read 3  => main;read 3\n"
	  "                       main;write 2 => (dropped)" },
	{ "grep-v", 0, OPT_GREP_V, "RE",
	  "drop stacks whose text matches, as grep -vP\n"
	  "  --grep-v '^swapper'  swapper;idle 9 => (dropped)" },
	{ "focus", 0, OPT_FOCUS, "RE",
	  "keep stacks that pass through a matching frame\n"
	  "  --focus '^parse$'  main;parse;lex 4 => main;parse;lex 4\n"
	  "                     main;eval 2 => (dropped)" },
	{ "focus-root", 0, OPT_FOCUS_ROOT, "RE",
	  "the same, and the first matching frame becomes the root\n"
	  "  --focus-root parse   main;parse;lex 4 => parse;lex 4" },
	{ "ignore", 0, OPT_IGNORE, "RE",
	  "drop stacks that pass through a matching frame\n"
	  "  --ignore '^gc_'      main;gc_mark;scan 5 => (dropped)" },
	FLAME_OPT_HEADING("Frame surgery:"),
	{ "hide", 0, OPT_HIDE, "RE",
	  "remove matching frames, keep the rest of the stack\n"
	  "  --hide '^std::__invoke'  a;std::__invoke;b 5 => a;b 5" },
	{ "prune-from", 0, OPT_PRUNE_FROM, "RE",
	  "cut stacks above their first matching frame (its\n"
	  "callees); their weight stays on that frame\n"
	  "  --prune-from '^malloc$'  a;malloc;brk;sys 3 =>\n"
	  "                           a;malloc 3" },
	{ "replace", 0, OPT_REPLACE, "s/RE/REPLACEMENT/[gi]",
	  "\n"
	  "rewrite frame names: $1 is a group, g replaces every\n"
	  "match, i ignores case; repeatable; stacks that become\n"
	  "equal merge\n"
	  "  --replace 's/\\.isra\\.\\d+$//'  a;f.isra.0 2 => a;f 2\n"
	  "  --replace 's/^(\\w+)::.*/$1/'  a;ns::f 2 => a;ns 2" },
	{ "strip-offsets", 0, OPT_STRIP_OFFSETS, NULL,
	  "remove +0x offsets\n"
	  "  main;f+0x1a 2 => main;f 2" },
	{ "strip-args", 0, OPT_STRIP_ARGS, NULL,
	  "remove C++/Rust parameter lists and qualifiers\n"
	  "  ns::f(int, char const*) const 2 => ns::f 2" },
	{ "strip-templates", 0, OPT_STRIP_TEMPLATES, NULL,
	  "remove template argument lists\n"
	  "  std::vector<int>::at 2 => std::vector::at 2" },
	{ "collapse-recursion", 0, OPT_COLLAPSE_RECURSION, NULL,
	  "\n"
	  "merge directly recursive calls, as\n"
	  "stackcollapse-recursive.pl\n"
	  "  a;b;b;b;c 1 => a;b;c 1" },
	{ "max-depth", 0, OPT_MAX_DEPTH, "N",
	  "keep the N frames nearest the root; the weight of\n"
	  "deeper frames stays on the last one kept\n"
	  "  --max-depth 2  a;b;c;d 1 => a;b 1" },
	FLAME_OPT_HEADING("Weight (of a differential profile: the larger of its two counts):"),
	{ "min-weight", 0, OPT_MIN_WEIGHT, "N",
	  "drop stacks lighter than N\n"
	  "  --min-weight 5  a;b 3 => (dropped)" },
	{ "min-percent", 0, OPT_MIN_PERCENT, "P",
	  "drop stacks under P% of the total weight\n"
	  "  --min-percent 1  a;b 9 (of 1000) => (dropped)" },
	{ "top", 0, OPT_TOP, "N",
	  "keep the N heaviest stacks (ties: the first by text)\n"
	  "  --top 1  a;b 5 and a;c 2 => a;b 5" },
	FLAME_OPT_HEADING("Processes and threads, from root frames 'comm', 'comm-PID' or\n"
			  "'comm-PID/TID' (flame collapse --pid / --tid):"),
	{ "pid", 0, OPT_PID, "LIST",
	  "keep stacks of these process ids ('12,40-49')\n"
	  "  --pid 12  java-12;main 5 => java-12;main 5\n"
	  "            java-13;main 2 => (dropped)" },
	{ "tid", 0, OPT_TID, "LIST",
	  "keep stacks of these thread ids\n"
	  "  --tid 14  java-12/14;run 5 => java-12/14;run 5\n"
	  "            java-12/15;run 1 => (dropped)" },
	{ "comm", 0, OPT_COMM, "RE",
	  "keep stacks whose command name matches\n"
	  "  --comm '^java$'  java-12;main 5 => java-12;main 5\n"
	  "                   bash-7;main 1 => (dropped)" },
	FLAME_OPT_HEADING("Regexes:"),
	{ "ignore-case", 'i', OPT_IGNORE_CASE, NULL,
	  "every regex ignores case, wherever -i stands\n"
	  "  -i --grep 'MAIN;PARSE'  main;parse;lex 4 => (kept)" },
	FLAME_OPT_HEADING("Input and output:"),
	FLAME_OPT_INCLUDE(flame_opts_input),
	{ "output", 'o', FLAME_OPT_OUTPUT, "FILE",
	  "write to FILE (default: standard output); FILE is\n"
	  "replaced only once complete; '.zst' compresses; the\n"
	  "name chooses the format as --format would: '.svg',\n"
	  "'.speedscope.json', ... (see 'flame formats'); other\n"
	  "names are written folded" },
	{ "format", 0, FLAME_OPT_TO, "FMT",
	  "folded (the default), svg (a flame graph with\n"
	  "flamegraph.pl's defaults; 'flame render' has options)\n"
	  "or another format flame writes; also --to FMT" },
	FLAME_OPT_INCLUDE(flame_opts_to),
	FLAME_OPT_INCLUDE(flame_opts_output),
	/* for tests and benchmarks: always read into a profile */
	{ "no-fast-path", 0, OPT_NO_FAST_PATH, NULL, NULL },
	FLAME_OPT_END,
};

static const struct flame_usage usage = {
	.cmd = "filter",
	.synopsis = "usage: flame filter [options] [FILE...]\n",
	.about = about,
	.options = options,
	.epilog = epilog,
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

struct filter {
	struct flame_cli cli;
	struct pending *pend; /* the steps, in command-line order */
	size_t npend;
	int icase;
	int fast;
	const struct flame_format *out_fmt;
	struct flame_filter chain;
};

static int option(void *ctx, int id, const char *arg)
{
	struct filter *f = ctx;
	for (size_t k = 0; k < NSTEP_OPTS; k++) {
		if (step_opts[k].opt != id)
			continue;
		f->pend = flame_xrealloc(f->pend, (f->npend + 1) * sizeof(*f->pend));
		f->pend[f->npend++] = (struct pending){ step_opts[k].op, step_opts[k].name, arg };
		return 0;
	}
	switch (id) {
	case OPT_IGNORE_CASE:
		f->icase = 1;
		return 0;
	case OPT_NO_FAST_PATH:
		f->fast = 0;
		return 0;
	default:
		return flame_cli_option(&f->cli, id, arg);
	}
}

/* The output format, then the chain: -i applies to every regex, wherever
 * it stands, so the steps are compiled after parsing. */
static int build(struct filter *f)
{
	static const struct flame_writer_defaults dflt = { &flame_format_folded, &flame_format_folded,
							    &flame_format_folded };
	if (flame_pick_writer("filter", f->cli.to, f->cli.output, &dflt, &f->out_fmt) != EXIT_OK)
		return EXIT_USAGE;
	struct flame_error err = { 0 };
	for (size_t k = 0; k < f->npend; k++)
		if (flame_filter_add(&f->chain, f->pend[k].op, f->pend[k].name, f->pend[k].arg, f->icase,
				     &err) < 0)
			return flame_usage_error("filter", "%s", err.msg);
	return EXIT_OK;
}

/* Canonical folded input through a grep-only chain: a line filter.
 * Returns -1 when it does not apply, else the exit code. */
static int grep_lines(struct filter *f, const char *const *paths, size_t npaths)
{
	if (!f->fast || f->out_fmt != &flame_format_folded || !flame_filter_is_grep_only(&f->chain))
		return -1;
	struct flame_canon_set set;
	if (!flame_canon_open(&set, paths, npaths, f->cli.in_format))
		return -1;
	struct flame_error err = { 0 };
	uint64_t nin, nout;
	int r = flame_canon_grep(&set, &f->chain, (int)f->cli.jobs, f->cli.output, &nin, &nout, &err);
	flame_canon_close(&set);
	if (r == 0)
		return -1; /* not canonical after all: the general path */
	if (r > 0 && !f->cli.quiet && nin && !nout)
		cmd_note("no stacks left (%llu before filtering)", (unsigned long long)nin);
	return r > 0 ? EXIT_OK : flame_report_error(&err);
}

/* Undetected input is folded text with stray lines, as flamegraph.pl reads it. */
static const struct flame_format *input_format(const struct filter *f, const char *const *paths,
					       size_t npaths)
{
	if (f->cli.in_format)
		return f->cli.in_format;
	for (size_t k = 0; k < npaths; k++) {
		if (!flame_canon_undetected(paths[k]))
			continue;
		if (!f->cli.quiet)
			cmd_note("%s: format not recognized, input read as folded stacks (choose with "
				 "--input-format)", paths[k]);
		return &flame_format_folded;
	}
	return NULL;
}

/* Write p with the chosen format, atomically; SVG with flamegraph.pl's defaults. */
static int write_profile(const struct filter *f, const struct flame_profile *p)
{
	struct flame_error err = { 0 };
	struct flame_render_opts ro;
	flame_render_opts_init(&ro);
	if (flame_write_profile(f->out_fmt, p, f->out_fmt == &flame_format_svg ? &ro : NULL,
				f->cli.output, &err) < 0)
		return flame_report_error(&err);
	return EXIT_OK;
}

/* Apply the chain to a profile read whole, and write it. */
static int filter_profile(struct filter *f, struct flame_profile *prof, uint64_t warnings)
{
	struct flame_error err = { 0 };
	struct flame_filter_report frep;
	if (!prof->overflow && warnings && prof->nstacks == 0) {
		cmd_error("no stacks found; %llu line%s did not parse", (unsigned long long)warnings,
			  warnings == 1 ? "" : "s");
		return EXIT_DATA;
	}
	if (!prof->overflow && flame_filter_apply(&f->chain, prof, &frep, &err) < 0)
		return flame_report_error(&err);
	if (prof->overflow) {
		cmd_error("a stack's total weight does not fit in 64 bits");
		return EXIT_DATA;
	}
	if (frep.no_pid_roots)
		cmd_warning("no root frame carries a process or thread id ('comm-PID' or "
			    "'comm-PID/TID'); collapse perf input with --pid or --tid");
	if (!f->cli.quiet && frep.stacks_in && !frep.stacks_out)
		cmd_note("no stacks left (%llu before filtering)", (unsigned long long)frep.stacks_in);
	return write_profile(f, prof);
}

static int filter(struct filter *f, const char *const *paths, size_t npaths)
{
	static const char *const stdin_only[] = { "-" };
	if (npaths == 0) {
		paths = stdin_only;
		npaths = 1;
	}
	int rc = grep_lines(f, paths, npaths);
	if (rc >= 0)
		return rc;
	struct flame_read_opts ro;
	memset(&ro, 0, sizeof(ro));
	struct flame_reader_config cfg = {
		.format = input_format(f, paths, npaths),
		.opts = &ro,
		.nthreads = (int)f->cli.jobs,
		.progress = f->cli.quiet ? NULL : flame_progress_line,
	};
	struct flame_profile prof;
	struct flame_read_report rep;
	struct flame_error err = { 0 };
	flame_profile_init(&prof);
	if (flame_read_files(paths, npaths, &cfg, &prof, &rep, &err) < 0) {
		flame_profile_release(&prof);
		return flame_report_error(&err);
	}
	uint64_t warnings = flame_report_quality(&rep, f->cli.quiet);
	rc = filter_profile(f, &prof, warnings);
	flame_read_report_release(&rep);
	flame_profile_release(&prof);
	return rc;
}

int cmd_filter(int argc, char **argv)
{
	struct filter f;
	memset(&f, 0, sizeof(f));
	f.fast = 1;
	flame_cli_init(&f.cli, "filter");
	flame_filter_init(&f.chain);
	int rc = flame_options_parse(&usage, argc, argv, option, &f);
	if (rc == FLAME_OPTS_GO_ON) {
		rc = build(&f);
		if (rc == EXIT_OK)
			rc = filter(&f, (const char *const *)argv + optind, (size_t)(argc - optind));
	}
	flame_filter_release(&f.chain);
	flame_cli_release(&f.cli);
	free(f.pend);
	return rc;
}
