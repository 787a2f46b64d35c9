/*
 * unwind.c - DWARF CFI unwinding of sampled user stacks with libdwfl.
 * See unwind.h for the contract.
 */
#include "unwind.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../hash.h"
#include "../util.h"

#define MAX_FRAMES 1024 /* a deeper stack is cut */
#define MAX_DWFLS 32    /* Dwfl handles kept; the least recently used goes first */
#define REGS_ABI_64 2   /* PERF_SAMPLE_REGS_ABI_64 */

/* DWARF x86-64 register n is perf register dwarf_to_perf[n]
 * (PERF_REG_X86_*: ax bx cx dx si di bp sp ip flags cs ss ds es fs gs r8..r15). */
static const uint8_t dwarf_to_perf[17] = {
	0 /* rax */, 3 /* rdx */, 2 /* rcx */, 1 /* rbx */, 4 /* rsi */, 5 /* rdi */, 6 /* rbp */,
	7 /* rsp */, 16, 17, 18, 19, 20, 21, 22, 23 /* r8-r15 */, 8 /* rip */,
};
#define DWARF_SP 7
#define DWARF_IP 16

int flame_unwind_dwarf_regs(const uint64_t *regs, uint32_t nregs, uint64_t mask,
			    uint64_t out[17], uint32_t *have)
{
	*have = 0;
	for (int d = 0; d < 17; d++) {
		unsigned bit = dwarf_to_perf[d];
		out[d] = 0;
		if (!(mask >> bit & 1))
			continue;
		/* the value's index: the set bits of mask below this one */
		uint32_t idx = (uint32_t)__builtin_popcountll(mask & ((1ull << bit) - 1));
		if (idx >= nregs)
			continue;
		out[d] = regs[idx];
		*have |= 1u << d;
	}
	return (*have >> DWARF_SP & 1) && (*have >> DWARF_IP & 1) ? 0 : -1;
}

/* A Dwfl for one set of mapped files (at their load addresses): shared
 * by every process that maps exactly those, such as a parent and the
 * children it forked. */
struct dwfl_ent {
	uint64_t sig;   /* hash of the (file, bias) list */
	Dwfl *dwfl;
	int attached;   /* dwfl_attach_state done */
	uint64_t used;  /* LRU clock */
};

/* A process: which Dwfl its mappings call for, as of a generation. */
struct pid_ent {
	uint32_t pid;
	uint64_t gen;   /* the symbolizer's mapping generation sig is for */
	uint64_t sig;
};

struct flame_unwinder {
	struct flame_symbolizer *sym;
	Dwfl_Callbacks cb;
	struct dwfl_ent dwfls[MAX_DWFLS];
	size_t ndwfls;
	uint64_t clock;
	struct pid_ent *pids;  /* first-seen order */
	size_t npids, pids_cap;
	struct flame_hindex pid_index; /* pid -> index in pids */
	/* the sample being unwound */
	uint64_t dregs[17];
	const unsigned char *stack;
	uint64_t sp, stack_size;
	int past_stack;  /* a read fell after the end of the stack copy */
	int read_failed; /* a read fell outside the stack copy */
	int too_deep;
	int end_zero;    /* a zero return address ended the chain */
	uint64_t *out;   /* the callchain being built */
	size_t nout, cap;
	int vdso_fd;     /* a copy of flame's vDSO (the one every process here maps), -1 none */
};

static Dwfl_Thread_Callbacks thread_cbs;

/* Separate debug files are not searched: distributions' binaries carry
 * .eh_frame, and reading a debug file's DWARF (decompressing all of it)
 * again for every process with other load addresses would cost more than
 * the unwinding.  A file's own .debug_frame is still used. */
static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name)
{
	(void)mod;
	(void)userdata;
	(void)modname;
	(void)base;
	(void)file_name;
	(void)debuglink_file;
	(void)debuglink_crc;
	*debuginfo_file_name = NULL;
	return -1;
}

/* The vDSO's image in a memory file, for libdwfl, which reads modules
 * from files: the kernel maps the same image into every process, so
 * flame's own is theirs.  -1 when there is none. */
static int vdso_file(void)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	if (!base)
		return -1;
	const GElf_Ehdr *eh = (const void *)base;
	size_t size = (size_t)(eh->e_shoff + (uint64_t)eh->e_shnum * eh->e_shentsize);
	if (size < sizeof(*eh) || size > (1u << 24))
		return -1;
	int fd = memfd_create("vdso", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, (const void *)base, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	return fd;
}

struct flame_unwinder *flame_unwinder_new(struct flame_symbolizer *sym)
{
	struct flame_unwinder *u = flame_xcalloc(1, sizeof(*u));
	u->sym = sym;
	u->cb.find_elf = dwfl_linux_proc_find_elf; /* not called: modules come with their file */
	u->cb.find_debuginfo = no_debuginfo;
	u->cb.section_address = dwfl_offline_section_address;
	u->vdso_fd = vdso_file();
	return u;
}

