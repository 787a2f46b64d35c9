#include "reader.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../core/io.h"
#include "../core/util.h"
#include "../core/text.h"
#include "registry.h"

#define DEFAULT_CHUNK (2u << 20)
#define MAX_RECORD (64u << 20)
#define MAX_FORMATS 16

struct chunk {
	uint64_t seq;
	size_t file;
	const struct flame_format *fmt;
	char *data;
	size_t len, cap;
	int file_start, file_end;
	int borrowed;  /* data points into a mapped file, not owned */
	struct chunk *next;
};

struct worker {
	pthread_t th;
	struct flame_reader *r;
	struct flame_profile prof;
	struct flame_diag diag;
	struct flame_parse_ctx ctx;
	void *parsers[MAX_FORMATS];
};

struct chunk_info {
	size_t file;
	uint64_t nlines;
};

struct flame_reader {
	struct flame_reader_config cfg;
	struct flame_read_opts default_opts;
	size_t chunk_size;
	int nworkers;
	struct worker *workers;
	int threaded;
	/* streaming formats (format.h) are parsed here, on the feeding thread,
	 * in file order; merged after the workers */
	struct worker stream;

	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_room;
	struct chunk *qhead, *qtail;
	size_t qlen, qmax;
	int closing;
	struct chunk *freelist;

	struct chunk *pend;      /* chunk being filled */
	size_t scan_from;        /* pend bytes before this hold no boundary */
	int in_file, file_dispatched;
	const struct flame_format *cur_fmt;

	char **files;
	const struct flame_format **fmts;
	size_t nfiles, files_cap;

	struct chunk_info *infos;
	size_t ninfos, infos_cap;

	char *event;
	int prepared;

	int failed;              /* under mu */
	uint64_t fail_seq, fail_line;
	char fail_msg[512];
	int local_error;         /* error raised on the feeding side */
	void (*progress)(void *ctx, const char *name, uint64_t done, uint64_t total);
	void *progress_ctx;      /* see struct flame_reader_config */
	double last;             /* time of the last progress call */
	int shown;               /* a progress call was made since the last "none" */
	struct { void *p; size_t n; } *maps; /* mapped inputs, unmapped at the end */
	size_t nmaps, maps_cap;
	uint64_t bytes;
};

int flame_parse_fail(struct flame_parse_ctx *ctx, uint64_t line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ctx->fail_msg, sizeof(ctx->fail_msg), fmt, ap);
	va_end(ap);
	ctx->failed = 1;
	ctx->fail_line = line;
	return -1;
}

size_t flame_last_line_where(const char *buf, size_t len, int (*pred)(const char *, size_t))
{
	/* Walk back over complete lines: [start, nl] where nl is a '\n'. */
	const char *end = buf + len;
	const char *nl = memrchr(buf, '\n', len);
	while (nl) {
		const char *prev = nl > buf ? memrchr(buf, '\n', (size_t)(nl - buf)) : NULL;
		const char *start = prev ? prev + 1 : buf;
		if (pred(start, (size_t)(nl - start)))
			return (size_t)(nl + 1 - buf);
		nl = prev;
	}
	(void)end;
	return 0;
}

static int format_index(const struct flame_format *f)
{
	for (int i = 0; flame_formats[i]; i++)
		if (flame_formats[i] == f)
			return i;
	return 0;
}

static struct chunk *chunk_get(struct flame_reader *r, size_t need)
{
	struct chunk *c = NULL;
	if (r->threaded)
		pthread_mutex_lock(&r->mu);
	if (r->freelist) {
		c = r->freelist;
		r->freelist = c->next;
	}
	if (r->threaded)
		pthread_mutex_unlock(&r->mu);
	if (!c) {
		c = flame_xcalloc(1, sizeof(*c));
	}
	if (need && c->cap < need) {
		/* one standard size, so recycled buffers fit the next chunk */
		size_t std = 2 * r->chunk_size + (512u << 10);
		free(c->data);
		c->cap = need > std ? need : std;
		c->data = flame_xmalloc(c->cap);
	}
	c->len = 0;
	c->next = NULL;
	c->file_start = c->file_end = c->borrowed = 0;
	return c;
}

