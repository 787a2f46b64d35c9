/*
 * perfrec.c - decoding perf_event records.  See perfrec.h.
 */
#include "perfrec.h"

#include <linux/perf_event.h>
#include <string.h>

/* A cursor over a record's body that refuses to run past its end. */
struct cur {
	const unsigned char *p, *end;
	int bad;
};

static const unsigned char *take(struct cur *c, size_t n)
{
	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = 1;
		return NULL;
	}
	const unsigned char *r = c->p;
	c->p += n;
	return r;
}

static uint64_t u64(struct cur *c)
{
	const unsigned char *p = take(c, 8);
	uint64_t v = 0;
	if (p)
		memcpy(&v, p, 8);
	return v;
}

static void u32x2(struct cur *c, uint32_t *a, uint32_t *b)
{
	const unsigned char *p = take(c, 8);
	uint32_t x = 0, y = 0;
	if (p) {
		memcpy(&x, p, 4);
		memcpy(&y, p + 4, 4);
	}
	if (a)
		*a = x;
	if (b)
		*b = y;
}

static uint32_t popcount64(uint64_t v)
{
	return (uint32_t)__builtin_popcountll(v);
}

/* Bytes of the sample_id trailer of non-sample records. */
static size_t trailer_size(const struct flame_perf_layout *l)
{
	if (!l->sample_id_all)
		return 0;
	uint64_t t = l->sample_type;
	size_t n = 0;
	n += (t & PERF_SAMPLE_TID) ? 8 : 0;
	n += (t & PERF_SAMPLE_TIME) ? 8 : 0;
	n += (t & PERF_SAMPLE_ID) ? 8 : 0;
	n += (t & PERF_SAMPLE_STREAM_ID) ? 8 : 0;
	n += (t & PERF_SAMPLE_CPU) ? 8 : 0;
	n += (t & PERF_SAMPLE_IDENTIFIER) ? 8 : 0;
	return n;
}

/* The trailer, read into out (pid, tid, time, id, cpu); body's end moves
 * before it.  Returns 0, or -1 when the record is too short for it. */
static int read_trailer(const struct flame_perf_layout *l, struct cur *body,
			struct flame_sample_rec *out)
{
	size_t n = trailer_size(l);
	if (!n)
		return 0;
	if ((size_t)(body->end - body->p) < n)
		return -1;
	struct cur t = { body->end - n, body->end, 0 };
	body->end -= n;
	uint64_t st = l->sample_type;
	if (st & PERF_SAMPLE_TID) {
		uint32_t pid, tid;
		u32x2(&t, &pid, &tid);
		if (!out->pid && !out->tid) {
			out->pid = pid;
			out->tid = tid;
		}
	}
	if (st & PERF_SAMPLE_TIME)
		out->time = u64(&t);
	if (st & PERF_SAMPLE_ID)
		out->id = u64(&t);
	if (st & PERF_SAMPLE_STREAM_ID)
		(void)u64(&t);
	if (st & PERF_SAMPLE_CPU)
		u32x2(&t, &out->cpu, NULL);
	if (st & PERF_SAMPLE_IDENTIFIER)
		out->id = u64(&t);
	return t.bad ? -1 : 0;
}

static void skip_read(const struct flame_perf_layout *l, struct cur *c)
{
	uint64_t rf = l->read_format;
	size_t per = 1 + ((rf & PERF_FORMAT_ID) ? 1 : 0) + ((rf & PERF_FORMAT_LOST) ? 1 : 0);
	if (rf & PERF_FORMAT_GROUP) {
		uint64_t nr = u64(c);
		if (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)
			(void)u64(c);
		if (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)
			(void)u64(c);
		if (c->bad || nr > (uint64_t)(c->end - c->p) / (8 * per)) {
			c->bad = 1;
			return;
		}
		take(c, (size_t)nr * 8 * per);
	} else {
		size_t n = per + ((rf & PERF_FORMAT_TOTAL_TIME_ENABLED) ? 1 : 0) +
			   ((rf & PERF_FORMAT_TOTAL_TIME_RUNNING) ? 1 : 0);
		take(c, n * 8);
	}
}

