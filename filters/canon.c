#include "canon.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/io.h"
#include "../core/text.h"
#include "../core/util.h"
#include "../formats/registry.h"
#include "stacks.h"


static const uint64_t p10[] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
				10000000ULL, 100000000ULL, 1000000000ULL };

/* ---- opening ---- */

/* buf is a whole file; ambiguous input is left to the reader to report */
static int detected_folded(const char *buf, size_t len)
{
	return flame_format_detect(buf, len, 1, FLAME_DETECT_ALL, NULL) == &flame_format_folded;
}

static void unmap(const char *data, size_t len)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t base = (uintptr_t)data & ~(pg - 1);
	munmap((void *)base, len + ((uintptr_t)data - base));
}

void flame_canon_close(struct flame_canon_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		if (set->f[i].data)
			unmap(set->f[i].data, set->f[i].len);
		free(set->f[i].name);
	}
	free(set->f);
	memset(set, 0, sizeof(*set));
}

int flame_canon_undetected(const char *path)
{
	if (!path || strcmp(path, "-") == 0)
		return 0;
	struct flame_input *in;
	struct flame_error err;
	if (flame_input_open(&in, path, &err) < 0)
		return 0;
	char *buf = flame_xmalloc(FLAME_PROBE_WINDOW);
	size_t len = 0;
	int eof = 0, ok = 1;
	while (len < FLAME_PROBE_WINDOW) {
		ssize_t k = flame_input_read(in, buf + len, FLAME_PROBE_WINDOW - len, &err);
		if (k < 0) {
			ok = 0;
			break;
		}
		if (k == 0) {
			eof = 1;
			break;
		}
		len += (size_t)k;
	}
	flame_input_close(in);
	struct flame_detect d;
	int none = ok && len > 0;
	if (none) {
		flame_format_detect(buf, len, eof, FLAME_DETECT_ALL, &d);
		none = d.nyes == 0;
	}
	free(buf);
	return none;
}

/* Map a plain regular file (or standard input redirected from one) at its
 * current offset, without reading from it: if the shortcut declines, the
 * general path must still find every byte where it was. */
static int map_plain(const char *path, const char **data, size_t *len)
{
	int is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	off_t off = is_stdin ? lseek(0, 0, SEEK_CUR) : 0;
	int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && off >= 0 && st.st_size > off &&
		 (uint64_t)(st.st_size - off) < SIZE_MAX / 2;
	void *m = MAP_FAILED;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), skip = 0, n = 0;
	if (ok) {
		off_t base = off & ~(off_t)(pg - 1);
		skip = (size_t)(off - base);
		n = (size_t)(st.st_size - off);
		m = mmap(NULL, n + skip, PROT_READ, MAP_PRIVATE, fd, base);
	}
	if (!is_stdin)
		close(fd);
	if (m == MAP_FAILED)
		return -1;
	const unsigned char *d = (const unsigned char *)m + skip;
	if ((n >= 2 && d[0] == 0x1f && d[1] == 0x8b) ||
	    (n >= 4 && d[0] == 0x28 && d[1] == 0xb5 && d[2] == 0x2f && d[3] == 0xfd)) {
		munmap(m, n + skip); /* compressed: the reader decompresses it */
		return -1;
	}
	*data = (const char *)d;
	*len = n;
	return 0;
}

int flame_canon_open(struct flame_canon_set *set, const char *const *paths, size_t n,
		     const struct flame_format *forced)
{
	memset(set, 0, sizeof(*set));
	if (n == 0 || (forced && forced != &flame_format_folded))
		return 0;
	set->f = flame_xcalloc(n, sizeof(*set->f));
	for (size_t i = 0; i < n; i++) {
		const char *p;
		size_t len;
		for (size_t k = 0; k < i; k++)
			if (strcmp(paths[k], "-") == 0 && strcmp(paths[i], "-") == 0)
				goto no; /* stdin twice: the reader reads it once */
		if (map_plain(paths[i], &p, &len) < 0)
			goto no;
		set->f[i].name = flame_xstrdup(paths[i]);
		set->f[i].data = p;
		set->f[i].len = len;
		set->n = i + 1;
		if (!forced && !detected_folded(p, len))
			goto no;
		uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
		uintptr_t a = (uintptr_t)p & ~(pg - 1);
		madvise((void *)a, len + ((uintptr_t)p - a), MADV_WILLNEED);
	}
	return 1;
no:
	flame_canon_close(set);
	return 0;
}

/* ---- one line ---- */

