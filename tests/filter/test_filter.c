/*
 * test_filter.c - unit tests of filters/: name rewrites, the small
 * parsers, the regex wrapper, the filter chain on profiles, the diff, and
 * the equivalence of the canonical-folded shortcuts with the general path
 * on random inputs.
 *
 * usage: filter_unit [CASE...]
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io.h"
#include "core/util.h"
#include "filters/canon.h"
#include "filters/diff.h"
#include "filters/filter.h"
#include "filters/names.h"
#include "filters/regex.h"
#include "filters/stacks.h"
#include "formats/folded.h"
#include "formats/reader.h"

static int failures;
static const char *current;

#define CHECK(c)                                                                      \
	do {                                                                          \
		if (!(c)) {                                                           \
			fprintf(stderr, "FAIL [%s] %s:%d: %s\n", current, __FILE__, __LINE__, #c); \
			failures++;                                                   \
		}                                                                     \
	} while (0)

#define CHECK_STR(a, e)                                                                    \
	do {                                                                               \
		const char *a_ = (a), *e_ = (e);                                           \
		if (!a_ || strcmp(a_, e_) != 0) {                                          \
			fprintf(stderr, "FAIL [%s] %s:%d: %s is \"%s\", expected \"%s\"\n", current, \
				__FILE__, __LINE__, #a, a_ ? a_ : "(null)", e_);           \
			failures++;                                                        \
		}                                                                          \
	} while (0)

/* ---- name rewrites ---- */

typedef int (*rewrite_fn)(const char *, size_t, struct flame_buf *);

static const char *rw(rewrite_fn fn, const char *s)
{
	static struct flame_buf b = FLAME_BUF_INIT;
	fn(s, strlen(s), &b);
	return b.data ? b.data : "";
}

static void t_strip_offsets(void)
{
	CHECK_STR(rw(flame_name_strip_offsets, "f+0x1a"), "f");
	CHECK_STR(rw(flame_name_strip_offsets, "f+0x1a/0x40"), "f");
	CHECK_STR(rw(flame_name_strip_offsets, "libc.so.6`strlen+0x1F"), "libc.so.6`strlen");
	CHECK_STR(rw(flame_name_strip_offsets, "a+b"), "a+b");
	CHECK_STR(rw(flame_name_strip_offsets, "a+0x"), "a+0x");
	CHECK_STR(rw(flame_name_strip_offsets, "operator+"), "operator+");
	CHECK_STR(rw(flame_name_strip_offsets, "x+0x1+0x2 y"), "x y");
	CHECK_STR(rw(flame_name_strip_offsets, ""), "");
}

static void t_strip_args(void)
{
	CHECK_STR(rw(flame_name_strip_args, "ns::f(int, char const*) const"), "ns::f");
	CHECK_STR(rw(flame_name_strip_args, "f()"), "f");
	CHECK_STR(rw(flame_name_strip_args, "S::operator()(int)"), "S::operator()");
	CHECK_STR(rw(flame_name_strip_args, "S::operator()"), "S::operator()");
	CHECK_STR(rw(flame_name_strip_args, "S::operator()() const"), "S::operator()");
	CHECK_STR(rw(flame_name_strip_args, "f(long) [clone .cold]"), "f [clone .cold]");
	CHECK_STR(rw(flame_name_strip_args, "f(long) [clone .isra.0] [clone .cold]"),
		  "f [clone .isra.0] [clone .cold]");
	CHECK_STR(rw(flame_name_strip_args, "(anonymous namespace)::g"), "(anonymous namespace)::g");
	CHECK_STR(rw(flame_name_strip_args, "a::(anonymous namespace)"), "a::(anonymous namespace)");
	CHECK_STR(rw(flame_name_strip_args, "net/http.(*Client).Do"), "net/http.(*Client).Do");
	CHECK_STR(rw(flame_name_strip_args, "pkg.(*T)"), "pkg.(*T)");
	CHECK_STR(rw(flame_name_strip_args, "f(void (*)(int))"), "f");
	CHECK_STR(rw(flame_name_strip_args, "std::function<int (int)>::operator()(int) const &&"),
		  "std::function<int (int)>::operator()");
	CHECK_STR(rw(flame_name_strip_args, "g(int)::{lambda()#1}::operator()() const"),
		  "g(int)::{lambda()#1}::operator()");
	CHECK_STR(rw(flame_name_strip_args, "f(x) noexcept"), "f");
	CHECK_STR(rw(flame_name_strip_args, "main"), "main");
	CHECK_STR(rw(flame_name_strip_args, "(unknown)"), "(unknown)");
	CHECK_STR(rw(flame_name_strip_args, "broken)"), "broken)");
}

