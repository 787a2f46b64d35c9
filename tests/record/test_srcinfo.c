/*
 * test_srcinfo.c - the DWARF inline chains of core/record/srcinfo.h and the
 * symbolizer's file addresses, on the inline workload.
 *
 * usage: unit_srcinfo PATH/flame-test-inline PATH/inline.c
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record/srcinfo.h"
#include "core/record/symbolizer.h"

static int failures;

#define CHECK(cond, ...)                                             \
	do {                                                         \
		if (!(cond)) {                                       \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                \
			fputc('\n', stderr);                         \
			failures++;                                  \
		}                                                    \
	} while (0)

/* The line of src holding marker (1-based), 0 if none. */
static unsigned line_of(const char *src, const char *marker)
{
	FILE *f = fopen(src, "r");
	char buf[512];
	unsigned n = 0, found = 0;
	while (f && fgets(buf, sizeof(buf), f)) {
		n++;
		if (!found && strstr(buf, marker))
			found = n;
	}
	if (f)
		fclose(f);
	return found;
}

/* The ELF range and name of the function whose name starts with prefix. */
static int find_func(const char *path, const char *prefix, uint64_t *start, uint64_t *size,
		     char *name, size_t name_cap)
{
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	int ok = -1;
	for (Elf_Scn *scn = NULL; e && (scn = elf_nextscn(e, scn)) != NULL;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;
			if (gelf_getsym(d, (int)i, &s) && GELF_ST_TYPE(s.st_info) == STT_FUNC &&
			    (n = elf_strptr(e, sh.sh_link, s.st_name)) && strncmp(n, prefix, strlen(prefix)) == 0) {
				*start = s.st_value;
				*size = s.st_size;
				snprintf(name, name_cap, "%s", n);
				ok = 0;
			}
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: unit_srcinfo BINARY SOURCE\n");
		return 2;
	}
	const char *bin = argv[1], *src = argv[2];
	unsigned hot = line_of(src, "/* HOT */");
	unsigned call = line_of(src, "seed = outer_step(seed, d);");
	unsigned outer = line_of(src, "x = inner_mix(x, d);");
	CHECK(hot && call && outer, "markers not found in %s", src);

	uint64_t start = 0, size = 0;
	char name[256];
	CHECK(find_func(bin, "compute", &start, &size, name, sizeof(name)) == 0, "no compute in %s", bin);

	/* srcinfo on its own */
	CHECK(flame_srcinfo_open("/nonexistent", 1) == NULL, "opened a missing file");
	CHECK(flame_srcinfo_open(src, 1) == NULL, "opened a C source as ELF");
	struct flame_srcinfo *si = flame_srcinfo_open(bin, 1);
	CHECK(si != NULL, "no DWARF in %s", bin);
	if (!si)
		return 1;
	struct flame_srcchain ch = FLAME_SRCCHAIN_INIT;
	CHECK(flame_srcinfo_lookup(si, 0, &ch) == 0, "a chain at address 0");
	int full = 0, plain = 0;
	for (uint64_t a = start; a < start + size; a++) {
		size_t n = flame_srcinfo_lookup(si, a, &ch);
		CHECK(n >= 1, "no chain at %#lx", (unsigned long)a);
		if (n == 0)
			continue;
		CHECK(strncmp(ch.f[n - 1].func, "compute", 7) == 0, "outermost at %#lx is '%s'",
		      (unsigned long)a, ch.f[n - 1].func);
		if (n == 1)
			plain++;
		if (n != 3 || strcmp(ch.f[0].func, "inner_mix") != 0)
			continue;
		full++;
		CHECK(strcmp(ch.f[1].func, "outer_step") == 0, "middle is '%s'", ch.f[1].func);
		CHECK(strcmp(flame_srcinfo_basename(ch.f[0].file), "inline.c") == 0, "file '%s'", ch.f[0].file);
		CHECK(ch.f[1].line == outer, "outer_step's line %u, expected %u", ch.f[1].line, outer);
		CHECK(ch.f[2].line == call, "compute's line %u, expected %u", ch.f[2].line, call);
		if (ch.f[0].line == hot)
			full += 1000;
	}
	CHECK(full >= 1000, "no address of inner_mix on the HOT line %u (%d chains)", hot, full);
	CHECK(plain > 0, "no address of compute outside the inlined calls");
	/* the same answer from the cache */
	size_t n1 = flame_srcinfo_lookup(si, start + size / 2, &ch);
	struct flame_srcchain c2 = FLAME_SRCCHAIN_INIT;
	size_t n2 = flame_srcinfo_lookup(si, start + size / 2, &c2);
	CHECK(n1 == n2 && (n1 == 0 || strcmp(ch.f[0].func, c2.f[0].func) == 0), "cached answer differs");
	flame_srcchain_release(&c2);
	flame_srcinfo_free(si);

	/* the symbolizer: perf's runtime address to the ELF address */
	struct flame_symbolizer_opts so = { .demangle = 1 };
	struct flame_symbolizer *s = flame_symbolizer_new(&so);
	CHECK(flame_symbolizer_file(s, "[vdso]") == NULL, "a file for [vdso]");
	struct flame_dso *d = flame_symbolizer_file(s, bin);
	CHECK(d != NULL, "no dso for %s (give an absolute path)", bin);
	if (!d)
		return 1;
	uint64_t bias = 0x5555a0000000ull, a = 0;
	uint64_t off = size / 2;
	CHECK(flame_symbolizer_file_addr(s, d, name, strlen(name), 1, off, bias + start + off, &a) == 0 &&
	      a == start + off, "sym+off: %#lx, expected %#lx", (unsigned long)a, (unsigned long)(start + off));
	a = 0;
	if (size <= 4096)
		CHECK(flame_symbolizer_file_addr(s, d, name, strlen(name), 0, 0, bias + start + off, &a) == 0 &&
		      a == start + off, "sym, page offset: %#lx", (unsigned long)a);
	CHECK(flame_symbolizer_file_addr(s, d, "no_such_function", 16, 1, 4, bias + 4, &a) != 0,
	      "an address for an unknown symbol of a PIE");
	CHECK(flame_symbolizer_srcinfo(s, d, start + off, &ch) >= 1, "no chain through the symbolizer");
	flame_srcchain_release(&ch);
	flame_symbolizer_free(s);
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	else
		printf("ok: %d addresses with inner_mix;outer_step;compute\n", full % 1000);
	return failures ? 1 : 0;
}
