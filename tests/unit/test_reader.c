/* Unit tests: formats/reader.c, the push reader and flame_read_files().
 *
 * The reader promises that the profile it builds does not depend on how the
 * input is cut into pieces nor on the number of threads.  These tests feed
 * the same bytes whole, one byte at a time and in random pieces, with one
 * and two threads and a chunk size of 4096 bytes (so even small inputs make
 * many chunks), and compare the profiles, the notes and their positions.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "core/profile.h"
#include "core/util.h"
#include "formats/format.h"
#include "formats/reader.h"

#define SMALL_CHUNK 4096

enum feed_mode { FEED_WHOLE, FEED_BYTES, FEED_RANDOM };
static const char *const mode_names[] = { "whole", "1-byte", "random" };

struct input {
	const char *name;
	const char *data;
	size_t len;
};

/* What one read produced, in comparable form. */
struct result {
	int rc;
	char err[1024];
	char *dump;       /* sorted folded text */
	size_t dump_len;
	struct flame_read_report rep;
	int have_rep;
	uint64_t nstacks;
};

static void result_release(struct result *r)
{
	free(r->dump);
	if (r->have_rep)
		flame_read_report_release(&r->rep);
	memset(r, 0, sizeof(*r));
}

static void feed_pieces(struct flame_reader *rd, const struct input *in, enum feed_mode mode,
			uint64_t *seed, struct flame_error *err, int *rc)
{
	size_t o = 0;
	while (o < in->len && *rc == 0) {
		size_t k;
		switch (mode) {
		case FEED_WHOLE:
			k = in->len;
			break;
		case FEED_BYTES:
			k = 1;
			break;
		default:
			/* mostly small pieces, sometimes bigger than a chunk */
			k = check_rand(seed) % 8 == 0 ? 1 + check_rand(seed) % (3 * SMALL_CHUNK)
						       : 1 + check_rand(seed) % 300;
			break;
		}
		if (k > in->len - o)
			k = in->len - o;
		if (flame_reader_feed(rd, in->data + o, k, err) < 0)
			*rc = -1;
		o += k;
	}
}

/* nthreads: 1 parses on the calling thread, 0 on one background thread,
 * more on that many worker threads */
static void read_push(const struct input *inputs, size_t ninputs, enum feed_mode mode, int nthreads,
		      const struct flame_format *fmt, const struct flame_read_opts *opts,
		      struct result *res)
{
	memset(res, 0, sizeof(*res));
	struct flame_reader_config cfg = {
		.format = fmt,
		.opts = opts,
		.nthreads = nthreads ? nthreads : 1,
		.progress = NULL,
		.chunk_size = SMALL_CHUNK,
		.background_parse = nthreads == 0,
	};
	struct flame_error err = { 0 };
	struct flame_profile prof;
	flame_profile_init(&prof);
	struct flame_reader *rd = flame_reader_new(&cfg);
	static uint64_t runs;
	uint64_t seed = 12345 + (uint64_t)nthreads + 1000003 * runs++;
	int rc = 0;
	for (size_t i = 0; i < ninputs && rc == 0; i++) {
		if (flame_reader_begin_file(rd, inputs[i].name, &err) < 0) {
			rc = -1;
			break;
		}
		feed_pieces(rd, &inputs[i], mode, &seed, &err, &rc);
		if (rc == 0 && flame_reader_end_file(rd, &err) < 0)
			rc = -1;
	}
	struct flame_read_report rep;
	memset(&rep, 0, sizeof(rep));
	/* finish() also reports a failure with its file and line */
	if (flame_reader_finish(rd, &prof, &rep, &err) < 0)
		rc = -1;
	else if (rc == 0)
		res->have_rep = 1;
	else
		flame_read_report_release(&rep);
	if (res->have_rep)
		res->rep = rep;
	res->rc = rc;
	snprintf(res->err, sizeof(res->err), "%s", rc ? err.msg : "");
	res->dump = check_profile_dump(&prof, &res->dump_len);
	res->nstacks = prof.nstacks;
	flame_profile_release(&prof);
}

static const char *diag_text(const struct flame_read_report *rep, int k, int i)
{
	static char buf[1400];
	const struct flame_diag_example *e = &rep->diag.ex[k][i];
	snprintf(buf, sizeof(buf), "%s:%llu: %s", rep->files[e->chunk], (unsigned long long)e->line,
		 e->text);
	return buf;
}

