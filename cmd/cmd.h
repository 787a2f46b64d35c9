/*
 * cmd.h - what every subcommand shares.
 *
 * To add a command:
 *   1. write cmd/<name>.c with int cmd_<name>(int argc, char **argv);
 *   2. add it to the table in cmd/flame.c (name, function, one-line summary);
 *   3. write man/flame-<name>.1 and a section in README.md;
 *   4. add CLI and golden tests under tests/ and register them in CMakeLists.txt.
 *
 * Only cmd/ prints diagnostics and picks exit codes: 0 ok, 1 bad data or
 * I/O error, 2 usage error.
 */
#ifndef FLAME_CMD_H
#define FLAME_CMD_H

#include <stddef.h>
#include <stdint.h>

#include "../core/error.h"
#include "../core/profile.h"
#include "../formats/reader.h"

#define EXIT_OK 0
#define EXIT_DATA 1
#define EXIT_USAGE 2

#ifndef FLAME_VERSION
#define FLAME_VERSION "0.0.0"
#endif

int cmd_collapse(int argc, char **argv);
int cmd_formats(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_filter(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_convert(int argc, char **argv);

/* The command being run, for the messages below ("render"); set once by
 * the dispatcher in flame.c. */
void flame_set_command(const char *name);
const char *flame_command(void);

/* Diagnostics, one prefix style: "flame CMD: ...", "flame CMD: warning:
 * ...", "flame CMD: note: ...", one line each (no final newline in fmt). */
void cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cmd_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "flame CMD: <msg>" on stderr; returns the exit code for err->kind. */
int flame_report_error(const struct flame_error *err);
/* Edit distance of two short strings (99 past 32 bytes), for "the most
 * similar command/option is". */
size_t flame_edit_distance(const char *a, const char *b);
/* Print "flame <cmd>: <fmt>" and a hint to --help; returns EXIT_USAGE. */
int flame_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A reader's progress callback (struct flame_reader_config): the
 * "flame CMD: reading FILE: ..." line on stderr when it is a terminal. */
void flame_progress_line(void *ctx, const char *name, uint64_t done, uint64_t total);
/* Parse a whole non-negative number for option opt; -1 on error (printed). */
int flame_parse_uint(const char *cmd, const char *opt, const char *s, unsigned long long max,
		     unsigned long long *out);
/* Parse a finite non-negative number for option opt; -1 on error (printed). */
int flame_parse_double(const char *cmd, const char *opt, const char *s, double *out);
/* Parse -j/--jobs for cmd: 0 means all cores; -1 on error (printed). */
int flame_parse_jobs(const char *cmd, const char *arg, unsigned long long *jobs);
/* Print the data-quality notes of a read; returns the number of warnings. */
uint64_t flame_report_quality(const struct flame_read_report *rep, int quiet);
/* Write the profile as folded text to path ("-" or NULL = stdout), atomically. */
int flame_write_folded(const struct flame_profile *p, const char *path, struct flame_error *err);
/* Write p with writer f (opts: its options, e.g. a struct flame_render_opts
 * for svg, or NULL) to path ("-" or NULL = stdout), atomically. */
struct flame_format;
int flame_write_profile(const struct flame_format *f, const struct flame_profile *p, const void *opts,
			const char *path, struct flame_error *err);
/* Choosing the writer of a command's output, the same way for every
 * command: --to NAME (or the command's own spelling of it) wins; else the
 * suffix of the -o path (formats/registry.h); else a default below. */
struct flame_format;
struct flame_writer_defaults {
	const struct flame_format *none;    /* no -o, or NULL */
	const struct flame_format *stream;  /* -o -, a character device (/dev/null), a FIFO */
	const struct flame_format *unnamed; /* -o naming no format, or NULL */
};
/* Sets *f (NULL: no default applied; the caller asks for a format) and
 * returns EXIT_OK, or prints why the name to is no writer and returns
 * EXIT_USAGE. */
int flame_pick_writer(const char *cmd, const char *to, const char *path,
		      const struct flame_writer_defaults *d, const struct flame_format **f);
/* The table of 'flame formats' and 'flame convert --list'. */
void flame_list_formats(void);
/* "flame CMD: note: no DWARF ..." naming the files (at most five, most
 * sampled first) where --inline or --srcline found no line tables. */
struct flame_dso;
void flame_note_no_dwarf(const char *cmd, struct flame_dso *const *dsos, size_t n);

#endif
