/*
 * perf.c - reader for `perf script` text output.
 *
 * Folds each sample (an event line, then one stack line per frame, leaf
 * first, then a blank line) into "comm;root;...;leaf" weighted by the
 * sample period when perf prints one (else 1), with the frame clean-ups of
 * FlameGraph's stackcollapse-perf.pl and inferno-collapse-perf: offsets
 * stripped, argument lists cut, Java and Rust names tidied, optional
 * _[k]/_[j]/_[i] annotations.
 *
 * --inline: a user frame "ADDR func+0xOFF (/path/dso)" is looked up in the
 * DSO's DWARF (core/record/symbolizer.h, core/record/srcinfo.h) at the ELF address of
 * ADDR (worked out from func+OFF: perf prints runtime addresses), and the
 * functions inlined there follow it as "name_[i]" frames; --context ends
 * each in ":file.c:LINE".  perf's own "ADDR name (inlined)" lines become
 * "name_[i]" frames too, and then the DWARF is not asked again.
 * --srcline: the "  file.c:LINE" line perf prints after a frame with
 * -F +srcline is appended to that frame as ":file.c:LINE" ("[...]" parts
 * removed, as stackcollapse-perf.pl does); without --srcline such lines
 * are noted as lines that do not parse.
 *
 * Speed: the text after the address of a stack line determines its frames
 * completely (given the options and whether comm is "java"), so each
 * distinct line is cleaned up once and its frame ids cached; a repeated
 * line costs one hash lookup.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../core/names.h"
#include "../core/record/symbolizer.h"
#include "../core/util.h"
#include "format.h"
#include "linecache.h"

enum filter { KEEP, SKIP, SKIP_REMAINING };

#define LC_SKIP_AFTER 1 /* the line's function is a --skip-after name */

struct perf_parser {
	struct flame_parse_ctx *ctx;
	const struct flame_read_opts *o;
	uint32_t *frames; /* leaf first */
	size_t nframes, frames_cap;
	uint32_t pname;
	int pname_java;
	int in_event;
	enum filter filter;
	uint64_t period;
	/* scratch text, reused line after line */
	struct flame_buf sym;  /* a stack line's symbol after the Rust fix-up; a comm; srcline text */
	struct flame_buf part; /* one frame of a symbol ("a->b" inlined parts); a DSO path */
	struct flame_buf name; /* the unquoted symbol, then the frame name being interned */
	struct flame_linecache lc;
	uint32_t *tmp_ids;
	size_t tmp_cap;
	/* --inline, --srcline */
	struct flame_srcchain chain;
	int sample_lines;      /* stack lines of this sample so far */
	int prev_kernel;       /* the previous one was a kernel frame */
	struct flame_buf inl_pc; /* address of the last "(inlined)" line of this sample */
	size_t srcline_at;     /* frames index + 1 of the frame a srcline line belongs to; 0: none,
				* SIZE_MAX: one of a frame that was dropped ("(comm)") */
	struct flame_linecache slc; /* (frame id, srcline text) -> renamed frame */
};

/* --inline: the symbolizer is shared by all parser threads */
static pthread_mutex_t sym_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- event lines ---- */

/* Fields are separated by spaces, or by tabs (simpleperf's report_sample.py
 * writes "comm\tPID/TID ..."): stackcollapse-perf.pl matches both with \s. */
static inline int is_sep(char c)
{
	return c == ' ' || c == '\t';
}

/* The first separator in s[0,n), or NULL. */
static const char *find_sep(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_sep(s[i]))
			return s + i;
	return NULL;
}

struct event_parts {
	const char *comm;
	size_t comm_len;
	const char *pid, *tid;
	size_t pid_len, tid_len;
	size_t end; /* offset just past the space after the pid/tid word */
};

/* Find the first all-digit word ("TID" or "PID/TID") followed by a space
 * or tab; everything before it is the command name. */
