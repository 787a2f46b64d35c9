/*
 * names.h - the small parsers the filter options need.  Pure functions
 * over byte strings: nothing here knows about profiles, so each rule is
 * tested on its own.  The name rewrites themselves (--strip-args, ...) are
 * in core/names.h.
 */
#ifndef FLAME_NAMES_H
#define FLAME_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/names.h" /* flame_name_strip_args and the other rewrites */
#include "../core/util.h"

/* A root frame written by a perf collapser: "comm", "comm-PID" (--pid) or
 * "comm-PID/TID" (--tid).  Sets *comm_len and the flags for what is there. */
struct flame_root_info {
	size_t comm_len;
	int has_pid, has_tid;
	uint64_t pid, tid;
};
void flame_root_parse(const char *s, size_t n, struct flame_root_info *ri);

/* A list of numbers and ranges: "12,40-49". */
struct flame_id_range {
	uint64_t lo, hi;
};
struct flame_id_list {
	struct flame_id_range *r;
	size_t n;
};
int flame_id_list_parse(struct flame_id_list *l, const char *s, const char *opt,
			struct flame_error *err);
int flame_id_list_has(const struct flame_id_list *l, uint64_t v);
void flame_id_list_release(struct flame_id_list *l);

/* "s/RE/REPLACEMENT/FLAGS" as sed writes it: any punctuation character
 * may replace '/', "\/" stands for the delimiter, FLAGS are 'g' (every
 * match) and 'i' (ignore case).  re and rep are malloc'd. */
struct flame_sed {
	char *re, *rep;
	int global, icase;
};
int flame_sed_parse(struct flame_sed *sed, const char *arg, const char *opt,
		    struct flame_error *err);
void flame_sed_release(struct flame_sed *sed);

/* A non-negative decimal number with up to 9 fractional digits ("12",
 * "0.5"): value = ip + fp / 10^digits.  -1 on a malformed number. */
struct flame_decimal {
	uint64_t ip, fp;
	int digits;
};
int flame_decimal_parse(struct flame_decimal *d, const char *s);
/* The number as fixed point with scale_digits digits (saturating). */
uint64_t flame_decimal_fixed(const struct flame_decimal *d, int scale_digits);

#endif
