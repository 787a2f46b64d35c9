/*
 * speedscope.c - speedscope's JSON file format (speedscope.app): sampled
 * and evented profiles over one shared frame table.
 *
 * Reading walks the document with core/json.h: frames, samples and events
 * are captured one at a time, so memory follows frames and samples, not
 * the file.  Each profile becomes a timeline thread (pid 0, tid = its
 * position + 1, named after the profile) when a timeline is wanted;
 * otherwise all profiles add up in one trie.  Units: time units become
 * nanoseconds (exact, sub-nanosecond digits cut), "bytes" stays bytes,
 * "none" is a count (fractions kept as fixed point).
 *
 * Writing: with a timeline in nanoseconds, one evented profile per thread;
 * with another timeline, one sampled profile per thread in sample order;
 * without, one sampled profile with a sample per distinct stack.  Weights
 * are written as numbers, never expanded into repeated samples.  The
 * output is streamed in 1 MiB pieces (the frame table, which comes first,
 * is numbered by a first pass), so the writer needs memory for the frame
 * table, not for the output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/json.h"
#include "../core/util.h"
#include "format.h"
#include "stackbuild.h"

#ifndef FLAME_VERSION
#define FLAME_VERSION "0.0.0"
#endif

#define SCHEMA_URL "https://www.speedscope.app/file-format-schema.json"

enum kind { K_OTHER, K_TOP, K_SHARED, K_FRAMES, K_PROFILES, K_PROFILE, K_SAMPLES, K_WEIGHTS, K_EVENTS };

/* A profile as read: kept until the frame table is complete (speedscope
 * itself writes "profiles" before "shared"). */
struct ss_prof {
	uint64_t index;           /* position in the file */
	int type;                 /* 0 unknown, 1 sampled, 2 evented */
	struct flame_buf unit, name, start;
	uint32_t *leaves;         /* sampled: leaf per sample, in the index trie (or in
				   * the profile when direct) */
	int direct;               /* frames were known when the samples came */
	size_t nleaves, leaves_cap;
	struct flame_buf weights; /* NUL-separated number texts */
	size_t nweights;
	uint32_t *evs;            /* evented: frame << 1 | open, per event */
	size_t nevs, evs_cap;
	struct flame_buf ats;     /* NUL-separated 'at' texts */
};

struct ss_parser {
	struct flame_parse_ctx *ctx;
	struct flame_json_parser *jp;
	int kind[8];
	int have_schema;
	uint32_t *frames; /* frame index -> name id */
	size_t nframes, frames_cap;
	int frames_done;
	int unit_set;     /* p->unit decided by a profile */
	uint64_t nprof;
	struct ss_prof cur;
	struct ss_prof *pending;
	size_t npending, pending_cap;
	/* stacks of sampled profiles as frame indexes (names: 4-byte indexes) */
	struct flame_profile itrie;
	/* replay state */
	enum flame_unit unit;
	int shift;
	uint32_t thread;
	uint32_t *map;
	size_t map_cap;
	uint32_t *stack_node, *stack_frame;
	size_t depth, stack_cap;
};

static int fail(struct ss_parser *s, const char *msg)
{
	return flame_json_fail(s->jp, "speedscope: %s", msg);
}

static int failf(struct ss_parser *s, uint64_t prof, const char *msg)
{
	return flame_json_fail(s->jp, "speedscope: profile %llu: %s", (unsigned long long)prof, msg);
}

static int keyis(const char *k, size_t n, const char *w)
{
	return k && strlen(w) == n && memcmp(k, w, n) == 0;
}

static void prof_release(struct ss_prof *q)
{
	flame_buf_release(&q->unit);
	flame_buf_release(&q->name);
	flame_buf_release(&q->start);
	free(q->leaves);
	flame_buf_release(&q->weights);
	free(q->evs);
	flame_buf_release(&q->ats);
	memset(q, 0, sizeof(*q));
}