/* Two results must be identical: profile, error, notes with their positions. */
static void check_same(const struct result *a, const struct result *b, const char *what,
		       const char *file, int line)
{
	if (a->rc != b->rc || strcmp(a->err, b->err) != 0) {
		check_fail(file, line, "%s: rc %d \"%s\" vs rc %d \"%s\"", what, a->rc, a->err, b->rc,
			   b->err);
		return;
	}
	if (a->dump_len != b->dump_len || memcmp(a->dump, b->dump, a->dump_len) != 0)
		check_fail(file, line, "%s: profiles differ (%zu vs %zu bytes of folded text)", what,
			   a->dump_len, b->dump_len);
	if (a->nstacks != b->nstacks)
		check_fail(file, line, "%s: nstacks %llu vs %llu", what, (unsigned long long)a->nstacks,
			   (unsigned long long)b->nstacks);
	if (!a->have_rep || !b->have_rep)
		return;
	const struct flame_read_report *x = &a->rep, *y = &b->rep;
	if (x->lines != y->lines || x->bytes != y->bytes)
		check_fail(file, line, "%s: lines %llu/%llu bytes %llu/%llu", what,
			   (unsigned long long)x->lines, (unsigned long long)y->lines,
			   (unsigned long long)x->bytes, (unsigned long long)y->bytes);
	if ((x->event == NULL) != (y->event == NULL) || (x->event && strcmp(x->event, y->event) != 0))
		check_fail(file, line, "%s: event '%s' vs '%s'", what, x->event ? x->event : "(none)",
			   y->event ? y->event : "(none)");
	for (int k = 0; k < FLAME_DIAG_NKINDS; k++) {
		if (x->diag.count[k] != y->diag.count[k] || x->diag.nex[k] != y->diag.nex[k]) {
			check_fail(file, line, "%s: %s: %llu notes (%d kept) vs %llu (%d kept)", what,
				   flame_diag_kind_name((enum flame_diag_kind)k),
				   (unsigned long long)x->diag.count[k], x->diag.nex[k],
				   (unsigned long long)y->diag.count[k], y->diag.nex[k]);
			continue;
		}
		for (int i = 0; i < x->diag.nex[k]; i++) {
			char t1[1400];
			snprintf(t1, sizeof(t1), "%s", diag_text(x, k, i));
			const char *t2 = diag_text(y, k, i);
			if (strcmp(t1, t2) != 0)
				check_fail(file, line, "%s: note differs: \"%s\" vs \"%s\"", what, t1, t2);
		}
	}
}
#define CHECK_SAME(a, b, what) check_same((a), (b), (what), __FILE__, __LINE__)

static void check_dump_equals(const struct result *r, const char *want, size_t want_len,
			      const char *what, const char *file, int line)
{
	if (r->rc != 0) {
		check_fail(file, line, "%s: failed: %s", what, r->err);
		return;
	}
	if (r->dump_len != want_len || memcmp(r->dump, want, want_len) != 0) {
		size_t i = 0;
		while (i < r->dump_len && i < want_len && r->dump[i] == want[i])
			i++;
		size_t ls = i;
		while (ls > 0 && want[ls - 1] != '\n')
			ls--;
		check_fail(file, line, "%s: output differs from the expected file at byte %zu "
			   "(%zu vs %zu bytes); expected line: \"%.*s\", got: \"%.*s\"",
			   what, i, r->dump_len, want_len, (int)strcspn(want + ls, "\n"), want + ls,
			   (int)(ls < r->dump_len ? strcspn(r->dump + ls, "\n") : 0),
			   ls < r->dump_len ? r->dump + ls : "");
	}
}
#define CHECK_DUMP_EQUALS(r, want, want_len, what) \
	check_dump_equals((r), (want), (want_len), (what), __FILE__, __LINE__)

static size_t count_lines(const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += s[i] == '\n';
	if (n && s[n - 1] != '\n')
		k++;
	return k;
}

/* Read one input every way; every result must equal the first, and the
 * first must equal want (when given).  Returns the first result. */
