/* Unit tests: core/io.c (decompressing input, atomic and compressed output). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "check.h"
#include "core/io.h"
#include "core/util.h"

/* Some text: numbered lines, compressible but not trivially. */
static char *make_text(size_t n)
{
	char *s = flame_xmalloc(n + 1);
	uint64_t seed = 7;
	size_t o = 0;
	while (o < n) {
		char line[80];
		uint64_t r = check_rand(&seed);
		int k = snprintf(line, sizeof(line), "frame_%llu;func_%llu %llu\n",
				 (unsigned long long)(r % 977), (unsigned long long)((r >> 20) % 31),
				 (unsigned long long)(o));
		size_t c = (size_t)k < n - o ? (size_t)k : n - o;
		memcpy(s + o, line, c);
		o += c;
	}
	s[n] = '\0';
	return s;
}

/* Read path whole through flame_input_read() in pieces of at most cap bytes.
 * Returns the data (NULL on error, with err filled). */
static char *input_slurp(const char *path, size_t cap, size_t *len, struct flame_error *err,
			 char *comp, size_t compsz)
{
	struct flame_input *in;
	if (flame_input_open(&in, path, err) < 0)
		return NULL;
	if (comp)
		snprintf(comp, compsz, "%s", flame_input_compression(in));
	struct flame_buf b = FLAME_BUF_INIT;
	char *piece = flame_xmalloc(cap);
	for (;;) {
		ssize_t n = flame_input_read(in, piece, cap, err);
		if (n < 0) {
			free(piece);
			flame_buf_release(&b);
			flame_input_close(in);
			return NULL;
		}
		if (n == 0)
			break;
		if ((size_t)n > cap) {
			check_fail(__FILE__, __LINE__, "flame_input_read returned %zd > cap %zu", n, cap);
			break;
		}
		flame_buf_add(&b, piece, (size_t)n);
	}
	/* end of input stays the end */
	CHECK_U64(flame_input_read(in, piece, cap, err), 0);
	free(piece);
	flame_input_close(in);
	flame_buf_reserve(&b, 0);
	*len = b.len;
	return b.data;
}

static int write_gzip(const char *path, const void *p, size_t n)
{
	gzFile g = gzopen(path, "wb6");
	if (!g)
		return -1;
	if (n && gzwrite(g, p, (unsigned)n) != (int)n) {
		gzclose(g);
		return -1;
	}
	return gzclose(g) == Z_OK ? 0 : -1;
}

static char *zstd_compress(const void *p, size_t n, size_t *out_len)
{
	size_t cap = ZSTD_compressBound(n);
	char *z = flame_xmalloc(cap);
	size_t r = ZSTD_compress(z, cap, p, n, 3);
	if (ZSTD_isError(r)) {
		free(z);
		return NULL;
	}
	*out_len = r;
	return z;
}

/* Write through flame_output in pieces of the given size and commit. */
static int output_write_all(const char *path, const char *data, size_t n, size_t piece,
			    struct flame_error *err)
{
	struct flame_output *out;
	if (flame_output_open(&out, path, err) < 0)
		return -1;
	for (size_t o = 0; o < n; o += piece) {
		size_t k = n - o < piece ? n - o : piece;
		if (flame_output_write(out, data + o, k, err) < 0) {
			flame_output_abort(out);
			return -1;
		}
	}
	return flame_output_commit(out, err);
}

