/*
 * test_offcpu.c - unit tests of off-CPU bookkeeping (core/record/offcpu.h) and of
 * the recorder fed hand-made switch-out samples and switch records: which
 * interval each stack gets, preempted and lost switches, exit and the end
 * of recording, the _[o] marks, and the timeline.  No perf_event_open.
 */
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record/offcpu.h"
#include "core/profile.h"
#include "core/record/recorder.h"
#include "core/record/sampler.h"
#include "core/util.h"
#include "formats/folded.h"

#include "check.h"

int failures;

static void t_pairs(void)
{
	struct flame_offcpu *o = flame_offcpu_new();
	struct flame_offcpu_interval iv;
	/* a switch-in with no switch-out stack is ignored */
	CHECK(flame_offcpu_switch(o, 7, 0, 0, 50, &iv) == 0);
	flame_offcpu_out(o, 1, 7, 100, 11, 3);
	CHECK(flame_offcpu_pending(o) == 1);
	CHECK(flame_offcpu_switch(o, 7, 1, 0, 101, &iv) == 0); /* the switch-out record */
	CHECK(flame_offcpu_switch(o, 8, 0, 0, 150, &iv) == 0); /* another thread */
	CHECK(flame_offcpu_switch(o, 7, 0, 0, 300, &iv) == 1);
	CHECK(iv.tid == 7 && iv.pid == 1 && iv.node == 11 && iv.thread == 3);
	CHECK(iv.start == 100 && iv.end == 300 && !iv.preempt && !iv.cut);
	CHECK(flame_offcpu_pending(o) == 0);
	/* preempted: the switch-out record says so */
	flame_offcpu_out(o, 1, 7, 400, 12, 3);
	flame_offcpu_switch(o, 7, 1, 1, 401, &iv);
	CHECK(flame_offcpu_switch(o, 7, 0, 0, 450, &iv) == 1 && iv.preempt && iv.end - iv.start == 50);
	/* a lost switch-in: the second switch-out replaces the first */
	flame_offcpu_out(o, 1, 7, 500, 13, 3);
	flame_offcpu_out(o, 1, 7, 600, 14, 3);
	CHECK(flame_offcpu_switch(o, 7, 0, 0, 650, &iv) == 1 && iv.node == 14 && iv.start == 600);
	CHECK(flame_offcpu_stats(o)->unmatched == 1);
	/* exit and end of recording cut intervals */
	flame_offcpu_out(o, 1, 9, 700, 15, 4);
	CHECK(flame_offcpu_exit(o, 9, 800, &iv) == 1 && iv.cut && iv.end == 800);
	CHECK(flame_offcpu_exit(o, 9, 900, &iv) == 0);
	flame_offcpu_out(o, 1, 10, 1000, 16, 5);
	flame_offcpu_out(o, 1, 11, 1100, 17, 6);
	int n = 0;
	uint64_t sum = 0;
	while (flame_offcpu_finish(o, 1050, &iv)) {
		n++;
		sum += iv.end - iv.start; /* 50, and 0 for the one that began after the end */
		CHECK(iv.cut && iv.end >= iv.start);
	}
	CHECK(n == 2 && sum == 50 && flame_offcpu_pending(o) == 0);
	const struct flame_offcpu_stats *st = flame_offcpu_stats(o);
	CHECK(st->intervals == 6 && st->preempted == 1 && st->cut == 3);
	CHECK(st->ns == 200 + 50 + 50 + 100 + 50);
	flame_offcpu_free(o);
}

/* Many threads in and out in shuffled orders: the table (with deletions)
 * never loses or mixes up an entry. */
