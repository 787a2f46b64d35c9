/*
 * perfdata.c - perf.data files.  See perfdata.h.
 *
 * The layout (tools/perf/util/header.h, the kernel's uapi perf_event.h):
 *
 *   header   magic "PERFILE2", size (104), attr_size, then three sections
 *            {offset, size} (attrs, data, event_types) and a 256-bit map
 *            of the feature sections present
 *   attrs    attr_size bytes each: a perf_event_attr (its size is that of
 *            the perf that wrote it) and the section of its ids
 *   data     records: struct perf_event_header {type, misc, size} + body
 *   features at data.offset + data.size: one section {offset, size} per
 *            feature bit set, in bit order, then their contents
 */
#include "perfdata.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "../core/util.h"

#define HEADER_SIZE 104
#define PIPE_HEADER_SIZE 16
#define MAX_ATTR_SIZE 4096

/* feature bits (tools/perf/util/header.h) */
#define FEAT_BUILD_ID 2
#define FEAT_HOSTNAME 3
#define FEAT_VERSION 5
#define FEAT_CMDLINE 11
#define FEAT_EVENT_DESC 12
#define FEAT_BITS 256

/* records the perf tool writes itself (PERF_RECORD_USER_TYPE_START and on) */
#define REC_USER_START 64
#define REC_HEADER_ATTR 64
#define REC_EVENT_UPDATE 78
#define REC_HEADER_FEATURE 80
#define EVENT_UPDATE_NAME 2
#define MAX_PIPE_EVENTS 4096
#define REC_AUXTRACE 71
#define REC_FINISHED_ROUND 68
#define REC_COMPRESSED 81
#define REC_COMPRESSED2 83

#define MISC_BUILD_ID_SIZE (1u << 15)

/* Records queued before a flush is forced in files without rounds. */
#define QUEUE_MAX (1u << 20)
#define COPY_MAX ((size_t)64 << 20)
#define ZSTD_WINDOW_LOG_MAX 24 /* perf record -z uses far smaller windows */
#define DECOMP_CAP ((size_t)1 << 20)

int flame_perfdata_probe(const void *buf, size_t len)
{
	return len >= 8 && (memcmp(buf, "PERFILE2", 8) == 0 || memcmp(buf, "2ELIFREP", 8) == 0);
}

/* ---- bounded reads of the file ---- */

static int rd64(const struct flame_perfdata *pd, uint64_t off, uint64_t *v)
{
	if (off > pd->len || pd->len - off < 8)
		return -1;
	memcpy(v, pd->base + off, 8);
	return 0;
}

static int rd32(const struct flame_perfdata *pd, uint64_t off, uint32_t *v)
{
	if (off > pd->len || pd->len - off < 4)
		return -1;
	memcpy(v, pd->base + off, 4);
	return 0;
}

/* A section lies inside the file. */
static int section_ok(const struct flame_perfdata *pd, uint64_t off, uint64_t size)
{
	return off <= pd->len && size <= pd->len - off;
}

static int fail(struct flame_error *err, uint64_t off, const char *fmt, const char *what)
{
	return flame_error_set(err, FLAME_ERR_DATA, NULL, 0, "offset %" PRIu64 ": %s%s", off, fmt,
			       what ? what : "");
}

/* A perf string {u32 len; char s[len]} (NUL-padded) at *off inside
 * [.., end): a malloc'd copy, *off moved past it.  NULL when malformed. */
static char *rd_string(const struct flame_perfdata *pd, uint64_t *off, uint64_t end)
{
	uint32_t n;
	if (*off > end || end - *off < 4 || rd32(pd, *off, &n) < 0 || n > end - *off - 4)
		return NULL;
	const char *s = (const char *)pd->base + *off + 4;
	size_t l = strnlen(s, n);
	*off += 4 + (uint64_t)n;
	return flame_xmemdup(s, l);
}

/* ---- header, attrs, features ---- */

static void layout_from_attr(const struct perf_event_attr *a, struct flame_perf_layout *l)
{
	l->sample_type = a->sample_type;
	l->read_format = a->read_format;
	l->regs_user = a->sample_regs_user;
	l->regs_intr = a->sample_regs_intr;
	l->branch_sample_type = a->branch_sample_type;
	l->sample_id_all = a->sample_id_all;
}

/* attr: asz bytes at off of the file, read into a zeroed struct (older perf
 * wrote fewer fields, newer more: both are fine). */
static void rd_attr(const struct flame_perfdata *pd, uint64_t off, uint64_t asz,
		    struct perf_event_attr *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a, pd->base + off, asz < sizeof(*a) ? (size_t)asz : sizeof(*a));
}

static int read_attrs(struct flame_perfdata *pd, uint64_t attr_size, uint64_t off, uint64_t size,
		      struct flame_error *err)
{
	if (attr_size < PERF_ATTR_SIZE_VER0 + 16 || attr_size > MAX_ATTR_SIZE)
		return fail(err, 16, "expected an attr size between 80 and 4096 bytes", NULL);
	if (!section_ok(pd, off, size) || size % attr_size)
		return fail(err, 24, "the attrs section is not inside the file or not a whole "
				     "number of attrs", NULL);
	size_t n = (size_t)(size / attr_size);
	if (n == 0)
		return fail(err, 24, "expected at least one event in the attrs section", NULL);
	pd->events = flame_xcalloc(n, sizeof(*pd->events));
	pd->nevents = n;
	uint64_t total_ids = 0; /* sections may overlap: bound the copies by the file */
	for (size_t i = 0; i < n; i++) {
		uint64_t at = off + i * attr_size;
		struct perf_event_attr a;
		rd_attr(pd, at, attr_size - 16, &a);
		struct flame_perfdata_event *e = &pd->events[i];
		layout_from_attr(&a, &e->layout);
		e->type = a.type;
		e->config = a.config;
		uint64_t ioff = 0, isz = 0;
		rd64(pd, at + attr_size - 16, &ioff);
		rd64(pd, at + attr_size - 8, &isz);
		if (!section_ok(pd, ioff, isz) || isz % 8)
			return fail(err, at + attr_size - 16, "the ids of an event are not inside the file",
				    NULL);
		total_ids += isz;
		if (total_ids > pd->len)
			return fail(err, at + attr_size - 16, "the events' ids overlap (more ids than the "
							      "file holds)", NULL);
		e->nids = (size_t)(isz / 8);
		e->ids = flame_xmalloc((e->nids ? e->nids : 1) * sizeof(*e->ids));
		memcpy(e->ids, pd->base + ioff, e->nids * 8);
	}
	return 0;
}

