/*
 * test_render.c - unit tests of render/: palettes (against values printed
 * by perl running flamegraph.pl's formulas), escaping, the flow layout,
 * the palette map, --nameattr parsing and the library entry point as
 * other commands call it (differential widths, flame chart order).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io.h"
#include "core/profile.h"
#include "core/util.h"
#include "render/escape.h"
#include "render/layout.h"
#include "render/palette.h"
#include "render/render.h"
#include "render/text.h"

static int failures, checks;

#define CHECK(c)                                                                  \
	do {                                                                          \
		checks++;                                                                 \
		if (!(c)) {                                                               \
			failures++;                                                           \
			fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, \
				__func__, #c);                                                    \
		}                                                                         \
	} while (0)
#define CHECK_STR(a, b)                                                                     \
	do {                                                                                    \
		checks++;                                                                           \
		if (strcmp((a), (b)) != 0) {                                                        \
			failures++;                                                                     \
			fprintf(stderr, "%s:%d: %s: '%s' != '%s'\n", __FILE__, __LINE__, __func__, (a), \
				(b));                                                                       \
		}                                                                                   \
	} while (0)
#define CHECK_NEAR(a, b) CHECK(fabs((a) - (b)) < 1e-15)

static void t_perl_values(void)
{
	/* printed by perl 5.36: srand(unpack("%32W*", $name)); rand(1) */
	CHECK_NEAR(flame_perl_name_random("main", 4), 0.77859998431904742);
	CHECK_NEAR(flame_perl_name_random("cksum", 5), 0.49969087618319818);
	CHECK_NEAR(flame_perl_name_random("", 0), 0.17082803610628972);
	CHECK_NEAR(flame_perl_name_random("java/lang/Thread.run", 20), 0.4988537480394406);
	/* namehash() and namehash(scalar reverse $name) */
	CHECK_NEAR(flame_perl_namehash("main", 4, 0), 0.36335138216015961);
	CHECK_NEAR(flame_perl_namehash("main", 4, 1), 0.85437446565973207);
	CHECK_NEAR(flame_perl_namehash("java/lang/Thread.run", 20, 0), 0.45388049776764516);
	CHECK_NEAR(flame_perl_namehash("java/lang/Thread.run", 20, 1), 0.76261043032202913);
	CHECK_NEAR(flame_perl_namehash("a`bcd", 5, 0), 0.66549507615338332);
	CHECK_NEAR(flame_perl_namehash("a`bcd", 5, 1), 0.61111111111111116);
	CHECK_NEAR(flame_perl_namehash("`ab", 3, 0), 0.56559323643963144);
	CHECK_NEAR(flame_perl_namehash("x", 1, 1), 1);
}

static const char *color_of(enum flame_palette p, enum flame_color_mode m, const char *name)
{
	static char out[FLAME_COLOR_MAX];
	struct flame_colorer c;
	flame_colorer_init(&c, p, m);
	flame_color(&c, name, strlen(name), out);
	return out;
}

