/*
 * spool.c - records to an unlinked temporary file and back.  See spool.h.
 *
 * A record on disk: a u32 byte count of what follows, the struct
 * flame_sample_rec with its pointers cleared, then its variable parts,
 * each as a u32 length and the bytes, padded to 8: for a sample the
 * callchain, the registers, the stack copy and the raw data; for an mmap
 * the file name and the build-id; for a comm the name.
 */
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util.h"

#define MAX_RECORD (1u << 20) /* far above any perf_event record (16-bit size) */

struct flame_spool {
	FILE *f;
	int write_errno;     /* first write error, 0 when none */
	uint64_t records, samples, bytes;
	unsigned char *buf;  /* one record read back */
	size_t cap;
};

static FILE *temp_file(int *e)
{
	const char *dir = getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* no O_TMPFILE on this file system: a named file, unlinked at once */
		char path[4096];
		snprintf(path, sizeof(path), "%s/flame-spool.XXXXXX", dir);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd >= 0)
			unlink(path);
	}
	if (fd < 0) {
		*e = errno;
		return NULL;
	}
	FILE *f = fdopen(fd, "w+");
	if (!f) {
		*e = errno;
		close(fd);
	}
	return f;
}

int flame_spool_open(struct flame_spool **out, struct flame_error *err)
{
	int e = 0;
	FILE *f = temp_file(&e);
	if (!f) {
		const char *dir = getenv("TMPDIR");
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
				       "cannot create a temporary file in %s for the samples: %s",
				       dir && *dir ? dir : "/tmp", strerror(e));
	}
	struct flame_spool *sp = flame_xcalloc(1, sizeof(*sp));
	sp->f = f;
	setvbuf(f, NULL, _IOFBF, 1u << 20);
	*out = sp;
	return 0;
}

void flame_spool_free(struct flame_spool *sp)
{
	if (!sp)
		return;
	fclose(sp->f);
	free(sp->buf);
	free(sp);
}

uint64_t flame_spool_records(const struct flame_spool *sp)
{
	return sp->records;
}

uint64_t flame_spool_samples(const struct flame_spool *sp)
{
	return sp->samples;
}

uint64_t flame_spool_bytes(const struct flame_spool *sp)
{
	return sp->bytes;
}

/* ---- writing ---- */

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

struct part {
	const void *p;
	size_t n;
};

static void put(struct flame_spool *sp, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, sp->f) != n && !sp->write_errno)
		sp->write_errno = errno ? errno : EIO;
}

void flame_spool_add(void *ctx, const struct flame_sample_rec *rec)
{
	struct flame_spool *sp = ctx;
	if (sp->write_errno)
		return;
	struct flame_sample_rec copy = *rec;
	struct part parts[4];
	size_t np = 0;
	switch (rec->type) {
	case FLAME_REC_SAMPLE:
		parts[np++] = (struct part){ rec->u.sample.ips, (size_t)rec->u.sample.nips * 8 };
		parts[np++] = (struct part){ rec->u.sample.regs, (size_t)rec->u.sample.nregs * 8 };
		parts[np++] = (struct part){ rec->u.sample.stack, (size_t)rec->u.sample.stack_size };
		parts[np++] = (struct part){ rec->u.sample.raw, rec->u.sample.raw_size };
		copy.u.sample.ips = NULL;
		copy.u.sample.regs = NULL;
		copy.u.sample.stack = NULL;
		copy.u.sample.raw = NULL;
		sp->samples++;
		break;
	case FLAME_REC_MMAP:
		parts[np++] = (struct part){ rec->u.mmap.filename, strlen(rec->u.mmap.filename) + 1 };
		parts[np++] = (struct part){ rec->u.mmap.build_id, rec->u.mmap.build_id_size };
		copy.u.mmap.filename = NULL;
		copy.u.mmap.build_id = NULL;
		break;
	case FLAME_REC_COMM:
		parts[np++] = (struct part){ rec->u.comm.comm, strlen(rec->u.comm.comm) + 1 };
		copy.u.comm.comm = NULL;
		break;
	default:
		break;
	}
	uint32_t total = (uint32_t)sizeof(copy);
	for (size_t i = 0; i < np; i++)
		total += (uint32_t)pad8(parts[i].n + 4);
	static const unsigned char zeros[8];
	put(sp, &total, 4);
	put(sp, &copy, sizeof(copy));
	for (size_t i = 0; i < np; i++) {
		uint32_t n = (uint32_t)parts[i].n;
		put(sp, &n, 4);
		put(sp, parts[i].p, parts[i].n);
		put(sp, zeros, pad8(parts[i].n + 4) - (parts[i].n + 4));
	}
	sp->records++;
	sp->bytes += 4 + total;
}

