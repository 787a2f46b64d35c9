/*
 * nameattr.c - the --nameattr file: extra attributes per function name
 * (render.h).  Bad entries are dropped with a warning through the
 * caller's callback; nothing here prints.
 */
#include "nameattr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"

void flame_nameattr_init(struct flame_nameattr *na)
{
	memset(na, 0, sizeof(*na));
}

void flame_nameattr_release(struct flame_nameattr *na)
{
	for (size_t i = 0; i < na->n; i++) {
		struct nameattr_entry *e = &na->entries[i];
		free(e->name);
		free(e->title);
		for (size_t k = 0; k < e->nattrs; k++) {
			free(e->attrs[k].key);
			free(e->attrs[k].value);
		}
		free(e->attrs);
	}
	free(na->entries);
	flame_hindex_release(&na->index);
	memset(na, 0, sizeof(*na));
}

static size_t na_slot(const struct flame_nameattr *na, const char *s, size_t n)
{
	const struct flame_hindex *x = &na->index;
	size_t i = flame_hindex_first(x, flame_hash(s, n));
	for (uint32_t v; (v = x->slots[i]) != 0; i = flame_hindex_next(x, i)) {
		const struct nameattr_entry *e = &na->entries[v - 1];
		if (e->len == n && memcmp(e->name, s, n) == 0)
			break;
	}
	return i;
}

const struct nameattr_entry *flame_nameattr_find(const struct flame_nameattr *na, const char *s,
						  size_t n)
{
	if (!na || !na->index.nslots)
		return NULL;
	uint32_t v = na->index.slots[na_slot(na, s, n)];
	return v ? &na->entries[v - 1] : NULL;
}

static struct nameattr_entry *na_get(struct flame_nameattr *na, const char *s, size_t n)
{
	struct flame_hindex *x = &na->index;
	if ((na->n + 1) * 2 > x->nslots) {
		flame_hindex_resize(x, x->nslots ? x->nslots * 2 : 64);
		for (size_t k = 0; k < na->n; k++)
			flame_hindex_add(x, flame_hash(na->entries[k].name, na->entries[k].len),
					 (uint32_t)k);
	}
	size_t i = na_slot(na, s, n);
	if (x->slots[i])
		return &na->entries[x->slots[i] - 1];
	FLAME_GROW(na->entries, na->cap, na->n + 1);
	struct nameattr_entry *e = &na->entries[na->n];
	memset(e, 0, sizeof(*e));
	e->name = flame_xmemdup(s, n);
	e->len = n;
	flame_hindex_set(x, i, (uint32_t)na->n++);
	return e;
}

static int xml_name_ok(const char *s, size_t n)
{
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
		int other = (c >= '0' && c <= '9') || c == '-' || c == '.';
		if (!alpha && !(i && other))
			return 0;
	}
	return 1;
}

static int starts_ci(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);
	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != pre[i])
			return 0;
	}
	return 1;
}

struct na_ctx {
	void (*warn)(void *ctx, uint64_t line, const char *msg);
	void *ctx;
	uint64_t line;
};

static void na_warn(struct na_ctx *c, const char *fmt, const char *what, size_t n)
{
	if (!c->warn)
		return;
	char q[128], msg[256];
	flame_quote(q, sizeof(q), what, n, 60);
	snprintf(msg, sizeof(msg), fmt, q);
	c->warn(c->ctx, c->line, msg);
}

/* Set one attribute; a later value replaces an earlier one. */
static void na_set(struct na_ctx *c, struct nameattr_entry *e, const char *k, size_t kn,
		   const char *v, size_t vn)
{
	if (!xml_name_ok(k, kn)) {
		na_warn(c, "invalid attribute name '%s' ignored", k, kn);
		return;
	}
	if (starts_ci(k, kn, "on")) {
		na_warn(c, "event handler attribute '%s' ignored", k, kn);
		return;
	}
	if ((kn == 4 && memcmp(k, "href", 4) == 0) || (kn == 10 && memcmp(k, "xlink:href", 10) == 0)) {
		size_t i = 0;
		while (i < vn && (v[i] == ' ' || v[i] == '\t'))
			i++;
		if (starts_ci(v + i, vn - i, "javascript:") || starts_ci(v + i, vn - i, "data:")) {
			na_warn(c, "script link '%s' ignored", v, vn);
			return;
		}
	}
	for (size_t i = 0; i < e->nattrs; i++)
		if (strlen(e->attrs[i].key) == kn && memcmp(e->attrs[i].key, k, kn) == 0) {
			na_warn(c, "duplicate attribute '%s': the last value is used", k, kn);
			free(e->attrs[i].value);
			e->attrs[i].value = flame_xmemdup(v, vn);
			return;
		}
	e->attrs = flame_xrealloc(e->attrs, (e->nattrs + 1) * sizeof(*e->attrs));
	e->attrs[e->nattrs].key = flame_xmemdup(k, kn);
	e->attrs[e->nattrs].value = flame_xmemdup(v, vn);
	e->nattrs++;
}

