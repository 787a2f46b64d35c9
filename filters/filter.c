#include "filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stacks.h"

void flame_filter_init(struct flame_filter *f)
{
	memset(f, 0, sizeof(*f));
}

void flame_filter_release(struct flame_filter *f)
{
	for (size_t i = 0; i < f->nsteps; i++) {
		struct flame_filter_step *s = &f->steps[i];
		flame_regex_release(&s->re);
		free(s->replacement);
		flame_id_list_release(&s->ids);
	}
	free(f->steps);
	memset(f, 0, sizeof(*f));
}

static int is_regex_op(enum flame_filter_op op)
{
	switch (op) {
	case FLAME_FILTER_GREP:
	case FLAME_FILTER_GREP_V:
	case FLAME_FILTER_FOCUS:
	case FLAME_FILTER_FOCUS_ROOT:
	case FLAME_FILTER_IGNORE:
	case FLAME_FILTER_HIDE:
	case FLAME_FILTER_PRUNE_FROM:
	case FLAME_FILTER_COMM:
		return 1;
	default:
		return 0;
	}
}

static int parse_count(const char *opt, const char *arg, uint64_t *out, struct flame_error *err)
{
	char *end;
	errno = 0;
	unsigned long long v = arg && *arg >= '0' && *arg <= '9' ? strtoull(arg, &end, 10) : 0;
	if (!arg || !(*arg >= '0' && *arg <= '9') || errno || *end || v == 0)
		return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
				       "%s expects a whole number of at least 1, got '%s'", opt,
				       arg ? arg : "");
	*out = v;
	return 0;
}

int flame_filter_add(struct flame_filter *f, enum flame_filter_op op, const char *opt,
		     const char *arg, int icase, struct flame_error *err)
{
	struct flame_filter_step s;
	memset(&s, 0, sizeof(s));
	s.op = op;
	s.option = opt;
	unsigned flags = icase ? FLAME_REGEX_ICASE : 0;
	if (is_regex_op(op)) {
		if (flame_regex_compile(&s.re, arg, flags, opt, err) < 0)
			return -1;
	} else if (op == FLAME_FILTER_REPLACE) {
		struct flame_sed sed;
		if (flame_sed_parse(&sed, arg, opt, err) < 0)
			return -1;
		if (sed.icase)
			flags |= FLAME_REGEX_ICASE;
		if (flame_regex_compile(&s.re, sed.re, flags, opt, err) < 0 ||
		    flame_regex_check_replacement(&s.re, sed.rep, err) < 0) {
			flame_regex_release(&s.re);
			flame_sed_release(&sed);
			return -1;
		}
		s.replacement = sed.rep;
		s.global = sed.global;
		sed.rep = NULL;
		flame_sed_release(&sed);
	} else if (op == FLAME_FILTER_MAX_DEPTH || op == FLAME_FILTER_TOP) {
		if (parse_count(opt, arg, &s.n, err) < 0)
			return -1;
	} else if (op == FLAME_FILTER_MIN_WEIGHT || op == FLAME_FILTER_MIN_PERCENT) {
		if (flame_decimal_parse(&s.value, arg) < 0 ||
		    (op == FLAME_FILTER_MIN_PERCENT && (s.value.ip > 100 ||
							(s.value.ip == 100 && s.value.fp))))
			return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
					       op == FLAME_FILTER_MIN_PERCENT
						       ? "%s expects a percentage from 0 to 100, got '%s'"
						       : "%s expects a non-negative number, got '%s'",
					       opt, arg);
	} else if (op == FLAME_FILTER_PID || op == FLAME_FILTER_TID) {
		if (flame_id_list_parse(&s.ids, arg, opt, err) < 0) {
			flame_id_list_release(&s.ids);
			return -1;
		}
	}
	if (s.re.code && s.re.ncaptures > f->max_captures)
		f->max_captures = s.re.ncaptures;
	f->steps = flame_xrealloc(f->steps, (f->nsteps + 1) * sizeof(*f->steps));
	f->steps[f->nsteps++] = s;
	return 0;
}

