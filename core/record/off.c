/*
 * off.c - the recorder's stand-in in a flame built with
 * -DFLAME_WITH_RECORD=OFF (no libelf, libdw or libiberty).
 *
 * The readers above core/record reach the symbolizer only for
 * `flame collapse --inline`, which cmd/ refuses in such a build; they
 * still name these functions, so they are defined here: a symbolizer is
 * never made, a file is never found, an address has no inline chain.
 */
#include <stdlib.h>
#include <string.h>

#include "srcinfo.h"
#include "symbolizer.h"

struct flame_symbolizer *flame_symbolizer_new(const struct flame_symbolizer_opts *o)
{
	return NULL;
}

void flame_symbolizer_free(struct flame_symbolizer *s)
{
}

struct flame_dso *flame_symbolizer_file(struct flame_symbolizer *s, const char *path)
{
	return NULL;
}

int flame_symbolizer_file_addr(struct flame_symbolizer *s, struct flame_dso *d, const char *sym,
			       size_t sym_len, int has_off, uint64_t off, uint64_t pc, uint64_t *addr)
{
	return -1;
}

size_t flame_symbolizer_srcinfo(struct flame_symbolizer *s, struct flame_dso *d, uint64_t addr,
				struct flame_srcchain *out)
{
	return 0;
}

size_t flame_symbolizer_dsos(struct flame_symbolizer *s, struct flame_dso ***out)
{
	*out = NULL;
	return 0;
}

void flame_srcchain_release(struct flame_srcchain *c)
{
	free(c->f);
	flame_buf_release(&c->text);
	memset(c, 0, sizeof(*c));
}

const char *flame_srcinfo_basename(const char *file)
{
	const char *s = strrchr(file, '/');
	return s ? s + 1 : file;
}
