#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "../formats/format.h"
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
			       "List the formats flame reads (r) and writes (w), with their aliases.\n");
			return EXIT_OK;
		}
		return flame_usage_error("formats", "unknown option");
	}
	if (optind < argc)
		return flame_usage_error("formats", "unexpected argument '%s'", argv[optind]);
	printf("%-10s %-3s %-30s %s\n", "NAME", "RW", "ALIASES", "DESCRIPTION");
	for (int i = 0; flame_formats[i]; i++) {
		const struct flame_format *f = flame_formats[i];
		printf("%-10s %c%c  %-30s %s\n", f->name, f->parse ? 'r' : '-', f->write ? 'w' : '-',
		       f->aliases[0] ? f->aliases : "-", f->summary);
	}
	return EXIT_OK;
}
