/*
 * offcpu.c - tracefs lookup and switch bookkeeping.  See offcpu.h.
 */
#include "offcpu.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "../util.h"

#define TRACEFS_MAGIC_NUMBER 0x74726163 /* "trac" */

static char tracefs_dir[64];

const char *flame_tracefs_dir(void)
{
	return tracefs_dir;
}

static int is_tracefs(const char *dir)
{
	struct statfs sf;
	/* statfs follows the automount /sys/kernel/debug/tracing is */
	return statfs(dir, &sf) == 0 && (unsigned long)sf.f_type == TRACEFS_MAGIC_NUMBER;
}

static int find_tracefs(struct flame_error *err)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	for (size_t i = 0; i < 2; i++) {
		if (is_tracefs(dirs[i])) {
			snprintf(tracefs_dir, sizeof(tracefs_dir), "%s", dirs[i]);
			return 0;
		}
	}
	if (mount("nodev", dirs[0], "tracefs", 0, NULL) == 0 || is_tracefs(dirs[0])) {
		snprintf(tracefs_dir, sizeof(tracefs_dir), "%s", dirs[0]);
		return 0;
	}
	int e = errno;
	if (e == ENODEV)
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
				       "the kernel has no tracefs (built without CONFIG_TRACING), so it "
				       "offers no sched:sched_switch tracepoint to sample off-CPU time with");
	if (e == EPERM || e == EACCES)
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
				       "tracefs, where the kernel numbers its tracepoints, is not mounted, and "
				       "mounting it needs root; fix: sudo mount -t tracefs nodev %s",
				       dirs[0]);
	return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
			       "tracefs is not mounted and mounting it at %s failed: %s; fix: mount it "
			       "(mount -t tracefs nodev DIR) at %s or %s", dirs[0], strerror(e), dirs[0],
			       dirs[1]);
}

int flame_tracefs_event_id(const char *system, const char *event, uint64_t *id,
			   struct flame_error *err)
{
	if (!tracefs_dir[0] && find_tracefs(err) < 0)
		return -1;
	char path[256], buf[64];
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", tracefs_dir, system, event);
	long n = flame_read_head(path, buf, sizeof(buf));
	if (n < 0) {
		int e = errno;
		if (e == ENOENT) {
			char dir[192];
			struct stat st;
			snprintf(dir, sizeof(dir), "%s/events", tracefs_dir);
			if (stat(dir, &st) == 0)
				return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
						       "the kernel has no tracepoint %s:%s (no %s): it was "
						       "built without it (CONFIG_TRACEPOINTS)", system, event, path);
		}
		if (e == EACCES || e == EPERM)
			return flame_error_set(
				err, FLAME_ERR_IO, NULL, 0,
				"cannot read %s: %s; tracefs (the kernel's tracepoint list) is readable by "
				"root only, and sampling the %s:%s tracepoint needs root or CAP_PERFMON; "
				"fix: run flame record as root (sudo)",
				path, strerror(e), system, event);
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "cannot read %s: %s", path,
				       strerror(e));
	}
	if (n == 0)
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "cannot read %s: empty file", path);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n'))
		return flame_error_set(err, FLAME_ERR_DATA, path, 1, "expected a tracepoint id, got '%.*s'",
				       (int)strcspn(buf, "\n"), buf);
	*id = v;
	return 0;
}

/* ---- switch bookkeeping ---- */

struct pending {
	uint32_t key;    /* tid + 1; 0 = empty slot */
	uint32_t pid;
	uint32_t node, thread;
	uint64_t time;
	int preempt;
};

struct flame_offcpu {
	/* not a flame_hindex: entries come and go per switch and need deleting */
	struct pending *slots; /* open addressing, linear probing; power of two */
	size_t nslots, n;
	struct flame_offcpu_stats st;
	uint32_t *marked;      /* name id -> marked name id + 1; 0 = not yet */
	size_t marked_cap;
	struct flame_buf b;
};

struct flame_offcpu *flame_offcpu_new(void)
{
	struct flame_offcpu *o = flame_xcalloc(1, sizeof(*o));
	o->nslots = 64;
	o->slots = flame_xcalloc(o->nslots, sizeof(*o->slots));
	return o;
}

void flame_offcpu_free(struct flame_offcpu *o)
{
	if (!o)
		return;
	free(o->slots);
	free(o->marked);
	flame_buf_release(&o->b);
	free(o);
}

size_t flame_offcpu_pending(const struct flame_offcpu *o)
{
	return o->n;
}

const struct flame_offcpu_stats *flame_offcpu_stats(const struct flame_offcpu *o)
{
	return &o->st;
}

