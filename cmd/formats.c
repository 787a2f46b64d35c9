/*
 * formats.c - flame formats: the format registry as a table.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd.h"
#include "options.h"

static const struct flame_option options[] = {
	FLAME_OPT_END,
};

static const struct flame_usage usage = {
	.cmd = "formats",
	.synopsis = "usage: flame formats\n",
	.about = "List the formats flame reads and writes: their names (for --from\n"
		 "and --to), the -o suffixes that choose a writer, whether the writer\n"
		 "shows time and threads, and other names they answer to.\n",
	.options = options,
	.epilog = "See 'man flame-formats' for what each column means.\n",
};

static int option(void *ctx, int id, const char *arg)
{
	(void)ctx;
	(void)id;
	(void)arg;
	return EXIT_USAGE; /* the table has no options of its own */
}

int cmd_formats(int argc, char **argv)
{
	int rc = flame_options_parse(&usage, argc, argv, option, NULL);
	if (rc != FLAME_OPTS_GO_ON)
		return rc;
	if (optind < argc)
		return flame_usage_error("formats", "unexpected argument '%s'", argv[optind]);
	flame_list_formats();
	return EXIT_OK;
}
