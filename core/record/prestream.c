/*
 * prestream.c - libflame-preload.so's streams to sampler records.  See
 * prestream.h and preload/stream.h.
 */
#include "prestream.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preload/stream.h"
#include "../util.h"

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

int flame_prestream_open(struct flame_prestream *s, const void *data, size_t len, const char *name,
			 struct flame_error *err)
{
	memset(s, 0, sizeof(*s));
	s->data = data;
	s->len = len;
	s->name = name;
	if (len < FLAME_PRE_HEADER_SIZE || memcmp(data, FLAME_PRE_MAGIC, 8) != 0)
		return flame_error_set(err, FLAME_ERR_DATA, name, 0,
				       "offset 0: expected a flame preload stream (magic \"FLPRELD\\n\", "
				       "40-byte header)");
	const unsigned char *h = data;
	uint32_t version = rd32(h + 8), hsize = rd32(h + 12);
	if (version != FLAME_PRE_VERSION)
		return flame_error_set(err, FLAME_ERR_DATA, name, 0,
				       "offset 8: expected stream version %u, got %u (written by another "
				       "flame version?)", FLAME_PRE_VERSION, version);
	if (hsize < FLAME_PRE_HEADER_SIZE || hsize > len || hsize % 8)
		return flame_error_set(err, FLAME_ERR_DATA, name, 0,
				       "offset 12: expected a header size of at least 40, a multiple of 8 "
				       "within the file, got %u", hsize);
	s->pid = rd32(h + 16);
	s->ppid = rd32(h + 20);
	s->period = rd64(h + 24);
	s->start = rd64(h + 32);
	s->off = hsize;
	return 0;
}

void flame_prestream_release(struct flame_prestream *s)
{
	free(s->scratch);
	free(s->text);
	s->scratch = NULL;
	s->text = NULL;
}

static const char *name_of(struct flame_prestream *s, const unsigned char *p, uint32_t n)
{
	if (!s->text)
		s->text = flame_xmalloc(FLAME_PRE_MAX_NAME + 1);
	memcpy(s->text, p, n);
	s->text[n] = '\0';
	return s->text;
}

