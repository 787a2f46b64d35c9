/*
 * work.c - test workloads for flame record, one mode per test.  Built with
 * frame pointers and without inlining of the named functions, so their
 * names and call chains are what a frame-pointer unwinder sees.
 *
 *   prop SECS           hot/warm/cold burn 60/30/10 % of the CPU: main;run_prop;hot ...
 *   threads SECS        threads worker-1..3 in worker_one/two/three, main in main_spin
 *   fork SECS EXEC      a child in child_spin (exits early), a child that execs
 *                       EXEC ("spin SECS": exec_spin), the parent in parent_spin
 *   spin SECS           spin in exec_spin (also the target of fork and of attach)
 *   dlopen SECS LIB     call plugin_spin from LIB opened with dlopen
 *   cat                 copy stdin to stdout, "work: stderr" to stderr, spin briefly
 *   exit N              spin briefly, exit with status N
 *   signal N            spin briefly, die of signal N
 *   ignore-int SECS     ignore SIGINT and spin
 *   hidden SECS         spin in static functions (not exported): for the stripped copies
 *   fixed ROUNDS [T]    T threads (default 1) each run ROUNDS rounds of hot/warm/cold:
 *                       a fixed amount of work, for the benchmark
 *
 * With FLAME_WORK_STAMP=FILE, "START END CPU" is written to FILE at exit,
 * for the benchmark: CLOCK_REALTIME at main and at exit, and the CPU time
 * of all threads (user + system), in ns.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

uint64_t work_sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Each function burns CPU in its own loop, so it is the leaf frame.  The
 * volatile local makes GCC set up a frame even in a leaf function (with
 * -fno-omit-frame-pointer it otherwise skips it when the stack is unused,
 * and the caller then vanishes from frame-pointer call chains). */
#define BURN(n)                                                                   \
	do {                                                                      \
		volatile uint64_t frame_ = 0;                                     \
		uint64_t x_ = work_sink + frame_;                                 \
		for (long i_ = 0; i_ < (n); i_++) {                              \
			x_ = x_ * 6364136223846793005ULL + 1442695040888963407ULL; \
			__asm__ volatile("" : "+r"(x_));                          \
		}                                                                 \
		work_sink = x_;                                                   \
	} while (0)

#define UNIT 200000L /* iterations: well under a millisecond */

NOINLINE void hot(void) { BURN(6 * UNIT); }
NOINLINE void warm(void) { BURN(3 * UNIT); }
NOINLINE void cold(void) { BURN(1 * UNIT); }

NOINLINE void run_prop(double secs)
{
	double end = now() + secs;
	while (now() < end) {
		hot();
		warm();
		cold();
	}
}

NOINLINE void exec_spin(double secs)
{
	double end = now() + secs;
	while (now() < end)
		BURN(UNIT);
}

NOINLINE void main_spin(double secs)
{
	double end = now() + secs;
	while (now() < end)
		BURN(UNIT);
}

static double thread_secs;

NOINLINE void worker_one(void)
{
	double end = now() + thread_secs;
	while (now() < end)
		BURN(UNIT);
}

NOINLINE void worker_two(void)
{
	double end = now() + thread_secs;
	while (now() < end)
		BURN(UNIT);
}

NOINLINE void worker_three(void)
{
	double end = now() + thread_secs;
	while (now() < end)
		BURN(UNIT);
}

static void *thread_main(void *arg)
{
	int i = (int)(intptr_t)arg;
	char name[16];
	snprintf(name, sizeof(name), "worker-%d", i);
	pthread_setname_np(pthread_self(), name);
	if (i == 1)
		worker_one();
	else if (i == 2)
		worker_two();
	else
		worker_three();
	return NULL;
}

NOINLINE static int run_threads(double secs)
{
	pthread_t t[3];
	thread_secs = secs;
	for (int i = 0; i < 3; i++)
		if (pthread_create(&t[i], NULL, thread_main, (void *)(intptr_t)(i + 1)) != 0)
			return 1;
	main_spin(secs);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	return 0;
}

NOINLINE void child_spin(double secs)
{
	double end = now() + secs;
	while (now() < end)
		BURN(UNIT);
}

NOINLINE void parent_spin(double secs)
{
	double end = now() + secs;
	while (now() < end)
		BURN(UNIT);
}

