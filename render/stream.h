/*
 * stream.h - an SVG flame graph straight from folded text, in one pass
 * over the lines and without a trie.
 *
 * flamegraph.pl sorts its input lines and merges neighbours.  Folded text
 * written by `flame collapse` or the stackcollapse scripts is already
 * sorted, so the lines can be laid out as they come: memory follows the
 * frames drawn, not the input.  A flame chart (--flamechart) takes lines
 * in input order anyway.  When the text turns out not to be sorted (and
 * no flame chart was asked for), nothing is written and the caller reads
 * the input into a profile instead (flame_render_svg()).
 *
 * Lines are parsed exactly as formats/folded.c parses them.
 */
#ifndef FLAME_RENDER_STREAM_H
#define FLAME_RENDER_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "svg.h"

struct flame_text_input {
	const char *name; /* for messages */
	const char *data; /* must stay valid during the call */
	size_t len;
	int mapped;       /* a read-only file mapping: pages already read are
			     dropped from memory as the passes go (they are
			     read again from the page cache if needed) */
};

#define FLAME_STREAM_EXAMPLES 3

struct flame_stream_result {
	uint64_t lines;      /* lines read */
	uint64_t bad_lines;  /* lines that are not "STACK COUNT" */
	int nbad;            /* examples kept below */
	struct {
		size_t file;     /* index into the inputs */
		uint64_t line;
		char text[200];  /* quoted line */
	} bad[FLAME_STREAM_EXAMPLES];
	int ncols;           /* 2 for differential input */
};

/* 0: written; 1: the input is not sorted (nothing written, fall back);
 * -1: error (err filled). */
int flame_render_svg_folded(const struct flame_text_input *in, size_t nin,
			    const struct flame_render_opts *o, struct flame_output *out,
			    struct flame_stream_result *res, struct flame_error *err);

#endif