/* convert, keeping a local fixed point value in step with a rescale */
static int conv(struct ss_parser *s, uint64_t pi, const char *t, size_t n, uint64_t *out,
		uint64_t *l1)
{
	struct flame_profile *p = s->ctx->prof;
	int before = p->scale_digits;
	int rc;
	if (s->unit == FLAME_UNIT_NANOSECONDS && p->scale_digits == 0) {
		/* time: whole nanoseconds (sub-nanosecond digits cut) */
		uint64_t ip, fp;
		int d;
		rc = flame_json_decimal(t, n, s->shift, &ip, &fp, &d) ? 0 : -1;
		*out = ip;
	} else {
		rc = flame_sb_fixed(p, t, n, s->shift, out);
	}
	if (rc == 0 && p->scale_digits != before && l1) {
		for (int i = before; i < p->scale_digits; i++)
			*l1 *= 10;
	}
	if (rc == -1)
		return failf(s, pi, "expected a non-negative number");
	if (rc == -2)
		return failf(s, pi, "number too large");
	return 0;
}

static int set_unit(struct ss_parser *s, uint64_t pi, const char *u, size_t n)
{
	if (!flame_sb_unit(u, n, &s->unit, &s->shift))
		return failf(s, pi, "unknown unit (expected none, nanoseconds, microseconds, milliseconds, "
				    "seconds or bytes)");
	struct flame_profile *p = s->ctx->prof;
	if (!s->unit_set) {
		p->unit = s->unit;
		s->unit_set = 1;
	} else if (p->unit != s->unit) {
		return failf(s, pi, "profiles in different units cannot be merged");
	}
	return 0;
}

/* Add a profile whose frames are all known to the trie (and timeline). */
static int replay(struct ss_parser *s, struct ss_prof *q)
{
	struct flame_profile *p = s->ctx->prof;
	struct flame_timeline *t = NULL;
	if (q->type == 0)
		return failf(s, q->index, "no 'type' (sampled or evented)");
	if (set_unit(s, q->index, q->unit.len ? q->unit.data : "none", q->unit.len ? q->unit.len : 4) < 0)
		return -1;
	if (s->ctx->opts->want_timeline) {
		t = flame_profile_timeline_enable(p);
		s->thread = flame_timeline_thread(t, 0, (uint32_t)(q->index + 1),
						  q->name.data ? q->name.data : "", q->name.len);
	}
	uint64_t time = 0, w;
	if (q->start.len && conv(s, q->index, q->start.data, q->start.len, &time, NULL) < 0)
		return -1;
	if (q->type == 2) {
		const char *at = q->ats.data;
		uint64_t prev = time;
		int have_prev = 0;
		s->depth = 0;
		for (size_t i = 0; i < q->nevs; i++) {
			size_t n = strlen(at);
			uint64_t a;
			if (conv(s, q->index, at, n, &a, &prev) < 0)
				return -1;
			at += n + 1;
			uint32_t fi = q->evs[i] >> 1;
			if (fi >= s->nframes)
				return failf(s, q->index, "event frame index out of range");
			if (have_prev && a < prev)
				return failf(s, q->index, "event 'at' goes backwards");
			if (s->depth && have_prev && a > prev) {
				uint64_t ws[2] = { a - prev, 0 };
				uint32_t leaf = s->stack_node[s->depth - 1];
				flame_profile_add_weight(p, leaf, ws);
				p->nstacks++;
				if (t)
					flame_sb_sample(t, leaf, s->thread, prev, ws[0]);
			}
			prev = a;
			have_prev = 1;
			if (q->evs[i] & 1) {
				FLAME_GROW(s->stack_node, s->stack_cap, s->depth + 1);
				s->stack_frame = flame_xrealloc(s->stack_frame, s->stack_cap * sizeof(uint32_t));
				uint32_t parent = s->depth ? s->stack_node[s->depth - 1] : 0;
				s->stack_node[s->depth] = flame_profile_child(p, parent, s->frames[fi], 1);
				s->stack_frame[s->depth++] = fi;
			} else {
				if (!s->depth || s->stack_frame[s->depth - 1] != fi)
					return failf(s, q->index, "a close event does not match the innermost open frame");
				s->depth--;
			}
		}
		if (s->depth)
			return failf(s, q->index, "evented profile ends with frames still open");
		return 0;
	}
	if (q->nleaves != q->nweights) {
		char m[128];
		snprintf(m, sizeof(m), "%zu samples but %zu weights", q->nleaves, q->nweights);
		return failf(s, q->index, m);
	}
	/* index trie -> profile trie; parents come before children */
	struct flame_profile *it = &s->itrie;
	FLAME_GROW(s->map, s->map_cap, it->nnodes + 1);
	s->map[0] = 0;
	for (size_t k = 1; !q->direct && k < it->nnodes; k++) {
		size_t nl;
		const char *nm = flame_strtab_name(&it->names, it->nodes[k].name, &nl);
		uint32_t fi;
		memcpy(&fi, nm, 4);
		if (fi >= s->nframes) {
			char m[128];
			snprintf(m, sizeof(m), "frame index %u out of range (%zu frames)", fi, s->nframes);
			return failf(s, q->index, m);
		}
		s->map[k] = flame_profile_child(p, s->map[it->nodes[k].parent], s->frames[fi], 1);
	}
	const char *wt = q->weights.data;
	for (size_t i = 0; i < q->nleaves; i++) {
		size_t n = strlen(wt);
		if (conv(s, q->index, wt, n, &w, &time) < 0)
			return -1;
		wt += n + 1;
		uint64_t ws[2] = { w, 0 };
		uint32_t leaf = q->direct ? q->leaves[i] : s->map[q->leaves[i]];
		if (leaf == 0) {
			/* an empty stack: speedscope counts it in the total only */
			time += w;
			continue;
		}
		flame_profile_add_weight(p, leaf, ws);
		p->nstacks++;
		if (t)
			flame_sb_sample(t, leaf, s->thread, time, w);
		time += w;
	}
	return 0;
}

