/*
 * palette.c - flamegraph.pl's colour palettes.
 *
 * The formulas (channel = base + int(range * v)) and the name rules of the
 * multi-hue palettes (java, js, perl, wakeup, chain) are flamegraph.pl's;
 * the values v come from one of four sources (enum flame_color_mode).
 */
#include "palette.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/text.h"
#include "escape.h"

static const char *const palette_names[FLAME_PALETTE_COUNT] = {
	"hot", "mem", "io", "wakeup", "chain", "java", "js", "perl",
	"red", "green", "blue", "aqua", "yellow", "purple", "orange", "python", "rust",
};

int flame_palette_find(const char *name)
{
	for (int i = 0; i < FLAME_PALETTE_COUNT; i++)
		if (strcmp(name, palette_names[i]) == 0)
			return i;
	return -1;
}

const char *flame_palette_name(enum flame_palette p)
{
	return (unsigned)p < FLAME_PALETTE_COUNT ? palette_names[p] : "?";
}

const char *flame_palette_names(void)
{
	return "hot, mem, io, wakeup, chain, java, js, perl, red, green, blue, aqua, yellow, "
	       "purple, orange, python, rust";
}

const char *flame_palette_default_bg(enum flame_palette p)
{
	switch (p) {
	case FLAME_PALETTE_MEM:
		return "green";
	case FLAME_PALETTE_IO:
	case FLAME_PALETTE_WAKEUP:
	case FLAME_PALETTE_CHAIN:
		return "blue";
	case FLAME_PALETTE_RED:
	case FLAME_PALETTE_GREEN:
	case FLAME_PALETTE_BLUE:
	case FLAME_PALETTE_AQUA:
	case FLAME_PALETTE_YELLOW:
	case FLAME_PALETTE_PURPLE:
	case FLAME_PALETTE_ORANGE:
		return "grey";
	default:
		return "yellow";
	}
}

int flame_bgcolors_parse(const char *spec, char c1[8], char c2[8])
{
	static const struct {
		const char *name, *a, *b;
	} grads[] = {
		{ "yellow", "#eeeeee", "#eeeeb0" },
		{ "blue", "#eeeeee", "#e0e0ff" },
		{ "green", "#eef2ee", "#e0ffe0" },
		{ "grey", "#f8f8f8", "#e8e8e8" },
	};
	for (size_t i = 0; i < sizeof(grads) / sizeof(grads[0]); i++)
		if (strcmp(spec, grads[i].name) == 0) {
			memcpy(c1, grads[i].a, 8);
			memcpy(c2, grads[i].b, 8);
			return 0;
		}
	if (strlen(spec) == 7 && spec[0] == '#') {
		for (int i = 1; i < 7; i++)
			if (!flame_is_hex((unsigned char)spec[i]))
				return -1;
		memcpy(c1, spec, 8);
		memcpy(c2, spec, 8);
		return 0;
	}
	return -1;
}

/* ---- the values v1, v2, v3 ---- */

/* Code points of name, decoded as flamegraph.pl decodes its input. */
static size_t code_points(const char *name, size_t len, uint32_t *out, size_t max)
{
	const unsigned char *u = (const unsigned char *)name;
	size_t i = 0, k = 0;
	while (i < len && k < max) {
		uint32_t cp;
		i += flame_utf8_next(u + i, len - i, &cp);
		out[k++] = cp;
	}
	return k;
}

double flame_perl_name_random(const char *name, size_t len)
{
	const unsigned char *u = (const unsigned char *)name;
	uint32_t sum = 0; /* unpack("%32W*"): the code points summed modulo 2^32 */
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		if (u[i] < 0x80) {
			cp = u[i++];
		} else {
			i += flame_utf8_next(u + i, len - i, &cp);
		}
		sum += cp;
	}
	/* perl's own drand48: srand(sum), then the first rand(1) */
	uint64_t x = ((uint64_t)sum << 16) + 0x330E;
	x = (x * 0x5DEECE66DULL + 0xB) & 0xFFFFFFFFFFFFULL;
	return (double)x / 281474976710656.0; /* 2^48: exact */
}

