/*
 * record.c - flame record: sample a command (or running processes) with
 * perf_event_open and write a flame graph.
 *
 * The wiring: launch (core/record/launch.h) holds the command before exec while
 * the sampler (core/record/sampler.h) opens its events; then one loop polls the
 * ring buffers and a signalfd, drains records in time order into the
 * recorder (core/record/recorder.h), which symbolizes and folds them into the
 * profile as they come, so little is left to do when the command ends.
 * With --call-graph dwarf the records go to a spool file instead and are
 * unwound and folded after the command ends (core/record/spool.h).
 *
 * cmd_record() runs in named steps: options, set_up, start, run, unwind,
 * write, summary; each step returns GO_ON or the exit code to leave with.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/io.h"
#include "../core/record/inproc.h"
#include "../core/record/launch.h"
#include "../core/record/offcpu.h"
#include "../core/record/recorder.h"
#include "../core/record/spool.h"
#include "../core/record/unwind.h"
#include "../core/util.h"
#include "../formats/format.h"
#include "../formats/registry.h"
#include "../render/render.h"
#include "../render/svgformat.h"
#include "cliopts.h"
#include "cmd.h"
#include "options.h"

static const char about[] =
	"Run COMMAND (or watch running processes) and sample its call stacks with\n"
	"perf_event_open, following every thread and child process; then write a\n"
	"flame graph (default: flame.svg in the current directory) and a\n"
	"data-quality summary on stderr.  Exit status: COMMAND's (128+N when a\n"
	"signal N killed it); 127 when COMMAND is not found.\n";

static const char epilog[] =
	"Examples:\n"
	"  flame record -- ./prog --its-options\n"
	"  flame record -o prog.folded -F 4999 -- make -j8\n"
	"  flame record -p 1234 -d 10 -o server.svg\n";

enum {
	OPT_FREQ = 256,
	OPT_EVENT,
	OPT_ATTACH,
	OPT_DURATION,
	OPT_MMAP_PAGES,
	OPT_CALL_GRAPH,
	OPT_USER_ONLY,
	OPT_KERNEL_ONLY,
	OPT_NO_DEMANGLE,
	OPT_DEBUG_DIR,
	OPT_SAMPLER,
	OPT_OFFCPU,
	OPT_WALL,
	OPT_INLINE,
	OPT_SRCLINE,
};

static const struct flame_option options[] = {
	FLAME_OPT_HEADING("Sampling:"),
	{ "freq", 'F', OPT_FREQ, "HZ", "samples per second of each thread's time (default 997)" },
	{ "event", 'e', OPT_EVENT, "EVENT",
	  "cpu-clock (default), task-clock, cycles, instructions,\n"
	  "cache-misses, ...; a hardware event the machine lacks\n"
	  "falls back to cpu-clock with a note" },
	{ "attach", 'p', OPT_ATTACH, "PID,...",
	  "sample these running processes, all their threads,\n"
	  "until they exit, Ctrl-C or --duration" },
	{ "duration", 'd', OPT_DURATION, "SECS", "stop after SECS seconds (COMMAND then gets SIGTERM)" },
	{ "user-only", 0, OPT_USER_ONLY, NULL, "user-space frames only" },
	{ "kernel-only", 0, OPT_KERNEL_ONLY, NULL, "kernel frames only" },
	{ "mmap-pages", 'm', OPT_MMAP_PAGES, "N",
	  "ring buffer size per CPU in pages, a power of two\n"
	  "(default 128; 512 with --call-graph dwarf; 1024 with\n"
	  "--off-cpu or --wall)" },
	{ "sampler", 0, OPT_SAMPLER, "KIND",
	  "perf (perf_event_open), preload (in-process timers\n"
	  "in COMMAND through LD_PRELOAD: user space only, no -p),\n"
	  "or auto (default): perf, and preload when\n"
	  "perf_event_open is denied" },
	{ "call-graph", 'g', OPT_CALL_GRAPH, "MODE",
	  "how user stacks are found: fp (default: follow frame\n"
	  "pointers), dwarf[,BYTES] (copy BYTES of stack per\n"
	  "sample, default 8192, at most 65528, and unwind it\n"
	  "with the binaries' DWARF CFI after the run: for code\n"
	  "built without frame pointers), auto (dwarf when the\n"
	  "program looks built without frame pointers)" },
	{ "off-cpu", 0, OPT_OFFCPU, NULL,
	  "off-CPU time instead of CPU time: the stack of every\n"
	  "switch-out (sched:sched_switch), weighted by the ns\n"
	  "until the thread runs again; a thread preempted while\n"
	  "runnable gets a [preempted] frame on top (needs root,\n"
	  "or CAP_PERFMON and kernel.perf_event_paranoid <= 1)" },
	{ "wall", 0, OPT_WALL, NULL,
	  "CPU time (cpu-clock, ns) and off-CPU time in one\n"
	  "profile: wall-clock time; off-CPU frames end in _[o]\n"
	  "and are drawn blue" },
	FLAME_OPT_HEADING("Symbols:"),
	{ "no-demangle", 0, OPT_NO_DEMANGLE, NULL, "keep C++ and Rust names mangled" },
	{ "debug-dir", 0, OPT_DEBUG_DIR, "DIR", "where separate debug files live (default /usr/lib/debug)" },
	{ "inline", 0, OPT_INLINE, NULL,
	  "add the functions inlined at each address as frames\n"
	  "'name_[i]' (from DWARF: build with -g)" },
	{ "srcline", 0, OPT_SRCLINE, NULL, "end frames in ':file.c:LINE' (DWARF), else ':DSO'" },
	FLAME_OPT_HEADING("Frames (named as 'perf script | flame collapse' names them):"),
	FLAME_OPT_INCLUDE(flame_opts_naming),
	FLAME_OPT_HEADING("Output:"),
	/* record's own -o, -f and -q rows: its default file, its spelling of
	 * --to, and what -q silences differ from the shared ones */
	{ "output", 'o', FLAME_OPT_OUTPUT, "FILE",
	  "write to FILE (default flame.svg); the format follows\n"
	  "the name: .svg, .folded (or .txt), .speedscope.json,\n"
	  ".trace.json, .pb.gz, ... (see 'flame formats');\n"
	  "'.zst' compresses; '-', /dev/null or another\n"
	  "device or FIFO is written folded" },
	{ "format", 'f', FLAME_OPT_TO, "FMT",
	  "(also --to FMT) svg, folded, or another format flame\n"
	  "writes (speedscope, chrome, ...: see 'flame formats'),\n"
	  "whatever FILE is called; formats that show time get\n"
	  "every sample's time and thread" },
	{ "quiet", 'q', FLAME_OPT_QUIET, NULL, "no progress line, no summary (errors still shown)" },
	FLAME_OPT_INCLUDE(flame_opts_output),
	FLAME_OPT_INCLUDE(flame_opts_to),
	FLAME_OPT_HEADING("SVG (as flame render):"),
	{ "countname", 0, FLAME_OPT_COUNTNAME, "TEXT",
	  "what the counts are (default: ns for the clocks, else\n"
	  "the event's name)" },
	FLAME_OPT_INCLUDE(flame_opts_svg),
	FLAME_OPT_END,
};

static const struct flame_usage usage = {
	.cmd = "record",
	.synopsis = "usage: flame record [options] [--] COMMAND [ARGS...]\n"
		    "       flame record [options] -p PID[,PID...]\n",
	.about = about,
	.options = options,
	.epilog = epilog,
	.stop_at_operand = 1, /* COMMAND's own options are its own */
};

