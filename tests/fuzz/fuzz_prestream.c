/*
 * fuzz_prestream.c - the reader of libflame-preload.so's sample streams
 * (core/record/prestream.c).
 *
 * Input: an option byte, then the stream.  Option bit 0: place the stream
 * at an odd address (the reader then copies frames instead of pointing
 * into the data).  Every record handed out is checked against the bounds
 * the reader promises; the reader must stop at the end or at an error.
 */
#include <stdlib.h>
#include <string.h>

#include "core/record/preload/stream.h"
#include "core/record/prestream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void check(const struct flame_sample_rec *r)
{
	switch (r->type) {
	case FLAME_REC_SAMPLE:
		if (r->u.sample.nips == 0 || r->u.sample.nips > FLAME_PRE_MAX_IPS)
			abort();
		for (uint32_t i = 0; i < r->u.sample.nips; i++)
			sink += r->u.sample.ips[i];
		if (r->u.sample.ips[0] != r->u.sample.ip)
			abort();
		break;
	case FLAME_REC_MMAP:
		if (strlen(r->u.mmap.filename) > FLAME_PRE_MAX_NAME)
			abort();
		break;
	case FLAME_REC_COMM:
		if (strlen(r->u.comm.comm) > FLAME_PRE_MAX_NAME)
			abort();
		break;
	case FLAME_REC_LOST:
		sink += r->u.lost.lost;
		break;
	default:
		abort(); /* the reader makes no other kind */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int odd = data[0] & 1;
	size--;
	data++;
	/* a buffer of exactly the stream's size, so over-reads are caught */
	unsigned char *buf = malloc(size + 8);
	unsigned char *at = buf + (odd ? 1 : 0);
	memcpy(at, data, size);
	unsigned char *exact = malloc(size ? size : 1);
	if (!odd) {
		memcpy(exact, data, size);
		at = exact;
	}
	struct flame_prestream s;
	struct flame_error err = { 0 };
	if (flame_prestream_open(&s, at, size, "fuzz.fps", &err) == 0) {
		struct flame_sample_rec rec;
		size_t n = 0, last = s.off;
		int rc;
		while ((rc = flame_prestream_next(&s, &rec, &err)) == 1) {
			check(&rec);
			if (s.off <= last || s.off > size)
				abort(); /* no progress, or past the end */
			last = s.off;
			n++;
		}
		if (rc < 0 && (!err.msg[0] || !strstr(err.msg, "fuzz.fps")))
			abort();
		flame_prestream_release(&s);
	} else if (!err.msg[0]) {
		abort();
	}
	free(buf);
	free(exact);
	return 0;
}
