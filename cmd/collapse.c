/*
 * collapse.c - flame collapse: fold perf.data and profiler text output into folded stacks.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/record/symbolizer.h"
#include "../core/util.h"
#include "../formats/format.h"
#include "../formats/reader.h"
#include "cliopts.h"
#include "cmd.h"
#include "options.h"

static const char about[] =
	"Fold stack samples into 'frame;frame;leaf COUNT' lines, sorted, one per\n"
	"distinct stack.  FILEs (default: standard input, also '-') may be gzip or\n"
	"zstd compressed; several FILEs are merged into one output.\n";

static const char epilog[] =
	"Examples:\n"
	"  flame collapse perf.data > out.folded\n"
	"  perf script | flame collapse > out.folded\n"
	"  flame collapse --pid -o out.folded perf.txt.zst\n"
	"  flame collapse -f dtrace --includeoffset stacks.txt\n";

enum {
	OPT_EVENT = 256,
	OPT_SKIP_AFTER,
	OPT_INCLUDEOFFSET,
	OPT_STRICT,
	OPT_NO_RUST_FIXUP,
	OPT_INLINE,
	OPT_CONTEXT,
	OPT_SRCLINE,
	OPT_DEBUG_DIR,
};

static const struct flame_option options[] = {
	FLAME_OPT_HEADING("Input:"),
	{ "format", 'f', FLAME_OPT_INPUT_FORMAT, "FMT",
	  "any format 'flame formats' reads, e.g. perf-data, perf,\n"
	  "dtrace, folded, pprof, speedscope, chrome, cpuprofile\n"
	  "(default: detected)" },
	FLAME_OPT_INCLUDE(flame_opts_input),
	{ "strict", 0, OPT_STRICT, NULL, "fail (exit 1) on any line that does not parse" },
	FLAME_OPT_HEADING("perf.data (perf record's file, read and symbolized here) and perf script\n"
			  "input (as stackcollapse-perf.pl / inferno-collapse-perf):"),
	FLAME_OPT_INCLUDE(flame_opts_naming),
	{ "event-filter", 0, OPT_EVENT, "EV", "keep samples of event EV (default: the first event seen)" },
	{ "skip-after", 0, OPT_SKIP_AFTER, "NAME",
	  "drop the frames above (callers of) function NAME;\n"
	  "repeatable (perf script text only)" },
	{ "no-rust-fixup", 0, OPT_NO_RUST_FIXUP, NULL,
	  "keep Rust names perf half-demangled ('_$LT$...::h0123..')\n"
	  "as stackcollapse-perf.pl does" },
	{ "inline", 0, OPT_INLINE, NULL,
	  "add the functions inlined at each user frame, from the\n"
	  "DSO's DWARF, as frames 'name_[i]'; perf's own\n"
	  "'(inlined)' lines become 'name_[i]' frames too" },
	{ "context", 0, OPT_CONTEXT, NULL, "with --inline: frames end in ':file.c:LINE'" },
	{ "srcline", 0, OPT_SRCLINE, NULL,
	  "read 'perf script -F +srcline' lines: frames end in\n"
	  "':file.c:LINE'" },
	{ "debug-dir", 0, OPT_DEBUG_DIR, "DIR",
	  "with --inline: where separate debug files live\n"
	  "(default /usr/lib/debug)" },
	FLAME_OPT_HEADING("dtrace input (as stackcollapse.pl / inferno-collapse-dtrace):"),
	{ "includeoffset", 0, OPT_INCLUDEOFFSET, NULL, "keep +0x offsets on all frames but the leaf" },
	FLAME_OPT_HEADING("Output:"),
	FLAME_OPT_INCLUDE(flame_opts_output),
	FLAME_OPT_END,
};

static const struct flame_usage usage = {
	.cmd = "collapse",
	.synopsis = "usage: flame collapse [options] [FILE...]\n",
	.about = about,
	.options = options,
	.epilog = epilog,
};

struct collapse {
	struct flame_cli cli;
	struct flame_read_opts ro;
	const char **skip;
	size_t nskip;
	const char *debug_dir;
	int strict;
};

static int option(void *ctx, int id, const char *arg)
{
	struct collapse *c = ctx;
	switch (id) {
	case OPT_EVENT:
		c->ro.event_filter = arg;
		return 0;
	case OPT_SKIP_AFTER:
		c->skip = flame_xrealloc(c->skip, (c->nskip + 1) * sizeof(*c->skip));
		c->skip[c->nskip++] = arg;
		return 0;
	case OPT_INCLUDEOFFSET:
		c->ro.include_offset = 1;
		return 0;
	case OPT_NO_RUST_FIXUP:
		c->ro.no_rust_fixup = 1;
		return 0;
	case OPT_STRICT:
		c->strict = 1;
		return 0;
	case OPT_INLINE:
		c->ro.inline_frames = 1;
		return 0;
	case OPT_CONTEXT:
		c->ro.inline_context = 1;
		return 0;
	case OPT_SRCLINE:
		c->ro.srcline = 1;
		return 0;
	case OPT_DEBUG_DIR:
		c->debug_dir = arg;
		return 0;
	default:
		return flame_cli_option(&c->cli, id, arg);
	}
}

/* The reader's options: the naming group and collapse's own; EXIT_OK,
 * or the exit code when they ask for what this build lacks. */
