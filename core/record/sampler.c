/*
 * sampler.c - perf_event_open(2) events, their ring buffers, and records
 * handed over in time order.  See sampler.h for the contract.
 */
#include "sampler.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../util.h"

#define DEFAULT_PAGES 128u /* data pages per buffer: 512 KiB with 4 KiB pages */
#define MIN_PAGES 8u

struct event_def {
	const char *name;
	const char *aliases; /* space-separated */
	uint32_t type;
	uint64_t config;
};

static const struct event_def events[] = {
	{ "cpu-clock", "cpu_clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", "task_clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "cycles", "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", "", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-references", "", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses", "", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branches", "branch-instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", "", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "ref-cycles", "", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
	{ "page-faults", "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", "", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", "", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context-switches", "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", "migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
};
#define NEVENTS (sizeof(events) / sizeof(events[0]))

static const struct event_def *event_find(const char *name)
{
	for (size_t i = 0; i < NEVENTS; i++) {
		if (strcmp(events[i].name, name) == 0)
			return &events[i];
		const char *a = events[i].aliases;
		size_t n = strlen(name);
		while (*a) {
			const char *e = strchr(a, ' ');
			size_t k = e ? (size_t)(e - a) : strlen(a);
			if (k == n && memcmp(a, name, n) == 0)
				return &events[i];
			a += k + (e != NULL);
		}
	}
	return NULL;
}

const char *flame_sampler_event_names(void)
{
	static char names[512];
	if (!names[0]) {
		size_t o = 0;
		for (size_t i = 0; i < NEVENTS; i++)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", i ? ", " : "",
					      events[i].name);
	}
	return names;
}

int flame_sampler_event_known(const char *name)
{
	return event_find(name) != NULL;
}

struct ring {
	int cpu;
	int fd;                        /* owner of the buffer */
	struct perf_event_mmap_page *meta;
	unsigned char *data;
	uint64_t size;                 /* bytes, power of two */
};

struct qent {
	uint64_t time;
	uint64_t seq;
	uint32_t off, len;             /* in the queue arena */
};

struct flame_sampler {
	struct flame_sampler_config cfg;
	const struct event_def *ev;    /* event in use */
	struct perf_event_attr attr;   /* settled by the first successful open */
	struct flame_perf_layout layout; /* how its records are laid out */
	int settled;
	int *cpus;
	size_t ncpus;
	struct ring *rings;            /* one per CPU, index as cpus */
	int *fds;                      /* every event, for enable/disable/close */
	size_t nfds, fds_cap;
	unsigned pages;
	char notes[1024];
	/* ordering queue */
	unsigned char *arena;
	size_t arena_len, arena_cap;
	struct qent *q;
	size_t nq, q_cap;
	uint64_t seq;
	uint64_t prev_drain_start;     /* CLOCK_MONOTONIC ns */
	unsigned char *tmp;            /* one record copied out of a wrapped buffer */
	size_t tmp_cap;
	/* off-CPU: the sched:sched_switch event beside (or instead of) ev */
	struct perf_event_attr oattr;  /* settled by the first open */
	int osettled;
	uint64_t *oids;                /* its events' ids, ascending (the kernel counts up) */
	size_t noids, oids_cap;
	struct qent *qtmp;             /* merge buffer of queue_sort() */
	size_t qtmp_cap;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Online CPUs from /sys (a list like "0-3,5"), else 0..n-1. */
static void online_cpus(struct flame_sampler *s)
{
	char buf[4096];
	size_t cap = 0;
	if (flame_read_head("/sys/devices/system/cpu/online", buf, sizeof(buf)) > 0) {
		char *p = buf;
		while (*p && *p != '\n') {
			char *e;
			long a = strtol(p, &e, 10), b = a;
			if (e == p)
				break;
			if (*e == '-')
				b = strtol(e + 1, &e, 10);
			for (long c = a; c <= b && c < 65536; c++) {
				FLAME_GROW(s->cpus, cap, s->ncpus + 1);
				s->cpus[s->ncpus++] = (int)c;
			}
			p = *e == ',' ? e + 1 : e;
			if (*e != ',')
				break;
		}
	}
	if (s->ncpus == 0) {
		int nc = flame_ncpus();
		s->cpus = flame_xcalloc((size_t)nc, sizeof(int));
		for (int c = 0; c < nc; c++)
			s->cpus[s->ncpus++] = c;
	}
}

struct flame_sampler *flame_sampler_new(const struct flame_sampler_config *cfg)
{
	struct flame_sampler *s = flame_xcalloc(1, sizeof(*s));
	s->cfg = *cfg;
	if (!s->cfg.event)
		s->cfg.event = "cpu-clock";
	s->ev = event_find(s->cfg.event);
	if (!s->ev)
		s->ev = &events[0];
	s->pages = cfg->mmap_pages ? cfg->mmap_pages : DEFAULT_PAGES;
	online_cpus(s);
	s->rings = flame_xcalloc(s->ncpus, sizeof(*s->rings));
	for (size_t i = 0; i < s->ncpus; i++) {
		s->rings[i].cpu = s->cpus[i];
		s->rings[i].fd = -1;
	}
	s->prev_drain_start = 0;
	return s;
}

void flame_sampler_free(struct flame_sampler *s)
{
	if (!s)
		return;
	long pg = sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < s->ncpus; i++)
		if (s->rings[i].meta)
			munmap(s->rings[i].meta, (size_t)pg + s->rings[i].size);
	for (size_t i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	free(s->fds);
	free(s->rings);
	free(s->cpus);
	free(s->arena);
	free(s->q);
	free(s->tmp);
	free(s->oids);
	free(s->qtmp);
	free(s);
}

static void build_attr(struct flame_sampler *s, struct perf_event_attr *a, int exclude_kernel)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = s->ev->type;
	a->config = s->ev->config;
	uint64_t hz = s->cfg.freq ? s->cfg.freq : 997;
	if (a->type == PERF_TYPE_SOFTWARE &&
	    (a->config == PERF_COUNT_SW_CPU_CLOCK || a->config == PERF_COUNT_SW_TASK_CLOCK)) {
		/* a clock's rate is known: a fixed period of 1/HZ seconds in ns
		 * gives HZ exactly, with no frequency adjustment by the kernel */
		a->sample_period = 1000000000ull / hz ? 1000000000ull / hz : 1;
	} else {
		a->freq = 1;
		a->sample_freq = hz;
	}
	a->sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD |
			 PERF_SAMPLE_CALLCHAIN;
	if (s->cfg.offcpu == FLAME_OFFCPU_ALSO)
		a->sample_type |= PERF_SAMPLE_IDENTIFIER; /* which of the two events wrote a record */
	a->disabled = 1;
	a->inherit = 1;
	a->mmap = 1;
	a->mmap2 = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->sample_id_all = 1;
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	a->exclude_hv = 1;
	a->exclude_guest = 1;
	a->watermark = 1;
	a->wakeup_watermark = (uint32_t)((uint64_t)s->pages * (uint64_t)sysconf(_SC_PAGESIZE) / 2);
	if (s->cfg.scope == FLAME_SCOPE_USER || exclude_kernel) {
		a->exclude_kernel = 1;
		a->exclude_callchain_kernel = 1;
	}
	if (s->cfg.scope == FLAME_SCOPE_KERNEL) {
		a->exclude_user = 1;
		a->exclude_callchain_user = 1;
	}
	if (s->cfg.stack_user && s->cfg.scope != FLAME_SCOPE_KERNEL) {
		/* DWARF unwinding: user registers and stack come with each sample;
		 * the user part of the stack is unwound from them later */
		uint64_t n = ((uint64_t)s->cfg.stack_user + 7) & ~7ull;
		a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a->sample_regs_user = FLAME_SAMPLER_REGS_USER;
		a->sample_stack_user = (uint32_t)(n < FLAME_SAMPLER_STACK_MAX ? n : FLAME_SAMPLER_STACK_MAX);
		a->exclude_callchain_user = 1;
	}
	s->layout = (struct flame_perf_layout){ .sample_type = a->sample_type,
						.read_format = a->read_format,
						.regs_user = a->sample_regs_user,
						.branch_sample_type = a->branch_sample_type,
						.sample_id_all = a->sample_id_all };
}

static long perf_open(struct perf_event_attr *a, pid_t pid, int cpu, int group, unsigned long fl)
{
	return syscall(SYS_perf_event_open, a, pid, cpu, group, fl);
}

/* Whether the effective capability set holds cap. */
static int has_cap(int cap)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return 0;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

int flame_sampler_seccomp_filtered(void)
{
	char buf[8192];
	if (flame_read_head("/proc/self/status", buf, sizeof(buf)) <= 0)
		return 0;
	const char *p = strstr(buf, "\nSeccomp:");
	if (!p)
		return 0;
	p += 9;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '2';
}

static const char *self_exe(char *buf, size_t cap)
{
	ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
	if (n <= 0)
		return "flame";
	buf[n] = '\0';
	return buf;
}

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif

/* Explain a failed perf_event_open: the reason and the exact fix. */
static int explain(struct flame_sampler *s, int e, pid_t tid, int kernel_wanted,
		   struct flame_error *err)
{
	long paranoid = 99;
	int have_paranoid = flame_read_long("/proc/sys/kernel/perf_event_paranoid", &paranoid) == 0;
	int privileged = geteuid() == 0 || has_cap(CAP_PERFMON) || has_cap(CAP_SYS_ADMIN);
	char exe[512];
	const char *ev = s->ev->name;

	switch (e) {
	case EACCES:
	case EPERM:
		if (flame_sampler_seccomp_filtered() && (privileged || (have_paranoid && paranoid <= 1)))
			return flame_error_set(
				err, FLAME_ERR_IO, NULL, 0,
				"perf_event_open denied (%s): a seccomp filter blocks it (\"Seccomp: 2\" in "
				"/proc/self/status; container runtimes install one by default); fix: run the "
				"container with --security-opt seccomp=unconfined (docker/podman), or a seccomp "
				"profile that allows perf_event_open, plus --cap-add PERFMON",
				strerror(e));
		if (privileged)
			return flame_error_set(
				err, FLAME_ERR_IO, NULL, 0,
				"perf_event_open denied (%s) although flame runs with the needed privilege: "
				"a security module (SELinux, AppArmor, kernel lockdown) or a seccomp filter "
				"forbids it; check 'dmesg' and the audit log",
				strerror(e));
		if (have_paranoid && paranoid >= 3)
			return flame_error_set(
				err, FLAME_ERR_IO, NULL, 0,
				"perf_event_open denied: kernel.perf_event_paranoid is %ld, which forbids "
				"profiling to users without CAP_PERFMON; fix (one of):\n"
				"    sudo sysctl kernel.perf_event_paranoid=2      # user-space stacks only\n"
				"    sudo sysctl kernel.perf_event_paranoid=1      # kernel stacks too\n"
				"    sudo setcap cap_perfmon,cap_sys_ptrace,cap_syslog=ep %s\n"
				"    or run flame as root",
				paranoid, self_exe(exe, sizeof(exe)));
		if (kernel_wanted && have_paranoid && paranoid >= 2)
			return flame_error_set(
				err, FLAME_ERR_IO, NULL, 0,
				"perf_event_open denied for kernel samples: kernel.perf_event_paranoid is %ld, "
				"which allows user-space samples only; fix (one of):\n"
				"    flame record --user-only ...\n"
				"    sudo sysctl kernel.perf_event_paranoid=1\n"
				"    sudo setcap cap_perfmon,cap_sys_ptrace,cap_syslog=ep %s\n"
				"    or run flame as root",
				paranoid, self_exe(exe, sizeof(exe)));
		if (tid > 0)
			return flame_error_set(
				err, FLAME_ERR_IO, NULL, 0,
				"perf_event_open denied for thread %d (%s): profiling another user's process "
				"needs the right to ptrace it; fix: run flame as that user or as root, or "
				"sudo setcap cap_perfmon,cap_sys_ptrace=ep %s",
				(int)tid, strerror(e), self_exe(exe, sizeof(exe)));
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "perf_event_open denied: %s",
				       strerror(e));
	case ENOSYS:
		return flame_error_set(
			err, FLAME_ERR_IO, NULL, 0,
			"perf_event_open is not available: the kernel was built without "
			"CONFIG_PERF_EVENTS, or a seccomp filter hides the system call (containers: "
			"--security-opt seccomp=unconfined)");
	case EMFILE:
	case ENFILE:
		return flame_error_set(
			err, FLAME_ERR_IO, NULL, 0,
			"perf_event_open: too many open files (%zu events open: one per thread and CPU); "
			"fix: raise the limit with 'ulimit -n' (hard limit: /etc/security/limits.conf)",
			s->nfds);
	case EINVAL: {
		long maxrate = 0;
		if (flame_read_long("/proc/sys/kernel/perf_event_max_sample_rate", &maxrate) == 0 &&
		    (long long)(s->cfg.freq ? s->cfg.freq : 997) > (long long)maxrate)
			return flame_error_set(
				err, FLAME_ERR_USAGE, NULL, 0,
				"-F %llu is above kernel.perf_event_max_sample_rate (%ld); choose a lower "
				"frequency or raise the limit: sudo sysctl kernel.perf_event_max_sample_rate=%llu",
				(unsigned long long)s->cfg.freq, maxrate, (unsigned long long)s->cfg.freq);
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
				       "perf_event_open rejected event '%s': %s", ev, strerror(e));
	}
	default:
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "perf_event_open for event '%s': %s",
				       ev, strerror(e));
	}
}

