/* Unit tests: core/diag.c (data-quality notes) and flame_quote(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/diag.h"
#include "core/error.h"

static void add(struct flame_diag *d, enum flame_diag_kind k, uint64_t chunk, uint64_t line)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "c%llu l%llu", (unsigned long long)chunk,
			 (unsigned long long)line);
	flame_diag_add(d, k, chunk, line, "what", text, (size_t)n);
}

/* The example i of kind k is at (chunk, line) and carries its own text. */
static void check_ex(const struct flame_diag *d, enum flame_diag_kind k, int i, uint64_t chunk,
		     uint64_t line, const char *file, int ln)
{
	if (i >= d->nex[k]) {
		check_fail(file, ln, "kind %d has %d examples, wanted #%d", (int)k, d->nex[k], i);
		return;
	}
	const struct flame_diag_example *e = &d->ex[k][i];
	char want[96];
	snprintf(want, sizeof(want), "what: 'c%llu l%llu'", (unsigned long long)chunk,
		 (unsigned long long)line);
	if (e->chunk != chunk || e->line != line || strcmp(e->text, want) != 0)
		check_fail(file, ln, "example %d of kind %d is (%llu, %llu, \"%s\"), expected (%llu, %llu, \"%s\")",
			   i, (int)k, (unsigned long long)e->chunk, (unsigned long long)e->line, e->text,
			   (unsigned long long)chunk, (unsigned long long)line, want);
}
#define CHECK_EX(d, k, i, chunk, line) check_ex((d), (k), (i), (chunk), (line), __FILE__, __LINE__)

static void t_add_keeps_first_examples(void)
{
	struct flame_diag d;
	flame_diag_init(&d);
	for (uint64_t i = 1; i <= 5; i++)
		add(&d, FLAME_DIAG_WEIRD_STACK, 0, i * 10);
	CHECK_U64(d.count[FLAME_DIAG_WEIRD_STACK], 5);
	CHECK_U64(d.nex[FLAME_DIAG_WEIRD_STACK], FLAME_DIAG_KEEP);
	CHECK_EX(&d, FLAME_DIAG_WEIRD_STACK, 0, 0, 10);
	CHECK_EX(&d, FLAME_DIAG_WEIRD_STACK, 1, 0, 20);
	CHECK_EX(&d, FLAME_DIAG_WEIRD_STACK, 2, 0, 30);
	/* other kinds untouched */
	CHECK_U64(d.count[FLAME_DIAG_WEIRD_EVENT], 0);
	CHECK_U64(d.nex[FLAME_DIAG_WEIRD_EVENT], 0);
	flame_diag_release(&d);
}

static void t_add_quotes_text(void)
{
	struct flame_diag d;
	flame_diag_init(&d);
	flame_diag_add(&d, FLAME_DIAG_WEIRD_EVENT, 0, 1, "weird", "\tab\x01\x7f", 5);
	char big[400];
	memset(big, 'x', sizeof(big));
	flame_diag_add(&d, FLAME_DIAG_WEIRD_EVENT, 0, 2, "long", big, sizeof(big));
	flame_diag_add(&d, FLAME_DIAG_WEIRD_EVENT, 0, 3, "empty", "", 0);
	REQUIRE(d.nex[FLAME_DIAG_WEIRD_EVENT] == 3);
	CHECK_STR(d.ex[FLAME_DIAG_WEIRD_EVENT][0].text, "weird: '\\x09ab\\x01\\x7f'");
	const char *t = d.ex[FLAME_DIAG_WEIRD_EVENT][1].text;
	CHECK(strncmp(t, "long: 'xxxx", 11) == 0);
	CHECK(strlen(t) < 200); /* the quote is cut ... */
	CHECK(strstr(t, "...'") != NULL); /* ... and says so */
	CHECK_STR(d.ex[FLAME_DIAG_WEIRD_EVENT][2].text, "empty: ''");
	flame_diag_release(&d);
}