/* What a step returns when the next one should run; else an exit code. */
#define GO_ON (-1)

enum out_kind { OUT_SVG, OUT_FOLDED, OUT_WRITER };
enum sampler_kind { SAMPLER_AUTO, SAMPLER_PERF, SAMPLER_PRELOAD };

struct record {
	/* options */
	struct flame_cli cli;    /* -o, -q, --to, naming, SVG (cli.svg; count_name NULL: by event) */
	struct flame_sampler_config scfg;
	struct flame_recorder_opts ropts;
	enum out_kind out;
	const struct flame_format *writer; /* the format cli.output is written in */
	char default_output[64];
	int event_set;           /* -e or -F given */
	double duration;        /* seconds, 0 = none */
	pid_t *attach;
	size_t nattach;
	char **argv;            /* the command, NULL in attach mode */
	enum sampler_kind sampler_kind;
	struct flame_inproc inproc; /* --sampler=preload, or auto's fallback */
	int inproc_on;
	enum { CG_FP, CG_DWARF, CG_AUTO } call_graph;
	uint32_t stack_bytes;   /* --call-graph dwarf,BYTES */
	char cg_why[5200];       /* how auto chose */
	struct flame_spool *spool; /* dwarf: records wait here until the command ends */
	double replay_secs;     /* time spent unwinding and folding them */
	/* state */
	struct flame_sampler *sampler;
	struct flame_recorder *rec;
	struct flame_profile prof;
	struct flame_launch launch;
	pid_t child;
	int child_status;
	int child_done;
	struct rusage child_ru; /* the command's CPU time, from wait4() */
	int sfd;                /* signalfd */
	sigset_t old_mask;
	sigset_t ignored;       /* signals the command starts with ignored (SIGHUP under nohup) */
	int interrupts;         /* SIGINT/SIGTERM/... received */
	int stop;
	double t_start, t_end;  /* flame_now() */
	int progress_shown;
	double next_progress;
};

/* ---- options ---- */

static int parse_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7 || isnan(v))
		return flame_usage_error("record", "--duration expects a number of seconds, got '%s'", s);
	*out = v;
	return 0;
}

