/*
 * srcinfo.c - DWARF line tables and inlined subroutines with libdw.  See
 * srcinfo.h for the contract.
 */
#include "srcinfo.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <libelf.h>
#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CACHE_SLOTS 4096u  /* answers kept per file; a power of two */
#define MAX_DEPTH 64       /* DIE nesting followed: deeper is malformed */
#define MAX_CHAIN 64       /* inlined calls kept per address */

struct slot {
	uint64_t addr;
	int used;
	struct flame_srcchain c;
};

struct flame_srcinfo {
	int fd;
	Elf *elf;
	Dwarf *dw;
	int demangle;
	struct slot *cache;   /* CACHE_SLOTS entries, direct-mapped by address */
};

void flame_srcchain_release(struct flame_srcchain *c)
{
	free(c->f);
	flame_buf_release(&c->text);
	memset(c, 0, sizeof(*c));
}

const char *flame_srcinfo_basename(const char *file)
{
	const char *s = strrchr(file, '/');
	return s ? s + 1 : file;
}

struct flame_srcinfo *flame_srcinfo_open(const char *path, int demangle)
{
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	Dwarf *dw = e ? dwarf_begin_elf(e, DWARF_C_READ, NULL) : NULL;
	Dwarf_Off next;
	size_t hsize;
	if (dw && dwarf_nextcu(dw, 0, &next, &hsize, NULL, NULL, NULL) != 0) {
		/* sections, but no compilation unit: a debug file may have them */
		dwarf_end(dw);
		dw = NULL;
	}
	if (!dw) {
		if (e)
			elf_end(e);
		close(fd);
		return NULL;
	}
	struct flame_srcinfo *si = flame_xcalloc(1, sizeof(*si));
	si->fd = fd;
	si->elf = e;
	si->dw = dw;
	si->demangle = demangle;
	si->cache = flame_xcalloc(CACHE_SLOTS, sizeof(*si->cache));
	return si;
}

void flame_srcinfo_free(struct flame_srcinfo *si)
{
	if (!si)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		flame_srcchain_release(&si->cache[i].c);
	free(si->cache);
	dwarf_end(si->dw);
	elf_end(si->elf);
	close(si->fd);
	free(si);
}

/* ---- finding the scopes ---- */

struct dies {
	Dwarf_Die d[MAX_DEPTH];
	size_t n;
};

/* Push the functions (subprograms, inlined calls) around addr below
 * parent, outermost first.  1 when a scope holding addr was found. */
