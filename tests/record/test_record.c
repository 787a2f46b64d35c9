/*
 * test_record.c - unit tests of flame record's parts, in-process:
 *
 *   unit_record            the timeline, the symbolizer on this very
 *                          program, frame naming through a JIT map, the
 *                          kernel symbol table (no perf_event_open needed)
 *   unit_record sampler    the sampler on this process: records come back
 *                          in time order, with mmap and fork records
 *                          (exit 77 when perf_event_open is denied)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/profile.h"
#include "core/record/recorder.h"
#include "core/record/sampler.h"
#include "core/record/symbolizer.h"
#include "core/io.h"
#include "core/util.h"
#include "formats/folded.h"

#include "check.h"

int failures;

#define CHECK_STR(a, b)                                                                     \
	do {                                                                                \
		const char *a_ = (a), *b_ = (b);                                            \
		if (!a_ || strcmp(a_, b_) != 0) {                                           \
			fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
				#a, a_ ? a_ : "(null)", b_);                                \
			failures++;                                                         \
		}                                                                           \
	} while (0)

/* ---- timeline ---- */

static void t_timeline(void)
{
	struct flame_profile p;
	flame_profile_init(&p);
	CHECK(p.timeline == NULL);
	struct flame_timeline *t = flame_profile_timeline_enable(&p);
	CHECK(t && t == p.timeline && flame_profile_timeline_enable(&p) == t);
	uint32_t a = flame_timeline_thread(t, 10, 10, "prog", 4);
	uint32_t b = flame_timeline_thread(t, 10, 11, "worker", 6);
	CHECK(a != b);
	CHECK(flame_timeline_thread(t, 10, 10, "prog", 4) == a);
	/* renamed by exec: a new entry */
	uint32_t c = flame_timeline_thread(t, 10, 10, "other", 5);
	CHECK(c != a);
	for (uint32_t i = 0; i < 200; i++) /* grows the thread table */
		flame_timeline_thread(t, 1000 + i, 1000 + i, "x", 1);
	CHECK(flame_timeline_thread(t, 10, 11, "worker", 6) == b);
	CHECK(t->nthreads == 203);
	CHECK_STR(t->threads[b].name, "worker");
	CHECK(t->threads[b].pid == 10 && t->threads[b].tid == 11);
	uint32_t ids[2] = { flame_strtab_intern(&p.names, "main", 4),
			    flame_strtab_intern(&p.names, "f", 1) };
	uint64_t w[2] = { 5, 0 };
	uint32_t leaf = flame_profile_add(&p, ids, 2, w);
	flame_timeline_add(t, leaf, b, 123456789, 5);
	flame_timeline_add(t, leaf, a, 123456999, 7);
	CHECK(t->nsamples == 2);
	CHECK(t->samples[0].leaf == leaf && t->samples[0].thread == b);
	CHECK(t->samples[1].time == 123456999 && t->samples[1].weight == 7);
	/* the trie is unchanged by the timeline */
	CHECK(flame_profile_total(&p, 0) == 5);
	flame_profile_release(&p); /* frees the timeline (ASan checks) */
}

/* ---- symbolizer on this program ---- */

__attribute__((noinline)) int unit_marker_function(int x)
{
	return x * 3 + 1;
}

static void feed_self_maps(struct flame_symbolizer *s, uint32_t pid)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4352];
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long a, b, off, ino;
		unsigned maj, min;
		char perms[8];
		int at = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &a, &b, perms, &off, &maj, &min, &ino,
			   &at) < 7 || !strchr(perms, 'x'))
			continue;
		char *name = line + at;
		name[strcspn(name, "\n")] = '\0';
		flame_symbolizer_mmap(s, pid, a, b - a, off, maj, min, ino, *name ? name : "//anon");
	}
	if (f)
		fclose(f);
}

