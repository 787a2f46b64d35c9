/*
 * preload.c - libflame-preload.so: an in-process sampler for `flame record
 * --sampler=preload`, for machines where perf_event_open is denied.
 *
 * Loaded with LD_PRELOAD; inert unless FLAME_PRELOAD_OUT names a directory.
 * Each thread gets a POSIX timer on its own CPU clock
 * (CLOCK_THREAD_CPUTIME_ID, SIGEV_THREAD_ID) that sends SIGPROF every
 * 1/FREQ s of the thread's CPU time; threads started later are covered by
 * interposing pthread_create.  The SIGPROF handler walks the frame-pointer
 * chain of the interrupted context (every frame inside the thread's stack,
 * above the interrupted stack pointer, strictly increasing: a bad frame
 * ends the walk, it never faults) straight into a preallocated ring buffer
 * shared by all threads (lock-free reservation, no malloc; a full buffer
 * counts drops).  A writer thread empties the buffer into the stream file
 * (stream.h) every 50 ms, with the names of the threads that were sampled
 * and the executable mappings (re-read when the loader's count of loaded
 * objects changes); the last flush runs at exit and before exec.
 *
 * fork: the child starts a new stream, buffer, writer and timer
 * (pthread_atfork).  exec: timers are disarmed, the stream finished and
 * pending SIGPROFs discarded before the real exec; if exec fails, sampling
 * resumes.
 *
 * SIGPROF: the program keeps its own handler.  sigaction() and signal()
 * for SIGPROF are interposed: the program's handler is remembered and
 * called for every SIGPROF that is not one of flame's timer signals
 * (setitimer(ITIMER_PROF) keeps working).  A handler installed with a raw
 * system call (the Go runtime does this) replaces flame's: the writer
 * notices, stops flame's timers and marks the stream.
 *
 * Plain libc, pthread and rt; nothing else of flame is linked in.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "stream.h"

#define EXPORT __attribute__((visibility("default")))
#define RING_SIZE (4u << 20)      /* bytes, a power of two */
#define FLUSH_NS 50000000L        /* writer period */
#define MAPS_EVERY 20             /* flushes between unconditional maps checks */
#define SLOTS_PER_CHUNK 256
#define MAX_CHUNKS 256            /* 65536 threads alive at once, at most */
#define MAX_DEPTH 512             /* frames per sample: 4 KiB of the signal's stack */
#define SLOT_MAGIC 0x666c616d65707265ULL

enum { SLOT_FREE, SLOT_LIVE, SLOT_DEAD };

/* One thread.  The handler reads only magic, lo, hi (set before the timer
 * exists) and sets sampled. */
struct slot {
	uint64_t magic;
	uintptr_t lo, hi;         /* the thread's stack */
	pid_t tid;
	_Atomic int state;
	_Atomic int sampled;      /* samples since the writer last named it */
	timer_t timer;
	int has_timer;
	char comm[16];            /* name at exit (SLOT_DEAD) */
	char sent[16];            /* name last written to the stream */
	struct slot *next;        /* all slots, in chunks that are never freed */
};

struct map {
	uint64_t start, end, pgoff, ino;
	uint32_t maj, min;
	char *name;
};

static struct {
	int on;                   /* configured and started in this process */
	_Atomic int active;       /* the handler records samples */
	pid_t pid;
	uint64_t period;          /* ns */
	unsigned depth;
	char dir[4096];
	char path[4200];          /* this image's stream; "" when none */
	unsigned char *ring;
	_Atomic uint64_t head, tail;
	_Atomic uint64_t dropped;
	uint64_t dropped_sent;
	struct slot *slots;
	struct slot *chunks[MAX_CHUNKS]; /* the slot arrays, for the handler to check pointers */
	_Atomic unsigned nchunks;
	pthread_mutex_t slot_lock;
	pthread_mutex_t flush_lock;
	pthread_key_t key;
	pthread_t writer;
	int writer_started;
	struct map *maps;
	size_t nmaps;
	unsigned long long dl_adds, dl_subs;
	unsigned flushes;
	int replaced;             /* the program replaced the handler behind our back */
	struct sigaction prog;    /* the program's SIGPROF action */
	unsigned char out[65536]; /* write buffer */
	size_t nout;
} g = { .slot_lock = PTHREAD_MUTEX_INITIALIZER,
	.flush_lock = PTHREAD_MUTEX_INITIALIZER };

static __thread struct slot *my_slot __attribute__((tls_model("initial-exec")));

