/* Unit tests: core/profile.c (stack trie, weights, merge, rescale, formatting). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/profile.h"
#include "core/util.h"

static uint32_t name_id(struct flame_profile *p, const char *s)
{
	return flame_strtab_intern(&p->names, s, strlen(s));
}

/* Add "a;b;c" with weights w0, w1; returns the leaf. */

/* Node of "a;b;c" without creating anything, FLAME_NO_NODE if absent. */
static uint32_t find_path(struct flame_profile *p, const char *stack)
{
	uint32_t node = 0;
	const char *s = stack;
	for (;;) {
		const char *semi = strchr(s, ';');
		size_t len = semi ? (size_t)(semi - s) : strlen(s);
		uint32_t id = flame_strtab_find(&p->names, s, len);
		if (id == UINT32_MAX)
			return FLAME_NO_NODE;
		node = flame_profile_child(p, node, id, 0);
		if (node == FLAME_NO_NODE || !semi)
			return node;
		s = semi + 1;
	}
}

static void check_dump(const struct flame_profile *p, const char *expected, const char *file,
		       int line)
{
	size_t n;
	char *d = check_profile_dump(p, &n);
	if (strcmp(d, expected) != 0)
		check_fail(file, line, "profile is\n%s-- expected --\n%s--", d, expected);
	free(d);
}
#define CHECK_DUMP(p, expected) check_dump((p), (expected), __FILE__, __LINE__)

static char *fmt_weight(uint64_t w, int digits)
{
	struct flame_buf b = FLAME_BUF_INIT;
	flame_format_weight(&b, w, digits);
	flame_buf_reserve(&b, 0);
	return b.data;
}

static void t_init(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	CHECK_U64(p.nnodes, 1);
	CHECK_U64(p.nodes[0].parent, FLAME_NO_NODE);
	CHECK_U64(p.nodes[0].first_child, FLAME_NO_NODE);
	CHECK_U64(p.ncols, 1);
	CHECK_U64(p.scale_digits, 0);
	CHECK_U64(p.overflow, 0);
	CHECK_U64(p.nstacks, 0);
	CHECK_U64(flame_profile_total(&p, 0), 0);
	CHECK_DUMP(&p, "");
	flame_profile_release(&p);
}

static void t_add_and_lookup(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	uint32_t leaf1 = check_add_folded(&p, "main;work;compute", 5, 0);
	uint32_t mid = check_add_folded(&p, "main;work", 2, 0);
	uint32_t leaf2 = check_add_folded(&p, "main;work;compute", 1, 0);
	uint32_t other = check_add_folded(&p, "main;idle", 4, 0);
	CHECK_U64(leaf2, leaf1);
	CHECK_U64(p.nnodes, 5); /* root, main, work, compute, idle */
	CHECK_U64(p.nstacks, 4);
	CHECK_U64(p.nodes[leaf1].self[0], 6);
	CHECK_U64(p.nodes[mid].self[0], 2);
	CHECK_U64(p.nodes[other].self[0], 4);
	CHECK_U64(flame_profile_total(&p, 0), 12);
	CHECK_U64(flame_profile_total(&p, 1), 0);

	/* child lookup, without and with creation */
	uint32_t idmain = name_id(&p, "main"), idwork = name_id(&p, "work");
	uint32_t idcomp = name_id(&p, "compute");
	uint32_t nmain = flame_profile_child(&p, 0, idmain, 0);
	REQUIRE(nmain != FLAME_NO_NODE);
	CHECK_U64(flame_profile_child(&p, nmain, idwork, 0), mid);
	CHECK_U64(flame_profile_child(&p, mid, idcomp, 0), leaf1);
	CHECK_U64(flame_profile_child(&p, 0, idwork, 0), FLAME_NO_NODE); /* work is not a root */
	CHECK_U64(flame_profile_child(&p, leaf1, idmain, 0), FLAME_NO_NODE);
	CHECK_U64(p.nnodes, 5); /* lookups created nothing */
	uint32_t created = flame_profile_child(&p, leaf1, idmain, 1);
	CHECK(created != FLAME_NO_NODE);
	CHECK_U64(p.nnodes, 6);
	CHECK_U64(flame_profile_child(&p, leaf1, idmain, 0), created);
	CHECK_U64(flame_profile_child(&p, leaf1, idmain, 1), created);
	CHECK_U64(p.nodes[created].self[0], 0);

	/* parent links and the sibling list */
	CHECK_U64(p.nodes[leaf1].parent, mid);
	CHECK_U64(p.nodes[mid].parent, nmain);
	CHECK_U64(p.nodes[nmain].parent, 0);
	int saw_work = 0, saw_idle = 0, nkids = 0;
	for (uint32_t c = p.nodes[nmain].first_child; c != FLAME_NO_NODE; c = p.nodes[c].next_sibling) {
		nkids++;
		saw_work += c == mid;
		saw_idle += c == other;
	}
	CHECK_U64(nkids, 2);
	CHECK(saw_work == 1 && saw_idle == 1);
	CHECK_DUMP(&p, "main;idle 4\nmain;work 2\nmain;work;compute 6\n");
	flame_profile_release(&p);
}

