/*
 * recorder.c - records to folded stacks.  See recorder.h.
 */
#include "recorder.h"

#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "offcpu.h"
#include "unwind.h"
#include "../hash.h"
#include "../util.h"
#include "../names.h"

#define F_RET 1u    /* a return address: look up the call before it */
#define F_JAVA 2u   /* the command is java: "Lpkg/Class;" names lose their L */
#define F_KERNEL 4u

struct frame {
	uint64_t gen;           /* mapping generation; 0: kernel */
	uint64_t ip;
	uint32_t flags;
	uint32_t name;          /* strtab id + 1 */
	struct flame_dso *dso;  /* NULL when in no mapping */
	uint8_t unknown;        /* no function name */
	uint8_t entry;          /* a thread or process entry point (_start, start_thread, ...) */
	uint32_t inl_off, ninl; /* --inline: frames inlined here, in the recorder's inl, leaf first */
};

struct u32set {
	uint32_t *keys;            /* first-seen order */
	size_t n, cap;
	struct flame_hindex index; /* key -> index in keys */
};

struct flame_recorder {
	struct flame_recorder_opts o;
	struct flame_profile *prof;
	struct flame_timeline *tl;
	struct flame_symbolizer *sym;
	struct flame_record_stats st;
	struct frame *cache;        /* resolved frames, first-seen order */
	size_t ncache, cache_cap;
	struct flame_hindex cache_index; /* (gen, ip, flags) -> index in cache */
	uint32_t *ids;              /* the sample's frames, leaf first */
	struct frame *fr;           /* ... and copies of their cache entries */
	size_t ids_cap;
	struct u32set tids, pids;
	struct flame_buf b, c;
	uint64_t max_stack;         /* kernel.perf_event_max_stack */
	struct flame_unwinder *uw;  /* made for the first sample with a stack copy */
	uint64_t serial;            /* stacks seen, for per-binary counts */
	struct flame_offcpu *off;   /* opts.offcpu: threads off a CPU now */
	/* --inline, --srcline */
	uint32_t *inl;              /* names of inlined frames (strtab ids), see struct frame */
	size_t ninl, inl_cap;
	uint32_t *xids;             /* the sample's frames with inlined ones, leaf first */
	size_t xids_cap;
	struct flame_srcchain chain;
};

static int u32set_add(struct u32set *s, uint32_t key)
{
	struct flame_hindex *x = &s->index;
	if ((s->n + 1) * 2 > x->nslots) {
		flame_hindex_resize(x, x->nslots ? x->nslots * 2 : 64);
		for (size_t k = 0; k < s->n; k++)
			flame_hindex_add(x, flame_hash_u64(s->keys[k]), (uint32_t)k);
	}
	size_t i = flame_hindex_first(x, flame_hash_u64(key));
	for (uint32_t v; (v = x->slots[i]) != 0; i = flame_hindex_next(x, i))
		if (s->keys[v - 1] == key)
			return 0;
	FLAME_GROW(s->keys, s->cap, s->n + 1);
	s->keys[s->n] = key;
	flame_hindex_set(x, i, (uint32_t)s->n++);
	return 1;
}

static void u32set_release(struct u32set *s)
{
	free(s->keys);
	flame_hindex_release(&s->index);
}

struct flame_recorder *flame_recorder_new(struct flame_profile *prof,
					  const struct flame_recorder_opts *o)
{
	struct flame_recorder *r = flame_xcalloc(1, sizeof(*r));
	r->o = *o;
	r->prof = prof;
	if (o->timeline)
		r->tl = flame_profile_timeline_enable(prof);
	struct flame_symbolizer_opts so = {
		.demangle = o->demangle, .debug_dir = o->debug_dir, .kernel = o->kernel,
		.kallsyms = o->kallsyms,
	};
	r->sym = flame_symbolizer_new(&so);
	if (o->no_proc)
		flame_symbolizer_no_proc(r->sym);
	flame_hindex_resize(&r->cache_index, 4096);
	if (o->offcpu)
		r->off = flame_offcpu_new();
	r->max_stack = 127;
	long v;
	if (flame_read_long("/proc/sys/kernel/perf_event_max_stack", &v) == 0)
		r->max_stack = (uint64_t)v;
	return r;
}

