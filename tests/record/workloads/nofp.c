/*
 * nofp.c - a known call chain, main -> chain_a -> chain_b -> chain_c,
 * where chain_c burns the CPU.  Built without frame pointers
 * (flame-test-nofp), its stacks can only be found from the DWARF CFI;
 * built with them (flame-test-fp), from the frame pointers too.
 *
 * usage: flame-test-nofp [SECONDS]   (default 1)
 *        flame-test-nofp -n CALLS    a fixed amount of work, for benchmarks
 *        flame-test-nofp -v SECONDS  main -> vdso_loop -> clock_gettime, the
 *                                    time spent in the vDSO
 * Environment: FLAME_WORK_STAMP=FILE: write "START_NS END_NS" of main's
 * run there (CLOCK_MONOTONIC), the workload's own wall time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

volatile unsigned long sink;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((noinline, noclone)) unsigned long chain_c(unsigned long n)
{
	unsigned long x = n;
	for (int i = 0; i < 200000; i++)
		x = x * 6364136223846793005ul + 1442695040888963407ul + (x >> 17);
	return x;
}

/* n stays live across each call: a callee-saved register is pushed, so
 * the frames have CFA offsets of their own */
__attribute__((noinline, noclone)) unsigned long chain_b(unsigned long n)
{
	unsigned long r = chain_c(n);
	return r ^ (n << 1);
}

__attribute__((noinline, noclone)) unsigned long chain_a(unsigned long n)
{
	unsigned long r = chain_b(n + 1);
	return r + n * 3;
}

__attribute__((noinline, noclone)) void vdso_loop(double secs)
{
	double end = now() + secs;
	while (now() < end)
		;
}

int main(int argc, char **argv)
{
	double start = now();
	if (argc > 2 && strcmp(argv[1], "-v") == 0) {
		vdso_loop(atof(argv[2]));
	} else if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		unsigned long calls = strtoul(argv[2], NULL, 10);
		for (unsigned long i = 0; i < calls; i++)
			sink += chain_a(i);
	} else {
		double secs = argc > 1 ? atof(argv[1]) : 1.0;
		double end = start + secs;
		unsigned long i = 0;
		while (now() < end)
			sink += chain_a(i++);
	}
	const char *stamp = getenv("FLAME_WORK_STAMP");
	FILE *f = stamp ? fopen(stamp, "w") : NULL;
	if (f) {
		fprintf(f, "%.0f %.0f\n", start * 1e9, now() * 1e9);
		fclose(f);
	}
	return 0;
}
