/*
 * test_unwind.c - unit tests of core/record/unwind and core/record/spool, in-process (no
 * perf_event_open needed):
 *
 *   - perf registers to DWARF numbering;
 *   - a synthetic sample of this very program: registers and a stack copy
 *     taken in test_capture(), called through test_middle() and
 *     test_outer(), unwound from this program's CFI back to main and the
 *     C runtime's entry; a copy too small is reported cut at its end;
 *   - the frame-pointer test of --call-graph auto on the workloads built
 *     with and without frame pointers (paths given as arguments);
 *   - records through a spool file and back, equal.
 *
 * usage: unit_unwind NOFP_PROGRAM FP_PROGRAM
 */
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record/sampler.h"
#include "core/record/spool.h"
#include "core/record/symbolizer.h"
#include "core/record/unwind.h"

#include "check.h"

int failures;

static void t_regs(void)
{
	/* the 17 values of FLAME_SAMPLER_REGS_USER, in perf order: value =
	 * 100 + PERF_REG_X86_* number */
	static const unsigned perf_no[17] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 17, 18, 19, 20, 21, 22, 23 };
	uint64_t regs[17], out[17];
	for (int i = 0; i < 17; i++)
		regs[i] = 100 + perf_no[i];
	uint32_t have;
	CHECK(flame_unwind_dwarf_regs(regs, 17, FLAME_SAMPLER_REGS_USER, out, &have) == 0);
	CHECK(have == 0x1ffff);
	CHECK(out[0] == 100);      /* rax = AX */
	CHECK(out[1] == 103);      /* rdx = DX */
	CHECK(out[2] == 102);      /* rcx = CX */
	CHECK(out[3] == 101);      /* rbx = BX */
	CHECK(out[6] == 106);      /* rbp = BP */
	CHECK(out[7] == 107);      /* rsp = SP */
	CHECK(out[8] == 116);      /* r8 */
	CHECK(out[15] == 123);     /* r15 */
	CHECK(out[16] == 108);     /* return address column = IP */
	/* only ip and sp */
	uint64_t two[2] = { 7, 8 };
	CHECK(flame_unwind_dwarf_regs(two, 2, (1u << 7) | (1u << 8), out, &have) == 0);
	CHECK(out[7] == 7 && out[16] == 8 && out[3] == 0 && have == ((1u << 7) | (1u << 16)));
	/* no sp: nothing to unwind from */
	CHECK(flame_unwind_dwarf_regs(two, 2, (1u << 6) | (1u << 8), out, &have) < 0);
	/* fewer values than the mask says */
	CHECK(flame_unwind_dwarf_regs(two, 1, (1u << 7) | (1u << 8), out, &have) < 0);
}

/* ---- a sample of this program ---- */

#define STACK_COPY 8192

struct snap {
	uint64_t regs[17]; /* perf order: ax bx cx dx si di bp sp ip r8-r15 */
	unsigned char stack[STACK_COPY];
	uint64_t stack_size;
};

/* The top of the stack sp is on, from /proc/self/maps. */
static uint64_t stack_end(uint64_t sp)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	uint64_t end = 0;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		if (sscanf(line, "%llx-%llx", &a, &b) == 2 && sp >= a && sp < b)
			end = b;
	}
	if (f)
		fclose(f);
	return end;
}

/* Byte by byte, and not instrumented: callers' frames hold ASan red zones. */
__attribute__((no_sanitize("address"), noinline)) static void copy_stack(struct snap *s)
{
	uint64_t sp = s->regs[7], end = stack_end(sp);
	uint64_t n = end > sp ? end - sp : 0;
	if (n > STACK_COPY)
		n = STACK_COPY;
	const volatile unsigned char *p = (const volatile unsigned char *)(uintptr_t)sp;
	for (uint64_t i = 0; i < n; i++)
		s->stack[i] = p[i];
	s->stack_size = n;
}

__attribute__((noinline)) void test_capture(struct snap *s)
{
	/* every general-purpose register, and ip and sp of this very point:
	 * what PERF_SAMPLE_REGS_USER holds for a sample taken here */
	__asm__ volatile("mov %%rax, 0(%0)\n\t"
			 "mov %%rbx, 8(%0)\n\t"
			 "mov %%rcx, 16(%0)\n\t"
			 "mov %%rdx, 24(%0)\n\t"
			 "mov %%rsi, 32(%0)\n\t"
			 "mov %%rdi, 40(%0)\n\t"
			 "mov %%rbp, 48(%0)\n\t"
			 "mov %%rsp, 56(%0)\n\t"
			 "lea 0(%%rip), %%rax\n\t"
			 "mov %%rax, 64(%0)\n\t"
			 "mov %%r8, 72(%0)\n\t"
			 "mov %%r9, 80(%0)\n\t"
			 "mov %%r10, 88(%0)\n\t"
			 "mov %%r11, 96(%0)\n\t"
			 "mov %%r12, 104(%0)\n\t"
			 "mov %%r13, 112(%0)\n\t"
			 "mov %%r14, 120(%0)\n\t"
			 "mov %%r15, 128(%0)\n\t"
			 :
			 : "r"(s->regs)
			 : "rax", "memory");
	copy_stack(s);
}