static int event_line_parts(const char *line, size_t n, struct event_parts *ev)
{
	size_t word_start = 0;
	int all_digits = 0, last_was_space = 0;
	size_t slash = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		char c = line[i];
		if (is_sep(c)) {
			if (all_digits && !last_was_space) {
				if (slash != SIZE_MAX) {
					ev->pid = line + word_start;
					ev->pid_len = slash - word_start;
					ev->tid = line + slash + 1;
					ev->tid_len = i - slash - 1;
				} else {
					ev->pid = "?";
					ev->pid_len = 1;
					ev->tid = line + word_start;
					ev->tid_len = i - word_start;
				}
				size_t cl = word_start - 1;
				const char *cs = flame_trim_start(line, &cl);
				flame_trim_end(cs, &cl);
				ev->comm = cs;
				ev->comm_len = cl;
				ev->end = i + 1;
				return 1;
			}
			word_start = i + 1;
			all_digits = 1;
		} else if (c == '/') {
			if (all_digits)
				slash = i;
		} else if (c >= '0' && c <= '9') {
			/* still all digits if it was */
		} else {
			all_digits = 0;
			slash = SIZE_MAX;
		}
		last_was_space = is_sep(c);
	}
	return 0;
}

struct event_info {
	const char *event; /* NULL when the line names none */
	size_t event_len;
	uint64_t period;   /* 0 when not printed */
	const char *single; /* a stack line printed on the event line itself */
	size_t single_len;
	int bad_period;
};

/* After the pid word: "[cpu] time: period event:[mods:] [single frame]". */
static void event_info(const char *rest, size_t n, struct event_info *ei)
{
	memset(ei, 0, sizeof(*ei));
	const char *c1 = memchr(rest, ':', n);
	if (!c1)
		return;
	const char *p1 = c1 + 1, *end = rest + n;
	const char *c2 = memchr(p1, ':', (size_t)(end - p1));
	const char *p1e = c2 ? c2 : end;
	/* event: the last space-separated word of the second field */
	const char *sp = p1e;
	while (sp > p1 && !is_sep(sp[-1]))
		sp--;
	ei->event = sp;
	ei->event_len = (size_t)(p1e - sp);
	if (ei->event_len == 0 && !c2) {
		/* "comm pid event:" with no timestamp: the event is the first field */
		const char *s0 = c1;
		while (s0 > rest && !is_sep(s0[-1]))
			s0--;
		ei->event = s0;
		ei->event_len = (size_t)(c1 - s0);
	}
	/* period: the word before the event, when it is a number */
	const char *q = sp;
	while (q > p1 && is_sep(q[-1]))
		q--;
	const char *pe = q;
	while (q > p1 && q[-1] >= '0' && q[-1] <= '9')
		q--;
	if (pe > q && (q == p1 || is_sep(q[-1]))) {
		uint64_t v = 0;
		for (const char *d = q; d < pe; d++) {
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, (uint64_t)(*d - '0'), &v)) {
				ei->bad_period = 1;
				break;
			}
		}
		ei->period = v;
	}
	if (c2) {
		/* third field: skip up to the first ':' or ' ', the rest is a frame */
		const char *p2 = c2 + 1;
		const char *k = p2;
		while (k < end && *k != ':' && !is_sep(*k))
			k++;
		const char *f = k < end ? k + 1 : p2;
		size_t fl = (size_t)(end - f);
		f = flame_trim_start(f, &fl);
		flame_trim_end(f, &fl);
		if (fl) {
			ei->single = f;
			ei->single_len = fl;
		}
	}
}

/* ---- frame clean-up ---- */

static int is_vmlinux(const char *m, size_t n)
{
	const char *v = flame_rfind(m, n, "vmlinux");
	if (!v)
		return 0;
	for (const char *p = v; p < m + n; p++) {
		unsigned char c = (unsigned char)*p;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '-' || c == '.' || c == '_'))
			return 0;
	}
	return 1;
}

static int is_kernel_module(const char *m, size_t n)
{
	if (n == 9 && memcmp(m, "[unknown]", 9) == 0)
		return 0;
	return (n && m[0] == '[') || flame_ends_with(m, n, ".ko") || is_vmlinux(m, n);
}

static int is_jit_module(const char *m, size_t n)
{
	if (flame_starts_with(m, n, "/tmp/perf-") && flame_ends_with(m, n, ".map"))
		return 1;
	for (size_t i = 0; i + 8 <= n; i++)
		if (memcmp(m + i, "/jitted-", 8) == 0)
			return flame_ends_with(m, n, ".so");
	return 0;
}