void flame_unwinder_free(struct flame_unwinder *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->ndwfls; i++)
		dwfl_end(u->dwfls[i].dwfl);
	free(u->pids);
	flame_hindex_release(&u->pid_index);
	free(u->out);
	if (u->vdso_fd >= 0)
		close(u->vdso_fd);
	free(u);
}

/* ---- libdwfl's view of the sampled thread ---- */

static pid_t cb_next_thread(Dwfl *dwfl, void *arg, void **thread_arg)
{
	(void)dwfl;
	(void)arg;
	(void)thread_arg;
	return 0; /* threads are asked for by id only */
}

static bool cb_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_arg)
{
	(void)dwfl;
	(void)tid;
	*thread_arg = arg;
	return true;
}

/* Memory is the stack copy: [sp, sp + stack_size). */
static bool cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct flame_unwinder *u = arg;
	(void)dwfl;
	if (addr >= u->sp && addr - u->sp <= u->stack_size && u->stack_size - (addr - u->sp) >= 8) {
		uint64_t v;
		memcpy(&v, u->stack + (addr - u->sp), sizeof(v));
		*result = v;
		return true;
	}
	/* beyond the copy but plausibly still the stack (it grows down, and
	 * the kernel copied from sp up) */
	if (addr >= u->sp + u->stack_size && addr - u->sp < (64u << 20))
		u->past_stack = 1;
	u->read_failed = 1;
	return false;
}

static bool cb_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct flame_unwinder *u = arg;
	if (!dwfl_thread_state_registers(thread, 0, 17, u->dregs))
		return false;
	dwfl_thread_state_register_pc(thread, u->dregs[DWARF_IP]);
	return true;
}

static Dwfl_Thread_Callbacks thread_cbs = {
	.next_thread = cb_next_thread,
	.get_thread = cb_get_thread,
	.memory_read = cb_memory_read,
	.set_initial_registers = cb_set_initial_registers,
};

/* ---- processes and their Dwfl ---- */

/* The signature of pid's file mappings: equal for equal (file, bias) lists. */
static uint64_t mappings_sig(struct flame_unwinder *u, uint32_t pid)
{
	struct flame_mapping m;
	uint64_t h = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; flame_symbolizer_mapping(u->sym, pid, i, &m); i++)
		h = flame_hash_u64(h ^ flame_hash_u64((uint64_t)(uintptr_t)m.dso ^ (m.bias << 1)));
	return h;
}

static struct pid_ent *pid_get(struct flame_unwinder *u, uint32_t pid)
{
	struct flame_hindex *x = &u->pid_index;
	if ((u->npids + 1) * 2 > x->nslots) {
		flame_hindex_resize(x, x->nslots ? x->nslots * 2 : 64);
		for (size_t k = 0; k < u->npids; k++)
			flame_hindex_add(x, flame_hash_u64(u->pids[k].pid), (uint32_t)k);
	}
	size_t i = flame_hindex_first(x, flame_hash_u64(pid));
	for (uint32_t v; (v = x->slots[i]) != 0; i = flame_hindex_next(x, i))
		if (u->pids[v - 1].pid == pid)
			return &u->pids[v - 1];
	FLAME_GROW(u->pids, u->pids_cap, u->npids + 1);
	u->pids[u->npids] = (struct pid_ent){ pid, 0, 0 };
	flame_hindex_set(x, i, (uint32_t)u->npids);
	return &u->pids[u->npids++];
}

/* A new Dwfl with pid's file mappings as modules. */
static Dwfl *dwfl_for(struct flame_unwinder *u, uint32_t pid)
{
	Dwfl *d = dwfl_begin(&u->cb);
	if (!d)
		return NULL;
	dwfl_report_begin(d);
	struct flame_mapping m;
	const struct flame_dso *last = NULL;
	for (size_t i = 0; flame_symbolizer_mapping(u->sym, pid, i, &m); i++) {
		if (m.dso == last)
			continue; /* one module per file, whatever its mappings */
		last = m.dso;
		if (m.dso->path[0] == '/') {
			dwfl_report_elf(d, m.dso->base, m.dso->path, -1, m.bias, false);
		} else if (u->vdso_fd >= 0) {
			int fd = dup(u->vdso_fd); /* libdwfl owns and closes what it gets */
			if (fd >= 0 && !dwfl_report_elf(d, "[vdso]", "[vdso]", fd, m.bias, false))
				close(fd);
		}
	}
	dwfl_report_end(d, NULL, NULL);
	return d;
}