static void t_same_name_different_parents(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	uint32_t a = check_add_folded(&p, "x;f", 1, 0);
	uint32_t b = check_add_folded(&p, "y;f", 2, 0);
	uint32_t c = check_add_folded(&p, "f", 3, 0);
	uint32_t d = check_add_folded(&p, "f;f;f", 4, 0);
	CHECK(a != b && a != c && b != c && d != c);
	CHECK_U64(p.nodes[a].name, p.nodes[b].name);
	CHECK_U64(find_path(&p, "f;f"), p.nodes[d].parent);
	CHECK_DUMP(&p, "f 3\nf;f;f 4\nx;f 1\ny;f 2\n");
	flame_profile_release(&p);
}

static void t_empty_stack(void)
{
	/* a stack of no frames lands on the root and is not a folded line */
	struct flame_profile p;
	flame_profile_init(&p);
	uint64_t w[2] = { 7, 0 };
	CHECK_U64(flame_profile_add(&p, NULL, 0, w), 0);
	CHECK_U64(p.nodes[0].self[0], 7);
	CHECK_U64(flame_profile_total(&p, 0), 7);
	CHECK_DUMP(&p, "");
	flame_profile_release(&p);
}

static void t_many_nodes_rehash(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	char buf[32];
	/* wide: 20000 children of one frame; deep: a chain of 5000 frames */
	uint32_t top = name_id(&p, "top");
	uint32_t ntop = flame_profile_child(&p, 0, top, 1);
	for (int i = 0; i < 20000; i++) {
		int k = snprintf(buf, sizeof(buf), "c%d", i);
		uint32_t ids[2] = { top, flame_strtab_intern(&p.names, buf, (size_t)k) };
		uint64_t w[2] = { (uint64_t)i + 1, 0 };
		flame_profile_add(&p, ids, 2, w);
	}
	uint32_t *chain = malloc(5000 * sizeof(*chain));
	REQUIRE(chain);
	for (int i = 0; i < 5000; i++) {
		int k = snprintf(buf, sizeof(buf), "d%d", i % 7);
		chain[i] = flame_strtab_intern(&p.names, buf, (size_t)k);
	}
	uint64_t w1[2] = { 3, 0 };
	uint32_t deep = flame_profile_add(&p, chain, 5000, w1);
	CHECK_U64(p.nnodes, 1 + 1 + 20000 + 5000);
	size_t bad = 0;
	for (int i = 0; i < 20000; i++) {
		int k = snprintf(buf, sizeof(buf), "c%d", i);
		uint32_t id = flame_strtab_find(&p.names, buf, (size_t)k);
		uint32_t n = flame_profile_child(&p, ntop, id, 0);
		if (n == FLAME_NO_NODE || p.nodes[n].self[0] != (uint64_t)i + 1)
			bad++;
	}
	CHECK_U64(bad, 0);
	uint32_t node = 0;
	for (int i = 0; i < 5000 && node != FLAME_NO_NODE; i++)
		node = flame_profile_child(&p, node, chain[i], 0);
	CHECK_U64(node, deep);
	CHECK_U64(p.nodes[deep].self[0], 3);
	/* adding the same stacks again creates no nodes */
	size_t nn = p.nnodes;
	CHECK_U64(flame_profile_add(&p, chain, 5000, w1), deep);
	CHECK_U64(p.nnodes, nn);
	CHECK_U64(p.nodes[deep].self[0], 6);
	CHECK_U64(flame_profile_total(&p, 0), 20000ULL * 20001 / 2 + 6);
	free(chain);
	flame_profile_release(&p);
}

