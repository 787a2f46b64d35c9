/*
 * foldedline.h - the syntax of one folded line ("a;b;c COUNT" or
 * "a;b;c BEFORE AFTER"), as the folded reader parses it.  Public, for
 * code that reads folded text without the reader (render/'s streaming
 * SVG).  Defined in formats/folded.c.  Nothing is allocated: the split
 * refers to the caller's bytes by length.
 */
#ifndef FLAME_FOLDEDLINE_H
#define FLAME_FOLDEDLINE_H

#include <stddef.h>
#include <stdint.h>

/* One folded line split into its stack and counts. */
struct flame_folded_counts {
	size_t stack_len; /* bytes of the stack text at the start of the line */
	int two;          /* two counts: BEFORE AFTER */
	uint64_t ip[2];   /* integer parts (one column: both hold the count) */
	uint64_t fp[2];   /* fractional parts, fp / 10^d */
	int d[2];         /* fractional digits kept (at most FLAME_MAX_SCALE_DIGITS) */
};

/* Split "STACK COUNT" or "STACK BEFORE AFTER" (no newline needed; trailing
 * blanks ignored), with exactly one blank before each count like
 * flamegraph.pl.  1: a stack line; 0: a blank line; -1: malformed. */
int flame_folded_split(const char *line, size_t n, struct flame_folded_counts *c);

#endif