static void read_event_desc(struct flame_perfdata *pd, uint64_t off, uint64_t end)
{
	uint32_t nr, asz;
	if (rd32(pd, off, &nr) < 0 || rd32(pd, off + 4, &asz) < 0 || off + 8 > end)
		return;
	off += 8;
	for (uint32_t i = 0; i < nr && off < end; i++) {
		uint32_t nids;
		if (asz > end - off || rd32(pd, off + asz, &nids) < 0)
			return;
		off += asz + 4;
		char *name = rd_string(pd, &off, end);
		if (!name)
			return;
		if ((uint64_t)nids > (end - off) / 8) {
			free(name);
			return;
		}
		off += (uint64_t)nids * 8;
		/* perf writes the events in the order of the attrs section */
		if (i < pd->nevents) {
			free(pd->events[i].name);
			pd->events[i].name = name;
		} else {
			free(name);
		}
	}
}

static void read_build_ids(struct flame_perfdata *pd, uint64_t off, uint64_t end)
{
	size_t cap = 0;
	while (off < end && end - off >= 36) {
		struct perf_event_header h;
		memcpy(&h, pd->base + off, sizeof(h));
		if (h.size < 36 || h.size > end - off)
			return;
		const unsigned char *p = pd->base + off;
		uint32_t pid;
		memcpy(&pid, p + 8, 4);
		unsigned n = (h.misc & MISC_BUILD_ID_SIZE) ? p[32] : 20; /* h.size >= 36 */
		if (n > 20)
			n = 20;
		const char *name = (const char *)p + 36;
		size_t nl = strnlen(name, h.size - 36u);
		FLAME_GROW(pd->build_ids, cap, pd->nbuild_ids + 1);
		struct flame_perfdata_build_id *b = &pd->build_ids[pd->nbuild_ids++];
		b->path = flame_xmemdup(name, nl);
		for (unsigned i = 0; i < n; i++) {
			static const char hexd[] = "0123456789abcdef";
			b->hex[2 * i] = hexd[p[12 + i] >> 4];
			b->hex[2 * i + 1] = hexd[p[12 + i] & 15];
		}
		b->hex[2 * n] = '\0';
		b->pid = pid;
		uint16_t mode = h.misc & PERF_RECORD_MISC_CPUMODE_MASK;
		b->kernel = mode == PERF_RECORD_MISC_KERNEL || mode == PERF_RECORD_MISC_GUEST_KERNEL;
		off += h.size;
	}
}

static void read_cmdline(struct flame_perfdata *pd, uint64_t off, uint64_t end)
{
	uint32_t nr;
	if (rd32(pd, off, &nr) < 0 || off + 4 > end)
		return;
	off += 4;
	struct flame_buf b = FLAME_BUF_INIT;
	for (uint32_t i = 0; i < nr; i++) {
		char *s = rd_string(pd, &off, end);
		if (!s)
			break;
		if (i)
			flame_buf_addc(&b, ' ');
		flame_buf_adds(&b, s);
		free(s);
	}
	pd->cmdline = flame_xmemdup(b.data ? b.data : "", b.len);
	flame_buf_release(&b);
}

/* One feature section, [off, end) of the file. */
static void read_feature(struct flame_perfdata *pd, uint64_t f, uint64_t off, uint64_t end)
{
	switch (f) {
	case FEAT_EVENT_DESC:
		read_event_desc(pd, off, end);
		break;
	case FEAT_BUILD_ID:
		read_build_ids(pd, off, end);
		break;
	case FEAT_HOSTNAME:
		free(pd->hostname);
		pd->hostname = rd_string(pd, &off, end);
		break;
	case FEAT_VERSION:
		free(pd->perf_version);
		pd->perf_version = rd_string(pd, &off, end);
		break;
	case FEAT_CMDLINE:
		free(pd->cmdline);
		pd->cmdline = NULL;
		read_cmdline(pd, off, end);
		break;
	}
}

static void read_features(struct flame_perfdata *pd, const unsigned char *bits)
{
	/* missing or damaged feature sections only cost names and checks */
	uint64_t table = pd->data_offset + pd->data_size;
	unsigned k = 0;
	for (unsigned f = 0; f < FEAT_BITS; f++) {
		if (!(bits[f / 8] & (1u << (f % 8))))
			continue;
		uint64_t off, size;
		uint64_t at = table + (uint64_t)k++ * 16;
		if (rd64(pd, at, &off) < 0 || rd64(pd, at + 8, &size) < 0)
			return;
		if (section_ok(pd, off, size))
			read_feature(pd, f, off, off + size);
	}
}


/* An event without a name in the file: perf script would show the attr's
 * type and config; the name only serves --event-filter. */