static void chunk_put_locked(struct flame_reader *r, struct chunk *c)
{
	if (c->borrowed) {
		c->borrowed = 0;
		c->data = NULL;
		c->cap = 0;
	} else if (c->cap > 4 * r->chunk_size) {
		/* a rare oversized record: give the memory back */
		free(c->data);
		c->data = NULL;
		c->cap = 0;
	}
	c->next = r->freelist;
	r->freelist = c;
}

static void process(struct flame_reader *r, struct worker *w, struct chunk *c)
{
	int skip;
	const char *event;
	if (r->threaded)
		pthread_mutex_lock(&r->mu);
	/* after a failure, chunks before it still count (lines, earlier errors) */
	skip = r->failed && c->seq > r->fail_seq;
	event = r->event;
	if (r->threaded)
		pthread_mutex_unlock(&r->mu);
	if (skip)
		return;
	int fi = format_index(c->fmt);
	if (!w->parsers[fi])
		w->parsers[fi] = c->fmt->parser_new(&w->ctx);
	w->ctx.chunk = c->seq;
	w->ctx.lines = 0;
	w->ctx.event = event;
	w->ctx.failed = 0;
	int rc = c->fmt->parse(w->parsers[fi], c->data, c->len, c->file_start, c->file_end);
	char *chosen = w->ctx.chosen_event;
	w->ctx.chosen_event = NULL;
	if (c->borrowed) {
		/* Done with these pages: drop them from our resident set (the
		 * page cache keeps them), so memory follows stacks, not file size. */
		uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
		uintptr_t a = ((uintptr_t)c->data + pg - 1) & ~(pg - 1);
		uintptr_t b = ((uintptr_t)c->data + c->len) & ~(pg - 1);
		if (b > a)
			madvise((void *)a, b - a, MADV_DONTNEED);
	}
	if (r->threaded)
		pthread_mutex_lock(&r->mu);
	r->infos[c->seq].nlines = w->ctx.lines;
	if (chosen && !r->event) {
		r->event = chosen;
		chosen = NULL;
	}
	free(chosen);
	if (rc < 0 && (!r->failed || c->seq < r->fail_seq)) {
		r->failed = 1;
		r->fail_seq = c->seq;
		r->fail_line = w->ctx.fail_line;
		snprintf(r->fail_msg, sizeof(r->fail_msg), "%s", w->ctx.fail_msg);
	}
	if (r->threaded)
		pthread_mutex_unlock(&r->mu);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct flame_reader *r = w->r;
	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->qhead && !r->closing)
			pthread_cond_wait(&r->cv_work, &r->mu);
		struct chunk *c = r->qhead;
		if (!c) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		r->qhead = c->next;
		if (!r->qhead)
			r->qtail = NULL;
		r->qlen--;
		pthread_cond_signal(&r->cv_room);
		pthread_mutex_unlock(&r->mu);

		process(r, w, c);

		pthread_mutex_lock(&r->mu);
		chunk_put_locked(r, c);
		pthread_mutex_unlock(&r->mu);
	}
}

static void worker_init(struct flame_reader *r, struct worker *w)
{
	memset(w, 0, sizeof(*w));
	w->r = r;
	flame_profile_init(&w->prof);
	flame_diag_init(&w->diag);
	w->ctx.prof = &w->prof;
	w->ctx.diag = &w->diag;
	w->ctx.opts = r->cfg.opts;
}

struct flame_reader *flame_reader_new(const struct flame_reader_config *cfg)
{
	struct flame_reader *r = flame_xcalloc(1, sizeof(*r));
	r->cfg = *cfg;
	if (!r->cfg.opts)
		r->cfg.opts = &r->default_opts;
	r->chunk_size = cfg->chunk_size ? cfg->chunk_size : DEFAULT_CHUNK;
	r->nworkers = cfg->nthreads > 1 ? cfg->nthreads : 1;
	/* One parse thread can still run beside the caller's reading and
	 * decompression (background_parse); more threads always do. */
	r->threaded = cfg->nthreads > 1 || cfg->background_parse;
	r->workers = flame_xcalloc((size_t)r->nworkers, sizeof(*r->workers));
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv_work, NULL);
	pthread_cond_init(&r->cv_room, NULL);
	r->qmax = (size_t)r->nworkers + 1;
	for (int i = 0; i < r->nworkers; i++)
		worker_init(r, &r->workers[i]);
	worker_init(r, &r->stream);
	if (r->threaded)
		for (int i = 0; i < r->nworkers; i++)
			pthread_create(&r->workers[i].th, NULL, worker_main, &r->workers[i]);
	return r;
}