/* count u64 words at the cursor, returned as a pointer (NULL when bad) */
static const uint64_t *words(struct cur *c, uint64_t count)
{
	if (c->bad || count > (uint64_t)(c->end - c->p) / 8) {
		c->bad = 1;
		return NULL;
	}
	return (const uint64_t *)(const void *)take(c, (size_t)count * 8);
}

static int decode_sample(const struct flame_perf_layout *l, const struct perf_event_header *h,
			 struct cur *c, struct flame_sample_rec *out)
{
	uint64_t st = l->sample_type;
	out->type = FLAME_REC_SAMPLE;
	if (st & PERF_SAMPLE_IDENTIFIER)
		out->id = u64(c);
	if (st & PERF_SAMPLE_IP)
		out->u.sample.ip = u64(c);
	if (st & PERF_SAMPLE_TID)
		u32x2(c, &out->pid, &out->tid);
	if (st & PERF_SAMPLE_TIME)
		out->time = u64(c);
	if (st & PERF_SAMPLE_ADDR)
		(void)u64(c);
	if (st & PERF_SAMPLE_ID)
		out->id = u64(c);
	if (st & PERF_SAMPLE_STREAM_ID)
		(void)u64(c);
	if (st & PERF_SAMPLE_CPU)
		u32x2(c, &out->cpu, NULL);
	if (st & PERF_SAMPLE_PERIOD)
		out->u.sample.period = u64(c);
	if (st & PERF_SAMPLE_READ)
		skip_read(l, c);
	if (st & PERF_SAMPLE_CALLCHAIN) {
		uint64_t nr = u64(c);
		out->u.sample.ips = words(c, nr);
		out->u.sample.nips = out->u.sample.ips ? (uint32_t)nr : 0;
	}
	if (st & PERF_SAMPLE_RAW) {
		const unsigned char *p = take(c, 4);
		uint32_t size = 0;
		if (p)
			memcpy(&size, p, 4);
		out->u.sample.raw = take(c, size);
		out->u.sample.raw_size = out->u.sample.raw ? size : 0;
		/* the kernel pads u32 + data to a multiple of 8 */
		size_t pad = (size_t)((8 - ((4 + (uint64_t)size) & 7)) & 7);
		take(c, pad);
	}
	if (st & PERF_SAMPLE_BRANCH_STACK) {
		uint64_t nr = u64(c);
		if (l->branch_sample_type & PERF_SAMPLE_BRANCH_HW_INDEX)
			(void)u64(c);
		if (!c->bad && nr > (uint64_t)(c->end - c->p) / 24)
			c->bad = 1;
		else
			take(c, (size_t)nr * 24);
	}
	if (st & PERF_SAMPLE_REGS_USER) {
		out->u.sample.regs_abi = u64(c);
		if (out->u.sample.regs_abi) {
			uint32_t n = popcount64(l->regs_user);
			out->u.sample.regs = words(c, n);
			out->u.sample.nregs = out->u.sample.regs ? n : 0;
			out->u.sample.regs_mask = l->regs_user;
		}
	}
	if (st & PERF_SAMPLE_STACK_USER) {
		uint64_t size = u64(c);
		if (size) {
			const unsigned char *data = c->bad || size > (uint64_t)(c->end - c->p)
							    ? NULL
							    : take(c, (size_t)size);
			if (!data)
				c->bad = 1;
			uint64_t dyn = u64(c);
			out->u.sample.stack = data;
			out->u.sample.stack_size = dyn < size ? dyn : size;
		}
	}
	/* later fields (weight, data_src, ...) are not used */
	if (c->bad)
		return -1;
	uint16_t mode = h->misc & PERF_RECORD_MISC_CPUMODE_MASK;
	out->u.sample.kernel = mode == PERF_RECORD_MISC_KERNEL;
	return 1;
}