static void t_merge_keeps_earliest(void)
{
	struct flame_diag dst, src;
	flame_diag_init(&dst);
	flame_diag_init(&src);
	add(&dst, FLAME_DIAG_WEIRD_STACK, 2, 5);
	add(&dst, FLAME_DIAG_WEIRD_STACK, 3, 1);
	add(&dst, FLAME_DIAG_WEIRD_STACK, 4, 1);
	add(&dst, FLAME_DIAG_WEIRD_STACK, 4, 2); /* counted, not kept */
	add(&src, FLAME_DIAG_WEIRD_STACK, 0, 7);
	add(&src, FLAME_DIAG_WEIRD_STACK, 2, 4);
	add(&src, FLAME_DIAG_WEIRD_STACK, 5, 0);
	flame_diag_merge(&dst, &src);
	CHECK_U64(dst.count[FLAME_DIAG_WEIRD_STACK], 7);
	CHECK_U64(dst.nex[FLAME_DIAG_WEIRD_STACK], 3);
	/* ordered by chunk first, then line */
	CHECK_EX(&dst, FLAME_DIAG_WEIRD_STACK, 0, 0, 7);
	CHECK_EX(&dst, FLAME_DIAG_WEIRD_STACK, 1, 2, 4);
	CHECK_EX(&dst, FLAME_DIAG_WEIRD_STACK, 2, 2, 5);
	/* src gave everything away */
	CHECK_U64(src.count[FLAME_DIAG_WEIRD_STACK], 0);
	CHECK_U64(src.nex[FLAME_DIAG_WEIRD_STACK], 0);
	flame_diag_release(&src);
	flame_diag_release(&dst);
}

static void t_merge_src_later(void)
{
	/* all of src comes after dst's examples: dst keeps its own */
	struct flame_diag dst, src;
	flame_diag_init(&dst);
	flame_diag_init(&src);
	add(&dst, FLAME_DIAG_BAD_FOLDED, 1, 1);
	add(&dst, FLAME_DIAG_BAD_FOLDED, 1, 2);
	add(&src, FLAME_DIAG_BAD_FOLDED, 9, 1);
	add(&src, FLAME_DIAG_BAD_FOLDED, 9, 2);
	flame_diag_merge(&dst, &src);
	CHECK_U64(dst.count[FLAME_DIAG_BAD_FOLDED], 4);
	CHECK_U64(dst.nex[FLAME_DIAG_BAD_FOLDED], 3);
	CHECK_EX(&dst, FLAME_DIAG_BAD_FOLDED, 0, 1, 1);
	CHECK_EX(&dst, FLAME_DIAG_BAD_FOLDED, 1, 1, 2);
	CHECK_EX(&dst, FLAME_DIAG_BAD_FOLDED, 2, 9, 1);
	flame_diag_release(&src);
	flame_diag_release(&dst);
}

static void t_merge_kinds_independent(void)
{
	struct flame_diag dst, src;
	flame_diag_init(&dst);
	flame_diag_init(&src);
	add(&dst, FLAME_DIAG_WEIRD_EVENT, 1, 1);
	add(&src, FLAME_DIAG_WEIRD_STACK, 0, 3);
	add(&src, FLAME_DIAG_OTHER_EVENT, 0, 4);
	add(&src, FLAME_DIAG_OTHER_EVENT, 0, 5);
	flame_diag_merge(&dst, &src);
	CHECK_U64(dst.count[FLAME_DIAG_WEIRD_EVENT], 1);
	CHECK_U64(dst.count[FLAME_DIAG_WEIRD_STACK], 1);
	CHECK_U64(dst.count[FLAME_DIAG_OTHER_EVENT], 2);
	CHECK_U64(dst.count[FLAME_DIAG_BAD_DTRACE], 0);
	CHECK_EX(&dst, FLAME_DIAG_WEIRD_EVENT, 0, 1, 1);
	CHECK_EX(&dst, FLAME_DIAG_WEIRD_STACK, 0, 0, 3);
	CHECK_EX(&dst, FLAME_DIAG_OTHER_EVENT, 0, 0, 4);
	CHECK_EX(&dst, FLAME_DIAG_OTHER_EVENT, 1, 0, 5);
	CHECK_U64(dst.nex[FLAME_DIAG_BAD_DTRACE], 0);
	flame_diag_release(&src);
	flame_diag_release(&dst);
}

