/*
 * offcpu.h - off-CPU time for flame record: where the kernel's
 * sched:sched_switch tracepoint id comes from (tracefs), and the
 * bookkeeping that turns switch-out stacks into intervals off the CPU.
 *
 * The sampler samples sched:sched_switch on the recorded threads (one
 * sample, with its call chain, each time one of them leaves a CPU) and
 * asks for PERF_RECORD_SWITCH records on the same event, which say when a
 * thread comes back and whether it left while still runnable (preempted).
 * Records arrive in time order, so per thread the sequence is: switch-out
 * sample, switch-out record, ..., switch-in record.  An interval runs from
 * the switch-out sample to the switch-in record; a thread that never comes
 * back is charged until its exit or the end of the recording.
 *
 * Memory: one entry per thread that is off a CPU right now (entries go at
 * switch-in and exit), plus one per distinct frame name marked _[o].
 */
#ifndef FLAME_OFFCPU_H
#define FLAME_OFFCPU_H

#include <stddef.h>
#include <stdint.h>

#include "../error.h"
#include "../strtab.h"

/* The id of tracepoint SYSTEM:EVENT (events/SYSTEM/EVENT/id in tracefs),
 * for perf_event_attr.config with PERF_TYPE_TRACEPOINT.  tracefs is looked
 * for at /sys/kernel/tracing, then /sys/kernel/debug/tracing; when neither
 * is mounted it is mounted at /sys/kernel/tracing (as perf does), which
 * needs root.  Errors say what failed and the command that fixes it. */
int flame_tracefs_event_id(const char *system, const char *event, uint64_t *id,
			   struct flame_error *err);

/* Directory flame_tracefs_event_id() would read ("" before the first call). */
const char *flame_tracefs_dir(void);

/* The frame that tops a preempted thread's stack (it was runnable, waiting
 * for a CPU, not blocked). */
#define FLAME_OFFCPU_PREEMPTED "[preempted]"
/* The mark of frames of off-CPU stacks in a profile that also holds CPU
 * samples (flame record --wall). */
#define FLAME_OFFCPU_MARK "_[o]"

struct flame_offcpu_interval {
	uint32_t pid, tid;
	uint32_t node;       /* the caller's handle of the switch-out stack */
	uint32_t thread;     /* the caller's handle of the thread */
	uint64_t start, end; /* ns: switch-out sample, switch-in (or exit, or end) */
	int preempt;         /* left the CPU while runnable */
	int cut;             /* ended by exit or the end of recording, not a switch-in */
};

struct flame_offcpu_stats {
	uint64_t intervals;  /* intervals handed out */
	uint64_t preempted;  /* ... of which preempted */
	uint64_t cut;        /* ... of which ended by exit or the end */
	uint64_t unmatched;  /* switch-out stacks dropped: a second one came first
			      * (the switch-in record was lost) */
	uint64_t ns;         /* total length of the intervals */
};

struct flame_offcpu;

struct flame_offcpu *flame_offcpu_new(void);
void flame_offcpu_free(struct flame_offcpu *o);

/* Thread tid left a CPU at time with the stack the caller calls node. */
void flame_offcpu_out(struct flame_offcpu *o, uint32_t pid, uint32_t tid, uint64_t time,
		      uint32_t node, uint32_t thread);
/* A PERF_RECORD_SWITCH of tid.  For a switch-in of a thread that is off a
 * CPU, returns 1 and fills *iv; a switch-out only notes preempt. */
int flame_offcpu_switch(struct flame_offcpu *o, uint32_t tid, int out, int preempt, uint64_t time,
			struct flame_offcpu_interval *iv);
/* Thread tid exited at time: 1 and *iv when it was off a CPU. */
int flame_offcpu_exit(struct flame_offcpu *o, uint32_t tid, uint64_t time,
		      struct flame_offcpu_interval *iv);
/* The end of recording: hands out one pending interval (cut at end, or at
 * its own start when end is earlier) per call; 0 when none is left. */
int flame_offcpu_finish(struct flame_offcpu *o, uint64_t end, struct flame_offcpu_interval *iv);

/* Threads off a CPU right now. */
size_t flame_offcpu_pending(const struct flame_offcpu *o);
const struct flame_offcpu_stats *flame_offcpu_stats(const struct flame_offcpu *o);

/* Name id of name id's off-CPU twin in names: the same text with any _[k],
 * _[j] or _[i] mark replaced by _[o] (one mark per frame, so viewers that
 * strip one mark show the plain name).  Cached per id. */
uint32_t flame_offcpu_mark(struct flame_offcpu *o, struct flame_strtab *names, uint32_t id);

#endif
