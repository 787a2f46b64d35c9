/*
 * svg.c - the interactive SVG flame graph.
 *
 * Geometry, titles and labels are flamegraph.pl's (see render.h); the
 * document structure is inferno's fluid one: frames live in a nested <svg>
 * whose x positions and widths are percentages, each rect carries its
 * start and width in profile units (fg:x, fg:w), and the script
 * (render/flamegraph.js, embedded at build time) makes it interactive and
 * adapts it to the window width.  Every name is made showable and escaped
 * (render/escape.h); nothing user-supplied reaches the script but as an
 * escaped string literal.
 */
#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/util.h"
#include "../formats/timeline.h"
#include "escape.h"
#include "layout.h"
#include "nameattr.h"
#include "palette.h"

#define XPAD 10
#define FRAMEPAD 1
#define FLUSH_AT (1u << 20)

void flame_render_opts_init(struct flame_render_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->count_name = "samples";
	o->name_type = "Function:";
	o->width = 1200;
	o->frame_height = 16;
	o->min_width = 0.1;
	o->font_type = "Verdana";
	o->font_size = 12;
	o->font_width = 0.59;
	o->palette = FLAME_PALETTE_HOT;
	o->color_mode = FLAME_COLOR_NAME;
	o->search_color = "rgb(230,0,230)";
	o->factor = 1;
	o->diff_width = FLAME_DIFF_WIDTH_AFTER;
	o->javascript = 1;
}

struct svg {
	struct flame_buf b;
	struct flame_output *out;
	struct flame_error *err;
	uint64_t bytes;
	int failed;
	int pretty;       /* --pretty-xml: re-indent before writing */
	int depth;        /* open elements, for --pretty-xml */
	struct flame_buf p; /* the re-indented text */
	const char *ascii_only;   /* the declared encoding, when it holds ASCII only */
};

enum flame_encoding flame_render_encoding(const char *name)
{
	if (!strcasecmp(name, "UTF-8"))
		return FLAME_ENCODING_UTF8;
	if (!strcasecmp(name, "US-ASCII") || !strcasecmp(name, "ASCII") ||
	    !strcasecmp(name, "latin1"))
		return FLAME_ENCODING_ASCII;
	/* ISO-8859-1 to -16 (there is no -12), windows-1250 to -1258 */
	char *end;
	if (!strncasecmp(name, "ISO-8859-", 9) && name[9] >= '1' && name[9] <= '9') {
		long n = strtol(name + 9, &end, 10);
		if (!*end && n >= 1 && n <= 16 && n != 12)
			return FLAME_ENCODING_ASCII;
	}
	if (!strncasecmp(name, "windows-125", 11) && name[11] >= '0' && name[11] <= '8' && !name[12])
		return FLAME_ENCODING_ASCII;
	return FLAME_ENCODING_NONE;
}

/* Under an ASCII-only encoding, UTF-8 bytes past ASCII would be read as
 * other characters: refuse the graph rather than write wrong text. */
static int svg_check_ascii(struct svg *s)
{
	for (size_t i = 0; i < s->b.len; i++)
		if ((unsigned char)s->b.data[i] >= 0x80)
			return flame_error_set(s->err, FLAME_ERR_DATA, NULL, 0,
					       "the graph has non-ASCII text, which encoding '%s' "
					       "cannot hold (the SVG is UTF-8: use --encoding UTF-8)",
					       s->ascii_only);
	return 0;
}

static void indent(struct flame_buf *o, int depth)
{
	for (int i = 0; i < depth; i++)
		flame_buf_add(o, "    ", 4);
}

static const char *find(const char *s, const char *end, const char *needle)
{
	const char *r = memmem(s, (size_t)(end - s), needle, strlen(needle));
	return r ? r : end;
}

/*
 * --pretty-xml: every element on a line of its own, indented by four
 * spaces a level; an element holding only text stays on one line, and
 * the contents of <style> and <script> are copied as they are.  The
 * buffer always ends between elements (frames are added whole), so only
 * the depth carries over from one flush to the next.
 */