static void read_every_way(const struct input *inputs, size_t ninputs,
			   const struct flame_format *forced, const struct flame_read_opts *opts,
			   const char *want, size_t want_len, struct result *first, const char *label)
{
	int have_first = 0;
	for (int fi = 0; fi < (forced ? 2 : 1); fi++) {
		const struct flame_format *fmt = fi ? forced : NULL;
		for (int th = 0; th <= 2; th++) {
			for (int m = FEED_WHOLE; m <= FEED_RANDOM; m++) {
				struct result r;
				read_push(inputs, ninputs, (enum feed_mode)m, th, fmt, opts, &r);
				char what[256];
				snprintf(what, sizeof(what), "%s, %s pieces, %s, format %s", label, mode_names[m],
					 th == 0 ? "1 background thread" : th == 1 ? "no thread" : "2 threads",
					 fmt ? fmt->name : "detected");
				if (!have_first) {
					*first = r;
					have_first = 1;
					if (want)
						CHECK_DUMP_EQUALS(first, want, want_len, what);
				} else {
					CHECK_SAME(first, &r, what);
					result_release(&r);
				}
			}
		}
	}
}

static char *fixture(const char *rel, size_t *len)
{
	char *p = check_fixture_path(rel);
	if (!p) {
		check_fail(__FILE__, __LINE__, "no fixtures directory given on the command line");
		return NULL;
	}
	char *d = check_read_file(p, len);
	if (!d)
		check_fail(__FILE__, __LINE__, "cannot read fixture %s", p);
	free(p);
	return d;
}

static void t_perf_example(void)
{
	size_t n, wn;
	char *data = fixture("conformance/collapse-perf/perf-vertx-stacks-01/input.txt", &n);
	char *want = fixture("conformance/collapse-perf/perf-vertx-stacks-01/expected.pid.txt", &wn);
	REQUIRE(data && want);
	struct flame_read_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.include_pid = 1;
	struct input in = { "perf.txt", data, n };
	struct result r;
	read_every_way(&in, 1, &flame_format_perf, &opts, want, wn, &r, "perf-vertx-stacks-01 --pid");
	REQUIRE(r.have_rep);
	CHECK_U64(r.rep.bytes, n);
	CHECK_U64(r.rep.lines, count_lines(data, n));
	CHECK_U64(r.rep.nfiles, 1);
	CHECK(r.rep.formats[0] == &flame_format_perf);
	for (int k = 0; k < FLAME_DIAG_NKINDS; k++)
		CHECK_U64(r.rep.diag.count[k], 0);
	result_release(&r);
	free(data);
	free(want);
}

static void t_perf_other_event(void)
{
	/* samples of two events: the first seen is kept, the others noted */
	size_t n, wn;
	char *data = fixture("conformance/collapse-perf/perf-cycles-instructions-01/input.txt", &n);
	char *want = fixture("conformance/collapse-perf/perf-cycles-instructions-01/expected.pid.txt", &wn);
	REQUIRE(data && want);
	struct flame_read_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.include_pid = 1;
	struct input in = { "cyc.txt", data, n };
	struct result r;
	read_every_way(&in, 1, &flame_format_perf, &opts, want, wn, &r, "perf-cycles-instructions-01");
	REQUIRE(r.have_rep);
	CHECK_STR(r.rep.event, "instructions");
	CHECK_U64(r.rep.diag.count[FLAME_DIAG_OTHER_EVENT], 111);
	REQUIRE(r.rep.diag.nex[FLAME_DIAG_OTHER_EVENT] > 0);
	CHECK_STR(diag_text(&r.rep, FLAME_DIAG_OTHER_EVENT, 0), "cyc.txt:43: sample of another event: 'cycles'");
	result_release(&r);
	free(data);
	free(want);
}

static void t_dtrace_example(void)
{
	size_t n, wn, wn2;
	char *data = fixture("conformance/collapse-dtrace/example-dtrace/input.txt", &n);
	char *want = fixture("conformance/collapse-dtrace/example-dtrace/expected.default.txt", &wn);
	char *want2 = fixture("conformance/collapse-dtrace/example-dtrace/expected.includeoffset.txt", &wn2);
	REQUIRE(data && want && want2);
	struct flame_read_opts opts;
	memset(&opts, 0, sizeof(opts));
	struct input in = { "dtrace.txt", data, n };
	struct result r;
	read_every_way(&in, 1, &flame_format_dtrace, &opts, want, wn, &r, "example-dtrace");
	REQUIRE(r.have_rep);
	CHECK(r.rep.formats[0] == &flame_format_dtrace);
	result_release(&r);
	opts.include_offset = 1;
	read_every_way(&in, 1, NULL, &opts, want2, wn2, &r, "example-dtrace --includeoffset");
	result_release(&r);
	free(data);
	free(want);
	free(want2);
}