static void t_fan_out_growth(void)
{
	/* a parent gaining children one by one: after each addition every
	 * child is still found (whatever lookup structure is used at that size) */
	struct flame_profile p;
	flame_profile_init(&p);
	uint32_t parent = flame_profile_child(&p, 0, name_id(&p, "parent"), 1);
	uint32_t kids[300];
	char buf[32];
	size_t bad = 0;
	for (int k = 0; k < 300; k++) {
		int len = snprintf(buf, sizeof(buf), "kid%d", k);
		uint32_t id = flame_strtab_intern(&p.names, buf, (size_t)len);
		kids[k] = flame_profile_child(&p, parent, id, 1);
		/* a sibling elsewhere with the same name is another node */
		uint32_t other = flame_profile_child(&p, 0, id, 1);
		if (other == kids[k])
			bad++;
		for (int j = 0; j <= k; j++) {
			len = snprintf(buf, sizeof(buf), "kid%d", j);
			uint32_t jid = flame_strtab_find(&p.names, buf, (size_t)len);
			if (flame_profile_child(&p, parent, jid, 0) != kids[j] ||
			    flame_profile_child(&p, parent, jid, 1) != kids[j])
				bad++;
		}
	}
	CHECK_U64(bad, 0);
	CHECK_U64(p.nnodes, 1 + 1 + 300 + 300);
	int n = 0;
	for (uint32_t c = p.nodes[parent].first_child; c != FLAME_NO_NODE; c = p.nodes[c].next_sibling)
		n++;
	CHECK_U64(n, 300);
	flame_profile_release(&p);
}

static void t_two_columns(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	p.ncols = 2;
	uint32_t a = check_add_folded(&p, "a;b", 3, 7);
	check_add_folded(&p, "a;b", 1, 0);
	check_add_folded(&p, "a", 0, 5);
	check_add_folded(&p, "c", 2, 0);
	CHECK_U64(p.nodes[a].self[0], 4);
	CHECK_U64(p.nodes[a].self[1], 7);
	CHECK_U64(flame_profile_total(&p, 0), 6);
	CHECK_U64(flame_profile_total(&p, 1), 12);
	/* a stack weighing 0 in both columns is not a line */
	check_add_folded(&p, "zero", 0, 0);
	CHECK_DUMP(&p, "a 0 5\na;b 4 7\nc 2 0\n");
	flame_profile_release(&p);
}

static void t_saturation(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	uint32_t a = check_add_folded(&p, "a", UINT64_MAX - 1, 0);
	check_add_folded(&p, "a", 1, 0);
	CHECK_U64(p.nodes[a].self[0], UINT64_MAX); /* exactly the maximum: no overflow */
	CHECK_U64(p.overflow, 0);
	check_add_folded(&p, "a", 1, 0);
	CHECK_U64(p.nodes[a].self[0], UINT64_MAX); /* saturated, not wrapped */
	CHECK_U64(p.overflow, 1);
	flame_profile_release(&p);

	/* the second column saturates on its own */
	flame_profile_init(&p);
	uint32_t b = check_add_folded(&p, "b", 5, UINT64_MAX);
	uint64_t w[2] = { 5, 10 };
	flame_profile_add_weight(&p, b, w);
	CHECK_U64(p.nodes[b].self[0], 10);
	CHECK_U64(p.nodes[b].self[1], UINT64_MAX);
	CHECK_U64(p.overflow, 1);
	flame_profile_release(&p);

	/* totals over 2^64 saturate too */
	flame_profile_init(&p);
	check_add_folded(&p, "x", UINT64_MAX / 2 + 1, 0);
	check_add_folded(&p, "y", UINT64_MAX / 2 + 1, 0);
	CHECK_U64(p.overflow, 0);
	CHECK_U64(flame_profile_total(&p, 0), UINT64_MAX);
	flame_profile_release(&p);
}

