/*
 * symbolizer.c - process state, ELF symbol tables, kallsyms, JIT maps and
 * demangling.  See symbolizer.h for the contract.
 */
#include "symbolizer.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libiberty/demangle.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "../hash.h"
#include "../text.h"
#include "../util.h"

extern char **environ;

/* ---- a small map from 32-bit keys to pointers ---- */

/* Not a flame_hindex: keys and values sit in the slots themselves, which
 * spares the per-sample pid and tid lookups an indirection. */
struct u32map {
	uint32_t *keys;
	void **vals;  /* NULL = empty slot */
	size_t n, cap; /* cap: power of two */
};

static void *u32map_get(const struct u32map *m, uint32_t key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = flame_hash_u64(key) & mask; m->vals[i]; i = (i + 1) & mask)
		if (m->keys[i] == key)
			return m->vals[i];
	return NULL;
}

static void u32map_put(struct u32map *m, uint32_t key, void *val);

static void u32map_grow(struct u32map *m)
{
	struct u32map old = *m;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->n = 0;
	m->keys = flame_xcalloc(m->cap, sizeof(*m->keys));
	m->vals = flame_xcalloc(m->cap, sizeof(*m->vals));
	for (size_t i = 0; i < old.cap; i++)
		if (old.vals[i])
			u32map_put(m, old.keys[i], old.vals[i]);
	free(old.keys);
	free(old.vals);
}

/* Insert or replace. */
static void u32map_put(struct u32map *m, uint32_t key, void *val)
{
	if ((m->n + 1) * 2 > m->cap)
		u32map_grow(m);
	size_t mask = m->cap - 1;
	size_t i = flame_hash_u64(key) & mask;
	for (; m->vals[i]; i = (i + 1) & mask)
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return;
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
}

static void u32map_release(struct u32map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ---- data ---- */

struct sym {
	uint64_t start, end;  /* ELF addresses, [start, end) */
	uint32_t name;        /* offset into the dso's names */
	int8_t rank;          /* preference among aliases at one address */
};

struct byname {
	uint64_t hash;
	size_t idx;           /* into syms */
};

struct seg {
	uint64_t off, filesz, vaddr; /* a PT_LOAD segment */
};

struct dso {
	struct flame_dso pub;
	char *path, *base, *debug_path;
	uint32_t maj, min;
	uint64_t ino;
	int loaded;
	struct seg *segs;
	size_t nsegs;
	struct sym *syms;
	size_t nsyms;
	char *names;          /* every symbol name, NUL-separated */
	size_t names_len, names_cap;
	char **dm;            /* demangled name per symbol, filled on first use */
	uint32_t *modules;    /* kernel: per symbol, offset in names of "[kernel.kallsyms]" or "[ext4]" */
	int is_exec;          /* ET_EXEC: ELF addresses are runtime addresses */
	struct byname *byname; /* symbols by hash of raw and demangled name, sorted; built on first use */
	size_t nbyname;
	struct flame_srcinfo *si; /* DWARF, opened on first use */
	int si_tried;
	/* JIT map */
	uint32_t pid;
	off_t map_size;       /* size of /tmp/perf-PID.map when read */
};

struct map {
	uint64_t start, end, pgoff;
	struct dso *dso;
	const char *module;   /* the file name as mapped (dso->path) */
};

struct proc {
	uint32_t pid;
	struct map *maps;     /* sorted by start, disjoint */
	size_t nmaps, maps_cap;
	uint64_t gen;
	int synced;           /* /proc/PID/maps was read (avoid rereading) */
	struct dso *jit;      /* /tmp/perf-PID.map, when looked at */
	int jit_checked;
};

struct thread {
	uint32_t tid, pid;
	char comm[32];
};

struct flame_symbolizer {
	struct flame_symbolizer_opts o;
	char *debug_dir;
	struct u32map procs;   /* pid -> struct proc */
	struct u32map threads; /* tid -> struct thread */
	struct dso **dsos;     /* every dso, load order */
	size_t ndsos, dsos_cap;
	struct flame_hindex dso_index; /* (path, dev, ino) -> index in dsos; files only */
	uint64_t next_gen;
	int no_proc;           /* flame_symbolizer_no_proc() */
	char *kallsyms;        /* opts.kallsyms, owned */
	struct dso *vdso;
	/* kernel */
	struct dso *kernel;
	pthread_t kthread;
	int kthread_started, kthread_joined;
	int kernel_ok;
	const char *kernel_why;
};

/* ---- dso basics ---- */

static struct dso *dso_new(struct flame_symbolizer *s, const char *path)
{
	struct dso *d = flame_xcalloc(1, sizeof(*d));
	d->path = flame_xstrdup(path);
	const char *b = strrchr(path, '/');
	d->base = flame_xstrdup(b && b[1] ? b + 1 : path);
	d->pub.path = d->path;
	d->pub.base = d->base;
	d->pub.why = "";
	FLAME_GROW(s->dsos, s->dsos_cap, s->ndsos + 1);
	s->dsos[s->ndsos++] = d;
	return d;
}

static void dso_free(struct dso *d)
{
	if (d->dm)
		for (size_t i = 0; i < d->nsyms; i++)
			free(d->dm[i]);
	free(d->dm);
	free(d->modules);
	free(d->byname);
	flame_srcinfo_free(d->si);
	free(d->syms);
	free(d->segs);
	free(d->names);
	free(d->path);
	free(d->base);
	free(d->debug_path);
	free(d);
}

static uint32_t add_name(struct dso *d, const char *name)
{
	size_t n = strlen(name) + 1;
	flame_grow((void **)&d->names, &d->names_cap, d->names_len + n, 1);
	memcpy(d->names + d->names_len, name, n);
	uint32_t off = (uint32_t)d->names_len;
	d->names_len += n;
	return off;
}

static void add_sym(struct dso *d, size_t *cap, uint64_t start, uint64_t size, const char *name,
		    int rank)
{
	FLAME_GROW(d->syms, *cap, d->nsyms + 1);
	d->syms[d->nsyms++] = (struct sym){ start, size ? start + size : 0, add_name(d, name),
					    (int8_t)rank };
}

static int sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* best first among aliases */
	return y->rank - x->rank;
}

static int leading_underscores(const char *s)
{
	int n = 0;
	while (s[n] == '_')
		n++;
	return n;
}

/* Of two aliases preferred alike, perf keeps the longer name ("mmap64",
 * not "mmap"): is a that one, over b? */
