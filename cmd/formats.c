#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int cmd_formats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			printf("usage: flame formats\n\n"
			       "List the formats flame reads and writes: their names (for --from\n"
			       "and --to), the -o suffixes that choose a writer, whether the writer\n"
			       "shows time and threads, and other names they answer to.\n");
			return EXIT_OK;
		}
		return flame_usage_error("formats", "unknown option");
	}
	if (optind < argc)
		return flame_usage_error("formats", "unexpected argument '%s'", argv[optind]);
	flame_list_formats();
	return EXIT_OK;
}