static void default_name(struct flame_perfdata_event *e)
{
	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_addf(&b, "%u:%" PRIu64, e->type, e->config);
	free(e->name);
	e->name = flame_xmemdup(b.data, b.len);
	flame_buf_release(&b);
}

int flame_perfdata_open(struct flame_perfdata *pd, const void *buf, size_t len,
			struct flame_error *err)
{
	memset(pd, 0, sizeof(*pd));
	pd->base = buf;
	pd->len = len;
	if (len < 8 || !flame_perfdata_probe(buf, len))
		return fail(err, 0, "expected the perf.data magic 'PERFILE2'", NULL);
	if (memcmp(buf, "2ELIFREP", 8) == 0)
		return fail(err, 0, "perf.data written on a machine of the other byte order "
				    "(big-endian); convert it there with perf script", NULL);
	uint64_t hsize = 0, attr_size = 0;
	if (rd64(pd, 8, &hsize) < 0)
		return fail(err, 8, "expected the header size, found the end of the file", NULL);
	if (hsize == PIPE_HEADER_SIZE) {
		/* pipe mode (perf record -o -): the events and features come as
		 * records in the stream itself */
		pd->pipe = 1;
		pd->data_offset = PIPE_HEADER_SIZE;
		pd->data_size = len - PIPE_HEADER_SIZE;
		return 0;
	}
	if (hsize < HEADER_SIZE || len < HEADER_SIZE)
		return fail(err, 8, "expected a file header of at least 104 bytes", NULL);
	uint64_t aoff, asize, doff, dsize;
	rd64(pd, 16, &attr_size);
	rd64(pd, 24, &aoff);
	rd64(pd, 32, &asize);
	rd64(pd, 40, &doff);
	rd64(pd, 48, &dsize);
	if (read_attrs(pd, attr_size, aoff, asize, err) < 0)
		return -1;
	if (!section_ok(pd, doff, dsize))
		return fail(err, 40, "the data section is not inside the file (truncated?)", NULL);
	pd->data_offset = doff;
	pd->data_size = dsize;
	read_features(pd, pd->base + 72);
	for (size_t i = 0; i < pd->nevents; i++)
		if (!pd->events[i].name)
			default_name(&pd->events[i]);
	return 0;
}

void flame_perfdata_release(struct flame_perfdata *pd)
{
	for (size_t i = 0; i < pd->nevents; i++) {
		free(pd->events[i].name);
		free(pd->events[i].ids);
	}
	free(pd->events);
	for (size_t i = 0; i < pd->nbuild_ids; i++)
		free(pd->build_ids[i].path);
	free(pd->build_ids);
	free(pd->hostname);
	free(pd->cmdline);
	free(pd->perf_version);
	memset(pd, 0, sizeof(*pd));
}

/* ---- records in time order ---- */

struct qent {
	uint64_t time;
	uint64_t seq;              /* file order, for equal times */
	const unsigned char *rec;  /* in the file, or copy */
	unsigned char *copy;       /* owned copy (records from a compressed stream), or NULL */
	uint64_t off;              /* file offset, for messages */
	uint32_t event;
};

struct idmap {
	uint64_t id;
	uint32_t event;
};

struct walk {
	struct flame_perfdata *pd;
	flame_perfdata_fn fn;
	void *ctx;
	int stopped;
	struct qent *q;
	size_t nq, qcap;
	struct qent *tmp;      /* merge scratch */
	size_t tmp_cap;
	size_t *runs;          /* starts of the sorted runs in q */
	size_t runs_cap;
	size_t copied;         /* bytes of queued copies */
	uint64_t seq;
	uint64_t max_time;     /* of all queued records so far */
	uint64_t next_flush;   /* a round releases records up to this time */
	uint64_t released;     /* time of the last record released */
	struct idmap *ids;
	size_t nids;
	uint64_t *scratch;     /* an aligned copy of a misaligned record */
	ZSTD_DCtx *z;
	unsigned char *zout;   /* decompressed bytes not yet made records */
	size_t zlen;
};

