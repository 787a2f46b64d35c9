#include "io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "util.h"

#define RAW_CAP (1 << 20)

enum comp { COMP_NONE, COMP_GZIP, COMP_ZSTD };

/* The text encoding, told by a byte order mark at the start of the
 * (decompressed) input: UTF-8 passes through with its mark dropped;
 * UTF-16 is turned into UTF-8 as it is read. */
enum enc { ENC_UNKNOWN, ENC_PLAIN, ENC_UTF16LE, ENC_UTF16BE };

#define U16_CAP (64u << 10)                 /* UTF-16 bytes converted at a time */
#define U8_CAP (U16_CAP / 2 * 3 + 8)         /* their UTF-8: at most 3 bytes a unit */

struct flame_input {
	int fd;
	char *name;
	enum comp comp;
	unsigned char *raw;  /* compressed bytes read from fd */
	size_t raw_len, raw_pos;
	int raw_eof;
	uint64_t raw_offset, raw_size;
	uint64_t start;      /* file offset where reading began (stdin may not be at 0) */
	void *map_base;      /* set by flame_input_map() */
	size_t map_len;
	z_stream zs;
	int zs_init;
	int gz_member_done;  /* last member ended; more may follow */
	ZSTD_DCtx *zd;
	size_t zstd_last;    /* last ZSTD_decompressStream() result: 0 = frame complete */
	int any_input;
	enum enc enc;
	unsigned char ahead[4]; /* first decoded bytes, read to look for a byte order mark */
	size_t ahead_len, ahead_pos;
	unsigned char *u16;  /* ENC_UTF16*: bytes not converted yet */
	size_t u16_len, u16_pos;
	unsigned char *u8;   /* ENC_UTF16*: converted bytes not handed out yet */
	size_t u8_len, u8_pos;
	int u16_eof;
};

static int fill_raw(struct flame_input *in, struct flame_error *err)
{
	if (in->raw_pos < in->raw_len || in->raw_eof)
		return 0;
	for (;;) {
		ssize_t n = read(in->fd, in->raw, RAW_CAP);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return flame_error_set(err, FLAME_ERR_IO, in->name, 0, "read error: %s",
					       strerror(errno));
		}
		in->raw_len = (size_t)n;
		in->raw_pos = 0;
		in->raw_offset += (uint64_t)n;
		if (n == 0)
			in->raw_eof = 1;
		return 0;
	}
}

int flame_input_open(struct flame_input **inp, const char *path, struct flame_error *err)
{
	struct flame_input *in = flame_xcalloc(1, sizeof(*in));
	if (!path || strcmp(path, "-") == 0) {
		in->fd = 0;
		in->name = flame_xstrdup("<stdin>");
		struct stat st;
		off_t cur = lseek(0, 0, SEEK_CUR);
		if (fstat(0, &st) == 0 && S_ISREG(st.st_mode) && cur >= 0 && cur <= st.st_size) {
			in->start = (uint64_t)cur;
			in->raw_size = (uint64_t)(st.st_size - cur);
		} else if (S_ISFIFO(st.st_mode)) {
			/* a 64 KiB pipe makes the writer wait on every chunk we parse */
			fcntl(0, F_SETPIPE_SZ, 1 << 20);
		}
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		in->name = flame_xstrdup(path);
		if (in->fd < 0) {
			flame_error_set(err, FLAME_ERR_IO, path, 0, "cannot open: %s", strerror(errno));
			free(in->name);
			free(in);
			return -1;
		}
		struct stat st;
		if (fstat(in->fd, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				flame_error_set(err, FLAME_ERR_IO, path, 0, "is a directory");
				close(in->fd);
				free(in->name);
				free(in);
				return -1;
			}
			if (S_ISREG(st.st_mode))
				in->raw_size = (uint64_t)st.st_size;
		}
	}
	in->raw = flame_xmalloc(RAW_CAP);
	/* Gather at least 4 bytes (or the whole input) to look for a magic number. */
	while (in->raw_len < 4 && !in->raw_eof) {
		ssize_t n = read(in->fd, in->raw + in->raw_len, RAW_CAP - in->raw_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			flame_error_set(err, FLAME_ERR_IO, in->name, 0, "read error: %s", strerror(errno));
			flame_input_close(in);
			return -1;
		}
		if (n == 0)
			in->raw_eof = 1;
		in->raw_len += (size_t)n;
		in->raw_offset += (uint64_t)n;
	}
	const unsigned char *m = in->raw;
	if (in->raw_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
		in->comp = COMP_GZIP;
		if (inflateInit2(&in->zs, 15 + 16) != Z_OK) {
			flame_error_set(err, FLAME_ERR_IO, in->name, 0, "cannot start gzip decoder");
			flame_input_close(in);
			return -1;
		}
		in->zs_init = 1;
	} else if (in->raw_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
		in->comp = COMP_ZSTD;
		in->zd = ZSTD_createDCtx();
		in->zstd_last = 0;
	}
	*inp = in;
	return 0;
}

