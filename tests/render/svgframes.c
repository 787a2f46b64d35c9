/*
 * svgframes - print the structure of a flame graph SVG, one frame per line,
 * so that SVGs from flame, inferno and flamegraph.pl can be compared.
 *
 * usage: svgframes [--px] [--fill] FILE.svg
 *
 * Output: a header line
 *   H <width> <height> <title> <subtitle> <notes> <total_samples>
 * then one line per frame (tab-separated):
 *   F <title> <x> <w> <y> <height> [<fill>]
 * x and w are fg:x and fg:w (profile units) when the SVG has them, else
 * the rect's pixel x and width as written (flamegraph.pl).  --px turns
 * fg:x/fg:w into the pixel strings flamegraph.pl would print for them
 * (x = sprintf("%.1f", 10 + x * (width - 20) / total), ...).  Texts are
 * unescaped; numbers are printed as %.15g.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);
	for (;;) {
		if (n == cap) {
			cap *= 2;
			b = realloc(b, cap + 1);
		}
		size_t r = fread(b + n, 1, cap - n, f);
		if (!r)
			break;
		n += r;
	}
	fclose(f);
	b[n] = '\0';
	*len = n;
	return b;
}

static void put_utf8(char **o, unsigned long cp)
{
	unsigned char *u = (unsigned char *)*o;
	if (cp < 0x80) {
		*u++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*u++ = (unsigned char)(0xC0 | (cp >> 6));
		*u++ = (unsigned char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*u++ = (unsigned char)(0xE0 | (cp >> 12));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		*u++ = (unsigned char)(0x80 | (cp & 0x3F));
	} else {
		*u++ = (unsigned char)(0xF0 | (cp >> 18));
		*u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		*u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		*u++ = (unsigned char)(0x80 | (cp & 0x3F));
	}
	*o = (char *)u;
}

/* Unescaped copy of s[0,n); tabs and newlines become spaces. */
static char *unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '&') {
			const char *semi = memchr(s + i, ';', n - i);
			if (semi) {
				size_t k = (size_t)(semi - (s + i));
				const char *e = s + i + 1;
				int done = 1;
				if (k == 3 && !memcmp(e, "lt", 2))
					*o++ = '<';
				else if (k == 3 && !memcmp(e, "gt", 2))
					*o++ = '>';
				else if (k == 4 && !memcmp(e, "amp", 3))
					*o++ = '&';
				else if (k == 5 && !memcmp(e, "quot", 4))
					*o++ = '"';
				else if (k == 5 && !memcmp(e, "apos", 4))
					*o++ = '\'';
				else if (k > 2 && e[0] == '#')
					put_utf8(&o, e[1] == 'x' ? strtoul(e + 2, NULL, 16) : strtoul(e + 1, NULL, 10));
				else
					done = 0;
				if (done) {
					i += k;
					continue;
				}
			}
		}
		*o++ = (s[i] == '\t' || s[i] == '\n') ? ' ' : s[i];
	}
	*o = '\0';
	return out;
}

/* Value of attribute name in the tag starting at tag (up to '>'), or NULL. */
static char *attr(const char *tag, const char *name)
{
	const char *end = strchr(tag, '>');
	size_t nl = strlen(name);
	for (const char *p = tag; p && p < end; p++) {
		p = strstr(p, name);
		if (!p || p >= end)
			return NULL;
		if ((p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t') && p[nl] == '=' && p[nl + 1] == '"') {
			const char *v = p + nl + 2, *q = strchr(v, '"');
			return unescape(v, (size_t)(q - v));
		}
	}
	return NULL;
}

static char *text_of(const char *doc, const char *id_attr)
{
	const char *p = strstr(doc, id_attr);
	if (!p)
		return strdup("");
	const char *gt = strchr(p, '>'), *lt = strchr(gt, '<');
	return unescape(gt + 1, (size_t)(lt - gt - 1));
}

static void print_num(const char *s)
{
	printf("%.15g", strtod(s, NULL));
}

int main(int argc, char **argv)
{
	int px = 0, fill = 0;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--px"))
			px = 1;
		else if (!strcmp(argv[i], "--fill"))
			fill = 1;
		else
			path = argv[i];
	}
	size_t len;
	char *doc = path ? slurp(path, &len) : NULL;
	if (!doc) {
		fprintf(stderr, "usage: svgframes [--px] [--fill] FILE.svg\n");
		return 2;
	}
	const char *svg = strstr(doc, "<svg ");
	if (!svg) {
		fprintf(stderr, "svgframes: %s: no <svg>\n", path);
		return 1;
	}
	char *w = attr(svg, "width"), *h = attr(svg, "height");
	char *title = text_of(doc, "id=\"title\"");
	char *sub = strstr(doc, "id=\"subtitle\"") ? text_of(doc, "id=\"subtitle\"") : strdup("");
	char *notes = strdup("");
	const char *np = strstr(doc, "NOTES:");
	if (np) {
		np += 6;
		while (*np == ' ')
			np++;
		const char *ne = strstr(np, "-->");
		while (ne > np && ne[-1] == ' ')
			ne--;
		free(notes);
		notes = unescape(np, (size_t)(ne - np));
	}
	/* the frames container: inferno's <svg id="frames">, perl's <g id="frames"> */
	const char *frames = NULL;
	for (const char *q = doc; (q = strstr(q, "<svg id=\"frames\"")); q++)
		frames = q; /* the last one: a script may mention the tag */
	if (!frames)
		frames = strstr(doc, "<g id=\"frames\"");
	char *total = frames ? attr(frames, "total_samples") : NULL;
	printf("H\t%s\t%s\t%s\t%s\t%s\t%s\n", w ? w : "", h ? h : "", title, sub, notes,
	       total ? total : "");
	double W = w ? strtod(w, NULL) : 1200, T = total ? strtod(total, NULL) : 1;
	for (const char *p = frames ? strstr(frames, "<title>") : NULL; p; p = strstr(p, "<title>")) {
		const char *te = strstr(p, "</title>");
		const char *rect = strstr(te, "<rect");
		if (!te || !rect)
			break;
		char *t = unescape(p + 7, (size_t)(te - p - 7));
		char *fx = attr(rect, "fg:x"), *fw = attr(rect, "fg:w");
		char *x = attr(rect, "x"), *y = attr(rect, "y"), *rw = attr(rect, "width"),
		     *rh = attr(rect, "height"), *fl = attr(rect, "fill");
		printf("F\t%s\t", t);
		if (fx && fw && px) {
			double wpt = (W - 20) / T, a = strtod(fx, NULL), b = strtod(fw, NULL);
			char x1[64], x2[64];
			snprintf(x1, sizeof(x1), "%.1f", 10 + a * wpt);
			snprintf(x2, sizeof(x2), "%.1f", 10 + (a + b) * wpt);
			printf("%s\t%.1f", x1, strtod(x2, NULL) - strtod(x1, NULL));
		} else if (fx && fw) {
			print_num(fx);
			printf("\t");
			print_num(fw);
		} else {
			printf("%s\t%s", x ? x : "", rw ? rw : "");
		}
		printf("\t");
		print_num(y ? y : "0");
		printf("\t");
		print_num(rh ? rh : "0");
		if (fill)
			printf("\t%s", fl ? fl : "");
		printf("\n");
		free(t);
		free(fx);
		free(fw);
		free(x);
		free(y);
		free(rw);
		free(rh);
		free(fl);
		p = rect;
	}
	free(w);
	free(h);
	free(title);
	free(sub);
	free(notes);
	free(total);
	free(doc);
	return 0;
}