static void t_rescale(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	check_add_folded(&p, "a;b", 125, 0);
	check_add_folded(&p, "c", 3, 4);
	flame_profile_rescale(&p, 2);
	CHECK_U64(p.scale_digits, 2);
	CHECK_U64(p.nodes[find_path(&p, "a;b")].self[0], 12500);
	CHECK_U64(p.nodes[find_path(&p, "c")].self[1], 400);
	CHECK_U64(p.overflow, 0);
	/* never lowers the scale */
	flame_profile_rescale(&p, 1);
	CHECK_U64(p.scale_digits, 2);
	CHECK_U64(p.nodes[find_path(&p, "a;b")].self[0], 12500);
	flame_profile_rescale(&p, 2);
	CHECK_U64(p.nodes[find_path(&p, "a;b")].self[0], 12500);
	flame_profile_rescale(&p, 5);
	CHECK_U64(p.scale_digits, 5);
	CHECK_U64(p.nodes[find_path(&p, "a;b")].self[0], 12500000);
	CHECK_U64(p.overflow, 0);
	flame_profile_release(&p);

	/* rescaling a weight past 2^64 saturates it and flags the profile */
	flame_profile_init(&p);
	check_add_folded(&p, "big", UINT64_MAX / 10 + 1, 0);
	check_add_folded(&p, "small", 2, 0);
	flame_profile_rescale(&p, 1);
	CHECK_U64(p.nodes[find_path(&p, "big")].self[0], UINT64_MAX);
	CHECK_U64(p.nodes[find_path(&p, "small")].self[0], 20);
	CHECK_U64(p.overflow, 1);
	flame_profile_release(&p);

	/* the full range: 0 -> 9 digits */
	flame_profile_init(&p);
	check_add_folded(&p, "one", 1, 0);
	flame_profile_rescale(&p, FLAME_MAX_SCALE_DIGITS);
	CHECK_U64(p.nodes[find_path(&p, "one")].self[0], 1000000000ULL);
	CHECK_U64(p.overflow, 0);
	flame_profile_release(&p);
}

static void t_merge_same_scale(void)
{
	struct flame_profile dst, src;
	flame_profile_init(&dst);
	flame_profile_init(&src);
	check_add_folded(&dst, "main;a", 1, 0);
	check_add_folded(&dst, "main", 2, 0);
	/* src interns the names in another order, so its ids differ */
	check_add_folded(&src, "x;y", 10, 0);
	check_add_folded(&src, "main;a", 4, 0);
	check_add_folded(&src, "main;b", 5, 0);
	CHECK(name_id(&src, "main") != name_id(&dst, "main"));
	flame_profile_merge(&dst, &src);
	CHECK_DUMP(&dst, "main 2\nmain;a 5\nmain;b 5\nx;y 10\n");
	CHECK_U64(dst.nstacks, 5);
	CHECK_U64(dst.scale_digits, 0);
	CHECK_U64(dst.ncols, 1);
	CHECK_U64(dst.overflow, 0);
	/* src is untouched */
	CHECK_DUMP(&src, "main;a 4\nmain;b 5\nx;y 10\n");
	flame_profile_release(&src);
	flame_profile_release(&dst);
}

static void t_merge_into_empty(void)
{
	struct flame_profile dst, src;
	flame_profile_init(&dst);
	flame_profile_init(&src);
	check_add_folded(&src, "a;b;c", 1, 0);
	check_add_folded(&src, "a;b", 2, 0);
	check_add_folded(&src, "d", 3, 0);
	flame_profile_merge(&dst, &src);
	size_t n1, n2;
	char *d1 = check_profile_dump(&dst, &n1);
	char *d2 = check_profile_dump(&src, &n2);
	CHECK_STR(d1, d2);
	free(d1);
	free(d2);
	CHECK_U64(dst.nnodes, src.nnodes);
	/* merging an empty profile changes nothing */
	struct flame_profile empty;
	flame_profile_init(&empty);
	flame_profile_merge(&dst, &empty);
	CHECK_DUMP(&dst, "a;b 2\na;b;c 1\nd 3\n");
	flame_profile_release(&empty);
	flame_profile_release(&src);
	flame_profile_release(&dst);
}

