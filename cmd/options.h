/*
 * options.h - command-line options declared once, in tables, over getopt_long.
 *
 * A command describes its options in a table of struct flame_option:
 * headings, its own options, and shared groups spliced in with
 * FLAME_OPT_INCLUDE (the SVG options, the perf-script naming options, the
 * input and output options).  The same table drives parsing and --help,
 * so help text of a shared option is written once.
 *
 * flame_options_parse() walks argv with getopt_long and calls the
 * command's handler once per option, in command-line order, with the
 * option's id and its value (NULL for a flag).  It answers -h/--help and
 * -V/--version itself, and reports a missing value or an unknown option
 * (with "the most similar option is" when one is close, as for commands).
 *
 * When two rows share a long name (a command's own row and a spliced
 * group's), the first in table order wins and the other is left out: list
 * a command's own spelling of a shared option before the splice.
 *
 * Ids: the handler's key.  Any int but 0; values from 256 up are free for
 * a command's own enum, the shared groups use FLAME_OPT_SHARED and up.
 */
#ifndef FLAME_OPTIONS_H
#define FLAME_OPTIONS_H

#include <stdio.h>

struct flame_option {
	const char *name;  /* long name without "--"; NULL: a heading (help) or a splice */
	int short_name;    /* 'o' for -o, or 0 */
	int id;            /* what the handler receives */
	const char *arg;   /* the value's name in help ("FILE"); NULL: a flag */
	const char *help;  /* help text, '\n' between lines; NULL: not listed (an alias) */
	const struct flame_option *include; /* a group spliced in here */
};

#define FLAME_OPT_HEADING(text) { .help = (text) }
#define FLAME_OPT_INCLUDE(group) { .include = (group) }
#define FLAME_OPT_END { .name = NULL }

/* What --help prints, around the option table. */
struct flame_usage {
	const char *cmd;      /* "render": messages say "flame render: ..." */
	const char *synopsis; /* "usage: flame render [options] [FILE...]\n" (any lines) */
	const char *about;    /* the paragraphs after it, or NULL */
	const struct flame_option *options;
	const char *epilog;   /* examples and pointers, after the options, or NULL */
	int stop_at_operand;  /* options end at the first operand (record: COMMAND's own
			       * options follow it); else options and operands mix */
};

/* Called once per option: 0 to go on, else the exit code to leave with
 * (the handler has printed why). */
typedef int (*flame_option_fn)(void *ctx, int id, const char *arg);

/* Returned by flame_options_parse when the command should go on. */
#define FLAME_OPTS_GO_ON (-1)

/* Parse the options of argv[1..] (optind then points at the first operand;
 * with stop_at_operand, at the first non-option, the rest left unread).
 * Returns FLAME_OPTS_GO_ON, or the exit code: EXIT_OK after --help or
 * --version, EXIT_USAGE after a message, or the handler's code. */
int flame_options_parse(const struct flame_usage *u, int argc, char **argv, flame_option_fn fn,
			void *ctx);

/* The whole help text of u. */
void flame_options_help(const struct flame_usage *u, FILE *f);

#endif