static size_t slot_of(const struct flame_offcpu *o, uint32_t tid)
{
	size_t mask = o->nslots - 1;
	size_t i = flame_hash_u64(tid) & mask;
	while (o->slots[i].key && o->slots[i].key != tid + 1)
		i = (i + 1) & mask;
	return i;
}

static void grow(struct flame_offcpu *o)
{
	struct pending *old = o->slots;
	size_t nold = o->nslots;
	o->nslots *= 2;
	o->slots = flame_xcalloc(o->nslots, sizeof(*o->slots));
	for (size_t i = 0; i < nold; i++)
		if (old[i].key)
			o->slots[slot_of(o, old[i].key - 1)] = old[i];
	free(old);
}

/* Delete slot i, shifting later entries of its probe run back. */
static void del(struct flame_offcpu *o, size_t i)
{
	size_t mask = o->nslots - 1;
	o->slots[i].key = 0;
	o->n--;
	for (size_t j = (i + 1) & mask; o->slots[j].key; j = (j + 1) & mask) {
		size_t home = flame_hash_u64(o->slots[j].key - 1) & mask;
		/* j's entry may move to i when i lies cyclically in [home, j) */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			o->slots[i] = o->slots[j];
			o->slots[j].key = 0;
			i = j;
		}
	}
}

void flame_offcpu_out(struct flame_offcpu *o, uint32_t pid, uint32_t tid, uint64_t time,
		      uint32_t node, uint32_t thread)
{
	size_t i = slot_of(o, tid);
	if (o->slots[i].key) {
		o->st.unmatched++; /* its switch-in never came: the record was lost */
	} else {
		if ((o->n + 1) * 2 > o->nslots) {
			grow(o);
			i = slot_of(o, tid);
		}
		o->n++;
	}
	o->slots[i] = (struct pending){ tid + 1, pid, node, thread, time, 0 };
}

static int take(struct flame_offcpu *o, size_t i, uint64_t end, int cut,
		struct flame_offcpu_interval *iv)
{
	struct pending *p = &o->slots[i];
	*iv = (struct flame_offcpu_interval){ p->pid, p->key - 1, p->node, p->thread, p->time,
					      end > p->time ? end : p->time, p->preempt, cut };
	o->st.intervals++;
	o->st.preempted += p->preempt != 0;
	o->st.cut += cut != 0;
	o->st.ns += iv->end - iv->start;
	del(o, i);
	return 1;
}

int flame_offcpu_switch(struct flame_offcpu *o, uint32_t tid, int out, int preempt, uint64_t time,
			struct flame_offcpu_interval *iv)
{
	size_t i = slot_of(o, tid);
	if (!o->slots[i].key)
		return 0; /* no stack for it: it left before recording began */
	if (out) {
		o->slots[i].preempt = preempt != 0;
		return 0;
	}
	return take(o, i, time, 0, iv);
}

int flame_offcpu_exit(struct flame_offcpu *o, uint32_t tid, uint64_t time,
		      struct flame_offcpu_interval *iv)
{
	size_t i = slot_of(o, tid);
	if (!o->slots[i].key)
		return 0;
	return take(o, i, time, 1, iv);
}

int flame_offcpu_finish(struct flame_offcpu *o, uint64_t end, struct flame_offcpu_interval *iv)
{
	if (!o->n)
		return 0;
	for (size_t i = 0; i < o->nslots; i++)
		if (o->slots[i].key)
			return take(o, i, end, 1, iv);
	return 0;
}

/* ---- names ---- */

uint32_t flame_offcpu_mark(struct flame_offcpu *o, struct flame_strtab *names, uint32_t id)
{
	if (id < o->marked_cap && o->marked[id])
		return o->marked[id] - 1;
	size_t len;
	const char *s = flame_strtab_name(names, id, &len);
	flame_buf_reset(&o->b);
	if (len >= 4 && s[len - 4] == '_' && s[len - 3] == '[' && s[len - 1] == ']' &&
	    (s[len - 2] == 'k' || s[len - 2] == 'j' || s[len - 2] == 'i' || s[len - 2] == 'o'))
		len -= 4;
	flame_buf_add(&o->b, s, len);
	flame_buf_adds(&o->b, FLAME_OFFCPU_MARK);
	uint32_t m = flame_strtab_intern(names, o->b.data, o->b.len);
	if (id >= o->marked_cap) {
		size_t old = o->marked_cap;
		FLAME_GROW(o->marked, o->marked_cap, (size_t)id + 1);
		memset(o->marked + old, 0, (o->marked_cap - old) * sizeof(*o->marked));
	}
	o->marked[id] = m + 1;
	return m;
}