static ssize_t read_gzip(struct flame_input *in, unsigned char *buf, size_t cap,
			 struct flame_error *err)
{
	for (;;) {
		if (fill_raw(in, err) < 0)
			return -1;
		if (in->gz_member_done) {
			/* Another member may follow (cat a.gz b.gz); skip trailing zero padding. */
			while (in->raw_pos < in->raw_len && in->raw[in->raw_pos] == 0)
				in->raw_pos++;
			if (in->raw_pos == in->raw_len) {
				if (in->raw_eof)
					return 0;
				continue;
			}
			inflateReset(&in->zs);
			in->gz_member_done = 0;
		}
		if (in->raw_pos == in->raw_len && in->raw_eof)
			return flame_error_set(err, FLAME_ERR_DATA, in->name, 0,
					       "truncated gzip data (unexpected end of file)");
		in->zs.next_in = in->raw + in->raw_pos;
		in->zs.avail_in = (uInt)(in->raw_len - in->raw_pos);
		in->zs.next_out = buf;
		in->zs.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
		uInt out_before = in->zs.avail_out;
		int r = inflate(&in->zs, Z_NO_FLUSH);
		in->raw_pos = in->raw_len - in->zs.avail_in;
		size_t got = out_before - in->zs.avail_out;
		if (r == Z_STREAM_END)
			in->gz_member_done = 1;
		else if (r != Z_OK && r != Z_BUF_ERROR)
			return flame_error_set(err, FLAME_ERR_DATA, in->name, 0, "corrupt gzip data: %s",
					       in->zs.msg ? in->zs.msg : "inflate failed");
		if (got)
			return (ssize_t)got;
	}
}

static ssize_t read_zstd(struct flame_input *in, unsigned char *buf, size_t cap,
			 struct flame_error *err)
{
	for (;;) {
		if (fill_raw(in, err) < 0)
			return -1;
		if (in->raw_pos == in->raw_len && in->raw_eof) {
			if (in->zstd_last != 0)
				return flame_error_set(err, FLAME_ERR_DATA, in->name, 0,
						       "truncated zstd data (unexpected end of file)");
			/* Drain anything still buffered in the decoder. */
			ZSTD_inBuffer ib = { in->raw, 0, 0 };
			ZSTD_outBuffer ob = { buf, cap, 0 };
			size_t r = ZSTD_decompressStream(in->zd, &ob, &ib);
			if (ZSTD_isError(r))
				return flame_error_set(err, FLAME_ERR_DATA, in->name, 0,
						       "corrupt zstd data: %s", ZSTD_getErrorName(r));
			return (ssize_t)ob.pos;
		}
		ZSTD_inBuffer ib = { in->raw, in->raw_len, in->raw_pos };
		ZSTD_outBuffer ob = { buf, cap, 0 };
		size_t r = ZSTD_decompressStream(in->zd, &ob, &ib);
		in->raw_pos = ib.pos;
		if (ZSTD_isError(r))
			return flame_error_set(err, FLAME_ERR_DATA, in->name, 0, "corrupt zstd data: %s",
					       ZSTD_getErrorName(r));
		in->zstd_last = r;
		if (ob.pos)
			return (ssize_t)ob.pos;
	}
}

