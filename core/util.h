/*
 * util.h - allocation, growable byte buffers and hashing shared by every
 * module.
 *
 * Contract: the x*alloc functions never return NULL; running out of memory
 * calls the out-of-memory handler and aborts, because every caller would do
 * the same and a half-built profile is worth nothing.  The library prints
 * nothing: the program sets a handler that says so.  flame_buf follows git's strbuf:
 * FLAME_BUF_INIT allocates nothing, _release frees the contents.
 */
#ifndef FLAME_UTIL_H
#define FLAME_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Called with the size that could not be allocated (0 when it is not
 * known) before flame_oom aborts; NULL (the default) aborts at once.  The
 * handler may print; if it returns, flame_oom still aborts.  Set it once,
 * before any thread starts. */
void flame_set_oom_handler(void (*handler)(size_t n));
/* Out of memory: the handler, then abort().  For allocations outside the
 * x*alloc functions (library objects that return NULL). */
__attribute__((noreturn)) void flame_oom(size_t n);

void *flame_xmalloc(size_t n);
void *flame_xcalloc(size_t n, size_t size);
void *flame_xrealloc(void *p, size_t n);
char *flame_xstrdup(const char *s);
char *flame_xmemdup(const void *p, size_t n); /* NUL-terminated copy */

/* Grow *arr (of *cap elements of size elem) to hold at least need elements. */
void flame_grow(void **arr, size_t *cap, size_t need, size_t elem);
#define FLAME_GROW(arr, cap, need) \
	flame_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

struct flame_buf {
	char *data; /* NUL-terminated when len > 0 or after any append */
	size_t len; /* bytes used, excluding the terminator */
	size_t cap; /* bytes allocated */
};
#define FLAME_BUF_INIT { NULL, 0, 0 }

void flame_buf_reserve(struct flame_buf *b, size_t extra);
void flame_buf_add(struct flame_buf *b, const void *p, size_t n);
void flame_buf_addc(struct flame_buf *b, char c);
void flame_buf_adds(struct flame_buf *b, const char *s);
void flame_buf_addf(struct flame_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void flame_buf_add_u64(struct flame_buf *b, uint64_t v);
void flame_buf_reset(struct flame_buf *b);
void flame_buf_release(struct flame_buf *b);

/* 64-bit hash of a byte string; fast on short names, good avalanche. */
uint64_t flame_hash(const void *p, size_t n);

static inline uint64_t flame_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Number of online CPUs, at least 1. */
int flame_ncpus(void);

/* Monotonic clock in seconds. */
double flame_now(void);

/* The first cap - 1 bytes (at most) of the file at path into buf,
 * NUL-terminated: for /proc and /sys files and other short ones.  Returns
 * the bytes read, or -1 (errno set) when it cannot be opened or read. */
long flame_read_head(const char *path, char *buf, size_t cap);
/* The number a short file starts with (/proc/sys/kernel/...): 0, or -1
 * when the file cannot be read or does not start with a number. */
int flame_read_long(const char *path, long *v);

#endif
