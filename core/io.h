/*
 * io.h - bytes in and bytes out.
 *
 * Input: a file or stdin ("-"), decompressed on the fly when it starts with
 * the zstd or gzip magic bytes (concatenated frames/members included), read
 * in whatever pieces the caller asks for.  Truncated compressed data is an
 * error, never a silent short read.  Text with a byte order mark at its
 * start (after decompression) is handed out as UTF-8 without the mark:
 * UTF-16 (LE or BE) is converted as it is read, U+FFFD standing for what
 * does not decode; a UTF-8 mark is dropped.
 *
 * Output: stdout ("-" or NULL) or a file written atomically: bytes go to a
 * temporary file beside the target, renamed over it only by
 * flame_output_commit(); an error or flame_output_abort() leaves no partial
 * file behind.  A name ending in ".zst" is zstd-compressed.  Every write
 * error (full disk, closed pipe) is reported.
 *
 * Replacing a file: a symbolic link (working or dangling) is followed and
 * the file it names is replaced, or created, in its own directory; the
 * link stays.  A file the user may not write is refused ("permission
 * denied"), as cp would; the new file keeps the old one's mode (and owner
 * and group when it may set them).  A new file gets 0666 less the umask.
 * A device, FIFO or the like is written into, not replaced.
 *
 * Temporary files still open are listed so that a fatal signal can remove
 * them: cmd/ installs the handlers, which call flame_output_remove_temps().
 */
#ifndef FLAME_IO_H
#define FLAME_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct flame_input;

int flame_input_open(struct flame_input **in, const char *path, struct flame_error *err);
/* Read up to cap decompressed bytes: > 0 bytes read, 0 at end, -1 on error. */
ssize_t flame_input_read(struct flame_input *in, void *buf, size_t cap, struct flame_error *err);
const char *flame_input_name(const struct flame_input *in);
/* Bytes consumed from the underlying file so far (before decompression). */
uint64_t flame_input_raw_offset(const struct flame_input *in);
/* Size of the underlying file when known (regular file), else 0. */
uint64_t flame_input_raw_size(const struct flame_input *in);
const char *flame_input_compression(const struct flame_input *in); /* "", "gzip", "zstd" */
/* Map an uncompressed regular file (or stdin redirected from one) whole
 * (after a UTF-8 byte order mark; a UTF-16 file is not mappable),
 * read-only, for zero-copy parsing; the mapping outlives
 * flame_input_close(): release it with flame_input_unmap(p, n).  -1: not
 * mappable (pipe, compressed, empty), read with flame_input_read() instead. */
int flame_input_map(struct flame_input *in, const void **p, size_t *n);
void flame_input_unmap(const void *p, size_t n);
void flame_input_close(struct flame_input *in);

struct flame_output;

int flame_output_open(struct flame_output **out, const char *path, struct flame_error *err);
int flame_output_write(struct flame_output *out, const void *p, size_t n, struct flame_error *err);
int flame_output_commit(struct flame_output *out, struct flame_error *err); /* frees out */
void flame_output_abort(struct flame_output *out);                         /* frees out */

/* Unlink every temporary output file not yet committed or aborted.
 * Async-signal-safe: meant for a handler of SIGINT, SIGTERM, SIGHUP or
 * SIGABRT that then re-raises the signal with its default action. */
void flame_output_remove_temps(void);

/* Whether path names a compressed output (".zst"). */
int flame_path_is_zst(const char *path);

#endif