int flame_filter_is_grep_only(const struct flame_filter *f)
{
	for (size_t i = 0; i < f->nsteps; i++)
		if (f->steps[i].op != FLAME_FILTER_GREP && f->steps[i].op != FLAME_FILTER_GREP_V)
			return 0;
	return 1;
}

int flame_filter_grep_line(const struct flame_filter *f, struct flame_matcher *m,
			   const char *text, size_t len, struct flame_error *err)
{
	for (size_t i = 0; i < f->nsteps; i++) {
		const struct flame_filter_step *s = &f->steps[i];
		int r = flame_regex_match(&s->re, m, text, len, err);
		if (r < 0)
			return -1;
		if (r != (s->op == FLAME_FILTER_GREP))
			return 0;
	}
	return 1;
}

/* ---- one step ---- */

struct pass {
	const struct flame_filter_step *st;
	struct flame_profile *p;
	struct flame_matcher *m;
	struct flame_error *err;
	uint8_t *memo;  /* per name id: 0 not asked yet, 1 no match, 2 match */
	size_t nmemo;
	int failed;
};

static int name_matches(struct pass *ps, uint32_t name)
{
	if (name < ps->nmemo && ps->memo[name])
		return ps->memo[name] - 1;
	size_t len;
	const char *s = flame_strtab_name(&ps->p->names, name, &len);
	int r = flame_regex_match(&ps->st->re, ps->m, s, len, ps->err);
	if (r < 0) {
		ps->failed = 1;
		return 0;
	}
	if (name < ps->nmemo)
		ps->memo[name] = (uint8_t)(r + 1);
	return r;
}

static int has_weight(const struct flame_node *nd)
{
	return nd->self[0] || nd->self[1];
}

static void zero(struct flame_node *nd)
{
	nd->self[0] = nd->self[1] = 0;
}

static uint64_t weight_of(const struct flame_node *nd)
{
	return nd->self[0] > nd->self[1] ? nd->self[0] : nd->self[1];
}

/* A new profile that takes over old's string table, so name ids stay the
 * same and renamed frames are interned beside them. */
static void rebuild_begin(struct flame_profile *old, struct flame_profile *np)
{
	flame_profile_init(np);
	flame_strtab_release(&np->names);
	np->names = old->names;
	memset(&old->names, 0, sizeof(old->names));
	np->ncols = old->ncols;
	np->scale_digits = old->scale_digits;
	np->unit = old->unit;
	np->overflow = old->overflow;
	np->nstacks = old->nstacks;
}

static void rebuild_end(struct flame_profile *old, struct flame_profile *np)
{
	flame_profile_release(old);
	*old = *np;
}

static void move_weight(struct flame_profile *np, uint32_t to, const struct flame_node *from)
{
	if (has_weight(from) && to != 0 && to != FLAME_NO_NODE)
		flame_profile_add_weight(np, to, from->self);
}

static int grep_cb(void *ctx, uint32_t node, const char *text, size_t len)
{
	struct pass *ps = ctx;
	int r = flame_regex_match(&ps->st->re, ps->m, text, len, ps->err);
	if (r < 0)
		return -1;
	if (r != (ps->st->op == FLAME_FILTER_GREP))
		zero(&ps->p->nodes[node]);
	return 0;
}

static int step_grep(struct pass *ps)
{
	return flame_profile_walk(ps->p, NULL, 0, grep_cb, ps) ? -1 : 0;
}

/* --focus, --ignore: whether a frame on the way from the root matches. */
static int step_through(struct pass *ps)
{
	struct flame_profile *p = ps->p;
	uint8_t *on = flame_xcalloc(p->nnodes, 1);
	int keep_on = ps->st->op == FLAME_FILTER_FOCUS;
	for (size_t n = 1; n < p->nnodes && !ps->failed; n++) {
		struct flame_node *nd = &p->nodes[n];
		on[n] = on[nd->parent] || name_matches(ps, nd->name);
		if (has_weight(nd) && on[n] != keep_on)
			zero(nd);
	}
	free(on);
	return ps->failed ? -1 : 0;
}