static double namehash_cps(const uint32_t *cp, size_t n)
{
	/* s/.(.*?)`//: drop everything up to the first backquote after the
	 * first character (a module name prefix) */
	for (size_t i = 1; i < n; i++)
		if (cp[i] == '`') {
			cp += i + 1;
			n -= i + 1;
			break;
		}
	double vector = 0, weight = 1, max = 1;
	int mod = 10;
	for (size_t i = 0; i < n && mod <= 12; i++, mod++) {
		double v = (double)(cp[i] % (uint32_t)mod);
		vector += (v / (mod - 1)) * weight;
		max += weight;
		weight *= 0.70;
	}
	return 1 - vector / max;
}

double flame_perl_namehash(const char *name, size_t len, int reverse)
{
	/* Only the first three characters after a module prefix count, but the
	 * prefix rule needs the whole name: decode it all (names are short). */
	uint32_t small[256];
	uint32_t *cp = small;
	size_t cap = len < 256 ? 256 : len;
	if (len > 256)
		cp = flame_xmalloc(cap * sizeof(*cp));
	size_t n = code_points(name, len, cp, cap);
	if (reverse)
		for (size_t i = 0; i < n / 2; i++) {
			uint32_t t = cp[i];
			cp[i] = cp[n - 1 - i];
			cp[n - 1 - i] = t;
		}
	double h = namehash_cps(cp, n);
	if (cp != small)
		free(cp);
	return h;
}

static float fnv_unit(uint64_t h)
{
	return (float)((double)h / (double)UINT64_MAX);
}

/* ---- name rules of the multi-hue palettes ---- */

static int contains(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle)) != NULL;
}

static int java_path(const char *s, size_t n)
{
	static const char *const roots[] = { "java/", "javax/", "jdk/", "net/", "org/",
					     "com/", "io/", "sun/" };
	if (n && s[0] == 'L') {
		for (size_t i = 0; i < 8; i++)
			if (n - 1 >= strlen(roots[i]) && memcmp(s + 1, roots[i], strlen(roots[i])) == 0)
				return 1;
	}
	for (size_t i = 0; i < 8; i++)
		if (n >= strlen(roots[i]) && memcmp(s, roots[i], strlen(roots[i])) == 0)
			return 1;
	return 0;
}

/* A path component of name (split at '/' and '\\') for which ok() holds. */
static int any_component(const char *s, size_t n, int (*ok)(const char *c, size_t len))
{
	size_t i = 0;
	while (i <= n) {
		size_t j = i;
		while (j < n && s[j] != '/' && s[j] != '\\')
			j++;
		if (ok(s + i, j - i))
			return 1;
		i = j + 1;
	}
	return 0;
}

static int is_site_packages(const char *c, size_t len)
{
	return len == 13 && memcmp(c, "site-packages", 13) == 0;
}

/* "python3.11", "Python", "python3": an interpreter's library directory */
static int is_python_dir(const char *c, size_t len)
{
	if (len < 6 || (memcmp(c, "python", 6) != 0 && memcmp(c, "Python", 6) != 0))
		return 0;
	for (size_t i = 6; i < len; i++)
		if (!((c[i] >= '0' && c[i] <= '9') || c[i] == '.'))
			return 0;
	return 1;
}

static enum flame_palette resolve_python(const char *s, size_t n)
{
	if (any_component(s, n, is_site_packages))
		return FLAME_PALETTE_AQUA;
	if (any_component(s, n, is_python_dir) || flame_starts_with(s, n, "<built-in") ||
	    flame_starts_with(s, n, "<method") || flame_starts_with(s, n, "<frozen"))
		return FLAME_PALETTE_YELLOW;
	return FLAME_PALETTE_RED;
}

static enum flame_palette resolve_rust(const char *s, size_t n)
{
	/* the standard library, also as the trait in "<T as core::...>" */
	if (flame_starts_with(s, n, "core::") || flame_starts_with(s, n, "std::") ||
	    contains(s, n, "as core::") || contains(s, n, "as std::") || contains(s, n, "as alloc::"))
		return FLAME_PALETTE_ORANGE;
	if (contains(s, n, "::"))
		return FLAME_PALETTE_YELLOW;
	return FLAME_PALETTE_RED;
}

