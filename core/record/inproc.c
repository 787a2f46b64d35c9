/*
 * inproc.c - start and collect the in-process sampler.  See inproc.h.
 */
#include "inproc.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload/stream.h"
#include "sampler.h"
#include "../util.h"

#ifndef FLAME_PRELOAD_LIBDIR
#define FLAME_PRELOAD_LIBDIR "lib/flame"
#endif
#ifndef FLAME_PRELOAD_FULL_LIBDIR
#define FLAME_PRELOAD_FULL_LIBDIR "/usr/local/lib/flame"
#endif

static int usable(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && access(path, R_OK) == 0;
}

int flame_inproc_find(char *out, size_t cap, struct flame_error *err)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char dir[4096] = ".";
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s", exe[0] ? exe : "/");
		}
	}
	char cand[3][8400];
	snprintf(cand[0], sizeof(cand[0]), "%s/%s", dir, FLAME_INPROC_LIB);
	snprintf(cand[1], sizeof(cand[1]), "%s/../%s/%s", dir, FLAME_PRELOAD_LIBDIR, FLAME_INPROC_LIB);
	snprintf(cand[2], sizeof(cand[2]), "%s/%s", FLAME_PRELOAD_FULL_LIBDIR, FLAME_INPROC_LIB);
	for (int i = 0; i < 3; i++) {
		if (!usable(cand[i]))
			continue;
		char *real = realpath(cand[i], NULL);
		if (!real)
			continue;
		int fits = strlen(real) < cap;
		if (fits)
			memcpy(out, real, strlen(real) + 1);
		free(real);
		if (!fits)
			continue;
		if (strpbrk(out, ": \t\n"))
			return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
					       "%s is in a directory whose name holds a space or ':', which "
					       "LD_PRELOAD cannot name; move or reinstall flame", out);
		return 0;
	}
	return flame_error_set(err, FLAME_ERR_IO, NULL, 0,
			       "cannot find %s (looked in %s/, %s/../%s/ and %s/); reinstall flame",
			       FLAME_INPROC_LIB, dir, dir, FLAME_PRELOAD_LIBDIR, FLAME_PRELOAD_FULL_LIBDIR);
}

/* argv0 as execvp finds it; "" when not found. */
static void search_path(const char *argv0, char *out, size_t cap)
{
	out[0] = '\0';
	if (strchr(argv0, '/')) {
		snprintf(out, cap, "%s", argv0);
		return;
	}
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		snprintf(out, cap, "%.*s%s%s", (int)n, n ? p : ".", "/", argv0);
		if (access(out, X_OK) == 0)
			return;
		if (!e)
			break;
		p = e + 1;
	}
	out[0] = '\0';
}

int flame_inproc_check_command(const char *argv0, struct flame_error *err)
{
	char path[4096];
	search_path(argv0, path, sizeof(path));
	if (!path[0])
		return 0;
	struct stat sb;
	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return 0;
	if ((sb.st_mode & (S_ISUID | S_ISGID)) && geteuid() != 0)
		return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
				       "'%s' is set-user-ID or set-group-ID: the loader ignores LD_PRELOAD "
				       "for it, so the in-process sampler cannot sample it", argv0);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	Elf64_Ehdr eh;
	int is_static = 0;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_phentsize == sizeof(Elf64_Phdr) && eh.e_phnum > 0 && eh.e_phnum < 4096) {
		is_static = 1;
		for (unsigned i = 0; i < eh.e_phnum; i++) {
			Elf64_Phdr ph;
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
			    (ssize_t)sizeof(ph)) {
				is_static = 0;
				break;
			}
			if (ph.p_type == PT_INTERP) {
				is_static = 0;
				break;
			}
		}
	}
	close(fd);
	if (is_static)
		return flame_error_set(err, FLAME_ERR_USAGE, NULL, 0,
				       "'%s' is statically linked: the in-process sampler is loaded with "
				       "LD_PRELOAD, which only dynamically linked programs honour; sample "
				       "it with --sampler=perf", argv0);
	return 0;
}