static int reader_error(struct flame_reader *r, struct flame_error *err, enum flame_error_kind kind,
			const char *file, uint64_t line, const char *msg)
{
	if (!err)
		return -1;
	r->local_error = 1;
	return flame_error_set(err, kind, file, line, "%s", msg);
}

static int check_failed(struct flame_reader *r, struct flame_error *err);

static void dispatch(struct flame_reader *r, struct chunk *c)
{
	c->file = r->nfiles - 1;
	c->fmt = r->cur_fmt;
	c->file_start = !r->file_dispatched;
	r->file_dispatched = 1;
	r->scan_from = 0;
	if (r->threaded)
		pthread_mutex_lock(&r->mu);
	FLAME_GROW(r->infos, r->infos_cap, r->ninfos + 1);
	c->seq = r->ninfos;
	r->infos[r->ninfos++] = (struct chunk_info){ c->file, 0 };
	if (c->fmt->streaming) {
		if (r->threaded)
			pthread_mutex_unlock(&r->mu);
		process(r, &r->stream, c);
		if (r->threaded)
			pthread_mutex_lock(&r->mu);
		chunk_put_locked(r, c);
		if (r->threaded)
			pthread_mutex_unlock(&r->mu);
		return;
	}
	if (!r->threaded) {
		process(r, &r->workers[0], c);
		chunk_put_locked(r, c);
		return;
	}
	while (r->qlen >= r->qmax)
		pthread_cond_wait(&r->cv_room, &r->mu);
	if (r->qtail)
		r->qtail->next = c;
	else
		r->qhead = c;
	r->qtail = c;
	r->qlen++;
	pthread_cond_signal(&r->cv_work);
	pthread_mutex_unlock(&r->mu);
}

int flame_reader_begin_file(struct flame_reader *r, const char *name, struct flame_error *err)
{
	(void)err;
	FLAME_GROW(r->files, r->files_cap, r->nfiles + 1);
	size_t cap2 = r->files_cap;
	r->fmts = flame_xrealloc(r->fmts, cap2 * sizeof(*r->fmts));
	r->files[r->nfiles] = flame_xstrdup(name);
	r->fmts[r->nfiles] = NULL;
	r->nfiles++;
	r->in_file = 1;
	r->file_dispatched = 0;
	r->cur_fmt = r->cfg.format;
	r->scan_from = 0;
	if (!r->pend)
		r->pend = chunk_get(r, r->chunk_size + (512u << 10));
	r->pend->len = 0;
	return 0;
}

/* Decide the format of the current file from the bytes gathered so far.
 * -1: error (err set); 0: format known; 1: need more input to tell;
 * 2: the whole input is blank or comments (only with eof). */
static int resolve_format_in(struct flame_reader *r, const char *buf, size_t len, int eof,
			     struct flame_error *err)
{
	const char *name = r->files[r->nfiles - 1];
	if (!r->cur_fmt) {
		/* Leading comments (perf script --header) say nothing about the
		 * format: skip them, then probe exactly the next FLAME_PROBE_WINDOW (or
		 * the rest of the input), so the answer does not depend on how
		 * the input arrived.  Returns 1 while that much is not there yet. */
		size_t start = 0;
		/* Streaming formats (JSON, protobuf) first see the input as it
		 * is: a protobuf message often starts with 0x0a, which the
		 * comment skipping below would take for a blank line. */
		if (eof || len >= FLAME_PROBE_WINDOW) {
			const struct flame_format *hit =
				flame_format_detect(buf, len, eof, FLAME_DETECT_STREAMING, NULL);
			if (hit) {
				r->cur_fmt = hit;
				r->fmts[r->nfiles - 1] = hit;
				return 0;
			}
		}
		for (;;) {
			const char *nl = memchr(buf + start, '\n', len - start);
			if (!nl) {
				if (!eof)
					return len > MAX_RECORD ? reader_error(r, err, FLAME_ERR_DATA, name, 0,
							"no data after 64 MiB of comment lines") : 1;
				break;
			}
			size_t ll = (size_t)(nl - (buf + start));
			if (!(ll && buf[start] == '#') && !flame_is_blank(buf + start, ll))
				break;
			start = (size_t)(nl + 1 - buf);
		}
		if (!eof && len - start < FLAME_PROBE_WINDOW)
			return 1;
		if (start == len)
			return 2; /* nothing but comments: an empty profile */
		buf += start;
		len -= start;
		struct flame_detect d;
		flame_format_detect(buf, len, eof, FLAME_DETECT_ALL, &d);
		if (d.need_more)
			return 1; /* a first line or record longer than the window */
		const char *opt = r->cfg.format_option ? r->cfg.format_option : "--format";
		if (d.nyes == 0) {
			char m[512];
			snprintf(m, sizeof(m),
				 "unrecognized input format (expected one of: %s); "
				 "name it with %s", flame_format_names(), opt);
			return reader_error(r, err, FLAME_ERR_DATA, name, 0, m);
		}
		if (d.nyes > 1) {
			char m[512];
			snprintf(m, sizeof(m), "ambiguous input: could be %s or %s; name it with %s",
				 d.yes[0]->name, d.yes[1]->name, opt);
			return reader_error(r, err, FLAME_ERR_DATA, name, 0, m);
		}
		r->cur_fmt = d.yes[0];
	}
	r->fmts[r->nfiles - 1] = r->cur_fmt;
	return 0;
}

