#include "names.h"

#include <stdlib.h>
#include <string.h>

/* Digits ending at s[end) going back: returns their start, or end if none. */
static size_t digits_back(const char *s, size_t end)
{
	size_t i = end;
	while (i && s[i - 1] >= '0' && s[i - 1] <= '9')
		i--;
	return i;
}

static uint64_t to_u64(const char *s, size_t a, size_t b)
{
	uint64_t v = 0;
	for (size_t i = a; i < b; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return UINT64_MAX;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v;
}

void flame_root_parse(const char *s, size_t n, struct flame_root_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	ri->comm_len = n;
	size_t d = digits_back(s, n);
	if (d == n || d == 0)
		return;
	if (s[d - 1] == '/') {
		size_t d2 = digits_back(s, d - 1);
		if (d2 == d - 1 || d2 == 0 || s[d2 - 1] != '-')
			return;
		ri->has_pid = ri->has_tid = 1;
		ri->pid = to_u64(s, d2, d - 1);
		ri->tid = to_u64(s, d, n);
		ri->comm_len = d2 - 1;
		return;
	}
	if (s[d - 1] == '-') {
		ri->has_pid = 1;
		ri->pid = to_u64(s, d, n);
		ri->comm_len = d - 1;
	}
}

static int parse_u64(const char *s, size_t n, uint64_t *v)
{
	if (n == 0 || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	*v = to_u64(s, 0, n);
	return 0;
}

int flame_id_list_parse(struct flame_id_list *l, const char *s, const char *opt,
			struct flame_error *err)
{
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *dash = memchr(p, '-', len);
		struct flame_id_range r;
		int ok;
		if (dash)
			ok = parse_u64(p, (size_t)(dash - p), &r.lo) == 0 &&
			     parse_u64(dash + 1, len - (size_t)(dash - p) - 1, &r.hi) == 0 && r.lo <= r.hi;
		else
			ok = parse_u64(p, len, &r.lo) == 0 && (r.hi = r.lo, 1);
		if (!ok)
			return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
					       "%s expects numbers and ranges like '12,40-49', got '%s'",
					       opt, s);
		l->r = flame_xrealloc(l->r, (l->n + 1) * sizeof(*l->r));
		l->r[l->n++] = r;
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

int flame_id_list_has(const struct flame_id_list *l, uint64_t v)
{
	for (size_t i = 0; i < l->n; i++)
		if (v >= l->r[i].lo && v <= l->r[i].hi)
			return 1;
	return 0;
}

void flame_id_list_release(struct flame_id_list *l)
{
	free(l->r);
	l->r = NULL;
	l->n = 0;
}

/* One part of s/RE/REP/: up to the unescaped delimiter.  "\<delim>" becomes
 * the delimiter in the replacement; in the regex it stays escaped, which
 * PCRE2 reads as the literal character (delimiters are punctuation). */
static const char *sed_part(const char *p, char delim, int is_re, struct flame_buf *b)
{
	while (*p && *p != delim) {
		if (*p == '\\' && p[1] == delim) {
			if (is_re)
				flame_buf_addc(b, '\\'); /* PCRE2 reads "\|" as a literal '|' */
			flame_buf_addc(b, delim);
			p += 2;
			continue;
		}
		if (*p == '\\' && p[1]) {
			flame_buf_addc(b, p[0]);
			flame_buf_addc(b, p[1]);
			p += 2;
			continue;
		}
		flame_buf_addc(b, *p++);
	}
	return *p == delim ? p : NULL;
}

int flame_sed_parse(struct flame_sed *sed, const char *arg, const char *opt,
		    struct flame_error *err)
{
	memset(sed, 0, sizeof(*sed));
	struct flame_buf re = FLAME_BUF_INIT, rep = FLAME_BUF_INIT;
	const char *why = NULL;
	char delim = arg[0] == 's' ? arg[1] : '\0';
	if (!delim || delim == '\\' || delim == '\n' || (delim >= 'a' && delim <= 'z') ||
	    (delim >= 'A' && delim <= 'Z') || (delim >= '0' && delim <= '9') || delim == ' ') {
		why = "expected 's/REGEX/REPLACEMENT/' (flags: g, i)";
		goto fail;
	}
	const char *p = sed_part(arg + 2, delim, 1, &re);
	if (!p) {
		why = "missing the delimiter after the regex";
		goto fail;
	}
	p = sed_part(p + 1, delim, 0, &rep);
	if (!p) {
		why = "missing the delimiter after the replacement";
		goto fail;
	}
	for (p++; *p; p++) {
		if (*p == 'g') {
			sed->global = 1;
		} else if (*p == 'i' || *p == 'I') {
			sed->icase = 1;
		} else {
			why = "unknown flag after the replacement (flags: g, i)";
			goto fail;
		}
	}
	if (re.len == 0) {
		why = "empty regex";
		goto fail;
	}
	/* A replacement with "\\" is kept as written: pcre2_substitute takes
	 * backslashes literally, only '$' is special. */
	flame_buf_reserve(&rep, 0);
	rep.data[rep.len] = '\0';
	sed->re = re.data;
	sed->rep = rep.data;
	return 0;
fail:
	flame_buf_release(&re);
	flame_buf_release(&rep);
	return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0, "%s '%s': %s", opt, arg, why);
}

void flame_sed_release(struct flame_sed *sed)
{
	free(sed->re);
	free(sed->rep);
	memset(sed, 0, sizeof(*sed));
}

int flame_decimal_parse(struct flame_decimal *d, const char *s)
{
	memset(d, 0, sizeof(*d));
	size_t i = 0;
	if (!s[0])
		return -1;
	while (s[i] >= '0' && s[i] <= '9') {
		if (d->ip > (UINT64_MAX - 9) / 10)
			return -1;
		d->ip = d->ip * 10 + (uint64_t)(s[i] - '0');
		i++;
	}
	int any = i > 0;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9') {
			if (d->digits >= 9)
				return -1;
			d->fp = d->fp * 10 + (uint64_t)(s[i] - '0');
			d->digits++;
			any = 1;
			i++;
		}
	}
	return any && s[i] == '\0' ? 0 : -1;
}

static const uint64_t p10[] = { 1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
				10000000ULL, 100000000ULL, 1000000000ULL };

uint64_t flame_decimal_fixed(const struct flame_decimal *d, int scale)
{
	unsigned __int128 v = (unsigned __int128)d->ip * p10[scale];
	if (d->digits <= scale) {
		v += (unsigned __int128)d->fp * p10[scale - d->digits];
	} else {
		uint64_t div = p10[d->digits - scale];
		v += (d->fp + div - 1) / div; /* rounded up: "w >= threshold" stays exact */
	}
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}