static void t_symbolizer_self(void)
{
	struct flame_symbolizer_opts o = { .demangle = 1 };
	struct flame_symbolizer *s = flame_symbolizer_new(&o);
	uint32_t pid = (uint32_t)getpid();
	feed_self_maps(s, pid);
	uint64_t fn = (uint64_t)(uintptr_t)&unit_marker_function;
	struct flame_sym sy;
	flame_symbolizer_user(s, pid, fn + 2, 0, &sy);
	CHECK(sy.kind == FLAME_SYM_FOUND);
	CHECK_STR(sy.name, "unit_marker_function");
	CHECK(sy.dso && (sy.dso->src == FLAME_SYMSRC_SYMTAB || sy.dso->src == FLAME_SYMSRC_DEBUGFILE));
	/* a return address just past the function's first byte looks up the call */
	flame_symbolizer_user(s, pid, fn + 1, 1, &sy);
	CHECK_STR(sy.name, "unit_marker_function");
	/* no mapping there */
	flame_symbolizer_user(s, pid, 0x10, 0, &sy);
	CHECK(sy.kind == FLAME_SYM_NOMAP);
	/* a process never described */
	flame_symbolizer_user(s, 0x3ffffff0, fn, 0, &sy);
	CHECK(sy.kind == FLAME_SYM_NOMAP);
	/* generations: a new mapping changes it, a fork shares it */
	uint64_t g = flame_symbolizer_generation(s, pid);
	flame_symbolizer_fork(s, 0x3ffffff1, pid, 0x3ffffff1, pid);
	CHECK(flame_symbolizer_generation(s, 0x3ffffff1) == g);
	flame_symbolizer_user(s, 0x3ffffff1, fn + 2, 0, &sy);
	CHECK_STR(sy.name, "unit_marker_function");
	flame_symbolizer_mmap(s, pid, 0x100000, 0x1000, 0, 0, 0, 0, "//anon");
	CHECK(flame_symbolizer_generation(s, pid) != g);
	/* exec forgets the mappings */
	flame_symbolizer_comm(s, 0x3ffffff1, 0x3ffffff1, "newprog", 1);
	flame_symbolizer_user(s, 0x3ffffff1, fn + 2, 0, &sy);
	CHECK(sy.kind == FLAME_SYM_NOMAP);
	uint32_t tp = 0;
	CHECK_STR(flame_symbolizer_thread_comm(s, 0x3ffffff1, &tp), "newprog");
	CHECK(tp == 0x3ffffff1);
	/* libc: found through .symtab, a debug file, or .dynsym */
	flame_symbolizer_user(s, pid, (uint64_t)(uintptr_t)&getpid, 0, &sy);
	CHECK(sy.kind == FLAME_SYM_FOUND);
	flame_symbolizer_free(s);
}

/* ---- naming, through a JIT map ---- */