/* Before the first chunk of a format with prepare() is parsed, let it see
 * the input up to the thing it looks for (perf: the first event).  Returns
 * 1 when parsing may start, 0 to wait for more input. */
static int ready_to_parse(struct flame_reader *r, const char *buf, size_t len, int eof)
{
	if (r->prepared || !r->cur_fmt->prepare)
		return 1;
	char *ev = r->cur_fmt->prepare(buf, len, eof, r->cfg.opts);
	if (!ev && !eof && len <= MAX_RECORD)
		return 0;
	if (ev) {
		if (r->threaded)
			pthread_mutex_lock(&r->mu);
		if (r->event) /* chosen by an earlier perf.data input */
			free(ev);
		else
			r->event = ev;
		r->prepared = 1;
		if (r->threaded)
			pthread_mutex_unlock(&r->mu);
	}
	/* none in this input: nothing here names an event; look in the next one */
	return 1;
}

static int resolve_format(struct flame_reader *r, int eof, struct flame_error *err)
{
	return resolve_format_in(r, r->pend->data, r->pend->len, eof, err);
}

static int cut_chunks(struct flame_reader *r, struct flame_error *err)
{
	while (r->pend->len >= r->chunk_size) {
		struct chunk *p = r->pend;
		if (!r->fmts[r->nfiles - 1]) {
			if (p->len < FLAME_PROBE_WINDOW)
				return 0;
			int rc = resolve_format(r, 0, err);
			if (rc < 0)
				return -1;
			if (rc > 0)
				return 0;
		}
		if (!ready_to_parse(r, p->data, p->len, 0))
			return 0;
		size_t b;
		if (r->cur_fmt->streaming) {
			b = p->len;
		} else if (!r->file_dispatched) {
			b = r->cur_fmt->boundary(p->data, p->len, 1);
			r->scan_from = 0;
		} else {
			b = r->cur_fmt->boundary(p->data + r->scan_from, p->len - r->scan_from, 0);
			if (b)
				b += r->scan_from;
		}
		if (b == 0) {
			if (p->len > MAX_RECORD) {
				char m[256];
				snprintf(m, sizeof(m),
					 "no %s record boundary in %u MiB of input; is this really %s data?",
					 r->cur_fmt->name, MAX_RECORD >> 20, r->cur_fmt->name);
				return reader_error(r, err, FLAME_ERR_DATA, r->files[r->nfiles - 1], 0, m);
			}
			const char *nl = memrchr(p->data, '\n', p->len);
			r->scan_from = nl ? (size_t)(nl + 1 - p->data) : 0;
			return 0;
		}
		size_t rest = p->len - b;
		struct chunk *n = chunk_get(r, rest + r->chunk_size + (512u << 10));
		memcpy(n->data, p->data + b, rest);
		n->len = rest;
		p->len = b;
		dispatch(r, p);
		r->pend = n;
		if (check_failed(r, err) < 0)
			return -1;
	}
	return 0;
}