/* ---- replay ---- */

/* The next part of the record in buf: its bytes and length; NULL when it
 * would run past the end. */
static const unsigned char *take(const unsigned char *buf, size_t len, size_t *at, size_t *n)
{
	uint32_t k;
	if (*at + 4 > len)
		return NULL;
	memcpy(&k, buf + *at, 4);
	size_t step = pad8((size_t)k + 4);
	if (k > len || step > len - *at)
		return NULL;
	const unsigned char *p = buf + *at + 4;
	*at += step;
	*n = k;
	return p;
}

/* Point rec's fields at the parts stored after it.  -1 when malformed. */
static int unpack(struct flame_sample_rec *rec, const unsigned char *buf, size_t len)
{
	size_t at = sizeof(*rec), n[4];
	const unsigned char *p[4];
	switch (rec->type) {
	case FLAME_REC_SAMPLE:
		for (int i = 0; i < 4; i++)
			if (!(p[i] = take(buf, len, &at, &n[i])))
				return -1;
		if (n[0] != (size_t)rec->u.sample.nips * 8 || n[1] != (size_t)rec->u.sample.nregs * 8 ||
		    n[2] != rec->u.sample.stack_size || n[3] != rec->u.sample.raw_size)
			return -1;
		/* parts start 4 bytes into an 8-byte slot: realign the arrays */
		rec->u.sample.ips = (const uint64_t *)(const void *)p[0];
		rec->u.sample.regs = (const uint64_t *)(const void *)p[1];
		rec->u.sample.stack = n[2] ? p[2] : NULL;
		rec->u.sample.raw = n[3] ? p[3] : NULL;
		return 0;
	case FLAME_REC_MMAP:
		for (int i = 0; i < 2; i++)
			if (!(p[i] = take(buf, len, &at, &n[i])))
				return -1;
		if (!n[0] || p[0][n[0] - 1] != '\0' || n[1] != rec->u.mmap.build_id_size)
			return -1;
		rec->u.mmap.filename = (const char *)p[0];
		rec->u.mmap.build_id = n[1] ? p[1] : NULL;
		return 0;
	case FLAME_REC_COMM:
		if (!(p[0] = take(buf, len, &at, &n[0])) || !n[0] || p[0][n[0] - 1] != '\0')
			return -1;
		rec->u.comm.comm = (const char *)p[0];
		return 0;
	default:
		return 0;
	}
}

int flame_spool_replay(struct flame_spool *sp, flame_sampler_cb cb, void *ctx,
		       flame_spool_progress progress, void *pctx, struct flame_error *err)
{
	if (!sp->write_errno && fflush(sp->f) != 0)
		sp->write_errno = errno;
	if (sp->write_errno)
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
				       "cannot write the samples to a temporary file: %s (set TMPDIR to "
				       "a directory with more room)", strerror(sp->write_errno));
	if (fseeko(sp->f, 0, SEEK_SET) != 0)
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "cannot read the samples back: %s",
				       strerror(errno));
	uint64_t off = 0, samples = 0;
	for (uint64_t i = 0; i < sp->records; i++) {
		uint32_t total;
		if (fread(&total, 4, 1, sp->f) != 1 || total < sizeof(struct flame_sample_rec) ||
		    total > MAX_RECORD)
			return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
					       "temporary sample file, offset %llu: expected a record",
					       (unsigned long long)off);
		/* +4: parts sit 4 bytes past 8-byte boundaries; shift them onto
		 * the boundaries so the u64 arrays are aligned */
		flame_grow((void **)&sp->buf, &sp->cap, (size_t)total + 8, 1);
		unsigned char *b = sp->buf + 4;
		if (fread(b, 1, total, sp->f) != total)
			return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
					       "temporary sample file, offset %llu: record cut short",
					       (unsigned long long)off);
		struct flame_sample_rec rec;
		memcpy(&rec, b, sizeof(rec));
		if (unpack(&rec, b, total) < 0)
			return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
					       "temporary sample file, offset %llu: malformed record",
					       (unsigned long long)off);
		cb(ctx, &rec);
		off += 4 + (uint64_t)total;
		if (rec.type == FLAME_REC_SAMPLE && progress && (++samples & 1023) == 0)
			progress(pctx, samples, sp->samples);
	}
	if (progress)
		progress(pctx, sp->samples, sp->samples);
	return 0;
}
