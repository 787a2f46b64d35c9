/*
 * sigprof.c - a program with a SIGPROF profiler of its own: a handler
 * installed with sigaction() (or signal() with "signal" as argv[2]) and
 * setitimer(ITIMER_PROF) at 100 Hz ("timer": a POSIX timer on the
 * process's CPU clock sending SIGPROF with the value 8 instead).  Burns
 * SECS seconds of CPU in sigprof_spin, then prints "ticks N foreign F
 * own-handler 1": how often its handler ran, how many of those signals
 * were POSIX timer signals not its own, whether it sees its handler.
 *
 * With "raw" as argv[2] it instead sets SIGPROF to SIG_IGN with the raw
 * rt_sigaction system call (as runtimes that bypass libc do) half way
 * through its spinning.
 *
 *   flame-test-sigprof SECS [signal|timer|raw]
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t ticks;
static volatile sig_atomic_t foreign; /* calls whose siginfo was not ITIMER_PROF's */
uint64_t sigprof_sink;

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static void on_tick_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	if (si->si_code == SI_TIMER && si->si_value.sival_int != 8)
		foreign++; /* a POSIX timer's signal, not our own timer's */
	ticks++;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void sigprof_spin(double secs)
{
	volatile uint64_t frame = 0;
	uint64_t x = sigprof_sink + frame;
	double end = cpu_now() + secs;
	while (cpu_now() < end)
		for (int i = 0; i < 100000; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			__asm__ volatile("" : "+r"(x));
		}
	sigprof_sink = x;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.5;
	if (argc > 2 && strcmp(argv[2], "raw") == 0) {
		/* the kernel's struct sigaction: handler, flags, restorer, mask */
		struct {
			void *handler;
			unsigned long flags;
			void *restorer;
			uint64_t mask;
		} k = { (void *)SIG_IGN, 0, NULL, 0 };
		sigprof_spin(secs / 2);
		if (syscall(SYS_rt_sigaction, SIGPROF, &k, NULL, 8) != 0)
			return 1;
		sigprof_spin(secs / 2);
		printf("raw\n");
		return 0;
	}
	if (argc > 2 && strcmp(argv[2], "signal") == 0) {
		signal(SIGPROF, on_tick);
	} else {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_tick_info;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigaction(SIGPROF, &sa, NULL);
	}
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	timer_t t = 0;
	int posix = argc > 2 && strcmp(argv[2], "timer") == 0;
	if (posix) {
		struct sigevent ev;
		memset(&ev, 0, sizeof(ev));
		ev.sigev_notify = SIGEV_SIGNAL;
		ev.sigev_signo = SIGPROF;
		ev.sigev_value.sival_int = 8; /* aligned, but no pointer */
		struct itimerspec its = { { 0, 10000000 }, { 0, 10000000 } };
		if (timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &t) != 0 || timer_settime(t, 0, &its, NULL) != 0)
			return 1;
	} else {
		setitimer(ITIMER_PROF, &it, NULL);
	}
	sigprof_spin(secs);
	if (posix) {
		timer_delete(t);
	} else {
		memset(&it, 0, sizeof(it));
		setitimer(ITIMER_PROF, &it, NULL);
	}
	struct sigaction cur;
	sigaction(SIGPROF, NULL, &cur);
	int own = (cur.sa_flags & SA_SIGINFO) ? cur.sa_sigaction == on_tick_info
					      : cur.sa_handler == on_tick;
	printf("ticks %d foreign %d own-handler %d\n", (int)ticks, (int)foreign, own);
	return 0;
}
