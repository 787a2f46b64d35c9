/*
 * symbolizer.h - addresses of sampled processes to function names.
 *
 * The symbolizer keeps the state of every process and thread it is told
 * about, in record order: each thread's name (COMM), each process's
 * executable mappings (MMAP2; exec starts afresh, fork copies the parent's),
 * so an address is resolved against the mappings as they were when the
 * sample was taken, even for libraries opened with dlopen and processes
 * that exited long before the end.  A process attached to while running is
 * described from /proc/PID/maps and /proc/PID/task/ instead.
 *
 * Each mapped file (a "dso") is read once with libelf: its PT_LOAD segments
 * turn file offsets into ELF addresses; its functions come from .symtab,
 * else from a separate debug file found by build-id under
 * DEBUG_DIR/.build-id/xx/yyyy.debug or by .gnu_debuglink (beside the file,
 * in .debug/ there, or under DEBUG_DIR; CRC checked), else from .dynsym.
 * Lookups are binary searches.  Kernel addresses come from /proc/kallsyms
 * (read on a background thread, started by flame_symbolizer_new), the vDSO
 * from flame's own copy, JIT code from /tmp/perf-PID.map.  Names are
 * demangled (C++, Rust legacy and v0, with libiberty) unless disabled.
 *
 * Ownership: every string and struct flame_dso returned stays valid until
 * flame_symbolizer_free().
 */
#ifndef FLAME_SYMBOLIZER_H
#define FLAME_SYMBOLIZER_H

#include <stddef.h>
#include <stdint.h>

#include "srcinfo.h"

struct flame_symbolizer_opts {
	int demangle;          /* demangle C++ and Rust names */
	const char *debug_dir; /* root of separate debug files; NULL: /usr/lib/debug */
	int kernel;            /* kernel addresses will be resolved: load /proc/kallsyms */
	const char *kallsyms;  /* ... from this copy of it instead (perf's build-id cache
				* keeps one per recorded kernel); NULL: /proc/kallsyms */
};

/* Where a dso's function names came from. */
enum flame_symsrc {
	FLAME_SYMSRC_NONE = 0,  /* none: unreadable, not ELF, or no symbol table at all */
	FLAME_SYMSRC_DYNSYM,    /* .dynsym only (stripped): exported functions only */
	FLAME_SYMSRC_SYMTAB,    /* the file's own .symtab */
	FLAME_SYMSRC_DEBUGFILE, /* .symtab of a separate debug file */
	FLAME_SYMSRC_SPECIAL,   /* kernel (kallsyms), vDSO, JIT map */
};

struct flame_dso {
	const char *path;        /* as mapped ("/usr/lib/x86_64-linux-gnu/libc.so.6", "[vdso]") */
	const char *base;        /* after the last '/': for "[libc.so.6]" frames */
	enum flame_symsrc src;   /* valid once loaded */
	const char *debug_path;  /* file the symbols came from, when not path; else NULL */
	const char *why;         /* why there are no symbols, "" when there are */
	char build_id[41];       /* hex, "" when none */
	size_t nsyms;
	int jit;                 /* a JIT map (/tmp/perf-PID.map) */
	int kernel;              /* the kernel or one of its modules */
	uint64_t samples;        /* for the caller's statistics: samples with a frame here */
	uint64_t unknown;        /* ... frames here that no symbol covered */
	uint64_t last_sample;    /* ... the caller's sample counter at the last count */
	int no_dwarf;            /* flame_symbolizer_srcinfo() found no DWARF for it */
};

enum flame_sym_kind {
	FLAME_SYM_FOUND,   /* name is set */
	FLAME_SYM_NOSYM,   /* in dso, but no symbol covers the address */
	FLAME_SYM_NOMAP,   /* in no known mapping */
};

struct flame_sym {
	enum flame_sym_kind kind;
	const char *name;        /* FOUND: function name (demangled unless disabled), NUL-terminated */
	const char *raw;         /* FOUND: the symbol as in the file (mangled) */
	struct flame_dso *dso;   /* FOUND, NOSYM; NULL for NOMAP */
	const char *module;      /* FOUND/NOSYM: the module as perf names it, e.g. the path,
				  * "[kernel.kallsyms]", "[nf_tables]", "//anon" */
	int has_addr;            /* addr is set: the address is in a mapped ELF file */
	uint64_t addr;           /* ... its ELF address (after the return-address
				  * adjustment), for flame_symbolizer_srcinfo() */
	uint64_t map_addr;       /* FOUND/NOSYM in a user mapping: the address as perf script
				  * prints it (within the file; anonymous memory: as is) */
};

struct flame_symbolizer;

struct flame_symbolizer *flame_symbolizer_new(const struct flame_symbolizer_opts *o);
void flame_symbolizer_free(struct flame_symbolizer *s);