static char *folded(const struct flame_profile *p)
{
	char path[] = "/tmp/flame-unit-folded-XXXXXX";
	int fd = mkstemp(path);
	struct flame_output *out;
	struct flame_error err = { 0 };
	char *text = NULL;
	if (fd >= 0 && flame_output_open(&out, path, &err) == 0) {
		if (flame_folded_write(p, out, &err) == 0 && flame_output_commit(out, &err) == 0) {
			FILE *f = fopen(path, "r");
			text = flame_xcalloc(1, 1 << 16);
			if (f) {
				size_t n = fread(text, 1, (1 << 16) - 1, f);
				text[n] = '\0';
				fclose(f);
			}
		} else {
			fprintf(stderr, "folded: %s\n", err.msg);
		}
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	return text ? text : flame_xstrdup("");
}

static void sample(struct flame_recorder *r, uint32_t pid, uint32_t tid, uint64_t time,
		   const uint64_t *ips, uint32_t n)
{
	struct flame_sample_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.type = FLAME_REC_SAMPLE;
	rec.pid = pid;
	rec.tid = tid;
	rec.time = time;
	rec.u.sample.ip = ips[1];
	rec.u.sample.period = 1;
	rec.u.sample.ips = ips;
	rec.u.sample.nips = n;
	flame_recorder_add(r, &rec);
}

static void side(struct flame_recorder *r, enum flame_rec_type type, uint32_t pid, uint32_t tid,
		 const char *s)
{
	struct flame_sample_rec rec;
	memset(&rec, 0, sizeof(rec));
	rec.type = type;
	rec.pid = pid;
	rec.tid = tid;
	if (type == FLAME_REC_COMM) {
		rec.u.comm.comm = s;
	} else if (type == FLAME_REC_MMAP) {
		rec.u.mmap.start = 0x7000000;
		rec.u.mmap.len = 0x10000;
		rec.u.mmap.prot = 5;
		rec.u.mmap.filename = s;
	}
	flame_recorder_add(r, &rec);
}

static void t_naming(void)
{
	uint32_t pid = (uint32_t)getpid();
	char path[64];
	snprintf(path, sizeof(path), "/tmp/perf-%u.map", pid);
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		failures++;
		return;
	}
	fprintf(f, "7000000 100 Foo::bar(int, char)\n"
		   "7000100 100 ns::Tmpl<std::function<int (int)> >::run(int) const\n"
		   "7000200 100 a;b\"c'd\n"
		   "7000300 100 (anonymous namespace)::f(int)\n"
		   "7000400 100 Lcom/example/App;::main\n"
		   "7000500 100 net/http.(*Client).Do\n"
		   "7000600 100 _start\n"
		   "7000700 100 _ZN4core3fmt5write17h0123456789abcdefE\n"
		   "7000800 100 _RNvNtCs1234_7mycrate5inner3foo\n"
		   "7000900 100 _RINvCs1234_7mycrate4swapmEB2_\n"
		   "7000a00 100 _ZN2ns3fooEi\n");
	fclose(f);

	struct flame_profile p;
	flame_profile_init(&p);
	struct flame_recorder_opts o = { 0 };
	o.include_tid = 1;
	o.annotate_jit = 1;
	o.include_addrs = 1;
	o.demangle = 1;
	o.timeline = 1;
	struct flame_recorder *r = flame_recorder_new(&p, &o);
	uint32_t jtid = pid + 1; /* a made-up second thread, named java */
	side(r, FLAME_REC_COMM, pid, pid, "my prog");
	side(r, FLAME_REC_COMM, pid, jtid, "java");
	side(r, FLAME_REC_MMAP, pid, pid, "//anon");
	const uint64_t U = (uint64_t)PERF_CONTEXT_USER;
	/* leaf first: bar <- run <- a;b <- anon f <- _start (return addresses) */
	uint64_t s1[] = { U, 0x7000010, 0x7000110, 0x7000210, 0x7000310, 0x7000601 };
	sample(r, pid, pid, 1000, s1, 6);
	uint64_t s2[] = { U, 0x7000410, 0x7000510 };
	sample(r, pid, jtid, 2000, s2, 3);
	sample(r, pid, pid, 3000, s2, 3);
	/* unresolved: in the mapping but not in the JIT map, and in no mapping */
	uint64_t s3[] = { U, 0x7000f00, 0x10 };
	sample(r, pid, pid, 4000, s3, 3);
	/* demangling: Rust legacy (hash dropped) and v0 (disambiguator dropped), C++ */
	uint64_t s4[] = { U, 0x7000a10, 0x7000910, 0x7000810, 0x7000710 };
	sample(r, pid, pid, 5000, s4, 5);
	char *text = folded(&p);
	char want[2048];
	snprintf(want, sizeof(want),
		 "java-%u/%u;net/http.(*Client).Do_[j];com/example/App:::main_[j] 1\n"
		 "my_prog-%u/%u;[unknown <10>];[perf-%u.map <7000f00>] 1\n" /* as perf names anon memory */
		 "my_prog-%u/%u;_start_[j];(anonymous namespace)::f_[j];a:bcd_[j];"
		 "ns::Tmpl<std::function<int (int)> >::run_[j];Foo::bar_[j] 1\n"
		 "my_prog-%u/%u;core::fmt::write_[j];mycrate::inner::foo_[j];"
		 "mycrate::swap::<u32>_[j];ns::foo_[j] 1\n"
		 "my_prog-%u/%u;net/http.(*Client).Do_[j];Lcom/example/App:::main_[j] 1\n",
		 pid, jtid, pid, pid, pid, pid, pid, pid, pid, pid, pid);
	/* Go receivers keep their parentheses; java names lose the L under java only */
	CHECK_STR(text, want);
	free(text);

	const struct flame_record_stats *st = flame_recorder_stats(r);
	CHECK(st->samples == 5);
	CHECK(st->threads == 2 && st->processes == 1);
	CHECK(st->frames == 15 && st->unknown == 2);
	CHECK(st->user_stacks == 5 && st->truncated == 4); /* only s1 ends in an entry point */
	struct flame_timeline *t = p.timeline;
	CHECK(t && t->nsamples == 5);
	if (t && t->nsamples == 5) {
		CHECK(t->samples[0].time == 1000 && t->samples[3].time == 4000);
		CHECK_STR(t->threads[t->samples[0].thread].name, "my prog");
		CHECK_STR(t->threads[t->samples[1].thread].name, "java");
		CHECK(t->threads[t->samples[1].thread].tid == jtid);
		CHECK(t->samples[1].leaf != t->samples[2].leaf); /* different roots */
	}
	flame_recorder_free(r);
	flame_profile_release(&p);
	unlink(path);
}

/* ---- kernel symbols ---- */