static void t_strip_templates(void)
{
	CHECK_STR(rw(flame_name_strip_templates, "std::vector<int, std::allocator<int> >::at"),
		  "std::vector::at");
	CHECK_STR(rw(flame_name_strip_templates, "std::function<int (int)>::operator()"),
		  "std::function::operator()");
	CHECK_STR(rw(flame_name_strip_templates, "operator<<"), "operator<<");
	CHECK_STR(rw(flame_name_strip_templates, "S<int>::operator<"), "S::operator<");
	CHECK_STR(rw(flame_name_strip_templates, "S<int>::operator<=><T>"), "S::operator<=>");
	CHECK_STR(rw(flame_name_strip_templates, "A<B>::operator->"), "A::operator->");
	CHECK_STR(rw(flame_name_strip_templates, "<T as Trait>::f"), "<T as Trait>::f");
	CHECK_STR(rw(flame_name_strip_templates, "a<b"), "a<b");
	CHECK_STR(rw(flame_name_strip_templates, "x->y"), "x->y");
	CHECK_STR(rw(flame_name_strip_templates, "plain"), "plain");
}

static void t_strip_hex(void)
{
	CHECK_STR(rw(flame_name_strip_hex, "0x234f2abc"), "0x...");
	CHECK_STR(rw(flame_name_strip_hex, "a0xF1BDE348g 0x1b"), "a0x...g 0x...");
	CHECK_STR(rw(flame_name_strip_hex, "0x"), "0x");
	CHECK_STR(rw(flame_name_strip_hex, "0xg 00x1"), "0xg 00x...");
}

static void t_root_parse(void)
{
	struct flame_root_info ri;
	flame_root_parse("java-12/14", 10, &ri);
	CHECK(ri.has_pid && ri.has_tid && ri.pid == 12 && ri.tid == 14 && ri.comm_len == 4);
	flame_root_parse("java-12", 7, &ri);
	CHECK(ri.has_pid && !ri.has_tid && ri.pid == 12 && ri.comm_len == 4);
	flame_root_parse("java", 4, &ri);
	CHECK(!ri.has_pid && !ri.has_tid && ri.comm_len == 4);
	flame_root_parse("kworker/u8:2-ev-5/6", 19, &ri);
	CHECK(ri.has_pid && ri.pid == 5 && ri.tid == 6 && ri.comm_len == 15);
	flame_root_parse("a/7", 3, &ri);
	CHECK(!ri.has_pid && ri.comm_len == 3);
	flame_root_parse("-3", 2, &ri);
	CHECK(ri.has_pid && ri.pid == 3 && ri.comm_len == 0);
}

