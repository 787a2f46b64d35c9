/*
 * cpuprofile.c - the .cpuprofile format (Chrome DevTools Profiler.Profile,
 * node --cpu-prof): {nodes, startTime, endTime, samples, timeDeltas}.
 *
 * Reading streams the nodes, samples and deltas (see v8profile.h for the
 * weights).  Writing: one node per trie node (ids: trie index + 1, 1 is
 * "(root)"), one sample per distinct stack (or per timeline span), and
 * the weight of each sample as the time delta to the next one; a final
 * sample on the root closes the last one.  A count profile is written at
 * 1 ms per count and says "flameWeightUnit": "none" so that flame reads it
 * back as counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/json.h"
#include "../core/util.h"
#include "format.h"
#include "stackbuild.h"
#include "v8profile.h"

enum kind { K_OTHER, K_TOP, K_NODES, K_SAMPLES, K_DELTAS };

struct cp_parser {
	struct flame_parse_ctx *ctx;
	struct flame_json_parser *jp;
	int kind[3];
	struct v8_profiles v8;
	struct v8_prof *q;
};

static int fail(struct cp_parser *c, const char *msg)
{
	return flame_json_fail(c->jp, "cpuprofile: %s", msg);
}

static int keyis(const char *k, size_t n, const char *w)
{
	return k && strlen(w) == n && memcmp(k, w, n) == 0;
}

static int cp_open(void *vctx, int depth, int is_obj, const char *key, size_t kl, uint64_t index)
{
	struct cp_parser *c = vctx;
	(void)index;
	if (depth == 1) {
		if (!is_obj)
			return fail(c, "expected the top-level object");
		c->kind[1] = K_TOP;
		return 0;
	}
	if (depth == 2) {
		int k = keyis(key, kl, "nodes") ? K_NODES : keyis(key, kl, "samples") ? K_SAMPLES
			: keyis(key, kl, "timeDeltas") ? K_DELTAS : K_OTHER;
		if (keyis(key, kl, "head"))
			return fail(c, "the old V8 format ('head' tree, 'timestamps') is not supported");
		if (k == K_OTHER)
			return 1;
		if (is_obj)
			return fail(c, "expected an array");
		c->kind[2] = k;
		return 0;
	}
	return 1;
}

static int cp_value(void *vctx, int depth, const char *key, size_t kl, uint64_t index,
		    const struct flame_json_doc *d, uint32_t v)
{
	struct cp_parser *c = vctx;
	(void)index;
	const char *err = NULL;
	int rc = 0;
	if (depth == 2) {
		if (keyis(key, kl, "startTime") && d->v[v].type == FLAME_JSON_NUMBER) {
			flame_buf_reset(&c->q->start);
			flame_buf_add(&c->q->start, d->v[v].s, d->v[v].len);
		} else if (keyis(key, kl, "flameWeightUnit")) {
			c->v8.counts = flame_json_string_is(d, v, "none");
		} else if (keyis(key, kl, "nodes") || keyis(key, kl, "samples") || keyis(key, kl, "timeDeltas")) {
			return fail(c, "expected an array");
		}
		return 0;
	}
	if (depth == 3) {
		switch (c->kind[2]) {
		case K_NODES:
			rc = v8_add_node(c->q, c->ctx->prof, d, v, &err);
			break;
		case K_SAMPLES:
			rc = v8_add_sample(c->q, d, v, &err);
			break;
		case K_DELTAS:
			rc = v8_add_delta(c->q, d, v, flame_json_offset(c->jp), &err);
			break;
		}
	}
	return rc < 0 ? fail(c, err) : 0;
}

static int cp_close(void *vctx, int depth, int is_obj)
{
	struct cp_parser *c = vctx;
	(void)is_obj;
	if (depth != 1)
		return 0;
	const char *err = NULL;
	if (!c->q->nnodes)
		return fail(c, "no 'nodes'");
	if (v8_profiles_finish(&c->v8, c->ctx->prof, c->ctx->opts->want_timeline, NULL, NULL,
			       c->ctx->diag, c->ctx->chunk, &err) < 0)
		return fail(c, err);
	return 0;
}

static const struct flame_json_handler cp_handler = { cp_open, cp_value, cp_close };

static void *cp_new(struct flame_parse_ctx *ctx)
{
	struct cp_parser *c = flame_xcalloc(1, sizeof(*c));
	c->ctx = ctx;
	return c;
}

static void cp_free(void *vp)
{
	struct cp_parser *c = vp;
	v8_profiles_release(&c->v8);
	flame_json_free(c->jp);
	free(c);
}

static int cp_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct cp_parser *c = vp;
	if (file_start || !c->jp) {
		v8_profiles_release(&c->v8);
		c->q = v8_profile(&c->v8, "", 0, 0);
		flame_json_free(c->jp);
		c->jp = flame_json_new(&cp_handler, c, 0);
	}
	if (flame_json_feed(c->jp, buf, len, file_end) < 0)
		return flame_parse_fail(c->ctx, 0, "%s", flame_json_error(c->jp));
	return 0;
}

/* An object with "nodes" and "callFrame" early, and no traceEvents. */
static enum flame_probe cp_probe(const char *buf, size_t len, int eof)
{
	enum flame_probe pre = flame_probe_other_json_object(buf, len, eof);
	if (pre != FLAME_PROBE_YES)
		return pre;
	return memmem(buf, len, "\"nodes\"", 7) && memmem(buf, len, "\"callFrame\"", 11) ? FLAME_PROBE_YES
											 : FLAME_PROBE_NO;
}

