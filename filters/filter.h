/*
 * filter.h - the filter chain: stack selection and frame surgery on a
 * finished profile.
 *
 * A chain is a list of steps applied in order; each step turns the
 * profile into a new one.  Steps work on the trie, not on lines: a regex
 * on frame names is run once per distinct name (the answers are kept per
 * name id), structural steps cost one pass over the nodes, and stacks that
 * become equal merge because the rebuilt trie interns them again.  So the
 * cost of a chain grows with distinct names and stacks, not with the size
 * of the input that built the profile.
 *
 * Usage: flame_filter_init(), flame_filter_add() per option (patterns are
 * compiled there, so a bad one is reported before any input is read),
 * flame_filter_apply(), flame_filter_release().  A chain is read-only
 * while it is applied.
 */
#ifndef FLAME_FILTER_H
#define FLAME_FILTER_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/profile.h"
#include "names.h"
#include "regex.h"

enum flame_filter_op {
	/* stack selection */
	FLAME_FILTER_GREP,       /* keep stacks whose text "a;b;c" matches */
	FLAME_FILTER_GREP_V,     /* drop them */
	FLAME_FILTER_FOCUS,      /* keep stacks with a matching frame */
	FLAME_FILTER_FOCUS_ROOT, /* same, and the first matching frame becomes the root */
	FLAME_FILTER_IGNORE,     /* drop stacks with a matching frame */
	/* frame surgery */
	FLAME_FILTER_HIDE,       /* remove matching frames */
	FLAME_FILTER_PRUNE_FROM, /* cut stacks above (callees of) the first matching frame */
	FLAME_FILTER_REPLACE,    /* s/RE/REPLACEMENT/[gi] on frame names */
	FLAME_FILTER_STRIP_OFFSETS,
	FLAME_FILTER_STRIP_ARGS,
	FLAME_FILTER_STRIP_TEMPLATES,
	FLAME_FILTER_COLLAPSE_RECURSION,
	FLAME_FILTER_MAX_DEPTH,  /* keep the N frames nearest the root */
	/* weight */
	FLAME_FILTER_MIN_WEIGHT,
	FLAME_FILTER_MIN_PERCENT,
	FLAME_FILTER_TOP,
	/* process and thread, from root frames "comm-PID/TID" */
	FLAME_FILTER_PID,
	FLAME_FILTER_TID,
	FLAME_FILTER_COMM,
};

struct flame_filter_step {
	enum flame_filter_op op;
	const char *option;        /* "--grep", for messages */
	struct flame_regex re;     /* regex steps */
	char *replacement;         /* --replace */
	int global;                /* --replace .../g */
	uint64_t n;                /* --max-depth, --top */
	struct flame_decimal value; /* --min-weight, --min-percent */
	struct flame_id_list ids;  /* --pid, --tid */
};

struct flame_filter {
	struct flame_filter_step *steps;
	size_t nsteps;
	uint32_t max_captures;     /* over every regex, for matchers */
};

/* What applying a chain noticed, for the command to report. */
struct flame_filter_report {
	int no_pid_roots; /* --pid/--tid given but no root frame carries a PID/TID */
	uint64_t stacks_in, stacks_out;
};

void flame_filter_init(struct flame_filter *f);
void flame_filter_release(struct flame_filter *f);

/* Append a step.  arg is the option's value (NULL for flags); opt its name
 * for messages; icase makes the step's regex case-insensitive.  Errors are
 * FLAME_ERR_USAGE and name the option. */
int flame_filter_add(struct flame_filter *f, enum flame_filter_op op, const char *opt,
		     const char *arg, int icase, struct flame_error *err);

/* Apply every step to *p in order (p is replaced).  -1 on error. */
int flame_filter_apply(const struct flame_filter *f, struct flame_profile *p,
		       struct flame_filter_report *rep, struct flame_error *err);

/* Whether the chain only selects whole stacks by their text (--grep,
 * --grep-v), so it can run line by line over folded text. */
int flame_filter_is_grep_only(const struct flame_filter *f);

/* Whether one stack text passes every step of a grep-only chain: 1 yes,
 * 0 no, -1 on error. */
int flame_filter_grep_line(const struct flame_filter *f, struct flame_matcher *m,
			   const char *text, size_t len, struct flame_error *err);

#endif
