/* Unit tests: flame_name_rust_fixup() (core/names.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/names.h"
#include "core/util.h"

static void check_fixed(const char *in, const char *want, const char *file, int line)
{
	struct flame_buf b = FLAME_BUF_INIT;
	int r = flame_name_rust_fixup(in, strlen(in), &b);
	if (r != 1)
		check_fail(file, line, "flame_name_rust_fixup(\"%s\") returned %d, expected 1", in, r);
	else if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
		check_fail(file, line, "flame_name_rust_fixup(\"%s\") gave \"%.*s\", expected \"%s\"", in,
			   (int)b.len, b.data ? b.data : "", want);
	flame_buf_release(&b);
}
#define CHECK_FIXED(in, want) check_fixed((in), (want), __FILE__, __LINE__)

/* Not a half-demangled Rust name: returns 0 and leaves the buffer alone. */
static void check_unchanged(const char *in, size_t n, const char *file, int line)
{
	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_adds(&b, "keep");
	int r = flame_name_rust_fixup(in, n, &b);
	if (r != 0 || b.len != 4 || memcmp(b.data, "keep", 4) != 0)
		check_fail(file, line, "flame_name_rust_fixup(\"%.*s\") returned %d with buffer \"%s\", "
			   "expected 0 and the buffer untouched", (int)n, in, r, b.data);
	flame_buf_release(&b);
}
#define CHECK_UNCHANGED(in) check_unchanged((in), strlen(in), __FILE__, __LINE__)

static void t_trait_impl(void)
{
	CHECK_FIXED("_$LT$std..fs..ReadDir$u20$as$u20$core..iter..traits..iterator..Iterator$GT$::next::"
		    "hc14f1750ca79129b",
		    "<std::fs::ReadDir as core::iter::traits::iterator::Iterator>::next");
	CHECK_FIXED("_$LT$alloc..vec..Vec$LT$T$GT$$u20$as$u20$core..ops..drop..Drop$GT$::drop::"
		    "h0123456789abcdef",
		    "<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop");
	CHECK_FIXED("_$LT$grep_searcher..searcher..glue..ReadByLine$LT$$u27$s$C$$u20$M$C$$u20$R$C$$u20$S"
		    "$GT$$GT$::run::h30ecedc997ad7e32",
		    "<grep_searcher::searcher::glue::ReadByLine<'s, M, R, S>>::run");
}

static void t_paths(void)
{
	CHECK_FIXED("core..ptr..drop_in_place::h5e8e7b6d2a1c0f99", "core::ptr::drop_in_place");
	CHECK_FIXED("std::rt::lang_start::h1234567890abcdef", "std::rt::lang_start");
	CHECK_FIXED("dcpu::emulator::Cpu::tick::hffffffffffffffff", "dcpu::emulator::Cpu::tick");
	/* a single '.' is kept, '..' is a path separator */
	CHECK_FIXED("a.b..c::h0000000000000000", "a.b::c");
}

static void t_escapes(void)
{
	CHECK_FIXED("_$LT$$RF$T$u20$as$u20$core..fmt..Debug$GT$::fmt::h0123456789abcdef",
		    "<&T as core::fmt::Debug>::fmt");
	CHECK_FIXED("f$LP$$RP$$BP$$SP$::h0123456789abcdef", "f()*@");
	CHECK_FIXED("x$u7e$$u5b$$u5d$$u7b$$u7d$$u3d$$u2b$$u21$::h0123456789abcdef", "x~[]{}=+!");
	/* ';' would split a folded stack; it is decoded, the readers replace it later */
	CHECK_FIXED("a$u3b$b::h0123456789abcdef", "a;b");
	CHECK_FIXED("q$u22$q$u27$::h0123456789abcdef", "q\"q'");
}

static void t_unknown_escape(void)
{
	/* an unknown escape stops decoding: the rest is kept as it is */
	CHECK_FIXED("a..b$XX$c..d::h0123456789abcdef", "a::b$XX$c..d");
}

static void t_not_rust(void)
{
	CHECK_UNCHANGED("main");
	CHECK_UNCHANGED("");
	CHECK_UNCHANGED("std::vec::Vec<T>::push");
	CHECK_UNCHANGED("_$LT$std..fs..ReadDir$GT$::next");              /* no hash */
	CHECK_UNCHANGED("foo::h123");                                     /* hash too short */
	CHECK_UNCHANGED("foo::h0123456789abcdeg");                        /* not hex */
	CHECK_UNCHANGED("foo::x0123456789abcdef");                        /* no 'h' */
	CHECK_UNCHANGED("foo::h0123456789abcdef ");                       /* not at the end */
	CHECK_UNCHANGED("foo::h0123456789abcde");                         /* 15 hex digits */
	CHECK_UNCHANGED("[unknown]");
	CHECK_UNCHANGED("java.lang.Thread.run");
	CHECK_UNCHANGED("0123456789abcdef");                              /* 16 chars, too short */
	/* only the first n bytes count */
	const char *s = "foo::h0123456789abcdef";
	check_unchanged(s, strlen(s) - 1, __FILE__, __LINE__);
}

static void t_appends(void)
{
	struct flame_buf b = FLAME_BUF_INIT;
	flame_buf_adds(&b, "mod`");
	CHECK_U64(flame_name_rust_fixup("a..b::h0123456789abcdef", 23, &b), 1);
	CHECK_STR(b.data, "mod`a::b");
	flame_buf_release(&b);
}

static const struct check_case cases[] = {
	{ "trait_impl", t_trait_impl },
	{ "paths", t_paths },
	{ "escapes", t_escapes },
	{ "unknown_escape", t_unknown_escape },
	{ "not_rust", t_not_rust },
	{ "appends", t_appends },
};

int main(int argc, char **argv)
{
	return CHECK_MAIN(argc, argv, cases);
}
