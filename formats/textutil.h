/*
 * textutil.h - small byte-string helpers shared by the text readers.
 * Slices are (pointer, length); nothing here allocates.
 */
#ifndef FLAME_TEXTUTIL_H
#define FLAME_TEXTUTIL_H

#include <stddef.h>
#include <string.h>

#include "../core/text.h"

/* Cut a C++/Rust argument list: the first '(' at bracket depth 0 that is
 * not a Go method receiver ".(" nor "(anonymous namespace)". */
static inline size_t flame_args_start(const char *f, size_t n)
{
	int depth = 0;
	size_t last_dot = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		switch (f[i]) {
		case '<':
		case '{':
		case '[':
			depth++;
			break;
		case '>':
		case '}':
		case ']':
		case ')':
			depth--;
			break;
		case '(':
			if (depth == 0) {
				int go = last_dot == i;
				int anon = flame_starts_with(f + i, n - i, "(anonymous namespace)");
				if (!go && !anon)
					return i;
			}
			depth++;
			break;
		case '.':
			last_dot = i + 1;
			break;
		default:
			break;
		}
	}
	return n;
}

/* Clean up one stack line's function into frame ids (root-first within the
 * line) and cache them under key. */

/* Repair Rust legacy symbols that a profiler only half demangled
 * ("_$LT$a..B$GT$::f::h0123456789abcdef" -> "<a::B>::f").  Appends the
 * result to out and returns 1, or returns 0 (out untouched) when s does not
 * end in a Rust hash. */
struct flame_buf;
int flame_fix_rust_symbol(const char *s, size_t n, struct flame_buf *out);

#endif