/* A generated perf input with weird lines at known places. */
static char *make_perf_with_weird_lines(size_t nsamples, size_t every, size_t *len,
					uint64_t *weird_lines, size_t *nweird, size_t maxweird)
{
	struct flame_buf b = FLAME_BUF_INIT;
	uint64_t line = 0;
	*nweird = 0;
	flame_buf_adds(&b, "# a comment line\n");
	line++;
	for (size_t i = 0; i < nsamples; i++) {
		flame_buf_addf(&b, "prog %zu 1000.%06zu: 1 cycles:\n", 100 + i % 3, i);
		line++;
		flame_buf_addf(&b, "\t    %zx leaf_%zu+0x10 (/usr/bin/prog)\n", 0x1000 + i, i % 5);
		line++;
		if (i % every == every - 1) {
			flame_buf_adds(&b, "\tTHIS IS NOT A STACK LINE\n");
			line++;
			if (*nweird < maxweird)
				weird_lines[*nweird] = line;
			(*nweird)++;
		}
		flame_buf_addf(&b, "\t    %zx mid_%zu (/usr/bin/prog)\n", 0x2000 + i, i % 7);
		line++;
		flame_buf_adds(&b, "\t    3000 main (/usr/bin/prog)\n\n");
		line += 2;
	}
	*len = b.len;
	return b.data;
}

static void t_perf_warning_positions(void)
{
	uint64_t weird[4];
	size_t nweird, n;
	char *data = make_perf_with_weird_lines(3000, 97, &n, weird, &nweird, 4);
	REQUIRE(nweird > 3);
	struct flame_read_opts opts;
	memset(&opts, 0, sizeof(opts));
	struct input in = { "gen.txt", data, n };
	struct result r;
	read_every_way(&in, 1, &flame_format_perf, &opts, NULL, 0, &r, "generated perf");
	REQUIRE(r.rc == 0 && r.have_rep);
	CHECK_U64(r.rep.diag.count[FLAME_DIAG_WEIRD_STACK], nweird);
	REQUIRE(r.rep.diag.nex[FLAME_DIAG_WEIRD_STACK] == 3);
	for (int i = 0; i < 3; i++) {
		char want[256];
		snprintf(want, sizeof(want),
			 "gen.txt:%llu: weird stack line (expected 'ADDR FUNCTION (MODULE)'): "
			 "'\\x09THIS IS NOT A STACK LINE'",
			 (unsigned long long)weird[i]);
		CHECK_STR(diag_text(&r.rep, FLAME_DIAG_WEIRD_STACK, i), want);
	}
	CHECK_U64(r.nstacks, 3000);
	CHECK_U64(r.rep.lines, count_lines(data, n));
	/* the samples fold into 5 * 7 stacks (the weird line is only skipped) */
	size_t stacks = 0;
	for (size_t i = 0; i < r.dump_len; i++)
		stacks += r.dump[i] == '\n';
	CHECK_U64(stacks, 35);
	CHECK(strstr(r.dump, "prog;main;mid_0;leaf_0 ") != NULL);
	result_release(&r);
	free(data);
}

static void t_folded_scales_across_chunks(void)
{
	/* integer counts early, a fractional one far later (another chunk,
	 * maybe another thread): every weight ends up with 3 digits */
	struct flame_buf b = FLAME_BUF_INIT;
	for (int i = 0; i < 5000; i++)
		flame_buf_addf(&b, "main;f%d;g 2\n", i % 10);
	flame_buf_adds(&b, "main;f3;g 0.125\n");
	flame_buf_adds(&b, "main;h 1.5\n");
	struct flame_read_opts opts;
	memset(&opts, 0, sizeof(opts));
	struct input in = { "x.folded", b.data, b.len };
	static const char want[] = "main;f0;g 1000\n"
				   "main;f1;g 1000\n"
				   "main;f2;g 1000\n"
				   "main;f3;g 1000.125\n"
				   "main;f4;g 1000\n"
				   "main;f5;g 1000\n"
				   "main;f6;g 1000\n"
				   "main;f7;g 1000\n"
				   "main;f8;g 1000\n"
				   "main;f9;g 1000\n"
				   "main;h 1.5\n";
	struct result r;
	read_every_way(&in, 1, &flame_format_folded, &opts, want, sizeof(want) - 1, &r, "folded");
	result_release(&r);
	flame_buf_release(&b);
}

