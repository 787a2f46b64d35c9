#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/io.h"
#include "../core/symbolizer.h"
#include "../core/util.h"
#include "../formats/folded.h"
#include "cmd.h"

int flame_report_error(const struct flame_error *err)
{
	fprintf(stderr, "flame: %s\n", err->msg);
	return err->kind == FLAME_ERR_USAGE ? EXIT_USAGE : EXIT_DATA;
}

/* "flame: reading FILE: 12.3 MB of 45.6 MB (27%, 310 MB/s)" on a terminal;
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
		fprintf(stderr, "\r\033[Kflame: reading %s: %.1f MB of %.1f MB (%.0f%%, %.0f MB/s)", name,
			(double)done / 1e6, (double)total / 1e6, 100.0 * (double)done / (double)total,
			dt > 0 ? (double)(base + done) / 1e6 / dt : 0.0);
	else
		fprintf(stderr, "\r\033[Kflame: reading %s: %.1f MB", name, (double)done / 1e6);
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

int flame_common_option(const char *cmd, int c, const char *usage, char *const argv[])
{
	switch (c) {
	case 'h':
		fputs(usage, stdout);
		return EXIT_OK;
	case 'V':
		printf("flame %s\n", FLAME_VERSION);
		return EXIT_OK;
	case ':':
		return flame_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
	default:
		return flame_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
	}
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
		if (flame_diag_kind_is_note((enum flame_diag_kind)k)) {
			if (!quiet && rep->event_given)
				fprintf(stderr,
					"flame: note: kept event '%s' (--event-filter); skipped %llu "
					"sample%s of other events, first at %s%s (%s)\n",
					rep->event ? rep->event : "", (unsigned long long)n, n == 1 ? "" : "s",
					file, line_suffix(e->line, ln, sizeof(ln)), e->text);
			else if (!quiet)
				fprintf(stderr,
					"flame: note: kept event '%s' (the first seen); skipped %llu "
					"sample%s of other events, first at %s%s (%s); "
					"choose with --event-filter\n",
					rep->event ? rep->event : "", (unsigned long long)n, n == 1 ? "" : "s",
					file, line_suffix(e->line, ln, sizeof(ln)), e->text);
			continue;
		}
		warnings += n;
		for (int i = 0; i < rep->diag.nex[k]; i++) {
			e = &rep->diag.ex[k][i];
			fprintf(stderr, "flame: warning: %s%s: %s\n", rep->files[e->chunk],
				line_suffix(e->line, ln, sizeof(ln)), e->text);
		}
		if (n > (uint64_t)rep->diag.nex[k])
			fprintf(stderr, "flame: warning: %llu lines skipped in all: %s\n",
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
				"debug package) in", cmd);
		for (size_t i = 0; i < k && i < 5; i++)
			fprintf(stderr, "%s %s", i ? "," : "", v[i]->path);
		if (k > 5)
			fprintf(stderr, " and %zu more", k - 5);
		fputc('\n', stderr);
	}
	free(v);
}

int flame_write_folded(const struct flame_profile *p, const char *path, struct flame_error *err)
{
	struct flame_output *out;
	if (flame_output_open(&out, path, err) < 0)
		return -1;
	if (flame_folded_write(p, out, err) < 0) {
		flame_output_abort(out);
		return -1;
	}
	return flame_output_commit(out, err);
}
