/*
 * firefox.c - the Firefox Profiler's formats (profiler.firefox.com).
 *
 * Writing: the processed format pinned at version 70 (meta.version 36),
 * in the shape the profiler's own tests use; the shared stack, frame and
 * func tables hold one stack per trie node and one func per name.  One
 * thread per timeline thread, or one thread "flame" without a timeline.
 * Samples carry weights (weightType "samples", "tracing-ms" for time,
 * "bytes"), so a stack is one sample whatever its weight.
 *
 * Reading, all threads, as the profiler reads them:
 * - processed profiles: meta.preprocessedProfileVersion, or (before that
 *   field, "version 0") a first thread with a stringArray.  Tables in
 *   "shared" since v60, per thread before; the string array shared since
 *   v56; stack parents as "prefix" or, since v66, "prefixOffset"; sample
 *   weights in "weight", or "duration" before v29; times as "time" or
 *   "timeDeltas".
 * - Gecko profiles ({schema, data} tables, so any column order and any
 *   version's columns), with child "processes" whose times count from
 *   their own meta.startTime (shifted onto the parent's, as the profiler
 *   does), and before version 5 child processes as threads that are JSON
 *   strings holding a whole profile.
 * - either inside {"profile": ...}, as the DevTools performance panel of
 *   Firefox 59 to 79 saved recordings.
 * Unlike the other JSON readers this one keeps the whole document as a
 * parsed tree (about 40 bytes per JSON value), because the tables refer
 * to each other in any order; errors name the byte and the JSON path of
 * the value at fault (formats/jsonloc.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/json.h"
#include "../core/util.h"
#include "format.h"
#include "jsonloc.h"
#include "stackbuild.h"

struct ff_parser {
	struct flame_parse_ctx *ctx;
	struct flame_json_parser *jp;
	const struct flame_json_doc *d; /* the document being read */
	struct flame_jsontext text;     /* the file */
	const char *doc_text;           /* the text of d: the file's, or a string's JSON */
	size_t doc_len;
	struct flame_buf path;          /* of the value being read, in doc_text */
	struct flame_buf outer;         /* where doc_text lies when it is a string's JSON */
	int64_t top_start;              /* ns: meta.startTime of the outermost profile */
	int have_top_start;
	int64_t shift;                  /* ns added to the times of the thread being read */
	int sub_depth;                  /* processes depth of an embedded profile */
};