static int longer_alias(const struct dso *d, const struct sym *a, const struct sym *b)
{
	return a->rank == b->rank && strlen(d->names + a->name) > strlen(d->names + b->name);
}

/* Sort, keep the preferred alias at each address (sized over unsized,
 * global over local over weak, fewer leading underscores), and give
 * unsized symbols an end at the next symbol (perf does the same). */
static void syms_finish(struct dso *d, uint64_t limit)
{
	if (!d->nsyms)
		return;
	/* rank tie-break by underscores: lower is better */
	for (size_t i = 0; i < d->nsyms; i++) {
		int u = leading_underscores(d->names + d->syms[i].name);
		d->syms[i].rank = (int8_t)(d->syms[i].rank * 16 - (u > 15 ? 15 : u));
	}
	qsort(d->syms, d->nsyms, sizeof(*d->syms), sym_cmp);
	size_t k = 0;
	for (size_t i = 0; i < d->nsyms; i++) {
		if (k && d->syms[k - 1].start == d->syms[i].start) {
			if (!d->syms[k - 1].end && d->syms[i].end)
				d->syms[k - 1].end = d->syms[i].end;
			if (longer_alias(d, &d->syms[i], &d->syms[k - 1]))
				d->syms[k - 1].name = d->syms[i].name;
			continue;
		}
		d->syms[k++] = d->syms[i];
	}
	/* an unsized symbol inside a sized one is a label in that function
	 * (V8's construct_stub_create_deopt_addr): perf, which reads typed
	 * functions only, names the function */
	uint64_t cover = 0;
	size_t j = 0;
	for (size_t i = 0; i < k; i++) {
		if (!d->syms[i].end && d->syms[i].start < cover)
			continue;
		if (d->syms[i].end > cover)
			cover = d->syms[i].end;
		d->syms[j++] = d->syms[i];
	}
	k = j;
	d->nsyms = k;
	for (size_t i = 0; i < k; i++) {
		if (d->syms[i].end <= d->syms[i].start) {
			uint64_t next = i + 1 < k ? d->syms[i + 1].start : limit;
			d->syms[i].end = next > d->syms[i].start ? next : d->syms[i].start + 1;
		}
	}
	d->dm = flame_xcalloc(k, sizeof(*d->dm));
	d->pub.nsyms = k;
}

static const struct sym *sym_find(const struct dso *d, uint64_t addr, size_t *idx)
{
	size_t lo = 0, hi = d->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct sym *sy = &d->syms[lo - 1];
	if (addr >= sy->end)
		return NULL;
	*idx = lo - 1;
	return sy;
}

/* ---- ELF ---- */

struct elf_info {
	int fd;
	Elf *e;
	GElf_Ehdr eh;
	Elf_Scn *symtab, *dynsym;
	size_t symtab_n, dynsym_n;
	char build_id[41];
	const char *debuglink;   /* points into the ELF data */
	uint32_t debuglink_crc;
};

static void elf_info_close(struct elf_info *ei)
{
	if (ei->e)
		elf_end(ei->e);
	if (ei->fd >= 0)
		close(ei->fd);
	memset(ei, 0, sizeof(*ei));
	ei->fd = -1;
}

static void hex(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static void note_build_id(struct elf_info *ei, Elf_Data *data)
{
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;
	while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    memcmp((char *)data->d_buf + name_off, "GNU", 4) == 0 && nh.n_descsz <= 20 &&
		    nh.n_descsz > 0) {
			hex(ei->build_id, (unsigned char *)data->d_buf + desc_off, nh.n_descsz);
			return;
		}
	}
}

/* Open an ELF file and find what we need in its sections.  -1: not ELF. */
static int elf_info_open(struct elf_info *ei, const char *path, const char **why)
{
	memset(ei, 0, sizeof(*ei));
	ei->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ei->fd < 0) {
		*why = errno == ENOENT ? "file not found" : "file not readable";
		return -1;
	}
	ei->e = elf_begin(ei->fd, ELF_C_READ_MMAP, NULL);
	if (!ei->e || elf_kind(ei->e) != ELF_K_ELF || !gelf_getehdr(ei->e, &ei->eh)) {
		*why = "not an ELF file";
		elf_info_close(ei);
		return -1;
	}
	size_t shstrndx;
	if (elf_getshdrstrndx(ei->e, &shstrndx) != 0)
		shstrndx = 0;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(ei->e, scn)) != NULL;) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB && sh.sh_entsize && sh.sh_size / sh.sh_entsize > 1) {
			ei->symtab = scn;
			ei->symtab_n = sh.sh_size / sh.sh_entsize;
		} else if (sh.sh_type == SHT_DYNSYM && sh.sh_entsize) {
			ei->dynsym = scn;
			ei->dynsym_n = sh.sh_size / sh.sh_entsize;
		} else if (sh.sh_type == SHT_NOTE && !ei->build_id[0]) {
			Elf_Data *data = elf_getdata(scn, NULL);
			if (data)
				note_build_id(ei, data);
		} else if (sh.sh_type == SHT_PROGBITS && shstrndx) {
			const char *name = elf_strptr(ei->e, shstrndx, sh.sh_name);
			if (name && strcmp(name, ".gnu_debuglink") == 0) {
				Elf_Data *data = elf_getdata(scn, NULL);
				if (data && data->d_size >= 8) {
					const char *p = data->d_buf;
					size_t n = strnlen(p, data->d_size);
					size_t crc_off = (n + 4) & ~(size_t)3;
					if (n < data->d_size && crc_off + 4 <= data->d_size) {
						ei->debuglink = p;
						memcpy(&ei->debuglink_crc, p + crc_off, 4);
					}
				}
			}
		}
	}
	return 0;
}

static void load_segments(struct dso *d, Elf *e)
{
	size_t nph;
	if (elf_getphdrnum(e, &nph) != 0)
		return;
	size_t cap = 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		FLAME_GROW(d->segs, cap, d->nsegs + 1);
		d->segs[d->nsegs++] = (struct seg){ ph.p_offset, ph.p_filesz, ph.p_vaddr };
	}
}