static int parse_pids(struct record *r, const char *s)
{
	const char *p = s;
	while (*p) {
		char *end;
		errno = 0;
		long v = strtol(p, &end, 10);
		if (errno || end == p || v <= 0 || v > 0x3fffffff || (*end && *end != ','))
			return flame_usage_error("record", "-p expects process ids like 1234,5678, got '%s'", s);
		r->attach = flame_xrealloc(r->attach, (r->nattach + 1) * sizeof(*r->attach));
		r->attach[r->nattach++] = (pid_t)v;
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* fp | dwarf[,BYTES] | auto */
static int parse_call_graph(struct record *r, const char *s)
{
	r->stack_bytes = 8192;
	if (strcmp(s, "fp") == 0) {
		r->call_graph = CG_FP;
		return 0;
	}
	if (strcmp(s, "auto") == 0) {
		r->call_graph = CG_AUTO;
		return 0;
	}
	if (strncmp(s, "dwarf", 5) == 0 && (s[5] == '\0' || s[5] == ',')) {
		r->call_graph = CG_DWARF;
		if (s[5] == '\0')
			return 0;
		char *end;
		errno = 0;
		unsigned long long v = strtoull(s + 6, &end, 10);
		if (errno || end == s + 6 || *end || s[6] == '-' || s[6] == '+' || v < 8 ||
		    v > FLAME_SAMPLER_STACK_MAX)
			return flame_usage_error("record", "--call-graph dwarf,BYTES expects a stack size "
						 "from 8 to %u bytes, got '%s'", FLAME_SAMPLER_STACK_MAX, s);
		r->stack_bytes = (uint32_t)((v + 7) & ~7ull);
		return 0;
	}
	return flame_usage_error("record", "--call-graph expects fp, dwarf, dwarf,BYTES or auto, got '%s'",
				 s);
}


/* What --sampler=preload cannot do. */
static int check_preload_options(struct record *r)
{
	if (r->nattach)
		return flame_usage_error("record", "--sampler=preload cannot attach to running processes "
					 "(-p): it is loaded into COMMAND when it starts");
	if (r->scfg.scope == FLAME_SCOPE_KERNEL)
		return flame_usage_error("record", "--sampler=preload samples user space only, not "
					 "--kernel-only");
	if (r->scfg.event && strcmp(r->scfg.event, "cpu-clock") != 0 &&
	    strcmp(r->scfg.event, "task-clock") != 0)
		return flame_usage_error("record", "--sampler=preload samples CPU time only, not "
					 "event '%s'", r->scfg.event);
	if (r->call_graph == CG_DWARF)
		return flame_usage_error("record", "--sampler=preload follows frame pointers: "
					 "--call-graph dwarf needs perf_event_open");
	if (r->scfg.offcpu != FLAME_OFFCPU_NONE)
		return flame_usage_error("record", "--sampler=preload samples CPU time only: --off-cpu "
					 "and --wall need perf_event_open");
	return 0;
}

/* --off-cpu samples no CPU event; --wall adds off-CPU ns to CPU ns. */
static int check_offcpu(struct record *r)
{
	if (r->scfg.offcpu == FLAME_OFFCPU_ONLY && r->event_set)
		return flame_usage_error("record", "-e and -F choose the CPU-time event, which --off-cpu "
					 "does not sample (every switch-out is); use --wall for both");
	if (r->scfg.offcpu == FLAME_OFFCPU_ALSO && r->scfg.event &&
	    !(strcmp(r->scfg.event, "cpu-clock") == 0 || strcmp(r->scfg.event, "cpu_clock") == 0 ||
	      strcmp(r->scfg.event, "task-clock") == 0 || strcmp(r->scfg.event, "task_clock") == 0))
		return flame_usage_error("record", "--wall adds nanoseconds off the CPU to CPU time: it "
					 "needs -e cpu-clock or task-clock, not '%s'", r->scfg.event);
	/* a switch-heavy program writes records fast (a stack per switch-out
	 * and two switch records): larger buffers lose fewer */
	if (r->scfg.offcpu != FLAME_OFFCPU_NONE && !r->scfg.mmap_pages)
		r->scfg.mmap_pages = 1024;
	r->ropts.offcpu = r->scfg.offcpu != FLAME_OFFCPU_NONE;
	r->ropts.annotate_offcpu = r->scfg.offcpu == FLAME_OFFCPU_ALSO;
	return 0;
}

/* -F, -e, -m, --user-only, --kernel-only, --sampler, --off-cpu, --wall:
 * what the sampler samples.  -1 when id is none of them. */
static int sampling_option(struct record *r, int id, const char *arg)
{
	unsigned long long v;
	switch (id) {
	case OPT_FREQ:
		if (flame_parse_uint("record", "-F", arg, 1000000, &v) < 0)
			return EXIT_USAGE;
		if (v == 0)
			return flame_usage_error("record", "-F must be at least 1");
		r->scfg.freq = v;
		r->event_set = 1;
		return 0;
	case OPT_EVENT:
		if (!flame_sampler_event_known(arg))
			return flame_usage_error("record", "unknown event '%s' (expected one of: %s)", arg,
						 flame_sampler_event_names());
		r->scfg.event = arg;
		r->event_set = 1;
		return 0;
	case OPT_MMAP_PAGES:
		if (flame_parse_uint("record", "--mmap-pages", arg, 1u << 20, &v) < 0)
			return EXIT_USAGE;
		if (v < 8 || (v & (v - 1)))
			return flame_usage_error("record", "--mmap-pages must be a power of two, at least 8");
		r->scfg.mmap_pages = (unsigned)v;
		return 0;
	case OPT_USER_ONLY:
	case OPT_KERNEL_ONLY: {
		enum flame_scope want = id == OPT_USER_ONLY ? FLAME_SCOPE_USER : FLAME_SCOPE_KERNEL;
		if (r->scfg.scope != FLAME_SCOPE_AUTO && r->scfg.scope != want)
			return flame_usage_error("record", "--user-only and --kernel-only exclude each other");
		r->scfg.scope = want;
		return 0;
	}
	case OPT_SAMPLER:
		if (strcmp(arg, "auto") == 0)
			r->sampler_kind = SAMPLER_AUTO;
		else if (strcmp(arg, "perf") == 0)
			r->sampler_kind = SAMPLER_PERF;
		else if (strcmp(arg, "preload") == 0)
			r->sampler_kind = SAMPLER_PRELOAD;
		else
			return flame_usage_error("record", "unknown sampler '%s' (expected perf, preload "
						 "or auto)", arg);
		return 0;
	case OPT_OFFCPU:
	case OPT_WALL: {
		enum flame_offcpu_mode want = id == OPT_OFFCPU ? FLAME_OFFCPU_ONLY : FLAME_OFFCPU_ALSO;
		if (r->scfg.offcpu != FLAME_OFFCPU_NONE && r->scfg.offcpu != want)
			return flame_usage_error("record", "--off-cpu and --wall exclude each other "
						 "(--wall includes off-CPU time)");
		r->scfg.offcpu = want;
		return 0;
	}
	default:
		return -1;
	}
}

/* One option of the table, in command-line order (options.h). */
static int option(void *ctx, int id, const char *arg)
{
	struct record *r = ctx;
	int rc = sampling_option(r, id, arg);
	if (rc >= 0)
		return rc;
	switch (id) {
	case OPT_ATTACH:
		return parse_pids(r, arg) != 0 ? EXIT_USAGE : 0;
	case OPT_DURATION:
		return parse_seconds(arg, &r->duration) != 0 ? EXIT_USAGE : 0;
	case OPT_CALL_GRAPH:
		return parse_call_graph(r, arg) != 0 ? EXIT_USAGE : 0;
	case OPT_NO_DEMANGLE:
		r->ropts.demangle = 0;
		return 0;
	case OPT_DEBUG_DIR:
		r->ropts.debug_dir = arg;
		return 0;
	case OPT_INLINE:
		r->ropts.inline_frames = 1;
		return 0;
	case OPT_SRCLINE:
		r->ropts.srcline = 1;
		return 0;
	default:
		return flame_cli_option(&r->cli, id, arg) != 0 ? EXIT_USAGE : 0;
	}
}

/* Output format from --format/--to, else from the file name (as every
 * command: cmd/common.c); without -o, flame.svg or a name after the format. */
static int pick_output(struct record *r)
{
	static const struct flame_writer_defaults dflt = { &flame_format_svg, &flame_format_folded,
							    NULL };
	const struct flame_format *f;
	if (flame_pick_writer("record", r->cli.to, r->cli.output, &dflt, &f) != EXIT_OK)
		return EXIT_USAGE;
	if (!f)
		return flame_usage_error("record",
					 "cannot tell the format from the name '%s'; name it .svg or .folded, "
					 "or use --format (one of: %s)", r->cli.output,
					 flame_format_writer_names(&flame_format_svg));
	r->out = f == &flame_format_svg ? OUT_SVG : f == &flame_format_folded ? OUT_FOLDED : OUT_WRITER;
	r->writer = f;
	if (!r->cli.output) {
		if (r->out == OUT_WRITER)
			snprintf(r->default_output, sizeof(r->default_output), "flame.%s.json", f->name);
		r->cli.output = r->out == OUT_SVG ? "flame.svg"
				: r->out == OUT_FOLDED ? "flame.folded" : r->default_output;
	}
	return 0;
}

/* After the options: COMMAND or -p, the rules between options, the
 * output's format; GO_ON, or EXIT_USAGE (printed). */
static int check_options(struct record *r, int argc, char **argv)
{
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind < argc) {
		if (r->nattach)
			return flame_usage_error("record", "give either -p PID or a COMMAND, not both");
		r->argv = argv + optind;
	} else if (!r->nattach) {
		return flame_usage_error("record", "nothing to record: give a COMMAND (flame record -- ./prog) "
					 "or -p PID");
	}
	if (r->sampler_kind == SAMPLER_PRELOAD && check_preload_options(r) != 0)
		return EXIT_USAGE;
	if (check_offcpu(r) != 0)
		return EXIT_USAGE;
	if (pick_output(r) != 0)
		return EXIT_USAGE;
	if (r->cli.svg_first && r->out != OUT_SVG)
		return flame_usage_error("record", "--%s applies to SVG output, not to %s", r->cli.svg_first,
					 r->cli.output);
	r->ropts.include_pid = r->cli.naming.pid;
	r->ropts.include_tid = r->cli.naming.tid;
	r->ropts.annotate_kernel = r->cli.naming.kernel;
	r->ropts.annotate_jit = r->cli.naming.jit;
	r->ropts.include_addrs = r->cli.naming.addrs;
	return GO_ON;
}

/* ---- the loop ---- */

/* The progress line on a terminal: "flame record: what" rewritten in
 * place (fmt NULL: erased once done).  Not a message: it goes away. */
static void progress_line(struct record *r, const char *fmt, ...)
{
	if (!fmt) {
		if (r->progress_shown)
			fputs("\r\033[K", stderr);
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "\r\033[Kflame %s: ", flame_command());
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	r->progress_shown = 1;
}

static void progress(struct record *r, int final)
{
	if (r->cli.quiet || !isatty(2))
		return;
	if (final) {
		progress_line(r, NULL);
		return;
	}
	double now = flame_now();
	if (now < r->next_progress)
		return;
	r->next_progress = now + 1.0;
	const struct flame_record_stats *st = flame_recorder_stats(r->rec);
	if (r->spool) /* threads are counted when the samples are replayed */
		progress_line(r, "%.0f s, %" PRIu64 " samples (%.0f MB of stacks) ", now - r->t_start,
			      flame_spool_samples(r->spool), (double)flame_spool_bytes(r->spool) / 1e6);
	else if (r->scfg.offcpu == FLAME_OFFCPU_ONLY)
		progress_line(r, "%.0f s, %" PRIu64 " off-CPU intervals, %" PRIu64 " thread%s ",
			      now - r->t_start, st->offcpu_intervals, st->threads,
			      st->threads == 1 ? "" : "s");
	else
		progress_line(r, "%.0f s, %" PRIu64 " samples, %" PRIu64 " thread%s ", now - r->t_start,
			      st->samples, st->threads, st->threads == 1 ? "" : "s");
}

static void drain(struct record *r, int final)
{
	if (r->spool)
		flame_sampler_drain(r->sampler, final, flame_spool_add, r->spool);
	else
		flame_sampler_drain(r->sampler, final, flame_recorder_add, r->rec);
}

static void child_exited(struct record *r)
{
	if (r->child <= 0 || r->child_done)
		return;
	int status;
	pid_t p = wait4(r->child, &status, WNOHANG, &r->child_ru);
	if (p == r->child) {
		r->child_status = status;
		r->child_done = 1;
		r->stop = 1;
	}
}

static void on_signal(struct record *r, const struct signalfd_siginfo *si)
{
	if (si->ssi_signo == SIGCHLD) {
		child_exited(r);
		return;
	}
	r->interrupts++;
	if (!r->argv) {
		r->stop = 1; /* attach mode: stop watching, leave the processes alone */
		return;
	}
	/* A signal from the terminal reached the command too; one sent to
	 * flame alone is passed on.  A second Ctrl-C kills a command that
	 * ignores the first. */
	if (si->ssi_code == SI_USER || si->ssi_code == SI_QUEUE || si->ssi_code == SI_TKILL)
		kill(r->child, (int)si->ssi_signo);
	else if (r->interrupts >= 2)
		kill(r->child, SIGKILL);
}

/* Whether pid still runs: an exited process its parent has not reaped yet
 * (a zombie, state Z in /proc/PID/stat) runs no more. */
static int running(pid_t pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
	return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

static int all_gone(struct record *r)
{
	for (size_t i = 0; i < r->nattach; i++)
		if (running(r->attach[i]))
			return 0;
	return 1;
}

static void loop(struct record *r)
{
	size_t ncpu = (size_t)flame_ncpus() + 64;
	int *ringfds = flame_xcalloc(ncpu, sizeof(*ringfds));
	size_t nring = flame_sampler_pollfds(r->sampler, ringfds, ncpu);
	struct pollfd *pfd = flame_xcalloc(nring + 1, sizeof(*pfd));
	pfd[0].fd = r->sfd;
	pfd[0].events = POLLIN;
	for (size_t i = 0; i < nring; i++) {
		pfd[i + 1].fd = ringfds[i];
		pfd[i + 1].events = POLLIN;
	}
	free(ringfds);
	double deadline = r->duration > 0 ? r->t_start + r->duration : 0;
	int deadline_hit = 0;
	double kill_at = 0;
	r->next_progress = r->t_start + 1.0;
	while (!r->stop) {
		int timeout = 250;
		double now = flame_now();
		if (deadline && !deadline_hit) {
			double left = deadline - now;
			if (left <= 0) {
				deadline_hit = 1;
				flame_sampler_disable(r->sampler);
				if (!r->argv)
					break;
				kill(r->child, SIGTERM);
				kill_at = now + 5.0;
			} else if (left * 1000 < timeout) {
				timeout = (int)(left * 1000) + 1;
			}
		}
		if (kill_at && now >= kill_at) {
			kill(r->child, SIGKILL);
			kill_at = 0;
		}
		int n = poll(pfd, nring + 1, timeout);
		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (pfd[0].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(r->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				on_signal(r, &si);
		}
		/* rings that hang up (their task exited) are polled no more */
		for (size_t i = 1; i <= nring; i++)
			if (pfd[i].revents & (POLLHUP | POLLERR))
				pfd[i].fd = -1;
		drain(r, 0);
		if (r->argv)
			child_exited(r);
		else if (all_gone(r))
			r->stop = 1;
		progress(r, 0);
	}
	free(pfd);
	r->t_end = flame_now();
	flame_sampler_disable(r->sampler);
	drain(r, 1);
	progress(r, 1);
}

/* ---- --call-graph dwarf: unwinding after the run ---- */

static void replay_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct record *r = ctx;
	if (r->cli.quiet || !isatty(2))
		return;
	double now = flame_now();
	if (done < total && now < r->next_progress)
		return;
	r->next_progress = now + 0.5;
	if (done < total)
		progress_line(r, "unwinding stacks: %" PRIu64 " of %" PRIu64 " samples (%.0f%%) ", done,
			      total, 100.0 * (double)done / (double)total);
	else
		progress_line(r, NULL);
}

/* The spooled records through the recorder, which unwinds their stacks. */
static int replay(struct record *r, struct flame_error *err)
{
	double t0 = flame_now();
	r->next_progress = t0 + 0.5;
	r->progress_shown = 0;
	int rc = flame_spool_replay(r->spool, flame_recorder_add, r->rec, replay_progress, r, err);
	r->replay_secs = flame_now() - t0;
	flame_spool_free(r->spool);
	r->spool = NULL;
	return rc;
}

/* The file execvp would run for name. */
static int resolve_command(const char *name, char *out, size_t cap)
{
	if (strchr(name, '/')) {
		snprintf(out, cap, "%s", name);
		return 0;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(out, cap, "%.*s%s%s", (int)n, n ? path : ".", "/", name);
		if (access(out, X_OK) == 0)
			return 0;
		path += n + (path[n] == ':');
	}
	return -1;
}

/* --call-graph auto: dwarf when the program (the command, or every
 * process to attach to) looks built without frame pointers; see
 * flame_unwind_elf_uses_fp() for the test. */
static void choose_call_graph(struct record *r)
{
	size_t n = r->argv ? 1 : r->nattach;
	r->call_graph = CG_FP;
	snprintf(r->cg_why, sizeof(r->cg_why), "no program to look at");
	for (size_t i = 0; i < n; i++) {
		char path[4096], shown[4096];
		if (r->argv) {
			if (resolve_command(r->argv[0], path, sizeof(path)) < 0) {
				snprintf(r->cg_why, sizeof(r->cg_why), "%s not found on PATH", r->argv[0]);
				return;
			}
			snprintf(shown, sizeof(shown), "%s", path);
		} else {
			snprintf(path, sizeof(path), "/proc/%d/exe", (int)r->attach[i]);
			ssize_t k = readlink(path, shown, sizeof(shown) - 1);
			if (k <= 0)
				snprintf(shown, sizeof(shown), "%s", path);
			else
				shown[k] = '\0';
		}
		double share;
		size_t nfuncs;
		struct flame_error err = { 0 };
		int fp = flame_unwind_elf_uses_fp(path, &share, &nfuncs, &err);
		if (fp < 0) {
			snprintf(r->cg_why, sizeof(r->cg_why), "%s", err.msg);
			continue;
		}
		if (nfuncs < 4)
			snprintf(r->cg_why, sizeof(r->cg_why), "%s: too few function symbols to tell, "
				 "assuming no frame pointers", shown);
		else
			snprintf(r->cg_why, sizeof(r->cg_why), "%.0f%% of %zu functions in %s set up "
				 "a frame pointer", 100 * share, nfuncs, shown);
		if (!fp) {
			r->call_graph = CG_DWARF;
			return;
		}
	}
}

/* ---- setup ---- */

/* Fail before running anything when the output cannot be written: its
 * directory is missing or not writable. */
static int check_output(const char *path, struct flame_error *err)
{
	if (strcmp(path, "-") == 0)
		return 0;
	char *dir = flame_xstrdup(path);
	char *slash = strrchr(dir, '/');
	const char *d = slash ? (slash == dir ? "/" : (*slash = '\0', dir)) : ".";
	int rc = 0;
	if (access(d, W_OK | X_OK) != 0)
		rc = flame_error_set(err, FLAME_ERR_IO, NULL, 0, "cannot write '%s': %s", path,
				     strerror(errno));
	free(dir);
	return rc;
}

static void raise_nofile(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int block_signals(struct record *r)
{
	/* an inherited SIG_IGN would have the kernel reap the command, and its
	 * exit status would be lost */
	signal(SIGCHLD, SIG_DFL);
	/* A shell starts background jobs with SIGINT (and SIGQUIT) ignored:
	 * 'kill -INT' to flame, passed on to a command that inherited that,
	 * would stop neither.  flame and the command start from the default
	 * dispositions of SIGINT and SIGTERM, as a profiler that handles them
	 * does; an ignored SIGHUP (nohup) stays ignored in the command, which
	 * is then what a hangup passed on to it leaves running. */
	struct sigaction old;
	sigemptyset(&r->ignored);
	if (sigaction(SIGHUP, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		sigaddset(&r->ignored, SIGHUP);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, &r->old_mask) < 0)
		return -1;
	r->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return r->sfd < 0 ? -1 : 0;
}

/* A thread id to its process id (Tgid in /proc/TID/status); -1 if gone. */
static pid_t tgid_of(pid_t tid)
{
	char path[64], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	pid_t tg = -1;
	while (fgets(buf, sizeof(buf), f))
		if (strncmp(buf, "Tgid:", 5) == 0) {
			tg = (pid_t)strtol(buf + 5, NULL, 10);
			break;
		}
	fclose(f);
	return tg;
}

/* Open events on every thread of every process to attach to.  Threads
 * that start while we do this are followed through inherit once their
 * creator is covered; the scan repeats until it finds nothing new. */
static int attach(struct record *r, struct flame_error *err)
{
	pid_t *seen = NULL;
	size_t nseen = 0, cap = 0;
	for (size_t i = 0; i < r->nattach; i++) {
		pid_t tg = tgid_of(r->attach[i]);
		if (tg < 0) {
			free(seen);
			return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0, "no process %d", (int)r->attach[i]);
		}
		r->attach[i] = tg;
	}
	for (int round = 0; round < 8; round++) {
		size_t before = nseen;
		for (size_t i = 0; i < r->nattach; i++) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/task", (int)r->attach[i]);
			DIR *d = opendir(path);
			if (!d)
				continue;
			struct dirent *de;
			while ((de = readdir(d)) != NULL) {
				if (de->d_name[0] < '0' || de->d_name[0] > '9')
					continue;
				pid_t tid = (pid_t)strtol(de->d_name, NULL, 10);
				int known = 0;
				for (size_t k = 0; k < nseen && !known; k++)
					known = seen[k] == tid;
				if (known)
					continue;
				FLAME_GROW(seen, cap, nseen + 1);
				seen[nseen++] = tid;
				int gone = 0;
				if (flame_sampler_open(r->sampler, tid, 0, &gone, err) < 0) {
					closedir(d);
					free(seen);
					return -1;
				}
			}
			closedir(d);
		}
		if (nseen == before)
			break;
	}
	free(seen);
	if (flame_sampler_enable(r->sampler, err) < 0)
		return -1;
	for (size_t i = 0; i < r->nattach; i++)
		flame_symbolizer_sync_proc(flame_recorder_symbolizer(r->rec), (uint32_t)r->attach[i]);
	return 0;
}

/* ---- the in-process sampler (--sampler=preload, auto's fallback) ---- */

/* Start the command held before exec with libflame-preload.so in its
 * environment; flame's own environment is left as it was. */
static int start_preload(struct record *r, struct flame_error *err)
{
	if (flame_inproc_check_command(r->argv[0], err) < 0)
		return -1;
	if (flame_inproc_start(&r->inproc, r->scfg.freq, 0, err) < 0)
		return -1;
	r->inproc_on = 1;
	int rc = flame_launch_prepare(&r->launch, r->argv, &r->old_mask, &r->ignored, err);
	flame_inproc_env_restore(&r->inproc);
	if (rc < 0)
		return -1;
	r->child = r->launch.pid;
	return 0;
}

/* auto: perf_event_open failed; start the command with the in-process
 * sampler instead when it was refused for want of permission and the
 * options allow it.  -1 when not (the caller reports the perf error). */
static int fall_back(struct record *r)
{
	char why[256];
	int e = r->sampler_kind == SAMPLER_AUTO && r->scfg.scope != FLAME_SCOPE_KERNEL &&
			r->scfg.offcpu == FLAME_OFFCPU_NONE &&
			(!r->scfg.event || strcmp(r->scfg.event, "cpu-clock") == 0 ||
			 strcmp(r->scfg.event, "task-clock") == 0)
		? flame_inproc_perf_denied(why, sizeof(why)) : 0;
	if (!e)
		return -1;
	const char *what = e == ENOSYS ? "unavailable" : "denied";
	struct flame_error err = { 0 };
	if (start_preload(r, &err) < 0) {
		cmd_error("perf_event_open %s, and the in-process sampler cannot help: %s", what,
			  err.msg);
		return -1;
	}
	if (!r->cli.quiet)
		cmd_error("perf_event_open %s (%s); sampling in-process with %s instead%s", what, why,
			  FLAME_INPROC_LIB,
			  r->call_graph == CG_DWARF ? " (frame pointers only: --call-graph dwarf needs "
						      "perf_event_open)" : "");
	return 0;
}

/* After the command: its streams into the recorder. */
static void collect_preload(struct record *r)
{
	struct flame_prestream_stats pst;
	struct flame_error err = { 0 };
	if (flame_inproc_collect(&r->inproc, flame_recorder_add, r->rec, &pst, &err) < 0) {
		cmd_error("%s", err.msg);
		return;
	}
	if (pst.bad)
		cmd_warning("%" PRIu64 " sample stream%s cut short; the first: %s", pst.bad,
			    pst.bad == 1 ? "" : "s", pst.first_bad);
	if (pst.replaced && !r->cli.quiet)
		cmd_note("%" PRIu64 " process%s installed a SIGPROF handler of its own with a raw system "
			 "call, which stopped in-process sampling there", pst.replaced,
			 pst.replaced == 1 ? "" : "es");
	if (!pst.streams)
		cmd_error("%s never loaded %s (a statically linked or set-user-ID program, or one that "
			  "clears LD_PRELOAD)", r->argv[0], FLAME_INPROC_LIB);
	/* CPU-time timers fire at the kernel's tick at most: say so when -F asked for more */
	const struct flame_record_stats *st = flame_recorder_stats(r->rec);
	double cpu = (double)flame_profile_total(&r->prof, 0) / 1e9;
	double rate = cpu > 0 ? (double)st->samples / cpu : 0;
	if (!r->cli.quiet && st->samples >= 50 && rate < 0.7 * (double)r->scfg.freq)
		cmd_note("%.0f samples per second of CPU time, not %" PRIu64 ": the kernel checks CPU-time "
			 "timers at its clock tick; each sample weighs the time it stands for", rate,
			 r->scfg.freq);
}


/* ---- output ---- */

static int write_svg(struct record *r, struct flame_error *err)
{
	struct flame_render_opts o = r->cli.svg;
	struct flame_render_step *steps = NULL;
	const struct flame_timeline *tl = r->prof.timeline;
	if (!o.count_name)
		o.count_name = r->prof.unit == FLAME_UNIT_NANOSECONDS ? "ns" : flame_sampler_event(r->sampler);
	if (r->scfg.offcpu == FLAME_OFFCPU_ONLY) {
		/* blue, as off-CPU flame graphs are drawn */
		if (!r->cli.palette_set)
			o.palette = FLAME_PALETTE_IO;
		if (!o.title && !o.inverted)
			o.title = "Off-CPU Time Flame Graph";
	} else if (r->scfg.offcpu == FLAME_OFFCPU_ALSO && !o.title && !o.inverted) {
		o.title = "Wall-Clock Time Flame Graph";
	}
	if (o.flamechart && tl) {
		/* x is time: the samples in the order they were taken */
		steps = flame_xcalloc(tl->nsamples + 1, sizeof(*steps));
		for (size_t i = 0; i < tl->nsamples; i++)
			steps[i] = (struct flame_render_step){ tl->samples[i].leaf, { tl->samples[i].weight, 0 } };
		o.order = steps;
		o.norder = tl->nsamples;
	}
	struct flame_output *out;
	int rc = flame_output_open(&out, r->cli.output, err);
	if (rc == 0) {
		if (flame_format_write(&flame_format_svg, &r->prof, &o, out, err) < 0) {
			flame_output_abort(out);
			rc = -1;
		} else {
			rc = flame_output_commit(out, err);
		}
	}
	free(steps);
	/* --cp: the palette file grows with the names this graph added */
	if (rc == 0)
		rc = flame_cli_svg_save(&r->cli, err);
	return rc;
}

/* Any other writer of formats/ (speedscope, Chrome trace, ...): those that
 * show time read the profile's timeline. */
static int write_format(struct record *r, struct flame_error *err)
{
	struct flame_output *out;
	if (flame_output_open(&out, r->cli.output, err) < 0)
		return -1;
	if (flame_format_write(r->writer, &r->prof, NULL, out, err) < 0) {
		flame_output_abort(out);
		return -1;
	}
	return flame_output_commit(out, err);
}

static int write_output(struct record *r, struct flame_error *err)
{
	/* weights are periods: CPU nanoseconds for the clocks, else events */
	const char *ev = flame_sampler_event(r->sampler);
	r->prof.unit = r->inproc_on || strcmp(ev, "cpu-clock") == 0 || strcmp(ev, "task-clock") == 0 ||
			       r->scfg.offcpu != FLAME_OFFCPU_NONE
			       ? FLAME_UNIT_NANOSECONDS
			       : FLAME_UNIT_EVENTS;
	if (r->out == OUT_FOLDED)
		return flame_write_folded(&r->prof, r->cli.output, err);
	if (r->out == OUT_WRITER)
		return write_format(r, err);
	return write_svg(r, err);
}

/* ---- the summary on stderr ---- */

/* One line of the summary, built in b: "flame record: <b>" (warnings and
 * notes carry their word in b's own call); b is emptied. */
static void summary_line(struct flame_buf *b)
{
	cmd_error("%s", b->data ? b->data : "");
	flame_buf_reset(b);
}

static double pct(uint64_t a, uint64_t b)
{
	return b ? 100.0 * (double)a / (double)b : 0.0;
}

static int dso_cmp(const void *a, const void *b)
{
	const struct flame_dso *x = *(struct flame_dso *const *)a, *y = *(struct flame_dso *const *)b;
	return x->samples < y->samples ? 1 : x->samples > y->samples ? -1 : 0;
}

/* "wrote FILE: N samples (...) from T threads in P processes" */
static void wrote_summary(struct record *r, const struct flame_record_stats *st, struct flame_buf *b)
{
	const char *out = strcmp(r->cli.output, "-") == 0 ? "standard output" : r->cli.output;
	double secs = r->t_end - r->t_start;
	if (r->scfg.offcpu == FLAME_OFFCPU_ONLY)
		flame_buf_addf(b, "wrote %s: %" PRIu64 " off-CPU intervals (sched:sched_switch, %.2f s)",
			       out, st->offcpu_intervals, secs);
	else
		flame_buf_addf(b, "wrote %s: %" PRIu64 " samples (%s at %" PRIu64 " Hz, %.2f s)", out,
			       st->samples,
			       r->inproc_on ? "in-process CPU timers" : flame_sampler_event(r->sampler),
			       r->scfg.freq, secs);
	flame_buf_addf(b, " from %" PRIu64 " thread%s in %" PRIu64 " process%s", st->threads,
		       st->threads == 1 ? "" : "s", st->processes, st->processes == 1 ? "" : "es");
	summary_line(b);
}

/* Off-CPU totals: time, how much of it waiting for a CPU, what was lost. */
static void offcpu_summary(struct record *r, const struct flame_record_stats *st, struct flame_buf *b)
{
	flame_buf_addf(b, "off-CPU: %.3f s in %" PRIu64 " interval%s, %" PRIu64
		       " of them preempted (runnable, waiting for a CPU)", (double)st->offcpu_ns / 1e9,
		       st->offcpu_intervals, st->offcpu_intervals == 1 ? "" : "s", st->offcpu_preempted);
	if (r->scfg.offcpu == FLAME_OFFCPU_ALSO)
		flame_buf_adds(b, "; off-CPU frames end in _[o]");
	summary_line(b);
	if (st->offcpu_unmatched)
		cmd_warning("%" PRIu64 " off-CPU stacks were dropped: the record of their thread's return "
			    "to a CPU was lost (ring buffers full); use a larger --mmap-pages",
			    st->offcpu_unmatched);
}

/* Samples lost, stacks cut: by the ring buffers, the kernel's limits. */
static void lost_summary(struct record *r, const struct flame_record_stats *st, struct flame_buf *b)
{
	flame_buf_addf(b, "lost %" PRIu64 " sample%s", st->lost, st->lost == 1 ? "" : "s");
	if (st->user_stacks)
		flame_buf_addf(b, "; %.1f%% of stacks look truncated", pct(st->truncated, st->user_stacks));
	flame_buf_addf(b, "; %.1f%% of frames [unknown]", pct(st->unknown, st->frames));
	summary_line(b);
	if (st->lost && r->inproc_on)
		cmd_warning("%" PRIu64 " samples were dropped (the in-process buffer was full); use a "
			    "lower -F", st->lost);
	else if (st->lost)
		cmd_warning("the kernel dropped %" PRIu64 " samples (ring buffers full); use a larger "
			    "--mmap-pages or a lower -F", st->lost);
	if (st->throttled)
		cmd_note("the kernel throttled sampling %" PRIu64 " times "
			 "(kernel.perf_event_max_sample_rate); lower -F", st->throttled);
	if (st->max_depth)
		cmd_note("%" PRIu64 " stacks were deeper than kernel.perf_event_max_stack and were cut; "
			 "raise it with 'sudo sysctl kernel.perf_event_max_stack=1024'", st->max_depth);
}

/* How user stacks were found: the call-graph choice, DWARF unwinding. */
static void unwind_summary(struct record *r, const struct flame_record_stats *st)
{
	if (r->cg_why[0])
		cmd_error("--call-graph auto chose %s: %s", r->call_graph == CG_DWARF ? "dwarf" : "fp",
			  r->cg_why);
	if (!st->dwarf_stacks) {
		if (st->user_stacks && pct(st->truncated, st->user_stacks) >= 10.0)
			cmd_note("truncated stacks usually mean code built without frame pointers; rebuild "
				 "with -fno-omit-frame-pointer (Rust: -C force-frame-pointers=yes), or record "
				 "with --call-graph dwarf");
		return;
	}
	cmd_error("%.1f%% of stacks fully unwound (DWARF, %u-byte stack copies); cut: %.1f%% at the "
		  "end of the stack copy, %.1f%% without CFI; %" PRIu64 " stacks unwound in %.3f s",
		  pct(st->dwarf_full, st->dwarf_stacks), r->stack_bytes,
		  pct(st->dwarf_cut_stack, st->dwarf_stacks), pct(st->dwarf_cut_cfi, st->dwarf_stacks),
		  st->dwarf_stacks, r->replay_secs);
	uint32_t more = r->stack_bytes * 4 < FLAME_SAMPLER_STACK_MAX ? r->stack_bytes * 4
								   : FLAME_SAMPLER_STACK_MAX;
	if (pct(st->dwarf_cut_stack, st->dwarf_stacks) >= 5.0 && r->stack_bytes < more)
		cmd_note("stacks deeper than the %u bytes copied were cut; copy more with --call-graph "
			 "dwarf,%u (bigger samples, more to write)", r->stack_bytes, more);
}

/* "DSO: why (N% of samples); install PKG" for a binary some of whose
 * frames could not be named. */
static void dso_summary(struct record *r, const struct flame_dso *d, uint64_t samples,
			struct flame_buf *b)
{
	flame_buf_addf(b, "%s: %s (%.1f%% of samples)", d->path,
		       d->jit ? "JIT map lacks some addresses" : d->why, pct(d->samples, samples));
	char *pkg = d->path[0] == '/' && !d->jit ? flame_symbolizer_debug_package(d->path) : NULL;
	if (pkg)
		flame_buf_addf(b, "; install %s", pkg);
	else if (d->build_id[0])
		flame_buf_addf(b, "; its debug file would be %s/.build-id/%.2s/%s.debug",
			       r->ropts.debug_dir ? r->ropts.debug_dir : "/usr/lib/debug", d->build_id,
			       d->build_id + 2);
	free(pkg);
	summary_line(b);
}

/* Symbols: the kernel's, binaries whose frames could not all be named. */
static void symbols_summary(struct record *r, const struct flame_record_stats *st, struct flame_buf *b)
{
	struct flame_symbolizer *sym = flame_recorder_symbolizer(r->rec);
	const char *why;
	if (st->kernel_frames && !flame_symbolizer_kernel_ok(sym, &why))
		cmd_note("kernel frames are [unknown]: %s", why);
	struct flame_dso **all;
	size_t n = flame_symbolizer_dsos(sym, &all);
	struct flame_dso **bad = flame_xcalloc(n + 1, sizeof(*bad));
	size_t nbad = 0;
	for (size_t i = 0; i < n; i++) {
		struct flame_dso *d = all[i];
		if (d->kernel || !d->samples || !d->unknown)
			continue;
		if (d->src == FLAME_SYMSRC_NONE || d->src == FLAME_SYMSRC_DYNSYM || d->jit)
			bad[nbad++] = d;
	}
	qsort(bad, nbad, sizeof(*bad), dso_cmp);
	for (size_t i = 0; i < nbad && i < 5; i++)
		dso_summary(r, bad[i], st->samples, b);
	if (nbad > 5)
		cmd_error("... and %zu more binaries without full symbols", nbad - 5);
	free(bad);
	flame_note_no_dwarf("record", all, n);
}

static void summary(struct record *r)
{
	const struct flame_record_stats *st = flame_recorder_stats(r->rec);
	struct flame_buf b = FLAME_BUF_INIT;
	wrote_summary(r, st, &b);
	if (r->scfg.offcpu != FLAME_OFFCPU_NONE)
		offcpu_summary(r, st, &b);
	lost_summary(r, st, &b);
	unwind_summary(r, st);
	symbols_summary(r, st, &b);
	flame_buf_release(&b);
}

/* ---- the steps of cmd_record ---- */

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void describe_end(struct record *r)
{
	if (r->cli.quiet || !r->argv || !r->child_done)
		return;
	if (WIFSIGNALED(r->child_status))
		cmd_error("%s was killed by signal %d (%s)", r->argv[0], WTERMSIG(r->child_status),
			  strsignal(WTERMSIG(r->child_status)));
}

/* --call-graph dwarf: each sample carries its copy of the stack, its
 * registers and its callchain.  A ring buffer that cannot hold two of
 * them loses nearly every sample, so such an -m is refused up front. */
static int check_ring_fits(struct record *r)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t ring = (uint64_t)r->scfg.mmap_pages * (uint64_t)(page > 0 ? page : 4096);
	/* header, ids, times, period, registers, the callchain's frames */
	uint64_t sample = (uint64_t)r->stack_bytes + 2048;
	if (sample > 65535)
		sample = 65535; /* a record's size is 16 bits; the kernel trims the stack to fit */
	if (ring >= 2 * sample)
		return 0;
	unsigned need = r->scfg.mmap_pages;
	while ((uint64_t)need * (uint64_t)(page > 0 ? page : 4096) < 2 * sample)
		need *= 2;
	return flame_usage_error("record", "--call-graph dwarf,%u makes samples of about %" PRIu64
				 " KiB, too big for ring buffers of --mmap-pages %u (%" PRIu64 " KiB): "
				 "nearly every sample would be lost; use -m %u or more, or a smaller "
				 "stack size", r->stack_bytes, (sample + 1023) / 1024, r->scfg.mmap_pages,
				 ring / 1024, need);
}