int flame_reader_feed(struct flame_reader *r, const char *buf, size_t len, struct flame_error *err)
{
	while (len) {
		struct chunk *p = r->pend;
		size_t room = p->cap - p->len;
		if (room == 0) {
			p->cap *= 2;
			p->data = flame_xrealloc(p->data, p->cap);
			room = p->cap - p->len;
		}
		size_t k = len < room ? len : room;
		memcpy(p->data + p->len, buf, k);
		p->len += k;
		buf += k;
		len -= k;
		r->bytes += k;
		if (!r->fmts[r->nfiles - 1] && p->len >= FLAME_PROBE_WINDOW && resolve_format(r, 0, err) < 0)
			return -1;
		if (cut_chunks(r, err) < 0)
			return -1;
	}
	return 0;
}

/* Room in the pending chunk for a direct read() (at least min bytes). */
static char *feed_space(struct flame_reader *r, size_t min, size_t *room)
{
	struct chunk *p = r->pend;
	if (p->cap - p->len < min) {
		p->cap = p->len + min > 2 * p->cap ? p->len + min : 2 * p->cap;
		p->data = flame_xrealloc(p->data, p->cap);
	}
	*room = p->cap - p->len;
	return p->data + p->len;
}

static int feed_commit(struct flame_reader *r, size_t n, struct flame_error *err)
{
	r->pend->len += n;
	r->bytes += n;
	if (!r->fmts[r->nfiles - 1] && r->pend->len >= FLAME_PROBE_WINDOW && resolve_format(r, 0, err) < 0)
		return -1;
	return cut_chunks(r, err);
}

/* Progress of the current input, at most 4 times a second (reader.h). */
static void progress(struct flame_reader *r, uint64_t done, uint64_t size)
{
	if (!r->progress)
		return;
	double now = flame_now();
	if (now - r->last < 0.25)
		return;
	r->last = now;
	r->shown = 1;
	r->progress(r->progress_ctx, r->files[r->nfiles - 1], done, size);
}

/* No input is being read any more: the caller may clear its line. */
static void progress_clear(struct flame_reader *r)
{
	if (r->shown)
		r->progress(r->progress_ctx, NULL, 0, 0);
	r->shown = 0;
}

/* Zero-copy feeding of a whole mapped file: chunks are views into it. */
static int feed_mapped(struct flame_reader *r, const char *base, size_t len, struct flame_error *err)
{
	size_t pos = 0;
	if (!r->fmts[r->nfiles - 1]) {
		int rc = resolve_format_in(r, base, len, 1, err);
		if (rc < 0)
			return -1;
		if (rc == 2)
			return 0;
	}
	ready_to_parse(r, base, len, 1);
	r->bytes += len;
	while (len - pos > r->chunk_size && !r->cur_fmt->whole_input) {
		size_t win = r->chunk_size, b;
		for (;;) {
			if (r->cur_fmt->streaming) {
				b = win;
				break;
			}
			b = r->cur_fmt->boundary(base + pos, win, pos == 0);
			if (b || pos + win >= len)
				break;
			if (win > MAX_RECORD) {
				char m[256];
				snprintf(m, sizeof(m),
					 "no %s record boundary in %u MiB of input; is this really %s data?",
					 r->cur_fmt->name, MAX_RECORD >> 20, r->cur_fmt->name);
				return reader_error(r, err, FLAME_ERR_DATA, r->files[r->nfiles - 1], 0, m);
			}
			win = 2 * win < len - pos ? 2 * win : len - pos;
		}
		if (!b)
			break;
		struct chunk *c = chunk_get(r, 0);
		free(c->data); /* a recycled buffer from a streamed input */
		c->borrowed = 1;
		c->data = (char *)base + pos;
		c->len = b;
		dispatch(r, c);
		pos += b;
		progress(r, pos, len);
		if (check_failed(r, err) < 0)
			return -1;
	}
	struct chunk *c = chunk_get(r, 0);
	free(c->data);
	c->borrowed = 1;
	c->data = (char *)base + pos;
	c->len = len - pos;
	c->file_end = 1;
	r->pend->len = 0;
	dispatch(r, c);
	return check_failed(r, err);
}