static void t_merge_scales(void)
{
	/* dst coarser than src: dst is rescaled */
	struct flame_profile dst, src;
	flame_profile_init(&dst);
	flame_profile_init(&src);
	check_add_folded(&dst, "a;b", 3, 0);
	src.scale_digits = 2;
	check_add_folded(&src, "a;b", 125, 0); /* 1.25 */
	check_add_folded(&src, "x", 50, 0);    /* 0.5 */
	flame_profile_merge(&dst, &src);
	CHECK_U64(dst.scale_digits, 2);
	CHECK_U64(dst.nodes[find_path(&dst, "a;b")].self[0], 425);
	CHECK_U64(dst.nodes[find_path(&dst, "x")].self[0], 50);
	CHECK_DUMP(&dst, "a;b 4.25\nx 0.5\n");
	flame_profile_release(&src);
	flame_profile_release(&dst);

	/* dst finer than src: src's weights are scaled up on the way in */
	flame_profile_init(&dst);
	flame_profile_init(&src);
	dst.scale_digits = 3;
	check_add_folded(&dst, "a", 1500, 0); /* 1.5 */
	check_add_folded(&src, "a", 2, 0);
	check_add_folded(&src, "b", 7, 0);
	flame_profile_merge(&dst, &src);
	CHECK_U64(dst.scale_digits, 3);
	CHECK_U64(dst.nodes[find_path(&dst, "a")].self[0], 3500);
	CHECK_U64(dst.nodes[find_path(&dst, "b")].self[0], 7000);
	CHECK_DUMP(&dst, "a 3.5\nb 7\n");
	CHECK_U64(src.scale_digits, 0);
	CHECK_U64(src.nodes[find_path(&src, "b")].self[0], 7);
	flame_profile_release(&src);
	flame_profile_release(&dst);

	/* scaling src up past 2^64 saturates and flags dst */
	flame_profile_init(&dst);
	flame_profile_init(&src);
	dst.scale_digits = 3;
	check_add_folded(&src, "huge", UINT64_MAX / 100, 0);
	flame_profile_merge(&dst, &src);
	CHECK_U64(dst.nodes[find_path(&dst, "huge")].self[0], UINT64_MAX);
	CHECK_U64(dst.overflow, 1);
	flame_profile_release(&src);
	flame_profile_release(&dst);
}

static void t_merge_columns_and_flags(void)
{
	struct flame_profile dst, src;
	flame_profile_init(&dst);
	flame_profile_init(&src);
	check_add_folded(&dst, "a", 1, 0);
	src.ncols = 2;
	check_add_folded(&src, "a", 2, 3);
	src.overflow = 1;
	flame_profile_merge(&dst, &src);
	CHECK_U64(dst.ncols, 2);
	CHECK_U64(dst.overflow, 1);
	CHECK_DUMP(&dst, "a 3 3\n");
	flame_profile_release(&src);
	flame_profile_release(&dst);

	/* a merge that sums past 2^64 saturates */
	flame_profile_init(&dst);
	flame_profile_init(&src);
	check_add_folded(&dst, "a", UINT64_MAX - 1, 0);
	check_add_folded(&src, "a", 2, 0);
	flame_profile_merge(&dst, &src);
	CHECK_U64(dst.nodes[find_path(&dst, "a")].self[0], UINT64_MAX);
	CHECK_U64(dst.overflow, 1);
	flame_profile_release(&src);
	flame_profile_release(&dst);
}

static void t_merge_many(void)
{
	/* merging k profiles equals adding all their stacks to one */
	struct flame_profile all, dst;
	flame_profile_init(&all);
	flame_profile_init(&dst);
	uint64_t seed = 42;
	char stack[128];
	for (int k = 0; k < 4; k++) {
		struct flame_profile part;
		flame_profile_init(&part);
		for (int i = 0; i < 3000; i++) {
			uint64_t r = check_rand(&seed);
			snprintf(stack, sizeof(stack), "root;f%d;g%d;h%d", (int)(r % 13), (int)(r >> 8) % 17,
				 (int)(r >> 16) % 29);
			uint64_t w = (r >> 32) % 1000;
			check_add_folded(&part, stack, w, 0);
			check_add_folded(&all, stack, w, 0);
		}
		flame_profile_merge(&dst, &part);
		flame_profile_release(&part);
	}
	size_t n1, n2;
	char *d1 = check_profile_dump(&dst, &n1);
	char *d2 = check_profile_dump(&all, &n2);
	CHECK_MEM(d1, n1, d2, n2);
	CHECK_U64(dst.nstacks, all.nstacks);
	CHECK_U64(flame_profile_total(&dst, 0), flame_profile_total(&all, 0));
	free(d1);
	free(d2);
	flame_profile_release(&dst);
	flame_profile_release(&all);
}