/* Before anything runs: the output can be written, signals come through
 * the signalfd, the call graph is chosen, the sampler is configured. */
static int set_up(struct record *r, struct flame_error *err)
{
	if (check_output(r->cli.output, err) < 0)
		return flame_report_error(err);
	/* --nameattr and the --cp palette file: read now, not after the run */
	if (r->out == OUT_SVG && flame_cli_svg_load(&r->cli, err) < 0)
		return flame_report_error(err);
	raise_nofile();
	if (block_signals(r) < 0) {
		cmd_error("cannot set up signal handling: %s", strerror(errno));
		return EXIT_DATA;
	}
	if (r->call_graph == CG_AUTO)
		choose_call_graph(r);
	if (r->call_graph == CG_DWARF) {
		if (r->scfg.scope == FLAME_SCOPE_KERNEL)
			return flame_usage_error("record", "--call-graph dwarf unwinds user stacks: it does "
						 "not go with --kernel-only");
		r->scfg.stack_user = r->stack_bytes;
		if (!r->scfg.mmap_pages)
			r->scfg.mmap_pages = 512; /* samples are kilobytes each */
		if (check_ring_fits(r) != 0)
			return EXIT_USAGE;
		if (flame_spool_open(&r->spool, err) < 0)
			return flame_report_error(err);
	}
	if (r->scfg.offcpu != FLAME_OFFCPU_NONE &&
	    flame_tracefs_event_id("sched", "sched_switch", &r->scfg.offcpu_tracepoint, err) < 0)
		return flame_report_error(err);
	r->sampler = flame_sampler_new(&r->scfg);
	return GO_ON;
}