static enum flame_palette resolve(enum flame_palette p, const char *s, size_t n)
{
	/* off-CPU frames (flame record --wall) are blue in every palette, as
	 * off-CPU flame graphs are drawn; flamegraph.pl never writes _[o] */
	if (flame_ends_with(s, n, "_[o]"))
		return FLAME_PALETTE_BLUE;
	switch (p) {
	case FLAME_PALETTE_JAVA:
		if (flame_ends_with(s, n, "_[j]"))
			return FLAME_PALETTE_GREEN;
		if (flame_ends_with(s, n, "_[i]"))
			return FLAME_PALETTE_AQUA;
		if (java_path(s, n))
			return FLAME_PALETTE_GREEN;
		if (contains(s, n, ":::"))
			return FLAME_PALETTE_GREEN;
		if (contains(s, n, "::"))
			return FLAME_PALETTE_YELLOW;
		if (flame_ends_with(s, n, "_[k]"))
			return FLAME_PALETTE_ORANGE;
		return FLAME_PALETTE_RED;
	case FLAME_PALETTE_PERL:
		if (contains(s, n, "::"))
			return FLAME_PALETTE_YELLOW;
		if (contains(s, n, "Perl") || contains(s, n, ".pl"))
			return FLAME_PALETTE_GREEN;
		if (flame_ends_with(s, n, "_[k]"))
			return FLAME_PALETTE_ORANGE;
		return FLAME_PALETTE_RED;
	case FLAME_PALETTE_JS: {
		const char *slash = memchr(s, '/', n);
		if (flame_ends_with(s, n, "_[j]"))
			return slash ? FLAME_PALETTE_GREEN : FLAME_PALETTE_AQUA;
		if (contains(s, n, "::"))
			return FLAME_PALETTE_YELLOW;
		if (slash && contains(slash, n - (size_t)(slash - s), ".js"))
			return FLAME_PALETTE_GREEN;
		if (memchr(s, ':', n))
			return FLAME_PALETTE_AQUA;
		if (n == 1 && s[0] == ' ')
			return FLAME_PALETTE_GREEN;
		if (contains(s, n, "_[k]"))
			return FLAME_PALETTE_ORANGE;
		return FLAME_PALETTE_RED;
	}
	case FLAME_PALETTE_WAKEUP:
		return FLAME_PALETTE_AQUA;
	case FLAME_PALETTE_CHAIN:
		return contains(s, n, "_[w]") ? FLAME_PALETTE_AQUA : FLAME_PALETTE_BLUE;
	case FLAME_PALETTE_PYTHON:
		return resolve_python(s, n);
	case FLAME_PALETTE_RUST:
		return resolve_rust(s, n);
	default:
		return p;
	}
}

/* base + int(range * v), in double as perl computes it, or in float with a
 * saturating cast as inferno does (--deterministic). */
static unsigned chan(unsigned base, double range, double v, int f32)
{
	double x;
	if (f32) {
		float fx = (float)range * (float)v;
		x = fx;
	} else {
		x = range * v;
	}
	if (!(x > 0)) /* also NaN */
		x = 0;
	unsigned k = (unsigned)x;
	unsigned r = base + k;
	return r > 255 ? 255 : r;
}

static void compute(enum flame_palette p, double v1, double v2, double v3, int f32,
		    char out[FLAME_COLOR_MAX])
{
	unsigned r = 0, g = 0, b = 0;
	switch (p) {
	case FLAME_PALETTE_HOT:
		r = chan(205, 50, v3, f32);
		g = chan(0, 230, v1, f32);
		b = chan(0, 55, v2, f32);
		break;
	case FLAME_PALETTE_MEM:
		r = 0;
		g = chan(190, 50, v2, f32);
		b = chan(0, 210, v1, f32);
		break;
	case FLAME_PALETTE_IO:
		r = g = chan(80, 60, v1, f32);
		b = chan(190, 55, v2, f32);
		break;
	case FLAME_PALETTE_RED:
		r = chan(200, 55, v1, f32);
		g = b = chan(50, 80, v1, f32);
		break;
	case FLAME_PALETTE_GREEN:
		g = chan(200, 55, v1, f32);
		r = b = chan(50, 60, v1, f32);
		break;
	case FLAME_PALETTE_BLUE:
		b = chan(205, 50, v1, f32);
		r = g = chan(80, 60, v1, f32);
		break;
	case FLAME_PALETTE_YELLOW:
		r = g = chan(175, 55, v1, f32);
		b = chan(50, 20, v1, f32);
		break;
	case FLAME_PALETTE_PURPLE:
		r = b = chan(190, 65, v1, f32);
		g = chan(80, 60, v1, f32);
		break;
	case FLAME_PALETTE_AQUA:
		r = chan(50, 60, v1, f32);
		g = b = chan(165, 55, v1, f32);
		break;
	case FLAME_PALETTE_ORANGE:
		r = chan(190, 65, v1, f32);
		g = chan(90, 65, v1, f32);
		b = 0;
		break;
	default:
		break;
	}
	snprintf(out, FLAME_COLOR_MAX, "rgb(%u,%u,%u)", r, g, b);
}