/* Functions (and labels in executable sections, as perf keeps them). */
static void load_symbols(struct dso *d, Elf *e, Elf_Scn *scn, size_t count)
{
	GElf_Shdr sh;
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !gelf_getshdr(scn, &sh))
		return;
	size_t cap = 0;
	uint64_t limit = 0;
	for (size_t i = 1; i < count; i++) {
		GElf_Sym sym;
		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		int type = GELF_ST_TYPE(sym.st_info);
		if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS || sym.st_name == 0)
			continue;
		if (type != STT_FUNC && type != STT_GNU_IFUNC) {
			if (type != STT_NOTYPE)
				continue;
			Elf_Scn *ss = elf_getscn(e, sym.st_shndx);
			GElf_Shdr ssh;
			if (!ss || !gelf_getshdr(ss, &ssh) || !(ssh.sh_flags & SHF_EXECINSTR))
				continue;
		}
		const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
		if (!name || !*name || name[0] == '$' || (name[0] == '.' && name[1] == 'L'))
			continue;
		int bind = GELF_ST_BIND(sym.st_info);
		int rank = (sym.st_size ? 4 : 0) + (bind == STB_GLOBAL ? 2 : bind == STB_LOCAL ? 1 : 0);
		/* versioned names in .symtab ("memcpy@@GLIBC_2.14"): perf shows them bare */
		const char *at = strchr(name, '@');
		if (at && at != name) {
			char buf[512];
			size_t n = (size_t)(at - name);
			if (n < sizeof(buf)) {
				memcpy(buf, name, n);
				buf[n] = '\0';
				add_sym(d, &cap, sym.st_value, sym.st_size, buf, rank);
				goto added;
			}
		}
		add_sym(d, &cap, sym.st_value, sym.st_size, name, rank);
added:
		if (sym.st_value + sym.st_size > limit)
			limit = sym.st_value + sym.st_size;
	}
	for (size_t i = 0; i < d->nsegs; i++)
		if (d->segs[i].vaddr + d->segs[i].filesz > limit)
			limit = d->segs[i].vaddr + d->segs[i].filesz;
	syms_finish(d, limit);
}

static uint32_t file_crc32(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	uLong crc = crc32(0L, Z_NULL, 0);
	unsigned char buf[65536];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crc = crc32(crc, buf, (uInt)n);
	close(fd);
	return (uint32_t)crc;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A separate debug file with a .symtab: by build-id, then by debuglink. */
static int find_debug_file(struct flame_symbolizer *s, struct dso *d, struct elf_info *main_ei,
			   struct elf_info *dbg)
{
	char path[4096];
	const char *why;
	if (strlen(main_ei->build_id) > 2) {
		snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", s->debug_dir, main_ei->build_id,
			 main_ei->build_id + 2);
		if (elf_info_open(dbg, path, &why) == 0) {
			if (dbg->symtab && (!dbg->build_id[0] || strcmp(dbg->build_id, main_ei->build_id) == 0)) {
				d->debug_path = flame_xstrdup(path);
				return 0;
			}
			elf_info_close(dbg);
		}
	}
	if (main_ei->debuglink && *main_ei->debuglink && !strchr(main_ei->debuglink, '/')) {
		/* beside the file, in .debug/ there, and under the debug root */
		char *real = realpath(d->path, NULL);
		const char *p = real ? real : d->path;
		const char *slash = strrchr(p, '/');
		size_t dn = slash ? (size_t)(slash - p) : 0;
		struct flame_buf cand[3] = { FLAME_BUF_INIT, FLAME_BUF_INIT, FLAME_BUF_INIT };
		flame_buf_addf(&cand[0], "%.*s/%s", (int)dn, p, main_ei->debuglink);
		flame_buf_addf(&cand[1], "%.*s/.debug/%s", (int)dn, p, main_ei->debuglink);
		flame_buf_addf(&cand[2], "%s%.*s/%s", s->debug_dir, (int)dn, p, main_ei->debuglink);
		free(real);
		int found = -1;
		for (int k = 0; k < 3 && found < 0; k++) {
			const char *c = cand[k].data;
			if (access(c, R_OK) != 0 || same_file(c, d->path))
				continue;
			if (file_crc32(c) != main_ei->debuglink_crc)
				continue;
			if (elf_info_open(dbg, c, &why) == 0) {
				if (dbg->symtab) {
					d->debug_path = flame_xstrdup(c);
					found = 0;
				} else {
					elf_info_close(dbg);
				}
			}
		}
		for (int k = 0; k < 3; k++)
			flame_buf_release(&cand[k]);
		if (found == 0)
			return 0;
	}
	return -1;
}

static void dso_load_elf(struct flame_symbolizer *s, struct dso *d)
{
	struct elf_info ei, dbg;
	const char *why = "";
	dbg.fd = -1;
	dbg.e = NULL;
	if (elf_info_open(&ei, d->path, &why) < 0) {
		d->pub.why = why;
		return;
	}
	snprintf(d->pub.build_id, sizeof(d->pub.build_id), "%s", ei.build_id);
	d->is_exec = ei.eh.e_type == ET_EXEC;
	load_segments(d, ei.e);
	if (ei.symtab) {
		load_symbols(d, ei.e, ei.symtab, ei.symtab_n);
		d->pub.src = FLAME_SYMSRC_SYMTAB;
	} else if (find_debug_file(s, d, &ei, &dbg) == 0) {
		load_symbols(d, dbg.e, dbg.symtab, dbg.symtab_n);
		d->pub.src = FLAME_SYMSRC_DEBUGFILE;
		d->pub.debug_path = d->debug_path;
		elf_info_close(&dbg);
	} else if (ei.dynsym) {
		load_symbols(d, ei.e, ei.dynsym, ei.dynsym_n);
		d->pub.src = FLAME_SYMSRC_DYNSYM;
		d->pub.why = "stripped: exported functions only (.dynsym), no debug file found";
	} else {
		d->pub.why = "stripped: no symbol table and no debug file found";
	}
	elf_info_close(&ei);
}

/* flame's own vDSO: the same image every process on this kernel maps. */
static void dso_load_vdso(struct dso *d)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	d->pub.src = FLAME_SYMSRC_SPECIAL;
	if (!base) {
		d->pub.why = "no vDSO";
		return;
	}
	const GElf_Ehdr *eh = (const void *)base;
	size_t size = (size_t)(eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize);
	if (size < sizeof(*eh) || size > (1u << 24)) {
		d->pub.why = "vDSO image not understood";
		return;
	}
	char *copy = flame_xmalloc(size);
	memcpy(copy, (const void *)base, size);
	Elf *e = elf_memory(copy, size);
	if (e) {
		load_segments(d, e);
		for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn)) != NULL;) {
			GElf_Shdr sh;
			if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_DYNSYM && sh.sh_entsize) {
				load_symbols(d, e, scn, sh.sh_size / sh.sh_entsize);
				break;
			}
		}
		elf_end(e);
	}
	free(copy);
}

