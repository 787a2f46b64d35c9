/*
 * spool.h - decoded perf_event records kept on disk, in order, to be
 * replayed later.
 *
 * flame record --call-graph dwarf copies kilobytes of stack with every
 * sample and unwinds them afterwards: while the command runs, records go
 * to an unlinked temporary file (in $TMPDIR, else /tmp) so that neither
 * memory nor the command's speed depends on how many there are; when it
 * ends, flame_spool_replay() hands them, in the order they were added, to
 * any flame_sampler_cb (the recorder).
 *
 * The file is private to the process that wrote it (gone when it exits);
 * replay still checks every length it reads.  Ownership: pointers inside
 * a replayed record are valid during the callback only.
 */
#ifndef FLAME_SPOOL_H
#define FLAME_SPOOL_H

#include <stdint.h>

#include "../error.h"
#include "sampler.h"

struct flame_spool;

/* Create the temporary file.  -1 with err set when it cannot be made. */
int flame_spool_open(struct flame_spool **out, struct flame_error *err);
void flame_spool_free(struct flame_spool *sp); /* closes (and so deletes) the file */

/* A flame_sampler_cb: ctx is the spool.  A write error is kept and
 * returned by flame_spool_replay(); later records are then dropped. */
void flame_spool_add(void *ctx, const struct flame_sample_rec *rec);

uint64_t flame_spool_records(const struct flame_spool *sp);
uint64_t flame_spool_samples(const struct flame_spool *sp);
uint64_t flame_spool_bytes(const struct flame_spool *sp);

/* Called now and then during replay with the samples replayed so far. */
typedef void (*flame_spool_progress)(void *ctx, uint64_t samples_done, uint64_t samples);

/* Hand every record to cb, in order.  0, or -1 with err set (the spool
 * could not be written or read back). */
int flame_spool_replay(struct flame_spool *sp, flame_sampler_cb cb, void *ctx,
		       flame_spool_progress progress, void *pctx, struct flame_error *err);

#endif
