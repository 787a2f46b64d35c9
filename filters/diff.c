#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"

static const uint64_t p10[] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
				10000000ULL, 100000000ULL, 1000000000ULL };

/* Add src's weights (column 0) to column col of out, at out's scale. */
static void add_column(struct flame_profile *out, const struct flame_profile *src, int col,
		       int strip_hex)
{
	size_t nnames = flame_strtab_count(&src->names);
	uint32_t *map = flame_xmalloc((nnames + 1) * sizeof(*map));
	memset(map, 0xff, (nnames + 1) * sizeof(*map));
	uint32_t *to = flame_xmalloc(src->nnodes * sizeof(*to));
	uint64_t m = p10[out->scale_digits - src->scale_digits];
	struct flame_buf b = FLAME_BUF_INIT;
	to[0] = 0;
	for (size_t n = 1; n < src->nnodes; n++) {
		const struct flame_node *nd = &src->nodes[n];
		if (map[nd->name] == UINT32_MAX) {
			size_t len;
			const char *s = flame_strtab_name(&src->names, nd->name, &len);
			if (strip_hex && flame_name_strip_hex(s, len, &b))
				map[nd->name] = flame_strtab_intern(&out->names, b.data, b.len);
			else
				map[nd->name] = flame_strtab_intern(&out->names, s, len);
		}
		to[n] = flame_profile_child(out, to[nd->parent], map[nd->name], 1);
		if (nd->self[0]) {
			uint64_t w[2] = { 0, 0 };
			if (__builtin_mul_overflow(nd->self[0], m, &w[col])) {
				w[col] = UINT64_MAX;
				out->overflow = 1;
			}
			flame_profile_add_weight(out, to[n], w);
		}
	}
	flame_buf_release(&b);
	free(to);
	free(map);
}

int flame_diff_combine(const struct flame_profile *before, const struct flame_profile *after,
		       const struct flame_diff_opts *o, struct flame_profile *out, uint8_t **present,
		       struct flame_diff_totals *tot, struct flame_error *err)
{
	*present = NULL;
	flame_profile_init(out);
	out->ncols = 2;
	out->unit = after->unit;
	out->scale_digits = before->scale_digits > after->scale_digits ? before->scale_digits
									: after->scale_digits;
	out->overflow = before->overflow || after->overflow;
	add_column(out, before, 0, o->strip_hex);
	add_column(out, after, 1, o->strip_hex);
	out->nstacks = 0;
	uint8_t *pr = flame_xcalloc(out->nnodes, 1);
	for (size_t n = 1; n < out->nnodes; n++)
		if (out->nodes[n].self[0] || out->nodes[n].self[1]) {
			pr[n] = 1;
			out->nstacks++;
		}
	*present = pr;
	memset(tot, 0, sizeof(*tot));
	tot->scale_digits = out->scale_digits;
	tot->stacks = out->nstacks;
	if (out->overflow)
		return flame_error_set(err, FLAME_ERR_DATA, NULL, 0,
				       "a stack's total weight does not fit in 64 bits");
	tot->before = flame_profile_total(out, 0);
	tot->after = flame_profile_total(out, 1);
	if (tot->before == UINT64_MAX || tot->after == UINT64_MAX)
		return flame_error_set(err, FLAME_ERR_DATA, NULL, 0,
				       "the total weight of an input does not fit in 64 bits");
	if (o->normalize && tot->before != tot->after && tot->before != 0) {
		tot->normalized = 1;
		for (size_t n = 1; n < out->nnodes; n++) {
			uint64_t *w = &out->nodes[n].self[0];
			if (*w)
				*w = (uint64_t)((unsigned __int128)*w * tot->after / tot->before);
		}
	}
	return 0;
}

/* The noise floor of the change table: min as weight units at p's scale,
 * or (percent) min percent of the larger total, rounded up. */
uint64_t flame_diff_min_delta(const struct flame_profile *p, const struct flame_decimal *min,
			      int percent)
{
	if (!percent)
		return flame_decimal_fixed(min, p->scale_digits);
	uint64_t tb = flame_profile_total(p, 0), ta = flame_profile_total(p, 1);
	uint64_t big = tb > ta ? tb : ta;
	unsigned __int128 f = (unsigned __int128)big * (min->ip * p10[min->digits] + min->fp);
	unsigned __int128 d = (unsigned __int128)100 * p10[min->digits];
	f = (f + d - 1) / d;
	return f > UINT64_MAX ? UINT64_MAX : (uint64_t)f;
}
