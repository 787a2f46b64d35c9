/*
 * sampler.h - sample running threads with perf_event_open(2), no perf
 * binary involved.
 *
 * One event per (thread, CPU) with inherit set, so every thread and child
 * process the sampled tasks create later is followed too, across exec.
 * Output goes to one ring buffer per CPU: the first event opened on a CPU
 * owns the buffer, later ones are redirected to it
 * (PERF_EVENT_IOC_SET_OUTPUT), and inherited events write to their
 * parent's buffer.  With cfg.offcpu the sched:sched_switch tracepoint is
 * opened the same way, into the same buffers (or alone); rec.event says
 * which event wrote a record.
 *
 * Records come back through flame_sampler_drain() in time order across
 * CPUs: each drain reads every buffer, queues what it read, and hands over
 * the records older than the start of the previous drain (which every
 * buffer has certainly delivered by now); the final drain hands over the
 * rest.  Side-band records (mmap, comm, fork, exit) arrive interleaved with
 * samples, so a consumer can keep a process's mappings as of each sample.
 * Times are CLOCK_MONOTONIC nanoseconds.
 *
 * Ownership: pointers inside a struct flame_sample_rec are valid during the
 * callback only.  Errors come back as struct flame_error with the reason
 * and the fix spelled out (perf_event_paranoid, capabilities, seccomp).
 */
#ifndef FLAME_SAMPLER_H
#define FLAME_SAMPLER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../error.h"
#include "perfrec.h" /* struct flame_sample_rec */

enum flame_scope {
	FLAME_SCOPE_AUTO = 0, /* user and kernel; user only when the kernel part is denied */
	FLAME_SCOPE_USER,     /* --user-only */
	FLAME_SCOPE_KERNEL,   /* --kernel-only */
	FLAME_SCOPE_BOTH,     /* user and kernel, or fail */
};

/* Off-CPU sampling: the sched:sched_switch tracepoint on the same tasks
 * (sample_period 1, the same sample fields as the CPU event, user and
 * kernel call chains as the scope allows) with attr.context_switch, so
 * that every switch-out of a thread is a sample with its stack and every
 * switch in or out a FLAME_REC_SWITCH record.  Its records carry
 * rec.event = FLAME_SAMPLER_EVENT_OFFCPU. */
enum flame_offcpu_mode {
	FLAME_OFFCPU_NONE = 0,
	FLAME_OFFCPU_ALSO,    /* the CPU event and the tracepoint (--wall) */
	FLAME_OFFCPU_ONLY,    /* the tracepoint alone (--off-cpu) */
};

/* rec.event of the records flame_sampler_drain() hands over */
#define FLAME_SAMPLER_EVENT_CPU 0u
#define FLAME_SAMPLER_EVENT_OFFCPU 1u

struct flame_sampler_config {
	const char *event;    /* "cpu-clock" (default when NULL), "task-clock", "cycles", ... */
	uint64_t freq;        /* samples per second of the event's time, per thread (Hz) */
	enum flame_scope scope;
	unsigned mmap_pages;  /* data pages per ring buffer (power of two); 0 = 128 (512 KiB) */
	uint32_t stack_user;  /* bytes of user stack copied with each sample, for DWARF
			       * unwinding (rounded up to 8, at most FLAME_SAMPLER_STACK_MAX);
			       * 0 = none.  The samples then carry the user registers
			       * (FLAME_SAMPLER_REGS_USER) and the kernel's callchain stops at
			       * the user boundary (exclude_callchain_user). */
	enum flame_offcpu_mode offcpu;
	uint64_t offcpu_tracepoint; /* id of sched:sched_switch (flame_tracefs_event_id()) */
};

/* The largest stack_user: a record's size is 16 bits.  The kernel trims the
 * copy of each sample further so that the whole record fits. */
#define FLAME_SAMPLER_STACK_MAX 65528u
/* PERF_SAMPLE_REGS_USER mask with stack_user (x86-64): ax bx cx dx si di
 * bp sp ip and r8-r15 (PERF_REG_X86_*), every general-purpose register. */
#define FLAME_SAMPLER_REGS_USER 0xff01ffull

typedef void (*flame_sampler_cb)(void *ctx, const struct flame_sample_rec *rec);

struct flame_sampler;

/* Whether this process runs under a seccomp filter ("Seccomp: 2" in
 * /proc/self/status), which may be what refuses perf_event_open. */
int flame_sampler_seccomp_filtered(void);

/* Names of the events -e accepts, for help and messages ("cpu-clock, ..."). */
const char *flame_sampler_event_names(void);
/* Whether name is an event this file knows (aliases included). */
int flame_sampler_event_known(const char *name);

struct flame_sampler *flame_sampler_new(const struct flame_sampler_config *cfg);
void flame_sampler_free(struct flame_sampler *s); /* closes everything */

/* Open events for thread tid on every CPU.  enable_on_exec: start counting
 * when tid calls exec (for a command started by flame), else call
 * flame_sampler_enable().  Falls back from a hardware event the machine
 * lacks to cpu-clock, and (FLAME_SCOPE_AUTO) from user+kernel to user only
 * when the kernel part is denied; flame_sampler_notes() says so.  -1 on
 * error; ESRCH (the thread is gone) is reported through *gone instead when
 * gone is not NULL. */
int flame_sampler_open(struct flame_sampler *s, pid_t tid, int enable_on_exec, int *gone,
		       struct flame_error *err);
int flame_sampler_enable(struct flame_sampler *s, struct flame_error *err);
void flame_sampler_disable(struct flame_sampler *s);

/* Notes on what was adjusted (event fallback, user only), "" when none. */
const char *flame_sampler_notes(const struct flame_sampler *s);
const char *flame_sampler_event(const struct flame_sampler *s); /* event in use */
int flame_sampler_has_kernel(const struct flame_sampler *s);    /* kernel frames sampled */
int flame_sampler_has_user(const struct flame_sampler *s);

/* The ring buffers' descriptors, to poll for POLLIN (up to max written). */
size_t flame_sampler_pollfds(const struct flame_sampler *s, int *fds, size_t max);

/* Read every ring buffer and hand the records that are safe to order to cb,
 * oldest first; final: hand over everything queued.  Returns records read. */
size_t flame_sampler_drain(struct flame_sampler *s, int final, flame_sampler_cb cb, void *ctx);

/* Bytes queued but not handed over yet (for tests and progress). */
size_t flame_sampler_queued(const struct flame_sampler *s);

#endif