/* "name" or "name:file.c:LINE" with --context, then "_[i]", interned. */
static uint32_t dwarf_frame(struct perf_parser *p, const char *name, size_t n,
			    const struct flame_srcframe *c, int tag)
{
	struct flame_buf *g = &p->name;
	flame_buf_reset(g);
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '"' || name[i] == '\'')
			continue;
		flame_buf_addc(g, name[i] == ';' ? ':' : name[i]);
	}
	g->len = flame_name_args_start(g->data ? g->data : "", g->len);
	if (g->len == 0)
		flame_buf_adds(g, "[unknown]");
	if (tag)
		flame_buf_adds(g, "_[i]");
	if (p->o->inline_context && c->file[0] && c->line)
		flame_buf_addf(g, ":%s:%u", flame_srcinfo_basename(c->file), c->line);
	return flame_strtab_intern(&p->ctx->prof->names, g->data, g->len);
}

/* A stack line not in the line cache: what lc_fill turns into frame ids. */
struct frame_line {
	const char *key;       /* the line cache key (line text) ... */
	size_t key_len;
	uint64_t salt;         /* ... and the flags it is cached under */
	size_t slot;           /* the cache slot flame_linecache_get gave */
	const char *pc;        /* the address, hex text */
	size_t pc_len;
	const char *sym;       /* the symbol, trimmed ("main+0x1a", "[unknown]") */
	size_t sym_len;
	const char *mod;       /* the module ("/usr/lib/libc.so.6", "[kernel.kallsyms]") */
	size_t mod_len;
	const struct flame_srcchain *chain; /* --inline: the address's inlined calls, or NULL */
};

