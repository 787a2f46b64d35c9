#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/io.h"
#include "../core/record/symbolizer.h"
#include "../core/util.h"
#include "../formats/folded.h"
#include "../formats/registry.h"
#include "cmd.h"

static const char *command = "flame";

void flame_set_command(const char *name)
{
	command = name;
}

const char *flame_command(void)
{
	return command;
}

static void say(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "flame %s: %s", command, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cmd_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

void cmd_warning(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("warning: ", fmt, ap);
	va_end(ap);
}

void cmd_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say("note: ", fmt, ap);
	va_end(ap);
}

int flame_report_error(const struct flame_error *err)
{
	cmd_error("%s", err->msg);
	return err->kind == FLAME_ERR_USAGE ? EXIT_USAGE : EXIT_DATA;
}

size_t flame_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 32 || lb > 32)
		return 99;
	size_t d[33][33];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

/* "flame CMD: reading FILE: 12.3 MB of 45.6 MB (27%, 310 MB/s)" on a terminal;
 * the rate counts every input of this reading.  One reading at a time
 * (the reader calls from the thread that reads), so the state is static. */
void flame_progress_line(void *ctx, const char *name, uint64_t done, uint64_t total)
{
	static int tty = -1, shown;
	static double t0;
	static const char *cur;  /* the input being read */
	static uint64_t base, at; /* bytes of the inputs before it; of it so far */
	(void)ctx;
	if (tty < 0)
		tty = isatty(2);
	if (!tty)
		return;
	if (!name) {
		/* the reading starts or ends */
		if (shown)
			fprintf(stderr, "\r\033[K");
		shown = 0;
		t0 = flame_now();
		cur = NULL;
		base = at = 0;
		return;
	}
	if (name != cur) {
		base += at;
		cur = name;
	}
	at = done;
	shown = 1;
	double dt = flame_now() - t0;
	if (total)
		fprintf(stderr, "\r\033[Kflame %s: reading %s: %.1f MB of %.1f MB (%.0f%%, %.0f MB/s)", command, name,
			(double)done / 1e6, (double)total / 1e6, 100.0 * (double)done / (double)total,
			dt > 0 ? (double)(base + done) / 1e6 / dt : 0.0);
	else
		fprintf(stderr, "\r\033[Kflame %s: reading %s: %.1f MB", command, name, (double)done / 1e6);
	fflush(stderr);
}

int flame_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "flame %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'flame %s --help' for more information.\n", cmd);
	return EXIT_USAGE;
}