static int profile_end(struct ss_parser *s)
{
	if (s->frames_done) {
		int rc = replay(s, &s->cur);
		prof_release(&s->cur);
		return rc;
	}
	FLAME_GROW(s->pending, s->pending_cap, s->npending + 1);
	s->pending[s->npending++] = s->cur;
	memset(&s->cur, 0, sizeof(s->cur));
	return 0;
}

static int frames_end(struct ss_parser *s)
{
	s->frames_done = 1;
	for (size_t i = 0; i < s->npending; i++) {
		if (replay(s, &s->pending[i]) < 0)
			return -1;
		prof_release(&s->pending[i]);
	}
	s->npending = 0;
	return 0;
}

static int frame_index(struct ss_parser *s, const struct flame_json_doc *d, uint32_t v, uint32_t *out)
{
	int64_t fi;
	if (!flame_json_int(d, v, &fi) || fi < 0 || fi > (int64_t)(UINT32_MAX >> 1))
		return fail(s, "expected a frame index (a whole number >= 0)");
	if (s->frames_done && (uint64_t)fi >= s->nframes) {
		char m[160];
		snprintf(m, sizeof(m), "frame index %lld out of range (%zu frames)", (long long)fi,
			 s->nframes);
		return fail(s, m);
	}
	*out = (uint32_t)fi;
	return 0;
}

static int on_event(struct ss_parser *s, const struct flame_json_doc *d, uint32_t ev)
{
	struct ss_prof *q = &s->cur;
	size_t tl;
	const char *ty = flame_json_string(d, flame_json_get(d, ev, "type"), &tl);
	uint32_t atv = flame_json_get(d, ev, "at");
	if (!ty || tl != 1 || (ty[0] != 'O' && ty[0] != 'C'))
		return fail(s, "event 'type' must be \"O\" or \"C\"");
	if (atv == FLAME_JSON_NONE || d->v[atv].type != FLAME_JSON_NUMBER)
		return fail(s, "event needs a number 'at'");
	uint32_t fi = 0;
	if (frame_index(s, d, flame_json_get(d, ev, "frame"), &fi) < 0)
		return -1;
	FLAME_GROW(q->evs, q->evs_cap, q->nevs + 1);
	q->evs[q->nevs++] = fi << 1 | (ty[0] == 'O');
	flame_buf_add(&q->ats, d->v[atv].s, d->v[atv].len);
	flame_buf_addc(&q->ats, '\0');
	return 0;
}

