/*
 * unwind.h - user stacks from a sample's registers and stack copy
 * (perf_event's PERF_SAMPLE_REGS_USER and PERF_SAMPLE_STACK_USER), with
 * the call frame information of the mapped files (.eh_frame, else the
 * file's own .debug_frame), through libdw's libdwfl.
 *
 * Code built without frame pointers has no chain the kernel can follow;
 * with a copy of the top of the user stack and the registers, the stack
 * is unwound afterwards the way a debugger does it: each frame's CFI says
 * where the caller's return address and registers were saved.
 *
 * The process's mappings are the symbolizer's, as of the sample (records
 * are fed in time order).  A Dwfl holds one set of mapped files at their
 * load addresses and is shared by every process with that set (a parent
 * and the children it forked): files are opened and their CFI indexed
 * once per set, not per sample; a process's set is looked at again only
 * when its mapping generation changes.  The 32 most recently used sets
 * are kept.  Memory reads are served from the stack copy only.  x86-64
 * only.
 *
 * Ownership: the unwinder borrows the symbolizer (which must outlive it);
 * returned arrays belong to the unwinder and stay valid until its next
 * call.
 */
#ifndef FLAME_UNWIND_H
#define FLAME_UNWIND_H

#include <stddef.h>
#include <stdint.h>

#include "../error.h"
#include "perfrec.h"
#include "symbolizer.h"

enum flame_unwind_result {
	FLAME_UNWIND_NONE = 0,  /* no user registers or stack in the sample: nothing done */
	FLAME_UNWIND_FULL,      /* reached the outermost frame (its CFI ends the chain) */
	FLAME_UNWIND_CUT_STACK, /* a frame's data lies past the end of the stack copy */
	FLAME_UNWIND_CUT_CFI,   /* no CFI, or no known mapping, for a frame's address */
	FLAME_UNWIND_CUT_OTHER, /* too deep, or CFI that could not be evaluated */
};

/* The DWARF x86-64 register numbers 0-16 (rax rdx rcx rbx rsi rdi rbp rsp
 * r8-r15, return address = rip) from perf registers: regs holds one value
 * per bit of mask (PERF_REG_X86_*), low bit first.  Registers absent from
 * mask are 0 and their bit in *have stays clear.  -1 when ip or sp is
 * missing. */
int flame_unwind_dwarf_regs(const uint64_t *regs, uint32_t nregs, uint64_t mask,
			    uint64_t out[17], uint32_t *have);

struct flame_unwinder;

struct flame_unwinder *flame_unwinder_new(struct flame_symbolizer *sym);
void flame_unwinder_free(struct flame_unwinder *u);

/* The callchain of sample rec with its user part unwound: the kernel part
 * of rec's callchain (or its ip, for a kernel sample without one), then
 * PERF_CONTEXT_USER and the user frames, leaf (the interrupted ip) first,
 * return addresses after it.  *ips and *n are set only when the result is
 * not FLAME_UNWIND_NONE. */
enum flame_unwind_result flame_unwind_sample(struct flame_unwinder *u,
					     const struct flame_sample_rec *rec,
					     const uint64_t **ips, uint32_t *n);

/* Whether the ELF file at path looks built with frame pointers, for
 * --call-graph auto.  The test: of its function symbols (.symtab, else
 * .dynsym; at most 4096, each at least 8 bytes long, _start left out),
 * the share whose code starts with push %rbp (after an optional endbr64)
 * followed within its first 24 bytes by mov %rsp,%rbp.  GCC and Clang
 * with -fno-omit-frame-pointer start every function that is not a leaf so
 * (leaves too with -mno-omit-leaf-frame-pointer); without it, only the
 * few that need a frame (alloca, variable-length arrays, realigned
 * stacks) do.  *share: that share in [0, 1]; *nfuncs: functions looked
 * at.  1: frame pointers (share >= 0.3); 0: none, or too few functions to
 * tell (fewer than 4); -1: not a readable x86-64 ELF file (err set). */
int flame_unwind_elf_uses_fp(const char *path, double *share, size_t *nfuncs,
			     struct flame_error *err);

#endif
