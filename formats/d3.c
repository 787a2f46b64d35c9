/*
 * d3.c - the d3-flame-graph JSON tree: {"name", "value", "children": [...]},
 * where value is the node's total (self + children), as d3-flame-graph
 * and similar web components expect.  The root is named "root".
 *
 * Reading captures the whole tree (it has no stream order to exploit) and
 * takes self = value - sum of the children's values.  Writing sorts
 * children by name, so output is deterministic.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/io.h"
#include "../core/json.h"
#include "../core/util.h"
#include "format.h"
#include "jsonloc.h"
#include "stackbuild.h"

struct d3_parser {
	struct flame_parse_ctx *ctx;
	struct flame_json_parser *jp;
	struct flame_jsontext text; /* the file, to say where a node is */
	struct flame_buf path;      /* of the node being read: "$.children[2]" */
	int done;
};

/* An error about the captured tree: at the node being read. */
static int fail(struct d3_parser *c, const char *msg)
{
	int cut;
	const char *tail = flame_jsonpath_tail(c->path.data, &cut);
	return flame_parse_fail(c->ctx, 0, "d3: %s at byte %" PRIu64 " (%s%s)", msg,
				flame_jsonloc_find(c->text.text, c->text.len, c->path.data), cut ? "$..." : "",
				tail);
}

static int value_of(struct d3_parser *c, const struct flame_json_doc *d, uint32_t v, uint64_t *out)
{
	uint32_t val = flame_json_get(d, v, "value");
	if (val == FLAME_JSON_NONE || d->v[val].type != FLAME_JSON_NUMBER)
		return fail(c, "a node needs a number 'value'");
	int rc = flame_sb_fixed(c->ctx->prof, d->v[val].s, d->v[val].len, 0, out);
	if (rc < 0)
		return fail(c, rc == -1 ? "'value' must be a non-negative number" : "'value' too large");
	return 0;
}

/* Two passes: the first finds the finest scale, so values never rescale
 * while a subtree's sums are being taken. */
static int walk(struct d3_parser *c, const struct flame_json_doc *d, uint32_t v, uint32_t node, int depth)
{
	struct flame_profile *p = c->ctx->prof;
	if (d->v[v].type != FLAME_JSON_OBJECT)
		return fail(c, "a node must be an object");
	if (depth > 100000)
		return fail(c, "tree too deep");
	uint64_t total, sum = 0;
	if (value_of(c, d, v, &total) < 0)
		return -1;
	uint32_t kids = flame_json_get(d, v, "children");
	if (kids != FLAME_JSON_NONE && d->v[kids].type != FLAME_JSON_ARRAY)
		return fail(c, "'children' must be an array");
	size_t mark = c->path.len;
	uint64_t ki = 0;
	if (kids != FLAME_JSON_NONE)
		for (uint32_t k = d->v[kids].first; k != FLAME_JSON_NONE; k = d->v[k].next, ki++) {
			flame_jsonpath_key(&c->path, "children");
			flame_jsonpath_index(&c->path, ki);
			if (d->v[k].type != FLAME_JSON_OBJECT)
				return fail(c, "a node must be an object");
			size_t nl;
			const char *nm = flame_json_string(d, flame_json_get(d, k, "name"), &nl);
			if (!nm)
				return fail(c, "a node needs a string 'name'");
			uint64_t kv;
			if (value_of(c, d, k, &kv) < 0)
				return -1;
			sum += kv;
			uint32_t child = flame_profile_child(p, node, flame_strtab_intern(&p->names, nm, nl), 1);
			if (walk(c, d, k, child, depth + 1) < 0)
				return -1;
			flame_jsonpath_cut(&c->path, mark);
		}
	if (sum > total)
		return fail(c, "children's values add up to more than their parent's");
	if (total > sum && node) {
		uint64_t w[2] = { total - sum, 0 };
		flame_profile_add_weight(p, node, w);
		p->nstacks++;
	}
	return 0;
}

static int scan_scale(struct d3_parser *c, const struct flame_json_doc *d)
{
	int maxd = 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].type == FLAME_JSON_NUMBER && d->v[i].key_len == 5 &&
		    memcmp(d->v[i].key, "value", 5) == 0) {
			uint64_t ip, fp;
			int dg;
			if (flame_json_decimal(d->v[i].s, d->v[i].len, 0, &ip, &fp, &dg) && dg > maxd)
				maxd = dg;
		}
	flame_sb_rescale(c->ctx->prof, maxd);
	return 0;
}

static int d3_open(void *vctx, int depth, int is_obj, const char *key, size_t kl, uint64_t index)
{
	struct d3_parser *c = vctx;
	(void)depth;
	(void)key;
	(void)kl;
	(void)index;
	if (!is_obj)
		return flame_json_fail(c->jp, "d3: expected the top-level object");
	return 1;
}

static int d3_value(void *vctx, int depth, const char *key, size_t kl, uint64_t index,
		    const struct flame_json_doc *d, uint32_t v)
{
	struct d3_parser *c = vctx;
	(void)depth;
	(void)key;
	(void)kl;
	(void)index;
	if (d->v[v].type != FLAME_JSON_OBJECT)
		return flame_json_fail(c->jp, "d3: expected the top-level object");
	flame_buf_reset(&c->path);
	flame_buf_addc(&c->path, '$');
	scan_scale(c, d);
	c->done = 1;
	return walk(c, d, v, 0, 0);
}

