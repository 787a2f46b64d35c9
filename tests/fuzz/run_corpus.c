/*
 * run_corpus.c - replay saved fuzz inputs without libFuzzer.
 *
 * Usage: <target>_corpus DIR|FILE...
 * Calls LLVMFuzzerTestOneInput() once per regular file (directories are
 * not searched recursively; files are run in name order), each input in a
 * buffer of exactly its size so that AddressSanitizer sees over-reads.
 * Fails when an argument is missing, unreadable or a directory holds no
 * inputs; a failing input aborts inside the target.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "run_corpus: %s: %s\n", path, strerror(errno));
		return -1;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	size_t k;
	while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	int bad = !buf || ferror(f);
	fclose(f);
	if (bad) {
		fprintf(stderr, "run_corpus: %s: read error\n", path);
		free(buf);
		return -1;
	}
	/* exact-size copy: reads past the end are caught */
	uint8_t *exact = malloc(n ? n : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static long run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "run_corpus: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	char **paths = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		char *p = malloc(len);
		if (!p)
			break;
		snprintf(p, len, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			char **np = realloc(paths, cap * sizeof(*paths));
			if (!np) {
				free(p);
				break;
			}
			paths = np;
		}
		paths[n++] = p;
	}
	closedir(d);
	if (n)
		qsort(paths, n, sizeof(*paths), cmp_names);
	long ran = 0;
	for (size_t i = 0; i < n; i++) {
		if (run_file(paths[i]) < 0)
			ran = -1;
		else if (ran >= 0)
			ran++;
		free(paths[i]);
	}
	free(paths);
	if (ran == 0)
		fprintf(stderr, "run_corpus: %s: no inputs\n", dir);
	return ran;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	int failed = 0;
	long total = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "run_corpus: %s: %s\n", argv[i], strerror(errno));
			failed = 1;
			continue;
		}
		long ran;
		if (S_ISDIR(st.st_mode)) {
			ran = run_dir(argv[i]);
		} else {
			ran = run_file(argv[i]) < 0 ? -1 : 1;
		}
		if (ran <= 0)
			failed = 1;
		else
			total += ran;
		printf("%s: %ld inputs\n", argv[i], ran > 0 ? ran : 0);
	}
	printf("ran %ld inputs%s\n", total, failed ? " (with errors)" : "");
	return failed ? 1 : 0;
}
