/*
 * jsonloc.h - where a value of a captured JSON document lies in the text,
 * for the messages of readers that capture a whole document (d3, Firefox).
 *
 * A captured document keeps no byte offsets (the streaming parser only
 * knows where the capture began), so such a reader keeps the text of the
 * file (struct flame_jsontext: a view of the one chunk of a mapped input,
 * or a copy of the chunks of a streamed one), builds the JSON path of what
 * it is looking at ("$.threads[2].samples") as it walks the document, and
 * on an error finds the path's value in the text again.  The text is valid
 * JSON there (the document was captured whole), so finding is a plain scan.
 */
#ifndef FLAME_JSONLOC_H
#define FLAME_JSONLOC_H

#include <stddef.h>
#include <stdint.h>

#include "../core/util.h"

struct flame_jsontext {
	struct flame_buf kept; /* streamed input: every chunk of the file so far */
	const char *text;      /* the file's text so far (kept.data, or the chunk) */
	size_t len;
};

/* Call with every chunk before feeding it to the parser.  A chunk that is
 * the whole file is only pointed at (valid while it is parsed). */
void flame_jsontext_chunk(struct flame_jsontext *t, const char *buf, size_t len, int file_start,
			  int file_end);
void flame_jsontext_release(struct flame_jsontext *t);

/* Path building: append ".key" or "[i]"; cut back to an earlier length. */
void flame_jsonpath_key(struct flame_buf *path, const char *key);
void flame_jsonpath_index(struct flame_buf *path, uint64_t i);
void flame_jsonpath_cut(struct flame_buf *path, size_t len);

/* Byte offset in text[0,len) of the value at path ("$", "$.a[3].b"; keys
 * hold no '.' or '['), or of the deepest part of it that is there. */
uint64_t flame_jsonloc_find(const char *text, size_t len, const char *path);

/* Path for a message: the path itself, or when it is long, its last steps
 * (about 160 bytes) with *cut set: print them after "$...". */
const char *flame_jsonpath_tail(const char *path, int *cut);

#endif