struct cline {
	size_t stack_len;
	const char *count;   /* the count's text */
	size_t count_len;
	uint64_t ip;         /* integer part */
	uint64_t fp;         /* fraction digits as an integer */
	int digits;          /* number of fraction digits */
};

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* What the folded reader accepts as a count: digits, optionally '.' and digits. */
static int reader_count(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_digit((unsigned char)s[i]))
		i++;
	if (i == 0)
		return 0;
	if (i < n && s[i] == '.')
		for (i++; i < n && is_digit((unsigned char)s[i]);)
			i++;
	return i == n;
}

/*
 * 1: a canonical "STACK COUNT" line, as flame's folded writer prints it
 * (one space, a count without leading zeros or trailing fraction zeros,
 * nothing after it, and a stack the reader would not read as a differential
 * line); 2: a blank line (the reader skips it); 0: anything else.
 */
static int canon_line(const char *s, size_t n, struct cline *cl)
{
	if (n == 0)
		return 2;
	if (!is_digit((unsigned char)s[n - 1])) {
		for (size_t i = 0; i < n; i++)
			if (!flame_is_space((unsigned char)s[i]))
				return 0;
		return 2;
	}
	if (n > FLAME_MAX_LINE)
		return 0;
	size_t i = n;
	while (i && is_digit((unsigned char)s[i - 1]))
		i--;
	size_t int_end = n;
	cl->digits = 0;
	cl->fp = 0;
	if (i && s[i - 1] == '.') {
		size_t fl = n - i;
		if (fl > FLAME_MAX_SCALE_DIGITS || s[n - 1] == '0')
			return 0;
		for (size_t k = i; k < n; k++)
			cl->fp = cl->fp * 10 + (uint64_t)(s[k] - '0');
		cl->digits = (int)fl;
		int_end = i - 1;
		i = int_end;
		while (i && is_digit((unsigned char)s[i - 1]))
			i--;
	}
	size_t il = int_end - i;
	if (il == 0 || il > 19 || (s[i] == '0' && il > 1))
		return 0;
	if (i < 2 || s[i - 1] != ' ' || s[i - 2] == ' ' || s[i - 2] == '\t')
		return 0;
	uint64_t v = 0;
	for (size_t k = i; k < int_end; k++)
		v = v * 10 + (uint64_t)(s[k] - '0');
	cl->ip = v;
	cl->count = s + i;
	cl->count_len = n - i;
	size_t se = i - 1;
	/* "STACK N M" is a differential line to the reader: not ours */
	size_t j = se;
	while (j && (is_digit((unsigned char)s[j - 1]) || s[j - 1] == '.'))
		j--;
	if (j < se && j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t') && reader_count(s + j, se - j)) {
		size_t k = j - 1;
		while (k && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			k--;
		if (k > 0)
			return 0;
	}
	cl->stack_len = se;
	return 1;
}

/* Exact sum of counts, in integer and 10^-9 parts. */
struct acc {
	unsigned __int128 ip, fp9;
	int digits;
};

static void acc_add(struct acc *a, const struct cline *cl)
{
	a->ip += cl->ip;
	a->fp9 += (unsigned __int128)cl->fp * p10[FLAME_MAX_SCALE_DIGITS - cl->digits];
	if (cl->digits > a->digits)
		a->digits = cl->digits;
}

static void acc_merge(struct acc *a, const struct acc *b)
{
	a->ip += b->ip;
	a->fp9 += b->fp9;
	if (b->digits > a->digits)
		a->digits = b->digits;
}

/* The sum as fixed point with digits decimals; -1 if it needs more than 64 bits. */
static int acc_total(const struct acc *a, int digits, uint64_t *out)
{
	unsigned __int128 t = a->ip * p10[digits] + a->fp9 / p10[FLAME_MAX_SCALE_DIGITS - digits];
	if (a->ip > UINT64_MAX || t > UINT64_MAX)
		return -1;
	*out = (uint64_t)t;
	return 0;
}

static uint64_t cline_fixed(const struct cline *cl, int digits)
{
	return cl->ip * p10[digits] + cl->fp * p10[digits - cl->digits];
}

/* Drop the pages of [p, p+n) from our resident set: done with them for
 * now (the page cache keeps them; touching them again faults them back),
 * so that memory follows what is kept, not the size of the input. */
static void release_pages(const char *p, size_t n)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + pg - 1) & ~(pg - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(pg - 1);
	if (e > a)
		madvise((void *)a, e - a, MADV_DONTNEED);
}

/* ---- jobs on threads ---- */

struct span {
	size_t off, len; /* bytes of the file to copy */
	int add_newline; /* the file's last line had none */
};