static void t_kernel(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512];
	unsigned long long addr = 0;
	while (f && fgets(line, sizeof(line), f)) {
		char type, name[256];
		unsigned long long a;
		if (sscanf(line, "%llx %c %255s", &a, &type, name) == 3 && (type == 'T') &&
		    strcmp(name, "schedule") == 0) {
			addr = a;
			break;
		}
	}
	if (f)
		fclose(f);
	struct flame_symbolizer_opts o = { .demangle = 1, .kernel = 1 };
	struct flame_symbolizer *s = flame_symbolizer_new(&o);
	const char *why;
	int ok = flame_symbolizer_kernel_ok(s, &why);
	if (!addr) {
		printf("kernel symbols: skipped (%s)\n", ok ? "no 'schedule'" : why);
		flame_symbolizer_free(s);
		return;
	}
	CHECK(ok);
	struct flame_sym sy;
	flame_symbolizer_kernel(s, addr + 4, 0, &sy);
	CHECK(sy.kind == FLAME_SYM_FOUND);
	CHECK_STR(sy.name, "schedule");
	CHECK_STR(sy.module, "[kernel.kallsyms]");
	flame_symbolizer_free(s);
}

/* ---- the sampler on this process ---- */

struct seen {
	uint64_t last_time;
	int disorder;
	size_t samples, mmaps, forks, comms;
	int mmap_named;
	int bad_pid;
	int empty_chain;
};

static void on_rec(void *ctx, const struct flame_sample_rec *rec)
{
	struct seen *s = ctx;
	if (rec->time < s->last_time)
		s->disorder++;
	s->last_time = rec->time;
	switch (rec->type) {
	case FLAME_REC_SAMPLE:
		s->samples++;
		if (rec->pid != (uint32_t)getpid())
			s->bad_pid++;
		if (rec->u.sample.nips < 2)
			s->empty_chain++;
		break;
	case FLAME_REC_MMAP:
		s->mmaps++;
		if (strstr(rec->u.mmap.filename, "flame-unit-exec"))
			s->mmap_named = 1;
		break;
	case FLAME_REC_FORK:
		s->forks++;
		break;
	case FLAME_REC_COMM:
		s->comms++;
		break;
	default:
		break;
	}
}

static volatile uint64_t spin_sink;

static void spin(double secs)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (int i = 0; i < 100000; i++)
			spin_sink = spin_sink * 3 + 1;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9 < secs);
}

static void *spin_thread(void *arg)
{
	(void)arg;
	spin(0.2);
	return NULL;
}

static int t_sampler(void)
{
	struct flame_sampler_config cfg = { .event = "cpu-clock", .freq = 2999, .scope = FLAME_SCOPE_AUTO };
	struct flame_sampler *sm = flame_sampler_new(&cfg);
	struct flame_error err = { 0 };
	if (flame_sampler_open(sm, getpid(), 0, NULL, &err) < 0) {
		printf("SKIP: %s\n", err.msg);
		flame_sampler_free(sm);
		return 77;
	}
	CHECK(flame_sampler_enable(sm, &err) == 0);
	struct seen s;
	memset(&s, 0, sizeof(s));
	pthread_t th;
	pthread_create(&th, NULL, spin_thread, NULL);
	/* an executable mapping of a file: an MMAP2 record */
	char path[] = "/tmp/flame-unit-exec-XXXXXX";
	int fd = mkstemp(path);
	void *m = MAP_FAILED;
	if (fd >= 0 && ftruncate(fd, 4096) == 0)
		m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	for (int i = 0; i < 6; i++) {
		spin(0.05);
		flame_sampler_drain(sm, 0, on_rec, &s);
	}
	pthread_join(th, NULL);
	flame_sampler_disable(sm);
	flame_sampler_drain(sm, 1, on_rec, &s);
	CHECK(flame_sampler_queued(sm) == 0);
	printf("sampler: %zu samples, %zu mmaps, %zu forks, %zu comms\n", s.samples, s.mmaps, s.forks,
	       s.comms);
	CHECK(s.samples >= 100);
	CHECK(s.disorder == 0);
	CHECK(s.forks >= 1);
	CHECK(s.mmap_named);
	CHECK(s.bad_pid == 0);
	CHECK(s.empty_chain == 0);
	if (m != MAP_FAILED)
		munmap(m, 4096);
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	flame_sampler_free(sm);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "sampler") == 0) {
		int rc = t_sampler();
		if (rc)
			return rc;
	} else {
		t_timeline();
		t_symbolizer_self();
		t_naming();
		t_kernel();
	}
	if (failures) {
		fprintf(stderr, "%d check%s failed\n", failures, failures == 1 ? "" : "s");
		return 1;
	}
	printf("ok\n");
	return 0;
}
