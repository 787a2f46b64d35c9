/*
 * fuzz_folded.c - the folded-stack reader, format forced.
 *
 * Input: option byte (unused: folded input has no options), chunking byte
 * (see fuzz_common.h), then folded text.
 */
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt, chunking;
	const uint8_t *rest;
	size_t nrest;
	fuzz_split(data, size, &opt, &chunking, &rest, &nrest);
	(void)opt;

	struct flame_read_opts o;
	memset(&o, 0, sizeof(o));
	fuzz_check(&flame_format_folded, &o, chunking, rest, nrest);
	return 0;
}