static void note(struct flame_sampler *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void note(struct flame_sampler *s, const char *fmt, ...)
{
	size_t o = strlen(s->notes);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->notes + o, sizeof(s->notes) - o, fmt, ap);
	va_end(ap);
}

static int map_ring(struct flame_sampler *s, struct ring *r, int fd, struct flame_error *err)
{
	long pg = sysconf(_SC_PAGESIZE);
	for (unsigned pages = s->pages;; pages /= 2) {
		size_t len = (size_t)pg * (pages + 1);
		void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m != MAP_FAILED) {
			r->meta = m;
			r->size = (uint64_t)pages * (uint64_t)pg;
			r->data = (unsigned char *)m + (r->meta->data_offset ? r->meta->data_offset : (uint64_t)pg);
			r->fd = fd;
			if (pages != s->pages) {
				note(s, "ring buffers shrunk to %u pages per CPU (locked memory limit)\n", pages);
				s->pages = pages;
			}
			return 0;
		}
		int e = errno;
		if ((e != EPERM && e != ENOMEM) || pages / 2 < MIN_PAGES)
			return flame_error_set(
				err, FLAME_ERR_IO, NULL, 0,
				"cannot map a %u-page ring buffer: %s; fix: raise kernel.perf_event_mlock_kb "
				"(sudo sysctl kernel.perf_event_mlock_kb=2048) or 'ulimit -l'",
				pages, strerror(e));
	}
}