/* Bytes after decompression, before any change of encoding. */
static ssize_t read_plain(struct flame_input *in, void *buf, size_t cap, struct flame_error *err)
{
	switch (in->comp) {
	case COMP_GZIP:
		return read_gzip(in, buf, cap, err);
	case COMP_ZSTD:
		return read_zstd(in, buf, cap, err);
	case COMP_NONE:
		break;
	}
	if (in->raw_pos < in->raw_len) {
		size_t n = in->raw_len - in->raw_pos;
		if (n > cap)
			n = cap;
		memcpy(buf, in->raw + in->raw_pos, n);
		in->raw_pos += n;
		return (ssize_t)n;
	}
	if (in->raw_eof)
		return 0;
	for (;;) {
		ssize_t n = read(in->fd, buf, cap);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return flame_error_set(err, FLAME_ERR_IO, in->name, 0, "read error: %s",
					       strerror(errno));
		}
		if (n == 0)
			in->raw_eof = 1;
		in->raw_offset += (uint64_t)n;
		return n;
	}
}

/* Read the first bytes of the input to look for a byte order mark. */
static int sniff_encoding(struct flame_input *in, struct flame_error *err)
{
	while (in->ahead_len < 3) {
		ssize_t n = read_plain(in, in->ahead + in->ahead_len, 3 - in->ahead_len, err);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		in->ahead_len += (size_t)n;
	}
	const unsigned char *a = in->ahead;
	in->enc = ENC_PLAIN;
	if (in->ahead_len >= 3 && a[0] == 0xef && a[1] == 0xbb && a[2] == 0xbf) {
		in->ahead_pos = 3;
	} else if (in->ahead_len >= 2 && ((a[0] == 0xff && a[1] == 0xfe) || (a[0] == 0xfe && a[1] == 0xff))) {
		in->enc = a[0] == 0xff ? ENC_UTF16LE : ENC_UTF16BE;
		in->ahead_pos = 2;
		in->u16 = flame_xmalloc(U16_CAP);
		in->u8 = flame_xmalloc(U8_CAP);
	}
	return 0;
}

static size_t put_utf8(unsigned char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | cp >> 6);
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | cp >> 12);
		o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | cp >> 18);
	o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Turn the UTF-16 bytes gathered in in->u16 into UTF-8 in in->u8.  A unit
 * cut at the end of the buffer waits for the rest, unless the input has
 * ended; what cannot be decoded (a lone surrogate, an odd last byte)
 * becomes U+FFFD. */
static void utf16_convert(struct flame_input *in)
{
	const unsigned char *u = in->u16;
	int be = in->enc == ENC_UTF16BE;
	size_t i = in->u16_pos, len = in->u16_len, o = 0;
	while (i + 2 <= len) {
		uint32_t c = be ? (uint32_t)u[i] << 8 | u[i + 1] : (uint32_t)u[i + 1] << 8 | u[i];
		size_t used = 2;
		if (c >= 0xd800 && c < 0xdc00) {
			if (i + 4 > len && !in->u16_eof)
				break;
			uint32_t d = i + 4 > len ? 0
				   : be ? (uint32_t)u[i + 2] << 8 | u[i + 3] : (uint32_t)u[i + 3] << 8 | u[i + 2];
			if (d >= 0xdc00 && d < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
				used = 4;
			} else {
				c = 0xfffd;
			}
		} else if (c >= 0xdc00 && c < 0xe000) {
			c = 0xfffd;
		}
		o += put_utf8(in->u8 + o, c);
		i += used;
	}
	if (in->u16_eof && i < len) { /* an odd byte at the end */
		o += put_utf8(in->u8 + o, 0xfffd);
		i = len;
	}
	in->u16_pos = i;
	in->u8_len = o;
	in->u8_pos = 0;
}

static ssize_t read_utf16(struct flame_input *in, unsigned char *buf, size_t cap,
			  struct flame_error *err)
{
	for (;;) {
		if (in->u8_pos < in->u8_len) {
			size_t n = in->u8_len - in->u8_pos;
			if (n > cap)
				n = cap;
			memcpy(buf, in->u8 + in->u8_pos, n);
			in->u8_pos += n;
			return (ssize_t)n;
		}
		size_t keep = in->u16_len - in->u16_pos;
		if (in->u16_eof && keep == 0)
			return 0;
		memmove(in->u16, in->u16 + in->u16_pos, keep);
		in->u16_len = keep;
		in->u16_pos = 0;
		while (in->ahead_pos < in->ahead_len)
			in->u16[in->u16_len++] = in->ahead[in->ahead_pos++];
		if (!in->u16_eof) {
			ssize_t n = read_plain(in, in->u16 + in->u16_len, U16_CAP - in->u16_len, err);
			if (n < 0)
				return -1;
			if (n == 0)
				in->u16_eof = 1;
			in->u16_len += (size_t)n;
		}
		utf16_convert(in);
	}
}