int flame_parse_uint(const char *cmd, const char *opt, const char *s, unsigned long long max,
		     unsigned long long *out)
{
	char *end;
	errno = 0;
	if (!s || *s < '0' || *s > '9') {
		flame_usage_error(cmd, "%s expects a whole number, got '%s'", opt, s ? s : "");
		return -1;
	}
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max) {
		flame_usage_error(cmd, "%s expects a whole number from 0 to %llu, got '%s'", opt, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int flame_parse_double(const char *cmd, const char *opt, const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < 0) {
		flame_usage_error(cmd, "%s expects a non-negative number, got '%s'", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

int flame_parse_jobs(const char *cmd, const char *arg, unsigned long long *jobs)
{
	if (flame_parse_uint(cmd, "--jobs", arg, 1024, jobs) < 0)
		return -1;
	if (*jobs == 0)
		*jobs = (unsigned long long)flame_ncpus();
	return 0;
}

/* ":LINE" after a file name; "" for line 0 (binary inputs have no lines) */
static const char *line_suffix(uint64_t line, char *buf, size_t n)
{
	if (!line)
		return "";
	snprintf(buf, n, ":%llu", (unsigned long long)line);
	return buf;
}

uint64_t flame_report_quality(const struct flame_read_report *rep, int quiet)
{
	uint64_t warnings = 0;
	char ln[32];
	for (int k = 0; k < FLAME_DIAG_NKINDS; k++) {
		uint64_t n = rep->diag.count[k];
		if (!n)
			continue;
		const struct flame_diag_example *e = &rep->diag.ex[k][0];
		const char *file = rep->diag.nex[k] ? rep->files[e->chunk] : "";
		if (k == FLAME_DIAG_CHOICE) {
			for (int i = 0; i < rep->diag.nex[k] && !quiet; i++)
				cmd_note("%s: %s", rep->files[rep->diag.ex[k][i].chunk], rep->diag.ex[k][i].text);
			continue;
		}
		if (flame_diag_kind_is_note((enum flame_diag_kind)k)) {
			if (!quiet && rep->event_given)
				cmd_note("kept event '%s' (--event-filter); skipped %llu "
					 "sample%s of other events, first at %s%s (%s)",
					rep->event ? rep->event : "", (unsigned long long)n, n == 1 ? "" : "s",
					file, line_suffix(e->line, ln, sizeof(ln)), e->text);
			else if (!quiet)
				cmd_note("kept event '%s' (the first seen); skipped %llu "
					 "sample%s of other events, first at %s%s (%s); "
					 "choose with --event-filter",
					rep->event ? rep->event : "", (unsigned long long)n, n == 1 ? "" : "s",
					file, line_suffix(e->line, ln, sizeof(ln)), e->text);
			continue;
		}
		warnings += n;
		for (int i = 0; i < rep->diag.nex[k]; i++) {
			e = &rep->diag.ex[k][i];
			cmd_warning("%s%s: %s", rep->files[e->chunk],
				line_suffix(e->line, ln, sizeof(ln)), e->text);
		}
		if (n > (uint64_t)rep->diag.nex[k])
			cmd_warning("%llu lines skipped in all: %s",
				(unsigned long long)n, flame_diag_kind_name((enum flame_diag_kind)k));
	}
	return warnings;
}

static int by_samples(const void *a, const void *b)
{
	const struct flame_dso *x = *(const struct flame_dso *const *)a;
	const struct flame_dso *y = *(const struct flame_dso *const *)b;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return strcmp(x->path, y->path);
}

void flame_note_no_dwarf(const char *cmd, struct flame_dso *const *dsos, size_t n)
{
	const struct flame_dso **v = flame_xcalloc(n + 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (dsos[i]->no_dwarf)
			v[k++] = dsos[i];
	qsort(v, k, sizeof(*v), by_samples);
	if (k) {
		fprintf(stderr, "flame %s: note: no DWARF line tables (build with -g, or install the "
				"debug package) in", command);
		for (size_t i = 0; i < k && i < 5; i++)
			fprintf(stderr, "%s %s", i ? "," : "", v[i]->path);
		if (k > 5)
			fprintf(stderr, " and %zu more", k - 5);
		fputc('\n', stderr);
	}
	free(v);
}

int flame_write_profile(const struct flame_format *f, const struct flame_profile *p, const void *opts,
			const char *path, struct flame_error *err)
{
	struct flame_output *out;
	if (flame_output_open(&out, path, err) < 0)
		return -1;
	if (flame_format_write(f, p, opts, out, err) < 0) {
		flame_output_abort(out);
		return -1;
	}
	return flame_output_commit(out, err);
}

int flame_write_folded(const struct flame_profile *p, const char *path, struct flame_error *err)
{
	return flame_write_profile(&flame_format_folded, p, NULL, path, err);
}

/* "-", or a file that is no regular file: nothing to tell a format by */
static int is_stream(const char *path)
{
	struct stat st;
	if (strcmp(path, "-") == 0)
		return 1;
	return stat(path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) ||
					S_ISSOCK(st.st_mode));
}

int flame_pick_writer(const char *cmd, const char *to, const char *path,
		      const struct flame_writer_defaults *d, const struct flame_format **f)
{
	if (to) {
		*f = flame_format_find(to);
		if (!*f || !(*f)->write)
			return flame_usage_error(cmd, "%s '%s' (expected one of: %s)",
						 *f ? "cannot write format" : "unknown output format", to,
						 flame_format_writer_names(d->none ? d->none : d->stream));
		return EXIT_OK;
	}
	if (!path)
		*f = d->none;
	else if (!(*f = flame_format_for_path(path)))
		*f = is_stream(path) ? d->stream : d->unnamed;
	return EXIT_OK;
}

static void suffix_list(char *buf, size_t n, const char *s)
{
	size_t o = 0;
	buf[0] = '\0';
	for (; s && *s && o + 1 < n; s++)
		if (*s != ' ' || (o && buf[o - 1] != ','))
			buf[o++] = *s == ' ' ? ',' : *s;
	buf[o] = '\0';
	if (!o)
		snprintf(buf, n, "-");
}

void flame_list_formats(void)
{
	char suf[128];
	const struct flame_format *f;
	printf("%-11s %-5s %-5s %-5s %-32s %s\n", "FORMAT", "READ", "WRITE", "TIME", "SUFFIXES",
	       "DESCRIPTION");
	for (size_t i = 0; (f = flame_format_at(i)); i++) {
		suffix_list(suf, sizeof(suf), f->suffixes);
		printf("%-11s %-5s %-5s %-5s %-32s %s", f->name, f->parse ? "yes" : "-",
		       f->write ? "yes" : "-", f->write ? (f->shows_time ? "yes" : "no") : "-", suf,
		       f->summary);
		if (f->aliases && f->aliases[0]) {
			suffix_list(suf, sizeof(suf), f->aliases);
			printf(" (also: %s)", suf);
		}
		putchar('\n');
	}
}
