/*
 * chrome.c - the Chrome Trace Event Format (chrome://tracing, Perfetto,
 * DevTools): JSON array or {"traceEvents": [...]} object.
 *
 * Reading (streaming; one event captured at a time):
 *   - B/E and X events become time-weighted stacks per thread: each
 *     moment is charged to the innermost open event (self time), in ns;
 *   - object form "stackFrames" + "samples": a sample's weight is the ts
 *     gap to the next sample of its thread (as speedscope does), or its
 *     "weight" when the file says otherData.unit (flame writes that);
 *   - Profile/ProfileChunk (V8 CPU profile) events, see v8profile.h;
 *   - M thread_name metadata names the threads.
 * B/E pairs are matched as they come (per thread, in file order).
 *
 * Memory: a thread's first PROBE_EVENTS B/E/X events are kept as they
 * come.  If they arrive in start order (what Chrome, Perfetto's JSON
 * export and flame's own writer produce), the thread is from then on
 * folded straight into the trie as its events arrive: a stack of its
 * open intervals, self time charged as they close, so memory grows with
 * unique stacks and nesting depth, not with events.  An event of such a
 * thread that starts before the time already charged is taken as
 * starting then, inside what is open then (its earlier part is lost).
 * A thread whose first events are out of order (X events written when
 * they end, say) keeps them all instead, in a packed interval log (start
 * as a delta from the previous one, duration and name as varints: about
 * 9 bytes an event), and is nested at the end in (start, longer first,
 * arrival) order: memory then grows with that thread's events.  B/E pairs
 * in the log are held until their outermost B closes and then logged in
 * nesting order (an X arriving meanwhile flushes them in E order).  When
 * a timeline is wanted (speedscope, Chrome, Firefox, .cpuprofile output)
 * every thread keeps the log, as the timeline grows with events anyway.
 * Intervals that start together nest longer first, then in arrival
 * order (a later longer one puts its thread out of order); a B, whose end
 * is unknown when it arrives, nests inside one that started at the same
 * time before it when its thread is folded as events come.
 *
 * Writing: with a timeline in ns, complete "X" events per thread in start
 * order, enclosing events first (a flame chart in chrome://tracing and
 * Perfetto; a reader can nest them as they come) plus thread_name events;
 * otherwise the sampling form with one sample per distinct stack carrying
 * its weight.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/hash.h"
#include "../core/io.h"
#include "../core/json.h"
#include "../core/util.h"
#include "format.h"
#include "stackbuild.h"
#include "v8profile.h"

struct interval {
	uint64_t start, end; /* ns */
	uint32_t name;       /* strtab id */
	uint32_t seq;        /* arrival order, to break ties */
};

struct open_ev {
	uint64_t start;
	uint32_t name;
	uint32_t serial;       /* the B's number on its thread, from 1 */
	uint64_t at;           /* byte offset of the B */
};

/* An event kept while its thread is on probation (see on_timed). */
struct raw_ev {
	uint64_t ts, end;      /* ns; E: the start of its B in end */
	uint32_t name;         /* strtab id (E: its B's) */
	uint32_t serial;       /* B, E: the B's serial */
	uint32_t left;         /* E: B events still open after it */
	char ph;               /* 'B', 'E' or 'X' */
};

/* An interval open while a thread is folded as it arrives. */
struct fold_ent {
	uint32_t node;
	uint32_t serial;       /* B: its serial; X: 0 */
	uint64_t end;          /* ns; UINT64_MAX for a B not yet ended */
};

enum mode { M_PROBE, M_STREAM, M_LOG };

#define PROBE_EVENTS 4096 /* events per thread kept before it may stream */

struct cthread {
	uint64_t key;          /* pid << 32 | tid */
	uint32_t pid, tid;
	char *name;
	struct open_ev *open;  /* B events waiting for their E */
	size_t nopen, open_cap;
	uint32_t serials;      /* B events seen */
	int mode;              /* enum mode */
	int timed;             /* B/E/X events seen */
	struct raw_ev *raw;    /* M_PROBE: the events so far */
	size_t nraw, raw_cap;
	uint64_t now, tie_end; /* the latest time seen; end of the last start at now */
	int disorder;          /* M_PROBE: the events so far are not in start order */
	struct fold_ent *fs;   /* M_STREAM: open intervals, outermost first */
	size_t nfs, fs_cap;
	uint64_t cursor;       /* M_STREAM: self time charged up to here */
	/* B/E pairs closed while an outer B is still open: logged when the
	 * outermost one closes, in nesting order rather than in E order */
	struct interval *done;
	size_t ndone, done_cap;
	struct flame_buf log;  /* intervals, packed (see add_interval) */
	size_t niv;
	uint64_t last_start, last_end; /* the last interval logged */
	int unsorted;          /* intervals did not arrive in nesting order */
	/* sampling variant */
	uint32_t *sf;          /* per sample: 'sf' (ids strtab), then its trie node */
	uint64_t *sts, *sw;    /* per sample: ts (ns); weight text offset + 1, or 0 */
	size_t ns, s_cap;
};

enum kind { K_OTHER, K_TOP_ARR, K_TOP_OBJ, K_EVENTS, K_FRAMES, K_SAMPLES, K_OTHERDATA };

struct sframe {
	char *id;
	uint32_t name;
	char *parent;
	uint32_t node; /* resolved trie node, 0 = not yet */
};

struct chrome_parser {
	struct flame_parse_ctx *ctx;
	struct flame_json_parser *jp;
	int kind[4];
	struct cthread *th;
	size_t nth, th_cap;
	size_t last;           /* the thread thread_of found last */
	struct flame_hindex thread_index; /* (pid, tid) -> index in th */
	struct sframe *frames;
	size_t nframes, frames_cap;
	int weights_given;     /* otherData.unit was set: sample weights are exact */
	struct v8_profiles v8;
	struct flame_strtab ids;  /* sample 'sf' ids, until stackFrames is complete */
	struct flame_buf wtext;   /* sample 'weight' texts, NUL-separated */
	uint64_t max_ts;          /* ns: the latest B, E or X time (an X's end) */
	uint64_t ntimed;          /* B, E and X events */
	/* repairs, each reported once with its count and first place */
	uint64_t n_lone_e, lone_e_at; /* 'E' events with no 'B' open (dropped); byte offset */
	uint32_t lone_e_name;
	uint64_t n_overlap;       /* intervals cut at the end of the one enclosing them */
	uint64_t overlap_start;   /* ns: the first one's start */
	uint32_t overlap_pid, overlap_tid, overlap_name;
};

static int fail(struct chrome_parser *c, const char *msg)
{
	return flame_json_fail(c->jp, "chrome trace: %s", msg);
}

