/*
 * fuzz_perf.c - the perf script reader, format forced.
 *
 * Input: option byte (see fuzz_perf_opts() in fuzz_common.h), chunking
 * byte (see fuzz_common.h), then perf script text.
 */
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt, chunking;
	const uint8_t *rest;
	size_t nrest;
	fuzz_split(data, size, &opt, &chunking, &rest, &nrest);

	struct flame_read_opts o;
	memset(&o, 0, sizeof(o));
	fuzz_perf_opts(opt, &o);
	fuzz_check(&flame_format_perf, &o, chunking, rest, nrest);
	return 0;
}