static int is_unsupported(int e)
{
	return e == ENOENT || e == EOPNOTSUPP || e == ENODEV || e == ENXIO;
}

static long open_attr(struct flame_sampler *s, int exclude_kernel, pid_t tid, int cpu,
		      int enable_on_exec)
{
	build_attr(s, &s->attr, exclude_kernel);
	s->attr.enable_on_exec = enable_on_exec ? 1 : 0;
	return perf_open(&s->attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Open one event: fd, or -1 with *e set and *kernel_wanted telling whether
 * the failed attempt asked for kernel samples.  The first successful call
 * settles the attr, after the fallbacks sampler.h describes. */
static int open_one(struct flame_sampler *s, pid_t tid, int cpu, int enable_on_exec, int *e,
		    int *kernel_wanted)
{
	if (s->settled) {
		s->attr.enable_on_exec = enable_on_exec ? 1 : 0;
		long fd = perf_open(&s->attr, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		*e = errno;
		*kernel_wanted = !s->attr.exclude_kernel;
		return fd < 0 ? -1 : (int)fd;
	}
	long maxrate;
	if (flame_read_long("/proc/sys/kernel/perf_event_max_sample_rate", &maxrate) == 0 &&
	    maxrate > 0 && s->cfg.freq > (uint64_t)maxrate) {
		/* the kernel would throttle a fixed period silently: say it now */
		*e = EINVAL;
		*kernel_wanted = 0;
		return -1;
	}
	for (;;) {
		long fd = open_attr(s, 0, tid, cpu, enable_on_exec);
		*e = errno;
		*kernel_wanted = !s->attr.exclude_kernel;
		if (fd < 0 && s->ev->type == PERF_TYPE_HARDWARE && is_unsupported(*e)) {
			note(s, "event '%s' is not supported here (no hardware counters, as in most "
				"virtual machines); sampling cpu-clock instead\n", s->ev->name);
			s->ev = &events[0];
			continue;
		}
		if (fd < 0 && (*e == EACCES || *e == EPERM) && s->cfg.scope == FLAME_SCOPE_AUTO) {
			fd = open_attr(s, 1, tid, cpu, enable_on_exec);
			if (fd < 0) {
				*e = errno;
				*kernel_wanted = 0;
				return -1;
			}
			long paranoid = 0;
			char p[32] = "?";
			if (flame_read_long("/proc/sys/kernel/perf_event_paranoid", &paranoid) == 0)
				snprintf(p, sizeof(p), "%ld", paranoid);
			note(s, "kernel stacks not sampled: kernel.perf_event_paranoid is %s; to include them "
				"run as root or 'sudo sysctl kernel.perf_event_paranoid=1'\n", p);
		}
		if (fd < 0)
			return -1;
		s->settled = 1;
		return (int)fd;
	}
}

/* Keep fd; it owns CPU r's ring buffer when it is the first, else writes
 * into that buffer. */
static int add_fd(struct flame_sampler *s, struct ring *r, int fd, struct flame_error *err)
{
	FLAME_GROW(s->fds, s->fds_cap, s->nfds + 1);
	s->fds[s->nfds++] = fd;
	if (r->fd < 0)
		return map_ring(s, r, fd, err);
	if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, r->fd) < 0)
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
				       "cannot share the ring buffer of CPU %d: %s", r->cpu, strerror(errno));
	return 0;
}

