/*
 * fuzz_dtrace.c - the DTrace aggregation reader, format forced.
 *
 * Input: option byte (bit 0: --includeoffset), chunking byte (see
 * fuzz_common.h), then dtrace output.
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
	o.include_offset = opt & 1;
	fuzz_check(&flame_format_dtrace, &o, chunking, rest, nrest);
	return 0;
}