static void t_parsers(void)
{
	struct flame_error err;
	struct flame_id_list l = { NULL, 0 };
	CHECK(flame_id_list_parse(&l, "12,40-49", "--pid", &err) == 0);
	CHECK(flame_id_list_has(&l, 12) && flame_id_list_has(&l, 45) && !flame_id_list_has(&l, 13));
	flame_id_list_release(&l);
	CHECK(flame_id_list_parse(&l, "5-3", "--pid", &err) < 0);
	flame_id_list_release(&l);
	CHECK(flame_id_list_parse(&l, "", "--pid", &err) < 0);
	flame_id_list_release(&l);

	struct flame_sed sed;
	CHECK(flame_sed_parse(&sed, "s/a\\/b/c\\/d/gi", "--replace", &err) == 0);
	CHECK_STR(sed.re, "a\\/b");
	CHECK_STR(sed.rep, "c/d");
	CHECK(sed.global && sed.icase);
	flame_sed_release(&sed);
	CHECK(flame_sed_parse(&sed, "s|x||", "--replace", &err) == 0);
	CHECK_STR(sed.re, "x");
	CHECK_STR(sed.rep, "");
	CHECK(!sed.global);
	flame_sed_release(&sed);
	CHECK(flame_sed_parse(&sed, "s/a/b", "--replace", &err) < 0);
	CHECK(flame_sed_parse(&sed, "y/a/b/", "--replace", &err) < 0);
	CHECK(flame_sed_parse(&sed, "s//b/", "--replace", &err) < 0);
	CHECK(flame_sed_parse(&sed, "s/a/b/q", "--replace", &err) < 0);

	struct flame_decimal d;
	CHECK(flame_decimal_parse(&d, "12.5") == 0 && d.ip == 12 && d.fp == 5 && d.digits == 1);
	CHECK(flame_decimal_fixed(&d, 0) == 13); /* rounded up: w >= 12.5 <=> w >= 13 */
	CHECK(flame_decimal_fixed(&d, 2) == 1250);
	CHECK(flame_decimal_parse(&d, ".5") == 0 && d.ip == 0 && d.fp == 5);
	CHECK(flame_decimal_parse(&d, "1e3") < 0);
	CHECK(flame_decimal_parse(&d, "") < 0);
	CHECK(flame_decimal_parse(&d, "-1") < 0);
}

/* ---- regex ---- */

static void t_regex(void)
{
	struct flame_regex re;
	struct flame_error err;
	struct flame_matcher m;
	flame_matcher_init(&m, 4);

	CHECK(flame_regex_compile(&re, "a(b", 0, "--grep", &err) < 0);
	CHECK(err.kind == FLAME_ERR_USAGE);
	CHECK(strstr(err.msg, "--grep: bad regex 'a(b' at offset 3: missing closing parenthesis") != NULL);

	CHECK(flame_regex_compile(&re, "^main", FLAME_REGEX_ICASE, "--focus", &err) == 0);
	CHECK(flame_regex_match(&re, &m, "MAIN", 4, &err) == 1);
	CHECK(flame_regex_match(&re, &m, "xmain", 5, &err) == 0);
	/* subjects are byte ranges, not C strings */
	CHECK(flame_regex_match(&re, &m, "mainly", 2, &err) == 0);
	flame_regex_release(&re);

	CHECK(flame_regex_compile(&re, "(\\w+)::(\\w+)", 0, "--replace", &err) == 0);
	CHECK(flame_regex_replace(&re, &m, "ns::f ns::g", 11, "$2.$1", 5, 0, &err) == 1);
	CHECK_STR(m.out.data, "f.ns ns::g");
	CHECK(flame_regex_replace(&re, &m, "ns::f ns::g", 11, "$2.$1", 5, 1, &err) == 2);
	CHECK_STR(m.out.data, "f.ns g.ns");
	CHECK(flame_regex_replace(&re, &m, "none", 4, "x", 1, 1, &err) == 0);
	CHECK_STR(m.out.data, "none");
	/* results longer than the first guess */
	char big[300];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(flame_regex_replace(&re, &m, "a::b", 4, big, strlen(big), 0, &err) == 1);
	CHECK(m.out.len == strlen(big));
	CHECK(flame_regex_check_replacement(&re, "$1 ${2} $$", &err) == 0);
	CHECK(flame_regex_check_replacement(&re, "$3", &err) < 0);
	CHECK(flame_regex_check_replacement(&re, "$", &err) < 0);
	CHECK(flame_regex_check_replacement(&re, "${nope}", &err) < 0);
	CHECK(flame_regex_check_replacement(&re, "$1abc", &err) == 0);
	flame_regex_release(&re);

	/* catastrophic backtracking ends in an error, quickly */
	CHECK(flame_regex_compile(&re, "^(a|aa)+$", 0, "--focus", &err) == 0);
	flame_regex_set_match_limit(&re, 100000);
	char s[64];
	memset(s, 'a', 60);
	s[60] = 'b';
	CHECK(flame_regex_match(&re, &m, s, 61, &err) < 0);
	CHECK(err.kind == FLAME_ERR_DATA && strstr(err.msg, "backtracks too much"));
	flame_regex_release(&re);
	flame_matcher_release(&m);

	/* matches each just under the limit: the matcher's overall budget
	 * ends the run, naming the pattern; a fresh matcher starts afresh */
	flame_matcher_init(&m, 4);
	CHECK(flame_regex_compile(&re, "^(a|aa)+$", 0, "--grep", &err) == 0);
	flame_regex_set_match_limit(&re, 5000000);
	s[22] = 'b'; /* some 100k steps, cut at the first limit */
	int rc = 0, tries = 0;
	while (tries < 100000 && (rc = flame_regex_match(&re, &m, s, 23, &err)) == 0)
		tries++;
	CHECK(rc < 0 && err.kind == FLAME_ERR_DATA);
	CHECK(strstr(err.msg, "--grep: regex '^(a|aa)+$' stopped after") != NULL);
	CHECK(m.spent <= FLAME_REGEX_BUDGET_BASE + FLAME_REGEX_BUDGET_PER_BYTE * m.subject_bytes);
	flame_matcher_release(&m);
	/* cheap matches are never charged */
	flame_matcher_init(&m, 4);
	for (int i = 0; i < 10000; i++)
		CHECK(flame_regex_match(&re, &m, "aaaa", 4, &err) == 1);
	CHECK(m.spent == 0);
	flame_regex_release(&re);
	flame_matcher_release(&m);
}