void flame_colorer_init(struct flame_colorer *c, enum flame_palette p, enum flame_color_mode m)
{
	c->palette = p;
	c->mode = m;
	c->rng = 0x9E3779B97F4A7C15ULL;
}

static double next_random(struct flame_colorer *c)
{
	/* xorshift64*: fixed seed, so --random graphs are reproducible too */
	uint64_t x = c->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	c->rng = x;
	return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

void flame_color(struct flame_colorer *c, const char *name, size_t len, char out[FLAME_COLOR_MAX])
{
	double v1, v2, v3;
	int f32 = 0;
	switch (c->mode) {
	case FLAME_COLOR_HASH:
		v1 = flame_perl_namehash(name, len, 0);
		v2 = v3 = flame_perl_namehash(name, len, 1);
		break;
	case FLAME_COLOR_RANDOM:
		v1 = next_random(c);
		v2 = next_random(c);
		v3 = next_random(c);
		break;
	case FLAME_COLOR_DETERMINISTIC: {
		uint64_t h = 0xcbf29ce484222325ULL;
		for (size_t i = 0; i < len; i++) {
			h ^= (unsigned char)name[i];
			h *= 0x100000001b3ULL;
		}
		v1 = fnv_unit(h);
		h *= 0x100000001b3ULL;
		v2 = fnv_unit(h);
		h *= 0x100000001b3ULL;
		v3 = fnv_unit(h);
		f32 = 1;
		break;
	}
	default:
		v1 = v2 = v3 = flame_perl_name_random(name, len);
		break;
	}
	compute(resolve(c->palette, name, len), v1, v2, v3, f32, out);
}

void flame_color_scale(double delta, double maxdelta, int negate, char out[FLAME_COLOR_MAX])
{
	double r = 255, g = 255, b = 255;
	if (negate)
		delta = -delta;
	if (maxdelta <= 0)
		maxdelta = 1;
	if (delta > 0) {
		g = b = (double)(long long)(210 * (maxdelta - delta) / maxdelta); /* int(): truncation */
	} else if (delta < 0) {
		r = g = (double)(long long)(210 * (maxdelta + delta) / maxdelta);
	}
	/* a frame's delta can exceed the largest stack's delta only through
	 * rounding; keep the colour valid whatever happens */
	r = r < 0 ? 0 : r;
	g = g < 0 ? 0 : g;
	b = b < 0 ? 0 : b;
	snprintf(out, FLAME_COLOR_MAX, "rgb(%d,%d,%d)", (int)r, (int)g, (int)b);
}

void flame_color_diffusion(double fraction, char out[FLAME_COLOR_MAX])
{
	/* inferno's scale: the square root of the share of the total width in
	 * 2000 steps, white (250) at nothing, rgb(255,100,100) at everything;
	 * the root makes a half-width frame more than half as red */
	if (!(fraction > 0))
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	int v = (int)(sqrt(fraction) * 2000);
	if (v == 0) {
		snprintf(out, FLAME_COLOR_MAX, "rgb(250,250,250)");
		return;
	}
	int c = 100 + 150 * (2000 - v) / 2000;
	snprintf(out, FLAME_COLOR_MAX, "rgb(255,%u,%u)", (unsigned char)c, (unsigned char)c);
}

/* ---- palette map ---- */

struct pmap_entry {
	char *name;
	size_t len;
	char color[FLAME_COLOR_MAX];
};

void flame_palette_map_init(struct flame_palette_map *m)
{
	memset(m, 0, sizeof(*m));
}

void flame_palette_map_release(struct flame_palette_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->entries[i].name);
	free(m->entries);
	flame_hindex_release(&m->index);
	memset(m, 0, sizeof(*m));
}

