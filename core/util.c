#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void (*oom_handler)(size_t n);

void flame_set_oom_handler(void (*handler)(size_t n))
{
	oom_handler = handler;
}

void flame_oom(size_t n)
{
	if (oom_handler)
		oom_handler(n);
	abort();
}

void *flame_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		flame_oom(n);
	return p;
}

void *flame_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		flame_oom(n * size);
	return p;
}

void *flame_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		flame_oom(n);
	return q;
}

char *flame_xstrdup(const char *s)
{
	return flame_xmemdup(s, strlen(s));
}

char *flame_xmemdup(const void *p, size_t n)
{
	char *q = flame_xmalloc(n + 1);
	if (n)
		memcpy(q, p, n);
	q[n] = '\0';
	return q;
}

void flame_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elem)
			flame_oom(SIZE_MAX);
		ncap *= 2;
	}
	*arr = flame_xrealloc(*arr, ncap * elem);
	*cap = ncap;
}

void flame_buf_reserve(struct flame_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need > b->cap) {
		size_t ncap = b->cap ? b->cap : 64;
		while (ncap < need)
			ncap *= 2;
		b->data = flame_xrealloc(b->data, ncap);
		b->cap = ncap;
	}
}

void flame_buf_add(struct flame_buf *b, const void *p, size_t n)
{
	flame_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void flame_buf_addc(struct flame_buf *b, char c)
{
	flame_buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void flame_buf_adds(struct flame_buf *b, const char *s)
{
	flame_buf_add(b, s, strlen(s));
}

void flame_buf_addf(struct flame_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	flame_buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void flame_buf_add_u64(struct flame_buf *b, uint64_t v)
{
	char tmp[24];
	int i = 24;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	flame_buf_add(b, tmp + i, (size_t)(24 - i));
}

void flame_buf_reset(struct flame_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void flame_buf_release(struct flame_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static inline uint64_t rd64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t flame_hash(const void *data, size_t n)
{
	const unsigned char *p = data;
	const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
	uint64_t h = 0x8ebc6af09c88c6e3ULL ^ (n * k0);
	while (n >= 16) {
		h = mix(rd64(p) ^ k1, rd64(p + 8) ^ h);
		p += 16;
		n -= 16;
	}
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		a = rd64(p);
		b = rd64(p + n - 8);
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, p, 4);
		memcpy(&y, p + n - 4, 4);
		a = x;
		b = y;
	} else if (n > 0) {
		a = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
	}
	return mix(h ^ a ^ k0, b ^ k1 ^ h);
}

int flame_ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

double flame_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long flame_read_head(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, cap - 1);
	int e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	buf[n] = '\0';
	return (long)n;
}

int flame_read_long(const char *path, long *v)
{
	char buf[64], *e;
	if (flame_read_head(path, buf, sizeof(buf)) <= 0)
		return -1;
	*v = strtol(buf, &e, 10);
	return e == buf ? -1 : 0;
}