struct job {
	const struct flame_canon_src *src;
	size_t start, end;           /* byte range: whole lines */
	const struct flame_filter *f; /* grep, or NULL: validate only */
	/* results */
	int bad;                     /* not canonical */
	int failed;                  /* regex error in err */
	struct flame_error err;
	struct acc acc;
	const char *first, *last;    /* first and last stack kept, in order */
	size_t first_len, last_len;
	struct span *spans;
	size_t nspans, spans_cap;
	uint64_t nin, nout;          /* stack lines (count > 0) read, and kept */
};

struct pool {
	struct job *jobs;
	size_t njobs, next;
	pthread_mutex_t mu;
	int stop;
	uint32_t max_captures;
};

static void add_span(struct job *j, size_t off, size_t len, int nl)
{
	if (j->nspans && !j->spans[j->nspans - 1].add_newline &&
	    j->spans[j->nspans - 1].off + j->spans[j->nspans - 1].len == off) {
		j->spans[j->nspans - 1].len += len;
		j->spans[j->nspans - 1].add_newline = nl;
		return;
	}
	FLAME_GROW(j->spans, j->spans_cap, j->nspans + 1);
	j->spans[j->nspans++] = (struct span){ off, len, nl };
}

static void run_job(struct job *j, struct flame_matcher *m, const int *stop)
{
	const char *base = j->src->data;
	const char *p = base + j->start, *end = base + j->end;
	unsigned lines = 0;
	while (p < end) {
		if ((++lines & 4095) == 0 && __atomic_load_n(stop, __ATOMIC_RELAXED))
			return;
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		struct cline cl;
		int r = canon_line(p, (size_t)(le - p), &cl);
		if (r == 0) {
			j->bad = 1;
			return;
		}
		if (r == 1) {
			acc_add(&j->acc, &cl);
			int keep = 1;
			if (j->f) {
				keep = cl.ip || cl.fp; /* a zero count writes no line */
				j->nin += (uint64_t)keep;
				if (keep) {
					keep = flame_filter_grep_line(j->f, m, p, cl.stack_len, &j->err);
					if (keep < 0) {
						j->failed = 1;
						return;
					}
				}
			}
			if (keep) {
				if (j->last && flame_stack_cmp(j->last, j->last_len, p, cl.stack_len) >= 0) {
					j->bad = 1;
					return;
				}
				if (!j->first) {
					j->first = p;
					j->first_len = cl.stack_len;
				}
				j->last = p;
				j->last_len = cl.stack_len;
				if (j->f) {
					add_span(j, (size_t)(p - base), (size_t)(le - p) + (nl ? 1 : 0), !nl);
					j->nout++;
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
}

static void *worker(void *arg)
{
	struct pool *pl = arg;
	struct flame_matcher m;
	flame_matcher_init(&m, pl->max_captures);
	for (;;) {
		pthread_mutex_lock(&pl->mu);
		size_t i = pl->next < pl->njobs && !__atomic_load_n(&pl->stop, __ATOMIC_RELAXED)
			       ? pl->next++
			       : SIZE_MAX;
		pthread_mutex_unlock(&pl->mu);
		if (i == SIZE_MAX)
			break;
		struct job *j = &pl->jobs[i];
		run_job(j, &m, &pl->stop);
		release_pages(j->src->data + j->start, j->end - j->start);
		if (j->bad || j->failed)
			__atomic_store_n(&pl->stop, 1, __ATOMIC_RELAXED);
	}
	flame_matcher_release(&m);
	return NULL;
}

static void run_pool(struct pool *pl, int nthreads)
{
	pthread_mutex_init(&pl->mu, NULL);
	if (nthreads < 1)
		nthreads = 1;
	if ((size_t)nthreads > pl->njobs)
		nthreads = (int)pl->njobs;
	pthread_t *th = flame_xcalloc((size_t)nthreads, sizeof(*th));
	int started = 0;
	for (int t = 1; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, worker, pl) == 0)
			started = t;
		else
			break;
	worker(pl);
	for (int t = 1; t <= started; t++)
		pthread_join(th[t], NULL);
	free(th);
	pthread_mutex_destroy(&pl->mu);
}

/* Cut src into about `pieces` ranges of whole lines, appended to jobs. */
static void add_jobs(struct job **jobs, size_t *njobs, size_t *cap, const struct flame_canon_src *src,
		     size_t pieces, const struct flame_filter *f)
{
	size_t start = 0;
	size_t piece = src->len / (pieces ? pieces : 1) + 1;
	if (piece < (1u << 20))
		piece = 1u << 20;
	while (start < src->len) {
		size_t end = src->len;
		if (src->len - start > piece) {
			const char *nl = memchr(src->data + start + piece, '\n',
						src->len - start - piece);
			end = nl ? (size_t)(nl - src->data) + 1 : src->len;
		}
		FLAME_GROW(*jobs, *cap, *njobs + 1);
		struct job *j = &(*jobs)[(*njobs)++];
		memset(j, 0, sizeof(*j));
		j->src = src;
		j->start = start;
		j->end = end;
		j->f = f;
		start = end;
	}
}

static void free_jobs(struct job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(jobs[i].spans);
	free(jobs);
}

/* Jobs of one file in order: each job's stacks ascend, so check the seams. */
static int seams_ascend(const struct job *jobs, size_t n)
{
	const char *last = NULL;
	size_t last_len = 0;
	for (size_t i = 0; i < n; i++) {
		if (!jobs[i].first)
			continue;
		if (last && flame_stack_cmp(last, last_len, jobs[i].first, jobs[i].first_len) >= 0)
			return 0;
		last = jobs[i].last;
		last_len = jobs[i].last_len;
	}
	return 1;
}

/* ---- grep ---- */

int flame_canon_grep(const struct flame_canon_set *set, const struct flame_filter *f, int nthreads,
		     const char *output, uint64_t *lines_in, uint64_t *lines_out,
		     struct flame_error *err)
{
	*lines_in = *lines_out = 0;
	struct job *jobs = NULL;
	size_t njobs = 0, cap = 0;
	for (size_t i = 0; i < set->n; i++)
		add_jobs(&jobs, &njobs, &cap, &set->f[i], (size_t)(nthreads > 1 ? 4 * nthreads : 1), f);
	struct pool pl = { jobs, njobs, 0, PTHREAD_MUTEX_INITIALIZER, 0, f->max_captures };
	if (njobs)
		run_pool(&pl, nthreads);
	int rc = 1;
	struct acc total = { 0, 0, 0 };
	for (size_t i = 0; i < njobs && rc == 1; i++) {
		if (jobs[i].failed) {
			*err = jobs[i].err;
			rc = -1;
		} else if (jobs[i].bad) {
			rc = 0;
		}
		acc_merge(&total, &jobs[i].acc);
		*lines_in += jobs[i].nin;
		*lines_out += jobs[i].nout;
	}
	uint64_t t;
	/* all selected lines, across jobs and files, must ascend; and the
	 * general path's sums must fit, or it would have failed */
	if (rc == 1 && (!seams_ascend(jobs, njobs) || acc_total(&total, total.digits, &t) < 0))
		rc = 0;
	if (rc == 1) {
		struct flame_output *out;
		if (flame_output_open(&out, output, err) < 0) {
			rc = -1;
		} else {
			for (size_t i = 0; i < njobs && rc == 1; i++) {
				const char *base = jobs[i].src->data;
				for (size_t s = 0; s < jobs[i].nspans && rc == 1; s++) {
					const struct span *sp = &jobs[i].spans[s];
					if (flame_output_write(out, base + sp->off, sp->len, err) < 0 ||
					    (sp->add_newline && flame_output_write(out, "\n", 1, err) < 0))
						rc = -1;
				}
			}
			if (rc == 1 && flame_output_commit(out, err) < 0)
				rc = -1;
			else if (rc != 1)
				flame_output_abort(out);
		}
	}
	free_jobs(jobs, njobs);
	return rc;
}

/* ---- diff ---- */

struct cursor {
	const char *p, *end;
	struct cline cl;
	int valid; /* cl describes the line at p */
	const char *next;
	const char *released; /* pages before this were released */
};

#define RELEASE_STEP (32u << 20)

/* Move to the next line with a non-zero count (lines were validated). */
static void cursor_next(struct cursor *c)
{
	c->valid = 0;
	while (c->p < c->end) {
		const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
		const char *le = nl ? nl : c->end;
		const char *line = c->p;
		c->next = nl ? nl + 1 : c->end;
		if (canon_line(line, (size_t)(le - line), &c->cl) == 1 && (c->cl.ip || c->cl.fp)) {
			c->valid = 1;
			return;
		}
		c->p = c->next;
	}
}

static void cursor_advance(struct cursor *c)
{
	c->p = c->next;
	cursor_next(c);
	if ((size_t)(c->p - c->released) >= RELEASE_STEP) {
		release_pages(c->released, (size_t)(c->p - c->released));
		c->released = c->p;
	}
}

struct merge_out {
	struct flame_output *out;
	struct flame_buf buf;
	int digits;
	int normalize;
	uint64_t num, den; /* before counts are scaled by num / den */
	uint64_t lines;
};

static void put_count(struct merge_out *mo, const struct cline *cl, int before)
{
	if (!cl) {
		flame_buf_addc(&mo->buf, '0');
	} else if (before && mo->normalize) {
		unsigned __int128 v = (unsigned __int128)cline_fixed(cl, mo->digits) * mo->num / mo->den;
		flame_format_weight(&mo->buf, (uint64_t)v, mo->digits);
	} else {
		flame_buf_add(&mo->buf, cl->count, cl->count_len);
	}
}

static void put_line(struct merge_out *mo, const char *stack, size_t len, const struct cline *b,
		     const struct cline *a)
{
	flame_buf_add(&mo->buf, stack, len);
	flame_buf_addc(&mo->buf, ' ');
	put_count(mo, b, 1);
	flame_buf_addc(&mo->buf, ' ');
	put_count(mo, a, 0);
	flame_buf_addc(&mo->buf, '\n');
	mo->lines++;
}

int flame_canon_diff(const struct flame_canon_src *before, const struct flame_canon_src *after,
		     int normalize, int nthreads, const char *output, struct flame_diff_totals *tot,
		     struct flame_error *err)
{
	struct job *jobs = NULL;
	size_t njobs = 0, cap = 0;
	size_t pieces = (size_t)(nthreads > 1 ? 2 * nthreads : 1);
	add_jobs(&jobs, &njobs, &cap, before, pieces, NULL);
	size_t nb = njobs;
	add_jobs(&jobs, &njobs, &cap, after, pieces, NULL);
	struct pool pl = { jobs, njobs, 0, PTHREAD_MUTEX_INITIALIZER, 0, 0 };
	if (njobs)
		run_pool(&pl, nthreads);
	struct acc ab = { 0, 0, 0 }, aa = { 0, 0, 0 };
	int ok = 1;
	for (size_t i = 0; i < njobs; i++) {
		ok &= !jobs[i].bad;
		acc_merge(i < nb ? &ab : &aa, &jobs[i].acc);
	}
	ok = ok && seams_ascend(jobs, nb) && seams_ascend(jobs + nb, njobs - nb);
	free_jobs(jobs, njobs);
	int digits = ab.digits > aa.digits ? ab.digits : aa.digits;
	uint64_t tb = 0, ta = 0;
	if (!ok || acc_total(&ab, digits, &tb) < 0 || acc_total(&aa, digits, &ta) < 0)
		return 0;

	struct merge_out mo;
	memset(&mo, 0, sizeof(mo));
	mo.digits = digits;
	mo.normalize = normalize && tb != ta && tb != 0;
	mo.num = ta;
	mo.den = tb;
	tot->before = tb;
	tot->after = ta;
	tot->scale_digits = digits;
	tot->normalized = mo.normalize;
	if (flame_output_open(&mo.out, output, err) < 0)
		return -1;
	flame_buf_reserve(&mo.buf, 1u << 20);
	struct cursor cb = { before->data, before->data + before->len, { 0 }, 0, NULL, before->data };
	struct cursor ca = { after->data, after->data + after->len, { 0 }, 0, NULL, after->data };
	cursor_next(&cb);
	cursor_next(&ca);
	int rc = 1;
	while (cb.valid || ca.valid) {
		int c;
		if (!ca.valid)
			c = -1;
		else if (!cb.valid)
			c = 1;
		else
			c = flame_stack_cmp(cb.p, cb.cl.stack_len, ca.p, ca.cl.stack_len);
		if (c < 0) {
			put_line(&mo, cb.p, cb.cl.stack_len, &cb.cl, NULL);
			cursor_advance(&cb);
		} else if (c > 0) {
			put_line(&mo, ca.p, ca.cl.stack_len, NULL, &ca.cl);
			cursor_advance(&ca);
		} else {
			put_line(&mo, cb.p, cb.cl.stack_len, &cb.cl, &ca.cl);
			cursor_advance(&cb);
			cursor_advance(&ca);
		}
		if (mo.buf.len >= (1u << 20)) {
			if (flame_output_write(mo.out, mo.buf.data, mo.buf.len, err) < 0) {
				rc = -1;
				break;
			}
			flame_buf_reset(&mo.buf);
		}
	}
	if (rc == 1 && mo.buf.len && flame_output_write(mo.out, mo.buf.data, mo.buf.len, err) < 0)
		rc = -1;
	if (rc == 1 && flame_output_commit(mo.out, err) < 0)
		rc = -1;
	else if (rc != 1)
		flame_output_abort(mo.out);
	flame_buf_release(&mo.buf);
	tot->stacks = mo.lines;
	return rc;
}
