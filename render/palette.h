/*
 * palette.h - frame colours: flamegraph.pl's palettes and their
 * name-driven choices.  Internal to render/; the palette names, the
 * background option and the consistent palette map (--cp) are public, in
 * render.h.
 *
 * Every function here is pure but for the colorer's state; colours are written as "rgb(R,G,B)" into a caller's buffer of
 * FLAME_COLOR_MAX bytes.  Names are UTF-8 bytes; the name-based hashes
 * work on code points, as flamegraph.pl (which decodes its input as UTF-8)
 * does.
 */
#ifndef FLAME_PALETTE_H
#define FLAME_PALETTE_H

#include <stddef.h>
#include <stdint.h>

#include "render.h"

/* The background gradient flamegraph.pl picks for a palette:
 * "yellow", "blue", "green" or "grey". */
const char *flame_palette_default_bg(enum flame_palette p);

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

/* inferno's --colordiffusion colour of a frame covering fraction (0..1)
 * of the graph's width: near white for narrow frames, red for wide ones. */
void flame_color_diffusion(double fraction, char out[FLAME_COLOR_MAX]);

/* The value flamegraph.pl's default colouring draws for a name: the sum of
 * its code points seeds perl's drand48, whose first number is returned. */
double flame_perl_name_random(const char *name, size_t len);
/* flamegraph.pl's namehash() of name (reverse: of the name reversed). */
double flame_perl_namehash(const char *name, size_t len, int reverse);

#endif
