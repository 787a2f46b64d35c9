/*
 * v8profile.c - V8 CPU profile data in .cpuprofile files and Chrome
 * traces; see v8profile.h.
 */
#include "v8profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "stackbuild.h"

struct v8_prof *v8_profile(struct v8_profiles *v, const char *key, uint32_t pid, uint32_t tid)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i].key, key) == 0)
			return &v->v[i];
	FLAME_GROW(v->v, v->cap, v->n + 1);
	struct v8_prof *q = &v->v[v->n++];
	memset(q, 0, sizeof(*q));
	q->key = flame_xstrdup(key);
	q->pid = pid;
	q->tid = tid;
	return q;
}

static int get_u32(const struct flame_json_doc *d, uint32_t v, uint32_t *out)
{
	int64_t x;
	if (!flame_json_int(d, v, &x) || x < 0 || x > (int64_t)UINT32_MAX - 1)
		return 0;
	*out = (uint32_t)x;
	return 1;
}

int v8_add_node(struct v8_prof *q, struct flame_profile *p, const struct flame_json_doc *d, uint32_t node,
		const char **err)
{
	if (d->v[node].type != FLAME_JSON_OBJECT) {
		*err = "a node must be an object";
		return -1;
	}
	uint32_t id, parent = UINT32_MAX;
	if (!get_u32(d, flame_json_get(d, node, "id"), &id)) {
		*err = "a node needs a whole-number 'id'";
		return -1;
	}
	uint32_t pv = flame_json_get(d, node, "parent");
	if (pv != FLAME_JSON_NONE && !get_u32(d, pv, &parent)) {
		*err = "a node's 'parent' must be a node id";
		return -1;
	}
	uint32_t cf = flame_json_get(d, node, "callFrame");
	size_t nl = 0;
	const char *nm = flame_json_string(d, flame_json_get(d, cf, "functionName"), &nl);
	if (cf == FLAME_JSON_NONE || !nm) {
		*err = "a node needs a callFrame with a string 'functionName'";
		return -1;
	}
	if (!nl) {
		nm = "(anonymous)";
		nl = 11;
	}
	FLAME_GROW(q->nodes, q->nodes_cap, q->nnodes + 1);
	q->nodes[q->nnodes++] = (struct v8_node){ id, parent, flame_strtab_intern(&p->names, nm, nl), 0 };
	uint32_t kids = flame_json_get(d, node, "children");
	if (kids != FLAME_JSON_NONE) {
		if (d->v[kids].type != FLAME_JSON_ARRAY) {
			*err = "a node's 'children' must be an array";
			return -1;
		}
		for (uint32_t c = d->v[kids].first; c != FLAME_JSON_NONE; c = d->v[c].next) {
			uint32_t cid;
			if (!get_u32(d, c, &cid)) {
				*err = "a node's 'children' must hold node ids";
				return -1;
			}
			FLAME_GROW(q->kids, q->kids_cap, q->nkids + 2);
			q->kids[q->nkids++] = id;
			q->kids[q->nkids++] = cid;
		}
	}
	return 0;
}

int v8_add_sample(struct v8_prof *q, const struct flame_json_doc *d, uint32_t v, const char **err)
{
	uint32_t id;
	if (!get_u32(d, v, &id)) {
		*err = "a sample must be a node id";
		return -1;
	}
	FLAME_GROW(q->samples, q->samples_cap, q->nsamples + 1);
	q->samples[q->nsamples++] = id;
	return 0;
}

int v8_add_delta(struct v8_prof *q, const struct flame_json_doc *d, uint32_t v, uint64_t at, const char **err)
{
	if (d->v[v].type != FLAME_JSON_NUMBER) {
		*err = "a time delta must be a number";
		return -1;
	}
	if (!q->neg_at && d->v[v].len && d->v[v].s[0] == '-')
		q->neg_at = at + 1;
	flame_buf_add(&q->deltas, d->v[v].s, d->v[v].len);
	flame_buf_addc(&q->deltas, '\0');
	q->ndeltas++;
	return 0;
}