static int step_structural(struct pass *ps)
{
	struct flame_profile *old = ps->p, np;
	enum flame_filter_op op = ps->st->op;
	size_t nn = old->nnodes;
	uint32_t *to = flame_xmalloc(nn * sizeof(*to));
	uint8_t *flag = flame_xcalloc(nn, 1);       /* focus-root: under the new root; prune: cut */
	uint32_t *depth = op == FLAME_FILTER_MAX_DEPTH ? flame_xcalloc(nn, sizeof(*depth)) : NULL;
	rebuild_begin(old, &np);
	ps->p = &np; /* names are looked up in the new profile's (inherited) table */
	to[0] = 0;
	for (size_t n = 1; n < nn && !ps->failed; n++) {
		const struct flame_node *nd = &old->nodes[n];
		uint32_t par = to[nd->parent], name = nd->name;
		switch (op) {
		case FLAME_FILTER_HIDE:
			if (par == FLAME_NO_NODE)
				to[n] = FLAME_NO_NODE;
			else
				to[n] = name_matches(ps, name) ? par : flame_profile_child(&np, par, name, 1);
			break;
		case FLAME_FILTER_PRUNE_FROM:
			if (flag[nd->parent]) {
				to[n] = par;
				flag[n] = 1;
			} else {
				to[n] = flame_profile_child(&np, par, name, 1);
				flag[n] = (uint8_t)name_matches(ps, name);
			}
			break;
		case FLAME_FILTER_FOCUS_ROOT:
			if (flag[nd->parent]) {
				to[n] = flame_profile_child(&np, par, name, 1);
				flag[n] = 1;
			} else if (name_matches(ps, name)) {
				to[n] = flame_profile_child(&np, 0, name, 1);
				flag[n] = 1;
			} else {
				to[n] = FLAME_NO_NODE;
			}
			break;
		case FLAME_FILTER_COLLAPSE_RECURSION:
			if (par != 0 && np.nodes[par].name == name)
				to[n] = par;
			else
				to[n] = flame_profile_child(&np, par, name, 1);
			break;
		case FLAME_FILTER_MAX_DEPTH:
			depth[n] = depth[nd->parent] + 1;
			to[n] = depth[n] > ps->st->n ? par : flame_profile_child(&np, par, name, 1);
			break;
		default:
			to[n] = par;
			break;
		}
		move_weight(&np, to[n], nd);
	}
	ps->p = old;
	free(depth);
	free(flag);
	free(to);
	rebuild_end(old, &np);
	return ps->failed ? -1 : 0;
}

/* New name for one frame name, by the step's rule. */
static int rename_one(struct pass *ps, const char *s, size_t n, struct flame_buf *out)
{
	switch (ps->st->op) {
	case FLAME_FILTER_STRIP_OFFSETS:
		return flame_name_strip_offsets(s, n, out);
	case FLAME_FILTER_STRIP_ARGS:
		return flame_name_strip_args(s, n, out);
	case FLAME_FILTER_STRIP_TEMPLATES:
		return flame_name_strip_templates(s, n, out);
	default: {
		int r = flame_regex_replace(&ps->st->re, ps->m, s, n, ps->st->replacement,
					    strlen(ps->st->replacement), ps->st->global, ps->err);
		if (r < 0) {
			ps->failed = 1;
			return 0;
		}
		flame_buf_reset(out);
		flame_buf_add(out, ps->m->out.data, ps->m->out.len);
		return r > 0;
	}
	}
}

static int step_rename(struct pass *ps)
{
	struct flame_profile *old = ps->p, np;
	size_t nn = old->nnodes;
	size_t nnames = flame_strtab_count(&old->names);
	uint32_t *map = flame_xmalloc((nnames + 1) * sizeof(*map));
	memset(map, 0xff, (nnames + 1) * sizeof(*map));
	uint32_t *to = flame_xmalloc(nn * sizeof(*to));
	struct flame_buf b = FLAME_BUF_INIT;
	rebuild_begin(old, &np);
	to[0] = 0;
	for (size_t n = 1; n < nn && !ps->failed; n++) {
		const struct flame_node *nd = &old->nodes[n];
		uint32_t name = nd->name;
		if (map[name] == UINT32_MAX) {
			size_t len;
			const char *s = flame_strtab_name(&np.names, name, &len);
			if (rename_one(ps, s, len, &b)) {
				/* ';' separates frames in folded text: keep it out of names */
				for (size_t i = 0; i < b.len; i++)
					if (b.data[i] == ';')
						b.data[i] = ':';
				map[name] = flame_strtab_intern(&np.names, b.data ? b.data : "", b.len);
			} else {
				map[name] = name;
			}
		}
		to[n] = flame_profile_child(&np, to[nd->parent], map[name], 1);
		move_weight(&np, to[n], nd);
	}
	flame_buf_release(&b);
	free(to);
	free(map);
	rebuild_end(old, &np);
	return ps->failed ? -1 : 0;
}