/* The sampler's notes ("cycles: not counted here, cpu-clock instead"). */
static void sampler_notes(struct record *r)
{
	const char *p = flame_sampler_notes(r->sampler);
	if (r->cli.quiet)
		return;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		cmd_note("%.*s", (int)n, p);
		p += n + (e != NULL);
	}
}

/* Events open on the command, held before exec (or on the processes of
 * -p), and the recorder ready for their records. */
static int start(struct record *r, struct flame_error *err)
{
	if (r->argv && r->sampler_kind == SAMPLER_PRELOAD) {
		if (start_preload(r, err) < 0)
			return flame_report_error(err);
	} else if (r->argv) {
		/* fork before any thread starts; events are opened on the held child */
		if (flame_launch_prepare(&r->launch, r->argv, &r->old_mask, &r->ignored, err) < 0)
			return flame_report_error(err);
		r->child = r->launch.pid;
		if (flame_sampler_open(r->sampler, r->child, 1, NULL, err) < 0) {
			flame_launch_cancel(&r->launch);
			r->child = -1;
			if (fall_back(r) < 0)
				return flame_report_error(err);
		}
	}
	r->ropts.kernel = r->scfg.scope != FLAME_SCOPE_USER;
	if (r->argv)
		r->ropts.kernel = !r->inproc_on && flame_sampler_has_kernel(r->sampler);
	r->rec = flame_recorder_new(&r->prof, &r->ropts);
	if (!r->argv && attach(r, err) < 0)
		return flame_report_error(err);
	sampler_notes(r);
	return GO_ON;
}