/* ---- profiles from folded text ---- */

static int read_text(struct flame_profile *p, const char *text)
{
	struct flame_reader_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = &flame_format_folded;
	cfg.nthreads = 1;
	struct flame_error err;
	struct flame_read_report rep;
	struct flame_reader *r = flame_reader_new(&cfg);
	flame_profile_init(p);
	if (flame_reader_begin_file(r, "test", &err) < 0 ||
	    flame_reader_feed(r, text, strlen(text), &err) < 0 || flame_reader_end_file(r, &err) < 0) {
		flame_reader_abort(r);
		return -1;
	}
	if (flame_reader_finish(r, p, &rep, &err) < 0)
		return -1;
	flame_read_report_release(&rep);
	return 0;
}

static int dump_cb(void *ctx, uint32_t node, const char *text, size_t len)
{
	(void)node;
	struct flame_buf *b = ctx;
	flame_buf_add(b, text, len);
	flame_buf_addc(b, '\n');
	return 0;
}

static char *dump(const struct flame_profile *p)
{
	struct flame_buf b = FLAME_BUF_INIT;
	flame_profile_walk(p, NULL, FLAME_WALK_SORTED, dump_cb, &b);
	flame_buf_addc(&b, '\0'); /* an empty result is "" too */
	return b.data;
}

/* Apply "op arg" steps to folded text; the resulting stacks, one a line. */
static char *run_chain(const char *text, int n, ...)
{
	struct flame_filter f;
	struct flame_error err;
	flame_filter_init(&f);
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		enum flame_filter_op op = va_arg(ap, enum flame_filter_op);
		const char *arg = va_arg(ap, const char *);
		if (flame_filter_add(&f, op, "--test", arg, 0, &err) < 0) {
			fprintf(stderr, "[%s] %s\n", current, err.msg);
			failures++;
		}
	}
	va_end(ap);
	struct flame_profile p;
	if (read_text(&p, text) < 0)
		return flame_xstrdup("(read error)");
	struct flame_filter_report rep;
	char *out;
	if (flame_filter_apply(&f, &p, &rep, &err) < 0) {
		out = flame_xstrdup(err.msg);
	} else {
		out = dump(&p); /* the stack texts, sorted */
		if (!out)
			out = flame_xstrdup("");
	}
	flame_profile_release(&p);
	flame_filter_release(&f);
	return out;
}