static const struct flame_lc_entry *lc_fill(struct perf_parser *p, const struct frame_line *fl)
{
	const struct flame_read_opts *o = p->o;
	const char *pc = fl->pc, *raw = fl->sym, *mod = fl->mod;
	size_t pc_len = fl->pc_len, raw_len = fl->sym_len, mod_len = fl->mod_len;
	const struct flame_srcchain *ch = fl->chain;
	size_t nids = 0;
	int skip_after = 0;
	int perf_inlined = o->inline_frames && mod_len == 7 && memcmp(mod, "inlined", 7) == 0;

	/* "+0x1a" symbol offsets */
	const char *off = flame_rfind(raw, raw_len, "+0x");
	if (off) {
		int hex = 1;
		for (const char *q = off + 3; q < raw + raw_len; q++)
			if (!flame_is_hex((unsigned char)*q)) {
				hex = 0;
				break;
			}
		if (hex)
			raw_len = (size_t)(off - raw);
	}
	if (!(raw_len && raw[0] == '(')) { /* "(comm)" frames name a process: skipped */
		/* stackcollapse-perf.pl deletes quotes from perf's names (inferno
		 * keeps them); a quote decoded from a Rust escape below stays. */
		struct flame_buf *unq = &p->name;
		flame_buf_reset(unq);
		for (size_t i = 0; i < raw_len; i++)
			if (raw[i] != '"' && raw[i] != '\'')
				flame_buf_addc(unq, raw[i]);
		flame_buf_reset(&p->sym);
		if (!o->no_rust_fixup && unq->len && flame_name_rust_fixup(unq->data, unq->len, &p->sym)) {
			raw = p->sym.data;
			raw_len = p->sym.len;
		} else {
			flame_buf_add(&p->sym, unq->data ? unq->data : "", unq->len);
			raw = p->sym.data;
			raw_len = p->sym.len;
		}
		for (size_t k = 0; k < o->nskip_after; k++)
			if (strlen(o->skip_after[k]) == raw_len &&
			    memcmp(o->skip_after[k], raw, raw_len) == 0)
				skip_after = 1;
		const char *part = raw, *end = raw + raw_len;
		for (size_t idx = 0;; idx++) {
			const char *arrow = NULL;
			for (const char *a = part; a + 1 < end; a++)
				if (a[0] == '-' && a[1] == '>') {
					arrow = a;
					break;
				}
			const char *pe = arrow ? arrow : end;
			struct flame_buf *f = &p->part;
			flame_buf_reset(f);
			if ((size_t)(pe - part) == 9 && memcmp(part, "[unknown]", 9) == 0 &&
			    !(mod_len == 9 && memcmp(mod, "[unknown]", 9) == 0)) {
				const char *base = mod + mod_len;
				while (base > mod && base[-1] != '/')
					base--;
				flame_buf_addc(f, '[');
				flame_buf_add(f, base, (size_t)(mod + mod_len - base));
				if (o->include_addrs) {
					flame_buf_add(f, " <", 2);
					flame_buf_add(f, pc, pc_len);
					flame_buf_addc(f, '>');
				}
				flame_buf_addc(f, ']');
			} else if ((size_t)(pe - part) == 9 && memcmp(part, "[unknown]", 9) == 0 &&
				   o->include_addrs) {
				flame_buf_adds(f, "[unknown <");
				flame_buf_add(f, pc, pc_len);
				flame_buf_adds(f, ">]");
			} else {
				flame_buf_add(f, part, (size_t)(pe - part));
			}
			flame_buf_addc(f, '\0'); /* keep data non-NULL */
			f->len--;
			for (size_t i = 0; i < f->len; i++)
				if (f->data[i] == ';')
					f->data[i] = ':';
			f->len = flame_name_args_start(f->data, f->len);
			char *name = f->data;
			size_t nlen = f->len;
			if (p->pname_java && nlen && name[0] == 'L' && memchr(name, '/', nlen)) {
				name++;
				nlen--;
			}
			struct flame_buf *g = &p->name;
			flame_buf_reset(g);
			flame_buf_add(g, name, nlen);
			if (idx > 0 || perf_inlined)
				flame_buf_adds(g, "_[i]");
			else if (o->annotate_kernel && is_kernel_module(mod, mod_len))
				flame_buf_adds(g, "_[k]");
			else if (o->annotate_jit && is_jit_module(mod, mod_len))
				flame_buf_adds(g, "_[j]");
			FLAME_GROW(p->tmp_ids, p->tmp_cap, nids + 1);
			if (ch && idx == 0 && !arrow && o->inline_context && ch->f[ch->n - 1].line) {
				const struct flame_srcframe *c = &ch->f[ch->n - 1];
				flame_buf_addf(g, ":%s:%u", flame_srcinfo_basename(c->file), c->line);
			}
			p->tmp_ids[nids++] = flame_strtab_intern(&p->ctx->prof->names, g->data ? g->data : "",
								 g->len);
			if (!arrow)
				break;
			part = arrow + 2;
		}
		if (ch && nids == 1) {
			/* the inlined calls, outermost first (root-first order) */
			FLAME_GROW(p->tmp_ids, p->tmp_cap, nids + ch->n);
			for (size_t k = ch->n - 1; k-- > 0;)
				p->tmp_ids[nids++] = dwarf_frame(p, ch->f[k].func, strlen(ch->f[k].func),
								 &ch->f[k], 1);
		}
	}
	return flame_linecache_put(&p->lc, fl->slot, fl->key, fl->key_len, fl->salt, p->tmp_ids, nids,
				   skip_after ? LC_SKIP_AFTER : 0);
}

static void push_frames(struct perf_parser *p, const struct flame_lc_entry *e)
{
	const uint32_t *ids = flame_linecache_ids(&p->lc, e);
	FLAME_GROW(p->frames, p->frames_cap, p->nframes + e->nids);
	for (size_t i = e->nids; i-- > 0;)
		p->frames[p->nframes++] = ids[i];
	if (e->flags & LC_SKIP_AFTER)
		p->filter = SKIP_REMAINING;
}

/* ---- --srcline ---- */

/* A stack line starts with a hexadecimal address and a space; a srcline
 * line ("file.c:12", "libc.so.6[27b25]", "file.c:12 (inlined)") does not. */
static int is_frame_line(const char *t, size_t n)
{
	size_t i = 0;
	while (i < n && flame_is_hex((unsigned char)t[i]))
		i++;
	return i > 0 && i + 1 < n && is_sep(t[i]);
}