static void t_palettes(void)
{
	/* v = 0.7786 for "main": hot = (205 + 50v, 230v, 55v) */
	CHECK_STR(color_of(FLAME_PALETTE_HOT, FLAME_COLOR_NAME, "main"), "rgb(243,179,42)");
	/* --hash: v1 = namehash, v2 = v3 = namehash(reverse) */
	CHECK_STR(color_of(FLAME_PALETTE_HOT, FLAME_COLOR_HASH, "main"), "rgb(247,83,46)");
	/* java: paths green, C++ yellow, kernel orange, else red */
	char g[FLAME_COLOR_MAX];
	snprintf(g, sizeof(g), "%s", color_of(FLAME_PALETTE_JAVA, FLAME_COLOR_HASH, "java/lang/Thread.run"));
	CHECK(strncmp(g, "rgb(", 4) == 0);
	unsigned r, gg, b;
	CHECK(sscanf(g, "rgb(%u,%u,%u)", &r, &gg, &b) == 3 && gg > r && gg > b);
	CHECK(sscanf(color_of(FLAME_PALETTE_JAVA, FLAME_COLOR_HASH, "Foo::bar"), "rgb(%u,%u,%u)", &r, &gg,
		     &b) == 3 && r == gg && b < r);
	CHECK(sscanf(color_of(FLAME_PALETTE_JAVA, FLAME_COLOR_HASH, "sys_read_[k]"), "rgb(%u,%u,%u)", &r,
		     &gg, &b) == 3 && b == 0 && r > gg);
	CHECK(sscanf(color_of(FLAME_PALETTE_JS, FLAME_COLOR_HASH, " "), "rgb(%u,%u,%u)", &r, &gg, &b) ==
		      3 && gg > r);
	CHECK(sscanf(color_of(FLAME_PALETTE_CHAIN, FLAME_COLOR_HASH, "waker_[w]"), "rgb(%u,%u,%u)", &r,
		     &gg, &b) == 3 && gg == b && r < gg);
	/* off-CPU frames (_[o]) are blue in every palette and colour mode */
	for (int p = 0; p < FLAME_PALETTE_COUNT; p++)
		for (int m = 0; m < 4; m++) {
			const char *c = color_of((enum flame_palette)p, (enum flame_color_mode)m, "schedule_[o]");
			CHECK(sscanf(c, "rgb(%u,%u,%u)", &r, &gg, &b) == 3 && b >= 205 && r == gg && r < b);
		}
	/* every palette gives a valid colour */
	for (int p = 0; p < FLAME_PALETTE_COUNT; p++)
		for (int m = 0; m < 4; m++) {
			const char *c = color_of((enum flame_palette)p, (enum flame_color_mode)m, "x::y/z_[k]");
			CHECK(sscanf(c, "rgb(%u,%u,%u)", &r, &gg, &b) == 3 && r < 256 && gg < 256 && b < 256);
		}
	CHECK(flame_palette_find("orange") == FLAME_PALETTE_ORANGE);
	CHECK(flame_palette_find("nope") == -1);
	char out[FLAME_COLOR_MAX];
	flame_color_scale(5, 10, 0, out);
	CHECK_STR(out, "rgb(255,105,105)");
	flame_color_scale(5, 10, 1, out);
	CHECK_STR(out, "rgb(105,105,255)");
	flame_color_scale(0, 10, 0, out);
	CHECK_STR(out, "rgb(255,255,255)");
	char c1[8], c2[8];
	CHECK(flame_bgcolors_parse("blue", c1, c2) == 0 && strcmp(c2, "#e0e0ff") == 0);
	CHECK(flame_bgcolors_parse("#zzzzzz", c1, c2) < 0);
}