static int fail(struct ff_parser *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A hard error about the value at f->path. */
static int fail(struct ff_parser *f, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	int cut;
	const char *tail = flame_jsonpath_tail(f->path.data, &cut);
	return flame_parse_fail(f->ctx, 0, "firefox: %s at byte %" PRIu64 " (%s%s)%s", what,
				flame_jsonloc_find(f->doc_text, f->doc_len, f->path.data), cut ? "$..." : "",
				tail, f->outer.data ? f->outer.data : "");
}

/* f->path = base, then .col, then [i] (none if i < 0) */
static void at(struct ff_parser *f, const char *base, const char *col, int64_t i)
{
	flame_buf_reset(&f->path);
	flame_buf_adds(&f->path, base);
	if (col)
		flame_jsonpath_key(&f->path, col);
	if (i >= 0)
		flame_jsonpath_index(&f->path, (uint64_t)i);
}

static char *join(const char *a, const char *b)
{
	struct flame_buf j = FLAME_BUF_INIT;
	flame_buf_adds(&j, a);
	flame_buf_adds(&j, b);
	return j.data;
}

/* Elements of array a as an index vector (O(1) access). */
struct vec {
	uint32_t *v;
	size_t n;
};

static int vec_of(const struct flame_json_doc *d, uint32_t a, struct vec *out)
{
	out->v = NULL;
	out->n = 0;
	if (a == FLAME_JSON_NONE || d->v[a].type != FLAME_JSON_ARRAY)
		return 0;
	out->v = flame_xmalloc((d->v[a].len + 1) * sizeof(uint32_t));
	for (uint32_t c = d->v[a].first; c != FLAME_JSON_NONE; c = d->v[c].next)
		out->v[out->n++] = c;
	return 1;
}

/* integer at i; null gives -1; 0 = not a whole number */
static int int_at(const struct flame_json_doc *d, uint32_t v, int64_t *out)
{
	if (v == FLAME_JSON_NONE)
		return 0;
	if (d->v[v].type == FLAME_JSON_NULL) {
		*out = -1;
		return 1;
	}
	return flame_json_int(d, v, out);
}

struct tables {
	struct vec st_frame, st_prefix, fr_func, fn_name, strs, fr_loc;
	int offsets;   /* prefixOffset */
	int gecko;     /* frames hold location string indexes */
	/* paths of the tables, for messages */
	char *st_path, *fr_path, *fn_path;
};

static void tables_free(struct tables *t)
{
	free(t->st_frame.v);
	free(t->st_prefix.v);
	free(t->fr_func.v);
	free(t->fn_name.v);
	free(t->strs.v);
	free(t->fr_loc.v);
	free(t->st_path);
	free(t->fr_path);
	free(t->fn_path);
}

/* f->path = stack s's row (Gecko) or its cell in column col (processed) */
static void at_stack(struct ff_parser *f, const struct tables *t, int64_t s, const char *col)
{
	at(f, t->st_path, t->gecko ? "data" : col, s);
}

/* Gecko {schema: {col: idx}, data: [[...]]}: column col of every row. */
static int gecko_col(const struct flame_json_doc *d, uint32_t table, const char *col, struct vec *out)
{
	uint32_t schema = flame_json_get(d, table, "schema"), data = flame_json_get(d, table, "data");
	int64_t ci;
	out->v = NULL;
	out->n = 0;
	if (!flame_json_int(d, flame_json_get(d, schema, col), &ci) || ci < 0 ||
	    data == FLAME_JSON_NONE || d->v[data].type != FLAME_JSON_ARRAY)
		return 0;
	out->v = flame_xmalloc((d->v[data].len + 1) * sizeof(uint32_t));
	for (uint32_t r = d->v[data].first; r != FLAME_JSON_NONE; r = d->v[r].next) {
		if (d->v[r].type != FLAME_JSON_ARRAY) {
			free(out->v);
			out->v = NULL;
			return 0;
		}
		uint32_t c = d->v[r].first;
		for (int64_t k = 0; k < ci && c != FLAME_JSON_NONE; k++)
			c = d->v[c].next;
		out->v[out->n++] = c; /* FLAME_JSON_NONE: a short row */
	}
	return 1;
}

/* The name of the frame of stack x. */
static int name_of(struct ff_parser *f, struct tables *t, int64_t x, int64_t frame, uint32_t *id)
{
	const struct flame_json_doc *d = f->d;
	int64_t si;
	if (t->gecko) {
		if (frame < 0 || (size_t)frame >= t->fr_loc.n) {
			at_stack(f, t, x, "frame");
			return fail(f, "a stack names a frame that is not in frameTable (frame %" PRId64
				    "; frameTable has %zu)", frame, t->fr_loc.n);
		}
		if (t->fr_loc.v[frame] == FLAME_JSON_NONE || !flame_json_int(d, t->fr_loc.v[frame], &si)) {
			at(f, t->fr_path, "data", frame);
			return fail(f, "a frame needs a string index as its location");
		}
		if (si < 0 || (size_t)si >= t->strs.n) {
			at(f, t->fr_path, "data", frame);
			return fail(f, "a name index is not in the string table (%" PRId64 "; the string "
				    "table has %zu)", si, t->strs.n);
		}
	} else {
		int64_t fn;
		if (frame < 0 || (size_t)frame >= t->fr_func.n) {
			at_stack(f, t, x, "frame");
			return fail(f, "a stack names a frame that is not in frameTable (frame %" PRId64
				    "; frameTable has %zu)", frame, t->fr_func.n);
		}
		if (!flame_json_int(d, t->fr_func.v[frame], &fn) || fn < 0 || (size_t)fn >= t->fn_name.n) {
			at(f, t->fr_path, "func", frame);
			return fail(f, "a frame names a func that is not in funcTable (funcTable has %zu)",
				    t->fn_name.n);
		}
		if (!flame_json_int(d, t->fn_name.v[fn], &si) || si < 0 || (size_t)si >= t->strs.n) {
			at(f, t->fn_path, "name", fn);
			return fail(f, "a name index is not in the string table (the string table has %zu)",
				    t->strs.n);
		}
	}
	size_t n;
	const char *s = flame_json_string(d, t->strs.v[si], &n);
	if (!s) {
		at(f, t->fr_path, NULL, -1);
		return fail(f, "string %" PRId64 " of the string table is not a string", si);
	}
	*id = flame_strtab_intern(&f->ctx->prof->names, s, n);
	return 0;
}

/* Trie node of every stack; parents resolved iteratively. */
static int stack_nodes(struct ff_parser *f, struct tables *t, uint32_t **out)
{
	const struct flame_json_doc *d = f->d;
	size_t n = t->st_frame.n;
	uint32_t *node = flame_xmalloc((n + 1) * sizeof(*node));
	for (size_t i = 0; i < n; i++)
		node[i] = UINT32_MAX;
	uint32_t *chain = NULL;
	size_t cap = 0;
	const char *pcol = t->offsets ? "prefixOffset" : "prefix";
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		int64_t s = (int64_t)i;
		while (s >= 0 && node[s] == UINT32_MAX) {
			if (k > n) {
				at_stack(f, t, s, pcol);
				goto bad_cycle;
			}
			FLAME_GROW(chain, cap, k + 1);
			chain[k++] = (uint32_t)s;
			int64_t pr;
			if ((size_t)s >= t->st_prefix.n || !int_at(d, t->st_prefix.v[s], &pr)) {
				at_stack(f, t, s, pcol);
				fail(f, "stackTable needs a prefix (or prefixOffset) per stack");
				goto bad;
			}
			if (t->offsets)
				pr = pr == 0 ? -1 : s - pr;
			if (pr >= (int64_t)n || (pr >= 0 && t->offsets && pr > s)) {
				at_stack(f, t, s, pcol);
				fail(f, "a stack's prefix is out of range (stack %" PRId64 "; stackTable has %zu)",
				     pr, n);
				goto bad;
			}
			s = pr;
		}
		uint32_t base = s >= 0 ? node[s] : 0;
		while (k) {
			uint32_t x = chain[--k];
			int64_t fr;
			uint32_t id = 0;
			if (!flame_json_int(d, t->st_frame.v[x], &fr)) {
				at_stack(f, t, x, "frame");
				fail(f, "a stack needs a frame index");
				goto bad;
			}
			if (name_of(f, t, x, fr, &id) < 0)
				goto bad;
			base = flame_profile_child(f->ctx->prof, base, id, 1);
			node[x] = base;
		}
	}
	free(chain);
	*out = node;
	return 0;
bad_cycle:
	fail(f, "stackTable prefixes form a cycle");
bad:
	free(chain);
	free(node);
	return -1;
}