int flame_reader_end_file(struct flame_reader *r, struct flame_error *err)
{
	r->in_file = 0;
	if (!r->fmts[r->nfiles - 1]) {
		if (r->pend->len == 0 && !r->cur_fmt)
			return 0; /* empty input: nothing to detect, nothing to read */
		int rc = resolve_format(r, 1, err);
		if (rc < 0)
			return -1;
		if (rc == 2)
			return 0;
	}
	if (r->pend->len == 0 && !r->file_dispatched)
		return 0; /* an empty input, even with --format: nothing to parse */
	ready_to_parse(r, r->pend->data, r->pend->len, 1);
	struct chunk *p = r->pend;
	r->pend = NULL;
	p->file_end = 1;
	dispatch(r, p);
	return check_failed(r, err);
}

static int check_failed(struct flame_reader *r, struct flame_error *err)
{
	if (r->threaded)
		pthread_mutex_lock(&r->mu);
	int failed = r->failed;
	if (r->threaded)
		pthread_mutex_unlock(&r->mu);
	(void)err; /* the message is built by flame_reader_finish(), which knows the line */
	return failed ? -1 : 0;
}

static void stop_workers(struct flame_reader *r)
{
	if (!r->threaded)
		return;
	pthread_mutex_lock(&r->mu);
	r->closing = 1;
	pthread_cond_broadcast(&r->cv_work);
	pthread_mutex_unlock(&r->mu);
	for (int i = 0; i < r->nworkers; i++)
		pthread_join(r->workers[i].th, NULL);
	r->threaded = 0;
}

static void worker_release(struct worker *w)
{
	for (int f = 0; flame_formats[f]; f++)
		if (w->parsers[f])
			flame_formats[f]->parser_free(w->parsers[f]);
	flame_profile_release(&w->prof);
	flame_diag_release(&w->diag);
}

static void reader_free(struct flame_reader *r)
{
	worker_release(&r->stream);
	for (int i = 0; i < r->nworkers; i++)
		worker_release(&r->workers[i]);
	free(r->workers);
	while (r->freelist) {
		struct chunk *c = r->freelist;
		r->freelist = c->next;
		free(c->data);
		free(c);
	}
	while (r->qhead) {
		struct chunk *c = r->qhead;
		r->qhead = c->next;
		free(c->data);
		free(c);
	}
	if (r->pend) {
		free(r->pend->data);
		free(r->pend);
	}
	for (size_t i = 0; i < r->nfiles; i++)
		free(r->files[i]);
	free(r->files);
	free(r->fmts);
	free(r->infos);
	free(r->event);
	for (size_t i = 0; i < r->nmaps; i++)
		flame_input_unmap(r->maps[i].p, r->maps[i].n);
	free(r->maps);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv_work);
	pthread_cond_destroy(&r->cv_room);
	free(r);
}

void flame_reader_abort(struct flame_reader *r)
{
	if (!r)
		return;
	stop_workers(r);
	reader_free(r);
}

void flame_read_report_release(struct flame_read_report *rep)
{
	flame_diag_release(&rep->diag);
	for (size_t i = 0; i < rep->nfiles; i++)
		free(rep->files[i]);
	free(rep->files);
	free(rep->formats);
	free(rep->event);
	memset(rep, 0, sizeof(*rep));
}