__attribute__((noinline)) int test_middle(struct snap *s)
{
	test_capture(s);
	__asm__ volatile("" ::: "memory"); /* no tail call */
	return 1;
}

__attribute__((noinline)) int test_outer(struct snap *s)
{
	int r = test_middle(s);
	__asm__ volatile("" ::: "memory");
	return r + 1;
}

static struct flame_sample_rec sample_of(const struct snap *s, uint64_t stack_size)
{
	struct flame_sample_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.type = FLAME_REC_SAMPLE;
	rec.pid = (uint32_t)getpid();
	rec.tid = rec.pid;
	rec.u.sample.ip = s->regs[8];
	rec.u.sample.regs_abi = 2; /* PERF_SAMPLE_REGS_ABI_64 */
	rec.u.sample.regs = s->regs;
	rec.u.sample.nregs = 17;
	rec.u.sample.regs_mask = FLAME_SAMPLER_REGS_USER;
	rec.u.sample.stack = s->stack;
	rec.u.sample.stack_size = stack_size;
	return rec;
}

static void t_unwind_self(void)
{
	static struct snap s;
	test_outer(&s);
	CHECK(s.stack_size > 256);
	struct flame_symbolizer_opts so = { .demangle = 0 };
	struct flame_symbolizer *sym = flame_symbolizer_new(&so);
	CHECK(flame_symbolizer_sync_proc(sym, (uint32_t)getpid()) == 0);
	struct flame_unwinder *u = flame_unwinder_new(sym);

	struct flame_sample_rec rec = sample_of(&s, s.stack_size);
	const uint64_t *ips;
	uint32_t n;
	enum flame_unwind_result res = flame_unwind_sample(u, &rec, &ips, &n);
	CHECK(res == FLAME_UNWIND_FULL);
	CHECK(n >= 5 && ips[0] == (uint64_t)PERF_CONTEXT_USER && ips[1] == s.regs[8]);
	static const char *const want[] = { "test_capture", "test_middle", "test_outer", "main" };
	size_t w = 0;
	for (uint32_t i = 1; i < n; i++) {
		struct flame_sym sy;
		flame_symbolizer_user(sym, rec.pid, ips[i], i > 1, &sy);
		const char *name = sy.kind == FLAME_SYM_FOUND ? sy.name : "?";
		if (getenv("VERBOSE"))
			printf("  %#" PRIx64 " %s\n", ips[i], name);
		if (w < 4 && strcmp(name, want[w]) == 0)
			w++;
	}
	CHECK(w == 4); /* the four, in order, leaf first */

	/* a copy that ends inside test_capture's frame: cut at its end */
	rec = sample_of(&s, 16);
	res = flame_unwind_sample(u, &rec, &ips, &n);
	if (getenv("VERBOSE"))
		printf("  16 bytes: result %d, %u entries\n", (int)res, n);
	CHECK(res == FLAME_UNWIND_CUT_STACK);
	CHECK(n >= 2 && ips[1] == s.regs[8]);

	/* a kernel sample: its kernel part comes first */
	uint64_t kchain[3] = { (uint64_t)PERF_CONTEXT_KERNEL, 0xffffffff81000010ull, 0xffffffff81000020ull };
	rec = sample_of(&s, s.stack_size);
	rec.u.sample.ips = kchain;
	rec.u.sample.nips = 3;
	rec.u.sample.kernel = 1;
	res = flame_unwind_sample(u, &rec, &ips, &n);
	CHECK(res == FLAME_UNWIND_FULL);
	CHECK(n >= 5 && memcmp(ips, kchain, sizeof(kchain)) == 0 && ips[3] == (uint64_t)PERF_CONTEXT_USER);

	/* no registers: nothing to do */
	rec = sample_of(&s, s.stack_size);
	rec.u.sample.regs_abi = 0;
	CHECK(flame_unwind_sample(u, &rec, &ips, &n) == FLAME_UNWIND_NONE);

	/* garbage registers and stack: cut, never a crash */
	static struct snap junk;
	for (size_t i = 0; i < sizeof(junk.stack); i++)
		junk.stack[i] = (unsigned char)(i * 131 + 7);
	for (int i = 0; i < 17; i++)
		junk.regs[i] = 0x0123456789abcdefull * (uint64_t)(i + 1);
	junk.regs[8] = s.regs[8]; /* a real ip, with an impossible sp and stack */
	rec = sample_of(&junk, sizeof(junk.stack));
	res = flame_unwind_sample(u, &rec, &ips, &n);
	CHECK(res != FLAME_UNWIND_NONE && n >= 2);

	flame_unwinder_free(u);
	flame_symbolizer_free(sym);
}