static int descend(Dwarf_Die *parent, uint64_t addr, struct dies *v, int depth)
{
	Dwarf_Die child;
	if (depth >= MAX_DEPTH || dwarf_child(parent, &child) != 0)
		return 0;
	do {
		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
		case DW_TAG_entry_point:
		case DW_TAG_lexical_block:
			if (dwarf_haspc(&child, addr) != 1)
				break;
			if (dwarf_tag(&child) != DW_TAG_lexical_block && v->n < MAX_DEPTH)
				v->d[v->n++] = child;
			descend(&child, addr, v, depth + 1);
			return 1;
		case DW_TAG_namespace:
		case DW_TAG_module:
		case DW_TAG_class_type:
		case DW_TAG_structure_type:
		case DW_TAG_union_type:
			/* no code ranges of their own, but functions inside */
			if (descend(&child, addr, v, depth + 1))
				return 1;
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return 0;
}

/* ---- names ---- */

static void add_name(struct flame_srcinfo *si, Dwarf_Die *d, struct flame_buf *b)
{
	Dwarf_Attribute a;
	const char *link = NULL;
	if (dwarf_attr_integrate(d, DW_AT_linkage_name, &a))
		link = dwarf_formstring(&a);
	if (!link && dwarf_attr_integrate(d, DW_AT_MIPS_linkage_name, &a))
		link = dwarf_formstring(&a);
	if (link && si->demangle &&
	    ((link[0] == '_' && (link[1] == 'Z' || link[1] == 'R')) ||
	     (link[0] == '_' && link[1] == '_' && link[2] == 'Z'))) {
		char *dm = cplus_demangle(link, DMGL_PARAMS | DMGL_ANSI);
		if (dm) {
			flame_buf_adds(b, dm);
			free(dm);
			return;
		}
	}
	if (link) {
		flame_buf_adds(b, link);
		return;
	}
	const char *name = NULL;
	if (dwarf_attr_integrate(d, DW_AT_name, &a))
		name = dwarf_formstring(&a);
	if (name)
		flame_buf_adds(b, name);
}

/* ---- lookups ---- */

struct pending {
	size_t func, file; /* offsets into text */
	unsigned line;
};

static void chain_copy(struct flame_srcchain *dst, const struct flame_srcchain *src)
{
	FLAME_GROW(dst->f, dst->cap, src->n + 1);
	flame_buf_reset(&dst->text);
	flame_buf_add(&dst->text, src->text.data ? src->text.data : "", src->text.len);
	for (size_t i = 0; i < src->n; i++) {
		dst->f[i].func = dst->text.data + (src->f[i].func - src->text.data);
		dst->f[i].file = dst->text.data + (src->f[i].file - src->text.data);
		dst->f[i].line = src->f[i].line;
	}
	dst->n = src->n;
}

static void resolve(struct flame_srcinfo *si, uint64_t addr, struct flame_srcchain *out)
{
	out->n = 0;
	flame_buf_reset(&out->text);
	Dwarf_Die cu;
	if (!dwarf_addrdie(si->dw, addr, &cu))
		return;
	struct dies *v = flame_xmalloc(sizeof(*v));
	v->n = 0;
	descend(&cu, addr, v, 0);
	/* the innermost out-of-line function and what was inlined into it */
	size_t k = 0;
	for (size_t i = 0; i < v->n; i++)
		if (dwarf_tag(&v->d[i]) != DW_TAG_inlined_subroutine)
			k = i;
	if (v->n - k > MAX_CHAIN)
		k = v->n - MAX_CHAIN;
	Dwarf_Files *files = NULL;
	size_t nfiles = 0;
	if (dwarf_getsrcfiles(&cu, &files, &nfiles) != 0)
		files = NULL;
	struct pending p[MAX_CHAIN + 1];
	size_t np = 0;
	flame_buf_addc(&out->text, '\0'); /* offset 0: "" */
	for (size_t j = v->n; j-- > k;) {
		struct pending *q = &p[np++];
		q->func = out->text.len;
		add_name(si, &v->d[j], &out->text);
		flame_buf_addc(&out->text, '\0');
		q->file = 0;
		q->line = 0;
		const char *file = NULL;
		int line = 0;
		if (j == v->n - 1) {
			/* the innermost: the address's own line */
			Dwarf_Line *l = dwarf_getsrc_die(&cu, addr);
			if (l) {
				file = dwarf_linesrc(l, NULL, NULL);
				dwarf_lineno(l, &line);
			}
		} else {
			/* an outer one: the line of the call inlined into it */
			Dwarf_Attribute a;
			Dwarf_Word w;
			Dwarf_Die *in = &v->d[j + 1];
			if (files && dwarf_attr(in, DW_AT_call_file, &a) && dwarf_formudata(&a, &w) == 0 &&
			    w < nfiles)
				file = dwarf_filesrc(files, w, NULL, NULL);
			if (dwarf_attr(in, DW_AT_call_line, &a) && dwarf_formudata(&a, &w) == 0 &&
			    w < (1u << 31))
				line = (int)w;
		}
		if (file) {
			q->file = out->text.len;
			flame_buf_adds(&out->text, file);
			flame_buf_addc(&out->text, '\0');
		}
		q->line = line > 0 ? (unsigned)line : 0;
	}
	free(v);
	if (np == 0) {
		/* a unit without function DIEs (assembly): the line table still helps */
		Dwarf_Line *l = dwarf_getsrc_die(&cu, addr);
		const char *file = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
		int line = 0;
		if (!file)
			return;
		dwarf_lineno(l, &line);
		p[0].func = 0;
		p[0].file = out->text.len;
		p[0].line = line > 0 ? (unsigned)line : 0;
		flame_buf_adds(&out->text, file);
		flame_buf_addc(&out->text, '\0');
		np = 1;
	}
	FLAME_GROW(out->f, out->cap, np);
	for (size_t i = 0; i < np; i++) {
		out->f[i].func = out->text.data + p[i].func;
		out->f[i].file = out->text.data + p[i].file;
		out->f[i].line = p[i].line;
	}
	out->n = np;
}

size_t flame_srcinfo_lookup(struct flame_srcinfo *si, uint64_t addr, struct flame_srcchain *out)
{
	struct slot *s = &si->cache[flame_hash_u64(addr) & (CACHE_SLOTS - 1)];
	if (!s->used || s->addr != addr) {
		resolve(si, addr, &s->c);
		s->addr = addr;
		s->used = 1;
	}
	chain_copy(out, &s->c);
	return out->n;
}