ssize_t flame_input_read(struct flame_input *in, void *buf, size_t cap, struct flame_error *err)
{
	if (cap == 0)
		return 0;
	if (in->enc == ENC_UNKNOWN && sniff_encoding(in, err) < 0)
		return -1;
	if (in->enc != ENC_PLAIN)
		return read_utf16(in, buf, cap, err);
	if (in->ahead_pos < in->ahead_len) {
		size_t n = in->ahead_len - in->ahead_pos;
		if (n > cap)
			n = cap;
		memcpy(buf, in->ahead + in->ahead_pos, n);
		in->ahead_pos += n;
		return (ssize_t)n;
	}
	return read_plain(in, buf, cap, err);
}

int flame_input_map(struct flame_input *in, const void **p, size_t *n)
{
	if (in->comp != COMP_NONE || in->raw_size == 0 || in->raw_size > SIZE_MAX / 2)
		return -1;
	/* a byte order mark: UTF-16 is read (and converted) instead; a UTF-8
	 * mark is left out of the mapping's view */
	struct flame_error e;
	if (in->enc == ENC_UNKNOWN && sniff_encoding(in, &e) < 0)
		return -1;
	size_t bom = in->ahead_pos; /* 3 after a UTF-8 mark, else 0 */
	if (in->enc != ENC_PLAIN || in->raw_size <= bom)
		return -1;
	/* mmap offsets must be page-aligned: map from the page holding start */
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t base = in->start & ~(pg - 1), skip = in->start - base;
	if (skip + bom >= pg)
		return -1; /* flame_input_unmap() finds the mapping from its first page */
	void *m = mmap(NULL, (size_t)(in->raw_size + skip), PROT_READ, MAP_PRIVATE, in->fd, (off_t)base);
	if (m == MAP_FAILED)
		return -1;
	madvise(m, (size_t)(in->raw_size + skip), MADV_SEQUENTIAL);
	in->map_base = m;
	in->map_len = (size_t)(in->raw_size + skip);
	*p = (const char *)m + skip + bom;
	*n = (size_t)in->raw_size - bom;
	return 0;
}

void flame_input_unmap(const void *p, size_t n)
{
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p & ~(uintptr_t)(pg - 1);
	munmap((void *)a, n + ((uintptr_t)p - a));
}

const char *flame_input_name(const struct flame_input *in)
{
	return in->name;
}

uint64_t flame_input_raw_offset(const struct flame_input *in)
{
	return in->raw_offset;
}

uint64_t flame_input_raw_size(const struct flame_input *in)
{
	return in->raw_size;
}

const char *flame_input_compression(const struct flame_input *in)
{
	return in->comp == COMP_GZIP ? "gzip" : in->comp == COMP_ZSTD ? "zstd" : "";
}

void flame_input_close(struct flame_input *in)
{
	if (!in)
		return;
	if (in->fd > 0)
		close(in->fd);
	if (in->zs_init)
		inflateEnd(&in->zs);
	if (in->zd)
		ZSTD_freeDCtx(in->zd);
	free(in->u16);
	free(in->u8);
	free(in->raw);
	free(in->name);
	free(in);
}

/* ---- output ---- */

#define OUT_CAP (1 << 20)

struct flame_output {
	int fd;
	int direct; /* writing straight into a FIFO, device or the like */
	char *path; /* final name, NULL for stdout */
	char *tmp;  /* temporary name beside it */
	unsigned char *buf;
	size_t len;
	ZSTD_CCtx *zc;
	unsigned char *zbuf;
	size_t zcap;
};

int flame_path_is_zst(const char *path)
{
	size_t n = path ? strlen(path) : 0;
	return n > 4 && strcmp(path + n - 4, ".zst") == 0;
}

/* Temporary output files not yet renamed into place or removed, for
 * flame_output_remove_temps() to unlink from a signal handler.  A slot
 * holds the path string of a live struct flame_output (out->tmp). */
#define LIVE_MAX 16
static char *_Atomic live_tmp[LIVE_MAX];

