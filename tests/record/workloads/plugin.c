/* plugin.c - a library the dlopen workload opens at run time. */
#include <stdint.h>
#include <time.h>

static volatile uint64_t plugin_sink;

__attribute__((noinline)) void plugin_spin(double secs)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double end = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + secs;
	volatile uint64_t frame = 0; /* a frame even in a leaf (see work.c) */
	uint64_t x = 1 + frame;
	for (;;) {
		for (int i = 0; i < 200000; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			__asm__ volatile("" : "+r"(x));
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 >= end)
			break;
	}
	plugin_sink = x;
}
