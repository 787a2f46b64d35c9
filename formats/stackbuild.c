/*
 * stackbuild.c - helpers for the formats with units and time; see stackbuild.h.
 */
#include "stackbuild.h"

#include <stdlib.h>
#include <string.h>

#include "../core/json.h"
#include "folded.h"

static const uint64_t p10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
				100000000, 1000000000 };

void flame_sb_rescale(struct flame_profile *p, int digits)
{
	if (digits <= p->scale_digits)
		return;
	uint64_t m = p10[digits - p->scale_digits];
	if (p->timeline)
		for (size_t i = 0; i < p->timeline->nsamples; i++) {
			struct flame_sample *s = &p->timeline->samples[i];
			if (__builtin_mul_overflow(s->weight, m, &s->weight))
				s->weight = UINT64_MAX, p->overflow = 1;
			if (p->unit != FLAME_UNIT_NANOSECONDS && __builtin_mul_overflow(s->time, m, &s->time))
				s->time = UINT64_MAX, p->overflow = 1;
		}
	flame_profile_rescale(p, digits);
}

int flame_sb_fixed(struct flame_profile *p, const char *s, size_t n, int shift, uint64_t *out)
{
	uint64_t ip, fp;
	int d;
	if (!flame_json_decimal(s, n, shift, &ip, &fp, &d))
		return -1;
	if (d > p->scale_digits)
		flame_sb_rescale(p, d);
	uint64_t v;
	if (__builtin_mul_overflow(ip, p10[p->scale_digits], &v) ||
	    __builtin_add_overflow(v, fp * p10[p->scale_digits - d], &v))
		return -2;
	*out = v;
	return 0;
}

int flame_sb_unit(const char *s, size_t n, enum flame_unit *unit, int *shift)
{
	static const struct { const char *name; enum flame_unit u; int shift; } t[] = {
		{ "none", FLAME_UNIT_SAMPLES, 0 },
		{ "nanoseconds", FLAME_UNIT_NANOSECONDS, 0 },
		{ "microseconds", FLAME_UNIT_NANOSECONDS, 3 },
		{ "milliseconds", FLAME_UNIT_NANOSECONDS, 6 },
		{ "seconds", FLAME_UNIT_NANOSECONDS, 9 },
		{ "bytes", FLAME_UNIT_BYTES, 0 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == n && memcmp(t[i].name, s, n) == 0) {
			*unit = t[i].u;
			*shift = t[i].shift;
			return 1;
		}
	return 0;
}

const char *flame_sb_unit_name(const struct flame_profile *p)
{
	switch (p->unit) {
	case FLAME_UNIT_NANOSECONDS:
		return "nanoseconds";
	case FLAME_UNIT_BYTES:
		return "bytes";
	default:
		return "none";
	}
}

void flame_sb_sample(struct flame_timeline *t, uint32_t leaf, uint32_t thread, uint64_t time,
		     uint64_t weight)
{
	if (t->nsamples) {
		struct flame_sample *l = &t->samples[t->nsamples - 1];
		if (l->leaf == leaf && l->thread == thread && l->time + l->weight == time &&
		    !__builtin_add_overflow(l->weight, weight, &l->weight))
			return;
	}
	flame_timeline_add(t, leaf, thread, time, weight);
}

size_t flame_sb_path(const struct flame_profile *p, uint32_t node, uint32_t **path, size_t *cap)
{
	size_t d = 0;
	for (uint32_t a = node; a != 0 && a != FLAME_NO_NODE; a = p->nodes[a].parent)
		d++;
	if (*cap < d + 1) {
		*cap = d + 1;
		*path = flame_xrealloc(*path, *cap * sizeof(**path));
	}
	size_t i = d;
	for (uint32_t a = node; a != 0 && a != FLAME_NO_NODE; a = p->nodes[a].parent)
		(*path)[--i] = a;
	return d;
}

const struct flame_timeline *flame_sb_timeline(const struct flame_profile *p)
{
	const struct flame_timeline *t = p->timeline;
	if (!t || !t->nsamples || p->ncols != 1)
		return NULL;
	uint64_t sum = 0;
	for (size_t i = 0; i < t->nsamples; i++) {
		if (t->samples[i].leaf >= p->nnodes || t->samples[i].thread >= t->nthreads)
			return NULL;
		sum += t->samples[i].weight;
	}
	return sum == flame_profile_total(p, 0) ? t : NULL;
}

static const struct flame_timeline *cmp_t;

static int cmp_thread(const void *a, const void *b)
{
	const struct flame_thread *x = &cmp_t->threads[*(const uint32_t *)a];
	const struct flame_thread *y = &cmp_t->threads[*(const uint32_t *)b];
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

struct idx_time {
	uint64_t time;
	size_t i;
};

static int cmp_time(const void *a, const void *b)
{
	const struct idx_time *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

size_t flame_sb_threads(const struct flame_profile *p, const struct flame_timeline *t,
			struct flame_sb_thread **out)
{
	(void)p;
	size_t nt = t->nthreads;
	uint32_t *order = flame_xmalloc((nt + 1) * sizeof(*order));
	for (size_t i = 0; i < nt; i++)
		order[i] = (uint32_t)i;
	cmp_t = t;
	qsort(order, nt, sizeof(*order), cmp_thread);
	size_t *count = flame_xcalloc(nt + 1, sizeof(*count));
	for (size_t i = 0; i < t->nsamples; i++)
		count[t->samples[i].thread]++;
	struct flame_sb_thread *th = flame_xcalloc(nt + 1, sizeof(*th));
	size_t nout = 0;
	struct idx_time *it = NULL;
	size_t itcap = 0;
	for (size_t k = 0; k < nt; k++) {
		uint32_t ti = order[k];
		if (!count[ti])
			continue;
		FLAME_GROW(it, itcap, count[ti]);
		size_t m = 0;
		for (size_t i = 0; i < t->nsamples; i++)
			if (t->samples[i].thread == ti)
				it[m++] = (struct idx_time){ t->samples[i].time, i };
		qsort(it, m, sizeof(*it), cmp_time);
		struct flame_sb_thread *o = &th[nout++];
		o->thread = ti;
		o->spans = flame_xmalloc(m * sizeof(*o->spans));
		o->n = m;
		uint64_t cur = 0;
		for (size_t j = 0; j < m; j++) {
			const struct flame_sample *s = &t->samples[it[j].i];
			uint64_t st = s->time > cur || j == 0 ? s->time : cur;
			o->spans[j] = (struct flame_sb_span){ st, s->weight, s->leaf };
			cur = st + s->weight;
		}
	}
	free(it);
	free(count);
	free(order);
	*out = th;
	return nout;
}

void flame_sb_threads_free(struct flame_sb_thread *th, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(th[i].spans);
	free(th);
}

struct leaves_ctx {
	uint32_t *v;
	size_t n, cap;
	const struct flame_profile *p;
};

static int leaf_cb(void *vctx, const char *path, size_t len, uint32_t node)
{
	struct leaves_ctx *c = vctx;
	(void)path;
	(void)len;
	if (!c->p->nodes[node].self[0])
		return 0;
	FLAME_GROW(c->v, c->cap, c->n + 1);
	c->v[c->n++] = node;
	return 0;
}

size_t flame_sb_leaves(const struct flame_profile *p, uint32_t **out)
{
	struct leaves_ctx c = { NULL, 0, 0, p };
	flame_folded_walk(p, leaf_cb, &c);
	*out = c.v;
	return c.n;
}