/* Append ":TEXT" to the frame the srcline line t belongs to. */
static void on_srcline(struct perf_parser *p, const char *t, size_t n, uint64_t lineno)
{
	if (p->srcline_at == 0) {
		flame_diag_add(p->ctx->diag, FLAME_DIAG_WEIRD_STACK, p->ctx->chunk, lineno,
			       "srcline line without a stack line before it", t, n);
		return;
	}
	struct flame_buf *b = &p->sym;
	flame_buf_reset(b);
	if (n > 10 && memcmp(t + n - 10, " (inlined)", 10) == 0)
		n -= 10;
	for (size_t i = 0; i < n; i++) {
		if (t[i] == '[') {
			const char *close = memchr(t + i, ']', n - i);
			if (close) {
				i = (size_t)(close - t);
				continue;
			}
		}
		flame_buf_addc(b, t[i]);
	}
	size_t len = b->len;
	const char *s = flame_trim_start(b->data ? b->data : "", &len);
	flame_trim_end(s, &len);
	size_t at = p->srcline_at;
	p->srcline_at = 0;
	if (at == SIZE_MAX || !len)
		return;
	uint32_t id = p->frames[at - 1];
	size_t slot;
	const struct flame_lc_entry *e = flame_linecache_get(&p->slc, s, len, id, &slot);
	if (!e) {
		size_t nl;
		const char *name = flame_strtab_name(&p->ctx->prof->names, id, &nl);
		struct flame_buf *g = &p->part;
		flame_buf_reset(g);
		flame_buf_add(g, name, nl);
		flame_buf_addc(g, ':');
		flame_buf_add(g, s, len);
		uint32_t nid = flame_strtab_intern(&p->ctx->prof->names, g->data, g->len);
		e = flame_linecache_put(&p->slc, slot, s, len, id, &nid, 1, 0);
	}
	p->frames[at - 1] = flame_linecache_ids(&p->slc, e)[0];
}

/* ---- --inline ---- */

/* stackcollapse-perf.pl's test for frames worth asking addr2line about:
 * not a JIT map, not the kernel, no "[...]" module. */
static int inline_candidate(const char *mod, size_t n)
{
	if (!n || mod[0] != '/' || flame_rfind(mod, n, "kernel.") || memchr(mod, '[', n))
		return 0;
	const char *pm = flame_rfind(mod, n, "perf-");
	return !(pm && flame_ends_with(mod, n, ".map"));
}

/* The DWARF inline chain of a frame line; NULL when there is none. */
static const struct flame_srcchain *dwarf_chain(struct perf_parser *p, const char *pc, size_t pc_len,
						const char *raw, size_t rl, const char *mod,
						size_t mod_len, int ret)
{
	uint64_t addr = 0;
	for (size_t i = 0; i < pc_len && i < 16; i++) {
		int c = (unsigned char)pc[i];
		addr = addr << 4 | (uint64_t)(c <= '9' ? c - '0' : (c | 32) - 'a' + 10);
	}
	/* "func+0x1a" */
	uint64_t off = 0;
	int has_off = 0;
	const char *o = flame_rfind(raw, rl, "+0x");
	if (o && o + 3 < raw + rl) {
		has_off = 1;
		for (const char *q = o + 3; q < raw + rl; q++) {
			if (!flame_is_hex((unsigned char)*q) || off >> 60) {
				has_off = 0;
				break;
			}
			int c = (unsigned char)*q;
			off = off << 4 | (uint64_t)(c <= '9' ? c - '0' : (c | 32) - 'a' + 10);
		}
		if (has_off)
			rl = (size_t)(o - raw);
	}
	struct flame_buf *path = &p->part;
	flame_buf_reset(path);
	flame_buf_add(path, mod, mod_len);
	size_t n = 0;
	pthread_mutex_lock(&sym_lock);
	struct flame_dso *d = flame_symbolizer_file(p->o->symbolizer, path->data);
	uint64_t a;
	if (d && flame_symbolizer_file_addr(p->o->symbolizer, d, raw, rl, has_off, off, addr, &a) == 0)
		n = flame_symbolizer_srcinfo(p->o->symbolizer, d, ret && a ? a - 1 : a, &p->chain);
	pthread_mutex_unlock(&sym_lock);
	return n ? &p->chain : NULL;
}