static void t_merge_consume(void)
{
	/* a consuming merge (src's pages dropped as they are read: enough
	 * nodes for several rounds) equals the plain one and leaves src empty */
	struct flame_profile a, b, src, copy;
	flame_profile_init(&a);
	flame_profile_init(&b);
	flame_profile_init(&src);
	flame_profile_init(&copy);
	uint64_t seed = 7;
	char stack[128];
	for (int i = 0; i < 150000; i++) {
		uint64_t r = check_rand(&seed);
		snprintf(stack, sizeof(stack), "root;f%d;g%d;h%d;i%d", (int)(r % 13), (int)(r >> 8) % 97,
			 (int)(r >> 16) % 89, (int)(r >> 24) % 83);
		check_add_folded(&src, stack, 1 + (r >> 40) % 1000, 0);
		check_add_folded(&copy, stack, 1 + (r >> 40) % 1000, 0);
		if (i % 3 == 0) {
			check_add_folded(&a, stack, 5, 0);
			check_add_folded(&b, stack, 5, 0);
		}
	}
	CHECK(src.nnodes > 2 * 65536);
	flame_profile_merge(&a, &copy);
	flame_profile_merge_consume(&b, &src);
	size_t n1, n2;
	char *d1 = check_profile_dump(&a, &n1);
	char *d2 = check_profile_dump(&b, &n2);
	CHECK_MEM(d1, n1, d2, n2);
	CHECK_U64(a.nstacks, b.nstacks);
	CHECK_U64(src.nnodes, 1);
	CHECK_U64(src.nstacks, 0);
	free(d1);
	free(d2);
	flame_profile_release(&a);
	flame_profile_release(&b);
	flame_profile_release(&src);
	flame_profile_release(&copy);
}

static void t_format_weight(void)
{
	static const struct {
		uint64_t w;
		int digits;
		const char *text;
	} cases[] = {
		{ 1250, 2, "12.5" },
		{ 0, 0, "0" },
		{ 0, 2, "0" },
		{ 0, 9, "0" },
		{ 5, 0, "5" },
		{ 100, 2, "1" },
		{ 1205, 2, "12.05" },
		{ 1201, 2, "12.01" },
		{ 7, 3, "0.007" },
		{ 70, 3, "0.07" },
		{ 1, 9, "0.000000001" },
		{ 1000000000, 9, "1" },
		{ 123456789012ULL, 0, "123456789012" },
		{ UINT64_MAX, 0, "18446744073709551615" },
		{ UINT64_MAX, 9, "18446744073.709551615" },
		{ UINT64_MAX, 1, "1844674407370955161.5" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = fmt_weight(cases[i].w, cases[i].digits);
		if (strcmp(s, cases[i].text) != 0)
			check_fail(__FILE__, __LINE__, "flame_format_weight(%llu, %d) = \"%s\", expected \"%s\"",
				   (unsigned long long)cases[i].w, cases[i].digits, s, cases[i].text);
		free(s);
	}
	/* appends to what the buffer holds */
	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_adds(&b, "stack ");
	flame_format_weight(&b, 250, 1);
	CHECK_STR(b.data, "stack 25");
	flame_buf_release(&b);
}

static const struct check_case cases[] = {
	{ "init", t_init },
	{ "add_and_lookup", t_add_and_lookup },
	{ "same_name_different_parents", t_same_name_different_parents },
	{ "empty_stack", t_empty_stack },
	{ "many_nodes_rehash", t_many_nodes_rehash },
	{ "fan_out_growth", t_fan_out_growth },
	{ "two_columns", t_two_columns },
	{ "saturation", t_saturation },
	{ "rescale", t_rescale },
	{ "merge_same_scale", t_merge_same_scale },
	{ "merge_into_empty", t_merge_into_empty },
	{ "merge_scales", t_merge_scales },
	{ "merge_columns_and_flags", t_merge_columns_and_flags },
	{ "merge_many", t_merge_many },
	{ "merge_consume", t_merge_consume },
	{ "format_weight", t_format_weight },
};

int main(int argc, char **argv)
{
	return CHECK_MAIN(argc, argv, cases);
}