static void t_fp_test(const char *nofp, const char *fp)
{
	double share;
	size_t nfuncs;
	struct flame_error err = { 0 };
	CHECK(flame_unwind_elf_uses_fp(nofp, &share, &nfuncs, &err) == 0);
	CHECK(nfuncs >= 4 && share < 0.3);
	CHECK(flame_unwind_elf_uses_fp(fp, &share, &nfuncs, &err) == 1);
	CHECK(nfuncs >= 4 && share >= 0.3);
	CHECK(flame_unwind_elf_uses_fp("/proc/self/status", &share, &nfuncs, &err) < 0);
	CHECK(strstr(err.msg, "not an x86-64 ELF file") != NULL);
	CHECK(flame_unwind_elf_uses_fp("/nonexistent/x", &share, &nfuncs, &err) < 0);
}

/* ---- spool ---- */

struct seen {
	int n;
	int ok;
};

static void check_replayed(void *ctx, const struct flame_sample_rec *rec)
{
	struct seen *s = ctx;
	switch (s->n++) {
	case 0:
		s->ok += rec->type == FLAME_REC_MMAP && strcmp(rec->u.mmap.filename, "/lib/x.so") == 0 &&
			 rec->u.mmap.start == 0x1000 && rec->u.mmap.build_id_size == 3 &&
			 memcmp(rec->u.mmap.build_id, "\1\2\3", 3) == 0;
		break;
	case 1:
		s->ok += rec->type == FLAME_REC_COMM && strcmp(rec->u.comm.comm, "prog") == 0 &&
			 rec->u.comm.exec == 1;
		break;
	case 2:
		s->ok += rec->type == FLAME_REC_SAMPLE && rec->u.sample.nips == 3 &&
			 rec->u.sample.ips[2] == 33 && ((uintptr_t)rec->u.sample.ips & 7) == 0 &&
			 rec->u.sample.nregs == 2 && rec->u.sample.regs[1] == 5 &&
			 ((uintptr_t)rec->u.sample.regs & 7) == 0 && rec->u.sample.stack_size == 5 &&
			 memcmp(rec->u.sample.stack, "abcde", 5) == 0 && rec->u.sample.raw == NULL &&
			 rec->time == 42;
		break;
	case 3:
		s->ok += rec->type == FLAME_REC_LOST && rec->u.lost.lost == 9;
		break;
	}
}

static void t_spool(void)
{
	struct flame_spool *sp;
	struct flame_error err = { 0 };
	CHECK(flame_spool_open(&sp, &err) == 0);
	if (!sp)
		return;
	struct flame_sample_rec r;
	memset(&r, 0, sizeof(r));
	r.type = FLAME_REC_MMAP;
	r.u.mmap.start = 0x1000;
	r.u.mmap.filename = "/lib/x.so";
	r.u.mmap.build_id = (const unsigned char *)"\1\2\3";
	r.u.mmap.build_id_size = 3;
	flame_spool_add(sp, &r);
	memset(&r, 0, sizeof(r));
	r.type = FLAME_REC_COMM;
	r.u.comm.comm = "prog";
	r.u.comm.exec = 1;
	flame_spool_add(sp, &r);
	uint64_t ips[3] = { 11, 22, 33 }, regs[2] = { 4, 5 };
	memset(&r, 0, sizeof(r));
	r.type = FLAME_REC_SAMPLE;
	r.time = 42;
	r.u.sample.ips = ips;
	r.u.sample.nips = 3;
	r.u.sample.regs = regs;
	r.u.sample.nregs = 2;
	r.u.sample.stack = (const unsigned char *)"abcde";
	r.u.sample.stack_size = 5;
	flame_spool_add(sp, &r);
	memset(&r, 0, sizeof(r));
	r.type = FLAME_REC_LOST;
	r.u.lost.lost = 9;
	flame_spool_add(sp, &r);
	CHECK(flame_spool_records(sp) == 4 && flame_spool_samples(sp) == 1);
	struct seen seen = { 0, 0 };
	CHECK(flame_spool_replay(sp, check_replayed, &seen, NULL, NULL, &err) == 0);
	CHECK(seen.n == 4 && seen.ok == 4);
	flame_spool_free(sp);
}

int main(int argc, char **argv)
{
	t_regs();
	t_unwind_self();
	if (argc > 2)
		t_fp_test(argv[1], argv[2]);
	t_spool();
	if (failures) {
		fprintf(stderr, "%d check%s failed\n", failures, failures == 1 ? "" : "s");
		return 1;
	}
	printf("ok\n");
	return 0;
}