static void t_folded_prefixes(void)
{
	/* lines sharing prefixes in every way: repeated, a prefix of the
	 * previous line, a common prefix that ends inside a frame, empty frames */
	static const char block[] = "a;b;c 1\n"
				    "a;b;c 2\n"
				    "a;b 3\n"
				    "a 4\n"
				    "a;bc 5\n"
				    "a;b;cd 6\n"
				    "ab 7\n"
				    "a;b;c;d 8\n"
				    "a;;b 10\n"
				    "a; 11\n"
				    "b;a 12\n"
				    "a;b;c 13\n";
	struct flame_buf b = FLAME_BUF_INIT;
	for (int i = 0; i < 200; i++)
		flame_buf_adds(&b, block);
	flame_buf_adds(&b, "x 18446744073709551614\nx 1\n");
	static const char want[] = "a 800\n"
				   "a; 2200\n"
				   "a;;b 2000\n"
				   "a;b 600\n"
				   "a;b;c 3200\n"
				   "a;b;c;d 1600\n"
				   "a;b;cd 1200\n"
				   "a;bc 1000\n"
				   "ab 1400\n"
				   "b;a 2400\n"
				   "x 18446744073709551615\n";
	struct input in = { "p.folded", b.data, b.len };
	struct result r;
	read_every_way(&in, 1, &flame_format_folded, NULL, want, sizeof(want) - 1, &r, "folded prefixes");
	REQUIRE(r.rc == 0 && r.have_rep);
	CHECK_U64(r.nstacks, 200 * 12 + 2);
	result_release(&r);
	flame_buf_release(&b);

	/* each line alone after a line it is a prefix of, in one chunk */
	static const char shrink[] = "a;b;c;d 1\na;b;c 1\na;b 1\na 1\na;b;c;d 1\n";
	struct input in2 = { "s.folded", shrink, sizeof(shrink) - 1 };
	static const char want2[] = "a 1\na;b 1\na;b;c 1\na;b;c;d 2\n";
	read_every_way(&in2, 1, &flame_format_folded, NULL, want2, sizeof(want2) - 1, &r,
		       "folded shrinking prefixes");
	result_release(&r);
}

static void t_several_files(void)
{
	/* file boundaries end samples; positions restart in each file */
	static const char a[] = "prog 1 1.0: 1 cycles:\n"
				"\t 1 leaf (/bin/prog)\n"
				"\t 2 main (/bin/prog)\n"; /* no blank line at the end */
	static const char b[] = "prog 1 2.0: 1 cycles:\n"
				"\t 1 leaf (/bin/prog)\n"
				"\tWEIRD\n"
				"\t 2 main (/bin/prog)\n"
				"\n";
	struct input in[3] = { { "a.txt", a, sizeof(a) - 1 },
			       { "empty.txt", "", 0 },
			       { "b.txt", b, sizeof(b) - 1 } };
	struct flame_read_opts opts;
	memset(&opts, 0, sizeof(opts));
	struct result r;
	read_every_way(in, 3, &flame_format_perf, &opts, "prog;main;leaf 2\n", 17, &r, "three files");
	REQUIRE(r.rc == 0 && r.have_rep);
	CHECK_U64(r.rep.nfiles, 3);
	CHECK_STR(r.rep.files[0], "a.txt");
	CHECK_STR(r.rep.files[2], "b.txt");
	CHECK_U64(r.rep.diag.count[FLAME_DIAG_WEIRD_STACK], 1);
	CHECK_STR(diag_text(&r.rep, FLAME_DIAG_WEIRD_STACK, 0),
		  "b.txt:3: weird stack line (expected 'ADDR FUNCTION (MODULE)'): '\\x09WEIRD'");
	result_release(&r);
}

static void t_empty_input(void)
{
	struct input in = { "empty", "", 0 };
	struct result r;
	read_push(&in, 1, FEED_WHOLE, 1, NULL, NULL, &r);
	CHECK_U64(r.rc, 0);
	CHECK_U64(r.dump_len, 0);
	CHECK_U64(r.nstacks, 0);
	result_release(&r);
	read_push(&in, 1, FEED_BYTES, 2, &flame_format_dtrace, NULL, &r);
	CHECK_U64(r.rc, 0);
	CHECK_U64(r.dump_len, 0);
	result_release(&r);
	/* no files at all */
	read_push(NULL, 0, FEED_WHOLE, 2, NULL, NULL, &r);
	CHECK_U64(r.rc, 0);
	CHECK_U64(r.dump_len, 0);
	result_release(&r);
}

