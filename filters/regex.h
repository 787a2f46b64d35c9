/*
 * regex.h - user regular expressions: PCRE2, compiled once, JIT when the
 * platform allows it, with limits so that no pattern can hang or exhaust
 * memory.
 *
 * A struct flame_regex is immutable after flame_regex_compile() and may be
 * shared by threads; all matching state lives in a struct flame_matcher,
 * one per thread.  Subjects are byte strings (no UTF mode), so a pattern
 * behaves as with `LC_ALL=C grep -P`.
 *
 * Errors name the option the pattern came from ("--grep"): a pattern that
 * does not compile is FLAME_ERR_USAGE with PCRE2's message and the offset;
 * a match that exceeds the limits is FLAME_ERR_DATA.
 *
 * Besides the limit on one match, a matcher keeps an overall budget: a
 * match first runs under a small step limit; one that needs more is run
 * again under limits ten times larger, each retry charged in full to the
 * matcher.  When the charges pass FLAME_REGEX_BUDGET_BASE plus
 * FLAME_REGEX_BUDGET_PER_BYTE for every subject byte the matcher has seen,
 * the match fails with FLAME_ERR_DATA naming the pattern: a pattern that
 * backtracks badly on many subjects stops within seconds instead of running
 * for hours.  Patterns that never need the retry are not affected.
 */
#ifndef FLAME_REGEX_H
#define FLAME_REGEX_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/util.h"

#define FLAME_REGEX_ICASE 1u

/* Backtracking steps one match may take before it is abandoned as an error. */
#define FLAME_REGEX_MATCH_LIMIT 10000000u
/* The step limit of a match's first run; above it a match is "expensive". */
#define FLAME_REGEX_CHEAP_LIMIT 10000u
/* Steps a matcher may spend on expensive matches: this many, plus ... */
#define FLAME_REGEX_BUDGET_BASE 200000000ull
/* ... this many per byte of all the subjects it was given. */
#define FLAME_REGEX_BUDGET_PER_BYTE 1000ull

struct flame_regex {
	struct pcre2_real_code_8 *code;
	char *pattern;       /* as given, for messages */
	const char *option;  /* "--grep", not owned (a string literal) */
	int jit;             /* 1 when JIT-compiled */
	uint32_t match_limit;
	uint32_t ncaptures;  /* capture groups in the pattern */
};

struct flame_matcher {
	struct pcre2_real_match_data_8 *md;
	struct pcre2_real_match_context_8 *mc;
	struct pcre2_real_jit_stack_8 *jit_stack;
	struct flame_buf out; /* replacement output */
	uint64_t spent;       /* steps charged to expensive matches (upper bounds) */
	uint64_t subject_bytes; /* bytes of all subjects matched, for the budget */
	uint64_t subjects;    /* subjects matched, for the message */
};

/* Compile pattern (a C string) for option opt.  flags: FLAME_REGEX_ICASE. */
int flame_regex_compile(struct flame_regex *re, const char *pattern, unsigned flags,
			const char *opt, struct flame_error *err);
void flame_regex_release(struct flame_regex *re);

/* Lower the backtracking limit (the fuzzer uses a small one). */
void flame_regex_set_match_limit(struct flame_regex *re, uint32_t limit);

/* Matching state for one thread, usable with any regex whose capture count
 * is at most max_captures.  Its budget covers every match made with it. */
void flame_matcher_init(struct flame_matcher *m, uint32_t max_captures);
void flame_matcher_release(struct flame_matcher *m);

/* 1 if re matches somewhere in s[0,n), 0 if not, -1 on error (limit hit). */
int flame_regex_match(const struct flame_regex *re, struct flame_matcher *m, const char *s,
		      size_t n, struct flame_error *err);

/* Replace the first (or, with global, every) match of re in s[0,n) by
 * replacement ("$1", "${name}", "$$" as in pcre2_substitute).  Returns the
 * number of replacements (0: m->out holds s unchanged) or -1 on error.  The
 * result is in m->out. */
int flame_regex_replace(const struct flame_regex *re, struct flame_matcher *m, const char *s,
			size_t n, const char *replacement, size_t replen, int global,
			struct flame_error *err);

/* Check that replacement only names groups re has ($N, ${N}, ${name}); -1
 * with a usage error otherwise. */
int flame_regex_check_replacement(const struct flame_regex *re, const char *replacement,
				  struct flame_error *err);

#endif