/* meta.startTime of a profile in ns (whole), 0 if it has none */
static int start_ns(const struct flame_json_doc *d, uint32_t root, int64_t *out)
{
	uint32_t v = flame_json_get(d, flame_json_get(d, root, "meta"), "startTime");
	uint64_t ip, fp;
	int dg;
	if (v == FLAME_JSON_NONE || d->v[v].type != FLAME_JSON_NUMBER ||
	    !flame_json_decimal(d->v[v].s, d->v[v].len, 6, &ip, &fp, &dg) || ip > INT64_MAX)
		return 0;
	*out = (int64_t)ip;
	return 1;
}

static int read_thread(struct ff_parser *f, uint32_t th, const char *tpath, uint32_t shared,
		       const char *spath, int gecko)
{
	const struct flame_json_doc *d = f->d;
	struct flame_profile *p = f->ctx->prof;
	struct tables t;
	memset(&t, 0, sizeof(t));
	t.gecko = gecko;
	int rc = -1;
	uint32_t *nodes = NULL;
	struct vec s_stack = { NULL, 0 }, s_weight = { NULL, 0 }, s_time = { NULL, 0 };
	const char *wcol = "weight";
	char *sm_path = join(tpath, ".samples");
	if (d->v[th].type != FLAME_JSON_OBJECT) {
		at(f, tpath, NULL, -1);
		fail(f, "a thread must be an object%s", gecko ? " (or, before version 5, a profile as "
							       "a JSON string)" : "");
		goto out;
	}
	if (gecko) {
		uint32_t st = flame_json_get(d, th, "stackTable"), fr = flame_json_get(d, th, "frameTable");
		uint32_t sm = flame_json_get(d, th, "samples");
		t.st_path = join(tpath, ".stackTable");
		t.fr_path = join(tpath, ".frameTable");
		if (!gecko_col(d, st, "frame", &t.st_frame) || !gecko_col(d, st, "prefix", &t.st_prefix) ||
		    !gecko_col(d, fr, "location", &t.fr_loc) || !vec_of(d, flame_json_get(d, th, "stringTable"), &t.strs) ||
		    !gecko_col(d, sm, "stack", &s_stack)) {
			at(f, tpath, NULL, -1);
			fail(f, "a Gecko thread needs stackTable, frameTable, stringTable and samples tables");
			goto out;
		}
		gecko_col(d, sm, "weight", &s_weight);
		gecko_col(d, sm, "time", &s_time);
	} else {
		int in_shared = shared != FLAME_JSON_NONE && flame_json_get(d, shared, "stackTable") != FLAME_JSON_NONE;
		uint32_t src = in_shared ? shared : th;
		const char *src_path = in_shared ? spath : tpath;
		uint32_t st = flame_json_get(d, src, "stackTable"), fr = flame_json_get(d, src, "frameTable");
		uint32_t fn = flame_json_get(d, src, "funcTable");
		uint32_t strs = flame_json_get(d, shared, "stringArray");
		if (strs == FLAME_JSON_NONE)
			strs = flame_json_get(d, th, "stringArray");
		if (strs == FLAME_JSON_NONE)
			strs = flame_json_get(d, th, "stringTable");
		t.st_path = join(src_path, ".stackTable");
		t.fr_path = join(src_path, ".frameTable");
		t.fn_path = join(src_path, ".funcTable");
		t.offsets = flame_json_get(d, st, "prefixOffset") != FLAME_JSON_NONE;
		uint32_t sm = flame_json_get(d, th, "samples");
		if (!vec_of(d, flame_json_get(d, st, "frame"), &t.st_frame) ||
		    !vec_of(d, flame_json_get(d, st, t.offsets ? "prefixOffset" : "prefix"), &t.st_prefix) ||
		    !vec_of(d, flame_json_get(d, fr, "func"), &t.fr_func) ||
		    !vec_of(d, flame_json_get(d, fn, "name"), &t.fn_name) || !vec_of(d, strs, &t.strs) ||
		    !vec_of(d, flame_json_get(d, sm, "stack"), &s_stack)) {
			at(f, tpath, NULL, -1);
			fail(f, "a processed thread needs stack, frame, func and string tables and samples");
			goto out;
		}
		/* before version 29 the weights were "duration" */
		if (!vec_of(d, flame_json_get(d, sm, "weight"), &s_weight) &&
		    vec_of(d, flame_json_get(d, sm, "duration"), &s_weight))
			wcol = "duration";
		if (!vec_of(d, flame_json_get(d, sm, "time"), &s_time))
			vec_of(d, flame_json_get(d, sm, "timeDeltas"), &s_time);
		uint32_t wt = flame_json_get(d, sm, "weightType");
		if (flame_json_string_is(d, wt, "tracing-ms"))
			p->unit = FLAME_UNIT_NANOSECONDS;
		else if (flame_json_string_is(d, wt, "bytes"))
			p->unit = FLAME_UNIT_BYTES;
	}
	if (stack_nodes(f, &t, &nodes) < 0)
		goto out;
	uint32_t thread = 0;
	struct flame_timeline *tl = NULL;
	if (f->ctx->opts->want_timeline) {
		size_t nl = 0;
		const char *nm = flame_json_string(d, flame_json_get(d, th, "name"), &nl);
		uint32_t pv = flame_json_get(d, th, "pid"), tv = flame_json_get(d, th, "tid");
		int64_t pid = 0, tid = 0;
		if (pv != FLAME_JSON_NONE && d->v[pv].type == FLAME_JSON_STRING) {
			/* a numeric string ("1234"): its leading digits */
			char num[24];
			size_t k = d->v[pv].len < sizeof(num) - 1 ? d->v[pv].len : sizeof(num) - 1;
			memcpy(num, d->v[pv].s, k);
			num[k] = '\0';
			pid = strtoll(num, NULL, 10);
		} else if (pv != FLAME_JSON_NONE)
			flame_json_int(d, pv, &pid);
		if (tv != FLAME_JSON_NONE)
			flame_json_int(d, tv, &tid);
		tl = flame_profile_timeline_enable(p);
		thread = flame_timeline_thread(tl, (uint32_t)pid, (uint32_t)tid, nm ? nm : "", nm ? nl : 0);
	}
	int shift = p->unit == FLAME_UNIT_NANOSECONDS ? 6 : 0;
	uint64_t tnow = 0;
	int deltas = !gecko && flame_json_get(d, flame_json_get(d, th, "samples"), "timeDeltas") != FLAME_JSON_NONE;
	for (size_t i = 0; i < s_stack.n; i++) {
		int64_t si;
		if (s_stack.v[i] == FLAME_JSON_NONE || !int_at(d, s_stack.v[i], &si)) {
			at(f, sm_path, gecko ? "data" : "stack", (int64_t)i);
			fail(f, "a sample's stack must be a stack index or null");
			goto out;
		}
		if (si >= (int64_t)t.st_frame.n) {
			at(f, sm_path, gecko ? "data" : "stack", (int64_t)i);
			fail(f, "a sample's stack index is out of range (%" PRId64 "; stackTable has %zu)", si,
			     t.st_frame.n);
			goto out;
		}
		uint64_t w = 1;
		for (int k = 0; k < p->scale_digits; k++)
			w *= 10;
		if (s_weight.n) {
			uint32_t wv = i < s_weight.n ? s_weight.v[i] : FLAME_JSON_NONE;
			if (wv == FLAME_JSON_NONE || d->v[wv].type != FLAME_JSON_NUMBER ||
			    flame_sb_fixed(p, d->v[wv].s, d->v[wv].len, shift, &w) < 0) {
				at(f, sm_path, gecko ? "data" : wcol, (int64_t)i);
				fail(f, "a sample weight must be a non-negative number");
				goto out;
			}
		} else if (p->unit == FLAME_UNIT_NANOSECONDS) {
			w = 1000000; /* one sample, no weight: take it as 1 ms */
		}
		if (i < s_time.n && s_time.v[i] != FLAME_JSON_NONE && d->v[s_time.v[i]].type == FLAME_JSON_NUMBER) {
			uint64_t ip, fp;
			int dg;
			const struct flame_json_val *tv = &d->v[s_time.v[i]];
			if (flame_json_decimal(tv->s, tv->len, 6, &ip, &fp, &dg)) {
				if (deltas)
					tnow += ip;
				else if (f->shift < 0)
					tnow = ip > (uint64_t)-f->shift ? ip - (uint64_t)-f->shift : 0;
				else
					tnow = ip + (uint64_t)f->shift;
			}
		}
		if (si < 0 || !w)
			continue;
		uint64_t ws[2] = { w, 0 };
		flame_profile_add_weight(p, nodes[si], ws);
		p->nstacks++;
		if (tl)
			flame_sb_sample(tl, nodes[si], thread, tnow, w);
	}
	rc = 0;
out:
	free(sm_path);
	free(nodes);
	free(s_stack.v);
	free(s_weight.v);
	free(s_time.v);
	tables_free(&t);
	return rc;
}

