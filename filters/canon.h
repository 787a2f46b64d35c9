/*
 * canon.h - streaming paths over canonical folded text.
 *
 * Folded files written by `flame collapse` (or stackcollapse-*.pl | sort)
 * are canonical: one "STACK COUNT" per distinct stack, sorted byte-wise,
 * counts written the way flame writes them.  On such input a selection by
 * stack text is a line filter, and a diff of two files is a merge join of
 * two sorted lists: neither needs a trie, a hash or a sort, and both run at
 * memory speed on all cores.
 *
 * The paths here are exact shortcuts, never approximations: they check
 * every line first and give up (return 0, nothing written) unless the
 * input is canonical, in which case their output is byte for byte what the
 * general path (read into a profile, filter, write sorted folded text)
 * would write.  Then the caller takes the general path.
 *
 * Input files must be plain regular files (mappable); compressed input,
 * pipes and other formats always take the general path.
 */
#ifndef FLAME_CANON_H
#define FLAME_CANON_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "filter.h"

struct flame_format;

struct flame_canon_src {
	char *name;        /* as given */
	const char *data;  /* the mapped file */
	size_t len;
};

struct flame_canon_set {
	struct flame_canon_src *f;
	size_t n;
};

/* Map every path if each is a plain regular file that format detection
 * (or forced, when not NULL) reads as folded.  1: mapped; 0: not
 * applicable (nothing kept open).  Never fails otherwise: errors such as a
 * missing file are left to the general path to report. */
int flame_canon_open(struct flame_canon_set *set, const char *const *paths, size_t n,
		     const struct flame_format *forced);
void flame_canon_close(struct flame_canon_set *set);

/* Whether no format recognizes the first bytes of path (a file, not
 * stdin) although it can be read: 1 yes, 0 no or unknown.  The commands
 * then read it as folded, the native format of the reference tools, so a
 * folded file with a bad line among its first ones still reads, with a
 * warning for that line. */
int flame_canon_undetected(const char *path);

/* Write the lines of set that pass a grep-only chain (see
 * flame_filter_is_grep_only()) to output ("-" or NULL: stdout), and count
 * the stack lines read and written.  1: done; 0: the input is not
 * canonical (nothing written); -1: error. */
int flame_canon_grep(const struct flame_canon_set *set, const struct flame_filter *f, int nthreads,
		     const char *output, uint64_t *lines_in, uint64_t *lines_out,
		     struct flame_error *err);

/* What a diff computed, for messages and the header of reports. */
struct flame_diff_totals {
	uint64_t before, after; /* fixed point, scale_digits */
	int scale_digits;
	int normalized;         /* BEFORE was scaled */
	uint64_t stacks;        /* lines written */
};

/* The two-column diff of two canonical single-column folded files:
 * "STACK BEFORE AFTER" for every stack in either, sorted; with normalize,
 * BEFORE counts are scaled to AFTER's total (rounded down).  Return values
 * as flame_canon_grep(). */
int flame_canon_diff(const struct flame_canon_src *before, const struct flame_canon_src *after,
		     int normalize, int nthreads, const char *output, struct flame_diff_totals *tot,
		     struct flame_error *err);

#endif
