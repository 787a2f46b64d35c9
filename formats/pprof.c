/*
 * pprof.c - pprof's profile.proto (perftools.profiles.Profile), gzipped
 * or not (core/io.c inflates gzip input).
 *
 * Reading takes the file whole (pprof files hold unique stacks already),
 * decodes the protobuf wire format by hand (packed and unpacked repeated
 * fields, unknown fields skipped), and picks one sample type: the one
 * named by --sample-type (TYPE or TYPE/UNIT), else default_sample_type,
 * else the last one, as pprof and speedscope do.  A Location with inlined
 * Lines gives one frame per Line, the physical caller outermost.
 *
 * Writing, gzipped: one Function and one Location per distinct frame name,
 * one Sample per stack with a nonzero weight, one sample type named after
 * the profile unit.  Values are integers: a profile with fractional
 * weights is written scaled by 10^digits, said in a comment
 * "flame:scale_digits=N" that flame reads back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../core/io.h"
#include "../core/util.h"
#include "format.h"
#include "stackbuild.h"

#define MAX_PPROF (1u << 30)

struct pp_parser {
	struct flame_parse_ctx *ctx;
	struct flame_buf data;
};

struct span {
	const uint8_t *p;
	size_t n;
};

struct rd {
	const uint8_t *p, *end;
	int bad;
};

static uint64_t varint(struct rd *r)
{
	uint64_t v = 0;
	for (int sh = 0; sh < 64; sh += 7) {
		if (r->p >= r->end) {
			r->bad = 1;
			return 0;
		}
		uint8_t b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << sh;
		if (!(b & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}

/* Next field: 0 at the end, -1 on bad data; *wt, *num, value or span. */
static int field(struct rd *r, int *num, int *wt, uint64_t *v, struct span *s)
{
	if (r->p >= r->end)
		return 0;
	uint64_t key = varint(r);
	if (r->bad || key >> 3 == 0 || key >> 3 > 0x1fffffff)
		return -1;
	*num = (int)(key >> 3);
	*wt = (int)(key & 7);
	switch (*wt) {
	case 0:
		*v = varint(r);
		return r->bad ? -1 : 1;
	case 1:
		if (r->end - r->p < 8)
			return -1;
		r->p += 8;
		return 1;
	case 5:
		if (r->end - r->p < 4)
			return -1;
		r->p += 4;
		return 1;
	case 2: {
		uint64_t n = varint(r);
		if (r->bad || n > (uint64_t)(r->end - r->p))
			return -1;
		s->p = r->p;
		s->n = (size_t)n;
		r->p += n;
		return 1;
	}
	default:
		return -1;
	}
}

/* Repeated uint64: one varint (unpacked) or a packed blob. */
static int rep_u64(int wt, uint64_t v, struct span s, uint64_t **arr, size_t *n, size_t *cap)
{
	if (wt == 0) {
		FLAME_GROW(*arr, *cap, *n + 1);
		(*arr)[(*n)++] = v;
		return 0;
	}
	if (wt != 2)
		return -1;
	struct rd r = { s.p, s.p + s.n, 0 };
	while (r.p < r.end) {
		uint64_t x = varint(&r);
		if (r.bad)
			return -1;
		FLAME_GROW(*arr, *cap, *n + 1);
		(*arr)[(*n)++] = x;
	}
	return 0;
}

struct func {
	uint64_t id, name;
};
struct loc {
	uint64_t id, addr;
	uint64_t *fns; /* function id per Line, innermost first */
	size_t nfns, cap;
};

