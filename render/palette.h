/*
 * palette.h - frame colours: flamegraph.pl's palettes and their
 * name-driven choices, plus the consistent palette map (--cp).
 *
 * Every function here is pure but for the map, which the caller owns;
 * colours are written as "rgb(R,G,B)" into a caller's buffer of
 * FLAME_COLOR_MAX bytes.  Names are UTF-8 bytes; the name-based hashes
 * work on code points, as flamegraph.pl (which decodes its input as UTF-8)
 * does.
 */
#ifndef FLAME_PALETTE_H
#define FLAME_PALETTE_H

#include <stddef.h>
#include <stdint.h>

#include "../core/util.h"

#define FLAME_COLOR_MAX 24 /* "rgb(255,255,255)" plus room */

enum flame_palette {
	FLAME_PALETTE_HOT = 0,
	FLAME_PALETTE_MEM,
	FLAME_PALETTE_IO,
	FLAME_PALETTE_WAKEUP,
	FLAME_PALETTE_CHAIN,
	FLAME_PALETTE_JAVA,
	FLAME_PALETTE_JS,
	FLAME_PALETTE_PERL,
	FLAME_PALETTE_RED,
	FLAME_PALETTE_GREEN,
	FLAME_PALETTE_BLUE,
	FLAME_PALETTE_AQUA,
	FLAME_PALETTE_YELLOW,
	FLAME_PALETTE_PURPLE,
	FLAME_PALETTE_ORANGE,
	FLAME_PALETTE_COUNT
};

/* How the three random-looking values a palette needs are drawn. */
enum flame_color_mode {
	FLAME_COLOR_NAME = 0,      /* flamegraph.pl's default: seeded by the name's code point sum */
	FLAME_COLOR_HASH,          /* --hash: flamegraph.pl's namehash (similar names, similar colours) */
	FLAME_COLOR_RANDOM,        /* --random: a fixed-seed generator, in frame order */
	FLAME_COLOR_DETERMINISTIC, /* --deterministic: inferno's FNV-1a of the name */
};

/* Palette by name ("hot", "java", ...); -1 if unknown. */
int flame_palette_find(const char *name);
const char *flame_palette_name(enum flame_palette p);
/* Comma-separated list of palette names, for messages. */
const char *flame_palette_names(void);
/* The background gradient flamegraph.pl picks for a palette:
 * "yellow", "blue", "green" or "grey". */
const char *flame_palette_default_bg(enum flame_palette p);
/* Background gradient stops for "yellow", "blue", "green", "grey" or
 * "#rrggbb"; -1 if spec is none of these. */
int flame_bgcolors_parse(const char *spec, char c1[8], char c2[8]);

struct flame_colorer {
	enum flame_palette palette;
	enum flame_color_mode mode;
	uint64_t rng; /* state of FLAME_COLOR_RANDOM */
};

void flame_colorer_init(struct flame_colorer *c, enum flame_palette p, enum flame_color_mode m);
/* Colour of a frame named name[0,len) (annotations such as "_[k]" included;
 * a name ending in "_[o]", an off-CPU frame, is blue in every palette). */
void flame_color(struct flame_colorer *c, const char *name, size_t len, char out[FLAME_COLOR_MAX]);
/* Differential colour (flamegraph.pl's color_scale): red for more, blue for
 * less, white for no change; negate swaps the hues. */
void flame_color_scale(double delta, double maxdelta, int negate, char out[FLAME_COLOR_MAX]);

/* The value flamegraph.pl's default colouring draws for a name: the sum of
 * its code points seeds perl's drand48, whose first number is returned. */
double flame_perl_name_random(const char *name, size_t len);
/* flamegraph.pl's namehash() of name (reverse: of the name reversed). */
double flame_perl_namehash(const char *name, size_t len, int reverse);

/*
 * The consistent palette map (--cp): "name->rgb(r,g,b)" lines.  Names seen
 * during rendering that the map lacks are added with their computed
 * colour, so that the next graph reuses them.
 */
struct flame_palette_map {
	struct pmap_entry *entries;
	size_t n, cap;
	uint32_t *slots; /* open addressing: index + 1, 0 = empty */
	size_t nslots;
	int changed;     /* entries were added */
};

void flame_palette_map_init(struct flame_palette_map *m);
void flame_palette_map_release(struct flame_palette_map *m);
/* Parse map text; lines that do not hold a valid "NAME->rgb(R,G,B)" (or
 * #rrggbb) are skipped and counted in *bad (first such line number in
 * *first_bad). */
void flame_palette_map_parse(struct flame_palette_map *m, const char *buf, size_t len,
			     uint64_t *bad, uint64_t *first_bad);
/* Colour stored for name, or NULL. */
const char *flame_palette_map_get(const struct flame_palette_map *m, const char *name, size_t len);
void flame_palette_map_put(struct flame_palette_map *m, const char *name, size_t len,
			   const char *color);
/* Every entry as "name->color\n", sorted by name byte-wise. */
void flame_palette_map_format(const struct flame_palette_map *m, struct flame_buf *out);

#endif