/* ---- off-CPU: the sched:sched_switch tracepoint ---- */

/* The tracepoint's attr: the CPU event's sample fields (one layout for
 * both), its own type and period, switch records, and the side-band
 * records only when it is the sole event.  It is opened before the CPU
 * event on each CPU: when kernel events are denied, the tracepoint (which
 * fires only in the kernel) fails with its own explanation before the CPU
 * event could quietly fall back to user-only stacks. */
static int open_offcpu(struct flame_sampler *s, pid_t tid, int cpu, int enable_on_exec, int *e)
{
	struct perf_event_attr *a = &s->oattr;
	if (!s->osettled) {
		struct flame_perf_layout keep = s->layout;
		build_attr(s, a, 0);
		if (s->cfg.offcpu == FLAME_OFFCPU_ALSO)
			s->layout = keep; /* the CPU event settles it (same sample fields) */
		a->type = PERF_TYPE_TRACEPOINT;
		a->config = s->cfg.offcpu_tracepoint;
		a->freq = 0;
		a->sample_period = 1;
		/* the tracepoint fires in kernel mode: excluding the kernel would
		 * silence it; --user-only drops the kernel part of its stacks */
		a->exclude_kernel = 0;
		a->exclude_callchain_kernel = s->cfg.scope == FLAME_SCOPE_USER;
		a->exclude_user = s->cfg.scope == FLAME_SCOPE_KERNEL;
		a->context_switch = 1;
		if (s->cfg.offcpu == FLAME_OFFCPU_ALSO)
			a->mmap = a->mmap2 = a->comm = a->comm_exec = a->task = 0;
		s->osettled = 1;
	}
	a->enable_on_exec = enable_on_exec ? 1 : 0;
	long fd = perf_open(a, tid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	*e = errno;
	return fd < 0 ? -1 : (int)fd;
}

static int explain_offcpu(struct flame_sampler *s, int e, pid_t tid, struct flame_error *err)
{
	long paranoid = 99;
	int have_paranoid = flame_read_long("/proc/sys/kernel/perf_event_paranoid", &paranoid) == 0;
	int privileged = geteuid() == 0 || has_cap(CAP_PERFMON) || has_cap(CAP_SYS_ADMIN);
	if ((e == EACCES || e == EPERM) && !privileged && have_paranoid && paranoid == 2 &&
	    !flame_sampler_seccomp_filtered())
		return flame_error_set(
			err, FLAME_ERR_IO, NULL, 0,
			"perf_event_open denied for off-CPU sampling: the sched:sched_switch tracepoint "
			"fires in the kernel, and kernel.perf_event_paranoid is %ld, which allows "
			"user-space events only; fix (one of):\n"
			"    sudo sysctl kernel.perf_event_paranoid=1\n"
			"    or run flame as root",
			paranoid);
	if (is_unsupported(e) || e == EINVAL)
		return flame_error_set(
			err, FLAME_ERR_IO, NULL, 0,
			"perf_event_open cannot sample the tracepoint sched:sched_switch (id %llu in "
			"tracefs): %s; off-CPU sampling needs a kernel with CONFIG_PERF_EVENTS and "
			"CONFIG_EVENT_TRACING",
			(unsigned long long)s->cfg.offcpu_tracepoint, strerror(e));
	return explain(s, e, tid, 1, err);
}

/* Which event wrote rec: FLAME_SAMPLER_EVENT_*. */
static unsigned event_of(const struct flame_sampler *s, const struct flame_sample_rec *rec)
{
	if (s->cfg.offcpu == FLAME_OFFCPU_NONE)
		return FLAME_SAMPLER_EVENT_CPU;
	if (s->cfg.offcpu == FLAME_OFFCPU_ONLY)
		return FLAME_SAMPLER_EVENT_OFFCPU;
	size_t lo = 0, hi = s->noids; /* inherited events report their parent's id */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->oids[mid] == rec->id)
			return FLAME_SAMPLER_EVENT_OFFCPU;
		if (s->oids[mid] < rec->id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return FLAME_SAMPLER_EVENT_CPU;
}

int flame_sampler_open(struct flame_sampler *s, pid_t tid, int enable_on_exec, int *gone,
		       struct flame_error *err)
{
	size_t first = s->nfds;
	if (gone)
		*gone = 0;
	for (size_t i = 0; i < s->ncpus; i++) {
		int e = 0, kernel_wanted = 0;
		if (s->cfg.offcpu != FLAME_OFFCPU_NONE) {
			int ofd = open_offcpu(s, tid, s->cpus[i], enable_on_exec, &e);
			if (ofd < 0) {
				if (e == ESRCH && gone) {
					*gone = 1;
					break;
				}
				return explain_offcpu(s, e, tid, err);
			}
			if (add_fd(s, &s->rings[i], ofd, err) < 0)
				return -1;
			uint64_t id = 0;
			if (s->cfg.offcpu == FLAME_OFFCPU_ALSO && ioctl(ofd, PERF_EVENT_IOC_ID, &id) == 0) {
				FLAME_GROW(s->oids, s->oids_cap, s->noids + 1);
				s->oids[s->noids++] = id;
			}
			if (s->cfg.offcpu == FLAME_OFFCPU_ONLY)
				continue;
		}
		int fd = open_one(s, tid, s->cpus[i], enable_on_exec, &e, &kernel_wanted);
		if (fd < 0) {
			if (e == ESRCH && gone) {
				*gone = 1;
				break;
			}
			return explain(s, e, tid, kernel_wanted, err);
		}
		if (add_fd(s, &s->rings[i], fd, err) < 0)
			return -1;
	}
	if (gone && *gone) {
		/* The thread exited while we opened its events: close them, but
		 * keep any that own a ring buffer (others may share it later). */
		size_t keep = first;
		for (size_t i = first; i < s->nfds; i++) {
			int owner = 0;
			for (size_t c = 0; c < s->ncpus; c++)
				owner |= s->rings[c].fd == s->fds[i];
			if (owner)
				s->fds[keep++] = s->fds[i];
			else
				close(s->fds[i]);
		}
		s->nfds = keep;
	}
	return 0;
}

int flame_sampler_enable(struct flame_sampler *s, struct flame_error *err)
{
	for (size_t i = 0; i < s->nfds; i++)
		if (ioctl(s->fds[i], PERF_EVENT_IOC_ENABLE, 0) < 0)
			return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "cannot enable sampling: %s",
					       strerror(errno));
	return 0;
}