static int cmp_func(const void *a, const void *b)
{
	const struct func *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_loc(const void *a, const void *b)
{
	const struct loc *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

struct decoded {
	struct span *strs;
	size_t nstrs, strs_cap;
	uint64_t (*types)[2];
	size_t ntypes, types_cap;
	struct span *samples;
	size_t nsamples, samples_cap;
	struct func *funcs;
	size_t nfuncs, funcs_cap;
	struct loc *locs;
	size_t nlocs, locs_cap;
	uint64_t default_type;
	int scale_digits;
	uint64_t *comments;
	size_t ncomments, comments_cap;
	char why[160]; /* a message made for this file */
};

static void decoded_free(struct decoded *d)
{
	for (size_t i = 0; i < d->nlocs; i++)
		free(d->locs[i].fns);
	free(d->strs);
	free(d->types);
	free(d->samples);
	free(d->funcs);
	free(d->locs);
	free(d->comments);
}

static int str_is(const struct decoded *d, uint64_t i, const char *s, size_t n)
{
	return i < d->nstrs && d->strs[i].n == n && memcmp(d->strs[i].p, s, n) == 0;
}

static int decode(struct pp_parser *pp, struct decoded *d, const char **why)
{
	struct rd r = { (const uint8_t *)pp->data.data, (const uint8_t *)pp->data.data + pp->data.len, 0 };
	int num, wt, rc;
	uint64_t v = 0;
	struct span s = { NULL, 0 };
	while ((rc = field(&r, &num, &wt, &v, &s)) > 0) {
		if (wt != 2 && (num == 1 || num == 2 || num == 3 || num == 4 || num == 5 || num == 6)) {
			*why = "a message field has the wrong wire type";
			return -1;
		}
		switch (num) {
		case 1: { /* ValueType */
			struct rd m = { s.p, s.p + s.n, 0 };
			uint64_t t[2] = { 0, 0 }, x;
			int n2, w2, rc2;
			struct span s2;
			while ((rc2 = field(&m, &n2, &w2, &x, &s2)) > 0)
				if ((n2 == 1 || n2 == 2) && w2 == 0)
					t[n2 - 1] = x;
			if (rc2 < 0) {
				*why = "bad sample_type";
				return -1;
			}
			FLAME_GROW(d->types, d->types_cap, d->ntypes + 1);
			d->types[d->ntypes][0] = t[0];
			d->types[d->ntypes++][1] = t[1];
			break;
		}
		case 2:
			FLAME_GROW(d->samples, d->samples_cap, d->nsamples + 1);
			d->samples[d->nsamples++] = s;
			break;
		case 4: { /* Location */
			struct rd m = { s.p, s.p + s.n, 0 };
			struct loc L;
			memset(&L, 0, sizeof(L));
			uint64_t x;
			int n2, w2, rc2;
			struct span s2;
			while ((rc2 = field(&m, &n2, &w2, &x, &s2)) > 0) {
				if (n2 == 1 && w2 == 0)
					L.id = x;
				else if (n2 == 3 && w2 == 0)
					L.addr = x;
				else if (n2 == 4 && w2 == 2) {
					struct rd ln = { s2.p, s2.p + s2.n, 0 };
					uint64_t y, fid = 0;
					int n3, w3, rc3;
					struct span s3;
					while ((rc3 = field(&ln, &n3, &w3, &y, &s3)) > 0)
						if (n3 == 1 && w3 == 0)
							fid = y;
					if (rc3 < 0)
						rc2 = -1;
					FLAME_GROW(L.fns, L.cap, L.nfns + 1);
					L.fns[L.nfns++] = fid;
				}
			}
			if (rc2 < 0 || L.id == 0) {
				free(L.fns);
				*why = rc2 < 0 ? "bad location" : "a location has id 0";
				return -1;
			}
			FLAME_GROW(d->locs, d->locs_cap, d->nlocs + 1);
			d->locs[d->nlocs++] = L;
			break;
		}
		case 5: { /* Function */
			struct rd m = { s.p, s.p + s.n, 0 };
			struct func F = { 0, 0 };
			uint64_t x;
			int n2, w2, rc2;
			struct span s2;
			while ((rc2 = field(&m, &n2, &w2, &x, &s2)) > 0) {
				if (n2 == 1 && w2 == 0)
					F.id = x;
				else if (n2 == 2 && w2 == 0)
					F.name = x;
			}
			if (rc2 < 0 || F.id == 0) {
				*why = rc2 < 0 ? "bad function" : "a function has id 0";
				return -1;
			}
			FLAME_GROW(d->funcs, d->funcs_cap, d->nfuncs + 1);
			d->funcs[d->nfuncs++] = F;
			break;
		}
		case 6:
			FLAME_GROW(d->strs, d->strs_cap, d->nstrs + 1);
			d->strs[d->nstrs++] = s;
			break;
		case 13:
			if (rep_u64(wt, v, s, &d->comments, &d->ncomments, &d->comments_cap) < 0) {
				*why = "bad comment";
				return -1;
			}
			break;
		case 14:
			if (wt == 0)
				d->default_type = v;
			break;
		default:
			break;
		}
	}
	if (rc < 0) {
		*why = "not a protobuf message (bad field or length)";
		return -1;
	}
	if (!d->nstrs || d->strs[0].n != 0) {
		*why = "string_table must start with \"\"";
		return -1;
	}
	/* as pprof's own reader: every name resolves, ids are unique */
	for (size_t i = 0; i < d->nfuncs; i++)
		if (d->funcs[i].name >= d->nstrs) {
			snprintf(d->why, sizeof(d->why), "function %llu: name index %llu out of range of the "
				 "string table of %zu", (unsigned long long)d->funcs[i].id,
				 (unsigned long long)d->funcs[i].name, d->nstrs);
			*why = d->why;
			return -1;
		}
	if (d->nfuncs > 1)
		qsort(d->funcs, d->nfuncs, sizeof(*d->funcs), cmp_func);
	if (d->nlocs > 1)
		qsort(d->locs, d->nlocs, sizeof(*d->locs), cmp_loc);
	for (size_t i = 1; i < d->nfuncs; i++)
		if (d->funcs[i].id == d->funcs[i - 1].id) {
			snprintf(d->why, sizeof(d->why), "two functions have id %llu (pprof rejects such a "
				 "profile)", (unsigned long long)d->funcs[i].id);
			*why = d->why;
			return -1;
		}
	for (size_t i = 1; i < d->nlocs; i++)
		if (d->locs[i].id == d->locs[i - 1].id) {
			snprintf(d->why, sizeof(d->why), "two locations have id %llu (pprof rejects such a "
				 "profile)", (unsigned long long)d->locs[i].id);
			*why = d->why;
			return -1;
		}
	for (size_t i = 0; i < d->ncomments; i++)
		if (d->comments[i] < d->nstrs) {
			const struct span *c = &d->strs[d->comments[i]];
			if (c->n == 20 && memcmp(c->p, "flame:scale_digits=", 19) == 0 && c->p[19] >= '0' &&
			    c->p[19] <= '9')
				d->scale_digits = c->p[19] - '0';
		}
	return 0;
}

static int pick_type(struct pp_parser *pp, const struct decoded *d, size_t *out)
{
	const char *want = pp->ctx->opts->sample_type;
	if (!d->ntypes)
		return flame_parse_fail(pp->ctx, 0, "pprof: no sample_type");
	if (want) {
		const char *slash = strchr(want, '/');
		size_t tl = slash ? (size_t)(slash - want) : strlen(want);
		for (size_t i = 0; i < d->ntypes; i++)
			if (str_is(d, d->types[i][0], want, tl) &&
			    (!slash || str_is(d, d->types[i][1], slash + 1, strlen(slash + 1)))) {
				*out = i;
				return 0;
			}
		struct flame_buf names = FLAME_BUF_INIT;
		for (size_t i = 0; i < d->ntypes; i++) {
			uint64_t t = d->types[i][0], u = d->types[i][1];
			if (i)
				flame_buf_adds(&names, ", ");
			if (t < d->nstrs)
				flame_buf_add(&names, d->strs[t].p, d->strs[t].n);
			flame_buf_addc(&names, '/');
			if (u < d->nstrs)
				flame_buf_add(&names, d->strs[u].p, d->strs[u].n);
		}
		flame_parse_fail(pp->ctx, 0, "pprof: no sample type '%s' (the file has: %s)", want,
				 names.data ? names.data : "");
		flame_buf_release(&names);
		return -1;
	}
	*out = d->ntypes - 1;
	if (d->default_type)
		for (size_t i = 0; i < d->ntypes; i++)
			if (d->types[i][0] == d->default_type)
				*out = i;
	return 0;
}

static int pp_finish(struct pp_parser *pp)
{
	struct flame_profile *p = pp->ctx->prof;
	struct decoded d;
	memset(&d, 0, sizeof(d));
	const char *why = NULL;
	int ret = -1;
	uint64_t *locs = NULL, *vals = NULL;
	size_t nl = 0, nlc = 0, nv = 0, nvc = 0;
	uint32_t *ids = NULL;
	size_t ids_cap = 0;
	if (decode(pp, &d, &why) < 0) {
		flame_parse_fail(pp->ctx, 0, "pprof: %s", why);
		goto out;
	}
	size_t ti = 0;
	if (pick_type(pp, &d, &ti) < 0)
		goto out;
	uint64_t unit = d.types[ti][1];
	int shift = 0;
	enum flame_unit u = FLAME_UNIT_SAMPLES;
	if (str_is(&d, unit, "nanoseconds", 11))
		u = FLAME_UNIT_NANOSECONDS;
	else if (str_is(&d, unit, "microseconds", 12))
		u = FLAME_UNIT_NANOSECONDS, shift = 3;
	else if (str_is(&d, unit, "milliseconds", 12))
		u = FLAME_UNIT_NANOSECONDS, shift = 6;
	else if (str_is(&d, unit, "seconds", 7))
		u = FLAME_UNIT_NANOSECONDS, shift = 9;
	else if (str_is(&d, unit, "bytes", 5))
		u = FLAME_UNIT_BYTES;
	p->unit = u;
	if (d.scale_digits > p->scale_digits)
		flame_sb_rescale(p, d.scale_digits);
	uint64_t mul = 1;
	for (int i = 0; i < shift; i++)
		mul *= 10;
	for (int i = d.scale_digits; i < p->scale_digits; i++)
		mul *= 10;
	for (size_t si = 0; si < d.nsamples; si++) {
		struct rd m = { d.samples[si].p, d.samples[si].p + d.samples[si].n, 0 };
		int n2, w2, rc2;
		uint64_t x = 0;
		struct span s2 = { NULL, 0 };
		nl = nv = 0;
		while ((rc2 = field(&m, &n2, &w2, &x, &s2)) > 0) {
			if (n2 == 1 && rep_u64(w2, x, s2, &locs, &nl, &nlc) < 0)
				rc2 = -1;
			else if (n2 == 2 && rep_u64(w2, x, s2, &vals, &nv, &nvc) < 0)
				rc2 = -1;
			if (rc2 < 0)
				break;
		}
		if (rc2 < 0) {
			flame_parse_fail(pp->ctx, 0, "pprof: sample %zu: bad encoding", si);
			goto out;
		}
		if (nv != d.ntypes) {
			flame_parse_fail(pp->ctx, 0, "pprof: sample %zu has %zu values for %zu sample types", si,
					 nv, d.ntypes);
			goto out;
		}
		int64_t val = (int64_t)vals[ti];
		if (val < 0) {
			flame_parse_fail(pp->ctx, 0, "pprof: sample %zu has a negative value", si);
			goto out;
		}
		uint64_t w;
		if (__builtin_mul_overflow((uint64_t)val, mul, &w)) {
			flame_parse_fail(pp->ctx, 0, "pprof: sample %zu: value too large", si);
			goto out;
		}
		if (!w)
			continue;
		/* root first: locations from the last, lines from the last */
		size_t n = 0;
		for (size_t k = nl; k-- > 0;) {
			struct loc key = { locs[k], 0, NULL, 0, 0 };
			struct loc *L = d.nlocs ? bsearch(&key, d.locs, d.nlocs, sizeof(key), cmp_loc) : NULL;
			if (!L) {
				flame_parse_fail(pp->ctx, 0, "pprof: sample %zu: location id %llu is not defined", si,
						 (unsigned long long)locs[k]);
				goto out;
			}
			if (!L->nfns) {
				char a[32];
				int an = snprintf(a, sizeof(a), "0x%llx", (unsigned long long)L->addr);
				FLAME_GROW(ids, ids_cap, n + 1);
				ids[n++] = flame_strtab_intern(&p->names, a, (size_t)an);
				continue;
			}
			for (size_t q = L->nfns; q-- > 0;) {
				struct func fk = { L->fns[q], 0 };
				struct func *F = d.nfuncs ? bsearch(&fk, d.funcs, d.nfuncs, sizeof(fk), cmp_func) : NULL;
				if (!F) {
					flame_parse_fail(pp->ctx, 0, "pprof: location %llu: function %llu is not defined",
							 (unsigned long long)L->id, (unsigned long long)L->fns[q]);
					goto out;
				}
				FLAME_GROW(ids, ids_cap, n + 1);
				ids[n++] = flame_strtab_intern(&p->names, (const char *)d.strs[F->name].p,
							       d.strs[F->name].n);
			}
		}
		if (!n)
			continue;
		uint64_t ws[2] = { w, 0 };
		flame_profile_add(p, ids, n, ws);
		p->nstacks++;
	}
	ret = 0;
out:
	free(locs);
	free(vals);
	free(ids);
	decoded_free(&d);
	return ret;
}

static void *pp_new(struct flame_parse_ctx *ctx)
{
	struct pp_parser *pp = flame_xcalloc(1, sizeof(*pp));
	pp->ctx = ctx;
	return pp;
}

static void pp_free(void *vp)
{
	struct pp_parser *pp = vp;
	flame_buf_release(&pp->data);
	free(pp);
}

static int pp_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct pp_parser *pp = vp;
	if (file_start)
		flame_buf_reset(&pp->data);
	if (pp->data.len + len > MAX_PPROF)
		return flame_parse_fail(pp->ctx, 0, "pprof: larger than %u MiB", MAX_PPROF >> 20);
	flame_buf_add(&pp->data, buf, len);
	if (file_end) {
		int rc = pp_finish(pp);
		flame_buf_reset(&pp->data);
		return rc;
	}
	return 0;
}

/* The first fields parse as a Profile: known field numbers with their
 * wire types, lengths inside the input. */
static enum flame_probe pp_probe(const char *buf, size_t len, int eof)
{
	struct rd r = { (const uint8_t *)buf, (const uint8_t *)buf + len, 0 };
	int num, wt, good = 0;
	uint64_t v;
	struct span s;
	if (!len)
		return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
	while (good < 6) {
		const uint8_t *at = r.p;
		int rc = field(&r, &num, &wt, &v, &s);
		if (rc == 0)
			break;
		if (rc < 0) {
			/* a field cut by the probe window is fine */
			if (!eof && at != (const uint8_t *)buf && len >= 4096)
				break;
			return FLAME_PROBE_NO;
		}
		int ok;
		if (num <= 6 || num == 11)
			ok = wt == 2;
		else if (num == 13)
			ok = wt == 0 || wt == 2;
		else
			ok = num <= 15 && wt == 0;
		if (!ok)
			return FLAME_PROBE_NO;
		good++;
	}
	if (good >= 3 || (eof && good >= 1 && r.p == r.end))
		return FLAME_PROBE_YES;
	return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
}

/* ---- writer ---- */

static void put_varint(struct flame_buf *b, uint64_t v)
{
	char t[10];
	int n = 0;
	do {
		t[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	flame_buf_add(b, t, (size_t)n);
}

static void put_key(struct flame_buf *b, int num, int wt)
{
	put_varint(b, (uint64_t)num << 3 | (uint64_t)wt);
}

static void put_bytes(struct flame_buf *b, int num, const void *p, size_t n)
{
	put_key(b, num, 2);
	put_varint(b, n);
	flame_buf_add(b, p, n);
}

static void put_u64(struct flame_buf *b, int num, uint64_t v)
{
	put_key(b, num, 0);
	put_varint(b, v);
}

static int pp_write(const struct flame_profile *p, struct flame_output *out, struct flame_error *err)
{
	struct flame_buf b = FLAME_BUF_INIT, m = FLAME_BUF_INIT, m2 = FLAME_BUF_INIT;
	size_t nnames = flame_strtab_count(&p->names);
	/* string table: "", type, unit, [comment], then the names used */
	uint64_t *str_of = flame_xcalloc(nnames + 1, sizeof(*str_of)); /* name id -> string index */
	uint32_t *fn_names = flame_xmalloc((nnames + 1) * sizeof(*fn_names));
	size_t nfn = 0;
	const char *type = p->unit == FLAME_UNIT_NANOSECONDS ? "cpu" : p->unit == FLAME_UNIT_BYTES ? "space"
					: "samples";
	const char *unit = p->unit == FLAME_UNIT_NANOSECONDS ? "nanoseconds" : p->unit == FLAME_UNIT_BYTES
					? "bytes" : "count";
	uint32_t *leaves;
	size_t n = flame_sb_leaves(p, &leaves);
	uint64_t next_str = p->scale_digits ? 4 : 3;
	uint32_t *path = NULL;
	size_t path_cap = 0;
	/* ValueType */
	put_u64(&m, 1, 1);
	put_u64(&m, 2, 2);
	put_bytes(&b, 1, m.data, m.len);
	for (size_t i = 0; i < n; i++) {
		size_t d = flame_sb_path(p, leaves[i], &path, &path_cap);
		flame_buf_reset(&m);
		flame_buf_reset(&m2);
		for (size_t k = d; k-- > 0;) { /* leaf first */
			uint32_t nm = p->nodes[path[k]].name;
			if (!str_of[nm]) {
				str_of[nm] = next_str++;
				fn_names[nfn++] = nm;
			}
			put_varint(&m2, str_of[nm] - (p->scale_digits ? 3 : 2)); /* location id = function id */
		}
		put_bytes(&m, 1, m2.data ? m2.data : "", m2.len);
		flame_buf_reset(&m2);
		put_varint(&m2, p->nodes[leaves[i]].self[0]);
		put_bytes(&m, 2, m2.data, m2.len);
		put_bytes(&b, 2, m.data, m.len);
	}
	/* Location k and Function k for the k-th name (ids from 1) */
	for (size_t k = 0; k < nfn; k++) {
		flame_buf_reset(&m);
		flame_buf_reset(&m2);
		put_u64(&m2, 1, k + 1);
		put_bytes(&m, 4, NULL, 0);
		m.len = 0;
		put_u64(&m, 1, k + 1);
		put_bytes(&m, 4, m2.data, m2.len);
		put_bytes(&b, 4, m.data, m.len);
	}
	for (size_t k = 0; k < nfn; k++) {
		flame_buf_reset(&m);
		put_u64(&m, 1, k + 1);
		put_u64(&m, 2, str_of[fn_names[k]]);
		put_u64(&m, 3, str_of[fn_names[k]]);
		put_bytes(&b, 5, m.data, m.len);
	}
	put_bytes(&b, 6, "", 0);
	put_bytes(&b, 6, type, strlen(type));
	put_bytes(&b, 6, unit, strlen(unit));
	if (p->scale_digits) {
		char c[24];
		snprintf(c, sizeof(c), "flame:scale_digits=%d", p->scale_digits);
		put_bytes(&b, 6, c, strlen(c));
	}
	for (size_t k = 0; k < nfn; k++) {
		size_t len;
		const char *name = flame_strtab_name(&p->names, fn_names[k], &len);
		put_bytes(&b, 6, name, len);
	}
	/* period_type = the sample type, period 1 */
	flame_buf_reset(&m);
	put_u64(&m, 1, 1);
	put_u64(&m, 2, 2);
	put_bytes(&b, 11, m.data, m.len);
	put_u64(&b, 12, 1);
	if (p->scale_digits)
		put_u64(&b, 13, 3);
	free(path);
	free(leaves);
	free(str_of);
	free(fn_names);
	flame_buf_release(&m);
	flame_buf_release(&m2);

	/* gzip it (deterministic: no name, no time) */
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		flame_buf_release(&b);
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "cannot start the gzip encoder");
	}
	uLong bound = deflateBound(&zs, (uLong)b.len);
	unsigned char *z = flame_xmalloc(bound + 64);
	zs.next_in = (unsigned char *)(b.data ? b.data : "");
	zs.avail_in = (uInt)b.len;
	zs.next_out = z;
	zs.avail_out = (uInt)(bound + 64);
	int zr = deflate(&zs, Z_FINISH);
	size_t zn = (size_t)zs.total_out;
	deflateEnd(&zs);
	flame_buf_release(&b);
	if (zr != Z_STREAM_END) {
		free(z);
		return flame_error_set(err, FLAME_ERR_IO, NULL, 0, "gzip encoding failed");
	}
	int rc = flame_output_write(out, z, zn, err);
	free(z);
	return rc < 0 ? -1 : 0;
}

static const char *pp_drops(const struct flame_profile *p)
{
	if (p->ncols == 2)
		return "pprof is written with one sample type; the second column dropped";
	if (p->timeline)
		return "pprof has no time or threads; timeline dropped";
	if (p->scale_digits)
		return "pprof values are integers; fractional weights written scaled by 10^digits";
	return NULL;
}

const struct flame_format flame_format_pprof = {
	.name = "pprof",
	.aliases = "pb pb.gz profile.proto go",
	.summary = "pprof profile.proto (gzipped or not; --sample-type picks the value)",
	.probe = pp_probe,
	.parser_new = pp_new,
	.parse = pp_parse,
	.parser_free = pp_free,
	.write = pp_write,
	.streaming = 1,
	.drops = pp_drops,
	.suffixes = ".pb.gz .pprof .pb",
};
