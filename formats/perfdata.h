/*
 * perfdata.h - perf.data files (`perf record` output), read from memory.
 *
 * flame_perfdata_open() reads the file header ("PERFILE2", this machine's
 * byte order), the events (each perf_event_attr and its ids, whatever
 * the attr size of the perf that wrote it) and the feature sections flame
 * uses: event names (HEADER_EVENT_DESC), build-ids of the mapped files
 * (HEADER_BUILD_ID), host name and command line.  flame_perfdata_records()
 * then walks the data section and hands every record core/record/perfrec
 * decodes to a callback, in time order the way `perf script` delivers
 * them: records are queued and sorted by time; PERF_RECORD_FINISHED_ROUND
 * releases those up to the largest time of the round before (perf writes
 * its per-CPU buffers in rounds), the end of the data releases the rest.
 * Records carry no time when the events do not ask for it: they are then
 * delivered in file order.  PERF_RECORD_COMPRESSED(2) records (perf
 * record -z) are zstd streams of records, decompressed on the way.  In
 * pipe mode (perf record -o -: a 16-byte header) the events come as
 * HEADER_ATTR records, their names as EVENT_UPDATE and the features as
 * HEADER_FEATURE records: pd->events grows during the walk.
 *
 * The input is untrusted: every offset, size and count is checked against
 * the file; an error names the byte offset and what was expected.  Memory
 * is bounded by the records of one round (and by a cap on queued records
 * for files without rounds), not by the file size.
 *
 * Ownership: struct flame_perfdata holds copies of what it keeps (names,
 * ids, build-ids); the buffer must outlive flame_perfdata_records().
 * Records passed to the callback are valid during the call only.
 */
#ifndef FLAME_PERFDATA_H
#define FLAME_PERFDATA_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/record/perfrec.h"

#define FLAME_PERFDATA_MAGIC "PERFILE2"

struct flame_perfdata_event {
	char *name;                     /* "cpu-clock:pppH" as perf script prints it */
	struct flame_perf_layout layout;
	uint32_t type;                  /* perf_event_attr.type */
	uint64_t config;                /* ... .config */
	uint64_t *ids;                  /* the event's ids (several events: which one a record is) */
	size_t nids;
};

struct flame_perfdata_build_id {
	char *path;       /* the file as recorded ("/usr/lib/x86_64-linux-gnu/libc.so.6",
			   * "[kernel.kallsyms]") */
	char hex[41];     /* its build-id, lowercase hex */
	uint32_t pid;     /* -1 as u32 for the host */
	int kernel;       /* the kernel or one of its modules */
};

struct flame_perfdata_stats {
	uint64_t records;      /* records in the data section (compressed ones' contents included) */
	uint64_t samples;      /* PERF_RECORD_SAMPLE among them */
	uint64_t malformed;    /* records core/record/perfrec refused (skipped) */
	uint64_t unknown_id;   /* records of an id no event has (skipped) */
	uint64_t compressed;   /* compressed bytes decompressed */
	uint64_t rounds;       /* PERF_RECORD_FINISHED_ROUND */
	uint64_t out_of_order; /* records older than what a round had already released */
	uint64_t first_bad_offset; /* file offset of the first malformed record */
	uint32_t first_bad_type, first_bad_size; /* ... its type and size */
};

struct flame_perfdata {
	const unsigned char *base;
	size_t len;
	struct flame_perfdata_event *events;
	size_t nevents;
	struct flame_perfdata_build_id *build_ids;
	size_t nbuild_ids;
	char *hostname;         /* NULL when absent */
	char *cmdline;          /* the perf record command, words joined by ' '; NULL when absent */
	char *perf_version;     /* NULL when absent */
	uint64_t data_offset, data_size; /* the data section */
	int pipe;               /* pipe mode (perf record -o -): events declared in the data */
	struct flame_perfdata_stats stats;
};

/* Does buf start like a perf.data file (either byte order, or pipe mode)? */
int flame_perfdata_probe(const void *buf, size_t len);

/* Read the header, the events and the feature sections of the len bytes at
 * buf.  0, or -1 with err set (the file is not usable).  Either way,
 * release pd with flame_perfdata_release(). */
int flame_perfdata_open(struct flame_perfdata *pd, const void *buf, size_t len,
			struct flame_error *err);

/* rec->event is the index into pd->events.  Return non-zero to stop. */
typedef int (*flame_perfdata_fn)(void *ctx, const struct flame_sample_rec *rec);

/* Deliver the records of the data section in time order.  0 when all were
 * read, 1 when fn stopped, -1 with err set on a structural error (a record
 * runs past the data section, a corrupt compressed stream); records before
 * it were delivered. */
int flame_perfdata_records(struct flame_perfdata *pd, flame_perfdata_fn fn, void *ctx,
			   struct flame_error *err);

void flame_perfdata_release(struct flame_perfdata *pd);

/* The build-id of the ELF file at path in hex (out: 41 bytes): 0, or -1
 * when it is unreadable, not ELF or has none. */
int flame_perfdata_file_build_id(const char *path, char *out);

#endif