int flame_prestream_next(struct flame_prestream *s, struct flame_sample_rec *rec,
			 struct flame_error *err)
{
	for (;;) {
		size_t at = s->off;
		if (at == s->len)
			return 0;
		if (s->len - at < 8)
			return flame_error_set(err, FLAME_ERR_DATA, s->name, 0,
					       "offset %zu: expected a record header (8 bytes), got %zu bytes",
					       at, s->len - at);
		const unsigned char *p = s->data + at;
		uint32_t type = rd32(p), size = rd32(p + 4);
		if (size < 8 || size % 8 || size > s->len - at)
			return flame_error_set(err, FLAME_ERR_DATA, s->name, 0,
					       "offset %zu: expected a record size of at least 8, a multiple of "
					       "8, within the %zu bytes left; got %u", at, s->len - at, size);
		s->off = at + size;
		memset(rec, 0, sizeof(*rec));
		rec->pid = s->pid;
		switch (type) {
		case FLAME_PRE_SAMPLE: {
			uint32_t n = size >= FLAME_PRE_SAMPLE_FIXED ? rd32(p + 12) : 0;
			if (size < FLAME_PRE_SAMPLE_FIXED || n == 0 || n > FLAME_PRE_MAX_IPS ||
			    size != FLAME_PRE_SAMPLE_FIXED + 8u * n)
				return flame_error_set(err, FLAME_ERR_DATA, s->name, 0,
						       "offset %zu: expected a sample of 1 to %u frames filling "
						       "its %u-byte record", at, FLAME_PRE_MAX_IPS, size);
			rec->type = FLAME_REC_SAMPLE;
			rec->tid = rd32(p + 8);
			rec->time = rd64(p + 16);
			rec->u.sample.period = rd64(p + 24);
			const unsigned char *ips = p + FLAME_PRE_SAMPLE_FIXED;
			if (((uintptr_t)ips & 7) == 0) {
				rec->u.sample.ips = (const uint64_t *)(const void *)ips;
			} else {
				if (!s->scratch)
					s->scratch = flame_xmalloc(FLAME_PRE_MAX_IPS * sizeof(uint64_t));
				memcpy(s->scratch, ips, 8u * n);
				rec->u.sample.ips = s->scratch;
			}
			rec->u.sample.nips = n;
			rec->u.sample.ip = rd64(ips);
			rec->u.sample.kernel = 0;
			return 1;
		}
		case FLAME_PRE_MMAP: {
			uint32_t n = size >= FLAME_PRE_MMAP_FIXED ? rd32(p + 52) : 0;
			if (size < FLAME_PRE_MMAP_FIXED || n == 0 || n > FLAME_PRE_MAX_NAME ||
			    n > size - FLAME_PRE_MMAP_FIXED)
				return flame_error_set(err, FLAME_ERR_DATA, s->name, 0,
						       "offset %zu: expected a mapping with a file name of 1 to "
						       "%u bytes inside its %u-byte record", at, FLAME_PRE_MAX_NAME,
						       size);
			rec->type = FLAME_REC_MMAP;
			rec->tid = s->pid;
			rec->time = 0;
			rec->u.mmap.start = rd64(p + 8);
			rec->u.mmap.len = rd64(p + 16);
			rec->u.mmap.pgoff = rd64(p + 24);
			rec->u.mmap.ino = rd64(p + 32);
			rec->u.mmap.maj = rd32(p + 40);
			rec->u.mmap.min = rd32(p + 44);
			rec->u.mmap.prot = rd32(p + 48);
			rec->u.mmap.filename = name_of(s, p + FLAME_PRE_MMAP_FIXED, n);
			return 1;
		}
		case FLAME_PRE_COMM: {
			uint32_t n = size >= FLAME_PRE_COMM_FIXED ? rd32(p + 24) : 0;
			if (size < FLAME_PRE_COMM_FIXED || n > FLAME_PRE_MAX_NAME ||
			    n > size - FLAME_PRE_COMM_FIXED)
				return flame_error_set(err, FLAME_ERR_DATA, s->name, 0,
						       "offset %zu: expected a thread name inside its %u-byte "
						       "record", at, size);
			rec->type = FLAME_REC_COMM;
			rec->tid = rd32(p + 8);
			rec->time = rd64(p + 16);
			rec->u.comm.exec = rd32(p + 12) & 1;
			rec->u.comm.comm = name_of(s, p + FLAME_PRE_COMM_FIXED, n);
			return 1;
		}
		case FLAME_PRE_LOST:
			if (size < FLAME_PRE_LOST_SIZE)
				return flame_error_set(err, FLAME_ERR_DATA, s->name, 0,
						       "offset %zu: expected a %u-byte lost-samples record, got %u",
						       at, FLAME_PRE_LOST_SIZE, size);
			rec->type = FLAME_REC_LOST;
			rec->tid = s->pid;
			rec->u.lost.lost = rd64(p + 8);
			rec->time = rd64(p + 16);
			return 1;
		case FLAME_PRE_END:
			if (size < FLAME_PRE_END_SIZE)
				return flame_error_set(err, FLAME_ERR_DATA, s->name, 0,
						       "offset %zu: expected a %u-byte end record, got %u", at,
						       FLAME_PRE_END_SIZE, size);
			s->ended++;
			if (rd32(p + 12) & 1)
				s->replaced = 1;
			continue;
		default:
			continue; /* a record type of a later version: skip it */
		}
	}
}

/* ---- a directory of streams ---- */

struct src {
	struct flame_prestream s;
	void *map;
	size_t maplen;
	char *path;
	struct src *chain;             /* the next image of the same pid (after exec) */
	int first;                     /* first of its chain */
	struct flame_sample_rec head;  /* a sample waiting for its turn */
};

struct merge {
	struct src **heap;             /* min-heap on head.time */
	size_t n;
	flame_sampler_cb cb;
	void *ctx;
	struct flame_prestream_stats *st;
};

static int src_cmp(const void *a, const void *b)
{
	const struct src *x = *(struct src *const *)a, *y = *(struct src *const *)b;
	if (x->s.pid != y->s.pid)
		return x->s.pid < y->s.pid ? -1 : 1;
	if (x->s.start != y->s.start)
		return x->s.start < y->s.start ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void heap_push(struct merge *m, struct src *s)
{
	size_t i = m->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (m->heap[parent]->head.time <= s->head.time)
			break;
		m->heap[i] = m->heap[parent];
		i = parent;
	}
	m->heap[i] = s;
}

