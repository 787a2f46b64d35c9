/*
 * test_perfdata.c - formats/perfdata.h on perf.data files built in memory:
 * records delivered in time order (within rounds, without rounds, equal
 * times in file order), stopping, and refusals with their offsets.
 */
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

#include "../../formats/perfdata.h"
#include "check.h"

#define ST (PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD)

/* A file under construction: header and one event, then records. */
struct file {
	uint64_t *w;
	size_t len, cap; /* bytes */
};

static void put(struct file *f, const void *p, size_t n)
{
	if (f->len + n > f->cap) {
		f->cap = (f->len + n) * 2;
		f->w = realloc(f->w, f->cap);
	}
	memcpy((unsigned char *)f->w + f->len, p, n);
	f->len += n;
}

static void put64(struct file *f, uint64_t v) { put(f, &v, 8); }

static void begin(struct file *f)
{
	memset(f, 0, sizeof(*f));
	unsigned char hdr[104] = { 0 };
	memcpy(hdr, "PERFILE2", 8);
	uint64_t v[6] = { 104, 128 + 16, 104, 128 + 16, 104 + 128 + 16, 0 };
	memcpy(hdr + 8, v, sizeof(v));
	put(f, hdr, sizeof(hdr));
	struct perf_event_attr a;
	unsigned char raw[128] = { 0 };
	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = 128;
	a.sample_type = ST;
	a.sample_id_all = 1;
	memcpy(raw, &a, sizeof(a) < sizeof(raw) ? sizeof(a) : sizeof(raw));
	put(f, raw, sizeof(raw));
	put64(f, 0); /* ids: none */
	put64(f, 0);
}

static void sample(struct file *f, uint64_t time, uint64_t period)
{
	struct perf_event_header h = { PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER, 8 + 32 };
	put(f, &h, sizeof(h));
	put64(f, 0x1000);          /* ip */
	put64(f, 7 | (7ull << 32)); /* pid, tid */
	put64(f, time);
	put64(f, period);
}

static void round_end(struct file *f)
{
	struct perf_event_header h = { 68 /* PERF_RECORD_FINISHED_ROUND */, 0, 8 };
	put(f, &h, sizeof(h));
}

static void end(struct file *f)
{
	uint64_t size = f->len - (104 + 128 + 16);
	memcpy((unsigned char *)f->w + 48, &size, 8);
}

struct seen {
	uint64_t n, last_time, last_period, unordered, stop_after;
};

static int on_record(void *ctx, const struct flame_sample_rec *r)
{
	struct seen *s = ctx;
	if (r->type != FLAME_REC_SAMPLE)
		return 0;
	/* period = file position: equal times must keep it increasing */
	if (s->n && (r->time < s->last_time ||
		     (r->time == s->last_time && r->u.sample.period < s->last_period)))
		s->unordered++;
	s->last_time = r->time;
	s->last_period = r->u.sample.period;
	s->n++;
	return s->stop_after && s->n == s->stop_after;
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int walk(struct file *f, struct seen *s, struct flame_perfdata_stats *st)
{
	struct flame_perfdata pd;
	struct flame_error err = { 0 };
	int rc = flame_perfdata_open(&pd, f->w, f->len, &err);
	if (rc == 0)
		rc = flame_perfdata_records(&pd, on_record, s, &err);
	if (st)
		*st = pd.stats;
	flame_perfdata_release(&pd);
	return rc;
}

/* No rounds: everything sorted at the end, equal times in file order. */
static void t_sorted_without_rounds(void)
{
	struct file f;
	begin(&f);
	for (uint64_t i = 1; i <= 20000; i++)
		sample(&f, next_rand() % 500, i);
	end(&f);
	struct seen s = { 0 };
	CHECK_U64(walk(&f, &s, NULL), 0);
	CHECK_U64(s.n, 20000);
	CHECK_U64(s.unordered, 0);
	free(f.w);
}

/* Rounds of two per-CPU runs each: a round releases what is older than the
 * previous round's newest record; nothing comes out of order. */
static void t_rounds(void)
{
	struct file f;
	begin(&f);
	uint64_t pos = 1;
	for (uint64_t r = 0; r < 50; r++) {
		for (int cpu = 0; cpu < 2; cpu++)
			for (uint64_t t = 0; t < 100; t++)
				sample(&f, r * 1000 + t * 10 + (uint64_t)cpu * 3, pos++);
		round_end(&f);
	}
	end(&f);
	struct seen s = { 0 };
	struct flame_perfdata_stats st;
	CHECK_U64(walk(&f, &s, &st), 0);
	CHECK_U64(s.n, 10000);
	CHECK_U64(s.unordered, 0);
	CHECK_U64(st.rounds, 50);
	CHECK_U64(st.out_of_order, 0);
	free(f.w);
}

/* A record older than what a round already released: counted, and taken
 * late, as perf script takes it. */
static void t_late_record(void)
{
	struct file f;
	begin(&f);
	sample(&f, 100, 1);
	round_end(&f);
	sample(&f, 200, 2);
	round_end(&f); /* releases up to 100 */
	sample(&f, 50, 3);
	round_end(&f);
	end(&f);
	struct seen s = { 0 };
	struct flame_perfdata_stats st;
	CHECK_U64(walk(&f, &s, &st), 0);
	CHECK_U64(s.n, 3);
	CHECK_U64(st.out_of_order, 1);
	free(f.w);
}

static void t_stop(void)
{
	struct file f;
	begin(&f);
	for (uint64_t i = 1; i <= 100; i++)
		sample(&f, i, i);
	end(&f);
	struct seen s = { 0 };
	s.stop_after = 10;
	CHECK_U64(walk(&f, &s, NULL), 1);
	CHECK_U64(s.n, 10);
	free(f.w);
}

static void t_refusals(void)
{
	struct file f;
	begin(&f);
	sample(&f, 1, 1);
	end(&f);
	struct flame_perfdata pd;
	struct flame_error err = { 0 };
	/* cut inside the data section */
	CHECK_U64(flame_perfdata_open(&pd, f.w, f.len - 8, &err) + 1, 0);
	CHECK(strstr(err.msg, "offset 40: the data section is not inside the file") != NULL);
	flame_perfdata_release(&pd);
	/* a record of size 4 */
	((unsigned char *)f.w)[104 + 144 + 6] = 4;
	((unsigned char *)f.w)[104 + 144 + 7] = 0;
	memset(&err, 0, sizeof(err));
	REQUIRE(flame_perfdata_open(&pd, f.w, f.len, &err) == 0);
	struct seen s = { 0 };
	CHECK_U64(flame_perfdata_records(&pd, on_record, &s, &err) + 1, 0);
	CHECK(strstr(err.msg, "offset 248: expected a record of at least 8 bytes") != NULL);
	flame_perfdata_release(&pd);
	/* not perf.data */
	memset(&err, 0, sizeof(err));
	CHECK_U64(flame_perfdata_open(&pd, "PERFILE1", 8, &err) + 1, 0);
	CHECK(strstr(err.msg, "offset 0: expected the perf.data magic") != NULL);
	flame_perfdata_release(&pd);
	free(f.w);
}

static const struct check_case cases[] = {
	{ "sorted_without_rounds", t_sorted_without_rounds },
	{ "rounds", t_rounds },
	{ "late_record", t_late_record },
	{ "stop", t_stop },
	{ "refusals", t_refusals },
};

int main(int argc, char **argv)
{
	return CHECK_MAIN(argc, argv, cases);
}