/* ---- writer ---- */

static void add_delta(struct flame_buf *b, uint64_t w, int counts, int digits)
{
	/* counts: 1000 µs each; time: ns -> µs */
	if (counts) {
		/* w / 10^digits counts * 1000 µs */
		if (digits >= 3) {
			flame_json_add_fixed(b, w, digits - 3);
		} else {
			uint64_t m = digits == 0 ? 1000 : digits == 1 ? 100 : 10;
			flame_buf_add_u64(b, w * m);
		}
	} else {
		flame_json_add_fixed(b, w, 3 + digits);
	}
}

static int cp_write(const struct flame_profile *p, struct flame_output *out, struct flame_error *err)
{
	struct flame_buf b = FLAME_BUF_INIT;
	int counts = p->unit != FLAME_UNIT_NANOSECONDS;
	const struct flame_timeline *t = flame_sb_timeline(p);
	/* samples: (leaf, weight), in time order when there is a timeline */
	uint32_t *leaves = NULL;
	uint64_t *ws = NULL;
	size_t n = 0;
	if (t && t->nthreads == 1) {
		struct flame_sb_thread *th;
		size_t nt = flame_sb_threads(p, t, &th);
		for (size_t i = 0; i < nt; i++) {
			leaves = flame_xrealloc(leaves, (n + th[i].n + 1) * sizeof(*leaves));
			ws = flame_xrealloc(ws, (n + th[i].n + 1) * sizeof(*ws));
			for (size_t k = 0; k < th[i].n; k++) {
				leaves[n] = th[i].spans[k].leaf;
				ws[n++] = th[i].spans[k].weight;
			}
		}
		flame_sb_threads_free(th, nt);
	} else {
		n = flame_sb_leaves(p, &leaves);
		ws = flame_xmalloc((n + 1) * sizeof(*ws));
		for (size_t i = 0; i < n; i++)
			ws[i] = p->nodes[leaves[i]].self[0];
	}
	char *need = flame_xcalloc(p->nnodes + 1, 1);
	uint64_t *hits = flame_xcalloc(p->nnodes + 1, sizeof(*hits));
	for (size_t i = 0; i < n; i++) {
		hits[leaves[i]]++;
		for (uint32_t a = leaves[i]; a && !need[a]; a = p->nodes[a].parent)
			need[a] = 1;
	}
	need[0] = 1;
	hits[0] = 1; /* the closing sample */
	flame_buf_adds(&b, "{\"nodes\":[");
	int first = 1;
	for (size_t k = 0; k < p->nnodes; k++) {
		if (!need[k])
			continue;
		size_t len = 6;
		const char *name = "(root)";
		if (k)
			name = flame_strtab_name(&p->names, p->nodes[k].name, &len);
		flame_buf_addf(&b, "%s\n{\"id\":%zu,\"callFrame\":{\"functionName\":", first ? "" : ",", k + 1);
		first = 0;
		flame_json_add_str(&b, name, len);
		flame_buf_addf(&b, ",\"scriptId\":\"0\",\"url\":\"\",\"lineNumber\":-1,\"columnNumber\":-1},"
				   "\"hitCount\":%llu", (unsigned long long)hits[k]);
		int kid = 0;
		for (uint32_t c = p->nodes[k].first_child; c != FLAME_NO_NODE; c = p->nodes[c].next_sibling) {
			if (!need[c])
				continue;
			flame_buf_adds(&b, kid ? "," : ",\"children\":[");
			kid = 1;
			flame_buf_add_u64(&b, (uint64_t)c + 1);
		}
		if (kid)
			flame_buf_addc(&b, ']');
		flame_buf_addc(&b, '}');
	}
	/* the first sample 1 ms after the start: Firefox drops a sample at 0 */
	flame_buf_adds(&b, "],\n\"startTime\":0,\"endTime\":");
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += ws[i];
	struct flame_buf e = FLAME_BUF_INIT;
	add_delta(&e, total, counts, p->scale_digits);
	/* endTime = 1000 + total, exact in decimal */
	{
		uint64_t ip = 0;
		const char *dot = memchr(e.data, '.', e.len);
		for (const char *q = e.data; q < (dot ? dot : e.data + e.len); q++)
			ip = ip * 10 + (uint64_t)(*q - '0');
		flame_buf_add_u64(&b, ip + 1000);
		if (dot)
			flame_buf_add(&b, dot, (size_t)(e.data + e.len - dot));
	}
	flame_buf_release(&e);
	if (counts)
		flame_buf_adds(&b, ",\"flameWeightUnit\":\"none\"");
	flame_buf_adds(&b, ",\n\"samples\":[");
	for (size_t i = 0; i < n; i++)
		flame_buf_addf(&b, "%u,", leaves[i] + 1);
	flame_buf_adds(&b, "1],\n\"timeDeltas\":[1000");
	for (size_t i = 0; i < n; i++) {
		flame_buf_addc(&b, ',');
		add_delta(&b, ws[i], counts, p->scale_digits);
	}
	flame_buf_adds(&b, "]}\n");
	free(need);
	free(hits);
	free(leaves);
	free(ws);
	int rc = flame_output_write(out, b.data, b.len, err);
	flame_buf_release(&b);
	return rc < 0 ? -1 : 0;
}

static const char *cp_drops(const struct flame_profile *p)
{
	if (p->ncols == 2)
		return "cpuprofile has one weight column; the second column dropped";
	if (p->timeline && p->timeline->nthreads > 1)
		return "cpuprofile holds one thread; threads merged, timeline dropped";
	return NULL;
}

const struct flame_format flame_format_cpuprofile = {
	.name = "cpuprofile",
	.aliases = "v8 devtools node-cpuprofile",
	.summary = "Chrome DevTools / node --cpu-prof .cpuprofile (V8 CPU profile JSON)",
	.probe = cp_probe,
	.parser_new = cp_new,
	.parse = cp_parse,
	.parser_free = cp_free,
	.write = cp_write,
	.streaming = 1,
	.drops = cp_drops,
	.suffixes = ".cpuprofile",
	.shows_time = 1,
};