void flame_sampler_disable(struct flame_sampler *s)
{
	for (size_t i = 0; i < s->nfds; i++)
		ioctl(s->fds[i], PERF_EVENT_IOC_DISABLE, 0);
}

const char *flame_sampler_notes(const struct flame_sampler *s)
{
	return s->notes;
}

const char *flame_sampler_event(const struct flame_sampler *s)
{
	return s->ev->name;
}

int flame_sampler_has_kernel(const struct flame_sampler *s)
{
	if (s->cfg.offcpu == FLAME_OFFCPU_ONLY)
		return s->osettled && !s->oattr.exclude_callchain_kernel;
	return s->settled && !s->attr.exclude_kernel;
}

int flame_sampler_has_user(const struct flame_sampler *s)
{
	if (s->cfg.offcpu == FLAME_OFFCPU_ONLY)
		return !s->osettled || !s->oattr.exclude_user;
	return !s->settled || !s->attr.exclude_user;
}

size_t flame_sampler_pollfds(const struct flame_sampler *s, int *fds, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < s->ncpus && n < max; i++)
		if (s->rings[i].fd >= 0)
			fds[n++] = s->rings[i].fd;
	return n;
}

size_t flame_sampler_queued(const struct flame_sampler *s)
{
	return s->nq;
}

