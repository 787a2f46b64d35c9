/*
 * names.h - rewrites of one frame name, and the small parsers the filter
 * options need.  Pure functions over byte strings: nothing here knows
 * about profiles, so each rule is tested on its own.
 *
 * The rewrite functions append the result to out (which they reset first)
 * and return 1 when the name changed, 0 when out holds it unchanged.
 */
#ifndef FLAME_NAMES_H
#define FLAME_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/util.h"

/* "foo+0x1a" -> "foo", "f+0x1a/0x80" -> "f": every "+0x<hex>" (with an
 * optional "/0x<hex>" size) is removed. */
int flame_name_strip_offsets(const char *s, size_t n, struct flame_buf *out);

/* The trailing C++/Rust parameter list and the qualifiers after it:
 * "ns::f(int, char const*) const" -> "ns::f", "S::operator()(int)" ->
 * "S::operator()".  Lists elsewhere in the name ("(anonymous namespace)",
 * Go receivers "pkg.(*T).M", a function enclosing a lambda) are kept, and
 * so are trailing "[clone .cold]" markers. */
int flame_name_strip_args(const char *s, size_t n, struct flame_buf *out);

/* Template argument lists: "std::vector<int, A<int> >::at" ->
 * "std::vector::at".  Operators ("operator<<", "operator->") are not
 * brackets; a name that starts with '<' (Rust "<T as Trait>::f") or whose
 * brackets do not balance is left alone. */
int flame_name_strip_templates(const char *s, size_t n, struct flame_buf *out);

/* difffolded.pl -s: every "0x<hex>" becomes "0x...". */
int flame_name_strip_hex(const char *s, size_t n, struct flame_buf *out);

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
