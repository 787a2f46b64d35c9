/*
 * reader.h - the driver that turns input bytes into a profile.
 *
 * It owns format detection, chunking at record boundaries and the worker
 * threads.  Use either flame_read_files() (paths, "-" for stdin) or the
 * push interface: _new, then for each input _begin_file, any number of
 * _feed calls in any chunking, _end_file; finally _finish.  The result
 * does not depend on the chunking or on the number of threads.
 */
#ifndef FLAME_READER_H
#define FLAME_READER_H

#include <stddef.h>
#include <stdint.h>

#include "../core/diag.h"
#include "../core/error.h"
#include "../core/profile.h"
#include "format.h"

struct flame_reader_config {
	const struct flame_format *format; /* NULL: detect each input */
	const struct flame_read_opts *opts;
	int nthreads;                      /* 1 = parse on the calling thread */
	/* flame_read_files() only: progress of the reading (NULL: none).
	 * progress(progress_ctx, name, done, total) is called on the calling
	 * thread, at most 4 times a second, while input `name` is read: done
	 * is the bytes of it read so far and total its size, both as stored
	 * (compressed bytes for a compressed file), total 0 when unknown (a
	 * pipe).  A call with name NULL (done and total 0) means no input is
	 * being read: once as the reading starts, and once as it ends or fails
	 * if a progress call was made, so that a progress line can be cleared. */
	void (*progress)(void *ctx, const char *name, uint64_t done, uint64_t total);
	void *progress_ctx;
	size_t chunk_size;                 /* 0 = default (2 MiB) */
	int background_parse;              /* nthreads 1: parse on a worker thread anyway */
	/* the command's option that names the input format, for the hint of
	 * "unrecognized input format" (NULL: "--format") */
	const char *format_option;
};

/* What the reader learned besides the stacks, for the command to report. */
struct flame_read_report {
	struct flame_diag diag;   /* positions fixed up: chunk = file index, line = file line */
	char **files;             /* input names, indexed by diag file index */
	size_t nfiles;
	const struct flame_format **formats; /* format used per file */
	char *event;              /* perf: event kept, or NULL */
	int event_given;          /* the event came from --event-filter */
	uint64_t bytes;           /* decompressed bytes read */
	uint64_t lines;           /* lines read */
};

void flame_read_report_release(struct flame_read_report *rep);

struct flame_reader;

struct flame_reader *flame_reader_new(const struct flame_reader_config *cfg);
int flame_reader_begin_file(struct flame_reader *r, const char *name, struct flame_error *err);
int flame_reader_feed(struct flame_reader *r, const char *buf, size_t len, struct flame_error *err);
int flame_reader_end_file(struct flame_reader *r, struct flame_error *err);
/* Wait for the workers, merge into out, fill rep, free r. -1 on error. */
int flame_reader_finish(struct flame_reader *r, struct flame_profile *out,
			struct flame_read_report *rep, struct flame_error *err);
/* Give up: stop workers and free r. */
void flame_reader_abort(struct flame_reader *r);

int flame_read_files(const char *const *paths, size_t npaths, const struct flame_reader_config *cfg,
		     struct flame_profile *out, struct flame_read_report *rep,
		     struct flame_error *err);

#endif
