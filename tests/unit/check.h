/*
 * check.h - a tiny assertion and test-case harness for the unit tests.
 *
 * A test program lists its cases in a table and calls check_main():
 *
 *     static void t_intern(void) { CHECK_U64(id, 0); ... }
 *     static const struct check_case cases[] = { { "intern", t_intern }, ... };
 *     int main(int argc, char **argv) { return CHECK_MAIN(argc, argv, cases); }
 *
 * CHECK* records a failure (with file:line and both values) and goes on;
 * REQUIRE* also leaves the current case.  The program exits 1 when any check
 * failed.  Arguments: the fixtures directory (optional, see check_fixtures)
 * and, after it, case names to run only those, or --exclude=NAME to run all
 * but those.
 */
#ifndef FLAME_TEST_CHECK_H
#define FLAME_TEST_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

struct flame_profile;

struct check_case {
	const char *name;
	void (*fn)(void);
};

extern int check_failures;
extern const char *check_current;

void check_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int check_main(int argc, char **argv, const struct check_case *cases, size_t ncases);
#define CHECK_MAIN(argc, argv, cases) \
	check_main((argc), (argv), (cases), sizeof(cases) / sizeof((cases)[0]))

#define CHECK(cond)                                                         \
	do {                                                                \
		if (!(cond))                                                \
			check_fail(__FILE__, __LINE__, "expected: %s", #cond); \
	} while (0)

#define REQUIRE(cond)                                                       \
	do {                                                                \
		if (!(cond)) {                                              \
			check_fail(__FILE__, __LINE__, "required: %s", #cond); \
			return;                                             \
		}                                                           \
	} while (0)

#define CHECK_U64(actual, expected)                                                        \
	do {                                                                               \
		unsigned long long a_ = (unsigned long long)(actual);                      \
		unsigned long long e_ = (unsigned long long)(expected);                    \
		if (a_ != e_)                                                              \
			check_fail(__FILE__, __LINE__, "%s is %llu, expected %s = %llu", #actual, \
				   a_, #expected, e_);                                     \
	} while (0)

#define CHECK_STR(actual, expected)                                                       \
	do {                                                                              \
		const char *a_ = (actual);                                                \
		const char *e_ = (expected);                                              \
		if (!a_ || !e_ || strcmp(a_, e_) != 0)                                    \
			check_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #actual, \
				   a_ ? a_ : "(null)", e_ ? e_ : "(null)");                \
	} while (0)

/* actual (pointer, length) equals expected (pointer, length), bytes compared */
#define CHECK_MEM(ap, an, ep, en)                                                      \
	do {                                                                           \
		const void *ap_ = (ap), *ep_ = (ep);                                   \
		size_t an_ = (an), en_ = (en);                                         \
		if (an_ != en_ || (an_ && memcmp(ap_, ep_, an_) != 0))                 \
			check_fail(__FILE__, __LINE__, "%s (%zu bytes) differs from %s (%zu bytes)", \
				   #ap, an_, #ep, en_);                                \
	} while (0)

/* haystack contains needle (both C strings) */
#define CHECK_CONTAINS(haystack, needle)                                                 \
	do {                                                                             \
		const char *h_ = (haystack);                                             \
		const char *n_ = (needle);                                               \
		if (!h_ || !strstr(h_, n_))                                              \
			check_fail(__FILE__, __LINE__, "%s is \"%s\", expected it to contain \"%s\"", \
				   #haystack, h_ ? h_ : "(null)", n_);                   \
	} while (0)

/* ---- helpers shared by the unit tests (helpers.c) ---- */

/* Fixtures directory given on the command line, or NULL. */
const char *check_fixtures(void);
/* "<fixtures>/<rel>", malloc'd; NULL when no fixtures directory was given. */
char *check_fixture_path(const char *rel);

/* A fresh private directory (under $TMPDIR or /tmp); removed with check_rmtree(). */
char *check_tmpdir(void);
void check_rmtree(const char *dir);
/* "<dir>/<name>", malloc'd. */
char *check_join(const char *dir, const char *name);

/* Whole file into a malloc'd buffer (NUL added, not counted); NULL on error. */
char *check_read_file(const char *path, size_t *len);
/* Add the stack "a;b;c" (at most 64 frames) with weights w0, w1 to p;
 * returns its leaf. */
struct flame_profile;
uint32_t check_add_folded(struct flame_profile *p, const char *stack, uint64_t w0, uint64_t w1);
int check_write_file(const char *path, const void *p, size_t n);
/* Number of directory entries other than "." and "..", -1 on error. */
int check_count_entries(const char *dir);

/* The profile as sorted folded text: "a;b;c W\n" (or "a;b;c W0 W1\n" with two
 * columns), built by walking the trie independently of the folded writer. */
char *check_profile_dump(const struct flame_profile *p, size_t *len);

/* Deterministic pseudo-random numbers (xorshift64*). */
uint64_t check_rand(uint64_t *state);

#endif