static void t_plain_round_trip(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "out.folded");
	size_t n = 3 * 1024 * 1024 + 12345; /* more than the output buffer */
	char *data = make_text(n);
	struct flame_error err = { 0 };
	REQUIRE(output_write_all(path, data, n, 100000, &err) == 0);
	CHECK_U64(check_count_entries(dir), 1); /* no temporary file left */
	size_t got_len = 0;
	char *raw = check_read_file(path, &got_len);
	CHECK_MEM(raw, got_len, data, n);
	free(raw);
	char comp[16];
	char *got = input_slurp(path, 4096, &got_len, &err, comp, sizeof(comp));
	REQUIRE(got);
	CHECK_MEM(got, got_len, data, n);
	CHECK_STR(comp, "");
	free(got);
	free(data);
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void t_zstd_round_trip(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "out.folded.zst");
	size_t n = 3 * 1024 * 1024 + 777;
	char *data = make_text(n);
	struct flame_error err = { 0 };
	REQUIRE(output_write_all(path, data, n, 65536, &err) == 0);
	CHECK_U64(check_count_entries(dir), 1);
	size_t raw_len = 0;
	char *raw = check_read_file(path, &raw_len);
	REQUIRE(raw && raw_len >= 4);
	CHECK(memcmp(raw, "\x28\xb5\x2f\xfd", 4) == 0); /* zstd magic */
	CHECK(raw_len < n / 2);                          /* compressed */
	/* what libzstd itself makes of it */
	unsigned long long fsz = ZSTD_getFrameContentSize(raw, raw_len);
	CHECK(fsz == ZSTD_CONTENTSIZE_UNKNOWN || fsz == n);
	free(raw);
	char comp[16];
	size_t got_len = 0;
	char *got = input_slurp(path, 1000, &got_len, &err, comp, sizeof(comp));
	REQUIRE(got);
	CHECK_MEM(got, got_len, data, n);
	CHECK_STR(comp, "zstd");
	free(got);

	/* an empty output is still a valid zstd stream */
	char *empty = check_join(dir, "empty.zst");
	REQUIRE(output_write_all(empty, "", 0, 1, &err) == 0);
	got = input_slurp(empty, 100, &got_len, &err, comp, sizeof(comp));
	REQUIRE(got);
	CHECK_U64(got_len, 0);
	CHECK_STR(comp, "zstd");
	free(got);
	free(empty);
	free(data);
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void t_gzip_read(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "in.gz");
	size_t n = 2 * 1024 * 1024 + 99;
	char *data = make_text(n);
	REQUIRE(write_gzip(path, data, n) == 0);
	struct flame_error err = { 0 };
	char comp[16];
	size_t got_len = 0;
	char *got = input_slurp(path, 3000, &got_len, &err, comp, sizeof(comp));
	if (!got)
		check_fail(__FILE__, __LINE__, "gzip read failed: %s", err.msg);
	REQUIRE(got);
	CHECK_MEM(got, got_len, data, n);
	CHECK_STR(comp, "gzip");
	free(got);
	/* the name does not matter, only the magic bytes */
	char *other = check_join(dir, "in.txt");
	REQUIRE(rename(path, other) == 0);
	got = input_slurp(other, 1 << 20, &got_len, &err, comp, sizeof(comp));
	REQUIRE(got);
	CHECK_MEM(got, got_len, data, n);
	CHECK_STR(comp, "gzip");
	free(got);
	free(other);
	free(data);
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void t_concatenated_members(void)
{
	char *dir = check_tmpdir();
	const char *a = "first part\n", *b = "second part\n";
	char both[64];
	snprintf(both, sizeof(both), "%s%s", a, b);
	struct flame_error err = { 0 };
	size_t got_len;

	/* cat a.gz b.gz */
	char *pa = check_join(dir, "a.gz"), *pb = check_join(dir, "b.gz");
	REQUIRE(write_gzip(pa, a, strlen(a)) == 0 && write_gzip(pb, b, strlen(b)) == 0);
	size_t la, lb;
	char *ga = check_read_file(pa, &la), *gb = check_read_file(pb, &lb);
	REQUIRE(ga && gb);
	char *cat = flame_xmalloc(la + lb);
	memcpy(cat, ga, la);
	memcpy(cat + la, gb, lb);
	char *pcat = check_join(dir, "ab.gz");
	REQUIRE(check_write_file(pcat, cat, la + lb) == 0);
	char *got = input_slurp(pcat, 5, &got_len, &err, NULL, 0);
	if (!got)
		check_fail(__FILE__, __LINE__, "reading two gzip members failed: %s", err.msg);
	else
		CHECK_MEM(got, got_len, both, strlen(both));
	free(got);
	free(cat);
	free(ga);
	free(gb);

	/* two zstd frames */
	size_t za_len, zb_len;
	char *za = zstd_compress(a, strlen(a), &za_len), *zb = zstd_compress(b, strlen(b), &zb_len);
	REQUIRE(za && zb);
	cat = flame_xmalloc(za_len + zb_len);
	memcpy(cat, za, za_len);
	memcpy(cat + za_len, zb, zb_len);
	char *pz = check_join(dir, "ab.zst");
	REQUIRE(check_write_file(pz, cat, za_len + zb_len) == 0);
	got = input_slurp(pz, 7, &got_len, &err, NULL, 0);
	if (!got)
		check_fail(__FILE__, __LINE__, "reading two zstd frames failed: %s", err.msg);
	else
		CHECK_MEM(got, got_len, both, strlen(both));
	free(got);
	free(cat);
	free(za);
	free(zb);
	free(pa);
	free(pb);
	free(pcat);
	free(pz);
	check_rmtree(dir);
	free(dir);
}

