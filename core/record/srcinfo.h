/*
 * srcinfo.h - source lines and inlined calls of code addresses, from DWARF.
 *
 * One struct flame_srcinfo reads the DWARF of one ELF file (a binary with
 * its own .debug_info, or the separate debug file of a stripped one) with
 * libdw.  For an ELF address it tells which functions were inlined there,
 * innermost first, each with the source line it was executing: the
 * innermost at the address's own line, each outer one at the line of the
 * call that was inlined.  The last entry is the out-of-line function that
 * holds the code.
 *
 * Answers are cached per address (a fixed number of entries, so memory
 * stays bounded however many addresses are asked about).  A flame_srcinfo
 * is not thread-safe: callers that share one lock around it.
 *
 * Ownership: flame_srcinfo_lookup copies its answer into the caller's
 * struct flame_srcchain, whose strings live in the chain's own buffer until
 * the next lookup into it or flame_srcchain_release().
 */
#ifndef FLAME_SRCINFO_H
#define FLAME_SRCINFO_H

#include <stddef.h>
#include <stdint.h>

#include "../util.h"

struct flame_srcframe {
	const char *func;  /* function name, demangled unless disabled; "" when DWARF has none */
	const char *file;  /* source file as DWARF names it (often a full path); "" when unknown */
	unsigned line;     /* 0 when unknown */
};

struct flame_srcchain {
	struct flame_srcframe *f; /* innermost first; f[n-1] is the out-of-line function */
	size_t n, cap;
	struct flame_buf text;    /* holds the strings */
};
#define FLAME_SRCCHAIN_INIT { NULL, 0, 0, FLAME_BUF_INIT }

void flame_srcchain_release(struct flame_srcchain *c);

struct flame_srcinfo;

/* The DWARF of the ELF file at path; NULL when it has none (or is not
 * ELF).  demangle: C++ and Rust linkage names are demangled. */
struct flame_srcinfo *flame_srcinfo_open(const char *path, int demangle);
void flame_srcinfo_free(struct flame_srcinfo *si);

/* The inline chain at ELF address addr (already adjusted for return
 * addresses).  Returns out->n, 0 when no compilation unit covers addr. */
size_t flame_srcinfo_lookup(struct flame_srcinfo *si, uint64_t addr, struct flame_srcchain *out);

/* file's last path component ("src/a.c" -> "a.c"), as perf and addr2line -s print it. */
const char *flame_srcinfo_basename(const char *file);

#endif