static int (*real_pthread_create)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
static int (*real_sigaction)(int, const struct sigaction *, struct sigaction *);
static sighandler_t (*real_signal)(int, sighandler_t);
static int (*real_execve)(const char *, char *const[], char *const[]);
static int (*real_execv)(const char *, char *const[]);
static int (*real_execvp)(const char *, char *const[]);
static int (*real_execvpe)(const char *, char *const[], char *const[]);

static void resolve(void)
{
	if (!real_pthread_create)
		real_pthread_create = dlsym(RTLD_NEXT, "pthread_create");
	if (!real_sigaction)
		real_sigaction = dlsym(RTLD_NEXT, "sigaction");
	if (!real_signal)
		real_signal = dlsym(RTLD_NEXT, "signal");
	if (!real_execve)
		real_execve = dlsym(RTLD_NEXT, "execve");
	if (!real_execv)
		real_execv = dlsym(RTLD_NEXT, "execv");
	if (!real_execvp)
		real_execvp = dlsym(RTLD_NEXT, "execvp");
	if (!real_execvpe)
		real_execvpe = dlsym(RTLD_NEXT, "execvpe");
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* ---- the signal handler ---- */

/* Frames of the interrupted context: ip, then return addresses found by
 * following saved frame pointers, at most max. */
static unsigned walk(const struct slot *s, uint64_t ip, uintptr_t fp, uintptr_t sp, uint64_t *out,
		     unsigned max)
{
	unsigned n = 1;
	if (max == 0)
		return 0;
	out[0] = ip;
	/* Off the thread's stack (a coroutine, an alternate signal stack), the
	 * memory below it may not be mapped at all (the main thread's stack
	 * grows on demand): the leaf only.  On it, [sp, hi) is mapped. */
	if (sp < s->lo || sp >= s->hi)
		return 1;
	uintptr_t lo = sp;
	while (n < max) {
		if (fp < lo || fp > s->hi - 16 || (fp & 7))
			break;
		uintptr_t next = ((const uintptr_t *)fp)[0];
		uint64_t ret = ((const uint64_t *)fp)[1];
		if (ret == 0)
			break;
		out[n++] = ret;
		if (next <= fp)
			break;
		fp = next;
	}
	return n;
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Reserve size bytes of the ring; the position, or UINT64_MAX when full. */
static uint64_t ring_reserve(uint32_t size)
{
	uint64_t h = atomic_load_explicit(&g.head, memory_order_relaxed);
	for (;;) {
		uint64_t t = atomic_load_explicit(&g.tail, memory_order_acquire);
		if (h + size - t > RING_SIZE)
			return UINT64_MAX;
		if (atomic_compare_exchange_weak_explicit(&g.head, &h, h + size, memory_order_acq_rel,
							  memory_order_relaxed))
			return h;
	}
}

static void ring_write(uint64_t pos, const void *src, size_t n)
{
	size_t off = (size_t)(pos & (RING_SIZE - 1));
	size_t first = RING_SIZE - off < n ? RING_SIZE - off : n;
	memcpy(g.ring + off, src, first);
	if (first < n)
		memcpy(g.ring, (const unsigned char *)src + first, n - first);
}

static void call_program_handler(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *p = &g.prog;
	if (p->sa_flags & SA_SIGINFO) {
		if (p->sa_sigaction)
			p->sa_sigaction(sig, si, uc);
		return;
	}
	if (p->sa_handler == SIG_IGN)
		return;
	if (p->sa_handler == SIG_DFL) {
		/* the default action of SIGPROF ends the process: let it */
		struct sigaction d;
		memset(&d, 0, sizeof(d));
		d.sa_handler = SIG_DFL;
		real_sigaction(SIGPROF, &d, NULL);
		raise(SIGPROF);
		return;
	}
	p->sa_handler(sig);
}

/* Whether p is one of our slots: the program may have POSIX timers of its
 * own that send SIGPROF with any value, even a plain integer. */
static int is_slot(const void *p)
{
	unsigned n = atomic_load_explicit(&g.nchunks, memory_order_acquire);
	uintptr_t a = (uintptr_t)p;
	for (unsigned i = 0; i < n; i++) {
		uintptr_t base = (uintptr_t)g.chunks[i];
		if (a >= base && a < base + SLOTS_PER_CHUNK * sizeof(struct slot))
			return (a - base) % sizeof(struct slot) == 0;
	}
	return 0;
}

static void on_sigprof(int sig, siginfo_t *si, void *ucv)
{
	int saved = errno;
	struct slot *s = si && si->si_code == SI_TIMER ? si->si_value.sival_ptr : NULL;
	if (!s || !is_slot(s) || s->magic != SLOT_MAGIC) {
		call_program_handler(sig, si, ucv);
		errno = saved;
		return;
	}
	if (!atomic_load_explicit(&g.active, memory_order_acquire)) {
		errno = saved;
		return;
	}
	const ucontext_t *uc = ucv;
	uint64_t ip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
	uintptr_t fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
	uintptr_t sp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	uint64_t ips[MAX_DEPTH];
	unsigned n = walk(s, ip, fp, sp, ips, g.depth);
	uint32_t size = FLAME_PRE_SAMPLE_FIXED + 8u * n;
	uint64_t pos = ring_reserve(size);
	if (pos == UINT64_MAX) {
		atomic_fetch_add_explicit(&g.dropped, 1, memory_order_relaxed);
		errno = saved;
		return;
	}
	unsigned char hdr[FLAME_PRE_SAMPLE_FIXED];
	put32(hdr + 8, (uint32_t)s->tid);
	put32(hdr + 12, n);
	put64(hdr + 16, mono_ns());
	put64(hdr + 24, g.period * (1u + (uint64_t)(si->si_overrun > 0 ? si->si_overrun : 0)));
	ring_write(pos + 8, hdr + 8, sizeof(hdr) - 8);
	ring_write(pos + FLAME_PRE_SAMPLE_FIXED, ips, 8u * n);
	uint64_t word = (uint64_t)FLAME_PRE_SAMPLE | ((uint64_t)size << 32);
	atomic_store_explicit((_Atomic uint64_t *)(void *)(g.ring + (pos & (RING_SIZE - 1))), word,
			      memory_order_release);
	atomic_store_explicit(&s->sampled, 1, memory_order_relaxed);
	errno = saved;
}

/* ---- threads ---- */

static struct slot *slot_get(void)
{
	pthread_mutex_lock(&g.slot_lock);
	struct slot *s;
	for (s = g.slots; s; s = s->next)
		if (atomic_load(&s->state) == SLOT_FREE)
			break;
	unsigned nc = atomic_load(&g.nchunks);
	if (!s) {
		struct slot *c = nc < MAX_CHUNKS ? mmap(NULL, SLOTS_PER_CHUNK * sizeof(*c),
							PROT_READ | PROT_WRITE,
							MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
						 : MAP_FAILED;
		if (c == MAP_FAILED) {
			pthread_mutex_unlock(&g.slot_lock);
			return NULL;
		}
		for (int i = SLOTS_PER_CHUNK - 1; i >= 0; i--) {
			c[i].next = g.slots;
			g.slots = &c[i];
		}
		g.chunks[nc] = c;
		atomic_store_explicit(&g.nchunks, nc + 1, memory_order_release);
		s = g.slots;
	}
	s->magic = SLOT_MAGIC;
	s->tid = my_tid();
	s->has_timer = 0;
	s->sent[0] = s->comm[0] = '\0';
	atomic_store(&s->sampled, 0);
	atomic_store(&s->state, SLOT_LIVE);
	pthread_mutex_unlock(&g.slot_lock);
	return s;
}

static void stack_bounds(struct slot *s)
{
	pthread_attr_t a;
	void *addr;
	size_t size;
	s->lo = s->hi = 0;
	if (pthread_getattr_np(pthread_self(), &a) == 0) {
		if (pthread_attr_getstack(&a, &addr, &size) == 0) {
			s->lo = (uintptr_t)addr;
			s->hi = (uintptr_t)addr + size;
		}
		pthread_attr_destroy(&a);
	}
	if (s->hi < 16)
		s->lo = s->hi = 16; /* unknown: the walk stops at the leaf */
}

static int arm(struct slot *s, uint64_t ns)
{
	struct itimerspec it;
	it.it_interval.tv_sec = (time_t)(ns / 1000000000u);
	it.it_interval.tv_nsec = (long)(ns % 1000000000u);
	it.it_value = it.it_interval;
	return timer_settime(s->timer, 0, &it, NULL);
}

/* A timer on the calling thread's CPU clock that signals this thread. */
static void start_timer(struct slot *s)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGPROF;
	ev.sigev_value.sival_ptr = s;
	ev._sigev_un._tid = s->tid;
	if (timer_create(CLOCK_THREAD_CPUTIME_ID, &ev, &s->timer) != 0)
		return;
	s->has_timer = 1;
	arm(s, g.period);
}

static void register_thread(void)
{
	struct slot *s = slot_get();
	if (!s)
		return;
	stack_bounds(s);
	my_slot = s;
	pthread_setspecific(g.key, s);
	start_timer(s);
}

/* A thread ends (key destructor): no more signals for it, keep its name. */
static void thread_gone(void *p)
{
	struct slot *s = p;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	/* a signal still pending stays blocked and dies with the thread */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (s->has_timer)
		timer_delete(s->timer);
	s->has_timer = 0;
	prctl(PR_GET_NAME, s->comm, 0, 0, 0);
	my_slot = NULL;
	atomic_store(&s->state, SLOT_DEAD);
}

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *thread_start(void *p)
{
	struct start st = *(struct start *)p;
	free(p);
	if (g.on)
		register_thread();
	return st.fn(st.arg);
}

EXPORT int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	resolve();
	if (!g.on)
		return real_pthread_create(t, attr, fn, arg);
	struct start *st = malloc(sizeof(*st));
	if (!st)
		return real_pthread_create(t, attr, fn, arg);
	st->fn = fn;
	st->arg = arg;
	int rc = real_pthread_create(t, attr, thread_start, st);
	if (rc != 0)
		free(st);
	return rc;
}

/* ---- the stream ---- */

/* The stream is opened for each write, not kept open: programs that close
 * every descriptor they do not know (daemons, closefrom()) would close it,
 * or worse, reuse its number for a file of their own. */
static void out_flush(void)
{
	size_t o = 0;
	int fd = g.nout && g.path[0] ? open(g.path, O_WRONLY | O_APPEND | O_CLOEXEC) : -1;
	if (fd < 0) {
		g.nout = 0;
		return;
	}
	while (o < g.nout) {
		ssize_t n = write(fd, g.out + o, g.nout - o);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* disk full: the rest is lost; flame reports a short stream */
		o += (size_t)n;
	}
	close(fd);
	g.nout = 0;
}

static void out_add(const void *p, size_t n)
{
	if (!g.path[0])
		return;
	while (n) {
		if (g.nout == sizeof(g.out))
			out_flush();
		size_t k = sizeof(g.out) - g.nout < n ? sizeof(g.out) - g.nout : n;
		memcpy(g.out + g.nout, p, k);
		g.nout += k;
		p = (const unsigned char *)p + k;
		n -= k;
	}
}

static void out_zero(size_t n)
{
	static const unsigned char z[8];
	while (n) {
		size_t k = n < 8 ? n : 8;
		out_add(z, k);
		n -= k;
	}
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static void emit_comm(pid_t tid, const char *name, int exec)
{
	size_t len = strnlen(name, 15);
	unsigned char r[FLAME_PRE_COMM_FIXED];
	memset(r, 0, sizeof(r));
	put32(r, FLAME_PRE_COMM);
	put32(r + 4, (uint32_t)(FLAME_PRE_COMM_FIXED + pad8(len)));
	put32(r + 8, (uint32_t)tid);
	put32(r + 12, exec ? 1u : 0u);
	put64(r + 16, mono_ns());
	put32(r + 24, (uint32_t)len);
	out_add(r, sizeof(r));
	out_add(name, len);
	out_zero(pad8(len) - len);
}

static void emit_mmap(const struct map *m)
{
	size_t len = strlen(m->name);
	if (len > FLAME_PRE_MAX_NAME)
		len = FLAME_PRE_MAX_NAME;
	unsigned char r[FLAME_PRE_MMAP_FIXED];
	put32(r, FLAME_PRE_MMAP);
	put32(r + 4, (uint32_t)(FLAME_PRE_MMAP_FIXED + pad8(len)));
	put64(r + 8, m->start);
	put64(r + 16, m->end - m->start);
	put64(r + 24, m->pgoff);
	put64(r + 32, m->ino);
	put32(r + 40, m->maj);
	put32(r + 44, m->min);
	put32(r + 48, PROT_READ | PROT_EXEC);
	put32(r + 52, (uint32_t)len);
	out_add(r, sizeof(r));
	out_add(m->name, len);
	out_zero(pad8(len) - len);
}

static int read_file(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = 16384, n = 0;
	char *b = malloc(cap);
	for (;;) {
		if (!b) {
			close(fd);
			return -1;
		}
		if (n + 1 >= cap) {
			char *nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				close(fd);
				return -1;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t k = read(fd, b + n, cap - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int hexval(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int any = 0;
	for (;; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
		if (d < 0)
			break;
		x = x * 16 + (uint64_t)d;
		any = 1;
	}
	*p = s;
	*v = x;
	return any ? 0 : -1;
}

static int decval(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	int any = 0;
	for (; *s >= '0' && *s <= '9'; s++, any = 1)
		x = x * 10 + (uint64_t)(*s - '0');
	*p = s;
	*v = x;
	return any ? 0 : -1;
}

static int same_map(const struct map *a, const struct map *b)
{
	return a->start == b->start && a->end == b->end && a->pgoff == b->pgoff && a->ino == b->ino &&
	       a->maj == b->maj && a->min == b->min && strcmp(a->name, b->name) == 0;
}

static void free_maps(struct map *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].name);
	free(m);
}

/* /proc/self/maps: write the executable mappings not written before. */
static void sync_maps(void)
{
	char *buf;
	size_t len;
	if (read_file("/proc/self/maps", &buf, &len) < 0)
		return;
	struct map *nm = NULL;
	size_t n = 0, cap = 0;
	for (char *line = buf; line < buf + len;) {
		char *eol = memchr(line, '\n', (size_t)(buf + len - line));
		if (!eol)
			eol = buf + len;
		*eol = '\0';
		const char *p = line;
		struct map m;
		uint64_t maj, min;
		memset(&m, 0, sizeof(m));
		int ok = hexval(&p, &m.start) == 0 && *p++ == '-' && hexval(&p, &m.end) == 0 &&
			 *p++ == ' ';
		int exec = ok && strlen(p) > 4 && p[2] == 'x';
		if (ok) {
			p += 4;
			ok = *p++ == ' ' && hexval(&p, &m.pgoff) == 0 && *p++ == ' ' && hexval(&p, &maj) == 0 &&
			     *p++ == ':' && hexval(&p, &min) == 0 && *p++ == ' ' && decval(&p, &m.ino) == 0;
		}
		if (ok && exec) {
			while (*p == ' ')
				p++;
			m.maj = (uint32_t)maj;
			m.min = (uint32_t)min;
			m.name = strdup(*p ? p : "//anon");
			if (m.name) {
				if (n == cap) {
					cap = cap ? cap * 2 : 64;
					struct map *t = realloc(nm, cap * sizeof(*nm));
					if (!t) {
						free(m.name);
						break;
					}
					nm = t;
				}
				nm[n++] = m;
			}
		}
		line = eol + 1;
	}
	free(buf);
	for (size_t i = 0; i < n; i++) {
		int known = 0;
		for (size_t j = 0; j < g.nmaps && !known; j++)
			known = same_map(&nm[i], &g.maps[j]);
		if (!known)
			emit_mmap(&nm[i]);
	}
	free_maps(g.maps, g.nmaps);
	g.maps = nm;
	g.nmaps = n;
}

static int count_objects(struct dl_phdr_info *info, size_t size, void *data)
{
	unsigned long long *v = data;
	v[0] = info->dlpi_adds;
	v[1] = info->dlpi_subs;
	return 1;
}

/* Names of the threads sampled since the last flush, when they changed. */
static void sync_comms(void)
{
	pthread_mutex_lock(&g.slot_lock);
	for (struct slot *s = g.slots; s; s = s->next) {
		int st = atomic_load(&s->state);
		if (st == SLOT_FREE || !atomic_exchange(&s->sampled, 0)) {
			if (st == SLOT_DEAD)
				atomic_store(&s->state, SLOT_FREE);
			continue;
		}
		char name[17];
		memset(name, 0, sizeof(name));
		if (st == SLOT_DEAD) {
			memcpy(name, s->comm, 16);
		} else {
			char path[64], *b;
			size_t n;
			snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)s->tid);
			if (read_file(path, &b, &n) == 0) {
				size_t l = strcspn(b, "\n");
				memcpy(name, b, l < 16 ? l : 16);
				free(b);
			} else {
				memcpy(name, s->sent, 16);
			}
		}
		name[15] = '\0';
		if (strcmp(name, s->sent) != 0 || !s->sent[0]) {
			emit_comm(s->tid, name, 0);
			memcpy(s->sent, name, 16);
		}
		if (st == SLOT_DEAD)
			atomic_store(&s->state, SLOT_FREE);
	}
	pthread_mutex_unlock(&g.slot_lock);
}

/* Move what the handlers committed to the output. */
static void drain_ring(void)
{
	uint64_t t = atomic_load_explicit(&g.tail, memory_order_relaxed);
	uint64_t h = atomic_load_explicit(&g.head, memory_order_acquire);
	while (t < h) {
		_Atomic uint64_t *wp = (_Atomic uint64_t *)(void *)(g.ring + (t & (RING_SIZE - 1)));
		uint64_t word = atomic_load_explicit(wp, memory_order_acquire);
		if (word == 0)
			break; /* reserved, still being written */
		uint32_t size = (uint32_t)(word >> 32);
		size_t off = (size_t)(t & (RING_SIZE - 1));
		size_t first = RING_SIZE - off < size ? RING_SIZE - off : size;
		out_add(g.ring + off, first);
		if (first < size)
			out_add(g.ring, size - first);
		memset(g.ring + off, 0, first);
		if (first < size)
			memset(g.ring, 0, size - first);
		t += size;
		atomic_store_explicit(&g.tail, t, memory_order_release);
	}
}

static void emit_lost(void)
{
	uint64_t d = atomic_load(&g.dropped);
	if (d == g.dropped_sent)
		return;
	unsigned char r[FLAME_PRE_LOST_SIZE];
	put32(r, FLAME_PRE_LOST);
	put32(r + 4, FLAME_PRE_LOST_SIZE);
	put64(r + 8, d - g.dropped_sent);
	put64(r + 16, mono_ns());
	out_add(r, sizeof(r));
	g.dropped_sent = d;
}

static void emit_end(uint32_t reason)
{
	unsigned char r[FLAME_PRE_END_SIZE];
	put32(r, FLAME_PRE_END);
	put32(r + 4, FLAME_PRE_END_SIZE);
	put32(r + 8, reason);
	put32(r + 12, g.replaced ? 1u : 0u);
	put64(r + 16, mono_ns());
	out_add(r, sizeof(r));
}

static void set_timers(uint64_t ns)
{
	pthread_mutex_lock(&g.slot_lock);
	for (struct slot *s = g.slots; s; s = s->next)
		if (atomic_load(&s->state) == SLOT_LIVE && s->has_timer)
			arm(s, ns);
	pthread_mutex_unlock(&g.slot_lock);
}

/* Whether our handler is still the one installed (the real system call,
 * so an interposed sigaction of someone else cannot lie). */
static void check_handler(void)
{
	struct sigaction cur;
	if (g.replaced || real_sigaction(SIGPROF, NULL, &cur) != 0)
		return;
	if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigprof)
		return;
	g.replaced = 1;
	atomic_store(&g.active, 0);
	set_timers(0);
}

static void flush(int final)
{
	unsigned long long v[2] = { 0, 0 };
	dl_iterate_phdr(count_objects, v);
	if (final || g.flushes++ % MAPS_EVERY == 0 || v[0] != g.dl_adds || v[1] != g.dl_subs) {
		g.dl_adds = v[0];
		g.dl_subs = v[1];
		sync_maps();
	}
	check_handler();
	sync_comms();
	drain_ring();
	emit_lost();
	out_flush();
}

static void *writer_main(void *arg)
{
	struct timespec ts = { 0, FLUSH_NS };
	for (;;) {
		nanosleep(&ts, NULL);
		pthread_mutex_lock(&g.flush_lock);
		if (g.on)
			flush(0);
		pthread_mutex_unlock(&g.flush_lock);
	}
	return NULL;
}

static void start_writer(void)
{
	sigset_t all, old;
	sigfillset(&all);
	/* the writer takes none of the program's signals */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	g.writer_started = real_pthread_create(&g.writer, NULL, writer_main, NULL) == 0;
	if (g.writer_started)
		pthread_detach(g.writer);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The stream file of this process image: DIR/PID-START.fps. */
static int open_stream(void)
{
	uint64_t start = mono_ns();
	for (int attempt = 0; attempt < 100; attempt++) {
		char *path = g.path;
		char num[48];
		size_t o = strlen(g.dir);
		memcpy(path, g.dir, o);
		path[o++] = '/';
		/* "PID-START.fps" */
		uint64_t parts[2] = { (uint64_t)g.pid, start + (uint64_t)attempt };
		for (int p = 0; p < 2; p++) {
			int k = 0;
			uint64_t x = parts[p];
			do
				num[k++] = (char)('0' + x % 10);
			while ((x /= 10) && k < 40);
			while (k)
				path[o++] = num[--k];
			path[o++] = p == 0 ? '-' : '.';
		}
		memcpy(path + o, "fps", 4);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			unsigned char h[FLAME_PRE_HEADER_SIZE];
			memset(h, 0, sizeof(h));
			memcpy(h, FLAME_PRE_MAGIC, 8);
			put32(h + 8, FLAME_PRE_VERSION);
			put32(h + 12, FLAME_PRE_HEADER_SIZE);
			put32(h + 16, (uint32_t)g.pid);
			put32(h + 20, (uint32_t)getppid());
			put64(h + 24, g.period);
			put64(h + 32, start + (uint64_t)attempt);
			out_add(h, sizeof(h));
			/* a new image: the reader forgets older mappings of this pid */
			char *b;
			size_t n;
			char name[16] = "";
			if (read_file("/proc/self/comm", &b, &n) == 0) {
				size_t l = strcspn(b, "\n");
				memcpy(name, b, l < 15 ? l : 15);
				name[l < 15 ? l : 15] = '\0';
				free(b);
			}
			emit_comm(g.pid, name, 1);
			out_flush(); /* a process that ends with _exit still has a valid stream */
			return 0;
		}
		g.path[0] = '\0';
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static int new_ring(void)
{
	void *r = mmap(NULL, RING_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED)
		return -1;
	g.ring = r;
	atomic_store(&g.head, 0);
	atomic_store(&g.tail, 0);
	atomic_store(&g.dropped, 0);
	g.dropped_sent = 0;
	return 0;
}

static int install_handler(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigprof;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return real_sigaction(SIGPROF, &sa, NULL);
}

/* ---- fork and exec ---- */

static void before_fork(void)
{
	if (!g.on)
		return;
	pthread_mutex_lock(&g.flush_lock);
	pthread_mutex_lock(&g.slot_lock);
}

static void after_fork_parent(void)
{
	if (!g.on)
		return;
	pthread_mutex_unlock(&g.slot_lock);
	pthread_mutex_unlock(&g.flush_lock);
}

/* The child: only this thread exists; a stream, buffer, writer and timer of
 * its own.  Samples the parent took before the fork stay the parent's. */
static void after_fork_child(void)
{
	if (!g.on)
		return;
	pthread_mutex_init(&g.slot_lock, NULL);
	pthread_mutex_init(&g.flush_lock, NULL);
	atomic_store(&g.active, 0);
	g.pid = getpid();
	g.path[0] = '\0';
	g.nout = 0;
	munmap(g.ring, RING_SIZE);
	g.ring = NULL;
	free_maps(g.maps, g.nmaps);
	g.maps = NULL;
	g.nmaps = 0;
	g.flushes = 0;
	g.writer_started = 0;
	for (struct slot *s = g.slots; s; s = s->next)
		if (s != my_slot)
			atomic_store(&s->state, SLOT_FREE);
	if (new_ring() < 0 || open_stream() < 0) {
		g.on = 0;
		return;
	}
	atomic_store(&g.active, 1);
	start_writer();
	if (my_slot) {
		my_slot->tid = my_tid();
		my_slot->has_timer = 0;
		my_slot->sent[0] = '\0';
		start_timer(my_slot);
	} else {
		register_thread();
	}
}

/* Before exec: stop sampling, finish the stream, drop pending SIGPROFs (the
 * new image would die of one before its own handler exists).  1 when
 * sampling must resume if exec fails. */
static int before_exec(void)
{
	if (!g.on || getpid() != g.pid)
		return 0; /* a vfork child shares our memory: touch nothing */
	set_timers(0);
	pthread_mutex_lock(&g.flush_lock);
	atomic_store(&g.active, 0);
	flush(1);
	emit_end(1);
	out_flush();
	struct sigaction ign;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	real_sigaction(SIGPROF, &ign, NULL);
	real_sigaction(SIGPROF, &g.prog, NULL);
	return 1;
}

static void after_failed_exec(int resume)
{
	if (!resume)
		return;
	int e = errno;
	/* the stream goes on in the same file, after its END record: a reader
	 * takes END as informative, not as the end of the data */
	install_handler();
	atomic_store(&g.active, 1);
	pthread_mutex_unlock(&g.flush_lock);
	set_timers(g.period);
	errno = e;
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	resolve();
	int resume = before_exec();
	int rc = real_execve(path, argv, envp);
	after_failed_exec(resume);
	return rc;
}

EXPORT int execv(const char *path, char *const argv[])
{
	resolve();
	int resume = before_exec();
	int rc = real_execv(path, argv);
	after_failed_exec(resume);
	return rc;
}

EXPORT int execvp(const char *file, char *const argv[])
{
	resolve();
	int resume = before_exec();
	int rc = real_execvp(file, argv);
	after_failed_exec(resume);
	return rc;
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	resolve();
	int resume = before_exec();
	int rc = real_execvpe(file, argv, envp);
	after_failed_exec(resume);
	return rc;
}

/* execl, execlp, execle: their arguments as an array, then the above. */
#define MAX_ARGS 4096
static int collect_args(const char *arg0, va_list ap, char **argv, char ***envp)
{
	int n = 0;
	argv[n++] = (char *)arg0;
	while (argv[n - 1]) {
		if (n == MAX_ARGS) {
			errno = E2BIG;
			return -1;
		}
		argv[n++] = va_arg(ap, char *);
	}
	if (envp)
		*envp = va_arg(ap, char **);
	return 0;
}

EXPORT int execl(const char *path, const char *arg, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;
	va_start(ap, arg);
	int rc = collect_args(arg, ap, argv, NULL);
	va_end(ap);
	return rc < 0 ? -1 : execv(path, argv);
}

EXPORT int execlp(const char *file, const char *arg, ...)
{
	char *argv[MAX_ARGS];
	va_list ap;
	va_start(ap, arg);
	int rc = collect_args(arg, ap, argv, NULL);
	va_end(ap);
	return rc < 0 ? -1 : execvp(file, argv);
}

EXPORT int execle(const char *path, const char *arg, ...)
{
	char *argv[MAX_ARGS];
	char **envp = NULL;
	va_list ap;
	va_start(ap, arg);
	int rc = collect_args(arg, ap, argv, &envp);
	va_end(ap);
	return rc < 0 ? -1 : execve(path, argv, envp);
}

/* ---- the program's own SIGPROF handler ---- */

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	resolve();
	if (sig != SIGPROF || !g.on || g.replaced)
		return real_sigaction(sig, act, old);
	sigset_t set, prev;
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &set, &prev);
	if (old)
		*old = g.prog;
	if (act)
		g.prog = *act;
	pthread_sigmask(SIG_SETMASK, &prev, NULL);
	return 0;
}

EXPORT sighandler_t signal(int sig, sighandler_t h)
{
	resolve();
	if (sig != SIGPROF || !g.on || g.replaced)
		return real_signal(sig, h);
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &old) != 0)
		return SIG_ERR;
	return (old.sa_flags & SA_SIGINFO) ? (sighandler_t)(void *)old.sa_sigaction : old.sa_handler;
}