static void t_chain(void)
{
	const char *in = "a;b;c 1\na;x;c 2\nr;r;r;s 3\n";
	char *s;
	s = run_chain(in, 1, FLAME_FILTER_HIDE, "^[bx]$");
	CHECK_STR(s, "a;c\nr;r;r;s\n"); /* a;b;c and a;x;c merge into a;c */
	free(s);
	s = run_chain(in, 1, FLAME_FILTER_COLLAPSE_RECURSION, NULL);
	CHECK_STR(s, "a;b;c\na;x;c\nr;s\n");
	free(s);
	s = run_chain(in, 2, FLAME_FILTER_REPLACE, "s/^x$/b/", FLAME_FILTER_MAX_DEPTH, "2");
	CHECK_STR(s, "a;b\nr;r\n");
	free(s);
	s = run_chain(in, 1, FLAME_FILTER_FOCUS_ROOT, "^c$");
	CHECK_STR(s, "c\n");
	free(s);
	s = run_chain(in, 1, FLAME_FILTER_REPLACE, "s/a/x;y/");
	CHECK_STR(s, "r;r;r;s\nx:y;b;c\nx:y;x;c\n"); /* ';' cannot enter a name */
	free(s);
	s = run_chain(in, 1, FLAME_FILTER_TOP, "1");
	CHECK_STR(s, "r;r;r;s\n");
	free(s);
	s = run_chain(in, 1, FLAME_FILTER_GREP, "(a|aa)+$");
	CHECK_STR(s, "");
	free(s);
}

/* Totals stay exact through surgery: weights move, never vanish. */
static void t_weights_conserved(void)
{
	struct flame_profile p;
	CHECK(read_text(&p, "a;b;c 1.5\na;b 2\nz;b;c;d 4\n") == 0);
	uint64_t before = flame_profile_total(&p, 0);
	struct flame_filter f;
	struct flame_error err;
	struct flame_filter_report rep;
	flame_filter_init(&f);
	CHECK(flame_filter_add(&f, FLAME_FILTER_HIDE, "--hide", "^c$", 0, &err) == 0);
	CHECK(flame_filter_add(&f, FLAME_FILTER_PRUNE_FROM, "--prune-from", "^b$", 0, &err) == 0);
	CHECK(flame_filter_add(&f, FLAME_FILTER_STRIP_ARGS, "--strip-args", NULL, 0, &err) == 0);
	CHECK(flame_filter_apply(&f, &p, &rep, &err) == 0);
	CHECK(flame_profile_total(&p, 0) == before);
	CHECK(p.scale_digits == 1);
	char *d = dump(&p);
	CHECK_STR(d, "a;b\nz;b\n");
	free(d);
	CHECK(rep.stacks_in == 3 && rep.stacks_out == 2);
	flame_filter_release(&f);
	flame_profile_release(&p);
}

static void t_diff_combine(void)
{
	struct flame_profile b, a, d;
	CHECK(read_text(&b, "x;y 3\nx;0xabc 1\n") == 0);
	CHECK(read_text(&a, "x;y 6\nx;z 2\nx;0xdef 4\n") == 0);
	struct flame_diff_opts o = { 1, 1 };
	struct flame_diff_totals tot;
	struct flame_error err;
	uint8_t *present;
	CHECK(flame_diff_combine(&b, &a, &o, &d, &present, &tot, &err) == 0);
	CHECK(tot.before == 4 && tot.after == 12 && tot.normalized);
	uint32_t x = flame_profile_child(&d, 0, flame_strtab_find(&d.names, "x", 1), 0);
	uint32_t hex = flame_profile_child(&d, x, flame_strtab_find(&d.names, "0x...", 5), 0);
	uint32_t z = flame_profile_child(&d, x, flame_strtab_find(&d.names, "z", 1), 0);
	CHECK(hex != FLAME_NO_NODE && d.nodes[hex].self[0] == 3 && d.nodes[hex].self[1] == 4);
	CHECK(z != FLAME_NO_NODE && d.nodes[z].self[0] == 0 && d.nodes[z].self[1] == 2 && present[z]);
	free(present);
	flame_profile_release(&d);
	flame_profile_release(&b);
	flame_profile_release(&a);
}

