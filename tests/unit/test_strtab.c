/* Unit tests: core/strtab.c (interned frame names). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/strtab.h"

static void check_name(const struct flame_strtab *t, uint32_t id, const char *s, size_t n)
{
	size_t len = 0;
	const char *p = flame_strtab_name(t, id, &len);
	CHECK_MEM(p, len, s, n);
	CHECK(p[len] == '\0'); /* stored names are NUL-terminated */
}

static void t_same_bytes_same_id(void)
{
	struct flame_strtab t;
	flame_strtab_init(&t);
	uint32_t a = flame_strtab_intern(&t, "main", 4);
	uint32_t b = flame_strtab_intern(&t, "do_work", 7);
	/* a different buffer with the same bytes */
	char copy[] = "mainXYZ";
	uint32_t a2 = flame_strtab_intern(&t, copy, 4);
	CHECK_U64(a, 0);
	CHECK_U64(b, 1);
	CHECK_U64(a2, a);
	CHECK_U64(flame_strtab_count(&t), 2);
	CHECK_U64(t.bytes, 11);
	check_name(&t, a, "main", 4);
	check_name(&t, b, "do_work", 7);
	flame_strtab_release(&t);
}

static void t_distinct_ids(void)
{
	struct flame_strtab t;
	flame_strtab_init(&t);
	/* prefixes, case and the empty name are all different names */
	const char *names[] = { "", "a", "ab", "abc", "A", "abc ", " abc", "b" };
	size_t n = sizeof(names) / sizeof(names[0]);
	for (size_t i = 0; i < n; i++)
		CHECK_U64(flame_strtab_intern(&t, names[i], strlen(names[i])), i);
	for (size_t i = 0; i < n; i++) {
		CHECK_U64(flame_strtab_intern(&t, names[i], strlen(names[i])), i);
		CHECK_U64(flame_strtab_find(&t, names[i], strlen(names[i])), i);
		check_name(&t, (uint32_t)i, names[i], strlen(names[i]));
	}
	CHECK_U64(flame_strtab_count(&t), n);
	flame_strtab_release(&t);
}

static void t_find(void)
{
	struct flame_strtab t;
	flame_strtab_init(&t);
	CHECK_U64(flame_strtab_find(&t, "x", 1), UINT32_MAX);
	uint32_t x = flame_strtab_intern(&t, "x", 1);
	CHECK_U64(flame_strtab_find(&t, "x", 1), x);
	CHECK_U64(flame_strtab_find(&t, "xx", 2), UINT32_MAX);
	CHECK_U64(flame_strtab_find(&t, "", 0), UINT32_MAX);
	/* find never adds */
	CHECK_U64(flame_strtab_count(&t), 1);
	flame_strtab_release(&t);
}

static void t_nul_bytes_and_invalid_utf8(void)
{
	struct flame_strtab t;
	flame_strtab_init(&t);
	static const char a[] = { 'a', '\0', 'b' };
	static const char b[] = { 'a', '\0', 'c' };
	static const char c[] = { 'a', '\0' };
	static const char z[] = { '\0' };
	static const char bad1[] = { '\xff', '\xfe', 'x' };
	static const char bad2[] = { 'f', '\xc3' };          /* cut two-byte sequence */
	static const char bad3[] = { '\xed', '\xa0', '\x80' }; /* UTF-16 surrogate */
	uint32_t ia = flame_strtab_intern(&t, a, sizeof(a));
	uint32_t ib = flame_strtab_intern(&t, b, sizeof(b));
	uint32_t ic = flame_strtab_intern(&t, c, sizeof(c));
	uint32_t i1 = flame_strtab_intern(&t, "a", 1);
	uint32_t iz = flame_strtab_intern(&t, z, sizeof(z));
	uint32_t ie = flame_strtab_intern(&t, "", 0);
	uint32_t ibad1 = flame_strtab_intern(&t, bad1, sizeof(bad1));
	uint32_t ibad2 = flame_strtab_intern(&t, bad2, sizeof(bad2));
	uint32_t ibad3 = flame_strtab_intern(&t, bad3, sizeof(bad3));
	CHECK_U64(flame_strtab_count(&t), 9);
	CHECK(ia != ib && ia != ic && ia != i1 && ic != i1 && iz != ie);
	CHECK_U64(flame_strtab_intern(&t, a, sizeof(a)), ia);
	CHECK_U64(flame_strtab_intern(&t, z, sizeof(z)), iz);
	CHECK_U64(flame_strtab_intern(&t, bad1, sizeof(bad1)), ibad1);
	CHECK_U64(flame_strtab_intern(&t, bad2, sizeof(bad2)), ibad2);
	CHECK_U64(flame_strtab_intern(&t, bad3, sizeof(bad3)), ibad3);
	check_name(&t, ia, a, sizeof(a));
	check_name(&t, ib, b, sizeof(b));
	check_name(&t, ic, c, sizeof(c));
	check_name(&t, iz, z, sizeof(z));
	check_name(&t, ie, "", 0);
	check_name(&t, ibad1, bad1, sizeof(bad1));
	check_name(&t, ibad2, bad2, sizeof(bad2));
	check_name(&t, ibad3, bad3, sizeof(bad3));
	flame_strtab_release(&t);
}