/* Let the command go and sample until it ends (or -d, Ctrl-C, the
 * processes of -p exit). */
static int run(struct record *r, struct flame_error *err)
{
	r->t_start = flame_now();
	if (r->argv) {
		int code;
		if (flame_launch_go(&r->launch, &code, err) < 0) {
			cmd_error("%s", err->msg);
			r->child = -1;
			return code;
		}
	}
	loop(r);
	if (r->inproc_on)
		collect_preload(r);
	describe_end(r);
	return GO_ON;
}

/* After the run: spooled stacks unwound (--call-graph dwarf), threads
 * still off a CPU charged until the end, the timeline's window set. */
static int unwind(struct record *r, struct flame_error *err)
{
	if (r->spool && replay(r, err) < 0)
		return flame_report_error(err);
	flame_recorder_finish(r->rec, (uint64_t)(r->t_end * 1e9));
	if (r->prof.timeline) {
		/* the recorded window, on the samples' clock (CLOCK_MONOTONIC) */
		r->prof.timeline->start = (uint64_t)(r->t_start * 1e9);
		r->prof.timeline->end = (uint64_t)(r->t_end * 1e9);
	}
	return GO_ON;
}

/* Why nothing was sampled, and what could catch it, by what was used:
 * samples lost, a run too short, a command that waited more than it ran
 * (the clock events count only time on a CPU), the in-process sampler. */