void flame_recorder_free(struct flame_recorder *r)
{
	if (!r)
		return;
	flame_unwinder_free(r->uw);
	flame_symbolizer_free(r->sym);
	flame_offcpu_free(r->off);
	free(r->cache);
	flame_hindex_release(&r->cache_index);
	free(r->ids);
	free(r->fr);
	u32set_release(&r->tids);
	u32set_release(&r->pids);
	free(r->inl);
	free(r->xids);
	flame_srcchain_release(&r->chain);
	flame_buf_release(&r->b);
	flame_buf_release(&r->c);
	free(r);
}

const struct flame_record_stats *flame_recorder_stats(const struct flame_recorder *r)
{
	return &r->st;
}

struct flame_symbolizer *flame_recorder_symbolizer(struct flame_recorder *r)
{
	return r->sym;
}

/* ---- frame names ---- */

static int is_entry(const char *raw)
{
	static const char *const entries[] = {
		"_start", "__libc_start_main", "__libc_start_call_main", "__libc_start_main_impl",
		"start_thread", "clone", "clone3", "__clone", "__clone3", "__clone_internal",
		"thread_start", "_dl_start", "_dl_start_user", "_dl_start_final", "__thread_start",
		"start_c", "runtime.goexit", "runtime.goexit.abi0", "runtime.rt0_go",
		"runtime.rt0_go.abi0", "runtime.mstart", "runtime.mstart.abi0", "_start_c",
	};
	for (size_t i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		if (strcmp(raw, entries[i]) == 0)
			return 1;
	return 0;
}

/* Append module's last path component, as collapse names unknown frames. */
static void add_base(struct flame_buf *b, const char *module)
{
	const char *base = strrchr(module, '/');
	flame_buf_adds(b, base ? base + 1 : module);
}

/* Name a frame (once per cache entry). */
/* Executable memory of no file: perf names its module /tmp/perf-PID.map,
 * whether that JIT map exists or not. */
static int perf_anon(const char *m)
{
	return strcmp(m, "//anon") == 0 || strncmp(m, "/dev/zero", 9) == 0 ||
	       strncmp(m, "/anon_hugepage", 14) == 0 || strncmp(m, "[stack", 6) == 0 ||
	       strncmp(m, "/SYSV", 5) == 0 || strcmp(m, "[heap]") == 0;
}

static void name_frame(struct flame_recorder *r, struct frame *f, const struct flame_sym *sy,
		       uint32_t pid)
{
	struct flame_buf *b = &r->b;
	flame_buf_reset(b);
	f->dso = sy->dso;
	if (sy->kind == FLAME_SYM_FOUND) {
		/* quotes deleted, ';' is the frame separator, argument list cut */
		for (const char *p = sy->name; *p; p++) {
			if (*p == '"' || *p == '\'')
				continue;
			flame_buf_addc(b, *p == ';' ? ':' : *p);
		}
		b->len = flame_name_args_start(b->data ? b->data : "", b->len);
		if ((f->flags & F_JAVA) && b->len > 1 && b->data[0] == 'L' && memchr(b->data, '/', b->len)) {
			memmove(b->data, b->data + 1, b->len - 1);
			b->len--;
		}
		f->entry = !(f->flags & F_KERNEL) && is_entry(sy->raw);
		if (b->len == 0)
			flame_buf_adds(b, "[unknown]");
	} else {
		f->unknown = 1;
		flame_buf_addc(b, '[');
		if (sy->kind == FLAME_SYM_NOSYM && sy->module && perf_anon(sy->module))
			flame_buf_addf(b, "perf-%u.map", pid);
		else if (sy->kind == FLAME_SYM_NOSYM && sy->module && strcmp(sy->module, "[unknown]") != 0)
			add_base(b, sy->module);
		else
			flame_buf_adds(b, "unknown");
		if (r->o.include_addrs) /* as perf script prints it */
			flame_buf_addf(b, " <%" PRIx64 ">", sy->kind == FLAME_SYM_NOSYM ? sy->map_addr : f->ip);
		flame_buf_addc(b, ']');
	}
	if (r->o.annotate_kernel && (f->flags & F_KERNEL))
		flame_buf_adds(b, "_[k]");
	else if (r->o.annotate_jit && sy->dso && sy->dso->jit && sy->kind == FLAME_SYM_FOUND)
		flame_buf_adds(b, "_[j]");
	f->name = flame_strtab_intern(&r->prof->names, b->data ? b->data : "", b->len) + 1;
}

/* ---- --inline and --srcline: DWARF frames ---- */

static void add_srcline(struct flame_buf *b, const struct flame_srcframe *c, const char *dso_base)
{
	if (c && c->file[0] && c->line)
		flame_buf_addf(b, ":%s:%u", flame_srcinfo_basename(c->file), c->line);
	else if (dso_base)
		flame_buf_addf(b, ":%s", dso_base);
}

/* Give a user frame its source line and the frames inlined into it. */
static void src_expand(struct flame_recorder *r, struct frame *f, const struct flame_sym *sy)
{
	if ((f->flags & F_KERNEL) || !sy->dso || sy->dso->jit || sy->kind == FLAME_SYM_NOMAP)
		return;
	size_t n = 0;
	if (sy->has_addr)
		n = flame_symbolizer_srcinfo(r->sym, sy->dso, sy->addr, &r->chain);
	const struct flame_srcframe *c = r->chain.f;
	int expand = r->o.inline_frames && sy->kind == FLAME_SYM_FOUND && n > 1;
	/* no line: the file's name, as perf prints "libc.so.6[27b25]" and
	 * collapse keeps of it (nothing for "[vdso]" and anonymous memory) */
	const char *p0 = sy->dso->path;
	const char *base = p0[0] == '/' && p0[1] != '/' ? sy->dso->base : NULL;
	struct flame_buf *b = &r->b;
	if (r->o.srcline) {
		flame_buf_reset(b);
		size_t len;
		const char *name = flame_strtab_name(&r->prof->names, f->name - 1, &len);
		flame_buf_add(b, name, len);
		add_srcline(b, n ? &c[expand ? n - 1 : 0] : NULL, base);
		f->name = flame_strtab_intern(&r->prof->names, b->data, b->len) + 1;
	}
	if (!expand)
		return;
	f->inl_off = (uint32_t)r->ninl;
	f->ninl = (uint32_t)(n - 1);
	FLAME_GROW(r->inl, r->inl_cap, r->ninl + n);
	for (size_t k = 0; k + 1 < n; k++) {
		flame_buf_reset(b);
		for (const char *p = c[k].func; *p; p++) {
			if (*p == '"' || *p == '\'')
				continue;
			flame_buf_addc(b, *p == ';' ? ':' : *p);
		}
		b->len = flame_name_args_start(b->data ? b->data : "", b->len);
		if (b->len == 0)
			flame_buf_adds(b, "[unknown]");
		flame_buf_adds(b, "_[i]");
		if (r->o.srcline)
			add_srcline(b, &c[k], base);
		r->inl[r->ninl++] = flame_strtab_intern(&r->prof->names, b->data, b->len);
	}
}

/* The sample's frames leaf first, with the inlined ones in place. */
static uint32_t *with_inlined(struct flame_recorder *r, size_t nf, size_t *np)
{
	size_t n = nf;
	for (size_t i = 0; i < nf; i++)
		n += r->fr[i].ninl;
	*np = n;
	if (n == nf)
		return r->ids;
	FLAME_GROW(r->xids, r->xids_cap, n);
	size_t k = 0;
	for (size_t i = 0; i < nf; i++) {
		for (uint32_t j = 0; j < r->fr[i].ninl; j++)
			r->xids[k++] = r->inl[r->fr[i].inl_off + j];
		r->xids[k++] = r->ids[i];
	}
	return r->xids;
}

static uint64_t frame_hash(uint64_t gen, uint64_t ip, uint32_t flags)
{
	return flame_hash_u64(ip ^ (gen << 40) ^ (gen >> 24) ^ ((uint64_t)flags << 61));
}

static struct frame *frame_get(struct flame_recorder *r, uint32_t pid, uint64_t gen, uint64_t ip,
			       uint32_t flags)
{
	struct flame_hindex *x = &r->cache_index;
	size_t i = flame_hindex_first(x, frame_hash(gen, ip, flags));
	for (uint32_t v; (v = x->slots[i]) != 0; i = flame_hindex_next(x, i)) {
		struct frame *f = &r->cache[v - 1];
		if (f->ip == ip && f->gen == gen && f->flags == flags)
			return f;
	}
	struct flame_sym sy;
	if (flags & F_KERNEL)
		flame_symbolizer_kernel(r->sym, ip, (flags & F_RET) != 0, &sy);
	else
		flame_symbolizer_user(r->sym, pid, ip, (flags & F_RET) != 0, &sy);
	/* symbolizing may have read /proc/PID/maps: the generation moved on,
	 * but this answer is right for the address; file it under the old one */
	FLAME_GROW(r->cache, r->cache_cap, r->ncache + 1);
	uint32_t id = (uint32_t)r->ncache++;
	struct frame *f = &r->cache[id];
	*f = (struct frame){ .gen = gen, .ip = ip, .flags = flags };
	name_frame(r, f, &sy, pid);
	if (r->o.inline_frames || r->o.srcline)
		src_expand(r, f, &sy);
	flame_hindex_set(x, i, id);
	if (r->ncache * 2 > x->nslots) {
		flame_hindex_resize(x, x->nslots * 2);
		for (size_t k = 0; k < r->ncache; k++) {
			const struct frame *c = &r->cache[k];
			flame_hindex_add(x, frame_hash(c->gen, c->ip, c->flags), (uint32_t)k);
		}
	}
	return f;
}

/* ---- samples ---- */

/* A sample with a user stack copy: the user part of its callchain comes
 * from the unwinder.  1 when it did. */
static int dwarf_stack(struct flame_recorder *r, const struct flame_sample_rec *rec,
			const uint64_t **ips, uint32_t *n)
{
	if (!r->uw)
		r->uw = flame_unwinder_new(r->sym);
	switch (flame_unwind_sample(r->uw, rec, ips, n)) {
	case FLAME_UNWIND_NONE:
		return 0;
	case FLAME_UNWIND_FULL:
		r->st.dwarf_full++;
		break;
	case FLAME_UNWIND_CUT_STACK:
		r->st.dwarf_cut_stack++;
		break;
	case FLAME_UNWIND_CUT_CFI:
	case FLAME_UNWIND_CUT_OTHER:
		r->st.dwarf_cut_cfi++;
		break;
	}
	r->st.dwarf_stacks++;
	return 1;
}

static void add_sample(struct flame_recorder *r, const struct flame_sample_rec *rec)
{
	const uint64_t *ips = rec->u.sample.ips;
	uint32_t n = rec->u.sample.nips;
	uint64_t one[2];
	if (n == 0) {
		one[0] = rec->u.sample.kernel ? PERF_CONTEXT_KERNEL : PERF_CONTEXT_USER;
		one[1] = rec->u.sample.ip;
		ips = one;
		n = 2;
	}
	int unwound = rec->u.sample.stack_size && dwarf_stack(r, rec, &ips, &n);
	uint32_t pid = rec->pid, tid = rec->tid;
	uint32_t known_pid = pid;
	const char *comm = flame_symbolizer_thread_comm(r->sym, tid, &known_pid);
	if (!*comm && flame_symbolizer_sync_proc(r->sym, pid) == 0)
		comm = flame_symbolizer_thread_comm(r->sym, tid, &known_pid);
	struct flame_buf *c = &r->c;
	flame_buf_reset(c);
	if (*comm) {
		for (const char *p = comm; *p; p++)
			flame_buf_addc(c, *p == ' ' ? '_' : *p);
	} else {
		flame_buf_addf(c, ":%u", tid); /* as perf names a thread it never saw named */
	}
	size_t comm_len = c->len;
	uint32_t java = c->len >= 4 && memcmp(c->data, "java", 4) == 0 ? F_JAVA : 0;
	if (r->o.include_tid)
		flame_buf_addf(c, "-%u/%u", pid, tid);
	else if (r->o.include_pid)
		flame_buf_addf(c, "-%u", pid);

	uint64_t gen = flame_symbolizer_generation(r->sym, pid);
	size_t ids_cap = r->ids_cap;
	FLAME_GROW(r->ids, r->ids_cap, (size_t)n + 1);
	if (!r->fr || r->ids_cap != ids_cap)
		r->fr = flame_xrealloc(r->fr, r->ids_cap * sizeof(*r->fr));
	size_t nf = 0, nuser = 0, last_user = SIZE_MAX;
	int ctx = 0; /* 0: none yet, 1: kernel, 2: user, 3: other (skipped) */
	int first = 1;
	int offcpu = r->off && rec->event == FLAME_SAMPLER_EVENT_OFFCPU;
	r->serial++;
	if (offcpu)
		r->st.offcpu_samples++;
	else
		r->st.samples++;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t ip = ips[i];
		if (ip >= (uint64_t)PERF_CONTEXT_MAX) {
			ctx = ip == (uint64_t)PERF_CONTEXT_KERNEL ? 1 : ip == (uint64_t)PERF_CONTEXT_USER ? 2 : 3;
			first = 1;
			continue;
		}
		if (ctx == 3)
			continue;
		if (ctx == 0)
			ctx = rec->u.sample.kernel ? 1 : 2;
		uint32_t flags = (first || r->o.ret_as_is ? 0 : F_RET) | (ctx == 1 ? F_KERNEL : java);
		first = 0;
		struct frame *f = frame_get(r, pid, ctx == 1 ? 0 : gen, ip, flags);
		r->ids[nf] = f->name - 1;
		r->fr[nf] = *f;
		if (ctx == 2) {
			nuser++;
			last_user = nf;
		} else {
			r->st.kernel_frames++;
		}
		r->st.unknown += f->unknown;
		nf++;
	}
	r->st.frames += nf;

	/* per-binary counts, once per sample */
	for (size_t i = 0; i < nf; i++) {
		struct flame_dso *d = r->fr[i].dso;
		if (!d)
			continue;
		if (d->last_sample != r->serial) {
			d->last_sample = r->serial;
			d->samples++;
		}
		d->unknown += r->fr[i].unknown;
	}
	if (nuser) {
		r->st.user_stacks++;
		if (!unwound && r->max_stack && nf >= r->max_stack) {
			/* cut by the kernel: a deep stack, unless it is mostly garbage
			 * (a frame pointer walk through code built without them) */
			size_t unknown = 0;
			for (size_t i = 0; i < nf; i++)
				unknown += r->fr[i].unknown;
			if (unknown * 2 < nf)
				r->st.max_depth++;
			r->st.truncated++;
		} else if (!r->fr[last_user].entry) {
			r->st.truncated++;
		}
	}
	if (u32set_add(&r->tids, tid))
		r->st.threads++;
	if (u32set_add(&r->pids, pid))
		r->st.processes++;
	if (!r->st.first_time || rec->time < r->st.first_time)
		r->st.first_time = rec->time;
	if (rec->time > r->st.last_time)
		r->st.last_time = rec->time;

	/* root first: comm, then the frames outermost first */
	struct flame_profile *p = r->prof;
	size_t np;
	uint32_t *path = with_inlined(r, nf, &np);
	if (offcpu && r->o.annotate_offcpu)
		for (size_t i = 0; i < np; i++)
			path[i] = flame_offcpu_mark(r->off, &p->names, path[i]);
	uint32_t node = flame_profile_child(p, 0, flame_strtab_intern(&p->names, c->data, c->len), 1);
	for (size_t i = np; i-- > 0;)
		node = flame_profile_child(p, node, path[i], 1);
	uint32_t th = 0;
	if (r->tl) {
		const char *tn = *comm ? comm : c->data;
		th = flame_timeline_thread(r->tl, pid, tid, tn, *comm ? strlen(comm) : comm_len);
	}
	if (offcpu) {
		/* weighed when the thread comes back */
		flame_offcpu_out(r->off, pid, tid, rec->time, node, th);
		return;
	}
	uint64_t w[2] = { rec->u.sample.period ? rec->u.sample.period : 1, 0 };
	flame_profile_add_weight(p, node, w);
	p->nstacks++;
	if (r->tl)
		flame_timeline_add(r->tl, node, th, rec->time, w[0]);
}