static int on_sample(struct ss_parser *s, const struct flame_json_doc *d, uint32_t arr)
{
	struct ss_prof *q = &s->cur;
	if (d->v[arr].type != FLAME_JSON_ARRAY)
		return fail(s, "a sample must be an array of frame indexes");
	uint32_t node = 0;
	if (q->nleaves == 0)
		q->direct = s->frames_done;
	for (uint32_t c = d->v[arr].first; c != FLAME_JSON_NONE; c = d->v[c].next) {
		uint32_t fi = 0;
		if (frame_index(s, d, c, &fi) < 0)
			return -1;
		if (q->direct) {
			node = flame_profile_child(s->ctx->prof, node, s->frames[fi], 1);
			continue;
		}
		char nm[4];
		memcpy(nm, &fi, 4);
		node = flame_profile_child(&s->itrie, node, flame_strtab_intern(&s->itrie.names, nm, 4), 1);
	}
	FLAME_GROW(q->leaves, q->leaves_cap, q->nleaves + 1);
	q->leaves[q->nleaves++] = node;
	return 0;
}

static int ss_open(void *vctx, int depth, int is_obj, const char *key, size_t kl, uint64_t index)
{
	struct ss_parser *s = vctx;
	(void)index;
	if (depth >= 8)
		return 1;
	int parent = depth > 1 ? s->kind[depth - 1] : 0;
	int k = K_OTHER;
	if (depth == 1) {
		if (!is_obj)
			return fail(s, "expected the top-level object");
		k = K_TOP;
	} else if (parent == K_TOP && keyis(key, kl, "shared")) {
		k = K_SHARED;
	} else if (parent == K_TOP && keyis(key, kl, "profiles")) {
		k = K_PROFILES;
	} else if (parent == K_SHARED && keyis(key, kl, "frames")) {
		k = K_FRAMES;
	} else if (parent == K_PROFILES) {
		if (!is_obj)
			return fail(s, "a profile must be an object");
		k = K_PROFILE;
		prof_release(&s->cur);
		s->cur.index = s->nprof++;
	} else if (parent == K_PROFILE && keyis(key, kl, "samples")) {
		k = K_SAMPLES;
	} else if (parent == K_PROFILE && keyis(key, kl, "weights")) {
		k = K_WEIGHTS;
	} else if (parent == K_PROFILE && keyis(key, kl, "events")) {
		k = K_EVENTS;
	} else {
		return 1; /* capture and look at it in on_value (or ignore it) */
	}
	if ((k == K_SHARED || k == K_TOP) && !is_obj)
		return fail(s, "expected an object");
	if ((k == K_PROFILES || k == K_FRAMES || k == K_SAMPLES || k == K_WEIGHTS || k == K_EVENTS) && is_obj)
		return fail(s, "expected an array");
	if (k == K_SAMPLES || k == K_WEIGHTS) {
		if (s->cur.type == 2)
			return fail(s, "'samples' or 'weights' in an evented profile");
		s->cur.type = 1;
	}
	if (k == K_EVENTS) {
		if (s->cur.type == 1)
			return fail(s, "'events' in a sampled profile");
		s->cur.type = 2;
	}
	s->kind[depth] = k;
	return 0;
}