static int keyis(const char *k, size_t n, const char *w)
{
	return k && strlen(w) == n && memcmp(k, w, n) == 0;
}

/* pid/tid/ts may be numbers or numeric strings */
static int num_text(const struct flame_json_doc *d, uint32_t v, const char **s, size_t *n)
{
	if (v == FLAME_JSON_NONE)
		return 0;
	if (d->v[v].type == FLAME_JSON_NUMBER || d->v[v].type == FLAME_JSON_STRING) {
		*s = d->v[v].s;
		*n = d->v[v].len;
		return 1;
	}
	return 0;
}

static uint32_t id32(const struct flame_json_doc *d, uint32_t v)
{
	const char *s;
	size_t n;
	if (!num_text(d, v, &s, &n))
		return 0;
	/* the usual small decimal id, without strtoll */
	if (n && n <= 9) {
		uint32_t x = 0;
		size_t i = 0;
		while (i < n && (unsigned)(s[i] - '0') < 10)
			x = x * 10 + (uint32_t)(s[i++] - '0');
		if (i == n)
			return x;
	}
	char t[32], *e;
	if (n && n < sizeof(t)) {
		memcpy(t, s, n);
		t[n] = '\0';
		long long x = strtoll(t, &e, 10);
		if (e == t + n)
			return (uint32_t)x;
	}
	return (uint32_t)flame_hash(s, n) & 0x7fffffff;
}

static int time_ns(struct chrome_parser *c, const struct flame_json_doc *d, uint32_t v, const char *what,
		   uint64_t *out)
{
	const char *s;
	size_t n;
	uint64_t ip, fp;
	int dg;
	if (!num_text(d, v, &s, &n)) {
		char m[96];
		snprintf(m, sizeof(m), "event needs a number '%s'", what);
		return fail(c, m);
	}
	if (n && s[0] == '-') {
		char m[96];
		snprintf(m, sizeof(m), "negative '%s'", what);
		return fail(c, m);
	}
	if (!flame_json_decimal(s, n, 3, &ip, &fp, &dg)) {
		char m[160], t[64];
		/* a number too large for 64-bit ns is out of range, not "not a number" */
		double x = 0;
		char *e = NULL;
		if (n < sizeof(t)) {
			memcpy(t, s, n);
			t[n] = '\0';
			x = strtod(t, &e);
		}
		if (e && e == t + n && n && x > 0)
			snprintf(m, sizeof(m), "'%s' is out of range: %.*s µs is more than 2^64 ns "
				 "(about 584 years)", what, (int)n, s);
		else
			snprintf(m, sizeof(m), "'%s' is not a number", what);
		return fail(c, m);
	}
	*out = ip;
	return 0;
}

static struct cthread *thread_of(struct chrome_parser *c, uint32_t pid, uint32_t tid)
{
	uint64_t key = (uint64_t)pid << 32 | tid;
	/* events of one thread often come in runs */
	if (c->last < c->nth && c->th[c->last].key == key)
		return &c->th[c->last];
	struct flame_hindex *x = &c->thread_index;
	if (!x->nslots)
		flame_hindex_resize(x, 64);
	size_t i = flame_hindex_first(x, flame_hash_u64(key));
	for (uint32_t v; (v = x->slots[i]) != 0; i = flame_hindex_next(x, i))
		if (c->th[v - 1].key == key) {
			c->last = v - 1;
			return &c->th[v - 1];
		}
	FLAME_GROW(c->th, c->th_cap, c->nth + 1);
	struct cthread *t = &c->th[c->nth];
	memset(t, 0, sizeof(*t));
	t->key = key;
	t->pid = pid;
	t->tid = tid;
	t->tie_end = UINT64_MAX;
	flame_hindex_set(x, i, (uint32_t)c->nth++);
	if (c->nth * 2 > x->nslots) {
		flame_hindex_resize(x, x->nslots * 2);
		for (size_t k = 0; k < c->nth; k++)
			flame_hindex_add(x, flame_hash_u64(c->th[k].key), (uint32_t)k);
	}
	return t;
}