int v8_add_cpuprofile(struct v8_prof *q, struct flame_profile *p, const struct flame_json_doc *d,
		      uint32_t obj, uint32_t deltas, uint64_t at, const char **err)
{
	uint32_t nodes = flame_json_get(d, obj, "nodes"), samples = flame_json_get(d, obj, "samples");
	if (deltas == FLAME_JSON_NONE)
		deltas = flame_json_get(d, obj, "timeDeltas");
	if (nodes != FLAME_JSON_NONE) {
		if (d->v[nodes].type != FLAME_JSON_ARRAY) {
			*err = "'nodes' must be an array";
			return -1;
		}
		for (uint32_t c = d->v[nodes].first; c != FLAME_JSON_NONE; c = d->v[c].next)
			if (v8_add_node(q, p, d, c, err) < 0)
				return -1;
	}
	if (samples != FLAME_JSON_NONE) {
		if (d->v[samples].type != FLAME_JSON_ARRAY) {
			*err = "'samples' must be an array";
			return -1;
		}
		for (uint32_t c = d->v[samples].first; c != FLAME_JSON_NONE; c = d->v[c].next)
			if (v8_add_sample(q, d, c, err) < 0)
				return -1;
	}
	if (deltas != FLAME_JSON_NONE) {
		if (d->v[deltas].type != FLAME_JSON_ARRAY) {
			*err = "'timeDeltas' must be an array";
			return -1;
		}
		for (uint32_t c = d->v[deltas].first; c != FLAME_JSON_NONE; c = d->v[c].next)
			if (v8_add_delta(q, d, c, at, err) < 0)
				return -1;
	}
	uint32_t st = flame_json_get(d, obj, "startTime");
	if (st != FLAME_JSON_NONE && d->v[st].type == FLAME_JSON_NUMBER && !q->start.len)
		flame_buf_add(&q->start, d->v[st].s, d->v[st].len);
	return 0;
}

int v8_profiles_event(struct v8_profiles *v, struct flame_profile *p, const struct flame_json_doc *d,
		      uint32_t ev, const char *name, size_t nl, uint32_t pid, uint32_t tid, uint64_t at,
		      const char **err)
{
	int is_profile = nl == 7 && memcmp(name, "Profile", 7) == 0;
	int is_chunk = nl == 12 && memcmp(name, "ProfileChunk", 12) == 0;
	int is_cpu = nl == 10 && memcmp(name, "CpuProfile", 10) == 0;
	if (!is_profile && !is_chunk && !is_cpu)
		return 0;
	char key[64];
	size_t il;
	const char *id = flame_json_string(d, flame_json_get(d, ev, "id"), &il);
	if (id && il < 40)
		snprintf(key, sizeof(key), "%u:%.*s", pid, (int)il, id);
	else
		snprintf(key, sizeof(key), "%u:%u", pid, tid);
	struct v8_prof *q = v8_profile(v, key, pid, tid);
	uint32_t data = flame_json_get(d, flame_json_get(d, ev, "args"), "data");
	if (data == FLAME_JSON_NONE)
		return 0;
	if (is_profile) {
		q->pid = pid;
		q->tid = tid;
		uint32_t st = flame_json_get(d, data, "startTime");
		if (st != FLAME_JSON_NONE && d->v[st].type == FLAME_JSON_NUMBER) {
			flame_buf_reset(&q->start);
			flame_buf_add(&q->start, d->v[st].s, d->v[st].len);
		}
		return 0;
	}
	uint32_t cp = flame_json_get(d, data, "cpuProfile");
	if (cp == FLAME_JSON_NONE)
		return 0;
	if (d->v[cp].type != FLAME_JSON_OBJECT) {
		*err = "'cpuProfile' must be an object";
		return -1;
	}
	return v8_add_cpuprofile(q, p, d, cp, flame_json_get(d, data, "timeDeltas"), at, err);
}

size_t v8_profiles_count(const struct v8_profiles *v)
{
	return v->n;
}

size_t v8_profiles_samples(const struct v8_profiles *v)
{
	size_t n = 0;
	for (size_t i = 0; i < v->n; i++)
		n += v->v[i].nsamples;
	return n;
}

/* " of profile 0x1 (pid 7)", or "" for a .cpuprofile's only profile */
static void profile_label(const struct v8_prof *q, char *buf, size_t n)
{
	const char *colon = strchr(q->key, ':');
	if (!q->key[0])
		buf[0] = '\0';
	else
		snprintf(buf, n, " of profile %s (pid %u)", colon ? colon + 1 : q->key, q->pid);
}