/* Every proper prefix of a compressed file must be an error, never a short read. */
static void check_every_cut(const char *dir, const char *comp, const char *full, size_t full_len,
			    size_t min_cut, size_t stride, const char *want_msg, const char *plain,
			    size_t plain_len)
{
	char *path = check_join(dir, "cut");
	struct flame_error err;
	size_t silent = 0, first_silent = 0, wrong_msg = 0;
	char example[1100] = "";
	size_t tried = 0;
	for (size_t cut = min_cut; cut < full_len; cut += stride) {
		/* with a stride, the last 32 bytes (checksums, trailers) are tried one by one */
		if (stride > 1 && cut + stride + 32 >= full_len) {
			stride = 1;
			if (cut + 32 < full_len)
				cut = full_len - 32;
		}
		tried++;
		/* a new file each time: rewriting one file in place makes some file
		 * systems flush it to disk on every close */
		REQUIRE(check_write_file(path, full, cut) == 0);
		memset(&err, 0, sizeof(err));
		size_t got_len = 0;
		char *got = input_slurp(path, 512, &got_len, &err, NULL, 0);
		remove(path);
		if (got) {
			if (!silent++)
				first_silent = cut;
			free(got);
			continue;
		}
		if (err.kind != FLAME_ERR_DATA || !strstr(err.msg, path) ||
		    (!strstr(err.msg, want_msg) && !strstr(err.msg, "corrupt"))) {
			if (!wrong_msg++)
				snprintf(example, sizeof(example), "%s", err.msg);
		}
	}
	if (silent)
		check_fail(__FILE__, __LINE__, "%s: %zu of %zu truncated files read without error (first: %zu of %zu bytes)",
			   comp, silent, tried, first_silent, full_len);
	if (wrong_msg)
		check_fail(__FILE__, __LINE__, "%s: %zu truncated files gave an unexpected error, e.g. \"%s\"",
			   comp, wrong_msg, example);
	/* the cut in the middle says "truncated" precisely */
	REQUIRE(check_write_file(path, full, full_len / 2) == 0);
	size_t got_len;
	char *got = input_slurp(path, 1 << 16, &got_len, &err, NULL, 0);
	CHECK(got == NULL);
	free(got);
	CHECK_CONTAINS(err.msg, want_msg);
	/* and the whole file still reads */
	REQUIRE(check_write_file(path, full, full_len) == 0);
	got = input_slurp(path, 1 << 16, &got_len, &err, NULL, 0);
	REQUIRE(got);
	CHECK_MEM(got, got_len, plain, plain_len);
	free(got);
	free(path);
}

static void t_truncated_zstd(void)
{
	char *dir = check_tmpdir();
	/* a one-block frame cut everywhere, a many-block frame cut every 4001 bytes */
	static const size_t sizes[] = { 8000, 900000 };
	static const size_t strides[] = { 1, 4001 };
	for (int i = 0; i < 2; i++) {
		size_t n = sizes[i];
		char *data = make_text(n);
		size_t zl;
		char *z = zstd_compress(data, n, &zl);
		REQUIRE(z);
		/* below 4 bytes the magic number is incomplete: that is plain data */
		check_every_cut(dir, "zstd", z, zl, 4, strides[i], "truncated zstd data", data, n);
		free(z);
		free(data);
	}
	check_rmtree(dir);
	free(dir);
}