static int step_min_weight(struct pass *ps)
{
	struct flame_profile *p = ps->p;
	uint64_t t = flame_decimal_fixed(&ps->st->value, p->scale_digits);
	for (size_t n = 1; n < p->nnodes; n++) {
		struct flame_node *nd = &p->nodes[n];
		if (has_weight(nd) && weight_of(nd) < t)
			zero(nd);
	}
	return 0;
}

static const uint64_t p10[] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
				10000000ULL, 100000000ULL, 1000000000ULL };

static int step_min_percent(struct pass *ps)
{
	struct flame_profile *p = ps->p;
	const struct flame_decimal *v = &ps->st->value;
	/* self / total >= P / 100  <=>  self * 100 * 10^d >= total * (P * 10^d) */
	unsigned __int128 pd = (unsigned __int128)v->ip * p10[v->digits] + v->fp;
	unsigned __int128 bound[2];
	uint64_t total[2] = { flame_profile_total(p, 0), flame_profile_total(p, 1) };
	for (int c = 0; c < 2; c++)
		bound[c] = (unsigned __int128)total[c] * pd;
	unsigned __int128 k = (unsigned __int128)100 * p10[v->digits];
	for (size_t n = 1; n < p->nnodes; n++) {
		struct flame_node *nd = &p->nodes[n];
		if (!has_weight(nd))
			continue;
		int keep = 0;
		for (int c = 0; c < 2; c++)
			if (total[c] && (unsigned __int128)nd->self[c] * k >= bound[c])
				keep = 1;
		if (!keep)
			zero(nd);
	}
	return 0;
}

struct ranked {
	uint32_t node;
	uint64_t w;
	char *text; /* only for ties at the cut */
	size_t len;
};

static int by_weight_desc(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return x->w > y->w ? -1 : x->w < y->w;
}

static int by_text(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return flame_stack_cmp(x->text, x->len, y->text, y->len);
}

static int step_top(struct pass *ps)
{
	struct flame_profile *p = ps->p;
	struct ranked *r = NULL;
	size_t nr = 0, cap = 0;
	for (size_t n = 1; n < p->nnodes; n++) {
		if (!has_weight(&p->nodes[n]))
			continue;
		FLAME_GROW(r, cap, nr + 1);
		r[nr++] = (struct ranked){ (uint32_t)n, weight_of(&p->nodes[n]), NULL, 0 };
	}
	uint64_t keep = ps->st->n;
	if (nr > keep) {
		qsort(r, nr, sizeof(*r), by_weight_desc);
		/* Stacks as heavy as the last one kept: the first by text win,
		 * so the answer does not depend on the order nodes were made. */
		uint64_t w = r[keep - 1].w;
		size_t lo = keep - 1, hi = keep;
		while (lo > 0 && r[lo - 1].w == w)
			lo--;
		while (hi < nr && r[hi].w == w)
			hi++;
		if (hi > keep) {
			struct flame_buf b = FLAME_BUF_INIT;
			for (size_t i = lo; i < hi; i++) {
				flame_buf_reset(&b);
				flame_stack_text(p, r[i].node, &b);
				r[i].text = flame_xmemdup(b.data ? b.data : "", b.len);
				r[i].len = b.len;
			}
			flame_buf_release(&b);
			qsort(r + lo, hi - lo, sizeof(*r), by_text);
			for (size_t i = lo; i < hi; i++)
				free(r[i].text);
		}
		for (size_t i = keep; i < nr; i++)
			zero(&p->nodes[r[i].node]);
	}
	free(r);
	return 0;
}