static uint64_t dso_hash(const char *path, uint32_t maj, uint32_t min, uint64_t ino)
{
	return flame_hash(path, strlen(path)) ^ flame_hash_u64(ino ^ ((uint64_t)maj << 40) ^ ((uint64_t)min << 20));
}

/* The dso of a mapped file, created (not loaded) on first sight. */
static struct dso *dso_get(struct flame_symbolizer *s, const char *path, uint32_t maj, uint32_t min,
			   uint64_t ino)
{
	uint64_t h = dso_hash(path, maj, min, ino);
	struct flame_hindex *x = &s->dso_index;
	if (!x->nslots)
		flame_hindex_resize(x, 256);
	size_t i = flame_hindex_first(x, h);
	for (uint32_t v; (v = x->slots[i]) != 0; i = flame_hindex_next(x, i)) {
		struct dso *d = s->dsos[v - 1];
		if (d->ino == ino && d->maj == maj && d->min == min && strcmp(d->path, path) == 0)
			return d;
	}
	struct dso *d = dso_new(s, path);
	d->maj = maj;
	d->min = min;
	d->ino = ino;
	flame_hindex_set(x, i, (uint32_t)(s->ndsos - 1));
	if (s->ndsos * 2 > x->nslots) {
		flame_hindex_resize(x, x->nslots * 2);
		for (size_t k = 0; k < s->ndsos; k++) {
			struct dso *y = s->dsos[k];
			if (y->pub.kernel || y->pub.jit || y == s->vdso)
				continue;
			flame_hindex_add(x, dso_hash(y->path, y->maj, y->min, y->ino), (uint32_t)k);
		}
	}
	return d;
}

static void dso_ensure_loaded(struct flame_symbolizer *s, struct dso *d)
{
	if (d->loaded)
		return;
	d->loaded = 1;
	if (d == s->vdso)
		dso_load_vdso(d);
	else
		dso_load_elf(s, d);
}

/* File offset -> ELF address through the PT_LOAD segments. */
static int dso_vaddr(const struct dso *d, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < d->nsegs; i++) {
		const struct seg *g = &d->segs[i];
		if (off >= g->off && off < g->off + g->filesz) {
			*vaddr = off - g->off + g->vaddr;
			return 0;
		}
	}
	return -1;
}

/* ---- kernel ---- */

/* The whole of a /proc file (its size is not known in advance), or NULL. */
static char *slurp_proc(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 1 << 20, n = 0;
	char *buf = flame_xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = flame_xrealloc(buf, cap + 1);
		}
		ssize_t k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void *kallsyms_load(void *arg)
{
	struct flame_symbolizer *s = arg;
	struct dso *d = s->kernel;
	size_t len;
	char *text = slurp_proc(s->kallsyms ? s->kallsyms : "/proc/kallsyms", &len);
	if (!text) {
		s->kernel_why = s->kallsyms ? "the kernel symbols file is not readable"
					    : "/proc/kallsyms is not readable";
		return NULL;
	}
	size_t cap = 0, mcap = 0;
	uint32_t *modidx = NULL; /* per symbol: offset of its module's name in names */
	uint32_t kernel_mod = add_name(d, "[kernel.kallsyms]");
	uint32_t last_mod = kernel_mod;
	const char *last_mod_name = "";
	size_t last_mod_len = 0;
	int nonzero = 0, sorted = 1;
	uint64_t prev = 0;
	for (char *line = text, *end = text + len; line < end;) {
		char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		*nl = '\0';
		char *p = line;
		line = nl + 1;
		uint64_t a = 0;
		int v;
		while ((v = flame_hexval((unsigned char)*p)) >= 0) {
			a = a << 4 | (uint64_t)v;
			p++;
		}
		if (p[0] != ' ' || !p[1] || p[2] != ' ')
			continue;
		char type = p[1];
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		char *name = p + 3;
		char *tab = strchr(name, '\t');
		if (tab)
			*tab = '\0';
		if (a)
			nonzero = 1;
		if (a < prev)
			sorted = 0;
		prev = a;
		add_sym(d, &cap, a, 0, name, type == 'T' ? 2 : type == 't' ? 1 : 0);
		FLAME_GROW(modidx, mcap, d->nsyms);
		if (tab && tab[1]) {
			const char *mod = tab + 1;
			size_t ml = strlen(mod);
			if (ml != last_mod_len || memcmp(mod, last_mod_name, ml) != 0) {
				last_mod = add_name(d, mod);
				last_mod_name = mod; /* in text, which stays put */
				last_mod_len = ml;
			}
			modidx[d->nsyms - 1] = last_mod;
		} else {
			modidx[d->nsyms - 1] = kernel_mod;
		}
	}
	free(text);
	if (!nonzero) {
		s->kernel_why = "kernel addresses are hidden (kernel.kptr_restrict); run as root or "
				"'sudo sysctl kernel.kptr_restrict=0'";
		d->nsyms = 0;
		free(modidx);
		return NULL;
	}
	for (size_t i = 0; i < d->nsyms; i++) {
		int u = leading_underscores(d->names + d->syms[i].name);
		d->syms[i].rank = (int8_t)(d->syms[i].rank * 16 - (u > 15 ? 15 : u));
	}
	if (!sorted) {
		/* kallsyms comes sorted; sort symbols and modules together if not */
		struct pair {
			struct sym sy;
			uint32_t mod;
		} *pairs = flame_xmalloc(d->nsyms * sizeof(*pairs) + 1);
		for (size_t i = 0; i < d->nsyms; i++)
			pairs[i] = (struct pair){ d->syms[i], modidx[i] };
		qsort(pairs, d->nsyms, sizeof(*pairs), sym_cmp); /* struct sym is first */
		for (size_t i = 0; i < d->nsyms; i++) {
			d->syms[i] = pairs[i].sy;
			modidx[i] = pairs[i].mod;
		}
		free(pairs);
	}
	/* one symbol per address, the preferred alias; ends at the next one */
	size_t k = 0;
	for (size_t i = 0; i < d->nsyms; i++) {
		if (k && d->syms[k - 1].start == d->syms[i].start) {
			if (d->syms[i].rank > d->syms[k - 1].rank ||
			    longer_alias(d, &d->syms[i], &d->syms[k - 1])) {
				d->syms[k - 1] = d->syms[i];
				modidx[k - 1] = modidx[i];
			}
			continue;
		}
		d->syms[k] = d->syms[i];
		modidx[k] = modidx[i];
		k++;
	}
	for (size_t i = 0; i < k; i++)
		d->syms[i].end = i + 1 < k ? d->syms[i + 1].start : d->syms[i].start + 4096;
	d->nsyms = k;
	d->modules = modidx;
	d->dm = flame_xcalloc(k ? k : 1, sizeof(*d->dm));
	d->pub.nsyms = k;
	s->kernel_ok = 1;
	return NULL;
}