static void pretty(struct svg *s, const char *in, size_t len)
{
	const char *c = in, *end = in + len;
	struct flame_buf *o = &s->p;
	while (c < end) {
		if (*c != '<') { /* text between elements: only layout whitespace */
			const char *t = c;
			while (c < end && *c != '<')
				c++;
			while (t < c && (*t == ' ' || *t == '\n'))
				t++;
			if (t < c) {
				indent(o, s->depth);
				flame_buf_add(o, t, (size_t)(c - t));
				flame_buf_addc(o, '\n');
			}
			continue;
		}
		const char *e;
		if (c + 4 <= end && memcmp(c, "<!--", 4) == 0)
			e = find(c, end, "-->") + 3;
		else
			e = find(c, end, ">") + 1;
		if (e > end)
			e = end;
		if (c[1] == '/') {
			if (s->depth > 0)
				s->depth--;
			indent(o, s->depth);
			flame_buf_add(o, c, (size_t)(e - c));
			flame_buf_addc(o, '\n');
			c = e;
			continue;
		}
		indent(o, s->depth);
		flame_buf_add(o, c, (size_t)(e - c));
		if (c[1] == '!' || c[1] == '?' || e[-2] == '/') {
			flame_buf_addc(o, '\n');
			c = e;
			continue;
		}
		size_t nl = strcspn(c + 1, " >/\n");
		int raw = (nl == 5 && memcmp(c + 1, "style", 5) == 0) ||
			  (nl == 6 && memcmp(c + 1, "script", 6) == 0);
		const char *t = e;
		while (t < end && *t != '<')
			t++;
		if (raw) {
			/* copied as is up to its end tag */
			char close[16];
			snprintf(close, sizeof(close), "</%.*s>", (int)nl, c + 1);
			t = find(e, end, close);
			flame_buf_add(o, e, (size_t)(t - e));
			if (t > e && t[-1] != '\n')
				flame_buf_addc(o, '\n');
			s->depth++;
			c = t;
		} else if (t + 1 < end && t[1] == '/' && t > e) {
			/* <x>text</x> on one line */
			const char *ce = find(t, end, ">") + 1;
			if (ce > end)
				ce = end;
			flame_buf_add(o, e, (size_t)(ce - e));
			flame_buf_addc(o, '\n');
			c = ce;
		} else {
			flame_buf_addc(o, '\n');
			s->depth++;
			c = e;
		}
	}
}

static void svg_flush(struct svg *s, int force)
{
	if (s->failed || (!force && s->b.len < FLUSH_AT) || !s->b.len)
		return;
	if (s->ascii_only && svg_check_ascii(s) < 0) {
		s->failed = 1;
		return;
	}
	const char *data = s->b.data;
	size_t len = s->b.len;
	if (s->pretty) {
		flame_buf_reset(&s->p);
		pretty(s, data, len);
		data = s->p.data;
		len = s->p.len;
	}
	if (flame_output_write(s->out, data, len, s->err) < 0)
		s->failed = 1;
	s->bytes += len;
	flame_buf_reset(&s->b);
}

/* Numbers as perl prints them (%.15g); whole and half numbers, the
 * usual coordinates, without printf. */
static void add_num(struct flame_buf *b, double v)
{
	char t[40];
	if (v == 0)
		v = 0; /* no "-0" */
	if (v >= 0 && v < 1e15) {
		double h = v * 2;
		uint64_t k = (uint64_t)h;
		if ((double)k == h) {
			flame_buf_add_u64(b, k / 2);
			if (k & 1)
				flame_buf_add(b, ".5", 2);
			return;
		}
	}
	snprintf(t, sizeof(t), "%.15g", v);
	flame_buf_adds(b, t);
}

/* v (0 <= v < 1e9) with 4 decimals, as %.4f would print it but for exact
 * ties; percentages of the width. */
static void add_fixed4(struct flame_buf *b, double v)
{
	if (!(v >= 0 && v < 1e9)) {
		flame_buf_addf(b, "%.4f", v);
		return;
	}
	uint64_t k = (uint64_t)(v * 10000 + 0.5);
	char t[8];
	flame_buf_add_u64(b, k / 10000);
	uint64_t f = k % 10000;
	t[0] = '.';
	t[1] = (char)('0' + f / 1000);
	t[2] = (char)('0' + f / 100 % 10);
	t[3] = (char)('0' + f / 10 % 10);
	t[4] = (char)('0' + f % 10);
	flame_buf_add(b, t, 5);
}

static void esc(struct flame_buf *b, const char *s)
{
	flame_xml_escape(b, s, strlen(s), FLAME_ESC_QUOTES);
}

/* A CSS font-family value: plain family lists as they are, anything else
 * as one quoted name with CSS escapes. */