/* ---- the shortcuts against the general path, on random inputs ---- */

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? rng % n : 0;
}

static const char *const frames[] = { "a", "b", "ab", "a.b", "main", "x y", "0x1f", "A",
				       "f(int)", "z" };
/* names the reader splits differently than they look (a trailing "a b 1"
 * reads as a differential line), or that start with blank space */
static const char *const odd_frames[] = { "a b 1", "", "\t" };

static void random_stack(struct flame_buf *b)
{
	int depth = 1 + (int)rnd(4);
	for (int i = 0; i < depth; i++) {
		if (i)
			flame_buf_addc(b, ';');
		/* the root never starts with blank space: the format probe
		 * would not take the file for folded text */
		if (i && rnd(12) == 0)
			flame_buf_adds(b, odd_frames[rnd(3)]);
		else
			flame_buf_adds(b, frames[rnd(sizeof(frames) / sizeof(frames[0]))]);
	}
}

/* Random folded text: sorted, unique and well formed most of the time
 * (canonical), else with one flaw the shortcuts must notice. */
static void random_folded(struct flame_buf *out)
{
	struct flame_buf lines[24];
	int n = (int)rnd(24);
	for (int i = 0; i < n; i++) {
		lines[i] = (struct flame_buf)FLAME_BUF_INIT;
		random_stack(&lines[i]);
		flame_buf_addc(&lines[i], '\0');
		lines[i].len--;
	}
	for (int i = 1; i < n; i++) /* insertion sort */
		for (int j = i; j > 0 && flame_stack_cmp(lines[j - 1].data, lines[j - 1].len,
						       lines[j].data, lines[j].len) > 0; j--) {
			struct flame_buf t = lines[j];
			lines[j] = lines[j - 1];
			lines[j - 1] = t;
		}
	int flaw = rnd(3) == 0 ? 1 + (int)rnd(10) : 0;
	int at = n ? (int)rnd((uint64_t)n) : 0;
	int fractions = rnd(4) == 0;
	for (int i = 0; i < n; i++) {
		int dup = i && flame_stack_cmp(lines[i - 1].data, lines[i - 1].len, lines[i].data,
					       lines[i].len) == 0;
		if (dup && !(flaw == 1 && i == at))
			continue; /* flaw 1: a repeated stack */
		int f = i == at ? flaw : 0;
		int k = f == 2 && i + 1 < n ? i + 1 : i; /* flaw 2: two lines swapped */
		flame_buf_add(out, lines[k].data, lines[k].len);
		if (k != i) {
			flame_buf_addc(out, ' ');
			flame_buf_adds(out, "1\n");
			flame_buf_add(out, lines[i].data, lines[i].len);
		}
		flame_buf_adds(out, f == 3 ? "\t" : f == 4 ? "  " : " ");
		static const char *const odd[] = { "007", "1.50", "1.", "0.000000001", "18446744073709551615" };
		if (f == 5)
			flame_buf_adds(out, odd[rnd(5)]);
		else if (fractions && rnd(3) == 0)
			flame_buf_adds(out, rnd(2) ? "2.5" : "0.125");
		else
			flame_buf_add_u64(out, rnd(6) ? 1 + rnd(100) : 0);
		flame_buf_adds(out, f == 6 ? "\r\n" : f == 7 ? " \n" : f == 8 ? "\n\n" : f == 9 ? " 3\n" : "\n");
	}
	if (flaw == 10 && out->len && out->data[out->len - 1] == '\n')
		out->len--; /* no final newline: still canonical */
	for (int i = 0; i < n; i++)
		flame_buf_release(&lines[i]);
}

static char *tmpdir;

static char *path_in(const char *name)
{
	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_addf(&b, "%s/%s", tmpdir, name);
	return b.data;
}