/* ---- off-CPU intervals ---- */

/* Weigh a switch-out stack by its time off the CPU; a preempted thread's
 * stack gets a [preempted] frame on top. */
static void charge(struct flame_recorder *r, const struct flame_offcpu_interval *iv)
{
	struct flame_profile *p = r->prof;
	uint64_t w[2] = { iv->end - iv->start, 0 };
	const struct flame_offcpu_stats *os = flame_offcpu_stats(r->off);
	r->st.offcpu_intervals = os->intervals;
	r->st.offcpu_preempted = os->preempted;
	r->st.offcpu_ns = os->ns;
	r->st.offcpu_unmatched = os->unmatched;
	if (!w[0])
		return;
	uint32_t node = iv->node;
	if (iv->preempt) {
		uint32_t id = flame_strtab_intern(&p->names, FLAME_OFFCPU_PREEMPTED,
						  sizeof(FLAME_OFFCPU_PREEMPTED) - 1);
		if (r->o.annotate_offcpu)
			id = flame_offcpu_mark(r->off, &p->names, id);
		node = flame_profile_child(p, node, id, 1);
	}
	flame_profile_add_weight(p, node, w);
	p->nstacks++;
	/* at the interval's start: per thread, samples stay in time order (a
	 * thread off its CPU has no other samples meanwhile) */
	if (r->tl)
		flame_timeline_add(r->tl, node, iv->thread, iv->start, w[0]);
	if (!r->st.first_time || iv->start < r->st.first_time)
		r->st.first_time = iv->start;
	if (iv->end > r->st.last_time)
		r->st.last_time = iv->end;
}