/* A NUL-terminated string filling [p, end) (padded with NULs). */
static const char *cstr(const unsigned char *p, const unsigned char *end)
{
	if (!p || p >= end || !memchr(p, '\0', (size_t)(end - p)))
		return NULL;
	return (const char *)p;
}

int flame_perf_type_used(uint32_t type)
{
	switch (type) {
	case PERF_RECORD_SAMPLE:
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2:
	case PERF_RECORD_COMM:
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES:
	case PERF_RECORD_THROTTLE:
	case PERF_RECORD_SWITCH:
	case PERF_RECORD_SWITCH_CPU_WIDE:
		return 1;
	}
	return 0;
}

int flame_perf_decode(const struct flame_perf_layout *l, const void *rec, size_t len,
		      struct flame_sample_rec *out)
{
	memset(out, 0, sizeof(*out));
	const struct perf_event_header *h = rec;
	if (len < sizeof(*h) || ((uintptr_t)rec & 7))
		return -1;
	struct cur c = { (const unsigned char *)rec + sizeof(*h), (const unsigned char *)rec + len, 0 };
	if (h->type == PERF_RECORD_SAMPLE)
		return decode_sample(l, h, &c, out);
	if (!flame_perf_type_used(h->type))
		return 0;
	/* the body's own pid/tid come first where it has them; the trailer's
	 * only fill what the body lacks */
	uint32_t bpid = 0, btid = 0;
	int has_pid = h->type != PERF_RECORD_LOST && h->type != PERF_RECORD_LOST_SAMPLES &&
		      h->type != PERF_RECORD_THROTTLE &&
		      h->type != PERF_RECORD_SWITCH && h->type != PERF_RECORD_SWITCH_CPU_WIDE;
	if (read_trailer(l, &c, out) < 0)
		return -1;
	switch (h->type) {
	case PERF_RECORD_MMAP:
	case PERF_RECORD_MMAP2: {
		out->type = FLAME_REC_MMAP;
		u32x2(&c, &bpid, &btid);
		out->u.mmap.start = u64(&c);
		out->u.mmap.len = u64(&c);
		out->u.mmap.pgoff = u64(&c);
		if (h->type == PERF_RECORD_MMAP2) {
			const unsigned char *id = take(&c, 24);
			if (id && (h->misc & PERF_RECORD_MISC_MMAP_BUILD_ID)) {
				uint8_t n = id[0];
				out->u.mmap.build_id = id + 4;
				out->u.mmap.build_id_size = n <= 20 ? n : 20;
			} else if (id) {
				memcpy(&out->u.mmap.maj, id, 4);
				memcpy(&out->u.mmap.min, id + 4, 4);
				memcpy(&out->u.mmap.ino, id + 8, 8);
				memcpy(&out->u.mmap.ino_generation, id + 16, 8);
			}
			u32x2(&c, &out->u.mmap.prot, &out->u.mmap.flags);
		} else {
			/* MMAP records are written for executable mappings only,
			 * unless the event asked for data mappings too */
			out->u.mmap.prot = (h->misc & PERF_RECORD_MISC_MMAP_DATA) ? 1 : 5;
		}
		if (c.bad || !(out->u.mmap.filename = cstr(c.p, c.end)))
			return -1;
		break;
	}
	case PERF_RECORD_COMM:
		out->type = FLAME_REC_COMM;
		u32x2(&c, &bpid, &btid);
		if (c.bad || !(out->u.comm.comm = cstr(c.p, c.end)))
			return -1;
		out->u.comm.exec = (h->misc & PERF_RECORD_MISC_COMM_EXEC) != 0;
		break;
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		out->type = h->type == PERF_RECORD_FORK ? FLAME_REC_FORK : FLAME_REC_EXIT;
		u32x2(&c, &bpid, &out->u.fork.ppid);
		u32x2(&c, &btid, &out->u.fork.ptid);
		out->time = u64(&c);
		break;
	case PERF_RECORD_LOST:
		out->type = FLAME_REC_LOST;
		(void)u64(&c); /* id */
		out->u.lost.lost = u64(&c);
		break;
	case PERF_RECORD_LOST_SAMPLES:
		out->type = FLAME_REC_LOST;
		out->u.lost.lost = u64(&c);
		break;
	case PERF_RECORD_THROTTLE:
		out->type = FLAME_REC_THROTTLE;
		out->time = u64(&c);
		break;
	case PERF_RECORD_SWITCH:
	case PERF_RECORD_SWITCH_CPU_WIDE:
		out->type = FLAME_REC_SWITCH;
		out->u.sw.out = (h->misc & PERF_RECORD_MISC_SWITCH_OUT) != 0;
		out->u.sw.preempt = (h->misc & PERF_RECORD_MISC_SWITCH_OUT_PREEMPT) != 0;
		if (h->type == PERF_RECORD_SWITCH_CPU_WIDE)
			u32x2(&c, &out->u.sw.other_pid, &out->u.sw.other_tid);
		break;
	}
	if (c.bad)
		return -1;
	if (has_pid) {
		out->pid = bpid;
		out->tid = btid;
	}
	return 1;
}