/* Hard errors are reported with the file and the line of the first one,
 * whatever the pieces and threads.  Reads with threads in [th_from, th_to],
 * each way of feeding, `repeat` times; returns the number of wrong results
 * (the first few are printed). */
static size_t error_runs(int th_from, int th_to, int repeat)
{
	size_t bad = 0;
	/* dtrace input that stops inside a stack, far into the input */
	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_adds(&b, "CPU     ID                    FUNCTION:NAME\n  0  1   :tick-60s\n\n");
	for (int i = 0; i < 2000; i++)
		flame_buf_addf(&b, "              mod`f%d+0x1\n              mod`main+0x2\n                %d\n\n",
			       i % 9, i + 1);
	flame_buf_adds(&b, "              mod`dangling+0x1\n");
	size_t total = count_lines(b.data, b.len);
	char want[256];
	snprintf(want, sizeof(want),
		 "cut.txt:%zu: input ends in the middle of a stack (expected a count line)", total);
	struct input in = { "cut.txt", b.data, b.len };

	/* a first error wins over a later one, whichever thread finds it first */
	struct flame_buf c = FLAME_BUF_INIT;
	for (int i = 0; i < 3000; i++) {
		flame_buf_addf(&c, "frame;f%d 1\n", i);
		if (i == 1000 || i == 2500)
			flame_buf_adds(&c, "big;count 18446744073709551615.5\n");
	}
	struct input in2 = { "f.folded", c.data, c.len };
	const char *want2 = "f.folded:1002: count does not fit in 64 bits";

	for (int rep = 0; rep < repeat; rep++)
		for (int th = th_from; th <= th_to; th++)
			for (int m = FEED_WHOLE; m <= FEED_RANDOM; m++)
				for (int f = 0; f < 3; f++) {
					struct result r;
					if (f < 2)
						read_push(&in, 1, (enum feed_mode)m, th,
							  f ? &flame_format_dtrace : NULL, NULL, &r);
					else
						read_push(&in2, 1, (enum feed_mode)m, th, &flame_format_folded, NULL, &r);
					const char *w = f < 2 ? want : want2;
					if (r.rc != -1 || strcmp(r.err, w) != 0) {
						if (bad++ < 5)
							check_fail(__FILE__, __LINE__,
								   "%s pieces, nthreads %d: rc %d \"%s\", expected \"%s\"",
								   mode_names[m], th, r.rc, r.err, w);
					}
					result_release(&r);
				}
	flame_buf_release(&b);
	flame_buf_release(&c);
	return bad;
}

static void t_error_positions(void)
{
	/* on the calling thread and on one background thread chunks are parsed in order */
	error_runs(0, 1, 1);
}

/* Known bug: with several worker threads the line of a hard error is
 * sometimes too small (or a later error is reported instead of the first).
 * process() in formats/reader.c skips every chunk it takes once any chunk
 * has failed, including chunks before the failed one that a worker popped
 * from the queue just before the failure was recorded; a skipped chunk's
 * line count stays 0, so flame_reader_finish() adds up too few lines before
 * the failing chunk.  It is a race: the case repeats the reads to catch it. */
static void t_error_positions_threads(void)
{
	size_t bad = error_runs(2, 4, 15);
	if (bad)
		check_fail(__FILE__, __LINE__, "%zu of %d threaded reads reported a wrong error", bad,
			   15 * 3 * 3 * 3);
}

static void t_unrecognized(void)
{
	/* bytes that no format claims */
	char junk[20000];
	uint64_t seed = 99;
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(check_rand(&seed) & 0xff);
	struct input in = { "junk.bin", junk, sizeof(junk) };
	for (int th = 0; th <= 2; th++)
		for (int m = FEED_WHOLE; m <= FEED_RANDOM; m++) {
			struct result r;
			read_push(&in, 1, (enum feed_mode)m, th, NULL, NULL, &r);
			CHECK_U64(r.rc, (uint64_t)-1);
			CHECK_CONTAINS(r.err, "junk.bin: unrecognized input format");
			result_release(&r);
		}
}

