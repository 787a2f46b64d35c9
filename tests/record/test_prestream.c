/*
 * test_prestream.c - the reader of libflame-preload.so's streams
 * (core/record/prestream.c): records of each kind, messages for bad data with file
 * and offset, and the merge of a directory of streams (exec chains, time
 * order of samples across processes, a bad file among good ones).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record/preload/stream.h"
#include "core/record/prestream.h"

#include "check.h"

int failures;

/* A stream under construction, 8-byte aligned. */
struct sb {
	uint64_t words[1024];
	size_t len; /* bytes */
};

static void add(struct sb *b, const void *p, size_t n)
{
	memcpy((unsigned char *)b->words + b->len, p, n);
	b->len += n;
	while (b->len % 8)
		((unsigned char *)b->words)[b->len++] = 0;
}

static void header(struct sb *b, uint32_t pid, uint64_t start)
{
	unsigned char h[40];
	memset(h, 0, sizeof(h));
	memcpy(h, FLAME_PRE_MAGIC, 8);
	uint32_t v[4] = { FLAME_PRE_VERSION, FLAME_PRE_HEADER_SIZE, pid, 1 };
	memcpy(h + 8, v, sizeof(v));
	uint64_t w[2] = { 1000000, start };
	memcpy(h + 24, w, sizeof(w));
	b->len = 0;
	add(b, h, sizeof(h));
}

static void comm(struct sb *b, uint32_t tid, const char *name, int exec)
{
	uint32_t n = (uint32_t)strlen(name);
	uint32_t r[8] = { FLAME_PRE_COMM, (uint32_t)(32 + ((n + 7) & ~7u)), tid, (uint32_t)exec, 0, 0, n, 0 };
	add(b, r, sizeof(r));
	add(b, name, n);
}

static void mmap_rec(struct sb *b, uint64_t start, uint64_t len, const char *name)
{
	uint32_t n = (uint32_t)strlen(name);
	uint32_t h[2] = { FLAME_PRE_MMAP, (uint32_t)(56 + ((n + 7) & ~7u)) };
	uint64_t q[4] = { start, len, 0, 42 };
	uint32_t t[4] = { 8, 1, 5, n };
	add(b, h, sizeof(h));
	add(b, q, sizeof(q));
	add(b, t, sizeof(t));
	add(b, name, n);
}

static void sample(struct sb *b, uint32_t tid, uint64_t time, const uint64_t *ips, uint32_t n)
{
	uint32_t h[4] = { FLAME_PRE_SAMPLE, 32 + 8 * n, tid, n };
	uint64_t q[2] = { time, 1000000 };
	add(b, h, sizeof(h));
	add(b, q, sizeof(q));
	add(b, ips, 8u * n);
}

static void raw(struct sb *b, uint32_t type, uint32_t size)
{
	uint32_t h[2] = { type, size };
	add(b, h, sizeof(h));
	static const unsigned char z[64];
	if (size > 8)
		add(b, z, size - 8);
}