static void put_varint(struct flame_buf *b, uint64_t v)
{
	char t[10];
	size_t n = 0;
	while (v >= 0x80) {
		t[n++] = (char)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (char)v;
	if (b->len + n + 1 > b->cap)
		flame_buf_reserve(b, n);
	memcpy(b->data + b->len, t, n);
	b->len += n;
}

static inline uint64_t get_varint(const unsigned char **pp)
{
	const unsigned char *q = *pp;
	uint64_t v = 0;
	int sh = 0;
	while (*q & 0x80) {
		v |= (uint64_t)(*q++ & 0x7f) << sh;
		sh += 7;
	}
	v |= (uint64_t)*q++ << sh;
	*pp = q;
	return v;
}

/* Log an interval: start minus the previous start (zigzag, since the
 * order is free), length and name.  Arrival order within the thread is
 * the tie-break, so it needs no field. */
static void add_interval(struct cthread *t, uint64_t a, uint64_t b, uint32_t name)
{
	int64_t d = (int64_t)(a - t->last_start);
	if (t->niv && (a < t->last_start || (a == t->last_start && b > t->last_end)))
		t->unsorted = 1;
	put_varint(&t->log, ((uint64_t)d << 1) ^ (uint64_t)(d >> 63));
	put_varint(&t->log, b - a);
	put_varint(&t->log, name);
	t->last_start = a;
	t->last_end = b;
	t->niv++;
}

static int cmp_iv(const void *a, const void *b);

/* Log the held B/E pairs: sorted (ties in E order, as the final sort
 * would break them) when their outermost B has closed, else as they came. */
static void flush_done(struct cthread *t, int sorted)
{
	if (sorted && t->ndone > 1)
		qsort(t->done, t->ndone, sizeof(*t->done), cmp_iv);
	for (size_t i = 0; i < t->ndone; i++)
		add_interval(t, t->done[i].start, t->done[i].end, t->done[i].name);
	t->ndone = 0;
}

/* Reads a thread's log back in arrival order. */
struct log_reader {
	const unsigned char *p;
	uint64_t start;
};

static inline void log_next(struct log_reader *r, struct interval *iv)
{
	uint64_t z = get_varint(&r->p);
	r->start += (uint64_t)((z >> 1) ^ (~(z & 1) + 1));
	iv->start = r->start;
	iv->end = r->start + get_varint(&r->p);
	iv->name = (uint32_t)get_varint(&r->p);
}

static void charge(struct chrome_parser *c, uint32_t node, uint32_t thread, uint64_t from, uint64_t to)
{
	if (to <= from || !node)
		return;
	struct flame_profile *p = c->ctx->prof;
	uint64_t w[2] = { to - from, 0 };
	flame_profile_add_weight(p, node, w);
	p->nstacks++;
	if (p->timeline)
		flame_sb_sample(p->timeline, node, thread, from, w[0]);
}

/* ---- folding intervals as they arrive ---- */

struct cthread;
static void probation_end(struct chrome_parser *c, struct cthread *t);

/* Close what ends by s, charging self time up to s. */
static void fold_advance(struct chrome_parser *c, struct cthread *t, uint64_t s)
{
	while (t->nfs && t->fs[t->nfs - 1].end <= s) {
		const struct fold_ent *e = &t->fs[--t->nfs];
		charge(c, e->node, 0, t->cursor, e->end);
		if (e->end > t->cursor)
			t->cursor = e->end;
	}
	if (t->nfs)
		charge(c, t->fs[t->nfs - 1].node, 0, t->cursor, s);
	t->cursor = s;
}

/* An interval that starts inside another but ends after it: it is cut
 * there (its thread's events are not properly nested). */
static void overlapped(struct chrome_parser *c, const struct cthread *t, uint64_t start, uint32_t name)
{
	if (!c->n_overlap++) {
		c->overlap_start = start;
		c->overlap_pid = t->pid;
		c->overlap_tid = t->tid;
		c->overlap_name = name;
	}
}

static void fold_push(struct chrome_parser *c, struct cthread *t, uint64_t end, uint32_t name, uint32_t serial)
{
	uint32_t parent = 0;
	if (t->nfs) {
		parent = t->fs[t->nfs - 1].node;
		if (end > t->fs[t->nfs - 1].end) {
			/* overlaps its parent's end: cut there (a B's end is not known yet) */
			if (end != UINT64_MAX)
				overlapped(c, t, t->cursor, name);
			end = t->fs[t->nfs - 1].end;
		}
	}
	FLAME_GROW(t->fs, t->fs_cap, t->nfs + 1);
	t->fs[t->nfs++] = (struct fold_ent){ flame_profile_child(c->ctx->prof, parent, name, 1), serial, end };
}

/* An E at ts closes B number serial, and what is still open inside it. */
static void fold_end(struct chrome_parser *c, struct cthread *t, uint64_t ts, uint32_t serial)
{
	while (t->nfs && t->fs[t->nfs - 1].end <= ts) {
		const struct fold_ent *e = &t->fs[--t->nfs];
		charge(c, e->node, 0, t->cursor, e->end);
		if (e->end > t->cursor)
			t->cursor = e->end;
	}
	size_t k = t->nfs;
	while (k && t->fs[k - 1].serial != serial)
		k--;
	if (!k)
		return; /* already cut at an enclosing X's end */
	charge(c, t->fs[t->nfs - 1].node, 0, t->cursor, ts);
	t->cursor = ts;
	t->nfs = k - 1;
}

/* One event of a thread being folded as it arrives.  An event that
 * starts before the thread's latest time is taken as starting then. */
static void fold_event(struct chrome_parser *c, struct cthread *t, const struct raw_ev *e)
{
	uint64_t ts = e->ts < t->cursor ? t->cursor : e->ts;
	if (e->ts < t->cursor && e->ph != 'E') {
		/* said, not silent: part of this event's time is lost */
		char what[192];
		snprintf(what, sizeof(what),
			 "at byte %" PRIu64 ": an event of thread %" PRIu32 " starts at %" PRIu64
			 " ns, before the %" PRIu64 " ns its thread was folded to (its first events "
			 "came in start order); cut to start there",
			 flame_json_offset(c->jp), t->tid, e->ts, t->cursor);
		size_t nl;
		const char *name = flame_strtab_name(&c->ctx->prof->names, e->name, &nl);
		flame_diag_add(c->ctx->diag, FLAME_DIAG_LATE_EVENT, c->ctx->chunk, 0, what, name, nl);
	}
	switch (e->ph) {
	case 'X':
		if (e->ts < t->cursor && e->end <= t->cursor)
			return; /* all of it lies in time already charged */
		fold_advance(c, t, ts);
		fold_push(c, t, e->end > ts ? e->end : ts, e->name, 0);
		break;
	case 'B':
		fold_advance(c, t, ts);
		fold_push(c, t, UINT64_MAX, e->name, e->serial);
		break;
	case 'E':
		fold_end(c, t, ts, e->serial);
		break;
	}
}

/* Whether e keeps the thread's events in the order fold_event needs:
 * no start or end before the latest time seen, and among intervals that
 * start together, none longer than the one before it (a B, whose end is
 * not known yet, nests in arrival order). */
static int in_order(struct cthread *t, const struct raw_ev *e)
{
	if (e->ts < t->now)
		return 0;
	if (e->ph == 'X' && e->ts == t->now && e->end > t->tie_end)
		return 0;
	if (e->ts > t->now || e->ph != 'E')
		t->tie_end = e->ph == 'X' ? e->end : UINT64_MAX;
	t->now = e->ts;
	return 1;
}

/* The interval log (M_LOG): B/E pairs are held until their outermost
 * B closes, then logged sorted; an X flushes the held pairs as they are. */
static void log_event(struct cthread *t, const struct raw_ev *e)
{
	if (e->ph == 'E') {
		if (t->ndone + 1 > t->done_cap)
			FLAME_GROW(t->done, t->done_cap, t->ndone + 1);
		t->done[t->ndone] = (struct interval){ e->end, e->ts, e->name, (uint32_t)t->ndone };
		t->ndone++;
		if (!e->left)
			flush_done(t, 1);
	} else if (e->ph == 'X') {
		if (t->ndone)
			flush_done(t, 0);
		add_interval(t, e->ts, e->end, e->name);
	}
}

static void probation_end(struct chrome_parser *c, struct cthread *t)
{
	t->mode = t->disorder || c->ctx->opts->want_timeline ? M_LOG : M_STREAM;
	for (size_t i = 0; i < t->nraw; i++) {
		if (t->mode == M_STREAM)
			fold_event(c, t, &t->raw[i]);
		else
			log_event(t, &t->raw[i]);
	}
	free(t->raw);
	t->raw = NULL;
	t->nraw = t->raw_cap = 0;
}

/* A B, E or X event of thread t.  A thread starts on probation: its
 * first PROBE_EVENTS events are kept as they come.  If they arrive in
 * start order, the thread is then folded into the trie as its events
 * arrive (M_STREAM: memory for the open intervals only); if not, it
 * keeps the packed interval log to the end (M_LOG), nested there in
 * sorted order.  With a timeline wanted, every thread keeps the log. */
static void on_timed(struct chrome_parser *c, struct cthread *t, const struct raw_ev *e)
{
	t->timed = 1;
	c->ntimed++;
	uint64_t last = e->ph == 'X' ? e->end : e->ts;
	if (last > c->max_ts)
		c->max_ts = last;
	if (t->mode == M_STREAM) {
		in_order(t, e);
		fold_event(c, t, e);
		return;
	}
	if (t->mode == M_LOG) {
		log_event(t, e);
		return;
	}
	if (!t->disorder && !in_order(t, e))
		t->disorder = 1;
	FLAME_GROW(t->raw, t->raw_cap, t->nraw + 1);
	t->raw[t->nraw++] = *e;
	if (t->nraw >= PROBE_EVENTS || t->disorder || c->ctx->opts->want_timeline)
		probation_end(c, t);
}

/* The members on_event looks at, found in one pass over the event. */
struct ev_fields {
	uint32_t name, ph, pid, tid, ts, dur, tdur, args;
};

static void ev_fields(const struct flame_json_doc *d, uint32_t ev, struct ev_fields *f)
{
	f->name = f->ph = f->pid = f->tid = f->ts = f->dur = f->tdur = f->args = FLAME_JSON_NONE;
	/* the first of equal keys wins, as with flame_json_get */
#define TAKE(field) do { if (f->field == FLAME_JSON_NONE) f->field = m; } while (0)
	for (uint32_t m = d->v[ev].first; m != FLAME_JSON_NONE; m = d->v[m].next) {
		const char *k = d->v[m].key;
		switch (d->v[m].key_len) {
		case 2:
			if (k[0] == 'p' && k[1] == 'h')
				TAKE(ph);
			else if (k[0] == 't' && k[1] == 's')
				TAKE(ts);
			break;
		case 3:
			if (memcmp(k, "pid", 3) == 0)
				TAKE(pid);
			else if (memcmp(k, "tid", 3) == 0)
				TAKE(tid);
			else if (memcmp(k, "dur", 3) == 0)
				TAKE(dur);
			break;
		case 4:
			if (memcmp(k, "name", 4) == 0)
				TAKE(name);
			else if (memcmp(k, "tdur", 4) == 0)
				TAKE(tdur);
			else if (memcmp(k, "args", 4) == 0)
				TAKE(args);
			break;
		}
	}
#undef TAKE
}

static uint32_t name_id(struct chrome_parser *c, const struct flame_json_doc *d, uint32_t v)
{
	size_t n;
	const char *s = flame_json_string(d, v, &n);
	if (!s || !n) {
		s = "(unnamed)";
		n = 9;
	}
	return flame_strtab_intern(&c->ctx->prof->names, s, n);
}

static int on_event(struct chrome_parser *c, const struct flame_json_doc *d, uint32_t ev)
{
	if (d->v[ev].type != FLAME_JSON_OBJECT)
		return fail(c, "an event must be an object");
	struct ev_fields f;
	ev_fields(d, ev, &f);
	size_t pl;
	const char *ph = flame_json_string(d, f.ph, &pl);
	if (!ph || pl != 1)
		return fail(c, "event needs a one-character 'ph'");
	uint32_t pid = id32(d, f.pid), tid = id32(d, f.tid);
	switch (ph[0]) {
	case 'M': {
		size_t al;
		const char *an = flame_json_string(d, flame_json_get(d, f.args, "name"), &al);
		if (an && flame_json_string_is(d, f.name, "thread_name")) {
			struct cthread *t = thread_of(c, pid, tid);
			free(t->name);
			t->name = flame_xmemdup(an, al);
		}
		return 0;
	}
	case 'B': {
		uint64_t ts;
		if (time_ns(c, d, f.ts, "ts", &ts) < 0)
			return -1;
		struct cthread *t = thread_of(c, pid, tid);
		struct raw_ev e = { ts, 0, name_id(c, d, f.name), ++t->serials, 0, 'B' };
		FLAME_GROW(t->open, t->open_cap, t->nopen + 1);
		t->open[t->nopen++] = (struct open_ev){ ts, e.name, e.serial, flame_json_offset(c->jp) };
		on_timed(c, t, &e);
		return 0;
	}
	case 'E': {
		uint64_t ts;
		if (time_ns(c, d, f.ts, "ts", &ts) < 0)
			return -1;
		struct cthread *t = thread_of(c, pid, tid);
		if (!t->nopen) {
			/* a trace started while it ran: nothing to close */
			if (!c->n_lone_e++) {
				c->lone_e_at = flame_json_offset(c->jp);
				c->lone_e_name = name_id(c, d, f.name);
			}
			if (ts > c->max_ts)
				c->max_ts = ts;
			return 0;
		}
		struct open_ev o = t->open[--t->nopen];
		if (ts < o.start)
			return fail(c, "an 'E' event ends before its 'B' began (negative duration)");
		struct raw_ev e = { ts, o.start, o.name, o.serial, (uint32_t)t->nopen, 'E' };
		on_timed(c, t, &e);
		return 0;
	}
	case 'X': {
		uint64_t ts, dur = 0;
		if (time_ns(c, d, f.ts, "ts", &ts) < 0)
			return -1;
		uint32_t dv = f.dur;
		if (dv == FLAME_JSON_NONE)
			dv = f.tdur;
		if (dv != FLAME_JSON_NONE && time_ns(c, d, dv, "dur", &dur) < 0)
			return -1;
		struct cthread *t = thread_of(c, pid, tid);
		struct raw_ev e = { ts, ts + dur, name_id(c, d, f.name), 0, 0, 'X' };
		on_timed(c, t, &e);
		return 0;
	}
	default: {
		/* V8 CPU profiles: Profile and ProfileChunk are 'P' events, the
		 * older CpuProfile an instant ('I'); read by name, as DevTools
		 * and speedscope do.  Other instants, counters, async events,
		 * flows...: not stacks. */
		size_t nl;
		const char *nm = flame_json_string(d, f.name, &nl);
		if (!nm || nl < 7 || nl > 12 || (nm[0] != 'P' && nm[0] != 'C'))
			return 0;
		if (!(nl == 7 && memcmp(nm, "Profile", 7) == 0) && !(nl == 12 && memcmp(nm, "ProfileChunk", 12) == 0)
		    && !(nl == 10 && memcmp(nm, "CpuProfile", 10) == 0))
			return 0;
		thread_of(c, pid, tid);
		const char *err = NULL;
		if (v8_profiles_event(&c->v8, c->ctx->prof, d, ev, nm, nl, pid, tid, flame_json_offset(c->jp), &err) < 0)
			return fail(c, err);
		return 0;
	}
	}
}

static int on_frame(struct chrome_parser *c, const char *key, size_t kl, const struct flame_json_doc *d,
		    uint32_t fr)
{
	size_t nl;
	const char *nm = flame_json_string(d, flame_json_get(d, fr, "name"), &nl);
	if (d->v[fr].type != FLAME_JSON_OBJECT || !nm)
		return fail(c, "a stack frame must be an object with a string 'name'");
	FLAME_GROW(c->frames, c->frames_cap, c->nframes + 1);
	struct sframe *f = &c->frames[c->nframes++];
	f->id = flame_xmemdup(key, kl);
	f->name = flame_strtab_intern(&c->ctx->prof->names, nm, nl);
	const char *ps;
	size_t pn;
	f->parent = num_text(d, flame_json_get(d, fr, "parent"), &ps, &pn) ? flame_xmemdup(ps, pn) : NULL;
	f->node = 0;
	return 0;
}

static int cmp_frame_id(const void *a, const void *b)
{
	return strcmp(((const struct sframe *)a)->id, ((const struct sframe *)b)->id);
}

static struct sframe *find_frame(struct chrome_parser *c, const char *id)
{
	struct sframe k = { (char *)id, 0, NULL, 0 };
	if (!c->nframes)
		return NULL;
	return bsearch(&k, c->frames, c->nframes, sizeof(k), cmp_frame_id);
}

/* Trie node of a frame: its parents first (iteratively, cycles refused). */
static int frame_node(struct chrome_parser *c, struct sframe *f, uint32_t *out)
{
	struct flame_profile *p = c->ctx->prof;
	struct sframe **chain = NULL;
	size_t n = 0, cap = 0;
	struct sframe *x = f;
	while (x && !x->node) {
		if (n > c->nframes) {
			free(chain);
			return fail(c, "stackFrames 'parent' links form a cycle");
		}
		FLAME_GROW(chain, cap, n + 1);
		chain[n++] = x;
		if (!x->parent) {
			x = NULL;
			break;
		}
		struct sframe *par = find_frame(c, x->parent);
		if (!par) {
			free(chain);
			return fail(c, "a stack frame's 'parent' is not in stackFrames");
		}
		x = par;
	}
	uint32_t node = x ? x->node : 0;
	while (n) {
		struct sframe *y = chain[--n];
		node = flame_profile_child(p, node, y->name, 1);
		y->node = node;
	}
	free(chain);
	*out = node;
	return 0;
}

static int on_sample(struct chrome_parser *c, const struct flame_json_doc *d, uint32_t s)
{
	if (d->v[s].type != FLAME_JSON_OBJECT)
		return fail(c, "a sample must be an object");
	const char *sf, *w;
	size_t sfl, wl;
	if (!num_text(d, flame_json_get(d, s, "sf"), &sf, &sfl))
		return fail(c, "a sample needs an 'sf' frame id");
	uint64_t ts;
	if (time_ns(c, d, flame_json_get(d, s, "ts"), "ts", &ts) < 0)
		return -1;
	struct cthread *t = thread_of(c, id32(d, flame_json_get(d, s, "pid")), id32(d, flame_json_get(d, s, "tid")));
	/* frames may come after samples: keep the id until the end */
	FLAME_GROW(t->sf, t->s_cap, t->ns + 1);
	t->sts = flame_xrealloc(t->sts, t->s_cap * sizeof(*t->sts));
	t->sw = flame_xrealloc(t->sw, t->s_cap * sizeof(*t->sw));
	t->sf[t->ns] = flame_strtab_intern(&c->ids, sf, sfl);
	t->sts[t->ns] = ts;
	t->sw[t->ns] = 0;
	if (num_text(d, flame_json_get(d, s, "weight"), &w, &wl)) {
		t->sw[t->ns] = c->wtext.len + 1;
		flame_buf_add(&c->wtext, w, wl);
		flame_buf_addc(&c->wtext, '\0');
	}
	t->ns++;
	return 0;
}

static int ch_open(void *vctx, int depth, int is_obj, const char *key, size_t kl, uint64_t index)
{
	struct chrome_parser *c = vctx;
	(void)index;
	if (depth == 1) {
		c->kind[1] = is_obj ? K_TOP_OBJ : K_TOP_ARR;
		return 0;
	}
	if (depth == 2 && c->kind[1] == K_TOP_OBJ) {
		int k = keyis(key, kl, "traceEvents") ? K_EVENTS : keyis(key, kl, "stackFrames") ? K_FRAMES
			: keyis(key, kl, "samples") ? K_SAMPLES : keyis(key, kl, "otherData") ? K_OTHERDATA : K_OTHER;
		if (k == K_OTHER)
			return 1;
		if ((k == K_FRAMES || k == K_OTHERDATA) != is_obj)
			return fail(c, is_obj ? "expected an array" : "expected an object");
		c->kind[2] = k;
		return 0;
	}
	return 1;
}

static int ch_value(void *vctx, int depth, const char *key, size_t kl, uint64_t index,
		    const struct flame_json_doc *d, uint32_t v)
{
	struct chrome_parser *c = vctx;
	(void)index;
	if (depth == 1)
		return fail(c, "expected a JSON array of events or an object with 'traceEvents'");
	if (depth == 2 && c->kind[1] == K_TOP_ARR)
		return on_event(c, d, v);
	if (depth == 2) {
		if (keyis(key, kl, "traceEvents") || keyis(key, kl, "samples"))
			return fail(c, "expected an array");
		return 0;
	}
	if (depth == 3) {
		switch (c->kind[2]) {
		case K_EVENTS:
			return on_event(c, d, v);
		case K_FRAMES:
			return on_frame(c, key, kl, d, v);
		case K_SAMPLES:
			return on_sample(c, d, v);
		case K_OTHERDATA:
			if (keyis(key, kl, "unit")) {
				size_t n;
				const char *u = flame_json_string(d, v, &n);
				enum flame_unit unit;
				int shift;
				if (u && flame_sb_unit(u, n, &unit, &shift) && shift == 0) {
					c->ctx->prof->unit = unit;
					c->weights_given = 1;
				}
			}
			return 0;
		}
	}
	return 0;
}

static int cmp_iv(const void *a, const void *b)
{
	const struct interval *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1; /* the longer one encloses */
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Nest a thread's intervals and charge self time: in (start, longer
 * first, arrival) order, straight from the log when they arrived so. */
static void replay_intervals(struct chrome_parser *c, struct cthread *t, uint32_t thread)
{
	struct flame_profile *p = c->ctx->prof;
	struct log_reader r = { (const unsigned char *)t->log.data, 0 };
	struct interval *iv = NULL;
	if (t->unsorted) {
		iv = flame_xmalloc(t->niv * sizeof(*iv));
		for (size_t i = 0; i < t->niv; i++) {
			log_next(&r, &iv[i]);
			iv[i].seq = (uint32_t)i;
		}
		flame_buf_release(&t->log);
		qsort(iv, t->niv, sizeof(*iv), cmp_iv);
	}
	struct { uint32_t node; uint64_t end; } *st = NULL;
	size_t n = 0, cap = 0;
	uint64_t cursor = 0;
	for (size_t i = 0; i <= t->niv; i++) {
		struct interval cur = { UINT64_MAX, 0, 0, 0 };
		if (i < t->niv) {
			if (iv)
				cur = iv[i];
			else
				log_next(&r, &cur);
		}
		uint64_t s = cur.start;
		while (n && st[n - 1].end <= s) {
			charge(c, st[n - 1].node, thread, cursor, st[n - 1].end);
			if (st[n - 1].end > cursor)
				cursor = st[n - 1].end;
			n--;
		}
		if (i == t->niv)
			break;
		if (n)
			charge(c, st[n - 1].node, thread, cursor, s);
		cursor = s;
		uint64_t e = cur.end;
		if (n && e > st[n - 1].end) {
			overlapped(c, t, s, cur.name);
			e = st[n - 1].end; /* overlaps its parent's end: cut there */
		}
		if (n + 1 > cap)
			FLAME_GROW(st, cap, n + 1);
		st[n].node = flame_profile_child(p, n ? st[n - 1].node : 0, cur.name, 1);
		st[n++].end = e;
	}
	free(st);
	free(iv);
	flame_buf_release(&t->log);
	t->niv = 0;
}

static const char *name_of(void *vctx, uint32_t pid, uint32_t tid)
{
	struct chrome_parser *c = vctx;
	return thread_of(c, pid, tid)->name;
}

/* "at byte N: what: 'name'" as one warning */
static void warn(struct chrome_parser *c, enum flame_diag_kind kind, const char *what, uint32_t name)
{
	size_t nl;
	const char *nm = flame_strtab_name(&c->ctx->prof->names, name, &nl);
	flame_diag_add(c->ctx->diag, kind, c->ctx->chunk, 0, what, nm, nl);
}

/* A trace cut short (a crash, a stopped recording) leaves 'B' events
 * open: close them at the trace's last time, as DevTools does.  An 'E'
 * with nothing open was dropped as it came. */
static void close_open(struct chrome_parser *c)
{
	uint64_t n = 0, first_at = UINT64_MAX;
	uint32_t first_name = 0;
	for (size_t i = 0; i < c->nth; i++) {
		struct cthread *t = &c->th[i];
		while (t->nopen) {
			struct open_ev o = t->open[--t->nopen];
			if (o.at < first_at) {
				first_at = o.at;
				first_name = o.name;
			}
			n++;
			uint64_t end = c->max_ts > o.start ? c->max_ts : o.start;
			struct raw_ev e = { end, o.start, o.name, o.serial, (uint32_t)t->nopen, 'E' };
			on_timed(c, t, &e);
		}
	}
	char what[256];
	if (c->n_lone_e) {
		snprintf(what, sizeof(what), "at byte %" PRIu64 ": %s%" PRIu64 " 'E' event%s with no 'B' open "
			 "on %s thread, dropped", c->lone_e_at, c->n_lone_e == 1 ? "" : "the first of ",
			 c->n_lone_e, c->n_lone_e == 1 ? "" : "s", c->n_lone_e == 1 ? "its" : "their");
		warn(c, FLAME_DIAG_UNMATCHED, what, c->lone_e_name);
	}
	if (n) {
		snprintf(what, sizeof(what), "at byte %" PRIu64 ": %s%" PRIu64 " 'B' event%s with no 'E' (a trace "
			 "cut short?), closed at the trace's last time, %" PRIu64 ".%03u µs", first_at,
			 n == 1 ? "" : "the first of ", n, n == 1 ? "" : "s", c->max_ts / 1000,
			 (unsigned)(c->max_ts % 1000));
		warn(c, FLAME_DIAG_UNMATCHED, what, first_name);
	}
}

static void report_overlaps(struct chrome_parser *c)
{
	if (!c->n_overlap)
		return;
	char what[320];
	snprintf(what, sizeof(what), "pid %" PRIu32 " tid %" PRIu32 " at %" PRIu64 ".%03u µs: %s%" PRIu64
		 " event%s that end%s after the event enclosing %s (not nested on %s thread), cut at its end",
		 c->overlap_pid, c->overlap_tid, c->overlap_start / 1000, (unsigned)(c->overlap_start % 1000),
		 c->n_overlap == 1 ? "" : "the first of ", c->n_overlap, c->n_overlap == 1 ? "" : "s",
		 c->n_overlap == 1 ? "s" : "", c->n_overlap == 1 ? "it" : "them",
		 c->n_overlap == 1 ? "its" : "their");
	warn(c, FLAME_DIAG_OVERLAP, what, c->overlap_name);
}

/* The trace has a CPU profile besides duration events (or sampled
 * stacks): forget what those added to the trie, and say so. */
static void choose_cpu_profile(struct chrome_parser *c)
{
	struct flame_profile *p = c->ctx->prof, f;
	flame_profile_init(&f);
#define SWAP(field) do { __typeof__(p->field) x_ = p->field; p->field = f.field; f.field = x_; } while (0)
	SWAP(nodes);
	SWAP(nnodes);
	SWAP(nodes_cap);
	SWAP(nchild);
	SWAP(child_slots);
	SWAP(nslots);
	SWAP(nhashed);
	SWAP(timeline);
	SWAP(nstacks);
	SWAP(overflow);
#undef SWAP
	flame_profile_release(&f);
	uint64_t ns = 0;
	for (size_t i = 0; i < c->nth; i++)
		ns += c->th[i].ns;
	char what[320];
	snprintf(what, sizeof(what), "the trace has a CPU profile (%zu samples) and %" PRIu64 " duration "
		 "event%s%s; read the CPU profile only, as DevTools and speedscope do",
		 v8_profiles_samples(&c->v8), c->ntimed, c->ntimed == 1 ? "" : "s",
		 ns ? " and stackFrames samples" : "");
	flame_diag_add(c->ctx->diag, FLAME_DIAG_CHOICE, c->ctx->chunk, 0, what, NULL, 0);
}

static int finish(struct chrome_parser *c)
{
	struct flame_profile *p = c->ctx->prof;
	if (c->nframes)
		qsort(c->frames, c->nframes, sizeof(*c->frames), cmp_frame_id);
	int any_time = 0;
	for (size_t i = 0; i < c->nth; i++)
		if (c->th[i].timed || (c->th[i].ns && !c->weights_given))
			any_time = 1;
	if (any_time || v8_profiles_count(&c->v8)) {
		if (c->weights_given && p->unit != FLAME_UNIT_NANOSECONDS)
			return fail(c, "otherData.unit is not a time unit, but the trace has timed events");
		p->unit = FLAME_UNIT_NANOSECONDS;
	}
	/* DevTools and speedscope read a trace's CPU profile, if it has
	 * one, and then not its duration events or sampled stacks */
	int cpu_only = 0;
	if (v8_profiles_samples(&c->v8))
		for (size_t i = 0; i < c->nth && !cpu_only; i++)
			cpu_only = c->th[i].timed || c->th[i].ns;
	if (cpu_only) {
		choose_cpu_profile(c);
		goto v8;
	}
	close_open(c);
	for (size_t i = 0; i < c->nth; i++) {
		struct cthread *t = &c->th[i];
		uint32_t thread = 0;
		if (c->ctx->opts->want_timeline && (t->niv || t->ns)) {
			/* (a timeline keeps every timed thread on the log) */
			struct flame_timeline *tl = flame_profile_timeline_enable(p);
			const char *nm = t->name ? t->name : "";
			thread = flame_timeline_thread(tl, t->pid, t->tid, nm, strlen(nm));
		}
		if (t->mode == M_PROBE)
			probation_end(c, t);
		if (t->mode == M_STREAM)
			fold_advance(c, t, UINT64_MAX);
		else
			replay_intervals(c, t, thread);
		for (size_t k = 0; k < t->ns; k++) {
			size_t idl;
			const char *id = flame_strtab_name(&c->ids, t->sf[k], &idl);
			struct sframe *f = find_frame(c, id);
			if (!f)
				return fail(c, "a sample's 'sf' is not in stackFrames");
			uint32_t node = 0;
			if (frame_node(c, f, &node) < 0)
				return -1;
			t->sf[k] = node;
		}
		for (size_t k = 0; k < t->ns; k++) {
			uint64_t w;
			if (c->weights_given) {
				const char *wt = t->sw[k] ? c->wtext.data + t->sw[k] - 1 : NULL;
				if (!wt || flame_sb_fixed(p, wt, strlen(wt), 0, &w) < 0)
					return fail(c, "a sample has no non-negative number 'weight'");
			} else {
				/* speedscope's reading: the gap to the next sample */
				w = k + 1 < t->ns && t->sts[k + 1] > t->sts[k] ? t->sts[k + 1] - t->sts[k] : 0;
			}
			uint64_t ws[2] = { w, 0 };
			flame_profile_add_weight(p, t->sf[k], ws);
			p->nstacks++;
			if (p->timeline && w)
				flame_sb_sample(p->timeline, t->sf[k], thread, t->sts[k], w);
		}
	}
	report_overlaps(c);
v8:;
	const char *err = NULL;
	if (v8_profiles_finish(&c->v8, p, c->ctx->opts->want_timeline, name_of, c, c->ctx->diag, c->ctx->chunk,
			       &err) < 0)
		return fail(c, err);
	return 0;
}

static void reset(struct chrome_parser *c)
{
	for (size_t i = 0; i < c->nth; i++) {
		struct cthread *t = &c->th[i];
		free(t->name);
		free(t->open);
		free(t->raw);
		free(t->fs);
		free(t->done);
		flame_buf_release(&t->log);
		free(t->sf);
		free(t->sts);
		free(t->sw);
	}
	c->nth = 0;
	flame_hindex_release(&c->thread_index);
	for (size_t i = 0; i < c->nframes; i++) {
		free(c->frames[i].id);
		free(c->frames[i].parent);
	}
	c->nframes = 0;
	c->weights_given = 0;
	c->max_ts = c->ntimed = 0;
	c->n_lone_e = c->lone_e_at = c->n_overlap = c->overlap_start = 0;
	v8_profiles_release(&c->v8);
	flame_strtab_release(&c->ids);
	flame_strtab_init(&c->ids);
	flame_buf_reset(&c->wtext);
}

static int ch_close(void *vctx, int depth, int is_obj)
{
	struct chrome_parser *c = vctx;
	(void)is_obj;
	if (depth == 1)
		return finish(c);
	return 0;
}

static const struct flame_json_handler ch_handler = { ch_open, ch_value, ch_close };

static void *ch_new(struct flame_parse_ctx *ctx)
{
	struct chrome_parser *c = flame_xcalloc(1, sizeof(*c));
	c->ctx = ctx;
	flame_strtab_init(&c->ids);
	return c;
}

static void ch_free(void *vp)
{
	struct chrome_parser *c = vp;
	reset(c);
	free(c->th);
	free(c->frames);
	flame_strtab_release(&c->ids);
	flame_buf_release(&c->wtext);
	flame_json_free(c->jp);
	free(c);
}

static int ch_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct chrome_parser *c = vp;
	if (file_start || !c->jp) {
		reset(c);
		flame_json_free(c->jp);
		c->jp = flame_json_new(&ch_handler, c, FLAME_JSON_LENIENT_ARRAY_END);
	}
	if (flame_json_feed(c->jp, buf, len, file_end) < 0)
		return flame_parse_fail(c->ctx, 0, "%s", flame_json_error(c->jp));
	return 0;
}