static int ss_value(void *vctx, int depth, const char *key, size_t kl, uint64_t index,
		    const struct flame_json_doc *d, uint32_t v)
{
	struct ss_parser *s = vctx;
	(void)index;
	int parent = depth > 1 && depth < 9 ? s->kind[depth - 1] : 0;
	const struct flame_json_val *val = &d->v[v];
	size_t n;
	const char *str;
	switch (parent) {
	case K_TOP:
		if (keyis(key, kl, "$schema")) {
			if (!flame_json_string_is(d, v, SCHEMA_URL))
				return fail(s, "'$schema' is not " SCHEMA_URL);
			s->have_schema = 1;
		} else if (keyis(key, kl, "shared") || keyis(key, kl, "profiles")) {
			return fail(s, keyis(key, kl, "shared") ? "'shared' must be an object"
								: "'profiles' must be an array");
		}
		return 0;
	case K_FRAMES: {
		str = flame_json_string(d, flame_json_get(d, v, "name"), &n);
		if (val->type != FLAME_JSON_OBJECT || !str)
			return fail(s, "a frame must be an object with a string 'name'");
		FLAME_GROW(s->frames, s->frames_cap, s->nframes + 1);
		s->frames[s->nframes++] = flame_strtab_intern(&s->ctx->prof->names, str, n);
		return 0;
	}
	case K_PROFILE:
		if (keyis(key, kl, "type")) {
			int t = flame_json_string_is(d, v, "sampled") ? 1 : flame_json_string_is(d, v, "evented") ? 2 : 0;
			if (!t)
				return fail(s, "profile 'type' must be \"sampled\" or \"evented\"");
			if (s->cur.type && s->cur.type != t)
				return fail(s, "profile 'type' does not match its data");
			s->cur.type = t;
		} else if (keyis(key, kl, "unit")) {
			str = flame_json_string(d, v, &n);
			if (!str)
				return fail(s, "'unit' must be a string");
			flame_buf_reset(&s->cur.unit);
			flame_buf_add(&s->cur.unit, str, n);
		} else if (keyis(key, kl, "name")) {
			str = flame_json_string(d, v, &n);
			if (!str)
				return fail(s, "profile 'name' must be a string");
			flame_buf_reset(&s->cur.name);
			flame_buf_add(&s->cur.name, str, n);
		} else if (keyis(key, kl, "startValue")) {
			if (val->type != FLAME_JSON_NUMBER)
				return fail(s, "'startValue' must be a number");
			flame_buf_reset(&s->cur.start);
			flame_buf_add(&s->cur.start, val->s, val->len);
		} else if (keyis(key, kl, "samples") || keyis(key, kl, "weights") || keyis(key, kl, "events")) {
			return fail(s, "expected an array");
		}
		return 0;
	case K_SAMPLES:
		return on_sample(s, d, v);
	case K_WEIGHTS:
		if (val->type != FLAME_JSON_NUMBER)
			return fail(s, "a weight must be a number");
		flame_buf_add(&s->cur.weights, val->s, val->len);
		flame_buf_addc(&s->cur.weights, '\0');
		s->cur.nweights++;
		return 0;
	case K_EVENTS:
		if (val->type != FLAME_JSON_OBJECT)
			return fail(s, "an event must be an object");
		return on_event(s, d, v);
	default:
		if (depth == 1)
			return fail(s, "expected the top-level object");
		return 0;
	}
}

static int ss_close(void *vctx, int depth, int is_obj)
{
	struct ss_parser *s = vctx;
	(void)is_obj;
	if (depth < 8 && s->kind[depth] == K_PROFILE)
		return profile_end(s);
	if (depth < 8 && s->kind[depth] == K_FRAMES)
		return frames_end(s);
	if (depth == 1) {
		if (!s->have_schema)
			return fail(s, "no '$schema' naming the speedscope file format");
		if (!s->frames_done && (s->npending || s->nprof))
			return fail(s, "no 'shared.frames' table");
	}
	return 0;
}

static const struct flame_json_handler ss_handler = { ss_open, ss_value, ss_close };

static void *ss_new(struct flame_parse_ctx *ctx)
{
	struct ss_parser *s = flame_xcalloc(1, sizeof(*s));
	s->ctx = ctx;
	flame_profile_init(&s->itrie);
	return s;
}