static void live_add(char *tmp)
{
	for (size_t i = 0; i < LIVE_MAX; i++) {
		char *expect = NULL;
		if (atomic_compare_exchange_strong(&live_tmp[i], &expect, tmp))
			return;
	}
	/* more outputs open at once than slots: this one is not cleaned up on
	 * a signal, everything else still works */
}

static void live_remove(const char *tmp)
{
	for (size_t i = 0; i < LIVE_MAX; i++) {
		char *expect = (char *)tmp;
		if (atomic_compare_exchange_strong(&live_tmp[i], &expect, NULL))
			return;
	}
}

void flame_output_remove_temps(void)
{
	for (size_t i = 0; i < LIVE_MAX; i++) {
		char *p = atomic_exchange(&live_tmp[i], NULL);
		if (p)
			unlink(p);
	}
}

/* The file path names once symbolic links are followed, a dangling one
 * included (its target is the file to create); directories on the way are
 * left as they are.  NULL with err set on a loop or unreadable link. */
static char *link_target(const char *path, struct flame_error *err)
{
	char *cur = flame_xstrdup(path);
	for (int hops = 0;; hops++) {
		struct stat st;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;
		if (hops == 40) {
			flame_error_set(err, FLAME_ERR_IO, path, 0, "cannot create output file: %s",
					strerror(ELOOP));
			free(cur);
			return NULL;
		}
		size_t cap = 256;
		char *t;
		ssize_t n;
		for (;;) {
			t = flame_xmalloc(cap);
			n = readlink(cur, t, cap);
			if (n < 0 || (size_t)n < cap)
				break;
			free(t);
			cap *= 2;
		}
		if (n < 0) {
			flame_error_set(err, FLAME_ERR_IO, cur, 0, "cannot read symbolic link: %s",
					strerror(errno));
			free(t);
			free(cur);
			return NULL;
		}
		t[n] = '\0';
		struct flame_buf next = FLAME_BUF_INIT;
		const char *slash = strrchr(cur, '/');
		if (t[0] != '/' && slash)
			flame_buf_add(&next, cur, (size_t)(slash - cur) + 1); /* relative to the link's directory */
		flame_buf_add(&next, t, (size_t)n);
		free(t);
		free(cur);
		cur = next.data;
	}
}

int flame_output_open(struct flame_output **outp, const char *path, struct flame_error *err)
{
	struct flame_output *out = flame_xcalloc(1, sizeof(*out));
	if (!path || strcmp(path, "-") == 0) {
		out->fd = 1;
	} else {
		struct stat st;
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			/* /dev/null, a FIFO, a terminal: write into it; renaming a
			 * file over it would destroy it */
			if (S_ISDIR(st.st_mode)) {
				flame_error_set(err, FLAME_ERR_IO, path, 0, "is a directory");
				free(out);
				return -1;
			}
			out->fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
			if (out->fd < 0) {
				flame_error_set(err, FLAME_ERR_IO, path, 0, "cannot open for writing: %s",
						strerror(errno));
				free(out);
				return -1;
			}
			out->direct = 1;
			out->path = flame_xstrdup(path);
			out->buf = flame_xmalloc(OUT_CAP);
			*outp = out;
			return 0;
		}
		/* Through a symlink, working or dangling, replace (or create) the
		 * file it names, in that file's directory; the link stays. */
		out->path = link_target(path, err);
		if (!out->path) {
			free(out);
			return -1;
		}
		path = out->path;
		/* An existing file is replaced only if it could be written to, as
		 * cp would, and the new one keeps its mode (and owner, for root). */
		struct stat old;
		int exists = stat(path, &old) == 0 && S_ISREG(old.st_mode);
		if (exists && faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) < 0) {
			flame_error_set(err, FLAME_ERR_IO, path, 0, "cannot open for writing: %s",
					strerror(errno));
			free(out->path);
			free(out);
			return -1;
		}
		const char *slash = strrchr(path, '/');
		size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
		struct flame_buf t = FLAME_BUF_INIT;
		flame_buf_add(&t, path, dirlen);
		flame_buf_addf(&t, ".%s.tmp.XXXXXX", path + dirlen);
		out->tmp = t.data;
		out->fd = mkstemp(out->tmp);
		if (out->fd < 0) {
			flame_error_set(err, FLAME_ERR_IO, path, 0, "cannot create output file: %s",
					strerror(errno));
			free(out->tmp);
			free(out->path);
			free(out);
			return -1;
		}
		live_add(out->tmp);
		if (exists) {
			/* the group too when we may (a member of it); chown first:
			 * it clears set-id bits */
			if (fchown(out->fd, geteuid() == 0 ? old.st_uid : (uid_t)-1, old.st_gid) < 0) {
				/* not a member of the group: the file gets ours */
			}
			fchmod(out->fd, old.st_mode & 07777);
		} else {
			mode_t um = umask(0);
			umask(um);
			fchmod(out->fd, 0666 & ~um);
		}
		if (flame_path_is_zst(path)) {
			out->zc = ZSTD_createCCtx();
			ZSTD_CCtx_setParameter(out->zc, ZSTD_c_compressionLevel, 3);
			out->zcap = ZSTD_CStreamOutSize();
			out->zbuf = flame_xmalloc(out->zcap);
		}
	}
	out->buf = flame_xmalloc(OUT_CAP);
	*outp = out;
	return 0;
}