/* ---- start and end ---- */

static uint64_t env_u64(const char *name, uint64_t def, uint64_t lo, uint64_t hi)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return def;
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return *s || v < lo || v > hi ? def : v;
}

__attribute__((constructor)) static void preload_init(void)
{
	resolve();
	const char *dir = getenv(FLAME_PRE_ENV_OUT);
	if (!dir || !*dir || strlen(dir) >= sizeof(g.dir) || !real_pthread_create || !real_sigaction)
		return;
	memcpy(g.dir, dir, strlen(dir) + 1);
	uint64_t freq = env_u64(FLAME_PRE_ENV_FREQ, 997, 1, 1000000);
	g.period = 1000000000u / freq;
	g.depth = (unsigned)env_u64(FLAME_PRE_ENV_DEPTH, 127, 1, MAX_DEPTH);
	g.pid = getpid();
	if (real_sigaction(SIGPROF, NULL, &g.prog) != 0)
		return;
	if (pthread_key_create(&g.key, thread_gone) != 0 || new_ring() < 0)
		return;
	if (open_stream() < 0)
		return;
	if (install_handler() != 0)
		return;
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
	g.on = 1;
	atomic_store(&g.active, 1);
	start_writer();
	register_thread();
}

__attribute__((destructor)) static void preload_fini(void)
{
	if (!g.on || getpid() != g.pid)
		return;
	set_timers(0);
	pthread_mutex_lock(&g.flush_lock);
	atomic_store(&g.active, 0);
	flush(1);
	emit_end(0);
	out_flush();
	g.on = 0;
	pthread_mutex_unlock(&g.flush_lock);
}