static void add_font(struct flame_buf *b, const char *f)
{
	size_t n = strlen(f);
	int plain = n > 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == ' ' || c == ',' || c == '-' || c == '_'))
			plain = 0;
	}
	if (plain) {
		flame_buf_add(b, f, n);
		return;
	}
	flame_buf_addc(b, '"');
	const unsigned char *u = (const unsigned char *)f;
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		i += flame_utf8_next(u + i, n - i, &cp);
		if (!flame_cp_showable(cp))
			cp = FLAME_REPLACEMENT;
		if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
		    cp == ' ' || cp == '-' || cp == '_' || cp == ',' || cp == '.')
			flame_buf_addc(b, (char)cp);
		else
			flame_buf_addf(b, "\\%x ", (unsigned)cp);
	}
	flame_buf_addc(b, '"');
}

/* Weights in counts, as flamegraph.pl prints them: "%.0f" with commas. */
static void add_count(struct flame_buf *b, double v)
{
	char t[64];
	if (v >= 0 && v < 9007199254740992.0 && v == (double)(uint64_t)v) {
		uint64_t k = (uint64_t)v;
		int n = 0;
		char r[32];
		do {
			r[n++] = (char)('0' + k % 10);
			k /= 10;
		} while (k);
		t[0] = '\0';
		for (int i = n - 1; i >= 0; i--) {
			flame_buf_addc(b, r[i]);
			if (i && i % 3 == 0)
				flame_buf_addc(b, ',');
		}
		return;
	}
	snprintf(t, sizeof(t), "%.0f", v);
	size_t n = strlen(t), start = (t[0] == '-' || t[0] == '+') ? 1 : 0;
	flame_buf_add(b, t, start);
	size_t digits = n - start;
	for (size_t i = start; i < n; i++) {
		flame_buf_addc(b, t[i]);
		size_t left = n - i - 1;
		if (left && left % 3 == 0 && digits > 3)
			flame_buf_addc(b, ',');
	}
}

static double parse_num(const char *s)
{
	return strtod(s, NULL);
}

static int strip_annotation(const char *s, size_t n)
{
	/* _[k] _[w] _[i] _[j] _[o] at the end */
	if (n >= 4 && s[n - 4] == '_' && s[n - 3] == '[' && s[n - 1] == ']' &&
	    (s[n - 2] == 'k' || s[n - 2] == 'w' || s[n - 2] == 'i' || s[n - 2] == 'j' ||
	     s[n - 2] == 'o'))
		return 4;
	return 0;
}

/* The label flamegraph.pl writes into a frame of width px. */
static void add_label(struct flame_buf *b, const char *name, size_t len, double px, double fs,
		      double fw, int left)
{
	double c = px / (fs * fw);
	if (!(c >= 3))
		return;
	size_t chars = c > 1e9 ? 1000000000u : (size_t)c;
	len -= (size_t)strip_annotation(name, len);
	size_t total = flame_utf8_count(name, len);
	if (chars >= total) {
		flame_xml_escape(b, name, len, FLAME_ESC_QUOTES);
		return;
	}
	const unsigned char *u = (const unsigned char *)name;
	size_t keep = chars - 2, i = 0, k = 0;
	uint32_t cp;
	if (!left) {
		while (k < keep) {
			i += flame_utf8_next(u + i, len - i, &cp);
			k++;
		}
		flame_xml_escape(b, name, i, FLAME_ESC_QUOTES);
		flame_buf_add(b, "..", 2);
	} else {
		size_t skip = total - keep;
		while (k < skip) {
			i += flame_utf8_next(u + i, len - i, &cp);
			k++;
		}
		flame_buf_add(b, "..", 2);
		flame_xml_escape(b, name + i, len - i, FLAME_ESC_QUOTES);
	}
}

static const char *const css_text =
	"#title { text-anchor:middle; font-size:%TITLESIZE%px; }\n"
	"#subtitle { text-anchor:middle; fill:rgb(160,160,160); }\n"
	"#search, #ignorecase { opacity:0.1; cursor:pointer; }\n"
	"#search:hover, #search.show, #ignorecase:hover, #ignorecase.show { opacity:1; }\n"
	"#matched, #pruned { text-anchor:end; }\n"
	"#pruned { fill:rgb(120,120,120); }\n"
	"#unzoom { cursor:pointer; }\n"
	"#frames > *:hover { stroke:black; stroke-width:0.5; cursor:pointer; }\n"
	".hide { display:none; }\n"
	".parent { opacity:0.5; }\n";

struct geom {
	double W, H, fh, fs, fw;
	double ypad1, ypad2, ypad3;
	double timemax;   /* in profile units */
	double tmc;       /* the same in counts, as flamegraph.pl's $timemax */
	double unit;      /* 10^scale_digits */
	double wpt;       /* px per profile unit */
	double inner;     /* W - 2 xpad */
	int inverted;
};