/* ---- process and thread state, fed in time order ---- */
void flame_symbolizer_comm(struct flame_symbolizer *s, uint32_t pid, uint32_t tid,
			   const char *comm, int exec);
void flame_symbolizer_fork(struct flame_symbolizer *s, uint32_t pid, uint32_t ppid, uint32_t tid,
			   uint32_t ptid);
void flame_symbolizer_exit(struct flame_symbolizer *s, uint32_t pid, uint32_t tid);
/* An executable mapping (PERF_RECORD_MMAP2 fields; maj/min/ino 0 when unknown). */
void flame_symbolizer_mmap(struct flame_symbolizer *s, uint32_t pid, uint64_t start, uint64_t len,
			   uint64_t pgoff, uint32_t maj, uint32_t min, uint64_t ino,
			   const char *filename);
/* Describe a running process from /proc: its mappings and its threads'
 * names.  -1 when it is gone, or after flame_symbolizer_no_proc(). */
int flame_symbolizer_sync_proc(struct flame_symbolizer *s, uint32_t pid);
/* The processes are not live (records from a perf.data file): never read
 * /proc/PID, whose PIDs may now be other processes. */
void flame_symbolizer_no_proc(struct flame_symbolizer *s);

/* The thread's current name; "" for a thread never described (the caller
 * may then use ":TID" like perf).  pid is set to its process when known. */
const char *flame_symbolizer_thread_comm(struct flame_symbolizer *s, uint32_t tid, uint32_t *pid);

/* Identifies pid's mappings as they are now: equal values mean equal
 * mappings, so (generation, address) can key a cache of resolved frames.
 * Never 0; 0 is reserved for the kernel. */
uint64_t flame_symbolizer_generation(struct flame_symbolizer *s, uint32_t pid);

/* Resolve a user-space address of process pid (ret: a return address, so
 * the call is just before it), or a kernel address (pid ignored). */
void flame_symbolizer_user(struct flame_symbolizer *s, uint32_t pid, uint64_t addr, int ret,
			   struct flame_sym *out);
void flame_symbolizer_kernel(struct flame_symbolizer *s, uint64_t addr, int ret,
			     struct flame_sym *out);

/* Whether kernel symbols are available (kallsyms readable with real
 * addresses); waits for the background load.  why: reason when not. */
int flame_symbolizer_kernel_ok(struct flame_symbolizer *s, const char **why);

/* An executable file mapping of a process, for unwinding (core/record/unwind.h). */
struct flame_mapping {
	uint64_t start, end, pgoff; /* bytes */
	uint64_t bias;              /* address = ELF address (p_vaddr space) + bias */
	const struct flame_dso *dso; /* dso->path is the file */
};

/* The i-th (from 0, lowest address first) of pid's executable mappings
 * backed by an ELF file, as they are now: files and the vDSO ("[vdso]"),
 * JIT and anonymous code left out.  1: *out filled; 0: i is past the last
 * one. */
int flame_symbolizer_mapping(struct flame_symbolizer *s, uint32_t pid, size_t i,
			     struct flame_mapping *out);
/* ---- source lines and inlined calls (DWARF, read on first use) ---- */

/* The inline chain at ELF address addr of d (flame_sym.addr): see
 * srcinfo.h.  DWARF comes from the file itself, else from the separate
 * debug file found as for symbols.  Returns out->n; 0 when d has no DWARF
 * for addr. */
size_t flame_symbolizer_srcinfo(struct flame_symbolizer *s, struct flame_dso *d, uint64_t addr,
				struct flame_srcchain *out);

/* A file named by path alone (as perf script prints it), for the two
 * calls below; NULL for names that are no file ("[vdso]", "[unknown]"). */
struct flame_dso *flame_symbolizer_file(struct flame_symbolizer *s, const char *path);

/* The ELF address of a runtime address pc that perf printed as
 * "sym+0xoff" (has_off) or "sym" in d.  Shared libraries and PIE
 * executables are loaded at an address perf script does not print, so it
 * is found from the symbol: its ELF address plus off; without off, the
 * one address in the symbol with pc's offset in its page (the load bias
 * is a multiple of the page size); for non-PIE executables pc itself.
 * -1 when none of these applies. */
int flame_symbolizer_file_addr(struct flame_symbolizer *s, struct flame_dso *d, const char *sym,
			       size_t sym_len, int has_off, uint64_t off, uint64_t pc, uint64_t *addr);

/* Every dso loaded so far (for the data-quality summary), in load order. */
size_t flame_symbolizer_dsos(struct flame_symbolizer *s, struct flame_dso ***out);

/* The Debian package that ships the debug symbols of path, when dpkg can
 * tell ("libc6-dbg", "libssl3-dbgsym"); NULL otherwise.  Runs dpkg-query:
 * call it for the few files worth a hint, after the profile is written. */
char *flame_symbolizer_debug_package(const char *path);

#endif
