#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "util.h"

static const char *const kind_names[FLAME_DIAG_NKINDS] = {
	[FLAME_DIAG_WEIRD_EVENT] = "weird event line",
	[FLAME_DIAG_WEIRD_STACK] = "weird stack line",
	[FLAME_DIAG_OTHER_EVENT] = "sample of another event",
	[FLAME_DIAG_BAD_FOLDED] = "malformed folded line",
	[FLAME_DIAG_BAD_DTRACE] = "dtrace header",
	[FLAME_DIAG_BAD_RECORD] = "malformed perf.data record",
	[FLAME_DIAG_SYMBOLS] = "file not as recorded",
	[FLAME_DIAG_LATE_EVENT] = "event out of start order, cut",
	[FLAME_DIAG_TIME_CLAMPED] = "negative time delta, clamped",
	[FLAME_DIAG_UNMATCHED] = "unmatched B/E event",
	[FLAME_DIAG_OVERLAP] = "events not nested, cut",
	[FLAME_DIAG_NO_NODE] = "sample of an undefined node",
	[FLAME_DIAG_CHOICE] = "reader's choice",
};

void flame_diag_init(struct flame_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void flame_diag_release(struct flame_diag *d)
{
	for (int k = 0; k < FLAME_DIAG_NKINDS; k++)
		for (int i = 0; i < d->nex[k]; i++)
			free(d->ex[k][i].text);
	memset(d, 0, sizeof(*d));
}

const char *flame_diag_kind_name(enum flame_diag_kind kind)
{
	return kind_names[kind];
}

int flame_diag_kind_is_note(enum flame_diag_kind kind)
{
	return kind == FLAME_DIAG_OTHER_EVENT || kind == FLAME_DIAG_CHOICE;
}

void flame_diag_add(struct flame_diag *d, enum flame_diag_kind kind, uint64_t chunk,
		    uint64_t line, const char *what, const char *text, size_t n)
{
	d->count[kind]++;
	if (d->nex[kind] >= FLAME_DIAG_KEEP)
		return;
	struct flame_buf b = FLAME_BUF_INIT;
	if (text) {
		char q[256];
		flame_quote(q, sizeof(q), text, n, 160);
		flame_buf_addf(&b, "%s: '%s'", what, q);
	} else {
		flame_buf_adds(&b, what);
	}
	struct flame_diag_example *e = &d->ex[kind][d->nex[kind]++];
	e->chunk = chunk;
	e->line = line;
	e->text = b.data;
}

static int ex_before(const struct flame_diag_example *a, const struct flame_diag_example *b)
{
	return a->chunk != b->chunk ? a->chunk < b->chunk : a->line < b->line;
}

void flame_diag_merge(struct flame_diag *dst, struct flame_diag *src)
{
	for (int k = 0; k < FLAME_DIAG_NKINDS; k++) {
		dst->count[k] += src->count[k];
		struct flame_diag_example all[2 * FLAME_DIAG_KEEP];
		int n = 0;
		for (int i = 0; i < dst->nex[k]; i++)
			all[n++] = dst->ex[k][i];
		for (int i = 0; i < src->nex[k]; i++)
			all[n++] = src->ex[k][i];
		/* insertion sort: at most six entries */
		for (int i = 1; i < n; i++) {
			struct flame_diag_example t = all[i];
			int j = i;
			while (j > 0 && ex_before(&t, &all[j - 1])) {
				all[j] = all[j - 1];
				j--;
			}
			all[j] = t;
		}
		int keep = n < FLAME_DIAG_KEEP ? n : FLAME_DIAG_KEEP;
		for (int i = 0; i < keep; i++)
			dst->ex[k][i] = all[i];
		for (int i = keep; i < n; i++)
			free(all[i].text);
		dst->nex[k] = keep;
		src->nex[k] = 0;
	}
	memset(src->count, 0, sizeof(src->count));
}