static void t_table(void)
{
	struct flame_offcpu *o = flame_offcpu_new();
	struct flame_offcpu_interval iv;
	enum { N = 5000 };
	for (int round = 0; round < 3; round++) {
		for (uint32_t t = 0; t < N; t++)
			flame_offcpu_out(o, 1, t * 7919u % 65521u, 1000 + t, t, t);
		CHECK(flame_offcpu_pending(o) == N);
		/* every other thread back, then the rest in reverse order */
		int ok = 1;
		for (uint32_t t = 0; t < N; t += 2)
			ok &= flame_offcpu_switch(o, t * 7919u % 65521u, 0, 0, 10000 + t, &iv) == 1 &&
			      iv.node == t && iv.start == 1000 + t;
		for (int t = N - 1; t >= 1; t -= 2) /* N is even: the odd ones */
			ok &= flame_offcpu_switch(o, (uint32_t)t * 7919u % 65521u, 0, 0, 10000, &iv) == 1 &&
			      iv.node == (uint32_t)t;
		CHECK(ok);
		CHECK(flame_offcpu_pending(o) == 0);
	}
	CHECK(flame_offcpu_stats(o)->unmatched == 0);
	flame_offcpu_free(o);
}

static void t_mark(void)
{
	struct flame_strtab names;
	flame_strtab_init(&names);
	struct flame_offcpu *o = flame_offcpu_new();
	const char *in[] = { "main", "schedule_[k]", "jitted_[j]", "x_[o]", "_[k]", "" };
	const char *want[] = { "main_[o]", "schedule_[o]", "jitted_[o]", "x_[o]", "_[o]", "_[o]" };
	for (size_t i = 0; i < 6; i++) {
		uint32_t id = flame_strtab_intern(&names, in[i], strlen(in[i]));
		uint32_t m = flame_offcpu_mark(o, &names, id);
		size_t len;
		const char *s = flame_strtab_name(&names, m, &len);
		CHECK(len == strlen(want[i]) && memcmp(s, want[i], len) == 0);
		CHECK(flame_offcpu_mark(o, &names, id) == m); /* cached */
	}
	flame_offcpu_free(o);
	flame_strtab_release(&names);
}

/* ---- the recorder, fed records by hand ---- */

static void __attribute__((noinline)) leaf_fn(void)
{
	__asm__ volatile("");
}

struct rec_env {
	struct flame_profile prof;
	struct flame_recorder *r;
	uint64_t ips[4];
};

static void env_init(struct rec_env *e, int annotate)
{
	flame_profile_init(&e->prof);
	struct flame_recorder_opts o = { .demangle = 1, .timeline = 1, .offcpu = 1,
					 .annotate_offcpu = annotate };
	e->r = flame_recorder_new(&e->prof, &o);
	e->ips[0] = (uint64_t)PERF_CONTEXT_USER;
	e->ips[1] = (uint64_t)(uintptr_t)leaf_fn;
}

static void sample(struct rec_env *e, unsigned event, uint64_t time, uint64_t period)
{
	struct flame_sample_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.type = FLAME_REC_SAMPLE;
	rec.pid = rec.tid = (uint32_t)getpid();
	rec.time = time;
	rec.event = event;
	rec.u.sample.ip = e->ips[1];
	rec.u.sample.period = period;
	rec.u.sample.ips = e->ips;
	rec.u.sample.nips = 2;
	flame_recorder_add(e->r, &rec);
}

static void sw(struct rec_env *e, int out, int preempt, uint64_t time)
{
	struct flame_sample_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.type = FLAME_REC_SWITCH;
	rec.pid = rec.tid = (uint32_t)getpid();
	rec.time = time;
	rec.event = FLAME_SAMPLER_EVENT_OFFCPU;
	rec.u.sw.out = out;
	rec.u.sw.preempt = preempt;
	flame_recorder_add(e->r, &rec);
}

struct find {
	const struct flame_profile *p;
	const char *suffix;
	uint64_t w;
	int found;
};

static int find_fn(void *ctx, const char *path, size_t len, uint32_t node)
{
	struct find *f = ctx;
	size_t k = strlen(f->suffix);
	if (len >= k && memcmp(path + len - k, f->suffix, k) == 0 && f->p->nodes[node].self[0] == f->w)
		f->found = 1;
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "  %s %llu\n", path, (unsigned long long)f->p->nodes[node].self[0]);
	return 0;
}

