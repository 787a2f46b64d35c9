/*
 * flame-demo.c - a small program with a recognisable profile, for the
 * README quick start:
 *
 *     flame record -o demo.svg -- build/tests/record/workloads/flame-demo
 *
 * A toy web server answers requests on the main thread (parse, route,
 * render a template, compress, log) while a "gc" thread marks and sweeps.
 * Each step burns CPU in proportion to a fixed cost, so the graph has the
 * same shape on every machine.  Usage: flame-demo [SECONDS] (default 2).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOINLINE __attribute__((noinline))

static volatile uint64_t sink;
static volatile int done;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The volatile local gives each leaf function a frame (see work.c). */
#define BURN(n)                                                                   \
	do {                                                                      \
		volatile uint64_t frame_ = 0;                                     \
		uint64_t x_ = sink + frame_;                                      \
		for (long i_ = 0; i_ < (long)(n); i_++) {                        \
			x_ = x_ * 6364136223846793005ULL + 1442695040888963407ULL; \
			__asm__ volatile("" : "+r"(x_));                          \
		}                                                                 \
		sink = x_;                                                        \
	} while (0)

#define K 1000

/* Every function burns a different amount, so no two compile to the same
 * code (the compiler would fold them into one). */
NOINLINE static void tokenize(void) { BURN(61 * K); }
NOINLINE static void parse_headers(void) { BURN(41 * K); }
NOINLINE static void parse_request(void)
{
	tokenize();
	parse_headers();
}

NOINLINE static void match_route(void) { BURN(31 * K); }
NOINLINE static void route(void) { match_route(); }

NOINLINE static void escape_html(void) { BURN(89 * K); }
NOINLINE static void expand_placeholders(void) { BURN(71 * K); }
NOINLINE static void render_template(void)
{
	expand_placeholders();
	escape_html();
}

/* A shell sort of our own: libc's qsort has no frame pointers, which would
 * cut these stacks short. */
NOINLINE static void shell_sort(uint32_t *v, size_t n)
{
	static const size_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
	for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
		size_t gap = gaps[g];
		for (size_t i = gap; i < n; i++) {
			uint32_t t = v[i];
			size_t j = i;
			for (; j >= gap && v[j - gap] > t; j -= gap)
				v[j] = v[j - gap];
			v[j] = t;
		}
	}
}

NOINLINE static void sort_results(void)
{
	static uint32_t v[1024];
	uint64_t x = sink | 1;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		v[i] = (uint32_t)(x >> 33);
	}
	shell_sort(v, sizeof(v) / sizeof(v[0]));
	sink += v[7];
}

NOINLINE static void render_page(void)
{
	sort_results();
	render_template();
}

NOINLINE static void huffman_encode(void) { BURN(53 * K); }
NOINLINE static void deflate_block(void)
{
	BURN(29 * K);
	huffman_encode();
}
NOINLINE static void compress_response(void) { deflate_block(); }

NOINLINE static size_t format_status(char *buf, uint64_t v)
{
	char tmp[24];
	size_t n = 0, k = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(buf, "GET /index.html 200 ", 20);
	k = 20;
	while (n)
		buf[k++] = tmp[--n];
	return k;
}

NOINLINE static void log_access(void)
{
	char line[64];
	sink += format_status(line, sink);
	BURN(11 * K);
}

NOINLINE static void handle_request(void)
{
	parse_request();
	route();
	render_page();
	compress_response();
	log_access();
}

NOINLINE static void serve_requests(double secs)
{
	double end = now() + secs;
	while (now() < end)
		handle_request();
}

NOINLINE static void mark_objects(void) { BURN(119 * K); }
NOINLINE static void sweep_heap(void) { BURN(59 * K); }
NOINLINE static void collect_garbage(void)
{
	mark_objects();
	sweep_heap();
}

static void *gc_thread(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "gc");
	while (!done) {
		collect_garbage();
		/* the collector runs about a third of the time */
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	if (!(secs > 0) || secs > 3600) {
		fprintf(stderr, "usage: flame-demo [SECONDS]\n");
		return 2;
	}
	pthread_t gc;
	int have_gc = pthread_create(&gc, NULL, gc_thread, NULL) == 0;
	serve_requests(secs);
	done = 1;
	if (have_gc)
		pthread_join(gc, NULL);
	printf("flame-demo: served requests for %.1f s\n", secs);
	return 0;
}