static void write_file(const char *path, const char *s, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (f) {
		fwrite(s, 1, n, f);
		fclose(f);
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return flame_xstrdup("(missing)");
	struct flame_buf b = FLAME_BUF_INIT;
	char tmp[4096];
	size_t k;
	while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
		flame_buf_add(&b, tmp, k);
	fclose(f);
	flame_buf_addc(&b, '\0');
	return b.data;
}

static int read_path(const char *path, struct flame_profile *p, struct flame_error *err)
{
	struct flame_reader_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.nthreads = 1;
	struct flame_read_report rep;
	const char *paths[] = { path };
	flame_profile_init(p);
	if (flame_read_files(paths, 1, &cfg, p, &rep, err) < 0)
		return -1;
	flame_read_report_release(&rep);
	return 0;
}

static void t_canon_grep_equivalence(void)
{
	char *in = path_in("in.folded"), *o1 = path_in("fast.out"), *o2 = path_in("general.out");
	int fast_taken = 0;
	for (int iter = 0; iter < 400; iter++) {
		struct flame_buf text = FLAME_BUF_INIT;
		random_folded(&text);
		write_file(in, text.data ? text.data : "", text.len);
		struct flame_filter f;
		struct flame_error err;
		flame_filter_init(&f);
		static const char *const pats[] = { "a", "^a;", "b$", "x y", ";;", "\\d", "(?i)A" };
		flame_filter_add(&f, rnd(2) ? FLAME_FILTER_GREP : FLAME_FILTER_GREP_V, "--grep",
				 pats[rnd(sizeof(pats) / sizeof(pats[0]))], 0, &err);
		struct flame_canon_set set;
		int r = 0;
		const char *paths[] = { in };
		if (flame_canon_open(&set, paths, 1, NULL)) {
			uint64_t nin, nout;
			r = flame_canon_grep(&set, &f, 1 + (int)rnd(3), o1, &nin, &nout, &err);
			flame_canon_close(&set);
		}
		if (r == 1) {
			fast_taken++;
			struct flame_profile p;
			struct flame_filter_report rep;
			CHECK(read_path(in, &p, &err) == 0);
			CHECK(flame_filter_apply(&f, &p, &rep, &err) == 0);
			struct flame_output *out;
			CHECK(flame_output_open(&out, o2, &err) == 0);
			CHECK(flame_folded_write(&p, out, &err) == 0);
			CHECK(flame_output_commit(out, &err) == 0);
			char *a = slurp(o1), *b = slurp(o2);
			if (strcmp(a, b) != 0) {
				fprintf(stderr, "[%s] input:\n%s\nfast:\n%s\ngeneral:\n%s\n", current,
					text.data ? text.data : "", a, b);
				failures++;
				iter = 1 << 20;
			}
			free(a);
			free(b);
			flame_profile_release(&p);
		}
		flame_filter_release(&f);
		flame_buf_release(&text);
	}
	CHECK(fast_taken > 50); /* the shortcut was really exercised */
	free(in);
	free(o1);
	free(o2);
}

static void t_canon_diff_equivalence(void)
{
	char *ib = path_in("b.folded"), *ia = path_in("a.folded");
	char *o1 = path_in("fast.out"), *o2 = path_in("general.out");
	int fast_taken = 0;
	for (int iter = 0; iter < 400; iter++) {
		struct flame_buf tb = FLAME_BUF_INIT, ta = FLAME_BUF_INIT;
		random_folded(&tb);
		random_folded(&ta);
		write_file(ib, tb.data ? tb.data : "", tb.len);
		write_file(ia, ta.data ? ta.data : "", ta.len);
		int normalize = (int)rnd(2);
		struct flame_error err;
		struct flame_diff_totals tot;
		struct flame_canon_set sb, sa;
		const char *pb[] = { ib }, *pa[] = { ia };
		int r = 0;
		if (flame_canon_open(&sb, pb, 1, NULL)) {
			if (flame_canon_open(&sa, pa, 1, NULL)) {
				r = flame_canon_diff(&sb.f[0], &sa.f[0], normalize, 1 + (int)rnd(3), o1, &tot,
						     &err);
				flame_canon_close(&sa);
			}
			flame_canon_close(&sb);
		}
		if (r == 1) {
			fast_taken++;
			struct flame_profile b, a, d;
			uint8_t *present;
			struct flame_diff_opts o = { normalize, 0 };
			struct flame_diff_totals tot2;
			CHECK(read_path(ib, &b, &err) == 0 && read_path(ia, &a, &err) == 0);
			CHECK(flame_diff_combine(&b, &a, &o, &d, &present, &tot2, &err) == 0);
			CHECK(tot.before == tot2.before && tot.after == tot2.after &&
			      tot.normalized == tot2.normalized);
			struct flame_output *out;
			CHECK(flame_output_open(&out, o2, &err) == 0);
			CHECK(flame_folded_write_diff(&d, present, out, &err) == 0);
			CHECK(flame_output_commit(out, &err) == 0);
			char *x = slurp(o1), *y = slurp(o2);
			if (strcmp(x, y) != 0) {
				fprintf(stderr, "[%s] before:\n%s\nafter:\n%s\nfast:\n%s\ngeneral:\n%s\n",
					current, tb.data ? tb.data : "", ta.data ? ta.data : "", x, y);
				failures++;
				iter = 1 << 20;
			}
			free(x);
			free(y);
			free(present);
			flame_profile_release(&d);
			flame_profile_release(&b);
			flame_profile_release(&a);
		}
		flame_buf_release(&tb);
		flame_buf_release(&ta);
	}
	CHECK(fast_taken > 50);
	free(ib);
	free(ia);
	free(o1);
	free(o2);
}

/* The sorted walk orders texts as sort(1) does, '.' < ';' included. */
static void t_sorted_walk(void)
{
	struct flame_profile p;
	CHECK(read_text(&p, "a;x 1\na.b 1\na 1\nab 1\na;;y 1\n\xff 1\na b 1\na; 1\n") == 0);
	char *d = dump(&p);
	CHECK_STR(d, "a\na b\na.b\na;\na;;y\na;x\nab\n\xff\n");
	free(d);
	flame_profile_release(&p);
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "strip_offsets", t_strip_offsets },
	{ "strip_args", t_strip_args },
	{ "strip_templates", t_strip_templates },
	{ "strip_hex", t_strip_hex },
	{ "root_parse", t_root_parse },
	{ "parsers", t_parsers },
	{ "regex", t_regex },
	{ "chain", t_chain },
	{ "weights_conserved", t_weights_conserved },
	{ "diff_combine", t_diff_combine },
	{ "sorted_walk", t_sorted_walk },
	{ "canon_grep_equivalence", t_canon_grep_equivalence },
	{ "canon_diff_equivalence", t_canon_diff_equivalence },
};

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/flame-filter-unit.XXXXXX";
	const char *t = getenv("TMPDIR");
	struct flame_buf dir = FLAME_BUF_INIT;
	flame_buf_addf(&dir, "%s/flame-filter-unit.XXXXXX", t && *t ? t : "/tmp");
	tmpdir = mkdtemp(dir.data) ? dir.data : mkdtemp(tmpl);
	if (!tmpdir) {
		perror("mkdtemp");
		return 2;
	}
	size_t ran = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int wanted = argc < 2;
		for (int a = 1; a < argc; a++)
			wanted |= strcmp(argv[a], cases[i].name) == 0;
		if (!wanted)
			continue;
		int before = failures;
		current = cases[i].name;
		cases[i].fn();
		ran++;
		printf("%s %s\n", failures == before ? "ok  " : "FAIL", cases[i].name);
	}
	const char *names[] = { "in.folded", "fast.out", "general.out", "a.folded", "b.folded" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = path_in(names[i]);
		unlink(p);
		free(p);
	}
	rmdir(tmpdir);
	flame_buf_release(&dir);
	printf("%zu cases, %d failed checks\n", ran, failures);
	return failures ? 1 : 0;
}