static struct src *heap_pop(struct merge *m)
{
	struct src *top = m->heap[0], *last = m->heap[--m->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= m->n)
			break;
		if (c + 1 < m->n && m->heap[c + 1]->head.time < m->heap[c]->head.time)
			c++;
		if (last->head.time <= m->heap[c]->head.time)
			break;
		m->heap[i] = m->heap[c];
		i = c;
	}
	if (m->n)
		m->heap[i] = last;
	return top;
}

/* Hand over s's records up to its next sample, which waits in the heap;
 * at its end, go on with the next image of the same pid. */
static void advance(struct merge *m, struct src *s)
{
	while (s) {
		struct flame_error err = { 0 };
		struct flame_sample_rec rec;
		int rc;
		while ((rc = flame_prestream_next(&s->s, &rec, &err)) == 1) {
			if (rec.type == FLAME_REC_SAMPLE) {
				s->head = rec;
				heap_push(m, s);
				return;
			}
			m->cb(m->ctx, &rec);
		}
		if (rc < 0) {
			if (!m->st->bad++)
				snprintf(m->st->first_bad, sizeof(m->st->first_bad), "%s", err.msg);
		}
		if (s->s.replaced)
			m->st->replaced++;
		s = s->chain;
	}
}

static struct src *load(const char *dir, const char *file, struct flame_prestream_stats *st)
{
	struct src *s = flame_xcalloc(1, sizeof(*s));
	size_t n = strlen(dir) + strlen(file) + 2;
	s->path = flame_xmalloc(n);
	snprintf(s->path, n, "%s/%s", dir, file);
	struct flame_error err = { 0 };
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size == 0) {
		/* created, killed before its header was written: nothing to say */
		close(fd);
		free(s->path);
		free(s);
		return NULL;
	}
	if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size > 0) {
		s->maplen = (size_t)sb.st_size;
		s->map = mmap(NULL, s->maplen, PROT_READ, MAP_PRIVATE, fd, 0);
		if (s->map == MAP_FAILED)
			s->map = NULL;
	}
	if (fd >= 0)
		close(fd);
	if (!s->map) {
		flame_error_set(&err, FLAME_ERR_IO, s->path, 0, "cannot read: %s",
				fd < 0 ? strerror(errno) : "empty or unreadable");
	} else if (flame_prestream_open(&s->s, s->map, s->maplen, s->path, &err) == 0) {
		return s;
	}
	if (!st->bad++)
		snprintf(st->first_bad, sizeof(st->first_bad), "%s", err.msg);
	if (s->map)
		munmap(s->map, s->maplen);
	free(s->path);
	free(s);
	return NULL;
}

int flame_prestream_read_dir(const char *dir, flame_sampler_cb cb, void *ctx,
			     struct flame_prestream_stats *st, struct flame_error *err)
{
	memset(st, 0, sizeof(*st));
	DIR *d = opendir(dir);
	if (!d)
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "cannot read '%s': %s", dir,
				       strerror(errno));
	struct src **srcs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".fps") != 0)
			continue;
		struct src *s = load(dir, de->d_name, st);
		if (!s)
			continue;
		FLAME_GROW(srcs, cap, n + 1);
		srcs[n++] = s;
	}
	closedir(d);
	if (n)
		qsort(srcs, n, sizeof(*srcs), src_cmp);
	st->streams = n;
	for (size_t i = 0; i < n; i++) {
		srcs[i]->first = i == 0 || srcs[i - 1]->s.pid != srcs[i]->s.pid;
		if (!srcs[i]->first)
			srcs[i - 1]->chain = srcs[i];
		else
			st->processes++;
		if (!st->period)
			st->period = srcs[i]->s.period;
	}
	struct merge m = { flame_xcalloc(n + 1, sizeof(*m.heap)), 0, cb, ctx, st };
	for (size_t i = 0; i < n; i++)
		if (srcs[i]->first)
			advance(&m, srcs[i]);
	while (m.n) {
		struct src *s = heap_pop(&m);
		cb(ctx, &s->head);
		advance(&m, s);
	}
	for (size_t i = 0; i < n; i++) {
		flame_prestream_release(&srcs[i]->s);
		munmap(srcs[i]->map, srcs[i]->maplen);
		free(srcs[i]->path);
		free(srcs[i]);
	}
	free(m.heap);
	free(srcs);
	return 0;
}