static void frame_y(const struct geom *g, uint32_t depth, double *y1, double *y2)
{
	if (!g->inverted) {
		*y1 = g->H - g->ypad2 - (depth + 1) * g->fh + FRAMEPAD;
		*y2 = g->H - g->ypad2 - depth * g->fh;
	} else {
		*y1 = g->ypad1 + depth * g->fh;
		*y2 = g->ypad1 + (depth + 1) * g->fh - FRAMEPAD;
	}
}

static void add_weight(struct flame_buf *b, double units, double unit, int digits)
{
	if (units >= 0 && units <= 18446744073709549568.0 && units == (double)(uint64_t)units) {
		flame_format_weight(b, (uint64_t)units, digits);
	} else {
		add_num(b, units / unit);
	}
}

static void write_frame(struct svg *s, const struct flame_render_opts *o, const struct geom *g,
			const struct flame_frame *f, const struct flame_profile *p,
			struct flame_colorer *col, double maxdelta, int has_delta)
{
	struct flame_buf *b = &s->b;
	int root = f->depth == 0;
	double wc = root ? g->tmc : f->wd; /* counts */
	double x1 = f->sd * g->wpt, x2 = x1 + wc * g->wpt;
	double y1, y2;
	frame_y(g, f->depth, &y1, &y2);
	const struct nameattr_entry *na = root ? NULL : flame_nameattr_find(o->nameattr, f->name, f->len);

	if (na && na->link) {
		flame_buf_add(b, "<a", 2);
		/* xlink:href first, then target (default _top, so links leave an <object>) */
		int has_target = 0;
		for (size_t i = 0; i < na->nattrs; i++)
			if (strcmp(na->attrs[i].key, "target") == 0)
				has_target = 1;
		for (size_t i = 0; i < na->nattrs; i++) {
			flame_buf_addf(b, " %s=\"", na->attrs[i].key);
			esc(b, na->attrs[i].value);
			flame_buf_addc(b, '"');
		}
		if (!has_target)
			flame_buf_adds(b, " target=\"_top\"");
		flame_buf_addc(b, '>');
	} else if (na && na->nattrs) {
		flame_buf_add(b, "<g", 2);
		for (size_t i = 0; i < na->nattrs; i++) {
			flame_buf_addf(b, " %s=\"", na->attrs[i].key);
			esc(b, na->attrs[i].value);
			flame_buf_addc(b, '"');
		}
		flame_buf_addc(b, '>');
	} else {
		flame_buf_add(b, "<g>", 3);
	}

	/* <title>: flamegraph.pl's text */
	flame_buf_add(b, "<title>", 7);
	double samples;
	{
		char t[64];
		snprintf(t, sizeof(t), "%.0f", wc * o->factor);
		samples = strtod(t, NULL);
	}
	if (na && na->title) {
		esc(b, na->title);
	} else if (root) {
		flame_buf_add(b, "all (", 5);
		add_count(b, wc * o->factor);
		flame_buf_addc(b, ' ');
		esc(b, o->count_name);
		flame_buf_add(b, ", 100%)", 7);
	} else {
		size_t nl = f->len - (size_t)strip_annotation(f->name, f->len);
		flame_xml_escape(b, f->name, nl, FLAME_ESC_QUOTES);
		flame_buf_add(b, " (", 2);
		add_count(b, wc * o->factor);
		flame_buf_addc(b, ' ');
		esc(b, o->count_name);
		flame_buf_addf(b, ", %.2f%%", 100 * samples / (g->tmc * o->factor));
		if (has_delta) {
			double d = o->negate ? -f->delta : f->delta;
			if (d == 0)
				d = 0; /* no "-0.00" */
			double dp = 100 * d / (g->tmc * o->factor);
			char t[64];
			snprintf(t, sizeof(t), "%.2f", dp);
			flame_buf_addf(b, "; %s%s%%", d > 0 ? "+" : "", t);
		}
		flame_buf_addc(b, ')');
	}
	flame_buf_add(b, "</title>", 8);

