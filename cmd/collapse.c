/*
 * collapse.c - flame collapse: fold perf.data and profiler text output into folded stacks.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/symbolizer.h"
#include "../core/util.h"
#include "../formats/format.h"
#include "../formats/reader.h"
#include "cmd.h"

static const char usage_text[] =
	"usage: flame collapse [options] [FILE...]\n"
	"\n"
	"Fold stack samples into 'frame;frame;leaf COUNT' lines, sorted, one per\n"
	"distinct stack.  FILEs (default: standard input, also '-') may be gzip or\n"
	"zstd compressed; several FILEs are merged into one output.\n"
	"\n"
	"Input:\n"
	"  -f, --format FMT      perf-data, perf, dtrace or folded (default: detected)\n"
	"  -j, --jobs N          parse on N threads (default: all cores)\n"
	"      --strict          fail (exit 1) on any line that does not parse\n"
	"\n"
	"perf.data (perf record's file, read and symbolized here) and perf script\n"
	"input (as stackcollapse-perf.pl / inferno-collapse-perf):\n"
	"      --pid             root frame is 'comm-PID'\n"
	"      --tid             root frame is 'comm-PID/TID'\n"
	"      --kernel          mark kernel frames with _[k]\n"
	"      --jit             mark JIT frames (/tmp/perf-PID.map, jitted-*.so) with _[j]\n"
	"      --all             --kernel and --jit\n"
	"      --addrs           show addresses of unknown frames: [unknown <ADDR>]\n"
	"      --event-filter EV keep samples of event EV (default: the first event seen)\n"
	"      --skip-after NAME drop the frames above (callers of) function NAME;\n"
	"                        repeatable (perf script text only)\n"
	"      --no-rust-fixup   keep Rust names perf half-demangled ('_$LT$...::h0123..')\n"
	"                        as stackcollapse-perf.pl does\n"
	"      --inline          add the functions inlined at each user frame, from the\n"
	"                        DSO's DWARF, as frames 'name_[i]'; perf's own\n"
	"                        '(inlined)' lines become 'name_[i]' frames too\n"
	"      --context         with --inline: frames end in ':file.c:LINE'\n"
	"      --srcline         read 'perf script -F +srcline' lines: frames end in\n"
	"                        ':file.c:LINE'\n"
	"      --debug-dir DIR   with --inline: where separate debug files live\n"
	"                        (default /usr/lib/debug)\n"
	"\n"
	"dtrace input (as stackcollapse.pl / inferno-collapse-dtrace):\n"
	"      --includeoffset   keep +0x offsets on all frames but the leaf\n"
	"\n"
	"Output:\n"
	"  -o, --output FILE     write to FILE (default: standard output); FILE is\n"
	"                        replaced only once complete; '.zst' compresses\n"
	"  -q, --quiet           no notes on stderr (warnings still shown)\n"
	"  -h, --help            show this help\n"
	"  -V, --version         show the version\n"
	"\n"
	"Examples:\n"
	"  flame collapse perf.data > out.folded\n"
	"  perf script | flame collapse > out.folded\n"
	"  flame collapse --pid -o out.folded perf.txt.zst\n"
	"  flame collapse -f dtrace --includeoffset stacks.txt\n";

enum {
	OPT_PID = 256,
	OPT_TID,
	OPT_KERNEL,
	OPT_JIT,
	OPT_ALL,
	OPT_ADDRS,
	OPT_EVENT,
	OPT_SKIP_AFTER,
	OPT_INCLUDEOFFSET,
	OPT_STRICT,
	OPT_NO_RUST_FIXUP,
	OPT_INLINE,
	OPT_CONTEXT,
	OPT_SRCLINE,
	OPT_DEBUG_DIR,
};

int cmd_collapse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "pid", no_argument, NULL, OPT_PID },
		{ "tid", no_argument, NULL, OPT_TID },
		{ "kernel", no_argument, NULL, OPT_KERNEL },
		{ "jit", no_argument, NULL, OPT_JIT },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "addrs", no_argument, NULL, OPT_ADDRS },
		{ "event-filter", required_argument, NULL, OPT_EVENT },
		{ "skip-after", required_argument, NULL, OPT_SKIP_AFTER },
		{ "includeoffset", no_argument, NULL, OPT_INCLUDEOFFSET },
		{ "strict", no_argument, NULL, OPT_STRICT },
		{ "no-rust-fixup", no_argument, NULL, OPT_NO_RUST_FIXUP },
		{ "inline", no_argument, NULL, OPT_INLINE },
		{ "context", no_argument, NULL, OPT_CONTEXT },
		{ "srcline", no_argument, NULL, OPT_SRCLINE },
		{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },
		{ NULL, 0, NULL, 0 },
	};
	struct flame_read_opts ro;
	memset(&ro, 0, sizeof(ro));
	const struct flame_format *fmt = NULL;
	const char *output = NULL;
	const char **skip = NULL;
	size_t nskip = 0;
	const char *debug_dir = NULL;
	struct flame_symbolizer *sym = NULL;
	int quiet = 0, strict = 0, c, idx;
	unsigned long long jobs = (unsigned long long)flame_ncpus();
	int rc = EXIT_USAGE;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:j:o:qhV", longopts, &idx)) != -1) {
		switch (c) {
		case 'f':
			fmt = flame_format_find(optarg);
			if (!fmt || !fmt->parse) {
				flame_usage_error("collapse", "unknown format '%s' (expected one of: %s)", optarg,
						  flame_format_names());
				goto out;
			}
			break;
		case 'j':
			if (flame_parse_jobs("collapse", optarg, &jobs) < 0)
				goto out;
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case OPT_PID:
			ro.include_pid = 1;
			break;
		case OPT_TID:
			ro.include_tid = 1;
			break;
		case OPT_KERNEL:
			ro.annotate_kernel = 1;
			break;
		case OPT_JIT:
			ro.annotate_jit = 1;
			break;
		case OPT_ALL:
			ro.annotate_kernel = ro.annotate_jit = 1;
			break;
		case OPT_ADDRS:
			ro.include_addrs = 1;
			break;
		case OPT_EVENT:
			ro.event_filter = optarg;
			break;
		case OPT_SKIP_AFTER:
			skip = flame_xrealloc(skip, (nskip + 1) * sizeof(*skip));
			skip[nskip++] = optarg;
			break;
		case OPT_INCLUDEOFFSET:
			ro.include_offset = 1;
			break;
		case OPT_NO_RUST_FIXUP:
			ro.no_rust_fixup = 1;
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_INLINE:
			ro.inline_frames = 1;
			break;
		case OPT_CONTEXT:
			ro.inline_context = 1;
			break;
		case OPT_SRCLINE:
			ro.srcline = 1;
			break;
		case OPT_DEBUG_DIR:
			debug_dir = optarg;
			break;
		default: /* -h, -V, a missing value, an unknown option */
			rc = flame_common_option("collapse", c, usage_text, argv);
			goto out;
		}
	}
	ro.skip_after = skip;
	ro.nskip_after = nskip;
	if (ro.inline_frames) {
		struct flame_symbolizer_opts so = { .demangle = 1, .debug_dir = debug_dir };
		ro.symbolizer = sym = flame_symbolizer_new(&so);
	}

	struct flame_reader_config cfg = {
		.format = fmt,
		.opts = &ro,
		.nthreads = (int)jobs,
		.progress = quiet ? NULL : flame_progress_line,
	};
	struct flame_profile prof;
	struct flame_read_report rep;
	struct flame_error err = { 0 };
	flame_profile_init(&prof);
	if (flame_read_files((const char *const *)argv + optind, (size_t)(argc - optind), &cfg, &prof,
			     &rep, &err) < 0) {
		rc = flame_report_error(&err);
		flame_profile_release(&prof);
		goto out;
	}
	uint64_t warnings = flame_report_quality(&rep, quiet);
	if (sym && !quiet) {
		struct flame_dso **dsos;
		size_t ndsos = flame_symbolizer_dsos(sym, &dsos);
		flame_note_no_dwarf("collapse", dsos, ndsos);
	}
	rc = EXIT_OK;
	if (prof.overflow) {
		fprintf(stderr, "flame: a stack's total weight does not fit in 64 bits\n");
		rc = EXIT_DATA;
	} else if (strict && warnings) {
		fprintf(stderr, "flame: collapse: %llu line%s did not parse (--strict); no output written\n",
			(unsigned long long)warnings, warnings == 1 ? "" : "s");
		rc = EXIT_DATA;
	} else if (prof.nstacks == 0 && rep.diag.count[FLAME_DIAG_OTHER_EVENT] && rep.event_given) {
		fprintf(stderr, "flame: collapse: no samples of event '%s'; the input has samples of "
				"other events (%s)\n",
			rep.event ? rep.event : "",
			rep.diag.nex[FLAME_DIAG_OTHER_EVENT] ? rep.diag.ex[FLAME_DIAG_OTHER_EVENT][0].text : "");
		rc = EXIT_DATA;
	} else if (warnings && prof.nstacks == 0) {
		fprintf(stderr, "flame: collapse: no stacks found; %llu line%s did not parse\n",
			(unsigned long long)warnings, warnings == 1 ? "" : "s");
		rc = EXIT_DATA;
	} else if (flame_write_folded(&prof, output, &err) < 0) {
		rc = flame_report_error(&err);
	}
	flame_read_report_release(&rep);
	flame_profile_release(&prof);
out:
	flame_symbolizer_free(sym);
	free(skip);
	return rc;
}