static void t_truncated_gzip(void)
{
	char *dir = check_tmpdir();
	char *gz = check_join(dir, "full.gz");
	static const size_t sizes[] = { 8000, 900000 };
	static const size_t strides[] = { 1, 4001 };
	for (int i = 0; i < 2; i++) {
		size_t n = sizes[i];
		char *data = make_text(n);
		REQUIRE(write_gzip(gz, data, n) == 0);
		size_t gl;
		char *g = check_read_file(gz, &gl);
		REQUIRE(g);
		REQUIRE(remove(gz) == 0);
		check_every_cut(dir, "gzip", g, gl, 2, strides[i], "truncated gzip data", data, n);
		free(g);
		free(data);
	}
	free(gz);
	check_rmtree(dir);
	free(dir);
}

static void t_corrupt(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "bad.zst");
	/* zstd magic followed by garbage */
	char bad[64];
	memcpy(bad, "\x28\xb5\x2f\xfd", 4);
	memset(bad + 4, 0xee, sizeof(bad) - 4);
	REQUIRE(check_write_file(path, bad, sizeof(bad)) == 0);
	struct flame_error err = { 0 };
	size_t len;
	char *got = input_slurp(path, 100, &len, &err, NULL, 0);
	CHECK(got == NULL);
	free(got);
	CHECK_U64(err.kind, FLAME_ERR_DATA);
	CHECK_CONTAINS(err.msg, "zstd");
	/* gzip magic followed by garbage */
	memcpy(bad, "\x1f\x8b", 2);
	REQUIRE(check_write_file(path, bad, sizeof(bad)) == 0);
	memset(&err, 0, sizeof(err));
	got = input_slurp(path, 100, &len, &err, NULL, 0);
	CHECK(got == NULL);
	free(got);
	CHECK_U64(err.kind, FLAME_ERR_DATA);
	CHECK_CONTAINS(err.msg, "gzip");
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void t_short_and_empty_inputs(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "short");
	struct flame_error err = { 0 };
	size_t len;
	char comp[16];
	const char *samples[] = { "", "a", "ab", "abc", "abcd", "\x1f", "\x28\xb5\x2f" };
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		size_t n = strlen(samples[i]);
		REQUIRE(check_write_file(path, samples[i], n) == 0);
		char *got = input_slurp(path, 2, &len, &err, comp, sizeof(comp));
		if (!got) {
			check_fail(__FILE__, __LINE__, "reading %zu plain bytes failed: %s", n, err.msg);
			continue;
		}
		CHECK_MEM(got, len, samples[i], n);
		CHECK_STR(comp, "");
		free(got);
	}
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void t_input_errors(void)
{
	char *dir = check_tmpdir();
	char *missing = check_join(dir, "no-such-file");
	struct flame_input *in = NULL;
	struct flame_error err = { 0 };
	CHECK_U64(flame_input_open(&in, missing, &err), (uint64_t)-1);
	CHECK_U64(err.kind, FLAME_ERR_IO);
	CHECK_CONTAINS(err.msg, missing);
	CHECK_CONTAINS(err.msg, "cannot open");
	memset(&err, 0, sizeof(err));
	CHECK_U64(flame_input_open(&in, dir, &err), (uint64_t)-1);
	CHECK_CONTAINS(err.msg, "is a directory");
	free(missing);
	check_rmtree(dir);
	free(dir);
}

static void t_input_map_and_sizes(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "plain.txt");
	size_t n = 100000;
	char *data = make_text(n);
	REQUIRE(check_write_file(path, data, n) == 0);
	struct flame_input *in;
	struct flame_error err = { 0 };
	REQUIRE(flame_input_open(&in, path, &err) == 0);
	CHECK_STR(flame_input_name(in), path);
	CHECK_U64(flame_input_raw_size(in), n);
	const void *p;
	size_t mlen;
	REQUIRE(flame_input_map(in, &p, &mlen) == 0);
	flame_input_close(in);
	/* the mapping outlives the input */
	CHECK_MEM(p, mlen, data, n);
	flame_input_unmap(p, mlen);

	/* compressed input is not mappable; raw offsets count compressed bytes */
	char *zpath = check_join(dir, "plain.txt.zst");
	size_t zl;
	char *z = zstd_compress(data, n, &zl);
	REQUIRE(z && check_write_file(zpath, z, zl) == 0);
	REQUIRE(flame_input_open(&in, zpath, &err) == 0);
	CHECK(flame_input_map(in, &p, &mlen) < 0);
	CHECK_U64(flame_input_raw_size(in), zl);
	char buf[4096];
	uint64_t total = 0;
	ssize_t r;
	while ((r = flame_input_read(in, buf, sizeof(buf), &err)) > 0)
		total += (uint64_t)r;
	CHECK_U64(r, 0);
	CHECK_U64(total, n);
	CHECK_U64(flame_input_raw_offset(in), zl);
	flame_input_close(in);

	/* an empty file is not mappable but reads as empty */
	char *epath = check_join(dir, "empty");
	REQUIRE(check_write_file(epath, "", 0) == 0);
	REQUIRE(flame_input_open(&in, epath, &err) == 0);
	CHECK(flame_input_map(in, &p, &mlen) < 0);
	CHECK_U64(flame_input_read(in, buf, sizeof(buf), &err), 0);
	flame_input_close(in);
	free(z);
	free(epath);
	free(zpath);
	free(data);
	free(path);
	check_rmtree(dir);
	free(dir);
}