/* ---- reading and ordering ---- */

static void queue_add(struct flame_sampler *s, const unsigned char *a, size_t na,
		      const unsigned char *b, size_t nb)
{
	size_t len = na + nb;
	flame_grow((void **)&s->arena, &s->arena_cap, s->arena_len + len, 1);
	memcpy(s->arena + s->arena_len, a, na);
	if (nb)
		memcpy(s->arena + s->arena_len + na, b, nb);
	FLAME_GROW(s->q, s->q_cap, s->nq + 1);
	s->q[s->nq++] = (struct qent){ flame_perf_time(&s->layout, s->arena + s->arena_len, len), s->seq++,
				       (uint32_t)s->arena_len, (uint32_t)len };
	s->arena_len += len;
}

static size_t read_ring(struct flame_sampler *s, struct ring *r)
{
	if (!r->meta)
		return 0;
	uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->meta->data_tail;
	uint64_t mask = r->size - 1;
	size_t n = 0;
	while (tail < head) {
		uint64_t off = tail & mask;
		struct perf_event_header h;
		if (off + sizeof(h) <= r->size) {
			memcpy(&h, r->data + off, sizeof(h));
		} else {
			size_t k = (size_t)(r->size - off);
			memcpy(&h, r->data + off, k);
			memcpy((char *)&h + k, r->data, sizeof(h) - k);
		}
		if (h.size < sizeof(h) || tail + h.size > head)
			break; /* corrupt or incomplete: drop the rest */
		if (off + h.size <= r->size) {
			queue_add(s, r->data + off, h.size, NULL, 0);
		} else {
			size_t k = (size_t)(r->size - off);
			queue_add(s, r->data + off, k, r->data, h.size - k);
		}
		tail += h.size;
		n++;
	}
	__atomic_store_n(&r->meta->data_tail, head, __ATOMIC_RELEASE);
	return n;
}