static void t_many_names_rehash(void)
{
	struct flame_strtab t;
	flame_strtab_init(&t);
	size_t slots0 = t.index.nslots;
	const size_t n = 200000;
	char buf[64];
	const char *first = NULL;
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(buf, sizeof(buf), "frame_%zu::func", i);
		uint32_t id = flame_strtab_intern(&t, buf, (size_t)k);
		if (id != i) {
			CHECK_U64(id, i);
			break;
		}
		if (i == 0) {
			size_t l;
			first = flame_strtab_name(&t, 0, &l);
		}
	}
	CHECK_U64(flame_strtab_count(&t), n);
	CHECK(t.index.nslots > slots0);                  /* the table grew */
	CHECK((t.index.nslots & (t.index.nslots - 1)) == 0);   /* still a power of two */
	CHECK(t.nnames * 4 <= t.index.nslots * 3);       /* load factor kept at most 3/4 */
	/* names live in arena blocks that never move */
	size_t l0;
	CHECK(flame_strtab_name(&t, 0, &l0) == first);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		int k = snprintf(buf, sizeof(buf), "frame_%zu::func", i);
		size_t len;
		const char *p = flame_strtab_name(&t, (uint32_t)i, &len);
		if (flame_strtab_find(&t, buf, (size_t)k) != i || flame_strtab_intern(&t, buf, (size_t)k) != i ||
		    len != (size_t)k || memcmp(p, buf, len) != 0)
			bad++;
	}
	CHECK_U64(bad, 0);
	CHECK_U64(flame_strtab_count(&t), n); /* re-interning added nothing */
	flame_strtab_release(&t);
}

static void t_long_names(void)
{
	struct flame_strtab t;
	flame_strtab_init(&t);
	/* longer than an arena block, between small names */
	size_t big = 200 * 1024;
	char *s = malloc(big);
	REQUIRE(s);
	for (size_t i = 0; i < big; i++)
		s[i] = (char)('a' + i % 26);
	uint32_t small1 = flame_strtab_intern(&t, "before", 6);
	uint32_t id = flame_strtab_intern(&t, s, big);
	uint32_t id2 = flame_strtab_intern(&t, s, big - 1);
	uint32_t small2 = flame_strtab_intern(&t, "after", 5);
	CHECK(id != id2);
	CHECK_U64(flame_strtab_intern(&t, s, big), id);
	check_name(&t, id, s, big);
	check_name(&t, id2, s, big - 1);
	check_name(&t, small1, "before", 6);
	check_name(&t, small2, "after", 5);
	CHECK_U64(t.bytes, 6 + big + big - 1 + 5);
	free(s);
	flame_strtab_release(&t);
}

static void t_release_and_reuse(void)
{
	struct flame_strtab t;
	flame_strtab_init(&t);
	flame_strtab_intern(&t, "x", 1);
	flame_strtab_release(&t);
	CHECK_U64(t.nnames, 0);
	flame_strtab_init(&t);
	CHECK_U64(flame_strtab_intern(&t, "y", 1), 0);
	flame_strtab_release(&t);
}

static const struct check_case cases[] = {
	{ "same_bytes_same_id", t_same_bytes_same_id },
	{ "distinct_ids", t_distinct_ids },
	{ "find", t_find },
	{ "nul_bytes_and_invalid_utf8", t_nul_bytes_and_invalid_utf8 },
	{ "many_names_rehash", t_many_names_rehash },
	{ "long_names", t_long_names },
	{ "release_and_reuse", t_release_and_reuse },
};

int main(int argc, char **argv)
{
	return CHECK_MAIN(argc, argv, cases);
}