static void ss_free(void *vp)
{
	struct ss_parser *s = vp;
	flame_json_free(s->jp);
	free(s->frames);
	prof_release(&s->cur);
	for (size_t i = 0; i < s->npending; i++)
		prof_release(&s->pending[i]);
	free(s->pending);
	flame_profile_release(&s->itrie);
	free(s->map);
	free(s->stack_node);
	free(s->stack_frame);
	free(s);
}

static int ss_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct ss_parser *s = vp;
	if (file_start || !s->jp) {
		flame_json_free(s->jp);
		s->jp = flame_json_new(&ss_handler, s, 0);
		s->nframes = 0;
		s->nprof = 0;
		s->have_schema = 0;
		s->frames_done = 0;
		prof_release(&s->cur);
		for (size_t i = 0; i < s->npending; i++)
			prof_release(&s->pending[i]);
		s->npending = 0;
		flame_profile_release(&s->itrie);
		flame_profile_init(&s->itrie);
	}
	if (flame_json_feed(s->jp, buf, len, file_end) < 0)
		return flame_parse_fail(s->ctx, 0, "%s", flame_json_error(s->jp));
	return 0;
}

/* The $schema URL among the first bytes. */
static enum flame_probe ss_probe(const char *buf, size_t len, int eof)
{
	size_t i = flame_json_start(buf, len);
	if (i >= len)
		return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
	if (buf[i] != '{')
		return FLAME_PROBE_NO;
	if (memmem(buf, len, "speedscope.app/file-format-schema.json", 38))
		return FLAME_PROBE_YES;
	return eof ? FLAME_PROBE_NO : FLAME_PROBE_NO;
}

/* ---- writer ---- */

/* The output is streamed: a first pass numbers the frames in order of
 * first use (the frame table comes first in the file) and sums what the
 * profile headers need; the second writes the profiles through a small
 * buffer.  Memory: the frame table, not the output. */

#define SS_FLUSH (1u << 20)

struct ss_writer {
	const struct flame_profile *p;
	struct flame_output *out;
	struct flame_error *err;
	struct flame_buf b;
	int failed;
	uint32_t *frame_of; /* name id -> frame index + 1 */
	uint32_t *order;    /* frame index -> name id */
	size_t nframes;
	uint32_t *path;
	size_t path_cap;
	uint64_t *seen;     /* pass 1: nodes numbered, one bit each */
};

static void flush(struct ss_writer *w, size_t at_least)
{
	if (w->b.len < at_least || w->failed)
		return;
	if (flame_output_write(w->out, w->b.data, w->b.len, w->err) < 0)
		w->failed = 1;
	flame_buf_reset(&w->b);
}

static uint32_t frame_of(struct ss_writer *w, uint32_t node)
{
	uint32_t name = w->p->nodes[node].name;
	if (!w->frame_of[name]) {
		w->order[w->nframes] = name;
		w->frame_of[name] = (uint32_t)++w->nframes;
	}
	return w->frame_of[name] - 1;
}

/* Pass 1: number the frames of leaf's stack, root first.  The nodes
 * above the first one seen before were numbered with it: each node is
 * walked once, not once per stack through it. */
static void number_stack(struct ss_writer *w, uint32_t leaf)
{
	size_t d = 0;
	for (uint32_t a = leaf; a != 0 && a != FLAME_NO_NODE; a = w->p->nodes[a].parent) {
		if (w->seen[a >> 6] & (1ULL << (a & 63)))
			break;
		w->seen[a >> 6] |= 1ULL << (a & 63);
		FLAME_GROW(w->path, w->path_cap, d + 1);
		w->path[d++] = a;
	}
	while (d)
		frame_of(w, w->path[--d]);
}

static void add_stack(struct ss_writer *w, uint32_t leaf)
{
	size_t d = flame_sb_path(w->p, leaf, &w->path, &w->path_cap);
	struct flame_buf *b = &w->b;
	flame_buf_addc(b, '[');
	for (size_t i = 0; i < d; i++) {
		if (i)
			flame_buf_addc(b, ',');
		flame_buf_add_u64(b, frame_of(w, w->path[i]));
	}
	flame_buf_addc(b, ']');
}

