/*
 * names.h - clean-ups of one frame name: argument lists, offsets, template
 * lists, hex addresses, half-demangled Rust symbols.  Pure functions over
 * byte strings (nothing here knows about profiles), shared by the readers
 * in formats/ and the rename passes in filters/.
 *
 * Three argument cutters live here because three reference tools cut
 * differently and each reader must match its own byte for byte:
 * flame_name_args_start (stackcollapse-perf.pl, the recorder),
 * flame_name_dtrace_args_start (stackcollapse.pl) and flame_name_strip_args
 * (flame filter --strip-args).
 *
 * The flame_name_strip_* rewrites append the result to out (which they
 * reset first) and return 1 when the name changed, 0 when out holds it
 * unchanged.
 */
#ifndef FLAME_CORE_NAMES_H
#define FLAME_CORE_NAMES_H

#include <stddef.h>

#include "util.h"

/* Where a C++/Rust argument list starts in f[0,n), n if none: the first
 * '(' at bracket depth 0 that is not a Go method receiver ".(" nor
 * "(anonymous namespace)".  The perf script reader and the recorder cut
 * there. */
size_t flame_name_args_start(const char *f, size_t n);

/* stackcollapse.pl's rule for DTrace frames: after the first "::", the
 * last '(' or '<'; n if f[0,n) has no "::". */
size_t flame_name_dtrace_args_start(const char *f, size_t n);

/* The trailing C++/Rust parameter list and the qualifiers after it:
 * "ns::f(int, char const*) const" -> "ns::f", "S::operator()(int)" ->
 * "S::operator()".  Lists elsewhere in the name ("(anonymous namespace)",
 * Go receivers "pkg.(*T).M", a function enclosing a lambda) are kept, and
 * so are trailing "[clone .cold]" markers. */
int flame_name_strip_args(const char *s, size_t n, struct flame_buf *out);

/* "foo+0x1a" -> "foo", "f+0x1a/0x80" -> "f": every "+0x<hex>" (with an
 * optional "/0x<hex>" size) is removed. */
int flame_name_strip_offsets(const char *s, size_t n, struct flame_buf *out);

/* Template argument lists: "std::vector<int, A<int> >::at" ->
 * "std::vector::at".  Operators ("operator<<", "operator->") are not
 * brackets; a name that starts with '<' (Rust "<T as Trait>::f") or whose
 * brackets do not balance is left alone. */
int flame_name_strip_templates(const char *s, size_t n, struct flame_buf *out);

/* difffolded.pl -s: every "0x<hex>" becomes "0x...". */
int flame_name_strip_hex(const char *s, size_t n, struct flame_buf *out);

/* Repair Rust legacy symbols that a profiler only half demangled
 * ("_$LT$a..B$GT$::f::h0123456789abcdef" -> "<a::B>::f").  Appends the
 * result to out and returns 1, or returns 0 (out untouched) when s does not
 * end in a Rust hash. */
int flame_name_rust_fixup(const char *s, size_t n, struct flame_buf *out);

#endif
