/*
 * fuzz_perfdata.c - the perf.data reader (formats/perfdata.h).
 *
 * Input: a perf.data file, as is (real recordings are corpus entries).
 * The file is opened and its records walked; every record handed out is
 * read whole (strings to their end, callchains, registers, stack bytes),
 * so AddressSanitizer sees any pointer that leaves the input or a freed
 * copy.  The walk must end: the reader is bounded by the input size.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/perfdata.h"

struct seen {
	const struct flame_perfdata *pd;
	uint64_t sum;
};

static int on_record(void *ctx, const struct flame_sample_rec *r)
{
	struct seen *s = ctx;
	if (r->event >= s->pd->nevents)
		abort();
	s->sum += r->time + r->pid + r->tid;
	switch (r->type) {
	case FLAME_REC_SAMPLE:
		for (uint32_t i = 0; i < r->u.sample.nips; i++)
			s->sum += r->u.sample.ips[i];
		for (uint32_t i = 0; i < r->u.sample.nregs; i++)
			s->sum += r->u.sample.regs[i];
		for (uint64_t i = 0; i < r->u.sample.stack_size; i++)
			s->sum += r->u.sample.stack[i];
		for (uint32_t i = 0; i < r->u.sample.raw_size; i++)
			s->sum += ((const unsigned char *)r->u.sample.raw)[i];
		break;
	case FLAME_REC_MMAP:
		s->sum += strlen(r->u.mmap.filename);
		for (uint32_t i = 0; r->u.mmap.build_id && i < r->u.mmap.build_id_size; i++)
			s->sum += r->u.mmap.build_id[i];
		break;
	case FLAME_REC_COMM:
		s->sum += strlen(r->u.comm.comm);
		break;
	default:
		break;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the reader gets an 8-aligned buffer, as from mmap */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct flame_perfdata pd;
	struct flame_error err = { 0 };
	if (flame_perfdata_open(&pd, buf, size, &err) == 0) {
		for (size_t i = 0; i < pd.nevents; i++)
			if (!pd.events[i].name)
				abort();
		for (size_t i = 0; i < pd.nbuild_ids; i++)
			if (strlen(pd.build_ids[i].hex) > 40 || !pd.build_ids[i].path)
				abort();
		struct seen s = { &pd, 0 };
		flame_perfdata_records(&pd, on_record, &s, &err);
	} else if (!err.msg[0]) {
		abort(); /* a refusal says why */
	}
	flame_perfdata_release(&pd);
	free(buf);
	return 0;
}