static void no_samples_advice(struct record *r, const struct flame_record_stats *st,
			      const char *what, double secs, struct flame_buf *b)
{
	const char *ev = r->inproc_on ? "the in-process sampler" : flame_sampler_event(r->sampler);
	int clock = r->inproc_on || strcmp(ev, "cpu-clock") == 0 || strcmp(ev, "task-clock") == 0;
	double cpu = -1;
	if (r->argv && r->child_done)
		cpu = (double)r->child_ru.ru_utime.tv_sec + r->child_ru.ru_utime.tv_usec / 1e6 +
		      (double)r->child_ru.ru_stime.tv_sec + r->child_ru.ru_stime.tv_usec / 1e6;
	if (st->lost && r->inproc_on) {
		flame_buf_addf(b, "all %" PRIu64 " sample%s were lost (the in-process buffer was full); "
			       "use a lower -F", st->lost, st->lost == 1 ? "" : "s");
		return;
	}
	if (st->lost) {
		flame_buf_addf(b, "all %" PRIu64 " sample%s were lost (ring buffers full); use a larger "
			       "--mmap-pages or a lower -F", st->lost, st->lost == 1 ? "" : "s");
		if (r->call_graph == CG_DWARF)
			flame_buf_addf(b, ", or a smaller stack than dwarf,%u", r->stack_bytes);
		return;
	}
	if (secs < 0.05) {
		flame_buf_addf(b, "%s ran for %.0f ms, too short to be sampled at %" PRIu64 " Hz; "
			       "raise -F or make it run longer", what, 1000 * secs, r->scfg.freq);
		return;
	}
	if (cpu >= 0)
		flame_buf_addf(b, "%s used %.0f ms of CPU in %.2f s", what, 1000 * cpu, secs);
	else
		flame_buf_adds(b, "it used almost no CPU");
	if (r->inproc_on) {
		flame_buf_adds(b, ", and the in-process sampler counts only CPU time; ");
		if (r->sampler_kind == SAMPLER_PRELOAD)
			flame_buf_adds(b, "try --sampler=perf with --wall to see where it waited");
		else
			flame_buf_adds(b, "try a busier run (--wall and --off-cpu need perf_event_open)");
		return;
	}
	flame_buf_addf(b, ", and %s counts only time on a CPU; ", ev);
	if (cpu >= 0 && cpu < secs / 2 && r->scfg.offcpu == FLAME_OFFCPU_NONE)
		flame_buf_adds(b, "it spent most of its time off a CPU: try --wall (time on and off "
			       "a CPU) or --off-cpu (time off a CPU)");
	else if (clock)
		flame_buf_adds(b, "raise -F or try a busier run");
	else
		flame_buf_adds(b, "try -e task-clock or a busier run");
}

