/*
 * fuzz_pprof.c - the pprof reader, format forced.
 *
 * Input: option byte (bit 0: keep a timeline, bit 1: --sample-type cpu), chunking byte (see
 * fuzz_common.h), then the protobuf bytes (not gzipped).
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
	if (opt & 2)
		o.sample_type = "cpu";
	fuzz_check(&flame_format_pprof, &o, chunking, rest, nrest);
	return 0;
}