static void thread_label(struct flame_buf *b, const struct flame_thread *th)
{
	if (th->name && th->name[0])
		flame_json_add_str(b, th->name, strlen(th->name));
	else
		flame_buf_addf(b, "\"pid %u tid %u\"", th->pid, th->tid);
}

static void ev(struct ss_writer *w, int *first, char type, uint64_t at, uint32_t frame)
{
	struct flame_buf *b = &w->b;
	if (!*first)
		flame_buf_addc(b, ',');
	*first = 0;
	flame_buf_addf(b, "{\"type\":\"%c\",\"at\":", type);
	flame_buf_add_u64(b, at);
	flame_buf_adds(b, ",\"frame\":");
	flame_buf_add_u64(b, frame);
	flame_buf_addc(b, '}');
	flush(w, SS_FLUSH);
}

static void write_evented(struct ss_writer *w, const struct flame_sb_thread *th,
			  const struct flame_thread *tinfo)
{
	const struct flame_profile *p = w->p;
	struct flame_buf *b = &w->b;
	uint32_t *open = NULL; /* open nodes, root-first */
	size_t nopen = 0, open_cap = 0;
	int first = 1;
	uint64_t start = th->n ? th->spans[0].start : 0;
	uint64_t end = th->n ? th->spans[th->n - 1].start + th->spans[th->n - 1].weight : 0;
	flame_buf_adds(b, "{\"type\":\"evented\",\"name\":");
	thread_label(b, tinfo);
	flame_buf_adds(b, ",\"unit\":\"nanoseconds\",\"startValue\":");
	flame_buf_add_u64(b, start);
	flame_buf_adds(b, ",\"endValue\":");
	flame_buf_add_u64(b, end);
	flame_buf_adds(b, ",\"events\":[");
	end = start;
	for (size_t i = 0; i < th->n; i++) {
		const struct flame_sb_span *sp = &th->spans[i];
		size_t d = flame_sb_path(p, sp->leaf, &w->path, &w->path_cap);
		if (sp->start > end)
			while (nopen) /* a gap: close everything where the last span ended */
				ev(w, &first, 'C', end, frame_of(w, open[--nopen]));
		size_t common = 0;
		while (common < nopen && common < d && open[common] == w->path[common])
			common++;
		while (nopen > common)
			ev(w, &first, 'C', sp->start, frame_of(w, open[--nopen]));
		FLAME_GROW(open, open_cap, d + 1);
		for (size_t k = common; k < d; k++) {
			open[nopen++] = w->path[k];
			ev(w, &first, 'O', sp->start, frame_of(w, w->path[k]));
		}
		end = sp->start + sp->weight;
	}
	while (nopen)
		ev(w, &first, 'C', end, frame_of(w, open[--nopen]));
	flame_buf_adds(b, "]}");
	free(open);
}

static void write_sampled(struct ss_writer *w, const char *name, const struct flame_thread *tinfo,
			  const uint32_t *leaves, const struct flame_sb_span *spans, size_t n)
{
	const struct flame_profile *p = w->p;
	struct flame_buf *b = &w->b;
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += spans ? spans[i].weight : p->nodes[leaves[i]].self[0];
	flame_buf_adds(b, "{\"type\":\"sampled\",\"name\":");
	if (tinfo)
		thread_label(b, tinfo);
	else
		flame_json_add_str(b, name, strlen(name));
	flame_buf_adds(b, ",\"unit\":\"");
	flame_buf_adds(b, flame_sb_unit_name(p));
	flame_buf_adds(b, "\",\"startValue\":0,\"endValue\":");
	flame_json_add_fixed(b, total, p->scale_digits);
	flame_buf_adds(b, ",\"samples\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			flame_buf_addc(b, ',');
		add_stack(w, spans ? spans[i].leaf : leaves[i]);
		flush(w, SS_FLUSH);
	}
	flame_buf_adds(b, "],\"weights\":[");
	for (size_t i = 0; i < n; i++) {
		if (i)
			flame_buf_addc(b, ',');
		flame_json_add_fixed(b, spans ? spans[i].weight : p->nodes[leaves[i]].self[0], p->scale_digits);
		flush(w, SS_FLUSH);
	}
	flame_buf_adds(b, "]}");
}

