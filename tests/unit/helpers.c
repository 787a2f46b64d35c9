#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#include "check.h"
#include "core/profile.h"
#include "core/util.h"

int check_failures;
const char *check_current = "";
static const char *fixtures_dir;

void check_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "FAIL [%s] %s:%d: ", check_current, file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	check_failures++;
}

static int is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int check_main(int argc, char **argv, const struct check_case *cases, size_t ncases)
{
	int first = 1;
	if (argc > 1 && is_dir(argv[1])) {
		fixtures_dir = argv[1];
		first = 2;
	}
	size_t ran = 0;
	int selected = 0;
	for (int a = first; a < argc; a++)
		if (strncmp(argv[a], "--exclude=", 10) != 0)
			selected = 1;
	for (size_t i = 0; i < ncases; i++) {
		int wanted = !selected, excluded = 0;
		for (int a = first; a < argc; a++) {
			if (strncmp(argv[a], "--exclude=", 10) == 0)
				excluded |= strcmp(argv[a] + 10, cases[i].name) == 0;
			else if (strcmp(argv[a], cases[i].name) == 0)
				wanted = 1;
		}
		if (!wanted || excluded)
			continue;
		int before = check_failures;
		check_current = cases[i].name;
		cases[i].fn();
		ran++;
		printf("%s %s\n", check_failures == before ? "ok  " : "FAIL", cases[i].name);
		fflush(stdout);
	}
	if (ran == 0) {
		fprintf(stderr, "no test case matched\n");
		return 2;
	}
	printf("%zu case%s, %d failed check%s\n", ran, ran == 1 ? "" : "s", check_failures,
	       check_failures == 1 ? "" : "s");
	return check_failures ? 1 : 0;
}

const char *check_fixtures(void)
{
	return fixtures_dir;
}

char *check_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = flame_xmalloc(a + b + 2);
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

char *check_fixture_path(const char *rel)
{
	return fixtures_dir ? check_join(fixtures_dir, rel) : NULL;
}

char *check_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	char *t = check_join(base, "flame-unit-XXXXXX");
	if (!mkdtemp(t)) {
		fprintf(stderr, "mkdtemp %s: %s\n", t, strerror(errno));
		abort();
	}
	return t;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void check_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *check_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct flame_buf b = FLAME_BUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		flame_buf_add(&b, tmp, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		flame_buf_release(&b);
		return NULL;
	}
	flame_buf_reserve(&b, 1);
	b.data[b.len] = '\0';
	*len = b.len;
	return b.data;
}

int check_write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = n ? fwrite(p, 1, n, f) : 0;
	int rc = fclose(f);
	return w == n && rc == 0 ? 0 : -1;
}

int check_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

struct dump_line {
	char *s;
	size_t stack_len, len;
};

static int cmp_dump(const void *a, const void *b)
{
	const struct dump_line *x = a, *y = b;
	size_t n = x->stack_len < y->stack_len ? x->stack_len : y->stack_len;
	int c = memcmp(x->s, y->s, n);
	if (c)
		return c;
	return x->stack_len < y->stack_len ? -1 : x->stack_len > y->stack_len;
}

char *check_profile_dump(const struct flame_profile *p, size_t *len)
{
	struct dump_line *lines = NULL;
	size_t nlines = 0, cap = 0;
	uint32_t *chain = flame_xmalloc((p->nnodes + 1) * sizeof(*chain));
	for (size_t n = 1; n < p->nnodes; n++) {
		const struct flame_node *nd = &p->nodes[n];
		if (!nd->self[0] && !nd->self[1])
			continue;
		size_t depth = 0;
		for (uint32_t a = (uint32_t)n; a != 0 && a != FLAME_NO_NODE; a = p->nodes[a].parent)
			chain[depth++] = a;
		struct flame_buf b = FLAME_BUF_INIT;
		for (size_t i = depth; i-- > 0;) {
			size_t l;
			const char *name = flame_strtab_name(&p->names, p->nodes[chain[i]].name, &l);
			flame_buf_add(&b, name, l);
			if (i)
				flame_buf_addc(&b, ';');
		}
		size_t stack_len = b.len;
		flame_buf_addc(&b, ' ');
		flame_format_weight(&b, nd->self[0], p->scale_digits);
		if (p->ncols == 2) {
			flame_buf_addc(&b, ' ');
			flame_format_weight(&b, nd->self[1], p->scale_digits);
		}
		flame_buf_addc(&b, '\n');
		FLAME_GROW(lines, cap, nlines + 1);
		lines[nlines++] = (struct dump_line){ b.data, stack_len, b.len };
	}
	free(chain);
	if (nlines)
		qsort(lines, nlines, sizeof(*lines), cmp_dump);
	struct flame_buf out = FLAME_BUF_INIT;
	for (size_t i = 0; i < nlines; i++) {
		flame_buf_add(&out, lines[i].s, lines[i].len);
		free(lines[i].s);
	}
	free(lines);
	flame_buf_reserve(&out, 1);
	out.data[out.len] = '\0';
	*len = out.len;
	return out.data;
}

uint64_t check_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ULL;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint32_t check_add_folded(struct flame_profile *p, const char *stack, uint64_t w0, uint64_t w1)
{
	uint32_t ids[64];
	size_t n = 0;
	const char *s = stack;
	for (;;) {
		const char *semi = strchr(s, ';');
		size_t len = semi ? (size_t)(semi - s) : strlen(s);
		CHECK(n < 64);
		ids[n++] = flame_strtab_intern(&p->names, s, len);
		if (!semi)
			break;
		s = semi + 1;
	}
	uint64_t w[2] = { w0, w1 };
	return flame_profile_add(p, ids, n, w);
}