static void t_merge_many_workers(void)
{
	/* like the reader: several workers' notes merged in turn, in any order */
	struct flame_diag dst;
	flame_diag_init(&dst);
	struct flame_diag w[4];
	for (int i = 0; i < 4; i++) {
		flame_diag_init(&w[i]);
		/* worker i parsed chunks i, i+4, i+8 */
		for (uint64_t c = (uint64_t)i; c < 12; c += 4)
			for (uint64_t l = 1; l <= 2; l++)
				add(&w[i], FLAME_DIAG_WEIRD_STACK, c, l);
	}
	int order[4] = { 2, 0, 3, 1 };
	for (int i = 0; i < 4; i++) {
		flame_diag_merge(&dst, &w[order[i]]);
		flame_diag_release(&w[order[i]]);
	}
	CHECK_U64(dst.count[FLAME_DIAG_WEIRD_STACK], 24);
	CHECK_EX(&dst, FLAME_DIAG_WEIRD_STACK, 0, 0, 1);
	CHECK_EX(&dst, FLAME_DIAG_WEIRD_STACK, 1, 0, 2);
	CHECK_EX(&dst, FLAME_DIAG_WEIRD_STACK, 2, 1, 1);
	flame_diag_release(&dst);
}

static void t_kind_names(void)
{
	CHECK_STR(flame_diag_kind_name(FLAME_DIAG_WEIRD_EVENT), "weird event line");
	CHECK_STR(flame_diag_kind_name(FLAME_DIAG_WEIRD_STACK), "weird stack line");
	for (int k = 0; k < FLAME_DIAG_NKINDS; k++)
		CHECK(flame_diag_kind_name((enum flame_diag_kind)k) != NULL);
	CHECK(flame_diag_kind_is_note(FLAME_DIAG_OTHER_EVENT));
	CHECK(!flame_diag_kind_is_note(FLAME_DIAG_WEIRD_STACK));
	CHECK(!flame_diag_kind_is_note(FLAME_DIAG_WEIRD_EVENT));
	CHECK(!flame_diag_kind_is_note(FLAME_DIAG_BAD_DTRACE));
}

static void t_quote(void)
{
	char out[64];
	flame_quote(out, sizeof(out), "plain", 5, 100);
	CHECK_STR(out, "plain");
	flame_quote(out, sizeof(out), "a\nb\x1b", 4, 100);
	CHECK_STR(out, "a\\x0ab\\x1b");
	flame_quote(out, sizeof(out), "abcdefgh", 8, 4);
	CHECK_STR(out, "abcd...");
	/* never writes past outsz, always terminated */
	char small[8];
	memset(small, 'Z', sizeof(small));
	flame_quote(small, sizeof(small), "0123456789", 10, 100);
	CHECK(memchr(small, '\0', sizeof(small)) != NULL);
	CHECK(strncmp(small, "012", 3) == 0);
	/* high bytes (UTF-8) pass through */
	flame_quote(out, sizeof(out), "caf\xc3\xa9", 5, 100);
	CHECK_STR(out, "caf\xc3\xa9");
}

static void t_error_set(void)
{
	struct flame_error err = { 0 };
	CHECK_U64(flame_error_set(&err, FLAME_ERR_DATA, "in.txt", 12, "bad %s", "thing"), (uint64_t)-1);
	CHECK_U64(err.kind, FLAME_ERR_DATA);
	CHECK_STR(err.msg, "in.txt:12: bad thing");
	flame_error_set(&err, FLAME_ERR_IO, "in.txt", 0, "cannot open");
	CHECK_STR(err.msg, "in.txt: cannot open");
	flame_error_set(&err, FLAME_ERR_USAGE, NULL, 0, "plain");
	CHECK_STR(err.msg, "plain");
	CHECK_U64(err.kind, FLAME_ERR_USAGE);
	/* a NULL error is allowed */
	CHECK_U64(flame_error_set(NULL, FLAME_ERR_DATA, NULL, 0, "x"), (uint64_t)-1);
	/* long messages are cut, not overflowed */
	char name[2000];
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	flame_error_set(&err, FLAME_ERR_IO, name, 5, "tail");
	CHECK(strlen(err.msg) < sizeof(err.msg));
}

static const struct check_case cases[] = {
	{ "add_keeps_first_examples", t_add_keeps_first_examples },
	{ "add_quotes_text", t_add_quotes_text },
	{ "merge_keeps_earliest", t_merge_keeps_earliest },
	{ "merge_src_later", t_merge_src_later },
	{ "merge_kinds_independent", t_merge_kinds_independent },
	{ "merge_many_workers", t_merge_many_workers },
	{ "kind_names", t_kind_names },
	{ "quote", t_quote },
	{ "error_set", t_error_set },
};

int main(int argc, char **argv)
{
	return CHECK_MAIN(argc, argv, cases);
}