static void t_records(void)
{
	struct sb b;
	uint64_t ips[3] = { 0x401000, 0x402000, 0x403000 };
	header(&b, 100, 5);
	comm(&b, 100, "prog", 1);
	mmap_rec(&b, 0x400000, 0x10000, "/usr/bin/prog");
	sample(&b, 101, 77, ips, 3);
	raw(&b, 99, 24); /* a later version's record: skipped */
	uint32_t lost[6] = { FLAME_PRE_LOST, 24, 5, 0, 9, 0 };
	add(&b, lost, sizeof(lost));
	uint32_t end[6] = { FLAME_PRE_END, 24, 0, 1, 0, 0 };
	add(&b, end, sizeof(end));

	struct flame_prestream s;
	struct flame_error err = { 0 };
	CHECK(flame_prestream_open(&s, b.words, b.len, "a.fps", &err) == 0);
	CHECK(s.pid == 100 && s.period == 1000000 && s.start == 5);
	struct flame_sample_rec r;
	CHECK(flame_prestream_next(&s, &r, &err) == 1 && r.type == FLAME_REC_COMM);
	CHECK(r.pid == 100 && r.tid == 100 && r.u.comm.exec == 1 && strcmp(r.u.comm.comm, "prog") == 0);
	CHECK(flame_prestream_next(&s, &r, &err) == 1 && r.type == FLAME_REC_MMAP);
	CHECK(r.u.mmap.start == 0x400000 && r.u.mmap.len == 0x10000 && r.u.mmap.ino == 42 &&
	      r.u.mmap.maj == 8 && r.u.mmap.min == 1 && r.u.mmap.prot == 5 &&
	      strcmp(r.u.mmap.filename, "/usr/bin/prog") == 0);
	CHECK(flame_prestream_next(&s, &r, &err) == 1 && r.type == FLAME_REC_SAMPLE);
	CHECK(r.pid == 100 && r.tid == 101 && r.time == 77 && r.u.sample.period == 1000000 &&
	      r.u.sample.nips == 3 && r.u.sample.ips[2] == 0x403000 && r.u.sample.ip == 0x401000 &&
	      !r.u.sample.kernel);
	CHECK(flame_prestream_next(&s, &r, &err) == 1 && r.type == FLAME_REC_LOST && r.u.lost.lost == 5);
	CHECK(flame_prestream_next(&s, &r, &err) == 0);
	CHECK(s.ended == 1 && s.replaced == 1);
	flame_prestream_release(&s);

	/* the same stream cut in the middle of the sample */
	size_t cut = 40 + 40 + 72 + 8; /* header, comm, mmap, 8 bytes of the sample */
	CHECK(flame_prestream_open(&s, b.words, cut, "a.fps", &err) == 0);
	CHECK(flame_prestream_next(&s, &r, &err) == 1);
	CHECK(flame_prestream_next(&s, &r, &err) == 1);
	CHECK(flame_prestream_next(&s, &r, &err) == -1);
	if (!strstr(err.msg, "a.fps") || !strstr(err.msg, "offset 152:") || !strstr(err.msg, "within the"))
		fprintf(stderr, "message: %s\n", err.msg), failures++;
	flame_prestream_release(&s);

	/* a bad header */
	header(&b, 1, 1);
	b.words[1] = 7; /* version 7 */
	CHECK(flame_prestream_open(&s, b.words, b.len, "v.fps", &err) == -1);
	CHECK(strstr(err.msg, "v.fps") && strstr(err.msg, "offset 8: expected stream version 1, got 7"));
	CHECK(flame_prestream_open(&s, "FLAMEXXX", 8, "m.fps", &err) == -1);
	CHECK(strstr(err.msg, "offset 0: expected a flame preload stream"));
}

/* ---- a directory ---- */

static char order[256];

static void collect(void *ctx, const struct flame_sample_rec *r)
{
	char one[64];
	if (r->type == FLAME_REC_COMM)
		snprintf(one, sizeof(one), "C%s ", r->u.comm.comm);
	else if (r->type == FLAME_REC_SAMPLE)
		snprintf(one, sizeof(one), "S%llu ", (unsigned long long)r->time);
	else
		snprintf(one, sizeof(one), "?%d ", (int)r->type);
	strncat(order, one, sizeof(order) - strlen(order) - 1);
	(void)ctx;
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	CHECK(f && fwrite(p, 1, n, f) == n);
	if (f)
		fclose(f);
}

static void t_dir(void)
{
	char dir[] = "/tmp/flame-prestream-test.XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	uint64_t ip = 0x401000;
	struct sb b;
	/* pid 7 before exec (a), after exec (b); pid 8 (c) */
	header(&b, 7, 100);
	comm(&b, 7, "a", 1);
	sample(&b, 7, 10, &ip, 1);
	sample(&b, 7, 30, &ip, 1);
	write_file(dir, "7-100.fps", b.words, b.len);
	header(&b, 7, 200);
	comm(&b, 7, "b", 1);
	sample(&b, 7, 20, &ip, 1);
	write_file(dir, "7-200.fps", b.words, b.len);
	header(&b, 8, 50);
	comm(&b, 8, "c", 1);
	sample(&b, 8, 15, &ip, 1);
	sample(&b, 8, 25, &ip, 1);
	write_file(dir, "8-50.fps", b.words, b.len);
	write_file(dir, "junk.fps", "not a stream", 12);
	write_file(dir, "ignored.txt", "x", 1);

	struct flame_prestream_stats st;
	struct flame_error err = { 0 };
	CHECK(flame_prestream_read_dir(dir, collect, NULL, &st, &err) == 0);
	if (strcmp(order, "Ca Cc S10 S15 S25 S30 Cb S20 ") != 0) {
		fprintf(stderr, "order: %s\n", order);
		failures++;
	}
	CHECK(st.streams == 3 && st.processes == 2 && st.bad == 1 && st.period == 1000000);
	CHECK(strstr(st.first_bad, "junk.fps") && strstr(st.first_bad, "offset 0"));

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	CHECK(flame_prestream_read_dir(dir, collect, NULL, &st, &err) == -1);
	CHECK(strstr(err.msg, "cannot read"));
}

int main(void)
{
	t_records();
	t_dir();
	if (failures) {
		fprintf(stderr, "%d check%s failed\n", failures, failures == 1 ? "" : "s");
		return 1;
	}
	printf("ok\n");
	return 0;
}