/* The Dwfl for pid's mappings as they are now, ready to unwind. */
static struct dwfl_ent *proc_for(struct flame_unwinder *u, uint32_t pid)
{
	struct pid_ent *pe = pid_get(u, pid);
	uint64_t gen = flame_symbolizer_generation(u->sym, pid);
	if (pe->gen != gen) {
		/* mappings changed, perhaps only anonymous ones (JIT code) */
		pe->sig = mappings_sig(u, pid);
		pe->gen = gen;
	}
	struct dwfl_ent *e = NULL;
	for (size_t i = 0; i < u->ndwfls && !e; i++)
		if (u->dwfls[i].sig == pe->sig)
			e = &u->dwfls[i];
	if (!e) {
		if (u->ndwfls < MAX_DWFLS) {
			e = &u->dwfls[u->ndwfls++];
		} else {
			e = &u->dwfls[0];
			for (size_t i = 1; i < u->ndwfls; i++)
				if (u->dwfls[i].used < e->used)
					e = &u->dwfls[i];
			dwfl_end(e->dwfl);
		}
		*e = (struct dwfl_ent){ pe->sig, dwfl_for(u, pid), 0, 0 };
	}
	e->used = ++u->clock;
	if (e->dwfl && !e->attached)
		e->attached = dwfl_attach_state(e->dwfl, NULL, (pid_t)pid, &thread_cbs, u);
	return e->attached ? e : NULL;
}

/* ---- unwinding ---- */

static void push(struct flame_unwinder *u, uint64_t ip)
{
	FLAME_GROW(u->out, u->cap, u->nout + 1);
	u->out[u->nout++] = ip;
}

static int frame_cb(Dwfl_Frame *frame, void *arg)
{
	struct flame_unwinder *u = arg;
	Dwarf_Addr pc;
	bool activation;
	if (!dwfl_frame_pc(frame, &pc, &activation))
		return DWARF_CB_ABORT;
	if (pc == 0) {
		u->end_zero = 1; /* the end, marked by a zero return address */
		return DWARF_CB_ABORT;
	}
	push(u, pc);
	if (u->nout >= MAX_FRAMES) {
		u->too_deep = 1;
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

/* Whether return address ra is in the entry code of its file (the ELF
 * entry point, "_start"), which is the outermost frame whether or not it
 * has CFI: the dynamic linker's has none. */
static int at_entry(Dwfl *dwfl, uint64_t ra)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, ra - 1);
	Dwarf_Addr bias;
	Elf *e = mod ? dwfl_module_getelf(mod, &bias) : NULL;
	GElf_Ehdr eh;
	if (!e || !gelf_getehdr(e, &eh) || !eh.e_entry)
		return 0;
	uint64_t entry = eh.e_entry + bias;
	return ra > entry && ra - entry <= 64;
}

/* Copy rec's kernel frames: everything before a PERF_CONTEXT_USER marker. */
static void kernel_part(struct flame_unwinder *u, const struct flame_sample_rec *rec)
{
	const uint64_t *ips = rec->u.sample.ips;
	uint32_t n = rec->u.sample.nips;
	if (n == 0 && rec->u.sample.kernel) {
		push(u, (uint64_t)PERF_CONTEXT_KERNEL);
		push(u, rec->u.sample.ip);
		return;
	}
	for (uint32_t i = 0; i < n && ips[i] != (uint64_t)PERF_CONTEXT_USER; i++)
		push(u, ips[i]);
}

enum flame_unwind_result flame_unwind_sample(struct flame_unwinder *u,
					     const struct flame_sample_rec *rec,
					     const uint64_t **ips, uint32_t *n)
{
	uint32_t have;
	if (rec->type != FLAME_REC_SAMPLE || rec->u.sample.regs_abi != REGS_ABI_64 ||
	    !rec->u.sample.regs || !rec->u.sample.stack_size ||
	    flame_unwind_dwarf_regs(rec->u.sample.regs, rec->u.sample.nregs, rec->u.sample.regs_mask,
				    u->dregs, &have) < 0)
		return FLAME_UNWIND_NONE;
	u->nout = 0;
	kernel_part(u, rec);
	push(u, (uint64_t)PERF_CONTEXT_USER);
	size_t first = u->nout;
	u->stack = rec->u.sample.stack;
	u->stack_size = rec->u.sample.stack_size;
	u->sp = u->dregs[DWARF_SP];
	u->past_stack = 0;
	u->read_failed = 0;
	u->too_deep = 0;
	u->end_zero = 0;

	enum flame_unwind_result res = FLAME_UNWIND_CUT_CFI;
	struct dwfl_ent *p = proc_for(u, rec->pid);
	if (p) {
		int rc = dwfl_getthread_frames(p->dwfl, (pid_t)rec->tid, frame_cb, u);
		/* libdwfl takes a return address it cannot read for the end of
		 * the chain: the reads that failed tell a cut from the end */
		if (u->too_deep)
			res = FLAME_UNWIND_CUT_OTHER;
		else if (u->past_stack)
			res = FLAME_UNWIND_CUT_STACK;
		else if ((rc == 0 || u->end_zero) && !u->read_failed)
			res = FLAME_UNWIND_FULL;
		else if (u->nout > first && at_entry(p->dwfl, u->out[u->nout - 1]))
			res = FLAME_UNWIND_FULL;
		else if (rc < 0)
			res = FLAME_UNWIND_CUT_CFI;
		else
			res = FLAME_UNWIND_CUT_OTHER;
	}
	if (u->nout == first)
		push(u, u->dregs[DWARF_IP]); /* at least the sampled address */
	*ips = u->out;
	*n = (uint32_t)u->nout;
	return res;
}

