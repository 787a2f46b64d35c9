/*
 * format.h - the contract every input/output format implements.
 *
 * To add a format: write formats/<name>.c exporting one const struct
 * flame_format (a writer: with its suffixes), list it in
 * formats/registry.c, add a fuzz target in tests/fuzz/, golden tests
 * under tests/, and a line in man/flame-*.1.
 *
 * Readers are push parsers over whole records.  The driver in
 * formats/reader.c feeds input in any chunking, cuts it at record
 * boundaries found by boundary(), and hands each piece to parse() -- on
 * one thread or several, each with its own parser and its own profile,
 * merged at the end.  So parse() must not depend on anything before the
 * chunk but the per-file flag and the shared options.
 *
 * Formats never touch FILE *, never exit and never print: skipped lines go
 * to ctx->diag, hard errors to ctx->fail_*.
 */
#ifndef FLAME_FORMAT_H
#define FLAME_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "../core/diag.h"
#include "../core/error.h"
#include "../core/profile.h"
#include "../core/text.h" /* flame_is_space and the other text helpers */

/* Longest line any text reader accepts: longer is an error, not a crash. */
#define FLAME_MAX_LINE (4u << 20)

struct flame_output;
struct flame_symbolizer;

struct flame_read_opts {
	/* perf script */
	int include_pid;     /* --pid: root frame "comm-PID" */
	int include_tid;     /* --tid: root frame "comm-PID/TID" */
	int annotate_kernel; /* --kernel: _[k] */
	int annotate_jit;    /* --jit: _[j] */
	int include_addrs;   /* --addrs: [unknown <addr>] */
	const char *event_filter;  /* --event-filter, or NULL for "first event seen" */
	const char *const *skip_after; /* --skip-after names */
	size_t nskip_after;
	int no_rust_fixup;   /* --no-rust-fixup: keep half-demangled Rust names (perl output) */
	int srcline;         /* --srcline: read `perf script -F +srcline` lines, append ":LINE" */
	int inline_frames;   /* --inline: user frames gain their inlined calls, "name_[i]" */
	int inline_context;  /* --context: ... each ending in ":file.c:LINE" */
	struct flame_symbolizer *symbolizer; /* --inline: reads the DSOs; shared by the
					      * parser threads, which lock around it */
	/* dtrace */
	int include_offset;  /* --includeoffset */
	/* readers of formats with time (speedscope, chrome, cpuprofile,
	 * firefox): keep a timeline (core/profile.h) beside the trie */
	int want_timeline;
	/* pprof: the sample type to read (--sample-type), NULL = the default */
	const char *sample_type;
};

/* Per-parser context: where a parser puts what it reads. */
struct flame_parse_ctx {
	struct flame_profile *prof;        /* this parser's own profile */
	struct flame_diag *diag;           /* this parser's own notes */
	const struct flame_read_opts *opts;
	const char *event;                 /* perf: event kept (decided before parsing) */
	uint64_t chunk;                    /* sequence number of the chunk being parsed */
	uint64_t lines;                    /* set by parse(): lines in the chunk */
	/* set by parse() of readers that choose the event while reading
	 * (perf.data): malloc'd, taken by the driver for the report */
	char *chosen_event;
	/* hard error: set failed, the line within the chunk and the message */
	int failed;
	uint64_t fail_line;
	char fail_msg[512];
};

enum flame_probe { FLAME_PROBE_NO = 0, FLAME_PROBE_YES = 1, FLAME_PROBE_MAYBE = 2 };

