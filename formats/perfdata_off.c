/*
 * perfdata_off.c - the perf-data format in a flame built with
 * -DFLAME_WITH_RECORD=OFF: perf.data files are still recognized (by their
 * magic, or named with -f perf-data), and reading one fails with a message
 * saying so instead of "unrecognized input format".  formats/perfdata.c
 * (which needs libelf and core/record) is the real one.
 */
#include <stdlib.h>
#include <string.h>

#include "format.h"

#define NOT_BUILT_IN "perf.data reading is not built in (this flame was built with " \
		     "-DFLAME_WITH_RECORD=OFF)"

static void *pd_new(struct flame_parse_ctx *ctx)
{
	return ctx;
}

static void pd_free(void *parser)
{
}

static int pd_parse(void *parser, const char *buf, size_t len, int file_start, int file_end)
{
	return flame_parse_fail(parser, 0, "%s", NOT_BUILT_IN);
}

/* "PERFILE2" in either byte order, as formats/perfdata.c probes */
static enum flame_probe pd_probe(const char *buf, size_t len, int eof)
{
	if (len < 8)
		return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
	return memcmp(buf, "PERFILE2", 8) == 0 || memcmp(buf, "2ELIFREP", 8) == 0 ? FLAME_PROBE_YES
										     : FLAME_PROBE_NO;
}

const struct flame_format flame_format_perfdata = {
	.name = "perf-data",
	.aliases = "perfdata perf.data",
	.summary = "perf record's binary perf.data (not built in: -DFLAME_WITH_RECORD=OFF)",
	.probe = pd_probe,
	.parser_new = pd_new,
	.parse = pd_parse,
	.parser_free = pd_free,
	.streaming = 1,
	.whole_input = 1,
};