static void t_escape(void)
{
	struct flame_buf b = FLAME_BUF_INIT;
	flame_xml_escape(&b, "<a href=\"x\">'&'</a>", 19, FLAME_ESC_QUOTES);
	CHECK_STR(b.data, "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
	flame_buf_reset(&b);
	flame_xml_escape(&b, "a\x01" "b\xff" "c\xc3\xa9", 7, 0);
	CHECK_STR(b.data, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xc3\xa9");
	flame_buf_reset(&b);
	flame_xml_escape(&b, "\xed\xa0\x80\xef\xbf\xbe\xc2\x85", 8, 0); /* surrogate, U+FFFE, NEL */
	CHECK(flame_utf8_count(b.data, b.len) == 5);
	CHECK(strstr(b.data, "\xef\xbf\xbe") == NULL);
	flame_buf_reset(&b);
	const char *js = "a'b\\</script>]]>\xe2\x82\xac";
	flame_js_escape(&b, js, strlen(js));
	CHECK_STR(b.data, "a\\u0027b\\u005c\\u003c\\u002fscript\\u003e\\u005d\\u005d\\u003e\\u20ac");
	flame_buf_reset(&b);
	flame_text_clean(&b, "\033[31mred", 8);
	CHECK_STR(b.data, "\xef\xbf\xbd[31mred");
	flame_buf_release(&b);
}

/* A profile from folded lines (single column). */
static void add(struct flame_profile *p, const char *stack, uint64_t w0, uint64_t w1)
{
	uint32_t ids[64];
	size_t n = 0;
	const char *s = stack;
	for (;;) {
		const char *semi = strchr(s, ';');
		size_t len = semi ? (size_t)(semi - s) : strlen(s);
		ids[n++] = flame_strtab_intern(&p->names, s, len);
		if (!semi)
			break;
		s = semi + 1;
	}
	uint64_t w[2] = { w0, w1 };
	flame_profile_add(p, ids, n, w);
}

static int count_frames(const struct flame_layout *L, const char *name, uint32_t depth)
{
	int k = 0;
	for (size_t i = 0; i < L->n; i++)
		if (L->frames[i].depth == depth && L->frames[i].len == strlen(name) &&
		    memcmp(L->frames[i].name, name, L->frames[i].len) == 0)
			k++;
	return k;
}

static void t_layout_split(void)
{
	/* sorted: "a;b 1" < "a;b-x 1" < "a;b;c 1": flamegraph.pl draws b twice */
	struct flame_profile p;
	flame_profile_init(&p);
	add(&p, "a;b;c", 1, 0);
	add(&p, "a;b-x", 1, 0);
	add(&p, "a;b", 1, 0);
	add(&p, "a;b;", 1, 0); /* trailing empty frame: the same stack as a;b */
	struct flame_render_opts o;
	flame_render_opts_init(&o);
	struct flame_layout L;
	layout_init(&L, 0, 0, 1, 0);
	layout_profile(&L, &p, &o);
	layout_finish(&L);
	CHECK(count_frames(&L, "b", 2) == 2);
	CHECK(count_frames(&L, "b-x", 2) == 1);
	CHECK(count_frames(&L, "a", 1) == 1);
	CHECK(count_frames(&L, "", 0) == 1);
	CHECK(L.depthmax == 3);
	CHECK(L.time == 4);
	layout_release(&L);
	/* a minimum width drops frames and counts them */
	layout_init(&L, 1.5, 0, 1, 0);
	layout_profile(&L, &p, &o);
	layout_finish(&L);
	CHECK(L.pruned_frames == 3); /* c, b-x and the second-or-first b of width 1 */
	CHECK(L.pruned_weight == 3); /* their parents were drawn */
	layout_release(&L);
	flame_profile_release(&p);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct flame_buf b = FLAME_BUF_INIT;
	char t[65536];
	size_t n;
	while ((n = fread(t, 1, sizeof(t), f)) > 0)
		flame_buf_add(&b, t, n);
	fclose(f);
	flame_buf_addc(&b, '\0');
	return b.data;
}

static char *render(const struct flame_profile *p, const struct flame_render_opts *o)
{
	char path[] = "/tmp/flame-render-unit.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	close(fd);
	struct flame_output *out;
	struct flame_error err = { 0 };
	char *s = NULL;
	if (flame_output_open(&out, path, &err) == 0) {
		if (flame_render_svg(p, o, out, &err) == 0 && flame_output_commit(out, &err) == 0)
			s = read_file(path);
		else if (err.kind)
			fprintf(stderr, "render: %s\n", err.msg);
	}
	unlink(path);
	return s;
}

static void t_api_diff(void)
{
	/* how flame diff calls the renderer: two columns, widths by choice */
	struct flame_profile p;
	flame_profile_init(&p);
	p.ncols = 2;
	add(&p, "main;gone", 10, 0);
	add(&p, "main;new", 0, 30);
	add(&p, "main;same", 20, 20);
	struct flame_render_opts o;
	struct flame_render_report rep;
	flame_render_opts_init(&o);
	o.report = &rep;
	char *s = render(&p, &o);
	CHECK(s && strstr(s, "<title>new (30 samples, 60.00%; +60.00%)</title>"));
	CHECK(s && !strstr(s, "<title>gone")); /* width 0 with the after column */
	CHECK(rep.total == 50);
	free(s);
	o.diff_width = FLAME_DIFF_WIDTH_MAX;
	s = render(&p, &o);
	CHECK(s && strstr(s, "<title>gone (10 samples, 16.67%; -16.67%)</title>"));
	/* the largest change (+30) is full red; -10 of 30 is a light blue */
	CHECK(s && strstr(s, "fill=\"rgb(255,0,0)\""));
	CHECK(s && strstr(s, "fill=\"rgb(140,140,255)\""));
	free(s);
	o.diff_width = FLAME_DIFF_WIDTH_BEFORE;
	s = render(&p, &o);
	CHECK(s && strstr(s, "<title>all (30 samples, 100%)</title>"));
	free(s);
	flame_profile_release(&p);
}

static void t_api_flamechart(void)
{
	/* how flame record calls it for a flame chart: stacks in time order */
	struct flame_profile p;
	flame_profile_init(&p);
	add(&p, "a;b", 1, 0);
	add(&p, "a;c", 1, 0);
	uint32_t ab = 2, ac = 3; /* nodes: 1 a, 2 b, 3 c */
	struct flame_render_step steps[] = {
		{ ab, { 1, 0 } }, { ac, { 1, 0 } }, { ab, { 1, 0 } },
	};
	struct flame_render_opts o;
	flame_render_opts_init(&o);
	o.flamechart = 1;
	o.order = steps;
	o.norder = 3;
	o.color_mode = FLAME_COLOR_HASH;
	char *s = render(&p, &o);
	CHECK(s && strstr(s, ">Flame Chart</text>"));
	int nb = 0;
	for (const char *q = s; q && (q = strstr(q, "<title>b (1 samples")); q++)
		nb++;
	CHECK(nb == 2); /* b, c, b: not merged across time */
	CHECK(s && strstr(s, "<title>a (3 samples, 100.00%)</title>"));
	free(s);
	flame_profile_release(&p);
}

static void t_palette_map(void)
{
	struct flame_palette_map m;
	flame_palette_map_init(&m);
	const char *text = "b->rgb(1,2,3)\nop->x->rgb(4,5,6)\r\nbad\nc->#abcdef\nd->rgb(1,2,300)\n";
	uint64_t bad, first;
	flame_palette_map_parse(&m, text, strlen(text), &bad, &first);
	CHECK(bad == 2 && first == 3);
	CHECK(flame_palette_map_get(&m, "op->x", 5) && strcmp(flame_palette_map_get(&m, "op->x", 5), "rgb(4,5,6)") == 0);
	CHECK(flame_palette_map_get(&m, "d", 1) == NULL);
	flame_palette_map_put(&m, "a", 1, "rgb(7,8,9)");
	struct flame_buf b = FLAME_BUF_INIT;
	flame_palette_map_format(&m, &b);
	CHECK_STR(b.data, "a->rgb(7,8,9)\nb->rgb(1,2,3)\nc->#abcdef\nop->x->rgb(4,5,6)\n");
	flame_buf_release(&b);
	flame_palette_map_release(&m);
}

static int nwarn;
static void warn_cb(void *ctx, uint64_t line, const char *msg)
{
	(void)ctx;
	(void)line;
	(void)msg;
	nwarn++;
}

static void t_nameattr(void)
{
	struct flame_nameattr na;
	flame_nameattr_init(&na);
	const char *text = "f\tclass=a\tclass=b\tonclick=x\thref=javascript:alert(1)\tbogus=1\n"
			   "g\tg_extra=id=\"q\" 1bad=\"v\" style='s'\n\nnotab\n";
	nwarn = 0;
	struct flame_error err = { 0 };
	CHECK(flame_nameattr_parse(&na, text, strlen(text), warn_cb, NULL, &err) == 0);
	CHECK(nwarn == 6); /* duplicate, on*, javascript:, bogus, 1bad, no tab */
	CHECK(na.n == 2);
	flame_nameattr_release(&na);
}

int main(void)
{
	t_perl_values();
	t_palettes();
	t_escape();
	t_layout_split();
	t_api_diff();
	t_api_flamechart();
	t_palette_map();
	t_nameattr();
	printf("render unit: %d passed, %d failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}
