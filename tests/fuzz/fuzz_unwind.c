/*
 * fuzz_unwind.c - the DWARF unwinder (core/record/unwind.h) on made-up samples:
 * the registers and the stack copy of a sample are what a perf.data file
 * or a ring buffer says, so any bytes must unwind to something, or be cut,
 * without reading outside the copy.
 *
 * Input: 17 registers of 8 bytes (FLAME_SAMPLER_REGS_USER order: ax bx cx
 * dx si di bp sp ip r8-r15), then the stack copy.  The ip is taken modulo
 * 64 KiB from this program's own code, so that real CFI is used; the
 * process's mappings are this process's, from /proc/self/maps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record/sampler.h"
#include "core/record/symbolizer.h"
#include "core/record/unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct flame_symbolizer *sym;
static struct flame_unwinder *uw;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!sym) {
		struct flame_symbolizer_opts so = { .demangle = 0 };
		sym = flame_symbolizer_new(&so);
		flame_symbolizer_sync_proc(sym, (uint32_t)getpid());
		uw = flame_unwinder_new(sym);
	}
	uint64_t regs[17];
	if (size < sizeof(regs))
		return 0;
	memcpy(regs, data, sizeof(regs));
	regs[8] = (uint64_t)(uintptr_t)&LLVMFuzzerTestOneInput + (regs[8] & 0xffff);
	/* the stack copy on the heap, its own size: reads past it are caught */
	size_t n = size - sizeof(regs);
	unsigned char *stack = malloc(n ? n : 1);
	memcpy(stack, data + sizeof(regs), n);

	struct flame_sample_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.type = FLAME_REC_SAMPLE;
	rec.pid = rec.tid = (uint32_t)getpid();
	rec.u.sample.ip = regs[8];
	rec.u.sample.regs_abi = 2;
	rec.u.sample.regs = regs;
	rec.u.sample.nregs = 17;
	rec.u.sample.regs_mask = FLAME_SAMPLER_REGS_USER;
	rec.u.sample.stack = stack;
	rec.u.sample.stack_size = n;
	const uint64_t *ips;
	uint32_t nips;
	enum flame_unwind_result res = flame_unwind_sample(uw, &rec, &ips, &nips);
	if (n && (res == FLAME_UNWIND_NONE || nips < 2 || ips[1] != regs[8]))
		abort();
	free(stack);
	return 0;
}
