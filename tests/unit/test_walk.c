/* Unit tests: core/walk.c (stacks in trie order, sorted as texts, sorted as
 * flamegraph.pl sorts folded lines). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/profile.h"
#include "core/util.h"
#include "core/walk.h"


struct dump {
	const struct flame_profile *p;
	struct flame_buf b;
};

/* one "TEXT|" per stack; with FLAME_WALK_DEPTH, "DEPTH:NAME|" */
static int dump_text(void *ctx, uint32_t node, const char *text, size_t len)
{
	struct dump *d = ctx;
	(void)node;
	flame_buf_add(&d->b, text, len);
	flame_buf_addc(&d->b, '|');
	return 0;
}

static int dump_depth(void *ctx, uint32_t node, const char *text, size_t len)
{
	struct dump *d = ctx;
	size_t nl;
	const char *name = flame_strtab_name(&d->p->names, d->p->nodes[node].name, &nl);
	CHECK(text == NULL);
	flame_buf_add_u64(&d->b, len);
	flame_buf_addc(&d->b, ':');
	flame_buf_add(&d->b, name, nl);
	flame_buf_addc(&d->b, '|');
	return 0;
}

static void check_walk(const struct flame_profile *p, unsigned flags, const char *expected,
		       const char *file, int line)
{
	struct dump d = { p, FLAME_BUF_INIT };
	flame_profile_walk(p, NULL, flags, (flags & FLAME_WALK_DEPTH) ? dump_depth : dump_text, &d);
	flame_buf_reserve(&d.b, 0);
	if (strcmp(d.b.data, expected) != 0)
		check_fail(file, line, "walk gave %s, expected %s", d.b.data, expected);
	flame_buf_release(&d.b);
}
#define CHECK_WALK(p, flags, expected) check_walk((p), (flags), (expected), __FILE__, __LINE__)

static void t_sorted_texts(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	check_add_folded(&p, "a;x", 2, 0);
	check_add_folded(&p, "a.b;y", 1, 0);
	check_add_folded(&p, "a", 5, 0);
	check_add_folded(&p, "a-x", 1, 0);
	check_add_folded(&p, "a.b", 4, 0);
	/* "a" < "a-x" < "a.b" < "a.b;y" < "a;x": '-' < '.' < ';' */
	CHECK_WALK(&p, FLAME_WALK_SORTED, "a|a-x|a.b|a.b;y|a;x|");
	CHECK_WALK(&p, FLAME_WALK_SORTED | FLAME_WALK_DEPTH, "1:a|1:a-x|1:a.b|2:y|2:x|");
	flame_profile_release(&p);
}

static void t_perl_lines(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	check_add_folded(&p, "a", 5, 0);
	check_add_folded(&p, "a 1", 3, 0); /* a name with a space, as a line "a 1 3" */
	check_add_folded(&p, "a;k", 2, 0);
	check_add_folded(&p, "z", 0, 0); /* no weight, no children: still a line, "z 0" */
	check_add_folded(&p, "y;q", 1, 0);
	CHECK_WALK(&p, FLAME_WALK_SORTED, "a|a 1|a;k|y;q|");
	/* "a 1 3" < "a 5" < "a;k 2" < "y;q 1" < "z 0" */
	CHECK_WALK(&p, FLAME_WALK_SORTED | FLAME_WALK_PERL_LINES, "a 1|a|a;k|y;q|z|");
	CHECK_WALK(&p, FLAME_WALK_SORTED | FLAME_WALK_PERL_LINES | FLAME_WALK_DEPTH,
		   "1:a 1|1:a|2:k|2:q|1:z|");
	flame_profile_release(&p);
}

static void t_perl_lines_counts(void)
{
	/* the count is written as flame_format_weight() writes it */
	struct flame_profile p;
	flame_profile_init(&p);
	p.scale_digits = 1;
	check_add_folded(&p, "c", 15, 0);      /* "c 1.5" */
	check_add_folded(&p, "c 1.49", 10, 0); /* "c 1.49 1" */
	check_add_folded(&p, "c 1.6", 10, 0);  /* "c 1.6 1" */
	CHECK_WALK(&p, FLAME_WALK_SORTED, "c|c 1.49|c 1.6|");
	CHECK_WALK(&p, FLAME_WALK_SORTED | FLAME_WALK_PERL_LINES, "c 1.49|c|c 1.6|");
	flame_profile_release(&p);
	/* two columns: "TEXT C1 C2" */
	flame_profile_init(&p);
	p.ncols = 2;
	check_add_folded(&p, "b", 5, 6);     /* "b 5 6" */
	check_add_folded(&p, "b 5 7", 1, 1); /* "b 5 7 1 1" */
	check_add_folded(&p, "b 5 5", 1, 1); /* "b 5 5 1 1" */
	CHECK_WALK(&p, FLAME_WALK_SORTED | FLAME_WALK_PERL_LINES, "b 5 5|b|b 5 7|");
	flame_profile_release(&p);
}

static int stop_second(void *ctx, uint32_t node, const char *text, size_t len)
{
	int *n = ctx;
	(void)node;
	(void)text;
	(void)len;
	return ++*n == 2 ? 7 : 0;
}

static void t_stop(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	check_add_folded(&p, "a", 1, 0);
	check_add_folded(&p, "b", 1, 0);
	check_add_folded(&p, "c", 1, 0);
	int n = 0;
	CHECK_U64(flame_profile_walk(&p, NULL, FLAME_WALK_SORTED, stop_second, &n), 7);
	CHECK_U64(n, 2);
	flame_profile_release(&p);
}

static const struct check_case cases[] = {
	{ "sorted_texts", t_sorted_texts },
	{ "perl_lines", t_perl_lines },
	{ "perl_lines_counts", t_perl_lines_counts },
	{ "stop", t_stop },
};

int main(int argc, char **argv)
{
	return CHECK_MAIN(argc, argv, cases);
}
