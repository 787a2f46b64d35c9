/*
 * svgformat.c - the SVG flame graph as a writer of the format registry
 * (svgformat.h).
 */
#include "svgformat.h"

#include <stddef.h>

#include "../formats/registry.h"
#include "svg.h"

static int svg_write_opts(const struct flame_profile *p, const void *opts, struct flame_output *out,
			  struct flame_error *err)
{
	if (opts)
		return flame_render_svg(p, opts, out, err);
	struct flame_render_opts o;
	flame_render_opts_init(&o);
	if (p->unit == FLAME_UNIT_NANOSECONDS)
		o.count_name = "ns";
	else if (p->unit == FLAME_UNIT_BYTES)
		o.count_name = "bytes";
	return flame_render_svg(p, &o, out, err);
}

static int svg_write(const struct flame_profile *p, struct flame_output *out, struct flame_error *err)
{
	return svg_write_opts(p, NULL, out, err);
}

const struct flame_format flame_format_svg = {
	.name = "svg",
	.aliases = "",
	.summary = "interactive SVG flame graph (flame render's defaults)",
	.write = svg_write,
	.write_opts = svg_write_opts,
	.suffixes = ".svg",
};

void flame_render_register_formats(void)
{
	flame_format_register(&flame_format_svg);
}
