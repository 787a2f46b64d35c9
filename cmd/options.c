/*
 * options.c - the option tables of options.h, parsed with getopt_long.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "options.h"

/* More than any command has; a bigger table is a programming error. */
#define MAX_OPTIONS 128

enum { ID_HELP = -2, ID_VERSION = -3 };

static const struct flame_option builtin[] = {
	{ "help", 'h', ID_HELP, NULL, "show this help" },
	{ "version", 'V', ID_VERSION, NULL, "show the version" },
	FLAME_OPT_END,
};

struct flat {
	const struct flame_option *v[MAX_OPTIONS];
	size_t n;
};

static int listed(const struct flat *f, const struct flame_option *o)
{
	for (size_t i = 0; i < f->n; i++)
		if ((o->name && f->v[i]->name && strcmp(o->name, f->v[i]->name) == 0) ||
		    (o->short_name && o->short_name == f->v[i]->short_name))
			return 1;
	return 0;
}

/* The options of t and of the groups it splices, the first of each name
 * kept (the command's own row before a group's). */
static void flatten(struct flat *f, const struct flame_option *t)
{
	for (; t->name || t->help || t->include; t++) {
		if (t->include)
			flatten(f, t->include);
		else if (t->name && !listed(f, t)) {
			if (f->n == MAX_OPTIONS)
				abort(); /* the table is bigger than MAX_OPTIONS */
			f->v[f->n++] = t;
		}
	}
}

/* The long name the user typed in s ("--titel=x" -> "titel"), in buf. */
static const char *typed_name(const char *s, char *buf, size_t cap)
{
	while (*s == '-')
		s++;
	size_t n = strcspn(s, "=");
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

static int unknown_option(const struct flame_usage *u, const struct flat *f, const char *arg)
{
	char name[64];
	if (strncmp(arg, "--", 2) != 0 || !arg[2]) {
		fprintf(stderr, "flame %s: unknown option '%s'\n", u->cmd, arg);
		fprintf(stderr, "Try 'flame %s --help' for more information.\n", u->cmd);
		return EXIT_USAGE;
	}
	typed_name(arg, name, sizeof(name));
	/* getopt_long refuses an abbreviation that fits several options */
	size_t nprefix = 0, len = strlen(name);
	for (size_t i = 0; i < f->n; i++)
		if (strncmp(f->v[i]->name, name, len) == 0)
			nprefix++;
	const struct flame_option *flag = NULL;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i]->name, name) == 0 || (nprefix == 1 && strncmp(f->v[i]->name, name, len) == 0))
			flag = f->v[i];
	if (flag && strchr(arg, '=')) {
		fprintf(stderr, "flame %s: option '--%s' takes no value\n", u->cmd, flag->name);
	} else if (nprefix > 1) {
		fprintf(stderr, "flame %s: option '--%s' is ambiguous; possibilities:", u->cmd, name);
		for (size_t i = 0; i < f->n; i++)
			if (strncmp(f->v[i]->name, name, len) == 0)
				fprintf(stderr, " '--%s'", f->v[i]->name);
		fputc('\n', stderr);
	} else {
		fprintf(stderr, "flame %s: unknown option '%s'\n", u->cmd, arg);
		const char *best = NULL;
		size_t bd = 3;
		for (size_t i = 0; i < f->n; i++) {
			size_t d = flame_edit_distance(name, f->v[i]->name);
			if (d < bd) {
				bd = d;
				best = f->v[i]->name;
			}
		}
		if (best)
			fprintf(stderr, "\nThe most similar option is\n\t--%s\n\n", best);
	}
	fprintf(stderr, "Try 'flame %s --help' for more information.\n", u->cmd);
	return EXIT_USAGE;
}

int flame_options_parse(const struct flame_usage *u, int argc, char **argv, flame_option_fn fn,
			void *ctx)
{
	struct flat f = { .n = 0 };
	flatten(&f, u->options);
	flatten(&f, builtin);

	struct option longopts[MAX_OPTIONS + 1];
	char shorts[2 * MAX_OPTIONS + 3];
	size_t ns = 0;
	if (u->stop_at_operand)
		shorts[ns++] = '+';
	shorts[ns++] = ':';
	for (size_t i = 0; i < f.n; i++) {
		const struct flame_option *o = f.v[i];
		/* val: the row's index, so a short letter and its long name meet */
		longopts[i] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
					       (int)(256 + i) };
		if (o->short_name) {
			shorts[ns++] = (char)o->short_name;
			if (o->arg)
				shorts[ns++] = ':';
		}
	}
	longopts[f.n] = (struct option){ NULL, 0, NULL, 0 };
	shorts[ns] = '\0';

	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		const struct flame_option *o = NULL;
		if (c >= 256 && (size_t)(c - 256) < f.n)
			o = f.v[c - 256];
		else
			for (size_t i = 0; i < f.n && !o; i++)
				if (c != ':' && c != '?' && f.v[i]->short_name == c)
					o = f.v[i];
		if (c == ':')
			return flame_usage_error(u->cmd, "option '%s' needs a value", argv[optind - 1]);
		if (!o)
			return unknown_option(u, &f, argv[optind - 1]);
		if (o->id == ID_HELP) {
			flame_options_help(u, stdout);
			return EXIT_OK;
		}
		if (o->id == ID_VERSION) {
			printf("flame %s\n", FLAME_VERSION);
			return EXIT_OK;
		}
		int rc = fn(ctx, o->id, o->arg ? optarg : NULL);
		if (rc != 0)
			return rc;
	}
	return FLAME_OPTS_GO_ON;
}

/* Help column: "  -o, --output FILE" then the text from column 26. */
#define HELP_COL 26

static void help_line(const struct flame_option *o, FILE *f)
{
	char left[128];
	int n = snprintf(left, sizeof(left), "  %c%c%s--%s%s%s", o->short_name ? '-' : ' ',
			 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	fputs(left, f);
	const char *h = o->help;
	if (h[0] == '\n')
		; /* the text starts on the next line */
	else if (n >= HELP_COL - 1)
		fputs("  ", f);
	else
		fprintf(f, "%*s", HELP_COL - n, "");
	for (;;) {
		size_t k = strcspn(h, "\n");
		fwrite(h, 1, k, f);
		fputc('\n', f);
		if (!h[k] || !h[k + 1])
			break;
		h += k + 1;
		fprintf(f, "%*s", HELP_COL, "");
	}
}

static void help_table(const struct flame_option *t, struct flat *shown, FILE *f)
{
	for (; t->name || t->help || t->include; t++) {
		if (t->include) {
			help_table(t->include, shown, f);
		} else if (!t->name) {
			fprintf(f, "\n%s\n", t->help);
		} else if (!listed(shown, t)) {
			/* a second spelling of an option already shown is not listed */
			int alias = 0;
			for (size_t i = 0; i < shown->n; i++)
				alias |= shown->v[i]->id == t->id && shown->v[i]->help;
			shown->v[shown->n++] = t;
			if (t->help && !alias)
				help_line(t, f);
		}
	}
}

void flame_options_help(const struct flame_usage *u, FILE *f)
{
	struct flat shown = { .n = 0 };
	fputs(u->synopsis, f);
	if (u->about)
		fprintf(f, "\n%s", u->about);
	if (u->options[0].name || u->options[0].include)
		fputc('\n', f); /* a heading brings its own blank line */
	help_table(u->options, &shown, f);
	fputc('\n', f);
	help_table(builtin, &shown, f);
	if (u->epilog)
		fprintf(f, "\n%s", u->epilog);
}
