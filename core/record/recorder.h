/*
 * recorder.h - the sink between the sampler and the profile: records in,
 * folded stacks out.
 *
 * Side-band records keep the symbolizer's view of processes up to date;
 * each sample becomes one stack "comm;outermost;...;leaf" (user frames
 * below kernel frames) weighted by its period, named the way
 * `perf script | flame collapse` names frames: symbols without offsets or
 * argument lists, ';' as ':', quotes removed, unresolved frames as
 * "[unknown]" or "[libfoo.so]" (with --addrs "[libfoo.so <7f12ab>]"),
 * optional _[k] and _[j] marks, root "comm", "comm-PID" or "comm-PID/TID".
 *
 * A sample that carries user registers and a copy of the user stack
 * (flame record --call-graph dwarf, perf record --call-graph dwarf) gets
 * its user frames from core/record/unwind instead of the kernel's callchain.
 *
 * With inline_frames, a user frame whose code was inlined is followed by
 * the inlined functions, outermost first, each "name_[i]"; with srcline
 * every user frame gets ":FILE:LINE" (FILE's last component; the line it
 * was executing, for an outer function of an inline chain the line of the
 * inlined call), or ":DSO" when there is no line table, as
 * `perf script -F +srcline | flame collapse --srcline` names them.
 *
 * A resolved frame (with its inlined frames) is cached by (mapping
 * generation, address), so a repeated address costs one hash lookup.  With opts.timeline the profile
 * also keeps every sample's leaf, thread and time (core/profile.h).
 */
#ifndef FLAME_RECORDER_H
#define FLAME_RECORDER_H

#include <stdint.h>

#include "../profile.h"
#include "sampler.h"
#include "symbolizer.h"

struct flame_recorder_opts {
	int include_pid;     /* root frame "comm-PID" */
	int include_tid;     /* root frame "comm-PID/TID" */
	int annotate_kernel; /* kernel frames end in _[k] */
	int annotate_jit;    /* JIT frames end in _[j] */
	int include_addrs;   /* unresolved frames show their address */
	int demangle;        /* demangle C++ and Rust names */
	const char *debug_dir; /* NULL: /usr/lib/debug */
	int kernel;          /* kernel frames expected: read /proc/kallsyms */
	int timeline;        /* keep the sample list in the profile */
	int offcpu;          /* samples of FLAME_SAMPLER_EVENT_OFFCPU are switch-out stacks,
			      * weighted by the ns until the thread runs again (core/record/offcpu.h) */
	int annotate_offcpu; /* ... and their frames end in _[o] (--wall) */
	int inline_frames;   /* --inline: inlined calls (DWARF) become frames "name_[i]" */
	int srcline;         /* --srcline: frames end in ":file.c:LINE" (DWARF), else ":dso" */
	int no_proc;         /* records from a file (perf.data): never look at /proc/PID */
	const char *kallsyms; /* kernel symbols from this file, not /proc/kallsyms (NULL) */
	int ret_as_is;       /* look return addresses up as they are, as perf script does,
			      * not at the call before them (which names a call that
			      * ends a function after that function) */
};

struct flame_record_stats {
	uint64_t samples;     /* samples added to the profile */
	uint64_t lost;        /* samples the kernel dropped (ring buffer full) */
	uint64_t throttled;   /* times the kernel throttled sampling */
	uint64_t user_stacks; /* samples with user-space frames */
	uint64_t truncated;   /* ... of which the outermost frame is no thread or process entry */
	uint64_t max_depth;   /* samples of real deep stacks cut at kernel.perf_event_max_stack
				 * (counted as truncated too) */
	uint64_t frames;      /* frames in all samples */
	uint64_t unknown;     /* ... not resolved to a function */
	uint64_t kernel_frames;
	uint64_t threads;     /* distinct threads with samples */
	uint64_t processes;   /* distinct processes with samples */
	uint64_t first_time, last_time; /* of samples, CLOCK_MONOTONIC ns */
	/* samples with a user stack copy, unwound with DWARF CFI (core/record/unwind.h) */
	uint64_t dwarf_stacks;
	uint64_t dwarf_full;      /* ... unwound to the outermost frame */
	uint64_t dwarf_cut_stack; /* ... cut: the stack copy was too small */
	uint64_t dwarf_cut_cfi;   /* ... cut: no CFI or no file for a frame, or too deep */
	uint64_t offcpu_samples;   /* switch-out stacks (not counted in samples) */
	uint64_t offcpu_intervals; /* ... charged: their threads came back, exited or the end came */
	uint64_t offcpu_preempted; /* ... of which the thread was runnable (waiting for a CPU) */
	uint64_t offcpu_ns;        /* total off-CPU time charged */
	uint64_t offcpu_unmatched; /* switch-out stacks whose switch-in record was lost */
};

struct flame_recorder;

/* Samples go into prof (initialised by the caller, which keeps ownership). */
struct flame_recorder *flame_recorder_new(struct flame_profile *prof,
					  const struct flame_recorder_opts *o);
void flame_recorder_free(struct flame_recorder *r);

/* The sampler callback: ctx is the recorder. */
void flame_recorder_add(void *ctx, const struct flame_sample_rec *rec);

/* After the last record: threads still off a CPU are charged until end
 * (CLOCK_MONOTONIC ns, the end of recording). */
void flame_recorder_finish(struct flame_recorder *r, uint64_t end);

const struct flame_record_stats *flame_recorder_stats(const struct flame_recorder *r);
struct flame_symbolizer *flame_recorder_symbolizer(struct flame_recorder *r);

#endif
