/*
 * prestream.h - read the sample streams libflame-preload.so writes
 * (layout: core/record/preload/stream.h) and turn them into the records the perf
 * sampler produces (core/record/sampler.h), so the recorder, symbolizer, writers
 * and summary are the same for both samplers.
 *
 * The streams are untrusted input: every length and count is checked
 * against the bytes there are; a bad record ends its stream with a message
 * "FILE: offset N: expected ...", never a crash.
 *
 * Record mapping: MMAP -> FLAME_REC_MMAP, COMM -> FLAME_REC_COMM (exec set
 * for the first name of a process image), SAMPLE -> FLAME_REC_SAMPLE (ips
 * leaf first, no PERF_CONTEXT markers, user space, period in ns), LOST ->
 * FLAME_REC_LOST.  Pointers in a record are valid during the callback.
 */
#ifndef FLAME_PRESTREAM_H
#define FLAME_PRESTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "../error.h"
#include "sampler.h"

/* One stream in memory. */
struct flame_prestream {
	const unsigned char *data;
	size_t len, off;
	const char *name;   /* for messages */
	uint32_t pid, ppid;
	uint64_t period;    /* ns */
	uint64_t start;     /* CLOCK_MONOTONIC ns */
	int ended;          /* END records seen */
	int replaced;       /* ... one said the program replaced flame's SIGPROF handler */
	uint64_t *scratch;  /* ips copied when data is not 8-byte aligned */
	char *text;         /* NUL-terminated names */
};

/* Check the header of data[0, len) (not copied: it must outlive s).
 * name is used in messages.  -1 with err on a bad header. */
int flame_prestream_open(struct flame_prestream *s, const void *data, size_t len, const char *name,
			 struct flame_error *err);
/* The next record: 1 (rec filled), 0 at the end, -1 with err on bad data. */
int flame_prestream_next(struct flame_prestream *s, struct flame_sample_rec *rec,
			 struct flame_error *err);
void flame_prestream_release(struct flame_prestream *s);

struct flame_prestream_stats {
	uint64_t streams;      /* stream files read */
	uint64_t processes;    /* distinct process ids among them */
	uint64_t bad;          /* streams cut short by bad data (first_bad says why) */
	uint64_t replaced;     /* programs that replaced flame's SIGPROF handler */
	uint64_t period;       /* the timer interval, ns (0 when no stream) */
	char first_bad[1024];
};

/* Read every DIR/NAME.fps, hand their records to cb: per process image in
 * stream order, images of one pid one after the other (exec), samples of
 * all streams merged by time.  -1 only when dir cannot be read. */
int flame_prestream_read_dir(const char *dir, flame_sampler_cb cb, void *ctx,
			     struct flame_prestream_stats *st, struct flame_error *err);

#endif