uint64_t flame_perf_time(const struct flame_perf_layout *l, const void *rec, size_t len)
{
	const struct perf_event_header *h = rec;
	uint64_t st = l->sample_type;
	if (len < sizeof(*h) || !(st & PERF_SAMPLE_TIME))
		return 0;
	const unsigned char *b = (const unsigned char *)rec + sizeof(*h);
	size_t blen = len - sizeof(*h);
	size_t off;
	if (h->type == PERF_RECORD_SAMPLE) {
		off = ((st & PERF_SAMPLE_IDENTIFIER) ? 8 : 0) + ((st & PERF_SAMPLE_IP) ? 8 : 0) +
		      ((st & PERF_SAMPLE_TID) ? 8 : 0);
	} else if (h->type == PERF_RECORD_FORK || h->type == PERF_RECORD_EXIT) {
		off = 16;
	} else {
		if (!l->sample_id_all || h->type >= 64 /* perf tool records (PERF_RECORD_USER_TYPE_START) */)
			return 0;
		size_t n = trailer_size(l);
		if (blen < n)
			return 0;
		off = blen - n + ((st & PERF_SAMPLE_TID) ? 8 : 0);
	}
	if (off + 8 > blen)
		return 0;
	uint64_t t;
	memcpy(&t, b + off, 8);
	return t;
}

int flame_perf_id(const struct flame_perf_layout *l, const void *rec, size_t len, uint64_t *id)
{
	const struct perf_event_header *h = rec;
	uint64_t st = l->sample_type;
	*id = 0;
	if (len < sizeof(*h))
		return -1;
	const unsigned char *b = (const unsigned char *)rec + sizeof(*h);
	size_t blen = len - sizeof(*h);
	size_t off;
	if (h->type == PERF_RECORD_SAMPLE) {
		if (st & PERF_SAMPLE_IDENTIFIER)
			off = 0;
		else if (st & PERF_SAMPLE_ID)
			off = ((st & PERF_SAMPLE_IP) ? 8 : 0) + ((st & PERF_SAMPLE_TID) ? 8 : 0) +
			      ((st & PERF_SAMPLE_TIME) ? 8 : 0) + ((st & PERF_SAMPLE_ADDR) ? 8 : 0);
		else
			return 0;
	} else {
		if (!l->sample_id_all || !(st & (PERF_SAMPLE_ID | PERF_SAMPLE_IDENTIFIER)))
			return 0;
		if (st & PERF_SAMPLE_IDENTIFIER) {
			if (blen < 8)
				return -1;
			off = blen - 8;
		} else {
			size_t n = trailer_size(l);
			if (blen < n)
				return -1;
			off = blen - n + ((st & PERF_SAMPLE_TID) ? 8 : 0) +
			      ((st & PERF_SAMPLE_TIME) ? 8 : 0);
		}
	}
	if (off + 8 > blen)
		return -1;
	memcpy(id, b + off, 8);
	return 1;
}