static void t_detection_after_long_header(void)
{
	/* perf script output whose first sample follows more comment bytes
	 * than one chunk: detection must not depend on the chunking (it once
	 * probed whatever the first chunk held, and failed in small pieces) */
	struct flame_buf b = FLAME_BUF_INIT;
	for (int i = 0; i < 120; i++)
		flame_buf_addf(&b, "# header line %03d: ........................................\n", i);
	REQUIRE(b.len > SMALL_CHUNK && b.len < 64 * 1024);
	for (int i = 0; i < 50; i++)
		flame_buf_adds(&b, "prog 7 1.0: 1 cycles:\n\t 1 leaf (/bin/prog)\n\t 2 main (/bin/prog)\n\n");
	struct input in = { "hdr.txt", b.data, b.len };
	for (int m = FEED_WHOLE; m <= FEED_RANDOM; m++) {
		struct result r;
		read_push(&in, 1, (enum feed_mode)m, 2, NULL, NULL, &r);
		if (r.rc != 0 || strcmp(r.dump, "prog;main;leaf 50\n") != 0)
			check_fail(__FILE__, __LINE__, "%s pieces: rc %d \"%s\", profile \"%s\"", mode_names[m],
				   r.rc, r.err, r.dump);
		result_release(&r);
	}
	flame_buf_release(&b);
}

/* flame_read_files(): mapped plain files and streamed compressed ones. */
static void t_read_files(void)
{
	size_t n, wn;
	char *data = fixture("conformance/collapse-perf/perf-iperf-stacks-pidtid-01/input.txt", &n);
	char *want = fixture("conformance/collapse-perf/perf-iperf-stacks-pidtid-01/expected.tid.txt", &wn);
	REQUIRE(data && want);
	char *dir = check_tmpdir();
	char *plain = check_join(dir, "in.txt");
	char *gz = check_join(dir, "in.txt.gz");
	char *zst = check_join(dir, "in.txt.zst");
	REQUIRE(check_write_file(plain, data, n) == 0);
	gzFile g = gzopen(gz, "wb");
	REQUIRE(g);
	REQUIRE(gzwrite(g, data, (unsigned)n) == (int)n);
	REQUIRE(gzclose(g) == Z_OK);
	size_t zcap = ZSTD_compressBound(n);
	char *z = flame_xmalloc(zcap);
	size_t zl = ZSTD_compress(z, zcap, data, n, 1);
	REQUIRE(!ZSTD_isError(zl));
	REQUIRE(check_write_file(zst, z, zl) == 0);
	free(z);

	struct flame_read_opts opts;
	memset(&opts, 0, sizeof(opts));
	opts.include_tid = 1;
	const char *paths[] = { plain, gz, zst };
	for (int th = 1; th <= 2; th++)
		for (int p = 0; p < 3; p++)
			for (int fi = 0; fi < 2; fi++) {
				struct flame_reader_config cfg = {
					.format = fi ? &flame_format_perf : NULL,
					.opts = &opts,
					.nthreads = th,
					.chunk_size = SMALL_CHUNK,
				};
				struct flame_profile prof;
				flame_profile_init(&prof);
				struct flame_read_report rep;
				struct flame_error err = { 0 };
				int rc = flame_read_files(&paths[p], 1, &cfg, &prof, &rep, &err);
				if (rc != 0) {
					check_fail(__FILE__, __LINE__, "%s, %d threads: %s", paths[p], th, err.msg);
				} else {
					size_t dl;
					char *d = check_profile_dump(&prof, &dl);
					if (dl != wn || memcmp(d, want, wn) != 0)
						check_fail(__FILE__, __LINE__, "%s, %d threads, format %s: profile differs "
							   "from expected.tid.txt", paths[p], th, fi ? "perf" : "detected");
					free(d);
					CHECK_U64(rep.bytes, n);
					CHECK_U64(rep.lines, count_lines(data, n));
					CHECK_STR(rep.files[0], paths[p]);
					flame_read_report_release(&rep);
				}
				flame_profile_release(&prof);
			}

	/* all three at once: every stack three times */
	struct flame_reader_config cfg = { .opts = &opts, .nthreads = 2, .chunk_size = SMALL_CHUNK };
	struct flame_profile prof, one, three;
	flame_profile_init(&prof);
	struct flame_read_report rep;
	struct flame_error err = { 0 };
	REQUIRE(flame_read_files(paths, 3, &cfg, &prof, &rep, &err) == 0);
	CHECK_U64(rep.nfiles, 3);
	flame_read_report_release(&rep);
	flame_profile_init(&one);
	REQUIRE(flame_read_files(paths, 1, &cfg, &one, &rep, &err) == 0);
	flame_read_report_release(&rep);
	flame_profile_init(&three);
	for (int i = 0; i < 3; i++)
		flame_profile_merge(&three, &one);
	size_t l1, l2;
	char *d1 = check_profile_dump(&prof, &l1), *d2 = check_profile_dump(&three, &l2);
	CHECK_MEM(d1, l1, d2, l2);
	free(d1);
	free(d2);
	flame_profile_release(&prof);
	flame_profile_release(&one);
	flame_profile_release(&three);

	/* a missing file among others: an error naming it */
	char *missing = check_join(dir, "missing.txt");
	const char *paths2[] = { plain, missing };
	flame_profile_init(&prof);
	memset(&err, 0, sizeof(err));
	CHECK_U64(flame_read_files(paths2, 2, &cfg, &prof, &rep, &err), (uint64_t)-1);
	CHECK_CONTAINS(err.msg, missing);
	flame_profile_release(&prof);
	free(missing);

	free(plain);
	free(gz);
	free(zst);
	check_rmtree(dir);
	free(dir);
	free(data);
	free(want);
}