/* GO_ON when there is something to write; else why not, and cmd_rc: the
 * command's exit status when it ran and exited, else EXIT_DATA when it
 * succeeded. */
static int check_recorded(struct record *r, int cmd_rc)
{
	const struct flame_record_stats *st = flame_recorder_stats(r->rec);
	const char *what = r->argv ? r->argv[0] : "the process";
	double secs = r->t_end - r->t_start;
	int rc = r->argv && r->child_done ? cmd_rc : cmd_rc ? cmd_rc : EXIT_DATA;
	if (r->scfg.offcpu == FLAME_OFFCPU_ONLY && st->offcpu_intervals == 0) {
		cmd_error("no off-CPU time recorded, so no %s written: %s never left a CPU while recorded",
			  r->cli.output, what);
		return rc;
	}
	if (st->samples || st->offcpu_intervals)
		return GO_ON;
	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_addf(&b, "no samples recorded, so no %s written: ", r->cli.output);
	no_samples_advice(r, st, what, secs, &b);
	summary_line(&b);
	flame_buf_release(&b);
	return rc;
}

/* Sample, unwind, write, summarise; the exit code (the command's). */
static int record_profile(struct record *r)
{
	struct flame_error err = { 0 };
	int rc = set_up(r, &err);
	if (rc == GO_ON)
		rc = start(r, &err);
	if (rc == GO_ON)
		rc = run(r, &err);
	if (rc == GO_ON)
		rc = unwind(r, &err);
	if (rc != GO_ON)
		return rc;
	int cmd_rc = r->argv ? (r->child_done ? exit_status(r->child_status) : 1) : EXIT_OK;
	rc = check_recorded(r, cmd_rc);
	if (rc != GO_ON)
		return rc;
	if (write_output(r, &err) < 0) {
		flame_report_error(&err);
		return cmd_rc ? cmd_rc : EXIT_DATA;
	}
	if (!r->cli.quiet)
		summary(r);
	return cmd_rc;
}

static void record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
	flame_cli_init(&r->cli, "record");
	r->cli.svg.count_name = NULL; /* by the event, once known */
	r->sfd = -1;
	r->child = -1;
	r->scfg.freq = 997;
	r->ropts.demangle = 1;
	r->ropts.timeline = 1;
	flame_profile_init(&r->prof);
}

static void record_release(struct record *r)
{
	if (r->child > 0 && !r->child_done) {
		/* flame is giving up while the command runs: do not leave it behind */
		kill(r->child, SIGKILL);
		waitpid(r->child, NULL, 0);
	}
	flame_spool_free(r->spool);
	flame_recorder_free(r->rec);
	flame_sampler_free(r->sampler);
	if (r->inproc_on)
		flame_inproc_end(&r->inproc);
	flame_profile_release(&r->prof);
	if (r->sfd >= 0)
		close(r->sfd);
	/* signals stay blocked: one arriving now must not kill flame before it exits */
	flame_cli_release(&r->cli);
	free(r->attach);
}

int cmd_record(int argc, char **argv)
{
	struct record r;
	record_init(&r);
	int rc = flame_options_parse(&usage, argc, argv, option, &r);
	if (rc == FLAME_OPTS_GO_ON)
		rc = check_options(&r, argc, argv);
	if (rc == GO_ON)
		rc = record_profile(&r);
	record_release(&r);
	return rc;
}