/* An array whose first element is an object with "ph", or an object with
 * "traceEvents" among the first bytes. */
static enum flame_probe ch_probe(const char *buf, size_t len, int eof)
{
	size_t i = flame_json_start(buf, len);
	if (i >= len)
		return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
	if (buf[i] == '[') {
		i++;
		while (i < len && flame_is_space((unsigned char)buf[i]))
			i++;
		if (i >= len)
			return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
		if (buf[i] != '{')
			return FLAME_PROBE_NO;
		size_t lim = len - i < 4096 ? len - i : 4096;
		return memmem(buf + i, lim, "\"ph\"", 4) ? FLAME_PROBE_YES : FLAME_PROBE_NO;
	}
	if (buf[i] != '{')
		return FLAME_PROBE_NO;
	if (memmem(buf, len, "speedscope.app/file-format-schema.json", 38))
		return FLAME_PROBE_NO;
	return memmem(buf, len, "\"traceEvents\"", 13) ? FLAME_PROBE_YES : FLAME_PROBE_NO;
}

/* ---- writer ---- */

static void add_us(struct flame_buf *b, uint64_t ns)
{
	flame_buf_add_u64(b, ns / 1000);
	if (ns % 1000)
		flame_buf_addf(b, ".%03u", (unsigned)(ns % 1000));
}

