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

/* "flame: <msg>" on stderr; returns the exit code for err->kind. */
int flame_report_error(const struct flame_error *err);
/* Print "flame <cmd>: <fmt>" and a hint to --help; returns EXIT_USAGE. */
int flame_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A reader's progress callback (struct flame_reader_config): the
 * "flame: reading FILE: ..." line on stderr when it is a terminal. */
void flame_progress_line(void *ctx, const char *name, uint64_t done, uint64_t total);
/* The answers every command gives alike, for getopt_long's c: 'h' (usage
 * on standard output), 'V' (the version), ':' (an option without its
 * value) and anything else (an unknown option; optind as getopt left it).
 * Returns the exit code to leave with: EXIT_OK after help or version,
 * EXIT_USAGE after a message. */
int flame_common_option(const char *cmd, int c, const char *usage, char *const argv[]);
/* Parse a whole non-negative number for option opt; -1 on error (printed). */
int flame_parse_uint(const char *cmd, const char *opt, const char *s, unsigned long long max,
		     unsigned long long *out);
/* Parse -j/--jobs for cmd: 0 means all cores; -1 on error (printed). */
int flame_parse_jobs(const char *cmd, const char *arg, unsigned long long *jobs);
/* Print the data-quality notes of a read; returns the number of warnings. */
uint64_t flame_report_quality(const struct flame_read_report *rep, int quiet);
/* Write the profile as folded text to path ("-" or NULL = stdout), atomically. */
int flame_write_folded(const struct flame_profile *p, const char *path, struct flame_error *err);
/* "flame CMD: note: no DWARF ..." naming the files (at most five, most
 * sampled first) where --inline or --srcline found no line tables. */
struct flame_dso;
void flame_note_no_dwarf(const char *cmd, struct flame_dso *const *dsos, size_t n);

#endif
