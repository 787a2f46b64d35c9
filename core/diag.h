/*
 * diag.h - data-quality notes: what a reader could not use, and where.
 *
 * Readers count every line they skip, by kind, and keep the first few
 * examples with their position so that a command can say "3 weird stack
 * lines skipped (first at perf.txt:812: ...)" instead of dropping data
 * silently.  Positions are (chunk, line within chunk) while parsing runs in
 * parallel; the reader driver turns them into (file, line) at the end.
 */
#ifndef FLAME_DIAG_H
#define FLAME_DIAG_H

#include <stddef.h>
#include <stdint.h>

enum flame_diag_kind {
	FLAME_DIAG_WEIRD_EVENT,   /* perf: line where an event header was expected */
	FLAME_DIAG_WEIRD_STACK,   /* perf: stack line that does not parse */
	FLAME_DIAG_OTHER_EVENT,   /* perf: sample of an event that was filtered out */
	FLAME_DIAG_BAD_FOLDED,    /* folded: line without "stack count" */
	FLAME_DIAG_BAD_DTRACE,    /* dtrace: header never ended */
	FLAME_DIAG_BAD_RECORD,    /* perf.data: a record that does not decode (skipped) */
	FLAME_DIAG_SYMBOLS,       /* perf.data: a recorded file changed or is gone (build-id) */
	FLAME_DIAG_LATE_EVENT,    /* chrome: an event before its thread's folded time (cut) */
	FLAME_DIAG_TIME_CLAMPED,  /* chrome, cpuprofile: negative time deltas (sample kept at the last time) */
	FLAME_DIAG_UNMATCHED,     /* chrome: an 'E' without 'B' (dropped), a 'B' without 'E' (closed) */
	FLAME_DIAG_OVERLAP,       /* chrome: events not nested on their thread (cut at the enclosing end) */
	FLAME_DIAG_NO_NODE,       /* chrome, cpuprofile: samples of nodes that are not there (dropped) */
	FLAME_DIAG_CHOICE,        /* a note: what a reader chose to read (e.g. a trace's CPU profile) */
	FLAME_DIAG_NKINDS
};

#define FLAME_DIAG_KEEP 3 /* examples kept per kind */

struct flame_diag_example {
	uint64_t chunk; /* reader chunk sequence number; after fix-up: file index */
	uint64_t line;  /* line within the chunk; after fix-up: line within the file */
	char *text;     /* message, owned */
};

struct flame_diag {
	uint64_t count[FLAME_DIAG_NKINDS];
	struct flame_diag_example ex[FLAME_DIAG_NKINDS][FLAME_DIAG_KEEP];
	int nex[FLAME_DIAG_NKINDS];
};

void flame_diag_init(struct flame_diag *d);
void flame_diag_release(struct flame_diag *d);
/* Count one occurrence; keep the message (with a quote of the line, unless
 * text is NULL) if among the first. */
void flame_diag_add(struct flame_diag *d, enum flame_diag_kind kind, uint64_t chunk,
		    uint64_t line, const char *what, const char *text, size_t n);
/* Merge src into dst, keeping the earliest examples by (chunk, line). */
void flame_diag_merge(struct flame_diag *dst, struct flame_diag *src);
const char *flame_diag_kind_name(enum flame_diag_kind kind); /* "weird stack line" */
int flame_diag_kind_is_note(enum flame_diag_kind kind);      /* expected skips, not errors */

#endif
