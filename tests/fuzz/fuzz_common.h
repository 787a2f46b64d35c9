/*
 * fuzz_common.h - shared driver for the reader fuzz targets.
 *
 * Every target maps its first input byte to reader options (its own
 * business) and hands the second byte and the rest to fuzz_check(), which
 * reads the rest twice through the push interface of formats/reader.h:
 *
 *   1. with a small chunk size (16..4096 bytes, from the second byte) and
 *      fed in pieces of pseudo-random sizes, so that record boundaries,
 *      chunk cuts and feed boundaries fall everywhere;
 *   2. fed whole, in one piece, as one chunk.
 *
 * reader.h promises that the result does not depend on the chunking, so
 * both runs must agree: both fail with the same message, or both succeed
 * with the same folded text (stacks and weights), the same profile flags,
 * line count, kept event, per-file formats and skipped-line counts.  A
 * disagreement prints both results and abort()s.
 *
 * Second byte (chunking control):
 *   bits 0-2  chunk size: 16, 64, 128, 256, 512, 1024, 2048, 4096
 *   bits 3-5  seed of the piece sizes
 *   bit  6    pieces: 0 = mixed small/large, 1 = tiny (1..8 bytes)
 *   bit  7    split the data in two input files at its middle
 */
#ifndef FLAME_FUZZ_COMMON_H
#define FLAME_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "formats/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The option byte (data[0]) and the chunking byte (data[1]); 0 when the
 * input is shorter.  rest and nrest receive what follows them. */
void fuzz_split(const uint8_t *data, size_t size, uint8_t *opt, uint8_t *chunking,
		const uint8_t **rest, size_t *nrest);

/* Read rest with format fmt (NULL: detect) and opts both ways; abort() if
 * the results differ. */
void fuzz_check(const struct flame_format *fmt, const struct flame_read_opts *opts,
		uint8_t chunking, const uint8_t *rest, size_t nrest);

/* perf options from bits 0-5 of opt: pid, tid, kernel, jit, addrs,
 * no_rust_fixup; bit 6: --skip-after main,[unknown]; bit 7: --event-filter cycles. */
void fuzz_perf_opts(uint8_t opt, struct flame_read_opts *o);

#endif