/* Standard input redirected from a file, not at its start (as after a
 * shell's `read`): reading and mapping start where the offset is. */
static void t_stdin_offset(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "stdin.txt");
	size_t n = 3 * 4096 + 100;
	char *data = make_text(n);
	REQUIRE(check_write_file(path, data, n) == 0);
	int saved = dup(0);
	REQUIRE(saved >= 0);
	int fd = open(path, O_RDONLY);
	REQUIRE(fd >= 0);
	REQUIRE(dup2(fd, 0) == 0);
	close(fd);
	static const size_t offsets[] = { 0, 1234, 4096, 4097, 3 * 4096 + 99 };
	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		size_t off = offsets[i];
		struct flame_error err = { 0 };
		struct flame_input *in;
		/* mapped */
		REQUIRE(lseek(0, (off_t)off, SEEK_SET) == (off_t)off);
		REQUIRE(flame_input_open(&in, "-", &err) == 0);
		CHECK_STR(flame_input_name(in), "<stdin>");
		CHECK_U64(flame_input_raw_size(in), n - off);
		const void *p;
		size_t mlen;
		if (flame_input_map(in, &p, &mlen) == 0) {
			CHECK_MEM(p, mlen, data + off, n - off);
			flame_input_unmap(p, mlen);
		} else {
			check_fail(__FILE__, __LINE__, "stdin from a file at offset %zu is not mappable", off);
		}
		flame_input_close(in);
		/* read */
		REQUIRE(lseek(0, (off_t)off, SEEK_SET) == (off_t)off);
		REQUIRE(flame_input_open(&in, "-", &err) == 0);
		struct flame_buf b = FLAME_BUF_INIT;
		char buf[1000];
		ssize_t r;
		while ((r = flame_input_read(in, buf, sizeof(buf), &err)) > 0)
			flame_buf_add(&b, buf, (size_t)r);
		CHECK_U64(r, 0);
		CHECK_MEM(b.data ? b.data : "", b.len, data + off, n - off);
		flame_buf_release(&b);
		flame_input_close(in);
	}
	/* at the very end: nothing to map, nothing to read */
	struct flame_error err = { 0 };
	struct flame_input *in;
	REQUIRE(lseek(0, 0, SEEK_END) == (off_t)n);
	REQUIRE(flame_input_open(&in, "-", &err) == 0);
	const void *p;
	size_t mlen;
	CHECK(flame_input_map(in, &p, &mlen) < 0);
	char buf[16];
	CHECK_U64(flame_input_read(in, buf, sizeof(buf), &err), 0);
	flame_input_close(in);
	REQUIRE(dup2(saved, 0) == 0);
	close(saved);
	free(data);
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void t_output_abort(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "out.txt");
	struct flame_output *out;
	struct flame_error err = { 0 };
	/* a new file: nothing at all is left */
	REQUIRE(flame_output_open(&out, path, &err) == 0);
	char *big = make_text(2 * 1024 * 1024); /* enough to reach the temporary file */
	CHECK_U64(flame_output_write(out, big, 2 * 1024 * 1024, &err), 0);
	CHECK_U64(check_count_entries(dir), 1); /* the temporary file, while writing */
	flame_output_abort(out);
	CHECK_U64(check_count_entries(dir), 0);
	CHECK(access(path, F_OK) != 0);

	/* an existing file: kept as it was */
	REQUIRE(check_write_file(path, "old\n", 4) == 0);
	REQUIRE(flame_output_open(&out, path, &err) == 0);
	CHECK_U64(flame_output_write(out, "new\n", 4, &err), 0);
	flame_output_abort(out);
	size_t len;
	char *got = check_read_file(path, &len);
	CHECK_MEM(got, len, "old\n", 4);
	free(got);
	CHECK_U64(check_count_entries(dir), 1);

	/* compressed output aborts the same way */
	char *zpath = check_join(dir, "out.zst");
	REQUIRE(flame_output_open(&out, zpath, &err) == 0);
	CHECK_U64(flame_output_write(out, big, 2 * 1024 * 1024, &err), 0);
	flame_output_abort(out);
	CHECK_U64(check_count_entries(dir), 1);
	CHECK(access(zpath, F_OK) != 0);

	/* abort(NULL) is harmless */
	flame_output_abort(NULL);
	free(zpath);
	free(big);
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void t_output_replaces(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "out.txt");
	REQUIRE(check_write_file(path, "a much longer old content\n", 26) == 0);
	struct flame_error err = { 0 };
	mode_t old = umask(022);
	REQUIRE(output_write_all(path, "new\n", 4, 4, &err) == 0);
	umask(old);
	size_t len;
	char *got = check_read_file(path, &len);
	CHECK_MEM(got, len, "new\n", 4);
	free(got);
	CHECK_U64(check_count_entries(dir), 1);
	struct stat st;
	REQUIRE(stat(path, &st) == 0);
	CHECK_U64(st.st_mode & 0777, 0644); /* like any new file, not mkstemp's 0600 */
	/* a relative path in the current directory */
	char cwd[4096];
	REQUIRE(getcwd(cwd, sizeof(cwd)) != NULL);
	REQUIRE(chdir(dir) == 0);
	int rc = output_write_all("rel.txt", "rel\n", 4, 4, &err);
	REQUIRE(chdir(cwd) == 0);
	CHECK_U64(rc, 0);
	char *rel = check_join(dir, "rel.txt");
	got = check_read_file(rel, &len);
	CHECK_MEM(got, len, "rel\n", 4);
	free(got);
	free(rel);
	CHECK_U64(check_count_entries(dir), 2);
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void t_output_errors(void)
{
	char *dir = check_tmpdir();
	char *path = check_join(dir, "missing-dir/out.txt");
	struct flame_output *out = NULL;
	struct flame_error err = { 0 };
	CHECK_U64(flame_output_open(&out, path, &err), (uint64_t)-1);
	CHECK_U64(err.kind, FLAME_ERR_IO);
	CHECK_CONTAINS(err.msg, path);
	CHECK_CONTAINS(err.msg, "cannot create output file");
	CHECK_U64(check_count_entries(dir), 0);
	free(path);
	check_rmtree(dir);
	free(dir);
}