int flame_reader_finish(struct flame_reader *r, struct flame_profile *out,
			struct flame_read_report *rep, struct flame_error *err)
{
	stop_workers(r);
	if (r->local_error) { /* err was filled where it happened */
		reader_free(r);
		return -1;
	}
	/* Line offsets: where each chunk starts within its file. */
	uint64_t *start = flame_xmalloc((r->ninfos + 1) * sizeof(*start));
	uint64_t total_lines = 0;
	{
		size_t cur_file = SIZE_MAX;
		uint64_t acc = 0;
		for (size_t i = 0; i < r->ninfos; i++) {
			if (r->infos[i].file != cur_file) {
				cur_file = r->infos[i].file;
				acc = 0;
			}
			start[i] = acc;
			acc += r->infos[i].nlines;
			total_lines += r->infos[i].nlines;
		}
	}
	if (r->failed) {
		size_t f = r->infos[r->fail_seq].file;
		flame_error_set(err, FLAME_ERR_DATA, r->files[f], start[r->fail_seq] + r->fail_line, "%s",
				r->fail_msg);
		free(start);
		reader_free(r);
		return -1;
	}
	/* samples also stands for a unit not stated */
	enum flame_unit unit = out->unit;
	for (int i = 0; i <= r->nworkers; i++) {
		enum flame_unit u = i < r->nworkers ? r->workers[i].prof.unit : r->stream.prof.unit;
		if (unit == FLAME_UNIT_SAMPLES)
			unit = u;
		else if (u != FLAME_UNIT_SAMPLES && u != unit) {
			flame_error_set(err, FLAME_ERR_DATA, NULL, 0, "inputs in different units cannot be merged");
			free(start);
			reader_free(r);
			return -1;
		}
	}
	memset(rep, 0, sizeof(*rep));
	flame_diag_init(&rep->diag);
	for (int i = 0; i <= r->nworkers; i++) {
		struct worker *w = i < r->nworkers ? &r->workers[i] : &r->stream;
		if (out->nnodes == 1 && flame_strtab_count(&out->names) == 0 && out->nstacks == 0) {
			/* nothing to merge into: take the worker's profile as it is */
			struct flame_profile t = *out;
			*out = w->prof;
			w->prof = t;
		} else {
			/* the worker's trie is not needed after: its memory goes
			 * back as the merge reads it */
			flame_profile_merge_consume(out, &w->prof);
		}
		flame_diag_merge(&rep->diag, &w->diag);
	}
	for (int k = 0; k < FLAME_DIAG_NKINDS; k++)
		for (int i = 0; i < rep->diag.nex[k]; i++) {
			struct flame_diag_example *e = &rep->diag.ex[k][i];
			uint64_t seq = e->chunk;
			e->chunk = r->infos[seq].file;
			e->line += start[seq];
		}
	free(start);
	rep->files = r->files;
	rep->nfiles = r->nfiles;
	rep->formats = r->fmts;
	rep->event = r->event;
	rep->event_given = r->cfg.opts->event_filter != NULL;
	rep->bytes = r->bytes;
	rep->lines = total_lines;
	r->files = NULL;
	r->nfiles = 0;
	r->fmts = NULL;
	r->event = NULL;
	reader_free(r);
	return 0;
}

int flame_read_files(const char *const *paths, size_t npaths, const struct flame_reader_config *cfg,
		     struct flame_profile *out, struct flame_read_report *rep,
		     struct flame_error *err)
{
	static const char *const stdin_only[] = { "-" };
	if (npaths == 0) {
		paths = stdin_only;
		npaths = 1;
	}
	struct flame_reader_config c = *cfg;
	c.background_parse = 1; /* reading a pipe or zstd overlaps with parsing */
	struct flame_reader *r = flame_reader_new(&c);
	r->progress = cfg->progress;
	r->progress_ctx = cfg->progress_ctx;
	r->last = flame_now();
	if (r->progress)
		r->progress(r->progress_ctx, NULL, 0, 0); /* the reading starts */
	for (size_t i = 0; i < npaths; i++) {
		struct flame_input *in;
		if (flame_input_open(&in, paths[i], err) < 0)
			goto fail;
		if (flame_reader_begin_file(r, flame_input_name(in), err) < 0) {
			flame_input_close(in);
			goto fail;
		}
		const void *map;
		size_t maplen;
		if (flame_input_map(in, &map, &maplen) == 0) {
			FLAME_GROW(r->maps, r->maps_cap, r->nmaps + 1);
			r->maps[r->nmaps].p = (void *)map;
			r->maps[r->nmaps++].n = maplen;
			flame_input_close(in);
			if (feed_mapped(r, map, maplen, err) < 0)
				goto fail;
			continue;
		}
		for (;;) {
			size_t room;
			char *dst = feed_space(r, 256u << 10, &room);
			ssize_t n = flame_input_read(in, dst, room, err);
			if (n < 0) {
				flame_input_close(in);
				goto fail;
			}
			if (n == 0)
				break;
			if (feed_commit(r, (size_t)n, err) < 0) {
				flame_input_close(in);
				goto fail;
			}
			progress(r, flame_input_raw_offset(in), flame_input_raw_size(in));
		}
		flame_input_close(in);
		if (flame_reader_end_file(r, err) < 0)
			goto fail;
	}
	progress_clear(r);
	return flame_reader_finish(r, out, rep, err);
fail:
	progress_clear(r);
	{
		/* finish() reports a worker's failure with its file and line */
		struct flame_read_report dummy;
		memset(&dummy, 0, sizeof(dummy));
		if (flame_reader_finish(r, out, &dummy, err) == 0)
			flame_read_report_release(&dummy);
	}
	return -1;
}