static size_t pmap_find_slot(const struct flame_palette_map *m, const char *name, size_t len)
{
	const struct flame_hindex *x = &m->index;
	size_t i = flame_hindex_first(x, flame_hash(name, len));
	for (uint32_t v; (v = x->slots[i]) != 0; i = flame_hindex_next(x, i)) {
		const struct pmap_entry *e = &m->entries[v - 1];
		if (e->len == len && memcmp(e->name, name, len) == 0)
			break;
	}
	return i;
}

const char *flame_palette_map_get(const struct flame_palette_map *m, const char *name, size_t len)
{
	if (!m->index.nslots)
		return NULL;
	uint32_t v = m->index.slots[pmap_find_slot(m, name, len)];
	return v ? m->entries[v - 1].color : NULL;
}

static void pmap_rehash(struct flame_palette_map *m)
{
	flame_hindex_resize(&m->index, m->index.nslots ? m->index.nslots * 2 : 256);
	for (size_t k = 0; k < m->n; k++)
		flame_hindex_add(&m->index, flame_hash(m->entries[k].name, m->entries[k].len),
				 (uint32_t)k);
}

void flame_palette_map_put(struct flame_palette_map *m, const char *name, size_t len,
			   const char *color)
{
	if ((m->n + 1) * 4 > m->index.nslots * 3)
		pmap_rehash(m);
	size_t i = pmap_find_slot(m, name, len);
	struct pmap_entry *e;
	if (m->index.slots[i]) {
		e = &m->entries[m->index.slots[i] - 1];
	} else {
		FLAME_GROW(m->entries, m->cap, m->n + 1);
		e = &m->entries[m->n];
		e->name = flame_xmemdup(name, len);
		e->len = len;
		flame_hindex_set(&m->index, i, (uint32_t)m->n++);
	}
	snprintf(e->color, sizeof(e->color), "%s", color);
	m->changed = 1;
}

/* "rgb(R,G,B)" with R, G, B in 0..255, or "#rrggbb". */
static int valid_color(const char *s, size_t n)
{
	if (n == 7 && s[0] == '#') {
		for (size_t i = 1; i < 7; i++)
			if (!flame_is_hex((unsigned char)s[i]))
				return 0;
		return 1;
	}
	if (n < 10 || memcmp(s, "rgb(", 4) != 0 || s[n - 1] != ')')
		return 0;
	size_t i = 4;
	for (int k = 0; k < 3; k++) {
		unsigned v = 0, digits = 0;
		while (i < n - 1 && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			digits++;
		}
		if (!digits || v > 255)
			return 0;
		if (k < 2) {
			if (s[i] != ',')
				return 0;
			i++;
		}
	}
	return i == n - 1;
}

void flame_palette_map_parse(struct flame_palette_map *m, const char *buf, size_t len,
			     uint64_t *bad, uint64_t *first_bad)
{
	const char *s = buf, *end = buf + len;
	uint64_t line = 0;
	*bad = 0;
	*first_bad = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		const char *l = s;
		s = nl ? nl + 1 : end;
		line++;
		if (n && l[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		/* the colour follows the last "->", so names may hold "->" */
		const char *arrow = NULL;
		for (size_t i = 0; i + 1 < n; i++)
			if (l[i] == '-' && l[i + 1] == '>')
				arrow = l + i;
		if (!arrow || !valid_color(arrow + 2, (size_t)(l + n - (arrow + 2)))) {
			if (!*bad)
				*first_bad = line;
			(*bad)++;
			continue;
		}
		char color[FLAME_COLOR_MAX];
		size_t cl = (size_t)(l + n - (arrow + 2));
		memcpy(color, arrow + 2, cl);
		color[cl] = '\0';
		flame_palette_map_put(m, l, (size_t)(arrow - l), color);
	}
	m->changed = 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct pmap_entry *x = *(const struct pmap_entry *const *)a;
	const struct pmap_entry *y = *(const struct pmap_entry *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);
	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

void flame_palette_map_format(const struct flame_palette_map *m, struct flame_buf *out)
{
	const struct pmap_entry **v = flame_xmalloc((m->n + 1) * sizeof(*v));
	for (size_t i = 0; i < m->n; i++)
		v[i] = &m->entries[i];
	qsort(v, m->n, sizeof(*v), cmp_entry);
	for (size_t i = 0; i < m->n; i++) {
		flame_buf_add(out, v[i]->name, v[i]->len);
		flame_buf_add(out, "->", 2);
		flame_buf_adds(out, v[i]->color);
		flame_buf_addc(out, '\n');
	}
	free(v);
}