static const struct flame_json_handler d3_handler = { d3_open, d3_value, NULL };

static void *d3_new(struct flame_parse_ctx *ctx)
{
	struct d3_parser *c = flame_xcalloc(1, sizeof(*c));
	c->ctx = ctx;
	return c;
}

static void d3_free(void *vp)
{
	struct d3_parser *c = vp;
	flame_json_free(c->jp);
	flame_jsontext_release(&c->text);
	flame_buf_release(&c->path);
	free(c);
}

static int d3_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct d3_parser *c = vp;
	if (file_start || !c->jp) {
		flame_json_free(c->jp);
		c->jp = flame_json_new(&d3_handler, c, 0);
	}
	flame_jsontext_chunk(&c->text, buf, len, file_start || !c->text.text, file_end);
	if (flame_json_feed(c->jp, buf, len, file_end) < 0)
		return c->ctx->failed ? -1 : flame_parse_fail(c->ctx, 0, "%s", flame_json_error(c->jp));
	return 0;
}

/* {"name": ..., "value": ..., "children": ...} at the start. */
static enum flame_probe d3_probe(const char *buf, size_t len, int eof)
{
	size_t i = flame_json_start(buf, len);
	if (i >= len)
		return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
	if (buf[i] != '{')
		return FLAME_PROBE_NO;
	size_t lim = len < 512 ? len : 512;
	i++;
	while (i < len && flame_is_space((unsigned char)buf[i]))
		i++;
	if (len - i >= 7 && memcmp(buf + i, "\"name\":", 7) == 0 && memmem(buf, lim, "\"value\"", 7) &&
	    memmem(buf, lim, "\"children\"", 10))
		return FLAME_PROBE_YES;
	return FLAME_PROBE_NO;
}

/* ---- writer ---- */

static const struct flame_profile *sort_p;

static int cmp_name(const void *a, const void *b)
{
	size_t la, lb;
	const char *x = flame_strtab_name(&sort_p->names, sort_p->nodes[*(const uint32_t *)a].name, &la);
	const char *y = flame_strtab_name(&sort_p->names, sort_p->nodes[*(const uint32_t *)b].name, &lb);
	int c = memcmp(x, y, la < lb ? la : lb);
	return c ? c : la < lb ? -1 : la > lb;
}

static int d3_write(const struct flame_profile *p, struct flame_output *out, struct flame_error *err)
{
	uint64_t *tot = flame_xcalloc(p->nnodes + 1, sizeof(*tot));
	for (size_t k = p->nnodes; k-- > 0;) {
		tot[k] += p->nodes[k].self[0];
		if (k)
			tot[p->nodes[k].parent] += tot[k];
	}
	struct flame_buf b = FLAME_BUF_INIT;
	/* iterative depth-first walk with sorted children */
	struct lvl {
		uint32_t *kids;
		size_t n, next;
	} *st = NULL;
	size_t nst = 0, cap = 0;
	sort_p = p;
	uint32_t node = 0;
	for (;;) {
		/* open node */
		size_t len = 4;
		const char *name = "root";
		if (node)
			name = flame_strtab_name(&p->names, p->nodes[node].name, &len);
		flame_buf_adds(&b, "{\"name\":");
		flame_json_add_str(&b, name, len);
		flame_buf_adds(&b, ",\"value\":");
		flame_json_add_fixed(&b, tot[node], p->scale_digits);
		size_t n = 0;
		for (uint32_t c = p->nodes[node].first_child; c != FLAME_NO_NODE; c = p->nodes[c].next_sibling)
			if (tot[c])
				n++;
		uint32_t *kids = flame_xmalloc((n + 1) * sizeof(*kids));
		n = 0;
		for (uint32_t c = p->nodes[node].first_child; c != FLAME_NO_NODE; c = p->nodes[c].next_sibling)
			if (tot[c])
				kids[n++] = c;
		if (n > 1)
			qsort(kids, n, sizeof(*kids), cmp_name);
		flame_buf_adds(&b, ",\"children\":[");
		FLAME_GROW(st, cap, nst + 1);
		st[nst++] = (struct lvl){ kids, n, 0 };
		/* next: descend, or close finished levels */
		for (;;) {
			struct lvl *l = &st[nst - 1];
			if (l->next < l->n) {
				if (l->next)
					flame_buf_addc(&b, ',');
				node = l->kids[l->next++];
				break;
			}
			flame_buf_adds(&b, "]}");
			free(l->kids);
			if (--nst == 0)
				goto done;
		}
	}
done:
	flame_buf_addc(&b, '\n');
	free(st);
	free(tot);
	int rc = flame_output_write(out, b.data, b.len, err);
	flame_buf_release(&b);
	return rc < 0 ? -1 : 0;
}

static const char *d3_drops(const struct flame_profile *p)
{
	if (p->ncols == 2)
		return "d3 has one value per node; the second column dropped";
	if (p->timeline)
		return "d3 has no time or threads; timeline dropped";
	return NULL;
}

const struct flame_format flame_format_d3 = {
	.name = "d3",
	.aliases = "d3-flame-graph d3-json",
	.summary = "d3-flame-graph JSON tree {name, value, children} (value = total)",
	.probe = d3_probe,
	.parser_new = d3_new,
	.parse = d3_parse,
	.parser_free = d3_free,
	.write = d3_write,
	.streaming = 1,
	.whole_input = 1,
	.drops = d3_drops,
	.suffixes = ".d3.json",
};