static int qent_cmp(const void *a, const void *b)
{
	const struct qent *x = a, *y = b;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort the queue by (time, seq).  It is a few sorted runs (what the last
 * drain kept, then each buffer's records as written), so sorting is
 * merging runs: linear for the usual handful, never worse than a merge
 * sort.  At high record rates (off-CPU sampling of switch-heavy programs)
 * a plain qsort was most of flame's time. */
static size_t run_end(const struct qent *a, size_t i, size_t n)
{
	size_t j = i + 1;
	while (j < n && qent_cmp(&a[j - 1], &a[j]) <= 0)
		j++;
	return j;
}

static void queue_sort(struct flame_sampler *s)
{
	size_t n = s->nq;
	FLAME_GROW(s->qtmp, s->qtmp_cap, n);
	struct qent *a = s->q, *b = s->qtmp;
	for (;;) {
		size_t runs = 0, i = 0;
		while (i < n) {
			/* two runs [i, m) and [m, e) merge into b[i, e) */
			size_t m = run_end(a, i, n);
			size_t e = m < n ? run_end(a, m, n) : m;
			size_t x = i, y = m, o = i;
			while (x < m && y < e)
				b[o++] = qent_cmp(&a[y], &a[x]) < 0 ? a[y++] : a[x++];
			while (x < m)
				b[o++] = a[x++];
			while (y < e)
				b[o++] = a[y++];
			runs++;
			i = e;
		}
		struct qent *t = a;
		a = b;
		b = t;
		if (runs <= 1)
			break;
	}
	if (a != s->q) {
		/* the sorted queue ended in the other buffer: swap them */
		size_t cap = s->q_cap;
		s->qtmp = s->q;
		s->q = a;
		s->q_cap = s->qtmp_cap;
		s->qtmp_cap = cap;
	}
}

static void deliver(struct flame_sampler *s, const unsigned char *r, size_t len,
		    flame_sampler_cb cb, void *ctx)
{
	struct flame_sample_rec rec;
	if (flame_perf_decode(&s->layout, r, len, &rec) == 1) {
		rec.event = event_of(s, &rec);
		cb(ctx, &rec);
	}
}

size_t flame_sampler_drain(struct flame_sampler *s, int final, flame_sampler_cb cb, void *ctx)
{
	uint64_t start = mono_ns();
	size_t n = 0;
	for (size_t i = 0; i < s->ncpus; i++)
		n += read_ring(s, &s->rings[i]);
	/* Records up to the start of the previous drain are complete in every
	 * buffer: anything written before that moment was read by now. */
	uint64_t limit = final ? UINT64_MAX : s->prev_drain_start;
	s->prev_drain_start = start;
	if (!s->nq)
		return n;
	queue_sort(s);
	size_t k = 0;
	while (k < s->nq && s->q[k].time <= limit) {
		deliver(s, s->arena + s->q[k].off, s->q[k].len, cb, ctx);
		k++;
	}
	if (k == s->nq) {
		s->nq = 0;
		s->arena_len = 0;
		return n;
	}
	if (k > 0) {
		/* keep the rest, compacted */
		unsigned char *na = flame_xmalloc(s->arena_cap);
		size_t o = 0;
		for (size_t i = k; i < s->nq; i++) {
			memcpy(na + o, s->arena + s->q[i].off, s->q[i].len);
			s->q[i - k] = s->q[i];
			s->q[i - k].off = (uint32_t)o;
			o += s->q[i].len;
		}
		free(s->arena);
		s->arena = na;
		s->arena_len = o;
		s->nq -= k;
	}
	return n;
}