struct flame_format {
	const char *name;
	const char *aliases;     /* space-separated, or "" */
	const char *summary;     /* one line for `flame formats` */
	/* Does buf (the first bytes of an input; eof if that is all) look like us? */
	enum flame_probe (*probe)(const char *buf, size_t len, int eof);
	/* Offset just past the last record boundary in buf, 0 if none.
	 * at_file_start: buf begins at the start of a file (dtrace must not cut
	 * inside its header). */
	size_t (*boundary)(const char *buf, size_t len, int at_file_start);
	/* Optional: look at the input before any of it is parsed (perf finds
	 * the first event, which is the one kept).  Only complete lines count
	 * unless eof.  Returns a malloc'd string, or NULL if buf holds none. */
	char *(*prepare)(const char *buf, size_t len, int eof, const struct flame_read_opts *opts);
	void *(*parser_new)(struct flame_parse_ctx *ctx);
	/* Parse whole records.  file_start: first chunk of a file; file_end:
	 * last chunk of a file (whose final line may lack '\n').  -1 on a hard
	 * error (ctx->failed set). */
	int (*parse)(void *parser, const char *buf, size_t len, int file_start, int file_end);
	void (*parser_free)(void *parser);
	/* Optional writer: serialise a finished profile. */
	int (*write)(const struct flame_profile *p, struct flame_output *out,
		     struct flame_error *err);
	/* 1: a streaming reader, for formats without record boundaries (JSON,
	 * protobuf).  The driver feeds each file whole, in order and in chunks
	 * of any size, to one parser on the calling thread (never split across
	 * workers), so parse() may keep state from one chunk to the next of a
	 * file; file_start resets it.  boundary() is not used. */
	int streaming;
	/* 1 (streaming formats only): the parser needs the whole input at
	 * once (perf.data: sections point anywhere in the file).  A mapped
	 * input is then handed over in one chunk (file_start and file_end
	 * both set); other inputs arrive in order as usual and the parser
	 * keeps them (in a temporary file) until file_end. */
	int whole_input;
	/* Optional, writers: what this format cannot hold of p, as one line
	 * ("folded has no time; timeline dropped"), or NULL. */
	const char *(*drops)(const struct flame_profile *p);
	/* Writers: file-name suffixes that choose this format for -o,
	 * space-separated (".trace.json .trace"), or NULL. */
	const char *suffixes;
	/* 1: the writer shows time and threads when the profile has a
	 * timeline (readers are then asked to keep one). */
	int shows_time;
	/* Optional writer taking options of its own, opaque here (the SVG
	 * writer of render/ takes a struct flame_render_opts); opts NULL
	 * means its defaults.  Called through flame_format_write(). */
	int (*write_opts)(const struct flame_profile *p, const void *opts, struct flame_output *out,
			  struct flame_error *err);
};

extern const struct flame_format flame_format_folded;
extern const struct flame_format flame_format_perf;
extern const struct flame_format flame_format_dtrace;
extern const struct flame_format flame_format_speedscope;
extern const struct flame_format flame_format_chrome;
extern const struct flame_format flame_format_cpuprofile;
extern const struct flame_format flame_format_d3;
extern const struct flame_format flame_format_pprof;
extern const struct flame_format flame_format_firefox;
extern const struct flame_format flame_format_perfdata;

/* Registry: every built-in format, NULL-terminated (formats/registry.h
 * has the whole registry, with the writers registered from above). */
extern const struct flame_format *const flame_formats[];
const struct flame_format *flame_format_find(const char *name);
/* Comma-separated list of readable format names, for messages. */
const char *flame_format_names(void);

/* The start of the probe of a JSON object format that is neither a Chrome
 * trace nor a speedscope file (cpuprofile, Firefox): FLAME_PROBE_YES when
 * buf may be one (look further), FLAME_PROBE_MAYBE when only white space
 * has come so far, FLAME_PROBE_NO when it cannot be. */
enum flame_probe flame_probe_other_json_object(const char *buf, size_t len, int eof);

/* Record a hard error in ctx; returns -1. */
int flame_parse_fail(struct flame_parse_ctx *ctx, uint64_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Find the last line in buf[0,len) that ends with '\n' and satisfies pred;
 * return the offset just past it, or 0.  Shared by boundary() functions. */
size_t flame_last_line_where(const char *buf, size_t len, int (*pred)(const char *, size_t));

#endif