static void kernel_wait(struct flame_symbolizer *s)
{
	if (s->kthread_started && !s->kthread_joined) {
		pthread_join(s->kthread, NULL);
		s->kthread_joined = 1;
	}
}

int flame_symbolizer_kernel_ok(struct flame_symbolizer *s, const char **why)
{
	kernel_wait(s);
	if (why)
		*why = s->kernel_ok ? "" : s->kernel_why ? s->kernel_why : "kernel symbols not loaded";
	return s->kernel_ok;
}

/* ---- life cycle ---- */

struct flame_symbolizer *flame_symbolizer_new(const struct flame_symbolizer_opts *o)
{
	struct flame_symbolizer *s = flame_xcalloc(1, sizeof(*s));
	s->o = *o;
	s->debug_dir = flame_xstrdup(o->debug_dir ? o->debug_dir : "/usr/lib/debug");
	s->kallsyms = o->kallsyms ? flame_xstrdup(o->kallsyms) : NULL;
	size_t n = strlen(s->debug_dir);
	while (n > 1 && s->debug_dir[n - 1] == '/')
		s->debug_dir[--n] = '\0';
	s->next_gen = 1;
	elf_version(EV_CURRENT);
	s->vdso = dso_new(s, "[vdso]");
	s->kernel = dso_new(s, "[kernel.kallsyms]");
	s->kernel->pub.kernel = 1;
	s->kernel->pub.src = FLAME_SYMSRC_SPECIAL;
	s->kernel->loaded = 1;
	if (o->kernel) {
		if (pthread_create(&s->kthread, NULL, kallsyms_load, s) == 0)
			s->kthread_started = 1;
		else
			kallsyms_load(s);
	} else {
		s->kernel_why = "kernel samples not recorded";
	}
	return s;
}

static void proc_free(struct proc *p)
{
	free(p->maps);
	free(p);
}

void flame_symbolizer_free(struct flame_symbolizer *s)
{
	if (!s)
		return;
	kernel_wait(s);
	for (size_t i = 0; i < s->procs.cap; i++)
		if (s->procs.vals[i])
			proc_free(s->procs.vals[i]);
	for (size_t i = 0; i < s->threads.cap; i++)
		free(s->threads.vals[i]);
	u32map_release(&s->procs);
	u32map_release(&s->threads);
	for (size_t i = 0; i < s->ndsos; i++)
		dso_free(s->dsos[i]);
	free(s->dsos);
	flame_hindex_release(&s->dso_index);
	free(s->debug_dir);
	free(s->kallsyms);
	free(s);
}

size_t flame_symbolizer_dsos(struct flame_symbolizer *s, struct flame_dso ***out)
{
	/* struct dso starts with struct flame_dso */
	*out = (struct flame_dso **)s->dsos;
	return s->ndsos;
}

/* ---- processes and threads ---- */

static struct proc *proc_get(struct flame_symbolizer *s, uint32_t pid, int create)
{
	struct proc *p = u32map_get(&s->procs, pid);
	if (p || !create)
		return p;
	p = flame_xcalloc(1, sizeof(*p));
	p->pid = pid;
	p->gen = s->next_gen++;
	u32map_put(&s->procs, pid, p);
	return p;
}

static struct thread *thread_get(struct flame_symbolizer *s, uint32_t tid, uint32_t pid)
{
	struct thread *t = u32map_get(&s->threads, tid);
	if (!t) {
		t = flame_xcalloc(1, sizeof(*t));
		t->tid = tid;
		t->pid = pid;
		u32map_put(&s->threads, tid, t);
	}
	return t;
}

void flame_symbolizer_comm(struct flame_symbolizer *s, uint32_t pid, uint32_t tid,
			   const char *comm, int exec)
{
	struct thread *t = thread_get(s, tid, pid);
	t->pid = pid;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
	if (exec) {
		/* a new program: forget the old mappings */
		struct proc *p = proc_get(s, pid, 1);
		p->nmaps = 0;
		p->gen = s->next_gen++;
		p->jit = NULL;
		p->jit_checked = 0;
	}
}

void flame_symbolizer_fork(struct flame_symbolizer *s, uint32_t pid, uint32_t ppid, uint32_t tid,
			   uint32_t ptid)
{
	struct thread *parent = u32map_get(&s->threads, ptid);
	struct thread *t = thread_get(s, tid, pid);
	t->pid = pid;
	if (parent)
		memcpy(t->comm, parent->comm, sizeof(t->comm));
	if (pid == ppid)
		return; /* a new thread of a known process */
	/* a new process: a copy of its parent's mappings (until exec) */
	struct proc *pp = proc_get(s, ppid, 0);
	struct proc *p = u32map_get(&s->procs, pid);
	if (!p) {
		p = flame_xcalloc(1, sizeof(*p));
		p->pid = pid;
		u32map_put(&s->procs, pid, p);
	}
	p->nmaps = 0;
	p->jit = NULL;
	p->jit_checked = 0;
	p->synced = 0;
	if (pp) {
		FLAME_GROW(p->maps, p->maps_cap, pp->nmaps);
		if (pp->nmaps)
			memcpy(p->maps, pp->maps, pp->nmaps * sizeof(*p->maps));
		p->nmaps = pp->nmaps;
		p->gen = pp->gen; /* same mappings: resolved frames stay valid */
	} else {
		p->gen = s->next_gen++;
	}
}

void flame_symbolizer_exit(struct flame_symbolizer *s, uint32_t pid, uint32_t tid)
{
	/* Nothing to drop: records come in time order, so no sample of this
	 * thread follows, and a reused pid starts over with FORK or COMM. */
	(void)s;
	(void)pid;
	(void)tid;
}