int flame_inproc_perf_denied(char *why, size_t cap)
{
	/* the least any sampling needs: user-space cpu-clock of ourselves */
	struct perf_event_attr a;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.sample_period = 1000000;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.disabled = 1;
	long fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0) {
		close((int)fd);
		return 0;
	}
	int e = errno;
	if (e != EACCES && e != EPERM && e != ENOSYS)
		return 0;
	char paranoid[32] = "";
	if (flame_read_head("/proc/sys/kernel/perf_event_paranoid", paranoid, sizeof(paranoid)) < 0)
		paranoid[0] = '\0';
	paranoid[strcspn(paranoid, "\n")] = '\0';
	if (flame_sampler_seccomp_filtered())
		snprintf(why, cap, "%s, a seccomp filter is installed", strerror(e));
	else if (e != ENOSYS && paranoid[0])
		snprintf(why, cap, "%s, kernel.perf_event_paranoid is %s", strerror(e), paranoid);
	else
		snprintf(why, cap, "%s", strerror(e));
	return e;
}

int flame_inproc_start(struct flame_inproc *p, uint64_t freq, unsigned depth,
		       struct flame_error *err)
{
	memset(p, 0, sizeof(*p));
	if (depth == 0) {
		/* as deep as perf would go, so the recorder's notion of a cut stack holds */
		long v;
		depth = flame_read_long("/proc/sys/kernel/perf_event_max_stack", &v) == 0 ? (unsigned)v : 127;
		if (depth < 1 || depth > 512)
			depth = depth < 1 ? 127 : 512;
	}
	if (flame_inproc_find(p->lib, sizeof(p->lib), err) < 0)
		return -1;
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp || strlen(tmp) > 3000)
		tmp = "/tmp";
	snprintf(p->dir, sizeof(p->dir), "%s/flame-preload.XXXXXX", tmp);
	if (!mkdtemp(p->dir)) {
		int e = errno;
		flame_error_set(err, FLAME_ERR_IO, NULL, 0, "cannot make a directory in %s: %s", tmp,
				strerror(e));
		p->dir[0] = '\0';
		return -1;
	}
	const char *old = getenv("LD_PRELOAD");
	p->old_preload = old ? flame_xstrdup(old) : NULL;
	struct flame_buf b = { 0 };
	if (old && *old) {
		/* appended: a sanitizer runtime the user put first stays first */
		flame_buf_adds(&b, old);
		flame_buf_addc(&b, ':');
	}
	flame_buf_adds(&b, p->lib);
	flame_buf_addc(&b, '\0');
	char num[32];
	setenv("LD_PRELOAD", b.data, 1);
	setenv(FLAME_PRE_ENV_OUT, p->dir, 1);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)freq);
	setenv(FLAME_PRE_ENV_FREQ, num, 1);
	snprintf(num, sizeof(num), "%u", depth);
	setenv(FLAME_PRE_ENV_DEPTH, num, 1);
	flame_buf_release(&b);
	p->env_set = 1;
	return 0;
}

void flame_inproc_env_restore(struct flame_inproc *p)
{
	if (!p->env_set)
		return;
	if (p->old_preload)
		setenv("LD_PRELOAD", p->old_preload, 1);
	else
		unsetenv("LD_PRELOAD");
	unsetenv(FLAME_PRE_ENV_OUT);
	unsetenv(FLAME_PRE_ENV_FREQ);
	unsetenv(FLAME_PRE_ENV_DEPTH);
	p->env_set = 0;
}

int flame_inproc_collect(struct flame_inproc *p, flame_sampler_cb cb, void *ctx,
			 struct flame_prestream_stats *st, struct flame_error *err)
{
	return flame_prestream_read_dir(p->dir, cb, ctx, st, err);
}

void flame_inproc_end(struct flame_inproc *p)
{
	flame_inproc_env_restore(p);
	free(p->old_preload);
	p->old_preload = NULL;
	if (!p->dir[0])
		return;
	DIR *d = opendir(p->dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			unlinkat(dirfd(d), de->d_name, 0);
		}
		closedir(d);
	}
	rmdir(p->dir);
	p->dir[0] = '\0';
}
