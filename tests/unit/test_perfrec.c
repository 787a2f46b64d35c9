/*
 * test_perfrec.c - decoding perf_event records from hand-built bytes.
 */
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/record/perfrec.h"
#include "check.h"

#define CHECK_INT(a, b) CHECK_U64((uint64_t)(int64_t)(a), (uint64_t)(int64_t)(b))
#define REQUIRE_INT(a, b) REQUIRE((int64_t)(a) == (int64_t)(b))
#define REQUIRE_U64(a, b) REQUIRE((uint64_t)(a) == (uint64_t)(b))

/* A record under construction, 8-byte aligned. */
struct rb {
	uint64_t w[64];
	size_t len; /* bytes */
};

static void put(struct rb *b, const void *p, size_t n)
{
	memcpy((unsigned char *)b->w + b->len, p, n);
	b->len += n;
}
static void put64(struct rb *b, uint64_t v) { put(b, &v, 8); }
static void put32x2(struct rb *b, uint32_t x, uint32_t y)
{
	put(b, &x, 4);
	put(b, &y, 4);
}
static void header(struct rb *b, uint32_t type, uint16_t misc)
{
	b->len = 0;
	struct perf_event_header h = { type, misc, 0 };
	put(b, &h, sizeof(h));
}
static void seal(struct rb *b)
{
	struct perf_event_header *h = (void *)b->w;
	h->size = (uint16_t)b->len;
}

static const struct flame_perf_layout full = {
	.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
		       PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |
		       PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_RAW | PERF_SAMPLE_REGS_USER |
		       PERF_SAMPLE_STACK_USER,
	.regs_user = (1u << 6) | (1u << 7) | (1u << 8), /* bp sp ip */
	.sample_id_all = 1,
};