/* g_extra / a_extra: 'k="v" k2="v2"' (single quotes too) */
static void na_extra(struct na_ctx *c, struct nameattr_entry *e, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == n)
			break;
		size_t ks = i;
		while (i < n && s[i] != '=' && s[i] != ' ')
			i++;
		size_t ke = i;
		if (i + 1 >= n || s[i] != '=' || (s[i + 1] != '"' && s[i + 1] != '\'')) {
			na_warn(c, "cannot parse extra attributes '%s'", s + ks, n - ks);
			return;
		}
		char q = s[i + 1];
		size_t vs = i + 2;
		const char *ve = memchr(s + vs, q, n - vs);
		if (!ve) {
			na_warn(c, "cannot parse extra attributes '%s'", s + ks, n - ks);
			return;
		}
		na_set(c, e, s + ks, ke - ks, s + vs, (size_t)(ve - (s + vs)));
		i = (size_t)(ve - s) + 1;
	}
}

int flame_nameattr_parse(struct flame_nameattr *na, const char *buf, size_t len,
			 void (*warn)(void *ctx, uint64_t line, const char *msg), void *ctx,
			 struct flame_error *err)
{
	struct na_ctx c = { warn, ctx, 0 };
	const char *s = buf, *end = buf + len;
	(void)err;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		const char *l = s;
		s = nl ? nl + 1 : end;
		c.line++;
		if (n && l[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		const char *tab = memchr(l, '\t', n);
		if (!tab) {
			na_warn(&c, "expected 'NAME<TAB>key=value...', got '%s'", l, n);
			continue;
		}
		struct nameattr_entry *e = na_get(na, l, (size_t)(tab - l));
		const char *f = tab + 1, *fe = l + n;
		while (f <= fe) {
			const char *t2 = memchr(f, '\t', (size_t)(fe - f));
			const char *ef = t2 ? t2 : fe;
			size_t fn = (size_t)(ef - f);
			if (fn) {
				const char *eq = memchr(f, '=', fn);
				if (!eq) {
					na_warn(&c, "expected key=value, got '%s'", f, fn);
				} else {
					size_t kn = (size_t)(eq - f);
					const char *v = eq + 1;
					size_t vn = (size_t)(ef - v);
					if (kn == 5 && memcmp(f, "title", 5) == 0) {
						if (e->title)
							na_warn(&c, "duplicate attribute '%s': the last value is used",
								f, kn);
						free(e->title);
						e->title = flame_xmemdup(v, vn);
					} else if (kn == 4 && memcmp(f, "href", 4) == 0) {
						size_t before = e->nattrs;
						na_set(&c, e, "xlink:href", 10, v, vn);
						if (e->nattrs > before || e->link)
							e->link = 1;
					} else if ((kn == 6 && memcmp(f, "target", 6) == 0) ||
						   (kn == 2 && memcmp(f, "id", 2) == 0) ||
						   (kn == 5 && memcmp(f, "class", 5) == 0)) {
						na_set(&c, e, f, kn, v, vn);
					} else if ((kn == 7 && memcmp(f, "g_extra", 7) == 0) ||
						   (kn == 7 && memcmp(f, "a_extra", 7) == 0)) {
						na_extra(&c, e, v, vn);
					} else {
						na_warn(&c, "invalid attribute '%s' ignored", f, kn);
					}
				}
			}
			if (!t2)
				break;
			f = t2 + 1;
		}
	}
	return 0;
}

/* ---- output ---- */