/* ---- frame pointers or not (--call-graph auto) ---- */

#define FP_MAX_FUNCS 4096
#define FP_PEEK 24 /* bytes of each function looked at */

/* Whether code (FP_PEEK bytes) starts with push %rbp (after endbr64) and
 * sets rbp to rsp (mov %rsp,%rbp, in either encoding) within its first
 * instructions: compilers schedule other instructions in between. */
static int fp_prologue(const unsigned char *c, size_t len)
{
	size_t i = 0;
	if (len >= 8 && c[0] == 0xf3 && c[1] == 0x0f && c[2] == 0x1e && c[3] == 0xfa)
		i = 4;
	if (c[i] != 0x55)
		return 0;
	for (i++; i + 3 <= len; i++)
		if (c[i] == 0x48 && ((c[i + 1] == 0x89 && c[i + 2] == 0xe5) ||
				     (c[i + 1] == 0x8b && c[i + 2] == 0xec)))
			return 1;
	return 0;
}

static Elf_Scn *find_symbols(Elf *e, GElf_Shdr *sh)
{
	Elf_Scn *dyn = NULL;
	GElf_Shdr dsh;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(e, scn)) != NULL;) {
		if (!gelf_getshdr(scn, sh) || !sh->sh_entsize)
			continue;
		if (sh->sh_type == SHT_SYMTAB)
			return scn;
		if (sh->sh_type == SHT_DYNSYM) {
			dyn = scn;
			dsh = *sh;
		}
	}
	if (dyn)
		*sh = dsh;
	return dyn;
}

/* Count functions and those with the prologue. */
static void count_prologues(int fd, Elf *e, size_t *nfuncs, size_t *nfp)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_symbols(e, &sh);
	Elf_Data *data = scn ? elf_getdata(scn, NULL) : NULL;
	if (!data)
		return;
	size_t count = sh.sh_size / sh.sh_entsize;
	for (size_t i = 1; i < count && *nfuncs < FP_MAX_FUNCS; i++) {
		GElf_Sym sym;
		GElf_Shdr code;
		if (!gelf_getsym(data, (int)i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    sym.st_size < 8 || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE)
			continue;
		const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
		if (name && strcmp(name, "_start") == 0)
			continue; /* the C runtime's entry: never a frame of its own */
		Elf_Scn *cs = elf_getscn(e, sym.st_shndx);
		if (!cs || !gelf_getshdr(cs, &code) || code.sh_type != SHT_PROGBITS ||
		    !(code.sh_flags & SHF_EXECINSTR) || sym.st_value < code.sh_addr ||
		    sym.st_value - code.sh_addr + 8 > code.sh_size)
			continue;
		unsigned char c[FP_PEEK];
		size_t len = sym.st_size < FP_PEEK ? (size_t)sym.st_size : FP_PEEK;
		if (sym.st_value - code.sh_addr + len > code.sh_size ||
		    pread(fd, c, len, (off_t)(code.sh_offset + sym.st_value - code.sh_addr)) != (ssize_t)len)
			continue;
		(*nfuncs)++;
		*nfp += (size_t)fp_prologue(c, len);
	}
}

int flame_unwind_elf_uses_fp(const char *path, double *share, size_t *nfuncs,
			     struct flame_error *err)
{
	*share = 0;
	*nfuncs = 0;
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return flame_error_set(err, FLAME_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	GElf_Ehdr eh;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || eh.e_machine != EM_X86_64) {
		if (e)
			elf_end(e);
		close(fd);
		return flame_error_set(err, FLAME_ERR_DATA, path, 0, "not an x86-64 ELF file");
	}
	size_t nfp = 0;
	count_prologues(fd, e, nfuncs, &nfp);
	elf_end(e);
	close(fd);
	if (*nfuncs)
		*share = (double)nfp / (double)*nfuncs;
	return *nfuncs >= 4 && *share >= 0.3;
}