static void build_sample(struct rb *b)
{
	header(b, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	put64(b, 77);              /* identifier */
	put64(b, 0x401000);        /* ip */
	put32x2(b, 10, 11);        /* pid tid */
	put64(b, 123456789);       /* time */
	put32x2(b, 3, 0);          /* cpu */
	put64(b, 1000000);         /* period */
	put64(b, 3);               /* nr */
	put64(b, PERF_CONTEXT_USER);
	put64(b, 0x401000);
	put64(b, 0x402000);
	uint32_t rs = 4;           /* raw: 4 bytes, padded to 8 with the size */
	put(b, &rs, 4);
	put(b, "abcd", 4);
	put64(b, PERF_SAMPLE_REGS_ABI_64);
	put64(b, 0x7ffd0010);      /* bp */
	put64(b, 0x7ffd0000);      /* sp */
	put64(b, 0x401000);        /* ip */
	put64(b, 16);              /* stack size */
	put64(b, 0x1111111111111111ull);
	put64(b, 0x2222222222222222ull);
	put64(b, 8);               /* dyn size */
	seal(b);
}

static void t_sample(void)
{
	struct rb b;
	build_sample(&b);
	struct flame_sample_rec r;
	REQUIRE_INT(flame_perf_decode(&full, b.w, b.len, &r), 1);
	CHECK_INT(r.type, FLAME_REC_SAMPLE);
	CHECK_U64(r.id, 77);
	CHECK_U64(r.u.sample.ip, 0x401000);
	CHECK_U64(r.pid, 10);
	CHECK_U64(r.tid, 11);
	CHECK_U64(r.time, 123456789);
	CHECK_U64(r.cpu, 3);
	CHECK_U64(r.u.sample.period, 1000000);
	REQUIRE_U64(r.u.sample.nips, 3);
	CHECK_U64(r.u.sample.ips[2], 0x402000);
	REQUIRE_U64(r.u.sample.raw_size, 4);
	CHECK(memcmp(r.u.sample.raw, "abcd", 4) == 0);
	REQUIRE_U64(r.u.sample.nregs, 3);
	CHECK_U64(r.u.sample.regs[1], 0x7ffd0000);
	CHECK_U64(r.u.sample.stack_size, 8);
	CHECK(r.u.sample.stack && r.u.sample.stack[0] == 0x11);
	CHECK_INT(r.u.sample.kernel, 0);
	CHECK_U64(flame_perf_time(&full, b.w, b.len), 123456789);
	uint64_t id;
	CHECK_INT(flame_perf_id(&full, b.w, b.len, &id), 1);
	CHECK_U64(id, 77);
}

/* Every shorter length of a good record is refused, never read past
 * (ASan checks the "never"). */
static void t_sample_truncated(void)
{
	struct rb b;
	build_sample(&b);
	for (size_t n = 8; n < b.len; n += 8) {
		void *copy = aligned_alloc(8, n);
		memcpy(copy, b.w, n);
		struct flame_sample_rec r;
		int got = flame_perf_decode(&full, copy, n, &r);
		/* the stack's dynamic size is the last field: a record cut
		 * there still decodes nothing past its end */
		if (got != -1)
			check_fail(__FILE__, __LINE__, "length %zu decoded (%d)", n, got);
		free(copy);
	}
	/* a callchain count larger than the record */
	struct rb c;
	header(&c, PERF_RECORD_SAMPLE, 0);
	put64(&c, 0);
	put64(&c, 1);
	put32x2(&c, 1, 1);
	put64(&c, 5);
	put32x2(&c, 0, 0);
	put64(&c, 1);
	put64(&c, 1ull << 60);
	seal(&c);
	struct flame_sample_rec r;
	CHECK_INT(flame_perf_decode(&full, c.w, c.len, &r), -1);
}

static void trailer(struct rb *b, uint32_t pid, uint32_t tid, uint64_t time, uint64_t id)
{
	put32x2(b, pid, tid);
	put64(b, time);
	put32x2(b, 1, 0); /* cpu */
	put64(b, id);
}

static void t_mmap2(void)
{
	struct rb b;
	header(&b, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
	put32x2(&b, 20, 21);
	put64(&b, 0x7f0000000000);
	put64(&b, 0x1000);
	put64(&b, 0x2000);
	put32x2(&b, 8, 1);  /* maj min */
	put64(&b, 4242);    /* ino */
	put64(&b, 7);       /* ino generation */
	put32x2(&b, 5, 2);  /* prot flags */
	put(&b, "/lib/x.so\0\0\0\0\0\0\0", 16);
	trailer(&b, 20, 21, 555, 9);
	seal(&b);
	struct flame_sample_rec r;
	REQUIRE_INT(flame_perf_decode(&full, b.w, b.len, &r), 1);
	CHECK_INT(r.type, FLAME_REC_MMAP);
	CHECK_U64(r.pid, 20);
	CHECK_U64(r.u.mmap.start, 0x7f0000000000);
	CHECK_U64(r.u.mmap.pgoff, 0x2000);
	CHECK_U64(r.u.mmap.ino, 4242);
	CHECK_U64(r.u.mmap.prot, 5);
	CHECK_STR(r.u.mmap.filename, "/lib/x.so");
	CHECK_U64(r.time, 555);
	CHECK_U64(r.id, 9);
	CHECK_U64(flame_perf_time(&full, b.w, b.len), 555);
	uint64_t id;
	CHECK_INT(flame_perf_id(&full, b.w, b.len, &id), 1);
	CHECK_U64(id, 9);
	/* a file name without its terminating NUL is refused */
	header(&b, PERF_RECORD_COMM, 0);
	put32x2(&b, 20, 21);
	put(&b, "abcdefgh", 8);
	trailer(&b, 20, 21, 556, 9);
	seal(&b);
	CHECK_INT(flame_perf_decode(&full, b.w, b.len, &r), -1);
}

static void t_switch_fork(void)
{
	struct rb b;
	header(&b, PERF_RECORD_SWITCH, PERF_RECORD_MISC_SWITCH_OUT | PERF_RECORD_MISC_SWITCH_OUT_PREEMPT);
	trailer(&b, 30, 31, 999, 1);
	seal(&b);
	struct flame_sample_rec r;
	REQUIRE_INT(flame_perf_decode(&full, b.w, b.len, &r), 1);
	CHECK_INT(r.type, FLAME_REC_SWITCH);
	CHECK_INT(r.u.sw.out, 1);
	CHECK_INT(r.u.sw.preempt, 1);
	CHECK_U64(r.tid, 31);
	CHECK_U64(r.time, 999);

	header(&b, PERF_RECORD_FORK, 0);
	put32x2(&b, 40, 1);
	put32x2(&b, 41, 1);
	put64(&b, 1000);
	trailer(&b, 40, 41, 1000, 1);
	seal(&b);
	REQUIRE_INT(flame_perf_decode(&full, b.w, b.len, &r), 1);
	CHECK_INT(r.type, FLAME_REC_FORK);
	CHECK_U64(r.pid, 40);
	CHECK_U64(r.tid, 41);
	CHECK_U64(r.u.fork.ppid, 1);
	CHECK_U64(flame_perf_time(&full, b.w, b.len), 1000);

	/* record types flame does not use are skipped, not refused */
	header(&b, PERF_RECORD_AUX, 0);
	put64(&b, 0);
	seal(&b);
	CHECK_INT(flame_perf_decode(&full, b.w, b.len, &r), 0);
}

static const struct check_case cases[] = {
	{ "sample", t_sample },
	{ "sample_truncated", t_sample_truncated },
	{ "mmap2", t_mmap2 },
	{ "switch_fork", t_switch_fork },
};

int main(int argc, char **argv)
{
	return CHECK_MAIN(argc, argv, cases);
}
