#include <string.h>

#include "../core/json.h"
#include "format.h"

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

const struct flame_format *flame_format_find(const char *name)
{
	for (int i = 0; flame_formats[i]; i++)
		if (strcmp(flame_formats[i]->name, name) == 0 || word_in(flame_formats[i]->aliases, name))
			return flame_formats[i];
	return NULL;
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
