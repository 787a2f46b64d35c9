/*
 * fuzz_detect.c - format auto-detection (cfg.format = NULL), then
 * whichever reader it picks.
 *
 * Input: option byte (bits 0-5 and 7 as for fuzz_perf, bit 6:
 * --includeoffset instead of --skip-after), chunking byte (see
 * fuzz_common.h), then input of any format.
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
	fuzz_perf_opts(opt & ~0x40, &o);
	o.include_offset = (opt >> 6) & 1;
	fuzz_check(NULL, &o, chunking, rest, nrest);
	return 0;
}