static int read_process(struct ff_parser *f, uint32_t root, const char *ppath, int gecko, int depth);

static int sub_open(void *vctx, int depth, int is_obj, const char *key, size_t kl, uint64_t index)
{
	(void)vctx;
	(void)depth;
	(void)is_obj;
	(void)key;
	(void)kl;
	(void)index;
	return 1;
}

static int sub_value(void *vctx, int depth, const char *key, size_t kl, uint64_t index,
		     const struct flame_json_doc *d, uint32_t v)
{
	struct ff_parser *f = vctx;
	(void)depth;
	(void)key;
	(void)kl;
	(void)index;
	f->d = d;
	if (d->v[v].type != FLAME_JSON_OBJECT || flame_json_get(d, v, "meta") == FLAME_JSON_NONE) {
		at(f, "$", NULL, -1);
		return fail(f, "expected a profile object with 'meta'");
	}
	return read_process(f, v, "$", 1, f->sub_depth);
}

static const struct flame_json_handler sub_handler = { sub_open, sub_value, NULL };

/* A thread that is a JSON string: a child process's whole profile (Gecko
 * before version 5). */
static int read_embedded(struct ff_parser *f, uint32_t s, const char *spath, int depth)
{
	const struct flame_json_doc *d = f->d;
	size_t n;
	const char *txt = flame_json_string(d, s, &n);
	int cut;
	const char *tail = flame_jsonpath_tail(spath, &cut);
	struct flame_buf outer = FLAME_BUF_INIT;
	flame_buf_addf(&outer, " of the profile stored as a JSON string at byte %" PRIu64 " (%s%s)",
		       flame_jsonloc_find(f->doc_text, f->doc_len, spath), cut ? "$..." : "", tail);
	if (f->outer.data)
		flame_buf_adds(&outer, f->outer.data);
	struct flame_buf saved_outer = f->outer;
	const char *saved_text = f->doc_text;
	size_t saved_len = f->doc_len;
	int saved_depth = f->sub_depth;
	f->outer = outer;
	f->doc_text = txt;
	f->doc_len = n;
	f->sub_depth = depth;
	struct flame_json_parser *jp = flame_json_new(&sub_handler, f, 0);
	int rc = flame_json_feed(jp, txt, n, 1);
	if (rc < 0 && !f->ctx->failed)
		flame_parse_fail(f->ctx, 0, "firefox: %s%s", flame_json_error(jp), f->outer.data);
	flame_json_free(jp);
	flame_buf_release(&f->outer);
	f->outer = saved_outer;
	f->doc_text = saved_text;
	f->doc_len = saved_len;
	f->sub_depth = saved_depth;
	f->d = d;
	return rc < 0 ? -1 : 0;
}