static size_t map_upper(const struct proc *p, uint64_t addr)
{
	/* first map with start > addr */
	size_t lo = 0, hi = p->nmaps;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->maps[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void proc_insert(struct proc *p, const struct map *m)
{
	/* Cut away whatever the new mapping covers (munmap is not reported:
	 * a new mapping over an old one replaces it). */
	size_t i = 0;
	while (i < p->nmaps) {
		struct map *o = &p->maps[i];
		if (o->end <= m->start || o->start >= m->end) {
			i++;
			continue;
		}
		if (o->start < m->start && o->end > m->end) {
			/* split in two */
			struct map tail = *o;
			tail.pgoff += m->end - o->start;
			tail.start = m->end;
			o->end = m->start;
			FLAME_GROW(p->maps, p->maps_cap, p->nmaps + 1);
			memmove(&p->maps[i + 2], &p->maps[i + 1], (p->nmaps - i - 1) * sizeof(*p->maps));
			p->maps[i + 1] = tail;
			p->nmaps++;
			i += 2;
		} else if (o->start < m->start) {
			o->end = m->start;
			i++;
		} else if (o->end > m->end) {
			o->pgoff += m->end - o->start;
			o->start = m->end;
			i++;
		} else {
			memmove(o, o + 1, (p->nmaps - i - 1) * sizeof(*p->maps));
			p->nmaps--;
		}
	}
	size_t at = map_upper(p, m->start);
	FLAME_GROW(p->maps, p->maps_cap, p->nmaps + 1);
	memmove(&p->maps[at + 1], &p->maps[at], (p->nmaps - at) * sizeof(*p->maps));
	p->maps[at] = *m;
	p->nmaps++;
}

static struct dso *dso_for_file(struct flame_symbolizer *s, const char *filename, uint32_t maj,
				uint32_t min, uint64_t ino)
{
	if (strcmp(filename, "[vdso]") == 0)
		return s->vdso;
	return dso_get(s, filename, maj, min, ino);
}

void flame_symbolizer_mmap(struct flame_symbolizer *s, uint32_t pid, uint64_t start, uint64_t len,
			   uint64_t pgoff, uint32_t maj, uint32_t min, uint64_t ino,
			   const char *filename)
{
	if (!len || start + len < start)
		return;
	struct proc *p = proc_get(s, pid, 1);
	struct dso *d = dso_for_file(s, filename, maj, min, ino);
	struct map m = { start, start + len, pgoff, d, d->path };
	proc_insert(p, &m);
	p->gen = s->next_gen++;
}

void flame_symbolizer_no_proc(struct flame_symbolizer *s)
{
	s->no_proc = 1;
}

int flame_symbolizer_sync_proc(struct flame_symbolizer *s, uint32_t pid)
{
	if (s->no_proc)
		return -1;
	char path[64];
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	struct proc *p = proc_get(s, pid, 1);
	p->synced = 1;
	char line[4352];
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, off, ino;
		unsigned maj, min;
		char perms[8];
		int name_at = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &a, &b, perms, &off, &maj, &min, &ino,
			   &name_at) < 7)
			continue;
		if (!strchr(perms, 'x'))
			continue;
		char *name = line + name_at;
		name[strcspn(name, "\n")] = '\0';
		if (!*name)
			name = (char *)"//anon";
		struct dso *d = dso_for_file(s, name, maj, min, ino);
		struct map m = { a, b, off, d, d->path };
		proc_insert(p, &m);
	}
	fclose(f);
	p->gen = s->next_gen++;

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	DIR *dir = opendir(path);
	if (dir) {
		struct dirent *de;
		while ((de = readdir(dir)) != NULL) {
			if (!isdigit((unsigned char)de->d_name[0]))
				continue;
			uint32_t tid = (uint32_t)strtoul(de->d_name, NULL, 10);
			char cpath[128], comm[64];
			snprintf(cpath, sizeof(cpath), "/proc/%u/task/%u/comm", pid, tid);
			int fd = open(cpath, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			ssize_t n = read(fd, comm, sizeof(comm) - 1);
			close(fd);
			if (n <= 0)
				continue;
			comm[n] = '\0';
			comm[strcspn(comm, "\n")] = '\0';
			/* names from records are as of the samples: keep them */
			if (u32map_get(&s->threads, tid))
				continue;
			struct thread *t = thread_get(s, tid, pid);
			memcpy(t->comm, comm, strlen(comm) < sizeof(t->comm) ? strlen(comm) + 1 : sizeof(t->comm));
			t->comm[sizeof(t->comm) - 1] = '\0';
		}
		closedir(dir);
	}
	return 0;
}

const char *flame_symbolizer_thread_comm(struct flame_symbolizer *s, uint32_t tid, uint32_t *pid)
{
	struct thread *t = u32map_get(&s->threads, tid);
	if (!t)
		return "";
	if (pid)
		*pid = t->pid;
	return t->comm;
}

uint64_t flame_symbolizer_generation(struct flame_symbolizer *s, uint32_t pid)
{
	return proc_get(s, pid, 1)->gen;
}

/* ---- mappings for unwinding ---- */

/* The load bias of a file mapped at start from file offset pgoff: the
 * PT_LOAD segment holding pgoff (its offset rounded down to a page) puts
 * file offset seg.off at address start + (seg.off - pgoff). */
static int map_bias(const struct map *m, uint64_t *bias)
{
	const struct dso *d = m->dso;
	for (size_t i = 0; i < d->nsegs; i++) {
		const struct seg *g = &d->segs[i];
		uint64_t lo = g->off & ~(uint64_t)0xfff;
		if (m->pgoff >= lo && m->pgoff < g->off + g->filesz) {
			*bias = m->start + g->off - m->pgoff - g->vaddr;
			return 0;
		}
	}
	return -1;
}

int flame_symbolizer_mapping(struct flame_symbolizer *s, uint32_t pid, size_t i,
			     struct flame_mapping *out)
{
	struct proc *p = proc_get(s, pid, 0);
	for (size_t k = 0; p && k < p->nmaps; k++) {
		struct map *m = &p->maps[k];
		if (m->dso != s->vdso && (m->dso->pub.jit || m->dso->path[0] != '/'))
			continue;
		dso_ensure_loaded(s, m->dso);
		uint64_t bias;
		if (map_bias(m, &bias) < 0)
			continue;
		if (i-- == 0) {
			*out = (struct flame_mapping){ m->start, m->end, m->pgoff, bias, &m->dso->pub };
			return 1;
		}
	}
	return 0;
}

