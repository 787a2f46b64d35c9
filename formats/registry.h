/*
 * registry.h - the one place that knows every format: names, aliases,
 * file-name suffixes, whether a writer shows time, and how to tell a
 * format from the first bytes of an input.  Every command asks it.
 *
 * The formats of formats/ are built in.  Writers that live above formats/
 * (the SVG flame graph of render/) add themselves at start-up with
 * flame_format_register(), before any command runs; the registry only
 * keeps the pointer, so a registered struct must live for the whole run.
 * Nothing here prints or allocates.
 */
#ifndef FLAME_REGISTRY_H
#define FLAME_REGISTRY_H

#include <stddef.h>

#include "format.h"

/* Detection looks at this many first bytes of an input, so its answer
 * does not depend on how the input arrives ... */
#define FLAME_PROBE_WINDOW (64u << 10)
/* ... or, when no reader says yes there and some cannot tell yet (a first
 * line or record longer than the window: a deep stack, one-line JSON), at
 * this many. */
#define FLAME_PROBE_WINDOW_MAX (8u << 20)

/* Add a writer from above formats/.  0 on success (also when f is there
 * already), -1 when its name is taken by another format or the registry
 * is full. */
int flame_format_register(const struct flame_format *f);

/* The i-th format: the built-in ones in registry order, then the
 * registered ones in the order they came; NULL past the last. */
const struct flame_format *flame_format_at(size_t i);

/* The format named name (or one of its aliases), NULL if none. */
const struct flame_format *flame_format_find(const char *name);

/* The writer whose suffix ends path, a trailing ".zst" aside; the longest
 * suffix wins (".trace.json" before ".json").  NULL if none does. */
const struct flame_format *flame_format_for_path(const char *path);

/* Comma-separated names of the formats that can be written, first (if not
 * NULL) before the others, for messages.  Returns a static buffer. */
const char *flame_format_writer_names(const struct flame_format *first);

/* Serialise p with f; opts go to the writer's write_opts (NULL: its
 * defaults).  0 or -1 (err set). */
int flame_format_write(const struct flame_format *f, const struct flame_profile *p,
		       const void *opts, struct flame_output *out, struct flame_error *err);

/* f's probe over the detection window of buf: eof says buf holds the whole
 * input, and counts only when all of buf fits in the window. */
enum flame_probe flame_format_probe(const struct flame_format *f, const char *buf, size_t len,
				    int eof);

/* Which readers to ask in flame_format_detect(). */
enum { FLAME_DETECT_ALL = 0, FLAME_DETECT_STREAMING = 1 /* only JSON, protobuf, ... */ };

struct flame_detect {
	int nyes;                          /* readers whose probe said yes */
	const struct flame_format *yes[2]; /* the first two of them, registry order */
	int nmaybe;                        /* readers that could not tell */
	/* no reader said yes in FLAME_PROBE_WINDOW, some could not tell, and
	 * buf (not eof) is shorter than FLAME_PROBE_WINDOW_MAX: ask again with
	 * more of the input */
	int need_more;
};

/* Ask every reader's probe (or only the streaming ones) about the window
 * of buf: FLAME_PROBE_WINDOW, extended to FLAME_PROBE_WINDOW_MAX when no
 * reader says yes and some cannot tell in the first.  Returns the one
 * reader that says yes, NULL when none or more than one does (or when
 * d->need_more); d (may be NULL) gets how many and which. */
const struct flame_format *flame_format_detect(const char *buf, size_t len, int eof,
					       unsigned which, struct flame_detect *d);

#endif