NOINLINE static int run_fork(double secs, const char *exe)
{
	pid_t a = fork();
	if (a == 0) {
		child_spin(secs / 3); /* exits well before the end */
		_exit(0);
	}
	pid_t b = fork();
	if (b == 0) {
		char arg[32];
		snprintf(arg, sizeof(arg), "%g", secs);
		execl(exe, exe, "spin", arg, (char *)NULL);
		perror(exe);
		_exit(127);
	}
	parent_spin(secs);
	int st, rc = 0;
	if (waitpid(a, &st, 0) != a || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = 1;
	if (waitpid(b, &st, 0) != b || !WIFEXITED(st) || WEXITSTATUS(st))
		rc = 1;
	return rc;
}

NOINLINE static int run_dlopen(double secs, const char *lib)
{
	void *h = dlopen(lib, RTLD_NOW);
	if (!h) {
		fprintf(stderr, "work: %s\n", dlerror());
		return 1;
	}
	void (*fn)(double) = (void (*)(double))dlsym(h, "plugin_spin");
	if (!fn) {
		fprintf(stderr, "work: %s\n", dlerror());
		return 1;
	}
	fn(secs);
	dlclose(h);
	return 0;
}

static NOINLINE void hidden_inner(double secs)
{
	double end = now() + secs;
	while (now() < end)
		BURN(UNIT + 1); /* not the same code as exec_spin: no identical-code folding */
}

static NOINLINE void hidden_outer(double secs)
{
	hidden_inner(secs);
	work_sink++;
}

static long fixed_rounds;

static void *fixed_thread(void *arg)
{
	(void)arg;
	for (long i = 0; i < fixed_rounds; i++) {
		hot();
		warm();
		cold();
	}
	return NULL;
}

NOINLINE static int run_fixed(long rounds, int nthreads)
{
	pthread_t t[64];
	fixed_rounds = rounds;
	if (nthreads < 1 || nthreads > 64)
		return 2;
	for (int i = 1; i < nthreads; i++)
		if (pthread_create(&t[i], NULL, fixed_thread, NULL) != 0)
			return 1;
	fixed_thread(NULL);
	for (int i = 1; i < nthreads; i++)
		pthread_join(t[i], NULL);
	return 0;
}

static const char *stamp_path;
static struct timespec stamp_start;

static void write_stamp(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long long cpu = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
			((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	FILE *f = fopen(stamp_path, "w");
	if (f) {
		fprintf(f, "%lld%09ld %lld%09ld %lld\n", (long long)stamp_start.tv_sec, stamp_start.tv_nsec,
			(long long)ts.tv_sec, ts.tv_nsec, cpu);
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	clock_gettime(CLOCK_REALTIME, &stamp_start);
	stamp_path = getenv("FLAME_WORK_STAMP");
	if (stamp_path)
		atexit(write_stamp);
	if (argc < 2) {
		fprintf(stderr, "usage: %s MODE [ARGS]\n", argv[0]);
		return 2;
	}
	const char *mode = argv[1];
	double secs = argc > 2 ? atof(argv[2]) : 1.0;
	if (strcmp(mode, "prop") == 0) {
		run_prop(secs);
	} else if (strcmp(mode, "threads") == 0) {
		return run_threads(secs);
	} else if (strcmp(mode, "fork") == 0 && argc > 3) {
		return run_fork(secs, argv[3]);
	} else if (strcmp(mode, "spin") == 0) {
		exec_spin(secs);
	} else if (strcmp(mode, "dlopen") == 0 && argc > 3) {
		return run_dlopen(secs, argv[3]);
	} else if (strcmp(mode, "cat") == 0) {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
			fwrite(buf, 1, n, stdout);
		fputs("work: stderr\n", stderr);
		exec_spin(0.2);
	} else if (strcmp(mode, "exit") == 0) {
		exec_spin(0.2);
		return argc > 2 ? atoi(argv[2]) : 0;
	} else if (strcmp(mode, "signal") == 0) {
		int sig = argc > 2 ? atoi(argv[2]) : SIGTERM;
		exec_spin(0.2);
		signal(sig, SIG_DFL);
		raise(sig);
		return 1;
	} else if (strcmp(mode, "ignore-int") == 0) {
		signal(SIGINT, SIG_IGN);
		exec_spin(secs);
	} else if (strcmp(mode, "fixed") == 0) {
		return run_fixed(argc > 2 ? atol(argv[2]) : 100, argc > 3 ? atoi(argv[3]) : 1);
	} else if (strcmp(mode, "hidden") == 0) {
		hidden_outer(secs);
	} else {
		fprintf(stderr, "work: unknown mode '%s'\n", mode);
		return 2;
	}
	return 0;
}