/* ---- JIT maps ---- */

/* /tmp/perf-PID.map: "START SIZE NAME" per line, hexadecimal. */
static void jit_load(struct dso *d)
{
	FILE *f = fopen(d->path, "re");
	if (!f)
		return;
	struct stat st;
	if (fstat(fileno(f), &st) == 0)
		d->map_size = st.st_size;
	if (d->dm)
		for (size_t i = 0; i < d->nsyms; i++)
			free(d->dm[i]);
	free(d->dm);
	d->dm = NULL;
	d->nsyms = 0;
	d->names_len = 0;
	size_t cap = 0;
	free(d->syms);
	d->syms = NULL;
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		char *e1, *e2;
		unsigned long long a = strtoull(line, &e1, 16);
		if (e1 == line || *e1 != ' ')
			continue;
		unsigned long long n = strtoull(e1 + 1, &e2, 16);
		if (e2 == e1 + 1 || *e2 != ' ')
			continue;
		char *name = e2 + 1;
		name[strcspn(name, "\n")] = '\0';
		add_sym(d, &cap, a, n ? n : 1, name, 4);
	}
	fclose(f);
	syms_finish(d, UINT64_MAX);
}

static struct dso *jit_get(struct flame_symbolizer *s, struct proc *p)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/perf-%u.map", p->pid);
	if (!p->jit_checked) {
		p->jit_checked = 1;
		if (access(path, R_OK) != 0)
			return NULL;
		for (size_t i = 0; i < s->ndsos; i++)
			if (s->dsos[i]->pub.jit && s->dsos[i]->pid == p->pid) {
				p->jit = s->dsos[i];
				break;
			}
		if (!p->jit) {
			p->jit = dso_new(s, path);
			p->jit->pub.jit = 1;
			p->jit->pub.src = FLAME_SYMSRC_SPECIAL;
			p->jit->pid = p->pid;
			p->jit->loaded = 1;
			jit_load(p->jit);
		}
	}
	return p->jit;
}

/* ---- resolving ---- */

static const char *demangled(struct flame_symbolizer *s, struct dso *d, size_t idx)
{
	const char *raw = d->names + d->syms[idx].name;
	if (!s->o.demangle)
		return raw;
	if (!d->dm[idx]) {
		char *dm = NULL;
		if ((raw[0] == '_' && (raw[1] == 'Z' || raw[1] == 'R')) ||
		    (raw[0] == '_' && raw[1] == '_' && raw[2] == 'Z'))
			dm = cplus_demangle(raw, DMGL_PARAMS | DMGL_ANSI | DMGL_RET_DROP); /* no return types, as perf */
		d->dm[idx] = dm ? dm : flame_xstrdup(raw);
	}
	return d->dm[idx];
}

static void found(struct flame_symbolizer *s, struct dso *d, size_t idx, struct flame_sym *out)
{
	out->kind = FLAME_SYM_FOUND;
	out->raw = d->names + d->syms[idx].name;
	out->name = demangled(s, d, idx);
	out->dso = &d->pub;
}

/* Mappings of no file, or of none we can read: where JIT compilers put code. */
static int is_anon(const char *f)
{
	size_t n = strlen(f);
	return f[0] != '/' || f[1] == '/' || strncmp(f, "/memfd:", 7) == 0 ||
	       strncmp(f, "/dev/zero", 9) == 0 || strncmp(f, "/SYSV", 5) == 0 ||
	       (n > 10 && strcmp(f + n - 10, " (deleted)") == 0);
}

/* Memory perf gives no file addresses (its anon and no-dso maps). */
static int perf_identity_map(const char *f)
{
	return strcmp(f, "//anon") == 0 || strncmp(f, "/dev/zero", 9) == 0 ||
	       strncmp(f, "/anon_hugepage", 14) == 0 || strncmp(f, "[stack", 6) == 0 ||
	       strncmp(f, "/SYSV", 5) == 0 || strcmp(f, "[heap]") == 0;
}

void flame_symbolizer_user(struct flame_symbolizer *s, uint32_t pid, uint64_t addr, int ret,
			   struct flame_sym *out)
{
	memset(out, 0, sizeof(*out));
	uint64_t a = ret && addr ? addr - 1 : addr;
	struct proc *p = proc_get(s, pid, 0);
	size_t i = p ? map_upper(p, a) : 0;
	if (p && (i == 0 || a >= p->maps[i - 1].end) && !p->synced &&
	    flame_symbolizer_sync_proc(s, pid) == 0)
		i = map_upper(p, a); /* mappings from before we watched (attach), or lost */
	if (!p || i == 0 || a >= p->maps[i - 1].end) {
		out->kind = FLAME_SYM_NOMAP;
		if (p) {
			struct dso *j = jit_get(s, p);
			size_t idx;
			if (j && sym_find(j, a, &idx)) {
				found(s, j, idx, out);
				out->module = j->path;
			}
		}
		return;
	}
	const struct map *m = &p->maps[i - 1];
	struct dso *d = m->dso;
	out->dso = &d->pub;
	out->module = m->module;
	out->kind = FLAME_SYM_NOSYM;
	out->map_addr = perf_identity_map(d->path) ? addr : addr - m->start + m->pgoff;
	if (is_anon(d->path)) {
		/* anonymous or vanished: JIT code lives in such mappings */
		if (d != s->vdso) {
			struct dso *j = jit_get(s, p);
			size_t idx;
			if (j) {
				if (!sym_find(j, a, &idx)) {
					struct stat st;
					if (stat(j->path, &st) == 0 && st.st_size != j->map_size)
						jit_load(j); /* the JIT wrote more since */
				}
				if (sym_find(j, a, &idx)) {
					found(s, j, idx, out);
					out->module = j->path;
				}
			}
			return;
		}
	}
	dso_ensure_loaded(s, d);
	uint64_t vaddr;
	size_t idx;
	if (dso_vaddr(d, a - m->start + m->pgoff, &vaddr) == 0) {
		out->has_addr = 1;
		out->addr = vaddr;
		if (sym_find(d, vaddr, &idx))
			found(s, d, idx, out);
	}
}

