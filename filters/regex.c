#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Memory one match may use for backtracking state (interpreter), in KiB. */
#define HEAP_LIMIT_KIB (64u * 1024)
/* Nesting depth of the interpreter's backtracking (bounds its memory too). */
#define DEPTH_LIMIT 100000u
/* JIT machine stack: starts small, may grow to this. */
#define JIT_STACK_MAX (1u << 20)

static void pcre2_message(int code, char *buf, size_t n)
{
	if (pcre2_get_error_message(code, (PCRE2_UCHAR *)buf, n) < 0)
		snprintf(buf, n, "PCRE2 error %d", code);
}

int flame_regex_compile(struct flame_regex *re, const char *pattern, unsigned flags,
			const char *opt, struct flame_error *err)
{
	memset(re, 0, sizeof(*re));
	uint32_t options = 0;
	if (flags & FLAME_REGEX_ICASE)
		options |= PCRE2_CASELESS;
	int code;
	PCRE2_SIZE off;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, &code, &off,
				      NULL);
	if (!c) {
		char msg[256], q[160];
		pcre2_message(code, msg, sizeof(msg));
		flame_quote(q, sizeof(q), pattern, strlen(pattern), 100);
		return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
				       "%s: bad regex '%s' at offset %zu: %s", opt, q, (size_t)off, msg);
	}
	re->code = c;
	re->pattern = flame_xstrdup(pattern);
	re->option = opt;
	re->match_limit = FLAME_REGEX_MATCH_LIMIT;
	pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &re->ncaptures);
	/* JIT is an optimisation, never a requirement: it fails where the
	 * platform forbids executable memory (SELinux execmem, W^X policies)
	 * or when PCRE2 was built without it, and the interpreter then gives
	 * the same answers, only slower. */
	re->jit = pcre2_jit_compile(c, PCRE2_JIT_COMPLETE) == 0;
	return 0;
}

void flame_regex_release(struct flame_regex *re)
{
	if (re->code)
		pcre2_code_free(re->code);
	free(re->pattern);
	memset(re, 0, sizeof(*re));
}

void flame_regex_set_match_limit(struct flame_regex *re, uint32_t limit)
{
	re->match_limit = limit ? limit : 1;
}

void flame_matcher_init(struct flame_matcher *m, uint32_t max_captures)
{
	memset(m, 0, sizeof(*m));
	m->md = pcre2_match_data_create(max_captures + 1, NULL);
	m->mc = pcre2_match_context_create(NULL);
	if (!m->md || !m->mc)
		flame_oom(0);
	pcre2_set_heap_limit(m->mc, HEAP_LIMIT_KIB);
	pcre2_set_depth_limit(m->mc, DEPTH_LIMIT);
	m->jit_stack = pcre2_jit_stack_create(32u << 10, JIT_STACK_MAX, NULL);
	if (m->jit_stack)
		pcre2_jit_stack_assign(m->mc, NULL, m->jit_stack);
}

void flame_matcher_release(struct flame_matcher *m)
{
	if (m->md)
		pcre2_match_data_free(m->md);
	if (m->mc)
		pcre2_match_context_free(m->mc);
	if (m->jit_stack)
		pcre2_jit_stack_free(m->jit_stack);
	flame_buf_release(&m->out);
	memset(m, 0, sizeof(*m));
}

static int is_limit(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	       rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

static int match_error(const struct flame_regex *re, int rc, const char *s, size_t n,
		       struct flame_error *err)
{
	char msg[256], q[160], subj[160];
	pcre2_message(rc, msg, sizeof(msg));
	flame_quote(q, sizeof(q), re->pattern, strlen(re->pattern), 100);
	flame_quote(subj, sizeof(subj), s, n, 100);
	const char *hint = "";
	if (is_limit(rc))
		hint = " (the pattern backtracks too much; make it more specific)";
	return flame_error_set(err, FLAME_ERR_DATA, NULL, 0, "%s: regex '%s' failed on '%s': %s%s",
			       re->option, q, subj, msg, hint);
}

static int budget_error(const struct flame_regex *re, const struct flame_matcher *m,
			struct flame_error *err)
{
	char q[160];
	flame_quote(q, sizeof(q), re->pattern, strlen(re->pattern), 100);
	return flame_error_set(err, FLAME_ERR_DATA, NULL, 0,
			       "%s: regex '%s' stopped after %llu backtracking steps in %llu "
			       "matches, more than this input allows (the pattern backtracks too "
			       "much; make it more specific)",
			       re->option, q, (unsigned long long)m->spent,
			       (unsigned long long)m->subjects);
}

/* The step limit of the next run of a match, after one under limit ran out
 * of steps: ten times more, at most the regex's own limit; 0 when there is
 * no next run.  -1 when the budget forbids it. */
static int64_t next_limit(const struct flame_regex *re, struct flame_matcher *m, uint32_t limit)
{
	if (limit >= re->match_limit)
		return 0;
	uint64_t next = (uint64_t)limit * 10;
	if (next > re->match_limit)
		next = re->match_limit;
	uint64_t budget = FLAME_REGEX_BUDGET_BASE + FLAME_REGEX_BUDGET_PER_BYTE * m->subject_bytes;
	if (m->spent + next > budget)
		return -1;
	m->spent += next;
	return (int64_t)next;
}

static uint32_t first_limit(const struct flame_regex *re, struct flame_matcher *m, size_t n)
{
	m->subject_bytes += n;
	m->subjects++;
	return re->match_limit < FLAME_REGEX_CHEAP_LIMIT ? re->match_limit : FLAME_REGEX_CHEAP_LIMIT;
}

static int run_match(const struct flame_regex *re, struct flame_matcher *m, const char *s,
		     size_t n, uint32_t limit)
{
	pcre2_set_match_limit(m->mc, limit);
	if (re->jit)
		return pcre2_jit_match(re->code, (PCRE2_SPTR)s, n, 0, 0, m->md, m->mc);
	return pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, m->md, m->mc);
}