/* Plain (mapped) files read after compressed (streamed) ones, several
 * times over: memory in use must not grow from run to run.
 *
 * Known bug: feed_mapped() takes chunks from the free list with
 * chunk_get(r, 0) and points their data at the mapping, so a recycled chunk
 * that still owns a buffer (left there by a streamed file) loses it: with
 * the default chunk size, 2 * 2 MiB + 512 KiB leak per such chunk.
 * (Tiny chunk sizes hide it: chunk_put_locked() frees buffers over
 * 4 * chunk_size.)  AddressSanitizer's leak check reports it at exit;
 * without it, the heap is measured. */
static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd; /* big blocks are mapped, counted apart */
}

static void t_mixed_inputs_no_leak(void)
{
	size_t n;
	char *data = fixture("conformance/collapse-perf/example-perf-stacks/input.txt", &n);
	REQUIRE(data);
	char *dir = check_tmpdir();
	char *plain = check_join(dir, "in.txt");
	char *gz = check_join(dir, "in3.txt.gz");
	REQUIRE(check_write_file(plain, data, n) == 0);
	/* several default-sized chunks' worth of streamed input */
	gzFile g = gzopen(gz, "wb1");
	REQUIRE(g);
	for (int i = 0; i < 3; i++)
		REQUIRE(gzwrite(g, data, (unsigned)n) == (int)n);
	REQUIRE(gzclose(g) == Z_OK);
	const char *paths[] = { gz, plain, gz, plain };
	struct flame_reader_config cfg = { .nthreads = 1 };
	size_t before = 0;
	for (int round = 0; round < 6; round++) {
		if (round == 1)
			before = heap_in_use();
		struct flame_profile prof;
		flame_profile_init(&prof);
		struct flame_read_report rep;
		struct flame_error err = { 0 };
		int rc = flame_read_files(paths, 4, &cfg, &prof, &rep, &err);
		if (rc != 0) {
			check_fail(__FILE__, __LINE__, "round %d: %s", round, err.msg);
			flame_profile_release(&prof);
			break;
		}
		CHECK_U64(rep.bytes, 8 * (uint64_t)n);
		flame_read_report_release(&rep);
		flame_profile_release(&prof);
	}
	size_t after = heap_in_use();
	if (after > before + (1u << 20))
		check_fail(__FILE__, __LINE__, "memory in use grew by %zu bytes over 5 reads of the same files",
			   after - before);
	free(plain);
	free(gz);
	check_rmtree(dir);
	free(dir);
	free(data);
}

static const struct check_case cases[] = {
	{ "perf_example", t_perf_example },
	{ "perf_other_event", t_perf_other_event },
	{ "dtrace_example", t_dtrace_example },
	{ "perf_warning_positions", t_perf_warning_positions },
	{ "folded_scales_across_chunks", t_folded_scales_across_chunks },
	{ "folded_prefixes", t_folded_prefixes },
	{ "several_files", t_several_files },
	{ "empty_input", t_empty_input },
	{ "error_positions", t_error_positions },
	{ "error_positions_threads", t_error_positions_threads },
	{ "unrecognized", t_unrecognized },
	{ "detection_after_long_header", t_detection_after_long_header },
	{ "read_files", t_read_files },
	{ "mixed_inputs_no_leak", t_mixed_inputs_no_leak },
};

int main(int argc, char **argv)
{
	return CHECK_MAIN(argc, argv, cases);
}