static int read_process(struct ff_parser *f, uint32_t root, const char *ppath, int gecko, int depth)
{
	const struct flame_json_doc *d = f->d;
	if (depth > 64) {
		at(f, ppath, NULL, -1);
		return fail(f, "processes nested too deep");
	}
	uint32_t threads = flame_json_get(d, root, "threads");
	if (threads == FLAME_JSON_NONE || d->v[threads].type != FLAME_JSON_ARRAY) {
		at(f, ppath, NULL, -1);
		return fail(f, "no 'threads' array");
	}
	/* a child process's times count from its own start */
	int64_t st, shift = 0;
	if (gecko && start_ns(d, root, &st)) {
		if (!f->have_top_start) {
			f->top_start = st;
			f->have_top_start = 1;
		}
		shift = st - f->top_start;
	}
	uint32_t shared = flame_json_get(d, root, "shared");
	char *spath = join(ppath, ".shared");
	uint64_t i = 0;
	int rc = 0;
	for (uint32_t th = d->v[threads].first; th != FLAME_JSON_NONE && rc == 0; th = d->v[th].next, i++) {
		struct flame_buf tp = FLAME_BUF_INIT;
		flame_buf_adds(&tp, ppath);
		flame_jsonpath_key(&tp, "threads");
		flame_jsonpath_index(&tp, i);
		f->shift = shift;
		if (gecko && d->v[th].type == FLAME_JSON_STRING)
			rc = read_embedded(f, th, tp.data, depth + 1);
		else
			rc = read_thread(f, th, tp.data, shared, spath, gecko);
		flame_buf_release(&tp);
	}
	free(spath);
	if (rc < 0)
		return -1;
	uint32_t procs = flame_json_get(d, root, "processes");
	i = 0;
	if (gecko && procs != FLAME_JSON_NONE && d->v[procs].type == FLAME_JSON_ARRAY)
		for (uint32_t pr = d->v[procs].first; pr != FLAME_JSON_NONE; pr = d->v[pr].next, i++) {
			struct flame_buf pp = FLAME_BUF_INIT;
			flame_buf_adds(&pp, ppath);
			flame_jsonpath_key(&pp, "processes");
			flame_jsonpath_index(&pp, i);
			rc = read_process(f, pr, pp.data, gecko, depth + 1);
			flame_buf_release(&pp);
			if (rc < 0)
				return -1;
		}
	return 0;
}

/* The profiler's test for a processed profile: a preprocessedProfileVersion,
 * or (version 0) a first thread with a stringArray. */
static int is_processed(const struct flame_json_doc *d, uint32_t root)
{
	if (flame_json_get(d, flame_json_get(d, root, "meta"), "preprocessedProfileVersion") != FLAME_JSON_NONE)
		return 1;
	uint32_t th = flame_json_get(d, root, "threads");
	if (th == FLAME_JSON_NONE || d->v[th].type != FLAME_JSON_ARRAY || d->v[th].first == FLAME_JSON_NONE)
		return 0;
	return flame_json_get(d, d->v[th].first, "stringArray") != FLAME_JSON_NONE;
}

static int ff_open(void *vctx, int depth, int is_obj, const char *key, size_t kl, uint64_t index)
{
	struct ff_parser *f = vctx;
	(void)depth;
	(void)key;
	(void)kl;
	(void)index;
	if (!is_obj)
		return flame_json_fail(f->jp, "firefox: expected the top-level object");
	return 1;
}

static int ff_value(void *vctx, int depth, const char *key, size_t kl, uint64_t index,
		    const struct flame_json_doc *d, uint32_t v)
{
	struct ff_parser *f = vctx;
	(void)depth;
	(void)key;
	(void)kl;
	(void)index;
	if (d->v[v].type != FLAME_JSON_OBJECT)
		return flame_json_fail(f->jp, "firefox: expected the top-level object");
	f->d = d;
	f->doc_text = f->text.text;
	f->doc_len = f->text.len;
	f->have_top_start = 0;
	uint32_t root = v;
	const char *rpath = "$";
	int processed = is_processed(d, v);
	/* DevTools recordings (Firefox 59 to 79): {"profile": {...}} */
	uint32_t inner = flame_json_get(d, v, "profile");
	if (!processed && inner != FLAME_JSON_NONE && d->v[inner].type == FLAME_JSON_OBJECT) {
		root = inner;
		rpath = "$.profile";
		processed = is_processed(d, inner);
	}
	if (flame_json_get(d, root, "meta") == FLAME_JSON_NONE) {
		at(f, rpath, NULL, -1);
		return fail(f, "no 'meta' object");
	}
	return read_process(f, root, rpath, !processed, 0);
}

