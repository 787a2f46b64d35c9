/*
 * svgformat.h - render/'s writers in the format registry.
 *
 * The registry lives in formats/, below render/, so render's writers join
 * it at start-up: a program that wants them calls
 * flame_render_register_formats() once, before choosing a writer.
 */
#ifndef FLAME_RENDER_SVGFORMAT_H
#define FLAME_RENDER_SVGFORMAT_H

#include "../formats/format.h"

/* The SVG flame graph.  Through flame_format_write(), opts is a const
 * struct flame_render_opts * (svg.h), used as given; NULL draws with
 * flame render's defaults and counts named after the profile's unit
 * (ns, bytes, else samples). */
extern const struct flame_format flame_format_svg;

/* Add render's writers to the registry (formats/registry.h); calling it
 * again does nothing. */
void flame_render_register_formats(void);

#endif
