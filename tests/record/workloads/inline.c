/*
 * inline.c - a workload whose hot code was inlined: compute() (out of
 * line) runs outer_step(), which runs inner_mix(); both are always
 * inlined.  Nearly all the time goes to the line marked HOT.
 *
 * usage: flame-test-inline [SECONDS]   (default 1)
 */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;
static volatile uint64_t divisor_v = 7;

static inline __attribute__((always_inline)) uint64_t inner_mix(uint64_t x, uint64_t d)
{
	x = x / d + (x >> 3) + 0x9e3779b97f4a7c15ULL; /* HOT */
	return x;
}

static inline __attribute__((always_inline)) uint64_t outer_step(uint64_t x, uint64_t d)
{
	x = inner_mix(x, d);
	return x ^ (x << 7);
}

__attribute__((noinline)) static uint64_t compute(uint64_t seed, long n)
{
	uint64_t d = divisor_v;
	for (long i = 0; i < n; i++)
		seed = outer_step(seed, d);
	return seed;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1.0;
	double end = now() + secs;
	uint64_t seed = 1;
	while (now() < end)
		seed = compute(seed, 200000);
	sink = seed;
	return 0;
}
