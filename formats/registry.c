/*
 * registry.c - every format, its names and suffixes, and detection
 * (formats/registry.h).
 */
#include <stdio.h>
#include <string.h>

#include "../core/json.h"
#include "registry.h"

/* Auto-detection asks every format; order only matters for listings. */
const struct flame_format *const flame_formats[] = {
	&flame_format_perf,
	&flame_format_perfdata,
	&flame_format_dtrace,
	&flame_format_folded,
	&flame_format_speedscope,
	&flame_format_chrome,
	&flame_format_cpuprofile,
	&flame_format_d3,
	&flame_format_firefox,
	&flame_format_pprof,
	NULL,
};

static int word_in(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		if ((size_t)(e - p) == n && n && memcmp(p, w, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

/* Writers from above formats/ (render/'s SVG), added at start-up. */
#define MAX_REGISTERED 8
static const struct flame_format *registered[MAX_REGISTERED];
static size_t nregistered;

static size_t nbuiltin(void)
{
	size_t n = 0;
	while (flame_formats[n])
		n++;
	return n;
}

const struct flame_format *flame_format_at(size_t i)
{
	size_t nb = nbuiltin();
	if (i < nb)
		return flame_formats[i];
	return i - nb < nregistered ? registered[i - nb] : NULL;
}

const struct flame_format *flame_format_find(const char *name)
{
	const struct flame_format *f;
	for (size_t i = 0; (f = flame_format_at(i)); i++)
		if (strcmp(f->name, name) == 0 || (f->aliases && word_in(f->aliases, name)))
			return f;
	return NULL;
}

int flame_format_register(const struct flame_format *f)
{
	const struct flame_format *had = flame_format_find(f->name);
	if (had)
		return had == f ? 0 : -1;
	if (nregistered == MAX_REGISTERED)
		return -1;
	registered[nregistered++] = f;
	return 0;
}

/* Does name end in one of the space-separated suffixes of list?  The
 * length of the longest that does, else 0. */
static size_t suffix_len(const char *list, const char *name, size_t n)
{
	size_t best = 0;
	const char *p = list;
	while (p && *p) {
		while (*p == ' ')
			p++;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		size_t k = (size_t)(e - p);
		if (k && k <= n && k > best && memcmp(name + n - k, p, k) == 0)
			best = k;
		p = e;
	}
	return best;
}

const struct flame_format *flame_format_for_path(const char *path)
{
	if (!path)
		return NULL;
	size_t n = strlen(path);
	if (n >= 4 && strcmp(path + n - 4, ".zst") == 0)
		n -= 4;
	const struct flame_format *f, *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; (f = flame_format_at(i)); i++) {
		size_t k = f->write ? suffix_len(f->suffixes, path, n) : 0;
		if (k > best_len) {
			best = f;
			best_len = k;
		}
	}
	return best;
}

const char *flame_format_writer_names(const struct flame_format *first)
{
	static char names[512];
	size_t o = 0;
	const struct flame_format *f;
	names[0] = '\0';
	if (first && first->write)
		o += (size_t)snprintf(names, sizeof(names), "%s", first->name);
	for (size_t i = 0; (f = flame_format_at(i)) && o < sizeof(names); i++)
		if (f->write && f != first)
			o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s", o ? ", " : "", f->name);
	return names;
}

int flame_format_write(const struct flame_format *f, const struct flame_profile *p,
		       const void *opts, struct flame_output *out, struct flame_error *err)
{
	if (f->write_opts)
		return f->write_opts(p, opts, out, err);
	return f->write(p, out, err);
}

static enum flame_probe probe_window(const struct flame_format *f, const char *buf, size_t len,
				     int eof, size_t window)
{
	size_t n = len < window ? len : window;
	return f->probe(buf, n, eof && n == len);
}

enum flame_probe flame_format_probe(const struct flame_format *f, const char *buf, size_t len,
				    int eof)
{
	return probe_window(f, buf, len, eof, FLAME_PROBE_WINDOW);
}

static void detect_window(const char *buf, size_t len, int eof, unsigned which, size_t window,
			  struct flame_detect *d)
{
	memset(d, 0, sizeof(*d));
	const struct flame_format *f;
	for (size_t i = 0; (f = flame_format_at(i)); i++) {
		if (!f->probe || !f->parse || ((which & FLAME_DETECT_STREAMING) && !f->streaming))
			continue;
		enum flame_probe r = probe_window(f, buf, len, eof, window);
		if (r == FLAME_PROBE_YES) {
			if (d->nyes < 2)
				d->yes[d->nyes] = f;
			d->nyes++;
		} else if (r == FLAME_PROBE_MAYBE) {
			d->nmaybe++;
		}
	}
}

const struct flame_format *flame_format_detect(const char *buf, size_t len, int eof,
					       unsigned which, struct flame_detect *d)
{
	struct flame_detect mine;
	if (!d)
		d = &mine;
	detect_window(buf, len, eof, which, FLAME_PROBE_WINDOW, d);
	if (d->nyes == 0 && d->nmaybe && !(eof && len <= FLAME_PROBE_WINDOW)) {
		if (!eof && len < FLAME_PROBE_WINDOW_MAX) {
			d->need_more = 1;
			return NULL;
		}
		detect_window(buf, len, eof, which, FLAME_PROBE_WINDOW_MAX, d);
	}
	return d->nyes == 1 ? d->yes[0] : NULL;
}

const char *flame_format_names(void)
{
	static char names[256];
	if (!names[0]) {
		size_t o = 0;
		for (int i = 0; flame_formats[i]; i++) {
			size_t n = strlen(flame_formats[i]->name);
			if (o + n + 3 >= sizeof(names))
				break;
			if (i) {
				memcpy(names + o, ", ", 2);
				o += 2;
			}
			memcpy(names + o, flame_formats[i]->name, n);
			o += n;
		}
		names[o] = '\0';
	}
	return names;
}

enum flame_probe flame_probe_other_json_object(const char *buf, size_t len, int eof)
{
	size_t i = flame_json_start(buf, len);
	if (i >= len)
		return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
	if (buf[i] != '{' || memmem(buf, len, "\"traceEvents\"", 13) ||
	    memmem(buf, len, "speedscope.app/file-format-schema.json", 38))
		return FLAME_PROBE_NO;
	return FLAME_PROBE_YES;
}