static int is_gc(const struct flame_profile *p, const struct v8_node *n)
{
	size_t len;
	const char *nm = flame_strtab_name(&p->names, n->name, &len);
	return len == 19 && memcmp(nm, "(garbage collector)", 19) == 0;
}

static int cmp_node(const void *a, const void *b)
{
	const struct v8_node *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static struct v8_node *find(struct v8_prof *q, uint32_t id)
{
	struct v8_node k = { id, 0, 0, 0 };
	if (!q->nnodes)
		return NULL;
	return bsearch(&k, q->nodes, q->nnodes, sizeof(k), cmp_node);
}

static int resolve(struct v8_prof *q, struct flame_profile *p, struct v8_node *n, uint32_t *out,
		   const char **err)
{
	struct v8_node **chain = NULL;
	size_t k = 0, cap = 0;
	struct v8_node *x = n;
	uint32_t base = 0;
	while (x && !x->trie) {
		if (x->parent == UINT32_MAX) {
			x->trie = 1; /* the root: the trie's root, not a frame */
			break;
		}
		if (k > q->nnodes) {
			free(chain);
			*err = "node parents form a cycle";
			return -1;
		}
		FLAME_GROW(chain, cap, k + 1);
		chain[k++] = x;
		/* a parent that is not there (a trace cut short): hang the
		 * node from the root, as speedscope does */
		x = find(q, x->parent);
	}
	base = x ? x->trie - 1 : 0;
	while (k) {
		struct v8_node *y = chain[--k];
		base = flame_profile_child(p, base, y->name, 1);
		y->trie = base + 1;
	}
	free(chain);
	*out = base;
	return 0;
}

int v8_profiles_finish(struct v8_profiles *v, struct flame_profile *p, int want_timeline,
		       const char *(*thread_name)(void *, uint32_t, uint32_t), void *ctx,
		       struct flame_diag *diag, uint64_t chunk, const char **err)
{
	int shift = v->counts ? -3 : 3; /* µs -> ns, or 1000 µs -> 1 count */
	if (v->n)
		p->unit = v->counts ? FLAME_UNIT_SAMPLES : FLAME_UNIT_NANOSECONDS;
	for (size_t i = 0; i < v->n; i++) {
		struct v8_prof *q = &v->v[i];
		if (!q->nsamples)
			continue;
		if (q->nnodes > 1)
			qsort(q->nodes, q->nnodes, sizeof(*q->nodes), cmp_node);
		for (size_t k = 1; k < q->nnodes; k++)
			if (q->nodes[k].id == q->nodes[k - 1].id) {
				*err = "two nodes have the same id";
				return -1;
			}
		for (size_t k = 0; k + 1 < q->nkids; k += 2) {
			struct v8_node *c = find(q, q->kids[k + 1]);
			if (!c) {
				*err = "a node's child is not among the nodes";
				return -1;
			}
			c->parent = q->kids[k];
		}
		if (q->ndeltas != q->nsamples) {
			*err = "'samples' and 'timeDeltas' differ in length";
			return -1;
		}
		/* the finest scale any delta needs, then exact fixed point */
		const char *t = q->deltas.data;
		int maxd = 0;
		for (size_t k = 0; k < q->ndeltas; k++) {
			size_t n = strlen(t);
			uint64_t ip, fp;
			int dg;
			int neg = n && t[0] == '-';
			if (!flame_json_decimal(t + neg, n - (size_t)neg, shift, &ip, &fp, &dg)) {
				*err = "a time delta is out of range (more than 2^64 ns)";
				return -1;
			}
			if (!v->counts)
				dg = 0;
			if (dg > maxd)
				maxd = dg;
			t += n + 1;
		}
		if (maxd > p->scale_digits)
			flame_sb_rescale(p, maxd);
		int64_t *tm = flame_xmalloc((q->nsamples + 1) * sizeof(*tm));
		int64_t now = 0;
		if (q->start.len) {
			uint64_t st;
			if (flame_sb_fixed(p, q->start.data, q->start.len, shift, &st) == 0)
				now = (int64_t)st;
		}
		/* a negative delta puts its sample at the latest time so far;
		 * the deltas after it still add up from the true sum */
		int64_t latest = 0;
		size_t nneg = 0, first_neg = 0;
		const char *neg_text = NULL;
		t = q->deltas.data;
		for (size_t k = 0; k < q->ndeltas; k++) {
			size_t n = strlen(t);
			int neg = n && t[0] == '-';
			uint64_t x = 0;
			if (v->counts) {
				if (flame_sb_fixed(p, t + neg, n - (size_t)neg, shift, &x) < 0)
					x = 0;
			} else {
				uint64_t fp;
				int dg;
				flame_json_decimal(t + neg, n - (size_t)neg, shift, &x, &fp, &dg);
				for (int s = 0; s < p->scale_digits; s++)
					x *= 10;
			}
			now += neg ? -(int64_t)x : (int64_t)x;
			if (neg && x && !nneg++) {
				first_neg = k;
				neg_text = t;
			}
			tm[k] = k && now < latest ? latest : now;
			latest = tm[k];
			t += n + 1;
		}
		char label[96];
		profile_label(q, label, sizeof(label));
		if (nneg && diag) {
			char what[320];
			snprintf(what, sizeof(what),
				 "at byte %llu: %s%zu negative time delta%s%s (timeDeltas[%zu]); its sample "
				 "is put at the previous sample's time, as DevTools and speedscope do",
				 (unsigned long long)(q->neg_at ? q->neg_at - 1 : 0), nneg == 1 ? "" : "the first of ",
				 nneg, nneg == 1 ? "" : "s", label, first_neg);
			flame_diag_add(diag, FLAME_DIAG_TIME_CLAMPED, chunk, 0, what, neg_text, strlen(neg_text));
		}
		uint32_t thread = 0;
		struct flame_timeline *tl = NULL;
		if (want_timeline) {
			tl = flame_profile_timeline_enable(p);
			const char *nm = thread_name ? thread_name(ctx, q->pid, q->tid) : NULL;
			if (!nm)
				nm = "";
			thread = flame_timeline_thread(tl, q->pid, q->tid, nm, strlen(nm));
		}
		size_t nlost = 0, first_lost = 0;
		const struct v8_node *prev = NULL;
		uint32_t prev_leaf = 0;
		for (size_t k = 0; k < q->nsamples; k++) {
			struct v8_node *n = find(q, q->samples[k]);
			if (!n) {
				/* a trace cut short lost that node: no stack */
				if (!nlost++)
					first_lost = k;
				continue;
			}
			uint32_t leaf;
			if (n == prev) {
				leaf = prev_leaf;
			} else if (is_gc(p, n)) {
				/* on the stack whose work it collects after */
				leaf = flame_profile_child(p, prev_leaf, n->name, 1);
			} else if (resolve(q, p, n, &leaf, err) < 0) {
				free(tm);
				return -1;
			}
			prev = n;
			prev_leaf = leaf;
			int64_t gap = k + 1 < q->nsamples ? tm[k + 1] - tm[k] : 0;
			if (!leaf || !gap)
				continue;
			uint64_t w[2] = { (uint64_t)gap, 0 };
			flame_profile_add_weight(p, leaf, w);
			p->nstacks++;
			if (tl)
				flame_sb_sample(tl, leaf, thread, (uint64_t)(tm[k] < 0 ? 0 : tm[k]), w[0]);
		}
		if (nlost && diag) {
			char what[256], id[24];
			snprintf(what, sizeof(what),
				 "samples[%zu]%s: %s%zu sample%s of a node id that no node has, dropped",
				 first_lost, label, nlost == 1 ? "" : "the first of ", nlost, nlost == 1 ? "" : "s");
			snprintf(id, sizeof(id), "%u", q->samples[first_lost]);
			flame_diag_add(diag, FLAME_DIAG_NO_NODE, chunk, 0, what, id, strlen(id));
		}
		free(tm);
	}
	return 0;
}

void v8_profiles_release(struct v8_profiles *v)
{
	for (size_t i = 0; i < v->n; i++) {
		struct v8_prof *q = &v->v[i];
		free(q->key);
		free(q->nodes);
		free(q->kids);
		free(q->samples);
		flame_buf_release(&q->deltas);
		flame_buf_release(&q->start);
	}
	free(v->v);
	v->v = NULL;
	v->n = v->cap = 0;
	v->counts = 0;
}
