/*
 * fuzz_render.c - the folded reader driving the renderer.
 *
 * Input: an option byte, then folded text.  The text is read into a
 * profile (formats/reader.h, folded format) and drawn as an SVG through
 * the profile path, through the streaming path (flame_render_svg_folded(), which
 * parses the bytes itself), and as the text views.  Every SVG written
 * must end properly and hold no control bytes or invalid UTF-8.
 *
 * Option byte:
 *   bits 0-3  palette (modulo the palette count)
 *   bit  4    --reverse        bit 5  --flamechart
 *   bit  6    --minwidth 0     bit 7  --inverted, --hash, diff widths from max
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io.h"
#include "core/util.h"
#include "formats/reader.h"
#include "render/escape.h"
#include "render/render.h"
#include "render/text.h"

static char out_path[64];

static void check_svg(void)
{
	FILE *f = fopen(out_path, "rb");
	if (!f)
		abort();
	struct flame_buf b = FLAME_BUF_INIT;
	char t[65536];
	size_t n;
	while ((n = fread(t, 1, sizeof(t), f)) > 0)
		flame_buf_add(&b, t, n);
	fclose(f);
	const char *end = "</svg>\n</svg>\n";
	if (b.len < strlen(end) || memcmp(b.data + b.len - strlen(end), end, strlen(end)) != 0) {
		fprintf(stderr, "fuzz_render: SVG does not end with </svg>\n");
		abort();
	}
	const unsigned char *u = (const unsigned char *)b.data;
	for (size_t i = 0; i < b.len;) {
		uint32_t cp;
		size_t k = flame_utf8_next(u + i, b.len - i, &cp);
		if (cp == FLAME_REPLACEMENT && k == 1 && u[i] != 0xEF) {
			fprintf(stderr, "fuzz_render: invalid UTF-8 at byte %zu\n", i);
			abort();
		}
		if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F) {
			fprintf(stderr, "fuzz_render: control byte 0x%02x at %zu\n", (unsigned)cp, i);
			abort();
		}
		i += k;
	}
	flame_buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!out_path[0]) {
		snprintf(out_path, sizeof(out_path), "/tmp/flame-fuzz-render.%d.svg", (int)getpid());
	}
	uint8_t opt = size ? data[0] : 0;
	const char *text = size ? (const char *)data + 1 : "";
	size_t len = size ? size - 1 : 0;

	struct flame_render_opts o;
	flame_render_opts_init(&o);
	o.palette = (enum flame_palette)((opt & 15) % FLAME_PALETTE_COUNT);
	o.reverse = !!(opt & 16);
	o.flamechart = !!(opt & 32);
	if (opt & 64)
		o.min_width = 0;
	if (opt & 128) {
		o.inverted = 1;
		o.color_mode = FLAME_COLOR_HASH;
		o.diff_width = FLAME_DIFF_WIDTH_MAX;
	}

	/* the profile path */
	struct flame_read_opts ro;
	memset(&ro, 0, sizeof(ro));
	struct flame_reader_config cfg = { .format = &flame_format_folded, .opts = &ro, .nthreads = 1 };
	struct flame_error err = { 0 };
	struct flame_profile p;
	struct flame_read_report rep;
	flame_profile_init(&p);
	struct flame_reader *r = flame_reader_new(&cfg);
	int ok = flame_reader_begin_file(r, "fuzz", &err) == 0 &&
		 flame_reader_feed(r, text, len, &err) == 0 && flame_reader_end_file(r, &err) == 0;
	if (!ok) {
		flame_reader_abort(r);
	} else if (flame_reader_finish(r, &p, &rep, &err) == 0) {
		flame_read_report_release(&rep);
		struct flame_output *out;
		if (flame_output_open(&out, out_path, &err) == 0) {
			if (flame_render_svg(&p, &o, out, &err) == 0 && flame_output_commit(out, &err) == 0)
				check_svg();
			else if (err.kind != FLAME_ERR_DATA)
				flame_output_abort(out);
			else
				flame_output_abort(out);
		}
		for (int view = 0; view < 2; view++) {
			struct flame_text_opts to;
			flame_text_opts_init(&to);
			to.format = view ? FLAME_TEXT_TREE : FLAME_TEXT_TOP;
			to.reverse = o.reverse;
			to.min_percent = (opt & 64) ? 0 : 1;
			if (flame_output_open(&out, out_path, &err) == 0) {
				if (flame_render_text(&p, &to, out, &err) == 0)
					flame_output_commit(out, &err);
				else
					flame_output_abort(out);
			}
		}
	}
	flame_profile_release(&p);

	/* the streaming path on the same bytes */
	struct flame_text_input in = { "fuzz", text, len, 0 };
	struct flame_stream_result sr;
	struct flame_output *out;
	if (flame_output_open(&out, out_path, &err) == 0) {
		int s = flame_render_svg_folded(&in, 1, &o, out, &sr, &err);
		if (s == 0) {
			if (flame_output_commit(out, &err) == 0)
				check_svg();
		} else {
			flame_output_abort(out);
		}
	}
	unlink(out_path);
	return 0;
}