static int write_all(struct flame_output *out, const unsigned char *p, size_t n,
		     struct flame_error *err)
{
	while (n) {
		ssize_t w = write(out->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return flame_error_set(err, FLAME_ERR_IO, out->path ? out->path : "<stdout>", 0,
					       "write error: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush_buf(struct flame_output *out, int end, struct flame_error *err)
{
	if (!out->zc) {
		int r = write_all(out, out->buf, out->len, err);
		out->len = 0;
		return r;
	}
	ZSTD_inBuffer ib = { out->buf, out->len, 0 };
	for (;;) {
		ZSTD_outBuffer ob = { out->zbuf, out->zcap, 0 };
		size_t r = ZSTD_compressStream2(out->zc, &ob, &ib, end ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(r))
			return flame_error_set(err, FLAME_ERR_IO, out->path, 0, "zstd compression failed: %s",
					       ZSTD_getErrorName(r));
		if (write_all(out, out->zbuf, ob.pos, err) < 0)
			return -1;
		if (end ? r == 0 : ib.pos == ib.size)
			break;
	}
	out->len = 0;
	return 0;
}

int flame_output_write(struct flame_output *out, const void *p, size_t n, struct flame_error *err)
{
	const unsigned char *s = p;
	while (n) {
		size_t room = OUT_CAP - out->len;
		size_t k = n < room ? n : room;
		memcpy(out->buf + out->len, s, k);
		out->len += k;
		s += k;
		n -= k;
		if (out->len == OUT_CAP && flush_buf(out, 0, err) < 0)
			return -1;
	}
	return 0;
}

static void free_output(struct flame_output *out)
{
	if (out->tmp)
		live_remove(out->tmp);
	if (out->zc)
		ZSTD_freeCCtx(out->zc);
	free(out->zbuf);
	free(out->buf);
	free(out->tmp);
	free(out->path);
	free(out);
}

int flame_output_commit(struct flame_output *out, struct flame_error *err)
{
	if (flush_buf(out, 1, err) < 0) {
		flame_output_abort(out);
		return -1;
	}
	if (out->direct) {
		int rc = close(out->fd);
		out->fd = -1;
		if (rc < 0) {
			flame_error_set(err, FLAME_ERR_IO, out->path, 0, "write error: %s", strerror(errno));
			free_output(out);
			return -1;
		}
		free_output(out);
		return 0;
	}
	if (out->path) {
		if (close(out->fd) < 0) {
			flame_error_set(err, FLAME_ERR_IO, out->path, 0, "write error: %s", strerror(errno));
			out->fd = -1;
			flame_output_abort(out);
			return -1;
		}
		out->fd = -1;
		if (rename(out->tmp, out->path) < 0) {
			flame_error_set(err, FLAME_ERR_IO, out->path, 0, "cannot rename into place: %s",
					strerror(errno));
			flame_output_abort(out);
			return -1;
		}
	}
	free_output(out);
	return 0;
}

void flame_output_abort(struct flame_output *out)
{
	if (!out)
		return;
	if (out->direct) {
		if (out->fd >= 0)
			close(out->fd);
	} else if (out->path) {
		if (out->fd >= 0)
			close(out->fd);
		unlink(out->tmp);
	}
	free_output(out);
}
