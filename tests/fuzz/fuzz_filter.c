/*
 * fuzz_filter.c - user patterns and the filter chain (filters/).
 *
 * Input: an option byte, then a regex line, a replacement line
 * ("s/RE/REP/FLAGS"), and folded text.  The option byte picks the steps,
 * applied in this order: bit 0 --replace, 1 --grep, 2 --focus-root,
 * 3 --hide, 4 --prune-from, 5 --strip-args/--strip-templates/
 * --strip-offsets, 6 --collapse-recursion and --max-depth 3, 7 -i.
 *
 * Patterns that do not compile are fine (usage errors); a match that
 * backtracks too much must end in an error, quickly (the limit is set
 * low here); nothing may crash, and filtering may never add weight.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filters/filter.h"
#include "filters/names.h"
#include "formats/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *line(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	const uint8_t *e = nl ? nl : end;
	char *s = malloc((size_t)(e - *p) + 1);
	memcpy(s, *p, (size_t)(e - *p));
	s[e - *p] = '\0';
	*p = nl ? nl + 1 : end;
	return s;
}

static void rewrite_all(const char *s)
{
	struct flame_buf b = FLAME_BUF_INIT;
	size_t n = strlen(s);
	flame_name_strip_args(s, n, &b);
	flame_name_strip_templates(s, n, &b);
	flame_name_strip_offsets(s, n, &b);
	flame_name_strip_hex(s, n, &b);
	struct flame_root_info ri;
	flame_root_parse(s, n, &ri);
	if (ri.comm_len > n)
		abort();
	flame_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t opt = data[0];
	const uint8_t *p = data + 1, *end = data + size;
	char *re = line(&p, end);
	char *sed = line(&p, end);
	rewrite_all(re);
	rewrite_all(sed);

	struct flame_filter f;
	struct flame_error err;
	flame_filter_init(&f);
	int icase = (opt & 0x80) != 0;
	static const struct {
		unsigned bit;
		enum flame_filter_op op;
		int sed;
	} steps[] = {
		{ 0x01, FLAME_FILTER_REPLACE, 1 },
		{ 0x02, FLAME_FILTER_GREP, 0 },
		{ 0x04, FLAME_FILTER_FOCUS_ROOT, 0 },
		{ 0x08, FLAME_FILTER_HIDE, 0 },
		{ 0x10, FLAME_FILTER_PRUNE_FROM, 0 },
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (opt & steps[i].bit)
			flame_filter_add(&f, steps[i].op, "--fuzz", steps[i].sed ? sed : re, icase, &err);
	if (opt & 0x20) {
		flame_filter_add(&f, FLAME_FILTER_STRIP_ARGS, "--strip-args", NULL, 0, &err);
		flame_filter_add(&f, FLAME_FILTER_STRIP_TEMPLATES, "--strip-templates", NULL, 0, &err);
		flame_filter_add(&f, FLAME_FILTER_STRIP_OFFSETS, "--strip-offsets", NULL, 0, &err);
	}
	if (opt & 0x40) {
		flame_filter_add(&f, FLAME_FILTER_COLLAPSE_RECURSION, "--collapse-recursion", NULL, 0,
				 &err);
		flame_filter_add(&f, FLAME_FILTER_MAX_DEPTH, "--max-depth", "3", 0, &err);
	}
	for (size_t i = 0; i < f.nsteps; i++)
		if (f.steps[i].re.code)
			flame_regex_set_match_limit(&f.steps[i].re, 20000);

	struct flame_reader_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.format = &flame_format_folded;
	cfg.nthreads = 1;
	struct flame_reader *r = flame_reader_new(&cfg);
	struct flame_profile prof;
	struct flame_read_report rep;
	flame_profile_init(&prof);
	int ok = flame_reader_begin_file(r, "fuzz", &err) == 0 &&
		 flame_reader_feed(r, (const char *)p, (size_t)(end - p), &err) == 0 &&
		 flame_reader_end_file(r, &err) == 0;
	if (!ok) {
		flame_reader_abort(r);
	} else if (flame_reader_finish(r, &prof, &rep, &err) == 0) {
		flame_read_report_release(&rep);
		uint64_t before[2] = { flame_profile_total(&prof, 0), flame_profile_total(&prof, 1) };
		struct flame_filter_report frep;
		err.msg[0] = '\0';
		if (flame_filter_apply(&f, &prof, &frep, &err) < 0) {
			if (!err.msg[0])
				abort(); /* an error always says what it is */
		} else if (!prof.overflow) {
			for (int c = 0; c < 2; c++)
				if (flame_profile_total(&prof, c) > before[c])
					abort(); /* filtering never adds weight */
			if (frep.stacks_out > frep.stacks_in)
				abort();
		}
	}
	flame_profile_release(&prof);
	flame_filter_release(&f);
	free(re);
	free(sed);
	return 0;
}