/* Whether a stack ends in suffix with weight w. */
static int folded_has(const struct flame_profile *p, const char *suffix, uint64_t w)
{
	struct find f = { p, suffix, w, 0 };
	flame_folded_walk(p, find_fn, &f);
	return f.found;
}

static void t_recorder(void)
{
	struct rec_env e;
	env_init(&e, 0);
	sample(&e, FLAME_SAMPLER_EVENT_OFFCPU, 1000, 1);
	sw(&e, 1, 0, 1001);
	CHECK(flame_profile_total(&e.prof, 0) == 0); /* weighed when the thread is back */
	sw(&e, 0, 0, 5000);
	CHECK(flame_profile_total(&e.prof, 0) == 4000);
	CHECK(folded_has(&e.prof, ";leaf_fn", 4000));
	sample(&e, FLAME_SAMPLER_EVENT_OFFCPU, 6000, 1);
	sw(&e, 1, 1, 6001);
	sw(&e, 0, 0, 6500);
	CHECK(folded_has(&e.prof, ";leaf_fn;" FLAME_OFFCPU_PREEMPTED, 500));
	/* asleep at the end: charged until then */
	sample(&e, FLAME_SAMPLER_EVENT_OFFCPU, 7000, 1);
	flame_recorder_finish(e.r, 9000);
	CHECK(folded_has(&e.prof, ";leaf_fn", 6000));
	const struct flame_record_stats *st = flame_recorder_stats(e.r);
	CHECK(st->samples == 0 && st->offcpu_samples == 3 && st->offcpu_intervals == 3);
	CHECK(st->offcpu_preempted == 1 && st->offcpu_ns == 4000 + 500 + 2000);
	/* the timeline holds each interval at its start */
	const struct flame_timeline *tl = e.prof.timeline;
	CHECK(tl && tl->nsamples == 3);
	if (tl && tl->nsamples == 3)
		CHECK(tl->samples[0].time == 1000 && tl->samples[0].weight == 4000 &&
		      tl->samples[1].time == 6000 && tl->samples[2].time == 7000 &&
		      tl->samples[2].weight == 2000);
	flame_recorder_free(e.r);
	flame_profile_release(&e.prof);

	/* --wall: CPU samples unmarked, off-CPU frames marked _[o] */
	env_init(&e, 1);
	sample(&e, FLAME_SAMPLER_EVENT_CPU, 100, 1000000);
	sample(&e, FLAME_SAMPLER_EVENT_OFFCPU, 200, 1);
	sw(&e, 1, 0, 201);
	sw(&e, 0, 0, 3000200);
	CHECK(folded_has(&e.prof, ";leaf_fn", 1000000));
	CHECK(folded_has(&e.prof, ";leaf_fn_[o]", 3000000));
	CHECK(flame_profile_total(&e.prof, 0) == 4000000);
	struct flame_folded_lines fl = { 0 };
	CHECK(flame_folded_lines(&e.prof, &fl) == 0);
	/* the root (comm) is shared and unmarked; every other off-CPU frame is */
	if (fl.text.data) {
		char *off = strstr(fl.text.data, "_[o]");
		CHECK(off != NULL);
		char *line = off;
		while (line > fl.text.data && line[-1] != '\n')
			line--;
		char *semi = strchr(line, ';');
		CHECK(semi && semi < off && memcmp(semi - 4, "_[o]", 4) != 0);
	}
	flame_folded_lines_release(&fl);
	st = flame_recorder_stats(e.r);
	CHECK(st->samples == 1 && st->offcpu_intervals == 1);
	flame_recorder_free(e.r);
	flame_profile_release(&e.prof);
}

int main(void)
{
	t_pairs();
	t_table();
	t_mark();
	t_recorder();
	if (failures) {
		fprintf(stderr, "%d check%s failed\n", failures, failures == 1 ? "" : "s");
		return 1;
	}
	printf("ok\n");
	return 0;
}