int flame_regex_match(const struct flame_regex *re, struct flame_matcher *m, const char *s,
		      size_t n, struct flame_error *err)
{
	uint32_t limit = first_limit(re, m, n);
	int rc = run_match(re, m, s, n, limit);
	while (rc == PCRE2_ERROR_MATCHLIMIT) {
		int64_t next = next_limit(re, m, limit);
		if (next < 0)
			return budget_error(re, m, err);
		if (next == 0)
			break;
		limit = (uint32_t)next;
		rc = run_match(re, m, s, n, limit);
	}
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return match_error(re, rc, s, n, err);
}

static int run_replace(const struct flame_regex *re, struct flame_matcher *m, const char *s,
		       size_t n, const char *replacement, size_t replen, uint32_t options,
		       uint32_t limit, PCRE2_SIZE *outlen)
{
	pcre2_set_match_limit(m->mc, limit);
	*outlen = m->out.cap - 1;
	return pcre2_substitute(re->code, (PCRE2_SPTR)s, n, 0, options, m->md, m->mc,
				(PCRE2_SPTR)replacement, replen, (PCRE2_UCHAR *)m->out.data, outlen);
}

int flame_regex_replace(const struct flame_regex *re, struct flame_matcher *m, const char *s,
			size_t n, const char *replacement, size_t replen, int global,
			struct flame_error *err)
{
	uint32_t limit = first_limit(re, m, n);
	uint32_t options = PCRE2_SUBSTITUTE_OVERFLOW_LENGTH | PCRE2_SUBSTITUTE_UNSET_EMPTY;
	if (global)
		options |= PCRE2_SUBSTITUTE_GLOBAL;
	flame_buf_reset(&m->out);
	flame_buf_reserve(&m->out, n + replen + 64);
	int grown = 0;
	for (;;) {
		PCRE2_SIZE outlen;
		int rc = run_replace(re, m, s, n, replacement, replen, options, limit, &outlen);
		if (rc >= 0) {
			m->out.len = outlen;
			m->out.data[outlen] = '\0';
			return rc;
		}
		if (rc == PCRE2_ERROR_NOMEMORY && !grown) {
			/* outlen is now the length needed (without the terminator) */
			flame_buf_reserve(&m->out, outlen + 1);
			grown = 1;
			continue;
		}
		if (rc == PCRE2_ERROR_NOMEMORY)
			return flame_error_set(err, FLAME_ERR_DATA, NULL, 0,
					       "%s: replacement result keeps growing", re->option);
		if (rc == PCRE2_ERROR_NOMATCH) {
			flame_buf_reset(&m->out);
			flame_buf_add(&m->out, s, n);
			return 0;
		}
		if (rc == PCRE2_ERROR_MATCHLIMIT) {
			int64_t next = next_limit(re, m, limit);
			if (next < 0)
				return budget_error(re, m, err);
			if (next > 0) {
				limit = (uint32_t)next;
				continue;
			}
		}
		if (is_limit(rc))
			return match_error(re, rc, s, n, err);
		/* anything else is a problem of the replacement string */
		char msg[256], q[160];
		pcre2_message(rc, msg, sizeof(msg));
		flame_quote(q, sizeof(q), replacement, replen, 100);
		return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0, "%s: bad replacement '%s': %s",
				       re->option, q, msg);
	}
}

int flame_regex_check_replacement(const struct flame_regex *re, const char *r,
				  struct flame_error *err)
{
	size_t n = strlen(r);
	for (size_t i = 0; i < n; i++) {
		if (r[i] != '$')
			continue;
		if (i + 1 >= n)
			goto bad;
		char c = r[i + 1];
		if (c == '$') {
			i++;
			continue;
		}
		size_t j = i + 1;
		int braced = c == '{';
		if (braced)
			j++;
		size_t s = j;
		int number = j < n && r[j] >= '0' && r[j] <= '9';
		while (j < n && ((r[j] >= '0' && r[j] <= '9') ||
				 (!number && ((r[j] >= 'a' && r[j] <= 'z') ||
					      (r[j] >= 'A' && r[j] <= 'Z') || r[j] == '_'))))
			j++;
		if (j == s)
			goto bad;
		if (braced && (j >= n || r[j] != '}'))
			goto bad;
		if (number) {
			unsigned long g = 0;
			for (size_t k = s; k < j; k++)
				if (g < 100000)
					g = g * 10 + (unsigned long)(r[k] - '0');
			if (g > re->ncaptures) {
				char q[160];
				flame_quote(q, sizeof(q), r, n, 100);
				return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
						       "%s: replacement '%s' refers to group $%lu but the "
						       "regex has %u group%s",
						       re->option, q, g, re->ncaptures,
						       re->ncaptures == 1 ? "" : "s");
			}
		} else {
			char name[128];
			size_t len = j - s < sizeof(name) - 1 ? j - s : sizeof(name) - 1;
			memcpy(name, r + s, len);
			name[len] = '\0';
			if (pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name) < 0) {
				char q[160];
				flame_quote(q, sizeof(q), r, n, 100);
				return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
						       "%s: replacement '%s' refers to group '%s', which "
						       "the regex does not define",
						       re->option, q, name);
			}
		}
		i = braced ? j : j - 1;
	}
	return 0;
bad: {
	char q[160];
	flame_quote(q, sizeof(q), r, n, 100);
	return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
			       "%s: bad replacement '%s': '$' must be followed by a group number, "
			       "{number}, {name} or '$'",
			       re->option, q);
}
}