static void on_stack_line(struct perf_parser *p, const char *line, size_t n, uint64_t lineno)
{
	if (p->filter != KEEP)
		return;
	size_t tn = n;
	const char *t = flame_trim_start(line, &tn);
	if (p->o->srcline && !is_frame_line(t, tn)) {
		on_srcline(p, t, tn, lineno);
		return;
	}
	p->srcline_at = 0;
	/* "ADDR FUNCTION (MODULE)": any white space after ADDR, a space
	 * before "(MODULE)", as stackcollapse-perf.pl's regex has it */
	const char *sp = find_sep(t, tn);
	const char *ms = NULL;
	if (sp)
		ms = memrchr(sp + 1, ' ', (size_t)(t + tn - sp - 1));
	const char *mod, *key;
	size_t mod_len, key_len;
	if (!sp || !ms || t + tn - (ms + 1) < 2 || ms[1] != '(' || t[tn - 1] != ')') {
		if (!(p->o->srcline && sp)) {
			flame_diag_add(p->ctx->diag, FLAME_DIAG_WEIRD_STACK, p->ctx->chunk, lineno,
				       "weird stack line (expected 'ADDR FUNCTION (MODULE)')", line, n);
			return;
		}
		/* -F +srcline puts an inlined frame's " (inlined)" after its
		 * srcline line: "ADDR name", then "file.c:12 (inlined)" */
		ms = t + tn;
		mod = "inlined";
		mod_len = 7;
	} else {
		mod = ms + 2;
		mod_len = (size_t)(t + tn - 1 - mod);
	}
	const char *pc = t;
	size_t pc_len = (size_t)(sp - t);
	int dwarf = 0, ret = 0;
	if (p->o->inline_frames) {
		/* a return address unless the sample's first frame, or the
		 * first user frame below kernel frames (where it was interrupted) */
		ret = p->sample_lines > 0 && !p->prev_kernel;
		p->sample_lines++;
		p->prev_kernel = is_kernel_module(mod, mod_len);
		dwarf = p->o->symbolizer && inline_candidate(mod, mod_len);
		if (mod_len == 7 && memcmp(mod, "inlined", 7) == 0) {
			flame_buf_reset(&p->inl_pc);
			flame_buf_add(&p->inl_pc, pc, pc_len);
		} else if (dwarf && p->inl_pc.len == pc_len && memcmp(p->inl_pc.data, pc, pc_len) == 0) {
			dwarf = 0; /* perf printed this address's inlined calls */
		}
	}
	if (ms == t + tn) {
		key = t;
		key_len = tn;
	} else {
		key = p->o->include_addrs || dwarf ? t : sp + 1;
		key_len = (size_t)(t + tn - key);
	}

	/* The cache key is the line text plus whether Java tidying applies
	 * (and, looking up inlined calls, whether ADDR is a return address). */
	size_t slot;
	uint64_t salt = (uint64_t)p->pname_java | (uint64_t)dwarf << 1 | (uint64_t)(dwarf && ret) << 2 |
			(uint64_t)(ms == t + tn) << 3;
	const struct flame_lc_entry *e = flame_linecache_get(&p->lc, key, key_len, salt, &slot);
	if (!e) {
		size_t rl = (size_t)(ms - (sp + 1));
		const char *raw = flame_trim_start(sp + 1, &rl);
		flame_trim_end(raw, &rl);
		if (rl == 0) {
			raw = " ";
			rl = 1;
		}
		const struct flame_srcchain *ch =
			dwarf ? dwarf_chain(p, pc, pc_len, raw, rl, mod, mod_len, ret) : NULL;
		struct frame_line fl = {
			.key = key, .key_len = key_len, .salt = salt, .slot = slot,
			.pc = pc, .pc_len = pc_len, .sym = raw, .sym_len = rl,
			.mod = mod, .mod_len = mod_len, .chain = ch,
		};
		e = lc_fill(p, &fl);
	}
	push_frames(p, e);
	if (p->o->srcline)
		p->srcline_at = e->nids ? p->nframes : SIZE_MAX; /* the line's root-side frame */
}