void flame_symbolizer_kernel(struct flame_symbolizer *s, uint64_t addr, int ret,
			     struct flame_sym *out)
{
	memset(out, 0, sizeof(*out));
	kernel_wait(s);
	struct dso *d = s->kernel;
	uint64_t a = ret && addr ? addr - 1 : addr;
	size_t idx;
	out->kind = FLAME_SYM_NOSYM;
	out->dso = &d->pub;
	out->module = "[kernel.kallsyms]";
	if (s->kernel_ok && sym_find(d, a, &idx)) {
		found(s, d, idx, out);
		out->module = d->names + d->modules[idx];
	}
}

/* ---- source lines, and files named by path ---- */

size_t flame_symbolizer_srcinfo(struct flame_symbolizer *s, struct flame_dso *pub, uint64_t addr,
				struct flame_srcchain *out)
{
	struct dso *d = (struct dso *)pub; /* struct dso starts with struct flame_dso */
	out->n = 0;
	if (d->pub.kernel || d->pub.jit || d == s->vdso)
		return 0;
	dso_ensure_loaded(s, d);
	if (!d->si_tried) {
		d->si_tried = 1;
		if (d->debug_path)
			d->si = flame_srcinfo_open(d->debug_path, s->o.demangle);
		if (!d->si)
			d->si = flame_srcinfo_open(d->path, s->o.demangle);
		if (!d->si && !d->debug_path) {
			/* symbols of its own, DWARF in a debug file */
			struct elf_info ei, dbg;
			const char *why;
			dbg.fd = -1;
			dbg.e = NULL;
			if (elf_info_open(&ei, d->path, &why) == 0) {
				if (find_debug_file(s, d, &ei, &dbg) == 0) {
					elf_info_close(&dbg);
					d->si = flame_srcinfo_open(d->debug_path, s->o.demangle);
				}
				elf_info_close(&ei);
			}
		}
	}
	d->pub.no_dwarf = !d->si;
	return d->si ? flame_srcinfo_lookup(d->si, addr, out) : 0;
}

struct flame_dso *flame_symbolizer_file(struct flame_symbolizer *s, const char *path)
{
	if (path[0] != '/' || is_anon(path))
		return NULL;
	struct dso *d = dso_get(s, path, 0, 0, 0);
	dso_ensure_loaded(s, d);
	return &d->pub;
}

static int byname_cmp(const void *a, const void *b)
{
	const struct byname *x = a, *y = b;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static void byname_build(struct flame_symbolizer *s, struct dso *d)
{
	d->byname = flame_xmalloc((2 * d->nsyms + 1) * sizeof(*d->byname));
	for (size_t i = 0; i < d->nsyms; i++) {
		const char *raw = d->names + d->syms[i].name;
		const char *dm = demangled(s, d, i);
		d->byname[d->nbyname++] = (struct byname){ flame_hash(raw, strlen(raw)), i };
		if (strcmp(dm, raw) != 0)
			d->byname[d->nbyname++] = (struct byname){ flame_hash(dm, strlen(dm)), i };
	}
	qsort(d->byname, d->nbyname, sizeof(*d->byname), byname_cmp);
}

int flame_symbolizer_file_addr(struct flame_symbolizer *s, struct flame_dso *pub, const char *sym,
			       size_t sym_len, int has_off, uint64_t off, uint64_t pc, uint64_t *addr)
{
	struct dso *d = (struct dso *)pub;
	dso_ensure_loaded(s, d);
	if (sym && sym_len && d->nsyms) {
		if (!d->byname)
			byname_build(s, d);
		uint64_t h = flame_hash(sym, sym_len);
		size_t lo = 0, hi = d->nbyname;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (d->byname[mid].hash < h)
				lo = mid + 1;
			else
				hi = mid;
		}
		/* several symbols may share a name (static functions): the
		 * right one puts pc at a page offset the load bias allows */
		for (size_t i = lo; i < d->nbyname && d->byname[i].hash == h; i++) {
			size_t k = d->byname[i].idx;
			const char *raw = d->names + d->syms[k].name;
			const char *dm = demangled(s, d, k);
			if (!(strlen(raw) == sym_len && memcmp(raw, sym, sym_len) == 0) &&
			    !(strlen(dm) == sym_len && memcmp(dm, sym, sym_len) == 0))
				continue;
			const struct sym *y = &d->syms[k];
			uint64_t a;
			if (has_off)
				a = y->start + off;
			else if (y->end - y->start <= 4096)
				a = y->start + ((pc - y->start) & 4095);
			else
				continue;
			if (((pc - a) & 4095) == 0 && a < y->end + (has_off ? 1 : 0)) {
				*addr = a;
				return 0;
			}
		}
	}
	if (d->is_exec) {
		*addr = pc;
		return 0;
	}
	return -1;
}

/* ---- debug package hint ---- */

static char *dpkg_owner(const char *path)
{
	int pfd[2];
	if (access("/usr/bin/dpkg-query", X_OK) != 0 || pipe2(pfd, O_CLOEXEC) < 0)
		return NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	char *argv[] = { (char *)"dpkg-query", (char *)"-S", (char *)path, NULL };
	pid_t pid;
	int rc = posix_spawn(&pid, "/usr/bin/dpkg-query", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	if (rc != 0) {
		close(pfd[0]);
		return NULL;
	}
	char buf[4096];
	size_t n = 0;
	ssize_t k;
	while (n < sizeof(buf) - 1 && (k = read(pfd[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)k;
	close(pfd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf[n] = '\0';
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || n == 0)
		return NULL;
	/* "libc6:amd64: /lib/x86_64-linux-gnu/libc.so.6" */
	size_t e = strcspn(buf, ":,\n ");
	if (e == 0)
		return NULL;
	buf[e] = '\0';
	return flame_xstrdup(buf);
}

char *flame_symbolizer_debug_package(const char *path)
{
	if (path[0] != '/')
		return NULL;
	char *pkg = dpkg_owner(path);
	if (!pkg) {
		/* merged /usr: dpkg knows some files by their other name */
		char alt[4096];
		if (strncmp(path, "/usr/", 5) == 0)
			snprintf(alt, sizeof(alt), "%s", path + 4);
		else
			snprintf(alt, sizeof(alt), "/usr%s", path);
		pkg = dpkg_owner(alt);
	}
	if (!pkg)
		return NULL;
	char out[512];
	if (strcmp(pkg, "libc6") == 0 || strcmp(pkg, "libc-bin") == 0)
		snprintf(out, sizeof(out), "libc6-dbg");
	else
		snprintf(out, sizeof(out), "%s-dbgsym", pkg);
	free(pkg);
	return flame_xstrdup(out);
}