static int ss_write(const struct flame_profile *p, struct flame_output *out, struct flame_error *err)
{
	struct ss_writer w = { p, out, err, FLAME_BUF_INIT, 0, NULL, NULL, 0, NULL, 0, NULL };
	size_t nnames = flame_strtab_count(&p->names);
	w.seen = flame_xcalloc(p->nnodes / 64 + 1, sizeof(uint64_t));
	w.frame_of = flame_xcalloc(nnames + 1, sizeof(uint32_t));
	w.order = flame_xmalloc((nnames + 1) * sizeof(uint32_t));
	const struct flame_timeline *t = flame_sb_timeline(p);
	struct flame_sb_thread *th = NULL;
	size_t nt = 0, n = 0;
	uint32_t *leaves = NULL;
	if (t) {
		nt = flame_sb_threads(p, t, &th);
		for (size_t i = 0; i < nt; i++)
			for (size_t k = 0; k < th[i].n; k++)
				number_stack(&w, th[i].spans[k].leaf);
	} else {
		n = flame_sb_leaves(p, &leaves);
		for (size_t i = 0; i < n; i++)
			number_stack(&w, leaves[i]);
	}
	free(w.seen);
	w.seen = NULL;
	flame_buf_adds(&w.b, "{\"$schema\":\"" SCHEMA_URL "\",\"exporter\":\"flame@" FLAME_VERSION
			     "\",\"name\":\"flame\",\"activeProfileIndex\":0,\"shared\":{\"frames\":[");
	for (size_t i = 0; i < w.nframes; i++) {
		size_t len;
		const char *name = flame_strtab_name(&p->names, w.order[i], &len);
		if (i)
			flame_buf_addc(&w.b, ',');
		flame_buf_adds(&w.b, "{\"name\":");
		flame_json_add_str(&w.b, name, len);
		flame_buf_addc(&w.b, '}');
		flush(&w, SS_FLUSH);
	}
	flame_buf_adds(&w.b, "]},\"profiles\":[");
	if (t) {
		for (size_t i = 0; i < nt; i++) {
			if (i)
				flame_buf_addc(&w.b, ',');
			if (p->unit == FLAME_UNIT_NANOSECONDS && p->scale_digits == 0)
				write_evented(&w, &th[i], &t->threads[th[i].thread]);
			else
				write_sampled(&w, NULL, &t->threads[th[i].thread], NULL, th[i].spans, th[i].n);
		}
		flame_sb_threads_free(th, nt);
	} else {
		write_sampled(&w, "flame", NULL, leaves, NULL, n);
		free(leaves);
	}
	flame_buf_adds(&w.b, "]}\n");
	flush(&w, 0);
	flame_buf_release(&w.b);
	free(w.frame_of);
	free(w.order);
	free(w.path);
	return w.failed ? -1 : 0;
}

static const char *ss_drops(const struct flame_profile *p)
{
	if (p->ncols == 2)
		return "speedscope has one weight column; the second column dropped";
	return NULL;
}

const struct flame_format flame_format_speedscope = {
	.name = "speedscope",
	.aliases = "speedscope-json",
	.summary = "speedscope JSON (sampled and evented profiles; speedscope.app)",
	.probe = ss_probe,
	.boundary = NULL,
	.prepare = NULL,
	.parser_new = ss_new,
	.parse = ss_parse,
	.parser_free = ss_free,
	.write = ss_write,
	.streaming = 1,
	.drops = ss_drops,
	.suffixes = ".speedscope.json",
	.shows_time = 1,
};
