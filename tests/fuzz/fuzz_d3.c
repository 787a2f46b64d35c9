/*
 * fuzz_d3.c - the d3 JSON reader, format forced.
 *
 * Input: option byte (bit 0: keep a timeline), chunking byte (see
 * fuzz_common.h), then the JSON text.
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
	o.want_timeline = opt & 1;
	fuzz_check(&flame_format_d3, &o, chunking, rest, nrest);
	return 0;
}