	/* colour */
	char color[FLAME_COLOR_MAX];
	const char *fill = color;
	if (f->len == 2 && memcmp(f->name, "--", 2) == 0) {
		fill = "rgb(160,160,160)";
	} else if (f->len == 1 && f->name[0] == '-') {
		fill = "rgb(200,200,200)";
	} else if (o->color_diffusion) {
		flame_color_diffusion(wc / g->tmc, color);
	} else if (has_delta) {
		flame_color_scale(f->delta, maxdelta, o->negate, color);
	} else if (o->palette_map) {
		const char *c = flame_palette_map_get(o->palette_map, f->name, f->len);
		if (c) {
			fill = c;
		} else {
			flame_color(col, f->name, f->len, color);
			flame_palette_map_put(o->palette_map, f->name, f->len, color);
		}
	} else {
		flame_color(col, f->name, f->len, color);
	}

	flame_buf_add(b, "<rect x=\"", 9);
	add_fixed4(b, 100.0 * f->sd / g->tmc);
	flame_buf_add(b, "%\" y=\"", 6);
	add_num(b, y1);
	flame_buf_add(b, "\" width=\"", 9);
	add_fixed4(b, 100.0 * wc / g->tmc);
	flame_buf_add(b, "%\" height=\"", 11);
	add_num(b, y2 - y1);
	flame_buf_add(b, "\" fill=\"", 8);
	flame_buf_adds(b, fill);
	flame_buf_add(b, "\" fg:x=\"", 8);
	flame_format_weight(b, f->start, p->scale_digits);
	flame_buf_add(b, "\" fg:w=\"", 8);
	if (root)
		add_weight(b, g->timemax, g->unit, p->scale_digits);
	else
		flame_format_weight(b, f->width, p->scale_digits);
	flame_buf_add(b, "\"/>", 3);

	/* label: only when one fits; the script makes the others on zoom */
	size_t before = b->len;
	flame_buf_add(b, "<text x=\"", 9);
	add_fixed4(b, 100.0 * (x1 + 3) / g->inner);
	flame_buf_add(b, "%\" y=\"", 6);
	add_num(b, 3 + (y1 + y2) / 2);
	flame_buf_add(b, "\">", 2);
	size_t mark = b->len;
	if (root)
		add_label(b, "all", 3, x2 - x1, g->fs, g->fw, o->truncate_left);
	else
		add_label(b, f->name, f->len, x2 - x1, g->fs, g->fw, o->truncate_left);
	if (b->len == mark)
		b->len = before; /* empty label: no <text> at all */
	else
		flame_buf_add(b, "</text>", 7);
	if (b->data)
		b->data[b->len] = '\0';
	flame_buf_add(b, na && na->link ? "</a>\n" : "</g>\n", 5);
}

static void js_str(struct flame_buf *b, const char *s)
{
	flame_buf_addc(b, '\'');
	flame_js_escape(b, s, strlen(s));
	flame_buf_addc(b, '\'');
}

static int check_opts(const struct flame_render_opts *o, char bg1[8], char bg2[8],
		      struct flame_error *err)
{
	if (o->width <= 2 * XPAD || o->frame_height <= FRAMEPAD || !(o->font_size > 0) ||
	    !(o->font_width > 0) || !(o->factor > 0) || !(o->min_width >= 0))
		return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
				       "render: width, height, font size, font width and factor must be "
				       "positive, minwidth not negative");
	const char *bgspec = o->bgcolors ? o->bgcolors : flame_palette_default_bg(o->palette);
	if (flame_bgcolors_parse(bgspec, bg1, bg2) < 0)
		return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
				       "render: unknown background colors '%s' (expected yellow, blue, "
				       "green, grey or #rrggbb)",
				       bgspec);
	if (o->encoding && flame_render_encoding(o->encoding) == FLAME_ENCODING_NONE)
		return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
				       "render: encoding '%s' is not supported (the SVG is UTF-8)",
				       o->encoding);
	return 0;
}

static void geom_init(struct geom *g, uint64_t time, double time_counts, int scale_digits,
		      const struct flame_render_opts *o, int *total_ignored)
{
	memset(g, 0, sizeof(*g));
	g->unit = 1;
	for (int i = 0; i < scale_digits; i++)
		g->unit *= 10;
	g->W = o->width;
	g->fh = o->frame_height;
	g->fs = o->font_size;
	g->fw = o->font_width;
	g->ypad1 = g->fs * 3;
	g->ypad2 = g->fs * 2 + 10;
	g->ypad3 = g->fs * 2;
	g->inner = g->W - 2 * XPAD;
	g->inverted = o->inverted;
	double timemax = (double)time;
	g->tmc = time_counts;
	if (total_ignored)
		*total_ignored = 0;
	if (o->total > 0) {
		if (o->total < time_counts) {
			if (total_ignored)
				*total_ignored = o->total / time_counts > 0.02;
		} else {
			timemax = o->total * g->unit;
			g->tmc = o->total;
		}
	}
	g->timemax = timemax;
	g->wpt = g->inner / g->tmc; /* px per count */
}