static int cmp_id(const void *a, const void *b)
{
	const struct idmap *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Sort the queue by time, stably (equal times keep file order).  perf
 * writes each CPU's buffer in time order, so a round is a few sorted runs:
 * merge the runs pairwise, O(n log runs). */
static void sort_queue(struct walk *w)
{
	size_t n = w->nq, nruns = 1;
	for (size_t i = 1; i < n; i++)
		nruns += w->q[i].time < w->q[i - 1].time;
	if (nruns == 1)
		return;
	FLAME_GROW(w->runs, w->runs_cap, nruns + 1);
	FLAME_GROW(w->tmp, w->tmp_cap, n);
	size_t k = 0;
	w->runs[k++] = 0;
	for (size_t i = 1; i < n; i++)
		if (w->q[i].time < w->q[i - 1].time)
			w->runs[k++] = i;
	w->runs[k] = n;
	struct qent *src = w->q, *dst = w->tmp;
	while (k > 1) {
		size_t nk = 0;
		for (size_t r = 0; r < k; r += 2) {
			size_t a = w->runs[r], m = w->runs[r + 1 < k ? r + 1 : k];
			size_t e = w->runs[r + 2 < k ? r + 2 : k], o = a, b = m;
			while (a < m && b < e)
				dst[o++] = src[b].time < src[a].time ? src[b++] : src[a++];
			while (a < m)
				dst[o++] = src[a++];
			while (b < e)
				dst[o++] = src[b++];
			w->runs[nk++] = w->runs[r];
		}
		w->runs[nk] = n;
		k = nk;
		struct qent *t = src;
		src = dst;
		dst = t;
	}
	if (src != w->q) {
		/* the sorted queue is the scratch array now: swap the buffers */
		struct qent *t = w->q;
		size_t c = w->qcap;
		w->q = w->tmp;
		w->qcap = w->tmp_cap;
		w->tmp = t;
		w->tmp_cap = c;
	}
}

static void deliver(struct walk *w, const unsigned char *rec, uint32_t event, uint64_t off)
{
	if (w->stopped)
		return;
	struct perf_event_header h;
	memcpy(&h, rec, sizeof(h));
	if ((uintptr_t)rec & 7) {
		memcpy(w->scratch, rec, h.size);
		rec = (const unsigned char *)w->scratch;
	}
	struct flame_sample_rec out;
	int rc = flame_perf_decode(&w->pd->events[event].layout, rec, h.size, &out);
	if (rc < 0) {
		if (!w->pd->stats.malformed++) {
			w->pd->stats.first_bad_offset = off;
			w->pd->stats.first_bad_type = h.type;
			w->pd->stats.first_bad_size = h.size;
		}
		return;
	}
	if (rc == 0)
		return;
	out.event = event;
	if (w->fn(w->ctx, &out))
		w->stopped = 1;
}

/* Release the queued records with time <= limit, oldest first. */
static void flush(struct walk *w, uint64_t limit)
{
	if (!w->nq)
		return;
	sort_queue(w);
	size_t i = 0;
	for (; i < w->nq && w->q[i].time <= limit; i++) {
		struct qent *e = &w->q[i];
		deliver(w, e->rec, e->event, e->off);
		w->released = e->time;
		if (e->copy) {
			w->copied -= ((const struct perf_event_header *)(const void *)e->copy)->size;
			free(e->copy);
		}
	}
	memmove(w->q, w->q + i, (w->nq - i) * sizeof(*w->q));
	w->nq -= i;
}

/* A record the kernel wrote: queue it by time, or deliver it now when it
 * carries none.  copy: rec lives in a transient buffer. */
static void kernel_record(struct walk *w, const unsigned char *rec, uint64_t off, int copy)
{
	struct flame_perfdata *pd = w->pd;
	struct perf_event_header h;
	memcpy(&h, rec, sizeof(h));
	pd->stats.records++;
	if (!flame_perf_type_used(h.type))
		return;
	if (h.type == PERF_RECORD_SAMPLE)
		pd->stats.samples++;
	if (!pd->nevents)
		return; /* pipe mode, before the first event's attr: nothing decodes it */
	if ((uintptr_t)rec & 7) {
		memcpy(w->scratch, rec, h.size);
		rec = (const unsigned char *)w->scratch;
	}
	uint32_t event = 0;
	if (pd->nevents > 1) {
		uint64_t id;
		int rc = flame_perf_id(&pd->events[0].layout, rec, h.size, &id);
		struct idmap key = { id, 0 }, *hit = NULL;
		if (rc == 1)
			hit = bsearch(&key, w->ids, w->nids, sizeof(*w->ids), cmp_id);
		if (hit) {
			event = hit->event;
		} else if (h.type == PERF_RECORD_SAMPLE) {
			pd->stats.unknown_id++;
			return;
		}
	}
	const struct flame_perf_layout *l = &pd->events[event].layout;
	int timed = (l->sample_type & PERF_SAMPLE_TIME) &&
		    (h.type == PERF_RECORD_SAMPLE || l->sample_id_all);
	if (!timed) {
		deliver(w, rec, event, off);
		return;
	}
	uint64_t t = flame_perf_time(l, rec, h.size);
	if (t > w->max_time)
		w->max_time = t;
	if (t < w->released)
		pd->stats.out_of_order++;
	FLAME_GROW(w->q, w->qcap, w->nq + 1);
	struct qent *e = &w->q[w->nq++];
	e->time = t;
	e->seq = w->seq++;
	e->off = off;
	e->event = event;
	e->copy = NULL;
	e->rec = rec;
	if (copy || rec == (const unsigned char *)w->scratch) {
		e->copy = flame_xmalloc(h.size);
		memcpy(e->copy, rec, h.size);
		e->rec = e->copy;
		w->copied += h.size;
	}
	if (w->nq >= QUEUE_MAX || w->copied >= COPY_MAX) {
		/* no rounds (or huge ones): release the older half, as perf does
		 * when its queue outgrows its memory */
		sort_queue(w);
		flush(w, w->q[w->nq / 2].time);
	}
}

/* The records in a decompressed stream; a record may continue in the
 * next compressed record, so the tail is kept. */
static int decompress(struct walk *w, const unsigned char *src, size_t n, uint64_t off,
		      struct flame_error *err)
{
	if (!w->z) {
		w->z = ZSTD_createDCtx();
		w->zout = flame_xmalloc(DECOMP_CAP);
		if (!w->z)
			return fail(err, off, "cannot start the zstd decompressor", NULL);
		ZSTD_DCtx_setParameter(w->z, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
	}
	ZSTD_inBuffer in = { src, n, 0 };
	int full = 0; /* the last call filled the output: zstd may hold more */
	while ((in.pos < in.size || full) && !w->stopped) {
		ZSTD_outBuffer out = { w->zout, DECOMP_CAP, w->zlen };
		size_t rc = ZSTD_decompressStream(w->z, &out, &in);
		if (ZSTD_isError(rc))
			return fail(err, off, "corrupt compressed records: ", ZSTD_getErrorName(rc));
		full = out.pos == out.size;
		size_t pos = 0;
		while (out.pos - pos >= sizeof(struct perf_event_header)) {
			struct perf_event_header h;
			memcpy(&h, w->zout + pos, sizeof(h));
			if (h.size < sizeof(h))
				return fail(err, off, "a compressed record holds a record of size 0", NULL);
			if (h.size > out.pos - pos)
				break;
			if (h.type >= REC_USER_START)
				w->pd->stats.records++; /* perf puts only kernel records here */
			else
				kernel_record(w, w->zout + pos, off, 1);
			pos += h.size;
		}
		memmove(w->zout, w->zout + pos, out.pos - pos);
		w->zlen = out.pos - pos;
		if (out.pos == DECOMP_CAP && pos == 0)
			return fail(err, off, "compressed records decompress to an impossible record", NULL);
	}
	w->pd->stats.compressed += n;
	return 0;
}

/* Pipe mode: PERF_RECORD_HEADER_ATTR {header, perf_event_attr, u64 ids[]}
 * declares an event. */
static int pipe_attr(struct walk *w, const unsigned char *rec, uint16_t size, uint64_t off,
		     struct flame_error *err)
{
	struct flame_perfdata *pd = w->pd;
	uint32_t asz = 0;
	if (size >= 16)
		memcpy(&asz, rec + 12, 4);
	if (!asz)
		asz = PERF_ATTR_SIZE_VER0;
	if (asz < PERF_ATTR_SIZE_VER0 || asz > size - 8u)
		return fail(err, off, "expected an attr record holding its attr", NULL);
	if (pd->nevents >= MAX_PIPE_EVENTS)
		return fail(err, off, "more than 4096 events", NULL);
	pd->events = flame_xrealloc(pd->events, (pd->nevents + 1) * sizeof(*pd->events));
	struct flame_perfdata_event *e = &pd->events[pd->nevents];
	memset(e, 0, sizeof(*e));
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	memcpy(&a, rec + 8, asz < sizeof(a) ? asz : sizeof(a));
	layout_from_attr(&a, &e->layout);
	e->type = a.type;
	e->config = a.config;
	e->nids = (size - 8u - asz) / 8;
	e->ids = flame_xmalloc((e->nids ? e->nids : 1) * sizeof(*e->ids));
	memcpy(e->ids, rec + 8 + asz, e->nids * 8);
	default_name(e);
	uint32_t idx = (uint32_t)pd->nevents++;
	w->ids = flame_xrealloc(w->ids, (w->nids + e->nids + 1) * sizeof(*w->ids));
	for (size_t k = 0; k < e->nids; k++)
		w->ids[w->nids++] = (struct idmap){ e->ids[k], idx };
	qsort(w->ids, w->nids, sizeof(*w->ids), cmp_id);
	return 0;
}

/* Pipe mode: PERF_RECORD_EVENT_UPDATE {header, u64 type, u64 id, data}
 * names an event (type NAME). */
static void pipe_event_update(struct walk *w, const unsigned char *rec, uint16_t size)
{
	uint64_t type, id;
	if (size <= 24)
		return;
	memcpy(&type, rec + 8, 8);
	memcpy(&id, rec + 16, 8);
	struct idmap key = { id, 0 }, *hit = bsearch(&key, w->ids, w->nids, sizeof(*w->ids), cmp_id);
	if (type != EVENT_UPDATE_NAME || !hit)
		return;
	const char *name = (const char *)rec + 24;
	struct flame_perfdata_event *e = &w->pd->events[hit->event];
	free(e->name);
	e->name = flame_xmemdup(name, strnlen(name, size - 24u));
}

static int walk_data(struct walk *w, struct flame_error *err)
{
	struct flame_perfdata *pd = w->pd;
	uint64_t off = pd->data_offset, end = pd->data_offset + pd->data_size;
	while (off < end && !w->stopped) {
		struct perf_event_header h;
		if (end - off < sizeof(h))
			return fail(err, off, "expected a record header, found the end of the data section",
				    NULL);
		memcpy(&h, pd->base + off, sizeof(h));
		if (h.size < sizeof(h))
			return fail(err, off, "expected a record of at least 8 bytes (a corrupt file?)", NULL);
		if (h.size > end - off)
			return fail(err, off, "a record runs past the end of the data section (truncated?)",
				    NULL);
		const unsigned char *rec = pd->base + off;
		uint64_t next = off + h.size;
		if (h.type < REC_USER_START) {
			kernel_record(w, rec, off, 0);
		} else {
			pd->stats.records++;
			switch (h.type) {
			case REC_FINISHED_ROUND:
				pd->stats.rounds++;
				flush(w, w->next_flush);
				w->next_flush = w->max_time;
				break;
			case REC_COMPRESSED:
				if (decompress(w, rec + 8, h.size - 8u, off, err) < 0)
					return -1;
				break;
			case REC_COMPRESSED2: {
				uint64_t dsz = 0;
				if (h.size >= 16)
					memcpy(&dsz, rec + 8, 8);
				if (h.size < 16 || dsz > h.size - 16u)
					return fail(err, off, "a compressed record's data size runs past it",
						    NULL);
				if (decompress(w, rec + 16, (size_t)dsz, off, err) < 0)
					return -1;
				break;
			}
			case REC_HEADER_ATTR:
				if (pd->pipe && pipe_attr(w, rec, h.size, off, err) < 0)
					return -1;
				break;
			case REC_EVENT_UPDATE:
				if (pd->pipe)
					pipe_event_update(w, rec, h.size);
				break;
			case REC_HEADER_FEATURE:
				if (pd->pipe && h.size >= 16) {
					uint64_t feat;
					memcpy(&feat, rec + 8, 8);
					read_feature(pd, feat, off + 16, next);
				}
				break;
						case REC_AUXTRACE: {
				/* the trace data follows the record, outside its size */
				uint64_t asz;
				if (h.size < 16)
					return fail(err, off, "expected an auxtrace record of 16 bytes or more",
						    NULL);
				memcpy(&asz, rec + 8, 8);
				if (asz > end - next)
					return fail(err, off, "auxtrace data runs past the data section", NULL);
				next += asz;
				break;
			}
			default:
				break; /* attrs, thread and CPU maps, stat, time conversion, ... */
			}
		}
		off = next;
	}
	if (!w->stopped)
		flush(w, UINT64_MAX);
	return 0;
}

int flame_perfdata_records(struct flame_perfdata *pd, flame_perfdata_fn fn, void *ctx,
			   struct flame_error *err)
{
	struct walk w;
	memset(&w, 0, sizeof(w));
	w.pd = pd;
	w.fn = fn;
	w.ctx = ctx;
	w.scratch = flame_xmalloc(65536);
	size_t nids = 0;
	for (size_t i = 0; i < pd->nevents; i++)
		nids += pd->events[i].nids;
	w.ids = flame_xmalloc((nids ? nids : 1) * sizeof(*w.ids));
	for (size_t i = 0; i < pd->nevents; i++)
		for (size_t k = 0; k < pd->events[i].nids; k++)
			w.ids[w.nids++] = (struct idmap){ pd->events[i].ids[k], (uint32_t)i };
	qsort(w.ids, w.nids, sizeof(*w.ids), cmp_id);
	int rc = walk_data(&w, err);
	for (size_t i = 0; i < w.nq; i++)
		free(w.q[i].copy);
	free(w.q);
	free(w.tmp);
	free(w.runs);
	free(w.ids);
	free(w.scratch);
	free(w.zout);
	ZSTD_freeDCtx(w.z);
	if (rc < 0)
		return -1;
	return w.stopped ? 1 : 0;
}

/* ---- build-ids of files on this machine ---- */

static int note_build_id(Elf_Data *d, char *out)
{
	size_t off = 0, noff, doff;
	GElf_Nhdr nh;
	while ((off = gelf_getnote(d, off, &nh, &noff, &doff)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp((const char *)d->d_buf + noff, "GNU", 4) == 0 && nh.n_descsz > 0 &&
		    nh.n_descsz <= 20) {
			const unsigned char *p = (const unsigned char *)d->d_buf + doff;
			for (size_t i = 0; i < nh.n_descsz; i++) {
				static const char hexd[] = "0123456789abcdef";
				out[2 * i] = hexd[p[i] >> 4];
				out[2 * i + 1] = hexd[p[i] & 15];
			}
			out[2 * nh.n_descsz] = '\0';
			return 0;
		}
	}
	return -1;
}

int flame_perfdata_file_build_id(const char *path, char *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	int rc = -1;
	if (e && elf_kind(e) == ELF_K_ELF) {
		Elf_Scn *scn = NULL;
		while (rc < 0 && (scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
				continue;
			Elf_Data *d = elf_getdata(scn, NULL);
			if (d && d->d_buf)
				rc = note_build_id(d, out);
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return rc;
}

/* ---- the format: perf.data to folded stacks through core/record/recorder ---- */

#include <sys/mman.h>

#include "../core/record/recorder.h"
#include "format.h"

#define MAX_BUILD_ID_CHECKS 4096

struct pd_parser {
	struct flame_parse_ctx *ctx;
	int fd;                 /* spool of an input that is not mapped, or -1 */
	uint64_t spooled;
	struct flame_perfdata pd;
	struct flame_recorder *rec;
	long keep;              /* event kept: -1 not decided yet, -2 none (the filter names none) */
	char *kallsyms;         /* perf's copy of the recorded kernel's symbols, or NULL */
};

static void *pd_new(struct flame_parse_ctx *ctx)
{
	struct pd_parser *p = flame_xcalloc(1, sizeof(*p));
	p->ctx = ctx;
	p->fd = -1;
	return p;
}

static void pd_free(void *parser)
{
	struct pd_parser *p = parser;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

/* diag kind, n occurrences, one example */
static void note(struct pd_parser *p, enum flame_diag_kind k, uint64_t n, const char *what,
		 const char *text)
{
	if (!n)
		return;
	flame_diag_add(p->ctx->diag, k, p->ctx->chunk, 0, what, text, strlen(text));
	p->ctx->diag->count[k] += n - 1;
}

/* The running kernel's build-id, from /sys/kernel/notes (raw ELF notes). */
static int kernel_build_id(char *out)
{
	unsigned char buf[4096];
	int fd = open("/sys/kernel/notes", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf));
	close(fd);
	size_t off = 0;
	while (n > 0 && off + 12 <= (size_t)n) {
		uint32_t nsz, dsz, type;
		memcpy(&nsz, buf + off, 4);
		memcpy(&dsz, buf + off + 4, 4);
		memcpy(&type, buf + off + 8, 4);
		size_t name = off + 12, desc = name + (((size_t)nsz + 3) & ~(size_t)3);
		if (nsz > 4096 || dsz > 4096 || desc + dsz > (size_t)n)
			return -1;
		if (type == NT_GNU_BUILD_ID && nsz == 4 && memcmp(buf + name, "GNU", 4) == 0 &&
		    dsz > 0 && dsz <= 20) {
			for (size_t i = 0; i < dsz; i++) {
				static const char hexd[] = "0123456789abcdef";
				out[2 * i] = hexd[buf[desc + i] >> 4];
				out[2 * i + 1] = hexd[buf[desc + i] & 15];
			}
			out[2 * dsz] = '\0';
			return 0;
		}
		off = desc + (((size_t)dsz + 3) & ~(size_t)3);
	}
	return -1;
}

/* Warn about recorded files whose build-id differs from the file now at
 * that path, or that are gone: their frames would be named wrongly. */
static void check_build_ids(struct pd_parser *p)
{
	const struct flame_perfdata *pd = &p->pd;
	char host[256];
	if (pd->hostname && *pd->hostname && gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		if (strcmp(host, pd->hostname) != 0)
			note(p, FLAME_DIAG_SYMBOLS, 1,
			     "recorded on another machine: frames are named from this one's files",
			     pd->hostname);
	}
	size_t n = pd->nbuild_ids < MAX_BUILD_ID_CHECKS ? pd->nbuild_ids : MAX_BUILD_ID_CHECKS;
	for (size_t i = 0; i < n; i++) {
		const struct flame_perfdata_build_id *b = &pd->build_ids[i];
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(pd->build_ids[j].path, b->path) == 0;
		if (seen || !b->hex[0])
			continue;
		char now[41] = "";
		struct flame_buf m = FLAME_BUF_INIT;
		const char *why = NULL;
		if (b->kernel) {
			if (strcmp(b->path, "[kernel.kallsyms]") != 0 || p->kallsyms)
				continue; /* modules: kallsyms covers them; perf's copy: as recorded */
			if (kernel_build_id(now) == 0 && strcmp(now, b->hex) != 0)
				why = "this is not the kernel recorded (build-id differs): kernel frames "
				      "may be named wrongly";
		} else if (b->path[0] == '/') {
			if (flame_perfdata_file_build_id(b->path, now) < 0) {
				if (access(b->path, F_OK) != 0)
					why = "a recorded file is gone: its frames stay unknown";
			} else if (strcmp(now, b->hex) != 0) {
				why = "a recorded file changed since (build-id differs): its frames may be "
				      "named wrongly";
			}
		}
		if (why) {
			flame_buf_addf(&m, "%s (recorded build-id %s)", b->path, b->hex);
			note(p, FLAME_DIAG_SYMBOLS, 1, why, m.data);
		}
		flame_buf_release(&m);
	}
}

/* The address of _text in a kallsyms file (it comes in the first lines:
 * the file is sorted by address).  0 when not found. */
static uint64_t text_address(const char *path)
{
	char buf[16384];
	if (flame_read_head(path, buf, sizeof(buf)) <= 0)
		return 0;
	for (char *line = buf, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		size_t l = strlen(line);
		if (l > 8 && strcmp(line + l - 6, " _text") == 0)
			return strtoull(line, NULL, 16);
	}
	return 0;
}

/* perf record keeps a copy of /proc/kallsyms in its build-id cache,
 * $PERF_BUILDID_DIR or ~/.debug, under [kernel.kallsyms]/BUILD-ID/ (the
 * recorded kernel's build-id; the running kernel's when perf recorded
 * none).  It is a plain file, much faster to read than /proc/kallsyms.
 * Used only when it places the kernel where /proc/kallsyms does now: a
 * copy from an earlier boot may have other addresses. */
static char *cached_kallsyms(const struct flame_perfdata *pd)
{
	const char *dir = getenv("PERF_BUILDID_DIR");
	const char *home = getenv("HOME");
	char id[41] = "";
	for (size_t i = 0; i < pd->nbuild_ids && !id[0]; i++) {
		const struct flame_perfdata_build_id *b = &pd->build_ids[i];
		if (b->kernel && strcmp(b->path, "[kernel.kallsyms]") == 0 && strlen(b->hex) >= 8)
			snprintf(id, sizeof(id), "%s", b->hex);
	}
	if (!id[0] && kernel_build_id(id) < 0)
		return NULL;
	struct flame_buf path = FLAME_BUF_INIT;
	if (dir && *dir)
		flame_buf_addf(&path, "%s/[kernel.kallsyms]/%s/kallsyms", dir, id);
	else if (home && *home)
		flame_buf_addf(&path, "%s/.debug/[kernel.kallsyms]/%s/kallsyms", home, id);
	if (path.len && access(path.data, R_OK) == 0) {
		uint64_t t = text_address(path.data);
		if (t && t == text_address("/proc/kallsyms"))
			return path.data;
	}
	flame_buf_release(&path);
	return NULL;
}

/* The event to keep: --event-filter, else the one kept in an earlier
 * input, else (-1) the event of the first sample. */
static long pick_event(struct pd_parser *p)
{
	const char *want = p->ctx->opts->event_filter ? p->ctx->opts->event_filter : p->ctx->event;
	if (!want)
		return -1;
	for (size_t i = 0; i < p->pd.nevents; i++)
		if (strcmp(p->pd.events[i].name, want) == 0)
			return (long)i;
	return -2;
}

static int pd_on_record(void *ctx, const struct flame_sample_rec *r)
{
	struct pd_parser *p = ctx;
	if (r->type == FLAME_REC_SAMPLE) {
		/* an empty callchain: perf script prints no frames, so the
		 * text path has no stack for it either; unless the user part
		 * is to be unwound from a stack copy (--call-graph dwarf) */
		if (!r->u.sample.nips && !r->u.sample.stack_size &&
		    (p->pd.events[r->event].layout.sample_type & PERF_SAMPLE_CALLCHAIN))
			return 0;
		if (p->keep == -1) {
			/* decided at the first sample: by then even a pipe-mode
			 * file has declared and named its events */
			p->keep = pick_event(p);
			if (p->keep == -1)
				p->keep = (long)r->event;
		}
		if (p->keep != (long)r->event) {
			const char *name = p->pd.events[r->event].name;
			flame_diag_add(p->ctx->diag, FLAME_DIAG_OTHER_EVENT, p->ctx->chunk, 0,
				       "sample of another event", name, strlen(name));
			return 0;
		}
	}
	flame_recorder_add(p->rec, r);
	return 0;
}


static int pd_read(struct pd_parser *p, const void *buf, size_t len)
{
	struct flame_parse_ctx *ctx = p->ctx;
	const struct flame_read_opts *o = ctx->opts;
	struct flame_error err = { 0 };
	if (o->nskip_after)
		return flame_parse_fail(ctx, 0, "--skip-after does not apply to perf.data input "
						"(use: perf script | flame collapse --skip-after ...)");
	int rc = flame_perfdata_open(&p->pd, buf, len, &err);
	if (rc == 0) {
		p->keep = -1;
		struct flame_recorder_opts ro;
		memset(&ro, 0, sizeof(ro));
		ro.include_pid = o->include_pid;
		ro.include_tid = o->include_tid;
		ro.annotate_kernel = o->annotate_kernel;
		ro.annotate_jit = o->annotate_jit;
		ro.include_addrs = o->include_addrs;
		ro.demangle = 1;
		ro.kernel = 1;
		ro.timeline = o->want_timeline;
		ro.no_proc = 1;
		ro.ret_as_is = 1; /* frames as perf script names them */
		p->kallsyms = cached_kallsyms(&p->pd);
		ro.kallsyms = p->kallsyms;
		/* the recorder starts loading kernel symbols in the background:
		 * create it first, then check the build-ids meanwhile */
		p->rec = flame_recorder_new(ctx->prof, &ro);
		check_build_ids(p);
		rc = flame_perfdata_records(&p->pd, pd_on_record, p, &err);
		flame_recorder_free(p->rec);
		p->rec = NULL;
		free(p->kallsyms);
		p->kallsyms = NULL;
		const struct flame_perfdata_stats *st = &p->pd.stats;
		if (st->malformed) {
			char what[96], rec[64];
			snprintf(what, sizeof(what), "offset %" PRIu64 ": a record that does not decode "
				 "(skipped)", st->first_bad_offset);
			snprintf(rec, sizeof(rec), "type %u, %u bytes", st->first_bad_type,
				 st->first_bad_size);
			note(p, FLAME_DIAG_BAD_RECORD, st->malformed, what, rec);
		}
		if (st->unknown_id) {
			char n[32];
			snprintf(n, sizeof(n), "%" PRIu64 " samples", st->unknown_id);
			note(p, FLAME_DIAG_BAD_RECORD, st->unknown_id,
			     "samples of an event id no event of the file has (skipped)", n);
		}
		if (st->out_of_order) {
			char n[32];
			snprintf(n, sizeof(n), "%" PRIu64 " records", st->out_of_order);
			note(p, FLAME_DIAG_BAD_RECORD, st->out_of_order,
			     "records older than records already taken (a round ended early; as perf "
			     "script, taken late)", n);
		}
		if (p->keep >= 0)
			ctx->chosen_event = flame_xstrdup(p->pd.events[p->keep].name);
		else if (o->event_filter)
			ctx->chosen_event = flame_xstrdup(o->event_filter);
	}
	flame_perfdata_release(&p->pd);
	if (rc < 0)
		return flame_parse_fail(ctx, 0, "%s", err.msg);
	return 0;
}

static int spool_write(struct pd_parser *p, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(p->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return flame_parse_fail(p->ctx, 0, "cannot keep the perf.data input in a "
							    "temporary file: %s", strerror(errno));
		buf += n;
		len -= (size_t)n;
		p->spooled += (uint64_t)n;
	}
	return 0;
}

static int pd_parse(void *parser, const char *buf, size_t len, int file_start, int file_end)
{
	struct pd_parser *p = parser;
	if (file_start) {
		if (p->fd >= 0)
			close(p->fd);
		p->fd = -1;
		p->spooled = 0;
		if (file_end)
			return pd_read(p, buf, len); /* mapped, or small: all here */
		const char *dir = getenv("TMPDIR");
		struct flame_buf path = FLAME_BUF_INIT;
		flame_buf_addf(&path, "%s/flame-perfdata.XXXXXX", dir && *dir ? dir : "/tmp");
		p->fd = mkstemp(path.data);
		if (p->fd >= 0)
			unlink(path.data);
		flame_buf_release(&path);
		if (p->fd < 0)
			return flame_parse_fail(p->ctx, 0, "cannot create a temporary file for the "
							   "perf.data input: %s", strerror(errno));
	}
	if (p->fd < 0)
		return 0; /* an earlier chunk failed */
	if (spool_write(p, buf, len) < 0)
		return -1;
	if (!file_end)
		return 0;
	int rc;
	void *map = p->spooled ? mmap(NULL, (size_t)p->spooled, PROT_READ, MAP_PRIVATE, p->fd, 0)
			       : MAP_FAILED;
	if (map == MAP_FAILED) {
		rc = flame_parse_fail(p->ctx, 0, "cannot map the temporary copy of the perf.data "
						 "input: %s", strerror(errno));
	} else {
		rc = pd_read(p, map, (size_t)p->spooled);
		munmap(map, (size_t)p->spooled);
	}
	close(p->fd);
	p->fd = -1;
	return rc;
}

static enum flame_probe pd_probe(const char *buf, size_t len, int eof)
{
	if (len < 8)
		return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
	return flame_perfdata_probe(buf, len) ? FLAME_PROBE_YES : FLAME_PROBE_NO;
}

const struct flame_format flame_format_perfdata = {
	.name = "perf-data",
	.aliases = "perfdata perf.data",
	.summary = "perf record's binary perf.data (symbolized here, like perf script)",
	.probe = pd_probe,
	.parser_new = pd_new,
	.parse = pd_parse,
	.parser_free = pd_free,
	.streaming = 1,
	.whole_input = 1,
};