static void after_event(struct perf_parser *p)
{
	if (p->nframes) {
		struct flame_profile *prof = p->ctx->prof;
		size_t n = p->nframes;
		/* reverse in place to root-first, with the comm in front */
		FLAME_GROW(p->frames, p->frames_cap, n + 1);
		uint32_t *f = p->frames;
		for (size_t a = 0, b = n - 1; a < b; a++, b--) {
			uint32_t t = f[a];
			f[a] = f[b];
			f[b] = t;
		}
		uint64_t w[2] = { p->period ? p->period : 1, 0 };
		if (p->filter != SKIP_REMAINING) {
			uint32_t node = flame_profile_child(prof, 0, p->pname, 1);
			for (size_t i = 0; i < n; i++)
				node = flame_profile_child(prof, node, f[i], 1);
			flame_profile_add_weight(prof, node, w);
			prof->nstacks++;
		} else {
			flame_profile_add(prof, f, n, w);
		}
	}
	p->in_event = 0;
	p->filter = KEEP;
	p->nframes = 0;
	p->sample_lines = 0;
	p->prev_kernel = 0;
	p->srcline_at = 0;
	flame_buf_reset(&p->inl_pc);
}

static void on_event_line(struct perf_parser *p, const char *line, size_t n, uint64_t lineno)
{
	struct event_parts ev;
	p->in_event = 1;
	p->sample_lines = 0;
	p->prev_kernel = 0;
	p->srcline_at = 0;
	flame_buf_reset(&p->inl_pc);
	if (!event_line_parts(line, n, &ev)) {
		flame_diag_add(p->ctx->diag, FLAME_DIAG_WEIRD_EVENT, p->ctx->chunk, lineno,
			       "weird event line (expected 'COMM PID[/TID] ... EVENT:')", line, n);
		p->in_event = 0;
		return;
	}
	struct event_info ei;
	event_info(line + ev.end, n - ev.end, &ei);
	if (ei.event) {
		const char *want = p->o->event_filter ? p->o->event_filter : p->ctx->event;
		if (want && (strlen(want) != ei.event_len || memcmp(want, ei.event, ei.event_len) != 0)) {
			flame_diag_add(p->ctx->diag, FLAME_DIAG_OTHER_EVENT, p->ctx->chunk, lineno,
				       "sample of another event", ei.event, ei.event_len);
			p->filter = SKIP;
			return;
		}
	}
	if (ei.bad_period) {
		flame_diag_add(p->ctx->diag, FLAME_DIAG_WEIRD_EVENT, p->ctx->chunk, lineno,
			       "event line with a period over 2^64 (sample skipped)", line, n);
		p->filter = SKIP;
		return;
	}
	p->period = ei.period;
	struct flame_buf *b = &p->sym;
	flame_buf_reset(b);
	flame_buf_add(b, ev.comm, ev.comm_len);
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == ' ')
			b->data[i] = '_';
	if (p->o->include_tid) {
		flame_buf_addc(b, '-');
		flame_buf_add(b, ev.pid, ev.pid_len);
		flame_buf_addc(b, '/');
		flame_buf_add(b, ev.tid, ev.tid_len);
	} else if (p->o->include_pid) {
		flame_buf_addc(b, '-');
		flame_buf_add(b, ev.pid, ev.pid_len);
	}
	/* stackcollapse-perf.pl: $pname =~ m/^java/ (so "java-PID" too) */
	p->pname_java = b->len >= 4 && memcmp(b->data, "java", 4) == 0;
	p->pname = flame_strtab_intern(&p->ctx->prof->names, b->data ? b->data : "", b->len);
	if (ei.single) {
		on_stack_line(p, ei.single, ei.single_len, lineno);
		p->in_event = 0;
	}
}

static void *perf_new(struct flame_parse_ctx *ctx)
{
	struct perf_parser *p = flame_xcalloc(1, sizeof(*p));
	p->ctx = ctx;
	p->o = ctx->opts;
	flame_linecache_init(&p->lc);
	flame_linecache_init(&p->slc);
	return p;
}

static void perf_free(void *vp)
{
	struct perf_parser *p = vp;
	free(p->frames);
	flame_buf_release(&p->sym);
	flame_buf_release(&p->part);
	flame_buf_release(&p->name);
	flame_linecache_release(&p->lc);
	flame_linecache_release(&p->slc);
	flame_srcchain_release(&p->chain);
	flame_buf_release(&p->inl_pc);
	free(p->tmp_ids);
	free(p);
}