static void offcpu_record(struct flame_recorder *r, const struct flame_sample_rec *rec)
{
	struct flame_offcpu_interval iv;
	int got = rec->type == FLAME_REC_SWITCH
			  ? flame_offcpu_switch(r->off, rec->tid, rec->u.sw.out, rec->u.sw.preempt,
						rec->time, &iv)
			  : flame_offcpu_exit(r->off, rec->tid, rec->time, &iv);
	if (got)
		charge(r, &iv);
}

void flame_recorder_finish(struct flame_recorder *r, uint64_t end)
{
	struct flame_offcpu_interval iv;
	while (r->off && flame_offcpu_finish(r->off, end, &iv))
		charge(r, &iv);
	if (r->off)
		r->st.offcpu_unmatched = flame_offcpu_stats(r->off)->unmatched;
}

void flame_recorder_add(void *ctx, const struct flame_sample_rec *rec)
{
	struct flame_recorder *r = ctx;
	switch (rec->type) {
	case FLAME_REC_SAMPLE:
		add_sample(r, rec);
		break;
	case FLAME_REC_MMAP:
		if (rec->u.mmap.prot & 4 /* PROT_EXEC */)
			flame_symbolizer_mmap(r->sym, rec->pid, rec->u.mmap.start, rec->u.mmap.len,
					      rec->u.mmap.pgoff, rec->u.mmap.maj, rec->u.mmap.min,
					      rec->u.mmap.ino, rec->u.mmap.filename);
		break;
	case FLAME_REC_COMM:
		flame_symbolizer_comm(r->sym, rec->pid, rec->tid, rec->u.comm.comm, rec->u.comm.exec);
		break;
	case FLAME_REC_FORK:
		flame_symbolizer_fork(r->sym, rec->pid, rec->u.fork.ppid, rec->tid, rec->u.fork.ptid);
		break;
	case FLAME_REC_EXIT:
		if (r->off)
			offcpu_record(r, rec);
		flame_symbolizer_exit(r->sym, rec->pid, rec->tid);
		break;
	case FLAME_REC_LOST:
		r->st.lost += rec->u.lost.lost;
		break;
	case FLAME_REC_THROTTLE:
		r->st.throttled++;
		break;
	case FLAME_REC_SWITCH:
		if (r->off)
			offcpu_record(r, rec);
		break;
	}
}