static int read_options(struct collapse *c)
{
	c->ro.include_pid = c->cli.naming.pid;
	c->ro.include_tid = c->cli.naming.tid;
	c->ro.annotate_kernel = c->cli.naming.kernel;
	c->ro.annotate_jit = c->cli.naming.jit;
	c->ro.include_addrs = c->cli.naming.addrs;
	c->ro.skip_after = c->skip;
	c->ro.nskip_after = c->nskip;
	if (!FLAME_WITH_RECORD && (c->ro.inline_frames || c->ro.inline_context)) {
		/* the DWARF lookups are core/record's symbolizer */
		cmd_error("--%s: not built in (this flame was built with -DFLAME_WITH_RECORD=OFF)",
			  c->ro.inline_frames ? "inline" : "context");
		return EXIT_DATA;
	}
	if (c->ro.inline_frames) {
		struct flame_symbolizer_opts so = { .demangle = 1, .debug_dir = c->debug_dir };
		c->ro.symbolizer = flame_symbolizer_new(&so);
	}
	return EXIT_OK;
}

/* Why the profile read must not be written, as an exit code (EXIT_OK: write it). */
static int refuse(const struct collapse *c, const struct flame_profile *prof,
		  const struct flame_read_report *rep, uint64_t warnings)
{
	if (prof->overflow) {
		cmd_error("a stack's total weight does not fit in 64 bits");
		return EXIT_DATA;
	}
	if (c->strict && warnings) {
		cmd_error("%llu line%s did not parse (--strict); no output written",
			  (unsigned long long)warnings, warnings == 1 ? "" : "s");
		return EXIT_DATA;
	}
	if (prof->nstacks == 0 && rep->diag.count[FLAME_DIAG_OTHER_EVENT] && rep->event_given) {
		cmd_error("no samples of event '%s'; the input has samples of other events (%s)",
			  rep->event ? rep->event : "",
			  rep->diag.nex[FLAME_DIAG_OTHER_EVENT] ? rep->diag.ex[FLAME_DIAG_OTHER_EVENT][0].text
								: "");
		return EXIT_DATA;
	}
	if (warnings && prof->nstacks == 0) {
		cmd_error("no stacks found; %llu line%s did not parse", (unsigned long long)warnings,
			  warnings == 1 ? "" : "s");
		return EXIT_DATA;
	}
	return EXIT_OK;
}

static int collapse(struct collapse *c, const char *const *paths, size_t npaths)
{
	struct flame_reader_config cfg = {
		.format = c->cli.in_format,
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
	if (c->ro.symbolizer && !c->cli.quiet) {
		struct flame_dso **dsos;
		size_t ndsos = flame_symbolizer_dsos(c->ro.symbolizer, &dsos);
		flame_note_no_dwarf("collapse", dsos, ndsos);
	}
	rc = refuse(c, &prof, &rep, warnings);
	if (rc == EXIT_OK && flame_write_folded(&prof, c->cli.output, &err) < 0)
		rc = flame_report_error(&err);
	flame_read_report_release(&rep);
	flame_profile_release(&prof);
	return rc;
}

int cmd_collapse(int argc, char **argv)
{
	struct collapse c;
	memset(&c, 0, sizeof(c));
	flame_cli_init(&c.cli, "collapse");
	int rc = flame_options_parse(&usage, argc, argv, option, &c);
	if (rc == FLAME_OPTS_GO_ON) {
		rc = read_options(&c);
		if (rc == EXIT_OK)
			rc = collapse(&c, (const char *const *)argv + optind, (size_t)(argc - optind));
	}
	flame_symbolizer_free(c.ro.symbolizer);
	flame_cli_release(&c.cli);
	free(c.skip);
	return rc;
}
