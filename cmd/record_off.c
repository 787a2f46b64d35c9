/*
 * record_off.c - flame record in a flame built with -DFLAME_WITH_RECORD=OFF
 * (without core/record, libelf, libdw and libiberty): one line saying so,
 * exit status 1 (a missing feature, not a usage error).  cmd/record.c is
 * the real command.
 */
#include <stdio.h>

#include "cmd.h"

int cmd_record(int argc, char **argv)
{
	fprintf(stderr, "flame record: not built in (this flame was built with "
			"-DFLAME_WITH_RECORD=OFF)\n");
	return EXIT_DATA;
}