static int perf_parse(void *vp, const char *buf, size_t len, int file_start, int file_end)
{
	struct perf_parser *p = vp;
	(void)file_start;
	const char *s = buf, *end = buf + len;
	uint64_t lineno = 0;
	p->in_event = 0;
	p->filter = KEEP;
	p->nframes = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		lineno++;
		if (n > FLAME_MAX_LINE) {
			p->ctx->lines = lineno;
			return flame_parse_fail(p->ctx, lineno, "line longer than %u MiB; is this perf script output?",
						FLAME_MAX_LINE >> 20);
		}
		if (n && s[0] == '#') {
			s = nl ? nl + 1 : end;
			continue;
		}
		flame_trim_end(s, &n);
		if (n == 0) {
			after_event(p);
		} else if (p->in_event) {
			on_stack_line(p, s, n, lineno);
		} else {
			on_event_line(p, s, n, lineno);
			if (p->nframes)
				after_event(p);
		}
		s = nl ? nl + 1 : end;
	}
	p->ctx->lines = lineno;
	if (file_end && p->nframes)
		after_event(p);
	p->in_event = 0;
	p->filter = KEEP;
	p->nframes = 0;
	return 0;
}

static size_t perf_boundary(const char *buf, size_t len, int at_file_start)
{
	(void)at_file_start;
	return flame_last_line_where(buf, len, flame_is_blank);
}

static int stack_line_ok(const char *line, size_t n)
{
	const char *t = flame_trim_start(line, &n);
	flame_trim_end(t, &n);
	const char *sp = find_sep(t, n);
	if (!sp)
		return 0;
	const char *ms = memrchr(sp + 1, ' ', (size_t)(t + n - sp - 1));
	return ms && t + n - (ms + 1) >= 2 && ms[1] == '(' && t[n - 1] == ')';
}

/* An event line followed by a stack line, after any comments. */
static enum flame_probe perf_probe(const char *buf, size_t len, int eof)
{
	const char *s = buf, *end = buf + len;
	int last_was_event = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl && !eof)
			break;
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		const char *t = flame_trim_start(s, &n);
		int indented = t > s;
		flame_trim_end(t, &n);
		s = nl ? nl + 1 : end;
		if (n && t[0] == '#')
			continue;
		if (n == 0) {
			last_was_event = 0;
			continue;
		}
		if (last_was_event)
			/* or "\tADDR name", an inlined frame with -F +srcline (indented,
			 * unlike the folded line "a;b 1 2") */
			return stack_line_ok(t, n) || (indented && is_frame_line(t, n)) ? FLAME_PROBE_YES
											: FLAME_PROBE_NO;
		struct event_parts ev;
		if (!event_line_parts(t, n, &ev))
			return FLAME_PROBE_NO;
		last_was_event = 1;
	}
	return eof ? FLAME_PROBE_NO : FLAME_PROBE_MAYBE;
}

/* The event of the first sample, kept when --event-filter is not given. */
static char *perf_prepare(const char *buf, size_t len, int eof, const struct flame_read_opts *opts)
{
	if (opts->event_filter)
		return flame_xstrdup(opts->event_filter);
	const char *s = buf, *end = buf + len;
	int in_event = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl && !eof)
			break; /* a cut line could name a cut event */
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - s);
		const char *line = s;
		s = nl ? nl + 1 : end;
		if (n && line[0] == '#')
			continue;
		flame_trim_end(line, &n);
		if (n == 0) {
			in_event = 0;
			continue;
		}
		if (in_event)
			continue;
		struct event_parts ev;
		in_event = 1;
		if (!event_line_parts(line, n, &ev)) {
			in_event = 0;
			continue;
		}
		struct event_info ei;
		event_info(line + ev.end, n - ev.end, &ei);
		if (ei.event)
			return flame_xmemdup(ei.event, ei.event_len);
	}
	return NULL;
}

const struct flame_format flame_format_perf = {
	.name = "perf",
	.aliases = "perf-script",
	.summary = "perf script text output (perf record -g; perf script)",
	.probe = perf_probe,
	.boundary = perf_boundary,
	.prepare = perf_prepare,
	.parser_new = perf_new,
	.parse = perf_parse,
	.parser_free = perf_free,
};