static void meta(struct flame_buf *b, uint32_t pid, uint32_t tid, const char *name)
{
	flame_buf_addf(b, "{\"name\":\"thread_name\",\"ph\":\"M\",\"cat\":\"__metadata\",\"pid\":%u,\"tid\":%u,"
			  "\"ts\":0,\"args\":{\"name\":", pid, tid);
	flame_json_add_str(b, name, strlen(name));
	flame_buf_adds(b, "}}");
}

static void xev(struct flame_buf *b, const struct flame_profile *p, uint32_t node, uint32_t pid,
		uint32_t tid, uint64_t start, uint64_t end)
{
	size_t len;
	const char *name = flame_strtab_name(&p->names, p->nodes[node].name, &len);
	flame_buf_adds(b, ",\n{\"name\":");
	flame_json_add_str(b, name, len);
	flame_buf_addf(b, ",\"cat\":\"flame\",\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":", pid, tid);
	add_us(b, start);
	flame_buf_adds(b, ",\"dur\":");
	add_us(b, end - start);
	flame_buf_addc(b, '}');
}

static int ch_write(const struct flame_profile *p, struct flame_output *out, struct flame_error *err)
{
	struct flame_buf b = FLAME_BUF_INIT;
	const struct flame_timeline *t = flame_sb_timeline(p);
	uint32_t *path = NULL;
	size_t path_cap = 0;
	if (t && p->unit == FLAME_UNIT_NANOSECONDS && p->scale_digits == 0) {
		struct flame_sb_thread *th;
		size_t nt = flame_sb_threads(p, t, &th);
		flame_buf_adds(&b, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"exporter\":\"flame\"},\"traceEvents\":[\n");
		for (size_t i = 0; i < nt; i++) {
			const struct flame_thread *ti = &t->threads[th[i].thread];
			if (i)
				flame_buf_adds(&b, ",\n");
			char label[64];
			snprintf(label, sizeof(label), "pid %u tid %u", ti->pid, ti->tid);
			meta(&b, ti->pid, ti->tid, ti->name && ti->name[0] ? ti->name : label);
			/* events are listed as they open (start order, enclosing
			 * first) and given their end when they close */
			struct { uint32_t node; uint64_t start, end; } *ev = NULL;
			size_t nev = 0, ecap = 0;
			size_t *open = NULL; /* indexes into ev, outermost first */
			size_t nopen = 0, ocap = 0;
			uint64_t end = 0;
			for (size_t k = 0; k < th[i].n; k++) {
				const struct flame_sb_span *sp = &th[i].spans[k];
				size_t d = flame_sb_path(p, sp->leaf, &path, &path_cap);
				if (sp->start > end)
					while (nopen)
						ev[open[--nopen]].end = end;
				size_t common = 0;
				while (common < nopen && common < d && ev[open[common]].node == path[common])
					common++;
				while (nopen > common)
					ev[open[--nopen]].end = sp->start;
				FLAME_GROW(open, ocap, d + 1);
				FLAME_GROW(ev, ecap, nev + d);
				for (size_t q = common; q < d; q++) {
					ev[nev].node = path[q];
					ev[nev].start = sp->start;
					open[nopen++] = nev++;
				}
				end = sp->start + sp->weight;
			}
			while (nopen)
				ev[open[--nopen]].end = end;
			for (size_t k = 0; k < nev; k++)
				xev(&b, p, ev[k].node, ti->pid, ti->tid, ev[k].start, ev[k].end);
			free(open);
			free(ev);
		}
		flame_sb_threads_free(th, nt);
		flame_buf_adds(&b, "\n]}\n");
	} else {
		/* the sampling form: stackFrames are trie nodes (ids from 1) */
		uint32_t *leaves;
		size_t n = flame_sb_leaves(p, &leaves);
		char *need = flame_xcalloc(p->nnodes + 1, 1);
		for (size_t i = 0; i < n; i++)
			for (uint32_t a = leaves[i]; a && !need[a]; a = p->nodes[a].parent)
				need[a] = 1;
		flame_buf_adds(&b, "{\"otherData\":{\"exporter\":\"flame\",\"unit\":\"");
		flame_buf_adds(&b, flame_sb_unit_name(p));
		flame_buf_adds(&b, "\"},\"traceEvents\":[");
		meta(&b, 1, 1, "flame");
		flame_buf_adds(&b, "],\n\"stackFrames\":{");
		int first = 1;
		for (size_t k = 1; k < p->nnodes; k++) {
			if (!need[k])
				continue;
			size_t len;
			const char *name = flame_strtab_name(&p->names, p->nodes[k].name, &len);
			flame_buf_addf(&b, "%s\n\"%zu\":{\"name\":", first ? "" : ",", k);
			first = 0;
			flame_json_add_str(&b, name, len);
			flame_buf_adds(&b, ",\"category\":\"flame\"");
			if (p->nodes[k].parent)
				flame_buf_addf(&b, ",\"parent\":\"%u\"", p->nodes[k].parent);
			flame_buf_addc(&b, '}');
		}
		flame_buf_adds(&b, "},\n\"samples\":[");
		uint64_t ts = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t w = p->nodes[leaves[i]].self[0];
			flame_buf_addf(&b, "%s\n{\"cpu\":0,\"name\":\"sample\",\"pid\":1,\"tid\":1,\"ts\":", i ? "," : "");
			flame_json_add_fixed(&b, ts, p->scale_digits);
			flame_buf_addf(&b, ",\"sf\":\"%u\",\"weight\":", leaves[i]);
			flame_json_add_fixed(&b, w, p->scale_digits);
			flame_buf_addc(&b, '}');
			ts += w;
		}
		/* speedscope weighs a sample by the ts gap to the next one: a
		 * closing sample of weight 0 gives the last one its gap */
		if (n) {
			flame_buf_adds(&b, ",\n{\"cpu\":0,\"name\":\"sample\",\"pid\":1,\"tid\":1,\"ts\":");
			flame_json_add_fixed(&b, ts, p->scale_digits);
			flame_buf_addf(&b, ",\"sf\":\"%u\",\"weight\":0}", leaves[0]);
		}
		flame_buf_adds(&b, "]}\n");
		free(need);
		free(leaves);
	}
	free(path);
	int rc = flame_output_write(out, b.data, b.len, err);
	flame_buf_release(&b);
	return rc < 0 ? -1 : 0;
}

static const char *ch_drops(const struct flame_profile *p)
{
	if (p->ncols == 2)
		return "chrome trace has one weight column; the second column dropped";
	if (p->scale_digits)
		return "chrome trace sample weights must be whole numbers; fractions kept only by flame";
	return NULL;
}

const struct flame_format flame_format_chrome = {
	.name = "chrome",
	.aliases = "trace chrome-trace trace-event",
	.summary = "Chrome trace event JSON (B/E/X events, stackFrames+samples, ProfileChunk)",
	.probe = ch_probe,
	.parser_new = ch_new,
	.parse = ch_parse,
	.parser_free = ch_free,
	.write = ch_write,
	.streaming = 1,
	.drops = ch_drops,
	.suffixes = ".trace.json .trace",
	.shows_time = 1,
};