static const struct flame_json_handler ff_handler = { ff_open, ff_value, NULL };

static void *ff_new(struct flame_parse_ctx *ctx)
{
	struct ff_parser *f = flame_xcalloc(1, sizeof(*f));
	f->ctx = ctx;
	return f;
}

static void ff_free(void *vp)
{
	struct ff_parser *f = vp;
	flame_json_free(f->jp);
	flame_jsontext_release(&f->text);
	flame_buf_release(&f->path);
	flame_buf_release(&f->outer);
	free(f);
}

static int ff_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct ff_parser *f = vp;
	if (file_start || !f->jp) {
		flame_json_free(f->jp);
		f->jp = flame_json_new(&ff_handler, f, 0);
	}
	flame_jsontext_chunk(&f->text, buf, len, file_start || !f->text.text, file_end);
	if (flame_json_feed(f->jp, buf, len, file_end) < 0)
		return f->ctx->failed ? -1 : flame_parse_fail(f->ctx, 0, "%s", flame_json_error(f->jp));
	return 0;
}

/* ---- detection ---- */

enum { K_META = 1, K_LIBS = 2, K_THREADS = 4, K_PROCESSES = 8, K_PROFILE = 16 };
enum { M_INTERVAL = 1, M_STACKWALK = 2, M_PPV = 4, M_VERSION = 8 };

/* What the probe window shows of an object's members. */
struct ff_seen {
	unsigned top;       /* K_*: its keys */
	unsigned meta;      /* M_*: the keys of its "meta" */
	int first_libs;     /* its first key is "libs" */
	int lib_fields;     /* a lib has "breakpadId" or "debugName" */
	int cut_in_libs;    /* the window ends inside "libs" */
	size_t profile_at;  /* where its "profile" object starts, 0 if none */
};

static int key_is(const char *k, size_t kl, const char *lit)
{
	return kl == strlen(lit) && memcmp(k, lit, kl) == 0;
}

/* Scan the object at b[i] ('{') as far as the window goes: its keys in
 * any order, those of its "meta", and whether a long "libs" list (which
 * Firefox writes first) fills the window. */
static void ff_scan(const char *b, size_t n, size_t i, struct ff_seen *s)
{
	char open[16];  /* '{' or '[' of the first levels */
	size_t depth = 0;
	int want_key = 0, nkeys = 0;
	unsigned cur = 0; /* K_*: the member whose value is being scanned */
	memset(s, 0, sizeof(*s));
	for (; i < n; i++) {
		char c = b[i];
		if (c == '"') {
			size_t e = i + 1;
			while (e < n && b[e] != '"')
				e += b[e] == '\\' ? 2 : 1;
			if (e >= n)
				break;
			const char *k = b + i + 1;
			size_t kl = e - i - 1;
			if (want_key && depth == 1) {
				cur = key_is(k, kl, "meta") ? K_META : key_is(k, kl, "libs") ? K_LIBS
				    : key_is(k, kl, "threads") ? K_THREADS : key_is(k, kl, "processes") ? K_PROCESSES
				    : key_is(k, kl, "profile") ? K_PROFILE : 0;
				s->top |= cur;
				if (nkeys++ == 0 && cur == K_LIBS)
					s->first_libs = 1;
			} else if (want_key && depth == 2 && cur == K_META) {
				s->meta |= key_is(k, kl, "interval") ? M_INTERVAL : key_is(k, kl, "stackwalk") ? M_STACKWALK
					 : key_is(k, kl, "preprocessedProfileVersion") ? M_PPV
					 : key_is(k, kl, "version") ? M_VERSION : 0;
			} else if (want_key && depth == 3 && cur == K_LIBS &&
				   (key_is(k, kl, "breakpadId") || key_is(k, kl, "debugName"))) {
				s->lib_fields = 1;
			}
			want_key = 0;
			i = e;
		} else if (c == '{' || c == '[') {
			if (depth == 1 && cur == K_PROFILE && c == '{' && !s->profile_at)
				s->profile_at = i;
			if (depth < sizeof(open))
				open[depth] = c;
			depth++;
			want_key = c == '{';
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return;
			want_key = 0;
		} else if (c == ',') {
			want_key = depth <= sizeof(open) && open[depth - 1] == '{';
		}
	}
	if (depth >= 2 && cur == K_LIBS)
		s->cut_in_libs = 1;
}

static int ff_looks(const struct ff_seen *s)
{
	if ((s->top & K_META) && (s->meta & M_INTERVAL) &&
	    ((s->top & (K_THREADS | K_LIBS | K_PROCESSES)) || (s->meta & (M_STACKWALK | M_PPV | M_VERSION))))
		return 1;
	return s->first_libs && s->lib_fields && s->cut_in_libs;
}

/* A profile's "meta" (with "interval") and "threads", "libs" or
 * "processes" as members in any order; or a list of libraries (first, as
 * Firefox writes it) longer than the window; or either inside {"profile"}. */
