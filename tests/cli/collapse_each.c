/*
 * collapse_each.c - `flame collapse -q -o /dev/null FILE` for many files in
 * one process.
 *
 * Usage: collapse_each WORKDIR DIR|FILE...
 * Runs cmd_collapse (the command itself, linked from cmd/) once per
 * regular file, directories read in name order, not recursively.  Each
 * run must end in exit 0 or 1: any other status is reported with the first
 * lines of what that run wrote to standard error.  A crash ends the whole
 * process; WORKDIR/current then names the input that caused it.  Standard
 * error of the runs goes to WORKDIR/err, rewritten for each input.
 *
 * One process instead of one per input: under AddressSanitizer starting
 * flame costs more than reading a small perf.data file, and leaks are
 * still reported, once, when the process ends.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "render/svgformat.h"

static int current_fd = -1; /* WORKDIR/current: the input being run */
static int err_fd = -1;     /* WORKDIR/err, standard error of the runs */
static int saved_stderr = -1;
static long ran, failed;

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show_err(void)
{
	char buf[2048];
	ssize_t n = pread(err_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	int lines = 0;
	for (char *p = buf; *p && lines < 5; p++) {
		if (*p == '\n')
			lines++;
		if (lines == 5)
			p[1] = '\0';
	}
	dprintf(saved_stderr, "%s", buf);
}

static void run_file(const char *path)
{
	if (ftruncate(current_fd, 0) < 0 || pwrite(current_fd, path, strlen(path), 0) < 0 ||
	    ftruncate(err_fd, 0) < 0) {
		dprintf(saved_stderr, "collapse_each: cannot note the input: %s\n", strerror(errno));
		failed++;
		return;
	}
	char *argv[] = { "collapse", "-q", "-o", "/dev/null", (char *)path, NULL };
	flame_set_command("collapse");
	int rc = cmd_collapse(5, argv);
	fflush(stdout);
	ran++;
	if (rc != 0 && rc != 1) {
		dprintf(saved_stderr, "FAIL: %s: exit %d\n", path, rc);
		show_err();
		failed++;
	}
}

static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		dprintf(saved_stderr, "collapse_each: %s: %s\n", dir, strerror(errno));
		failed++;
		return;
	}
	char **paths = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *p;
		if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
			abort();
		struct stat st;
		if (stat(p, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(p);
			continue;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			paths = realloc(paths, cap * sizeof(*paths));
			if (!paths)
				abort();
		}
		paths[n++] = p;
	}
	closedir(d);
	if (n)
		qsort(paths, n, sizeof(*paths), cmp_names);
	for (size_t i = 0; i < n; i++) {
		run_file(paths[i]);
		free(paths[i]);
	}
	free(paths);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s WORKDIR DIR|FILE...\n", argv[0]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	flame_render_register_formats();
	char *cur, *errp;
	if (asprintf(&cur, "%s/current", argv[1]) < 0 || asprintf(&errp, "%s/err", argv[1]) < 0)
		return 2;
	current_fd = open(cur, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	err_fd = open(errp, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	saved_stderr = dup(2);
	if (current_fd < 0 || err_fd < 0 || saved_stderr < 0 || dup2(err_fd, 2) < 0) {
		perror("collapse_each");
		return 2;
	}
	free(cur);
	free(errp);
	for (int i = 2; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) < 0) {
			dprintf(saved_stderr, "collapse_each: %s: %s\n", argv[i], strerror(errno));
			failed++;
		} else if (S_ISDIR(st.st_mode)) {
			run_dir(argv[i]);
		} else {
			run_file(argv[i]);
		}
	}
	/* the input ran to its end: nothing to blame for a crash now */
	if (ftruncate(current_fd, 0) < 0)
		failed++;
	dup2(saved_stderr, 2);
	printf("%ld inputs, %ld failed\n", ran, failed);
	return failed ? 1 : 0;
}
