/*
 * flame.c - the command table and the dispatcher.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../render/svgformat.h"
#include "../core/io.h"
#include "../core/util.h"
#include "cmd.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv); /* NULL: planned, not built yet */
	const char *summary;
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "collapse", cmd_collapse, "fold perf script or dtrace output into folded stacks" },
	{ "render", cmd_render, "draw an interactive SVG flame graph, or text views" },
	{ "record", cmd_record, "sample a program with perf_event_open and write a profile" },
	{ "filter", cmd_filter, "keep, drop and rewrite stacks and frames with regexes" },
	{ "diff", cmd_diff, "compare two profiles" },
	{ "convert", cmd_convert, "translate between profile formats" },
	{ "formats", cmd_formats, "list the formats flame reads and writes" },
	{ "help", cmd_help, "show help for flame or for a command" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: flame [--version] [--help] <command> [<args>]\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "   %-10s %s%s\n", commands[i].name, commands[i].summary,
			commands[i].fn ? "" : " (not built yet)");
	fprintf(f, "\nRun 'flame <command> --help' for a command's options, "
		   "or 'man flame-<command>'.\n");
}

static const struct command *find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown(const char *name)
{
	fprintf(stderr, "flame: '%s' is not a flame command. See 'flame --help'.\n", name);
	const struct command *best = NULL;
	size_t bd = 99;
	for (size_t i = 0; i < NCOMMANDS; i++) {
		size_t d = flame_edit_distance(name, commands[i].name);
		if (strncmp(name, commands[i].name, strlen(name)) == 0 && strlen(name) >= 2)
			d = 1;
		if (d < bd) {
			bd = d;
			best = &commands[i];
		}
	}
	if (best && bd <= 2)
		fprintf(stderr, "\nThe most similar command is\n\t%s\n", best->name);
	return EXIT_USAGE;
}

static int not_built(const struct command *c)
{
	fprintf(stderr, "flame %s: not built yet in this version of flame (%s)\n", c->name, FLAME_VERSION);
	return EXIT_USAGE;
}

static int run(const struct command *c, int argc, char **argv)
{
	if (!c->fn)
		return not_built(c);
	flame_set_command(c->name);
	int rc = c->fn(argc, argv);
	/* Like git: a failed flush of stdout (full disk, closed pipe) is an error. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cmd_error("write error on standard output");
		return EXIT_DATA;
	}
	return rc;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	const struct command *c = find(argv[1]);
	if (!c)
		return unknown(argv[1]);
	if (!c->fn)
		return not_built(c);
	char *args[] = { argv[1], (char *)"--help", NULL };
	return c->fn(2, args);
}

/* The library aborts on running out of memory; this says so first. */
static void out_of_memory(size_t n)
{
	if (n)
		cmd_error("out of memory allocating %zu bytes", n);
	else
		cmd_error("out of memory");
}

/* Started with standard input, output or error closed (2>&-), the next
 * file opened would take its number, and messages meant for the terminal
 * would land in an output file.  Each closed one gets /dev/null opened the
 * wrong way round, so that using it still fails as it did. */
static void open_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* the lowest free number: fd itself, the ones below are open */
		if (open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) < 0)
			return;
	}
}

/* A fatal signal removes the temporary output files first, then kills
 * flame as it would have. */
static void on_fatal_signal(int sig)
{
	flame_output_remove_temps();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void catch_fatal_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa, old;
		/* one ignored by whoever started flame (nohup, a background job) stays so */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

int main(int argc, char **argv)
{
	open_std_fds();
	catch_fatal_signals();
	/* A closed pipe shows up as EPIPE on write and is reported, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	flame_set_oom_handler(out_of_memory);
	/* writers above formats/ join the registry before any command runs */
	flame_render_register_formats();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("flame %s\n", FLAME_VERSION);
		return EXIT_OK;
	}
	if (name[0] == '-') {
		fprintf(stderr, "flame: unknown option '%s'\n", name);
		usage(stderr);
		return EXIT_USAGE;
	}
	const struct command *c = find(name);
	if (!c)
		return unknown(name);
	return run(c, argc - 1, argv + 1);
}