static enum flame_probe ff_probe(const char *buf, size_t len, int eof)
{
	enum flame_probe pre = flame_probe_other_json_object(buf, len, eof);
	if (pre != FLAME_PROBE_YES)
		return pre;
	if (memmem(buf, len, "\"meta\"", 6) && memmem(buf, len, "\"interval\"", 10) &&
	    (memmem(buf, len, "\"preprocessedProfileVersion\"", 28) || memmem(buf, len, "\"stackwalk\"", 11)))
		return FLAME_PROBE_YES;
	struct ff_seen s, in;
	ff_scan(buf, len, flame_json_start(buf, len), &s);
	if (ff_looks(&s))
		return FLAME_PROBE_YES;
	if (s.profile_at) {
		ff_scan(buf, len, s.profile_at, &in);
		if (ff_looks(&in))
			return FLAME_PROBE_YES;
	}
	return FLAME_PROBE_NO;
}

/* ---- writer ---- */

static void ncopies(struct flame_buf *b, const char *key, const char *val, size_t n)
{
	flame_buf_addf(b, ",\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			flame_buf_addc(b, ',');
		flame_buf_adds(b, val);
	}
	flame_buf_addc(b, ']');
}

static void add_ms(struct flame_buf *b, uint64_t ns)
{
	flame_json_add_fixed(b, ns, 6);
}