static int step_root(struct pass *ps, struct flame_filter_report *rep)
{
	struct flame_profile *p = ps->p;
	enum flame_filter_op op = ps->st->op;
	uint8_t *keep = flame_xcalloc(p->nnodes, 1);
	int any_id = 0;
	for (size_t n = 1; n < p->nnodes && !ps->failed; n++) {
		struct flame_node *nd = &p->nodes[n];
		if (nd->parent == 0) {
			size_t len;
			const char *s = flame_strtab_name(&p->names, nd->name, &len);
			struct flame_root_info ri;
			flame_root_parse(s, len, &ri);
			if (op == FLAME_FILTER_PID) {
				any_id |= ri.has_pid;
				keep[n] = ri.has_pid && flame_id_list_has(&ps->st->ids, ri.pid);
			} else if (op == FLAME_FILTER_TID) {
				any_id |= ri.has_tid;
				keep[n] = ri.has_tid && flame_id_list_has(&ps->st->ids, ri.tid);
			} else {
				int r = flame_regex_match(&ps->st->re, ps->m, s, ri.comm_len, ps->err);
				if (r < 0)
					ps->failed = 1;
				keep[n] = r > 0;
			}
		} else {
			keep[n] = keep[nd->parent];
		}
		if (!keep[n] && has_weight(nd))
			zero(nd);
	}
	if (op != FLAME_FILTER_COMM && !any_id && p->nnodes > 1)
		rep->no_pid_roots = 1;
	free(keep);
	return ps->failed ? -1 : 0;
}

static uint64_t count_stacks(const struct flame_profile *p)
{
	uint64_t k = 0;
	for (size_t n = 1; n < p->nnodes; n++)
		k += has_weight(&p->nodes[n]);
	return k;
}

int flame_filter_apply(const struct flame_filter *f, struct flame_profile *p,
		       struct flame_filter_report *rep, struct flame_error *err)
{
	memset(rep, 0, sizeof(*rep));
	rep->stacks_in = count_stacks(p);
	struct flame_matcher m;
	flame_matcher_init(&m, f->max_captures);
	int rc = 0;
	for (size_t i = 0; i < f->nsteps && rc == 0; i++) {
		struct pass ps = { &f->steps[i], p, &m, err, NULL, 0, 0 };
		if (is_regex_op(f->steps[i].op)) {
			ps.nmemo = flame_strtab_count(&p->names);
			ps.memo = flame_xcalloc(ps.nmemo + 1, 1);
		}
		switch (f->steps[i].op) {
		case FLAME_FILTER_GREP:
		case FLAME_FILTER_GREP_V:
			rc = step_grep(&ps);
			break;
		case FLAME_FILTER_FOCUS:
		case FLAME_FILTER_IGNORE:
			rc = step_through(&ps);
			break;
		case FLAME_FILTER_FOCUS_ROOT:
		case FLAME_FILTER_HIDE:
		case FLAME_FILTER_PRUNE_FROM:
		case FLAME_FILTER_COLLAPSE_RECURSION:
		case FLAME_FILTER_MAX_DEPTH:
			rc = step_structural(&ps);
			break;
		case FLAME_FILTER_REPLACE:
		case FLAME_FILTER_STRIP_OFFSETS:
		case FLAME_FILTER_STRIP_ARGS:
		case FLAME_FILTER_STRIP_TEMPLATES:
			rc = step_rename(&ps);
			break;
		case FLAME_FILTER_MIN_WEIGHT:
			rc = step_min_weight(&ps);
			break;
		case FLAME_FILTER_MIN_PERCENT:
			rc = step_min_percent(&ps);
			break;
		case FLAME_FILTER_TOP:
			rc = step_top(&ps);
			break;
		case FLAME_FILTER_PID:
		case FLAME_FILTER_TID:
		case FLAME_FILTER_COMM:
			rc = step_root(&ps, rep);
			break;
		}
		free(ps.memo);
	}
	flame_matcher_release(&m);
	if (rc < 0)
		return -1;
	flame_profile_compact(p);
	rep->stacks_out = p->nstacks;
	return 0;
}