double render_min_counts(uint64_t time, int scale_digits, const struct flame_render_opts *o)
{
	struct geom g;
	double unit = 1;
	for (int i = 0; i < scale_digits; i++)
		unit *= 10;
	geom_init(&g, time, (double)time / unit, scale_digits, o, NULL);
	return o->min_width_percent ? g.tmc * o->min_width / 100 : o->min_width / g.wpt;
}

int render_write(struct flame_layout *L, uint64_t time, int scale_digits,
		 const struct flame_render_opts *o, struct flame_output *out, struct flame_error *err)
{
	char bg1[8], bg2[8];
	if (check_opts(o, bg1, bg2, err) < 0)
		return -1;
	struct flame_render_report dummy;
	struct flame_render_report *rep = o->report ? o->report : &dummy;
	memset(rep, 0, sizeof(*rep));
	rep->total = time;
	if (time == 0) {
		rep->empty = 1;
		return flame_error_set(err, FLAME_ERR_DATA, NULL, 0, "no stack counts found");
	}
	struct geom g;
	geom_init(&g, time, L->time_d, scale_digits, o, &rep->total_ignored);
	double timemax = g.timemax;
	rep->frames = L->n;
	rep->pruned_frames = L->pruned_frames;
	rep->pruned_weight = L->pruned_weight;
	struct flame_profile pscale; /* only scale_digits is read from it */
	memset(&pscale, 0, sizeof(pscale));
	pscale.scale_digits = scale_digits;
	const struct flame_profile *p = &pscale;

	g.H = (L->depthmax + 1) * g.fh + g.ypad1 + g.ypad2;
	int has_sub = o->subtitle && *o->subtitle;
	if (has_sub)
		g.H += g.ypad3;
	struct svg s = { FLAME_BUF_INIT, out, err, 0, 0, o->pretty, 0, FLAME_BUF_INIT, NULL };
	if (o->encoding && flame_render_encoding(o->encoding) == FLAME_ENCODING_ASCII)
		s.ascii_only = o->encoding;
	struct flame_buf *b = &s.b;
	const char *title = o->title ? o->title
				     : o->flamechart ? "Flame Chart"
				     : o->inverted ? "Icicle Graph" : "Flame Graph";

	flame_buf_adds(b, "<?xml version=\"1.0\"");
	if (o->encoding) {
		flame_buf_adds(b, " encoding=\"");
		esc(b, o->encoding);
		flame_buf_addc(b, '"');
	}
	flame_buf_adds(b, " standalone=\"no\"?>\n"
			  "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
			  "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n");
	flame_buf_adds(b, "<svg version=\"1.1\" width=\"");
	add_num(b, g.W);
	flame_buf_adds(b, "\" height=\"");
	add_num(b, g.H);
	flame_buf_adds(b, "\" onload=\"init(evt)\" viewBox=\"0 0 ");
	add_num(b, g.W);
	flame_buf_addc(b, ' ');
	add_num(b, g.H);
	flame_buf_adds(b, "\" xmlns=\"http://www.w3.org/2000/svg\" "
			  "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
			  "xmlns:fg=\"http://github.com/jonhoo/inferno\">\n");
	flame_buf_adds(b, "<!-- Flame graph stack visualization, drawn by flame render. See "
			  "https://github.com/brendangregg/FlameGraph for the original, and "
			  "http://www.brendangregg.com/flamegraphs.html for examples. -->\n");
	flame_buf_adds(b, "<!--NOTES: ");
	if (o->notes) {
		/* escaped like text, and no "--" inside a comment */
		struct flame_buf t = FLAME_BUF_INIT;
		esc(&t, o->notes);
		for (size_t i = 0; i < t.len; i++) {
			if (t.data[i] == '-' && (i + 1 == t.len || t.data[i + 1] == '-'))
				flame_buf_adds(b, "&#45;");
			else
				flame_buf_addc(b, t.data[i]);
		}
		flame_buf_release(&t);
	}
	flame_buf_adds(b, "-->\n");
	if (rep->pruned_frames) {
		flame_buf_addf(b, "<!-- %llu frames narrower than the minimum width were left out, "
			       "with a weight of ",
			       (unsigned long long)rep->pruned_frames);
		flame_format_weight(b, rep->pruned_weight, p->scale_digits);
		flame_buf_adds(b, " -->\n");
	}
	flame_buf_addf(b, "<defs>\n<linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">\n"
			  "<stop stop-color=\"%s\" offset=\"5%%\"/>\n<stop stop-color=\"%s\" offset=\"95%%\"/>\n"
			  "</linearGradient>\n</defs>\n",
		       bg1, bg2);
	flame_buf_adds(b, "<style type=\"text/css\">\ntext { font-family:");
	{
		struct flame_buf t = FLAME_BUF_INIT;
		add_font(&t, o->font_type);
		flame_xml_escape(b, t.data ? t.data : "", t.len, 0);
		flame_buf_release(&t);
	}
	flame_buf_adds(b, "; font-size:");
	add_num(b, g.fs);
	flame_buf_adds(b, "px; fill:rgb(0,0,0); }\n");
	{
		const char *tpl = css_text, *m = strstr(tpl, "%TITLESIZE%");
		flame_buf_add(b, tpl, (size_t)(m - tpl));
		add_num(b, g.fs + 5);
		flame_buf_adds(b, m + strlen("%TITLESIZE%"));
	}
	if (o->ui_color) {
		/* a rule, not fill attributes: the text rule above would win over those */
		flame_buf_adds(b, "#title, #details, #unzoom, #search, #ignorecase, #matched { fill:");
		esc(b, o->ui_color);
		flame_buf_adds(b, "; }\n");
	}
	if (o->stroke_color) {
		flame_buf_adds(b, "#frames > g > rect, #frames > a > rect { stroke:");
		esc(b, o->stroke_color);
		flame_buf_adds(b, "; stroke-width:1; }\n");
	}
	flame_buf_adds(b, "</style>\n");
	if (o->javascript) {
		flame_buf_adds(b, "<script type=\"text/ecmascript\"><![CDATA[\n");
		flame_buf_adds(b, "var nametype = ");
		js_str(b, o->name_type);
		flame_buf_adds(b, ";\nvar countname = ");
		js_str(b, o->count_name);
		flame_buf_adds(b, ";\nvar fontsize = ");
		add_num(b, g.fs);
		flame_buf_adds(b, ";\nvar fontwidth = ");
		add_num(b, g.fw);
		flame_buf_addf(b, ";\nvar xpad = %d;\nvar inverted = %s;\nvar searchcolor = ", XPAD,
			       o->inverted ? "true" : "false");
		js_str(b, o->search_color);
		flame_buf_addf(b, ";\nvar fluiddrawing = true;\nvar truncate_text_right = %s;\n",
			       o->truncate_left ? "false" : "true");
		flame_buf_adds(b, flame_render_js);
		flame_buf_adds(b, "]]></script>\n");
	}
	flame_buf_adds(b, "<rect x=\"0\" y=\"0\" width=\"100%\" height=\"");
	add_num(b, g.H);
	flame_buf_adds(b, "\" fill=\"url(#background)\"/>\n");
	flame_buf_adds(b, "<text id=\"title\" x=\"50%\" y=\"");
	add_num(b, g.fs * 2);
	flame_buf_adds(b, "\">");
	esc(b, title);
	flame_buf_adds(b, "</text>\n");
	if (has_sub) {
		flame_buf_adds(b, "<text id=\"subtitle\" x=\"50%\" y=\"");
		add_num(b, g.fs * 4);
		flame_buf_adds(b, "\">");
		esc(b, o->subtitle);
		flame_buf_adds(b, "</text>\n");
	}
	double ybottom = g.H - g.ypad2 / 2;
	flame_buf_addf(b, "<text id=\"details\" x=\"%d\" y=\"", XPAD);
	add_num(b, ybottom);
	flame_buf_adds(b, "\"> </text>\n");
	flame_buf_addf(b, "<text id=\"unzoom\" class=\"hide\" x=\"%d\" y=\"", XPAD);
	add_num(b, g.fs * 2);
	flame_buf_adds(b, "\">Reset Zoom</text>\n<text id=\"search\" x=\"");
	add_num(b, g.W - XPAD - 100);
	flame_buf_adds(b, "\" y=\"");
	add_num(b, g.fs * 2);
	flame_buf_adds(b, "\">Search</text>\n<text id=\"ignorecase\" x=\"");
	add_num(b, g.W - XPAD - 16);
	flame_buf_adds(b, "\" y=\"");
	add_num(b, g.fs * 2);
	flame_buf_adds(b, "\">ic</text>\n<text id=\"matched\" class=\"hide\" x=\"");
	add_num(b, g.W - XPAD);
	flame_buf_adds(b, "\" y=\"");
	add_num(b, ybottom);
	flame_buf_adds(b, "\"> </text>\n");
	if (rep->pruned_frames) {
		flame_buf_adds(b, "<text id=\"pruned\" x=\"");
		add_num(b, g.W - XPAD);
		flame_buf_adds(b, "\" y=\"");
		add_num(b, ybottom);
		double pw = (double)rep->pruned_weight / g.unit * o->factor;
		flame_buf_addf(b, "\">%llu frame%s narrower than ", (unsigned long long)rep->pruned_frames,
			       rep->pruned_frames == 1 ? "" : "s");
		add_num(b, o->min_width);
		flame_buf_adds(b, o->min_width_percent ? "%" : " px");
		flame_buf_adds(b, " not drawn (");
		add_count(b, pw);
		flame_buf_addc(b, ' ');
		esc(b, o->count_name);
		flame_buf_addf(b, ", %.2f%%)</text>\n", 100 * pw / (g.tmc * o->factor));
	}
	flame_buf_addf(b, "<svg id=\"frames\" x=\"%d\" width=\"", XPAD);
	add_num(b, g.inner);
	flame_buf_adds(b, "\" total_samples=\"");
	add_weight(b, timemax, g.unit, p->scale_digits);
	flame_buf_adds(b, "\">\n");

	struct flame_colorer col;
	flame_colorer_init(&col, o->palette, o->color_mode);
	for (size_t i = 0; i < L->n && !s.failed; i++) {
		write_frame(&s, o, &g, &L->frames[i], p, &col, L->maxdelta, L->has_delta);
		svg_flush(&s, 0);
	}
	flame_buf_adds(b, "</svg>\n</svg>\n");
	svg_flush(&s, 1);
	rep->bytes = s.bytes;
	flame_buf_release(&s.b);
	flame_buf_release(&s.p);
	(void)parse_num;
	return s.failed ? -1 : 0;
}