static int ff_write(const struct flame_profile *p, struct flame_output *out, struct flame_error *err)
{
	struct flame_buf b = FLAME_BUF_INIT;
	size_t nnames = flame_strtab_count(&p->names);
	/* stacks: trie nodes in index order (parents first); funcs: names */
	uint32_t *stack_of = flame_xmalloc((p->nnodes + 1) * sizeof(*stack_of));
	uint32_t *func_of = flame_xmalloc((nnames + 1) * sizeof(*func_of));
	uint32_t *funcs = flame_xmalloc((nnames + 1) * sizeof(*funcs));
	uint32_t *stacks = flame_xmalloc((p->nnodes + 1) * sizeof(*stacks));
	size_t nfuncs = 0, nstacks = 0;
	for (size_t i = 0; i <= nnames; i++)
		func_of[i] = UINT32_MAX;
	for (size_t k = 1; k < p->nnodes; k++) {
		uint32_t nm = p->nodes[k].name;
		if (func_of[nm] == UINT32_MAX) {
			func_of[nm] = (uint32_t)nfuncs;
			funcs[nfuncs++] = nm;
		}
		stack_of[k] = (uint32_t)nstacks;
		stacks[nstacks++] = (uint32_t)k;
	}
	const char *wtype = p->unit == FLAME_UNIT_NANOSECONDS ? "tracing-ms" : p->unit == FLAME_UNIT_BYTES
				? "bytes" : "samples";
	flame_buf_adds(&b, "{\"meta\":{\"version\":36,\"preprocessedProfileVersion\":70,\"interval\":1,"
			   "\"startTime\":0,\"processType\":0,\"product\":\"flame\",\"stackwalk\":0,"
			   "\"symbolicated\":true,\"categories\":[{\"name\":\"Other\",\"color\":\"grey\","
			   "\"subcategories\":[\"Other\"]}],\"markerSchema\":[],"
			   "\"sampleUnits\":{\"time\":\"ms\",\"eventDelay\":\"ms\",\"threadCPUDelta\":\"ns\"}},\n"
			   "\"libs\":[],\n\"shared\":{\"stringArray\":[");
	for (size_t i = 0; i < nfuncs; i++) {
		size_t len;
		const char *name = flame_strtab_name(&p->names, funcs[i], &len);
		if (i)
			flame_buf_addc(&b, ',');
		flame_json_add_str(&b, name, len);
	}
	flame_buf_addf(&b, "],\n\"stackTable\":{\"length\":%zu,\"frame\":[", nstacks);
	for (size_t i = 0; i < nstacks; i++)
		flame_buf_addf(&b, "%s%u", i ? "," : "", func_of[p->nodes[stacks[i]].name]);
	flame_buf_adds(&b, "],\"prefixOffset\":[");
	for (size_t i = 0; i < nstacks; i++) {
		uint32_t par = p->nodes[stacks[i]].parent;
		flame_buf_addf(&b, "%s%zu", i ? "," : "", par ? i - stack_of[par] : (size_t)0);
	}
	flame_buf_addf(&b, "]},\n\"frameTable\":{\"length\":%zu", nfuncs);
	ncopies(&b, "address", "-1", nfuncs);
	ncopies(&b, "lib", "-1", nfuncs);
	ncopies(&b, "inlineDepth", "0", nfuncs);
	ncopies(&b, "category", "0", nfuncs);
	ncopies(&b, "subcategory", "0", nfuncs);
	flame_buf_adds(&b, ",\"func\":[");
	for (size_t i = 0; i < nfuncs; i++)
		flame_buf_addf(&b, "%s%zu", i ? "," : "", i);
	flame_buf_addc(&b, ']');
	ncopies(&b, "nativeSymbol", "null", nfuncs);
	ncopies(&b, "innerWindowID", "0", nfuncs);
	ncopies(&b, "line", "null", nfuncs);
	ncopies(&b, "column", "null", nfuncs);
	ncopies(&b, "originalLocation", "null", nfuncs);
	flame_buf_addf(&b, "},\n\"funcTable\":{\"length\":%zu,\"name\":[", nfuncs);
	for (size_t i = 0; i < nfuncs; i++)
		flame_buf_addf(&b, "%s%zu", i ? "," : "", i);
	flame_buf_addc(&b, ']');
	ncopies(&b, "isJS", "false", nfuncs);
	ncopies(&b, "relevantForJS", "false", nfuncs);
	ncopies(&b, "resource", "-1", nfuncs);
	ncopies(&b, "source", "null", nfuncs);
	ncopies(&b, "lineNumber", "null", nfuncs);
	ncopies(&b, "columnNumber", "null", nfuncs);
	ncopies(&b, "originalLocation", "null", nfuncs);
	flame_buf_adds(&b, "},\n\"resourceTable\":{\"length\":0,\"name\":[],\"host\":[],\"type\":[]},"
			   "\"nativeSymbols\":{\"length\":0,\"libIndex\":[],\"address\":[],\"name\":[],\"functionSize\":[]},"
			   "\"sources\":{\"length\":0,\"id\":[],\"filename\":[],\"startLine\":[],\"startColumn\":[],"
			   "\"sourceMapURL\":[],\"content\":[]},"
			   "\"sourceLocationTable\":{\"length\":0,\"source\":[],\"line\":[],\"column\":[]}},\n\"threads\":[");
	/* threads */
	const struct flame_timeline *t = flame_sb_timeline(p);
	struct flame_sb_thread *th = NULL;
	size_t nt = 0;
	struct flame_sb_thread one = { 0, NULL, 0 };
	if (t) {
		nt = flame_sb_threads(p, t, &th);
	} else {
		uint32_t *leaves;
		size_t n = flame_sb_leaves(p, &leaves);
		one.spans = flame_xmalloc((n + 1) * sizeof(*one.spans));
		for (size_t i = 0; i < n; i++)
			one.spans[i] = (struct flame_sb_span){ i * 1000000, p->nodes[leaves[i]].self[0], leaves[i] };
		one.n = n;
		free(leaves);
		th = &one;
		nt = 1;
	}
	for (size_t i = 0; i < nt; i++) {
		const struct flame_thread *ti = t ? &t->threads[th[i].thread] : NULL;
		char label[64];
		const char *name = "flame";
		uint32_t pid = 1, tid = 1;
		if (ti) {
			snprintf(label, sizeof(label), "pid %u tid %u", ti->pid, ti->tid);
			name = ti->name && ti->name[0] ? ti->name : label;
			pid = ti->pid;
			tid = ti->tid;
		}
		flame_buf_adds(&b, i ? ",\n{\"name\":" : "\n{\"name\":");
		flame_json_add_str(&b, name, strlen(name));
		flame_buf_addf(&b, ",\"processType\":\"default\",\"processStartupTime\":0,\"processShutdownTime\":null,"
				   "\"registerTime\":0,\"unregisterTime\":null,\"pausedRanges\":[],\"isMainThread\":%s,"
				   "\"pid\":\"%u\",\"tid\":%u,\"samples\":{\"length\":%zu,\"stack\":[",
			       i == 0 ? "true" : "false", pid, tid, th[i].n);
		for (size_t k = 0; k < th[i].n; k++)
			flame_buf_addf(&b, "%s%u", k ? "," : "", stack_of[th[i].spans[k].leaf]);
		flame_buf_adds(&b, "],\"time\":[");
		uint64_t t0 = th[i].n ? th[i].spans[0].start : 0;
		for (size_t k = 0; k < th[i].n; k++) {
			if (k)
				flame_buf_addc(&b, ',');
			/* ms since the thread's first sample (ns timelines), else the order */
			if (ti && p->unit == FLAME_UNIT_NANOSECONDS)
				add_ms(&b, th[i].spans[k].start - t0);
			else
				flame_buf_add_u64(&b, k);
		}
		flame_buf_adds(&b, "],\"weight\":[");
		for (size_t k = 0; k < th[i].n; k++) {
			if (k)
				flame_buf_addc(&b, ',');
			if (p->unit == FLAME_UNIT_NANOSECONDS)
				flame_json_add_fixed(&b, th[i].spans[k].weight, 6 + p->scale_digits);
			else
				flame_json_add_fixed(&b, th[i].spans[k].weight, p->scale_digits);
		}
		flame_buf_addf(&b, "],\"weightType\":\"%s\"},\"markers\":{\"length\":0,\"data\":[],\"name\":[],"
				   "\"startTime\":[],\"endTime\":[],\"phase\":[],\"category\":[]}}", wtype);
	}
	flame_buf_adds(&b, "]}\n");
	if (t)
		flame_sb_threads_free(th, nt);
	else
		free(one.spans);
	free(stack_of);
	free(func_of);
	free(funcs);
	free(stacks);
	int rc = flame_output_write(out, b.data, b.len, err);
	flame_buf_release(&b);
	return rc < 0 ? -1 : 0;
}

static const char *ff_drops(const struct flame_profile *p)
{
	if (p->ncols == 2)
		return "firefox has one weight per sample; the second column dropped";
	return NULL;
}

const struct flame_format flame_format_firefox = {
	.name = "firefox",
	.aliases = "gecko firefox-profiler processed",
	.summary = "Firefox Profiler JSON (reads Gecko and processed; writes processed v70)",
	.probe = ff_probe,
	.parser_new = ff_new,
	.parse = ff_parse,
	.parser_free = ff_free,
	.write = ff_write,
	.streaming = 1,
	.whole_input = 1,
	.drops = ff_drops,
	.suffixes = ".firefox.json",
	.shows_time = 1,
};