static void t_path_is_zst(void)
{
	CHECK(flame_path_is_zst("out.zst"));
	CHECK(flame_path_is_zst("dir.d/a.folded.zst"));
	CHECK(!flame_path_is_zst("out.zstd"));
	CHECK(!flame_path_is_zst("out.zst.txt"));
	CHECK(!flame_path_is_zst("out.ZST"));
	CHECK(!flame_path_is_zst("zst"));
	CHECK(!flame_path_is_zst("-"));
	CHECK(!flame_path_is_zst(NULL));
}

static const struct check_case cases[] = {
	{ "plain_round_trip", t_plain_round_trip },
	{ "zstd_round_trip", t_zstd_round_trip },
	{ "gzip_read", t_gzip_read },
	{ "concatenated_members", t_concatenated_members },
	{ "truncated_zstd", t_truncated_zstd },
	{ "truncated_gzip", t_truncated_gzip },
	{ "corrupt", t_corrupt },
	{ "short_and_empty_inputs", t_short_and_empty_inputs },
	{ "input_errors", t_input_errors },
	{ "input_map_and_sizes", t_input_map_and_sizes },
	{ "stdin_offset", t_stdin_offset },
	{ "output_abort", t_output_abort },
	{ "output_replaces", t_output_replaces },
	{ "output_errors", t_output_errors },
	{ "path_is_zst", t_path_is_zst },
};

int main(int argc, char **argv)
{
	return CHECK_MAIN(argc, argv, cases);
}