/* A flame chart of a profile with a timeline: its samples in time order,
 * thread after thread, instead of the merge.  NULL (and *n 0) when the
 * profile has no timeline that accounts for every weight. */
static struct flame_render_step *flamechart_steps(const struct flame_profile *p, size_t *n)
{
	*n = 0;
	const struct flame_timeline *tl = flame_sb_timeline(p);
	if (!tl)
		return NULL;
	struct flame_sb_thread *th;
	size_t nt = flame_sb_threads(p, tl, &th);
	struct flame_render_step *steps = flame_xmalloc((tl->nsamples + 1) * sizeof(*steps));
	for (size_t i = 0; i < nt; i++)
		for (size_t k = 0; k < th[i].n; k++)
			steps[(*n)++] = (struct flame_render_step){ th[i].spans[k].leaf,
								    { th[i].spans[k].weight, 0 } };
	flame_sb_threads_free(th, nt);
	return steps;
}

int flame_render_svg(const struct flame_profile *p, const struct flame_render_opts *o,
		     struct flame_output *out, struct flame_error *err)
{
	char bg1[8], bg2[8];
	if (check_opts(o, bg1, bg2, err) < 0)
		return -1;
	struct flame_render_opts chart;
	struct flame_render_step *steps = NULL;
	if (o->flamechart && !o->order) {
		size_t n;
		steps = flamechart_steps(p, &n);
		if (steps) {
			chart = *o;
			chart.order = steps;
			chart.norder = n;
			o = &chart;
		}
	}
	/* the total first: the minimum width depends on it */
	uint64_t time = 0;
	if (o->flamechart && o->order) {
		for (size_t i = 0; i < o->norder; i++) {
			uint64_t w = layout_width(p, o->order[i].w, o->diff_width);
			if (__builtin_add_overflow(time, w, &time))
				time = UINT64_MAX;
		}
	} else {
		for (size_t n = 0; n < p->nnodes; n++) {
			uint64_t w = layout_width(p, p->nodes[n].self, o->diff_width);
			if (__builtin_add_overflow(time, w, &time))
				time = UINT64_MAX;
		}
	}
	struct flame_layout L;
	double unit = 1;
	for (int i = 0; i < p->scale_digits; i++)
		unit *= 10;
	layout_init(&L, render_min_counts(time, p->scale_digits, o), p->ncols == 2, unit,
		    o->palette == FLAME_PALETTE_CHAIN);
	if (time)
		layout_profile(&L, p, o);
	layout_finish(&L);
	int rc = render_write(&L, time, p->scale_digits, o, out, err);
	layout_release(&L);
	free(steps);
	return rc;
}
