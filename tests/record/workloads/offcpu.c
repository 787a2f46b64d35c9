/*
 * offcpu.c - workloads with known off-CPU time, for flame record --off-cpu
 * and --wall.  Built with frame pointers; the named functions are not
 * inlined, so they are the frames a frame-pointer unwinder sees.
 *
 *   sleep N        N rounds of: burn() spins 100 ms of wall time, nap()
 *                  sleeps 200 ms (nanosleep)
 *   pipe MS        read_pipe() blocks on a pipe that another thread
 *                  (writer()) writes after sleeping MS ms
 *   mutex MS       lock_wait() blocks on a mutex that another thread
 *                  (holder()) holds for MS ms
 *   pingpong N     two threads pass a byte back and forth through two
 *                  pipes N times (ping() and pong()): switch-heavy
 *
 * With FLAME_WORK_STAMP=FILE, "START END" (CLOCK_REALTIME ns at main and
 * at exit) is written to FILE at exit, for the benchmark.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))

static uint64_t sink;

static uint64_t ns_now(clockid_t clk)
{
	struct timespec ts;
	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Spin for ms of wall time: when the machine is busy the thread is
 * preempted meanwhile, and that time is still burn()'s. */
NOINLINE static void burn(long ms)
{
	volatile uint64_t frame = 0;
	uint64_t x = sink + frame, end = ns_now(CLOCK_MONOTONIC) + (uint64_t)ms * 1000000ull;
	do {
		for (int i = 0; i < 10000; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			__asm__ volatile("" : "+r"(x));
		}
	} while (ns_now(CLOCK_MONOTONIC) < end);
	sink = x;
}

/* nanosleep() and clock_nanosleep() in libc keep no frame pointer: the
 * frame of their caller is skipped by a frame-pointer walk, so nap() calls
 * them through one more function and keeps its own place in the stack. */
NOINLINE static void nap_sleep(long ms)
{
	sleep_ms(ms);
}

NOINLINE static void nap(long ms)
{
	volatile int frame = 0;
	nap_sleep(ms + frame);
}

NOINLINE static void run_sleep(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		burn(100);
		nap(200);
	}
}

static int fds[2], back[2];
static long delay_ms;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t held;

NOINLINE static void *writer(void *arg)
{
	(void)arg;
	sleep_ms(delay_ms);
	if (write(fds[1], "x", 1) != 1)
		exit(3);
	return NULL;
}

NOINLINE static void read_byte(void)
{
	char c;
	if (read(fds[0], &c, 1) != 1)
		exit(3);
}

NOINLINE static void read_pipe(void)
{
	volatile int frame = 0;
	read_byte();
	(void)frame;
}

NOINLINE static void *holder(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	pthread_barrier_wait(&held);
	sleep_ms(delay_ms);
	pthread_mutex_unlock(&lock);
	return NULL;
}

NOINLINE static void take_lock(void)
{
	pthread_mutex_lock(&lock);
	pthread_mutex_unlock(&lock);
}

NOINLINE static void lock_wait(void)
{
	volatile int frame = 0;
	take_lock();
	(void)frame;
}

static long rounds_pp;

NOINLINE static void *pong(void *arg)
{
	(void)arg;
	char c;
	for (long i = 0; i < rounds_pp; i++)
		if (read(fds[0], &c, 1) != 1 || write(back[1], &c, 1) != 1)
			exit(3);
	return NULL;
}

NOINLINE static void ping(void)
{
	char c = 'p';
	for (long i = 0; i < rounds_pp; i++)
		if (write(fds[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			exit(3);
}

static void stamp(uint64_t start)
{
	const char *path = getenv("FLAME_WORK_STAMP");
	if (!path)
		return;
	FILE *f = fopen(path, "w");
	if (f) {
		fprintf(f, "%llu %llu\n", (unsigned long long)start,
			(unsigned long long)ns_now(CLOCK_REALTIME));
		fclose(f);
	}
}

int main(int argc, char **argv)
{
	uint64_t start = ns_now(CLOCK_REALTIME);
	if (argc < 3) {
		fprintf(stderr, "usage: %s sleep N | pipe MS | mutex MS | pingpong N\n", argv[0]);
		return 2;
	}
	long n = strtol(argv[2], NULL, 10);
	pthread_t t;
	if (strcmp(argv[1], "sleep") == 0) {
		run_sleep((int)n);
	} else if (strcmp(argv[1], "pipe") == 0) {
		delay_ms = n;
		if (pipe(fds) != 0 || pthread_create(&t, NULL, writer, NULL) != 0)
			return 1;
		read_pipe();
		pthread_join(t, NULL);
	} else if (strcmp(argv[1], "mutex") == 0) {
		delay_ms = n;
		pthread_barrier_init(&held, NULL, 2);
		if (pthread_create(&t, NULL, holder, NULL) != 0)
			return 1;
		pthread_barrier_wait(&held);
		lock_wait();
		pthread_join(t, NULL);
	} else if (strcmp(argv[1], "pingpong") == 0) {
		rounds_pp = n;
		if (pipe(fds) != 0 || pipe(back) != 0 || pthread_create(&t, NULL, pong, NULL) != 0)
			return 1;
		ping();
		pthread_join(t, NULL);
	} else {
		fprintf(stderr, "%s: unknown mode '%s'\n", argv[0], argv[1]);
		return 2;
	}
	stamp(start);
	return 0;
}
